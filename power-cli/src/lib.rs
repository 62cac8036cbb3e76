//! # power-cli: the library half of the `powerplug` binary
//!
//! - `cli`: the clap definitions (flags and subcommands);
//! - `run`: parses arguments and dispatches to `commands`;
//! - `host`: plugin discovery, loading (libloading + the ABI) and the driver registry;
//! - `params_input`: driver parameters from `-p`, `--params-file` and the environment;
//! - `output`: the only module that writes to the terminal;
//! - `logging`: `-v` levels, the plugin log bridge and secret redaction;
//! - `maas`: MAAS templates, registration snippets and patches per MAAS generation;
//! - `scaffold`: the crate `plugin new` writes.
//!
//! `main.rs` calls [`run`] and [`report`]; nothing here calls `std::process::exit`.

mod cli;
mod commands;
mod error;
mod logging;
mod maas;
mod output;
mod params_input;
mod run;
mod scaffold;

pub use error::CliError;
pub use run::{report, run};
