//! The command line: clap derive definitions for every flag and subcommand of `powerplug`.
//! Parsing only; `run.rs` dispatches and `commands/` does the work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Power-driver plugins for bare-metal provisioning (MAAS and friends).
#[derive(Debug, Parser)]
#[command(name = "powerplug", version, about, max_term_width = 100)]
pub(crate) struct Cli {
    /// More logging on stderr: -v progress, -vv detail, -vvv wire-level.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub(crate) verbose: u8,

    /// Also search this directory for plugins (repeatable; searched first). A file is loaded
    /// as a plugin whatever its name.
    #[arg(long = "plugin-dir", value_name = "DIR", global = true)]
    pub(crate) plugin_dirs: Vec<PathBuf>,

    /// Search only --plugin-dir and POWERPLUG_PLUGIN_PATH, not the executable's directory or
    /// /usr/lib/powerplug/plugins.
    #[arg(long, global = true)]
    pub(crate) no_default_plugin_dirs: bool,

    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// List and describe the drivers the plugins provide.
    #[command(subcommand)]
    Drivers(DriversCommand),
    /// Run a power action: on, off, cycle or query.
    Power(PowerArgs),
    /// Inspect plugin libraries.
    #[command(subcommand)]
    Plugin(PluginCommand),
    /// Run a device simulator on loopback, to dry-run a setup without hardware.
    #[command(subcommand)]
    Simulate(SimulateCommand),
}

#[derive(Debug, Subcommand)]
pub(crate) enum SimulateCommand {
    /// A Digital Loggers Web Power Switch (legacy web interface and REST API).
    Dli(power_sim::dli::DliArgs),
    /// A SeaMicro SM15000 chassis BMC that answers ipmitool's OEM power command.
    Sm15k(power_sim::sm15k::Sm15kArgs),
    /// A wake-on-LAN listener that prints each magic packet's MAC address.
    Wol(power_sim::wol::WolArgs),
}

#[derive(Debug, Subcommand)]
pub(crate) enum DriversCommand {
    /// One line per driver: name, actions, description, plugin file.
    List {
        /// Machine-readable JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// A driver's descriptor and parameter table.
    Show {
        /// The driver's name (see `drivers list`).
        driver: String,
        /// Machine-readable JSON on stdout.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum PluginCommand {
    /// Load one plugin file and run the conformance kit's static checks on it.
    Check {
        /// The plugin library (.so).
        file: PathBuf,
    },
}

/// A power action on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ActionArg {
    On,
    Off,
    Cycle,
    Query,
}

#[derive(Debug, Args)]
pub(crate) struct PowerArgs {
    /// What to do. `query` prints exactly `on`, `off` or `unknown`.
    pub(crate) action: ActionArg,
    /// The driver (see `powerplug drivers list`).
    pub(crate) driver: String,
    /// A driver parameter (repeatable). Also read from POWERPLUG_<NAME> in the environment;
    /// prefer that (or --params-file) for secrets.
    #[arg(short = 'p', long = "param", value_name = "NAME=VALUE")]
    pub(crate) params: Vec<String>,
    /// Parameters from a file: TOML (`name = "value"`) or `name=value` lines.
    #[arg(long, value_name = "FILE")]
    pub(crate) params_file: Option<PathBuf>,
}
