//! # power-core: powerplug's stable data contract
//!
//! Everything a powerplug driver and the `powerplug` host agree on:
//!
//! - ✅ the parameter schema ([`ParamSpec`], [`ParamKind`], [`Scope`]) and its validation
//!   ([`Params`], [`ParamsError`]), with errors that name the parameter and never echo secrets;
//! - ✅ the driver descriptor ([`DriverInfo`], [`ProgramRequirement`], [`PluginDescription`]);
//! - ✅ power state and actions ([`PowerState`], [`PowerAction`]) and call results ([`CallOutcome`]);
//! - ✅ the closed set of failure kinds ([`DriverError`], [`DriverErrorKind`]) and the exit codes
//!   of `powerplug` ([`PowerplugExitCode`]);
//! - ✅ the [`Secret`] newtype and [`MacAddress`] parsing;
//! - ✅ the binary plugin ABI ([`abi`]), the only module that names the ABI crate.
//!
//! # Stability
//!
//! - **ABI epoch 1.** The major version of this crate *is* the plugin ABI epoch
//!   ([`abi::ABI_EPOCH`]). Any change to `src/abi.rs`'s types (a field, a trait method, a
//!   changed type) breaks every built plugin and therefore bumps the epoch and the major version.
//! - **Within an epoch** (minor and patch releases) the JSON contract only grows: new optional
//!   fields (`#[serde(default)]`, documented "*Since power-core 1.N*"), new [`ParamKind`]s
//!   (older hosts read them as [`ParamKind::Other`]), new operation names and `extras` keys.
//!   Removing or renaming a field, changing a JSON key or an exit code is breaking.
//! - **Exit codes** in [`PowerplugExitCode`] never change meaning; new ones may be added.
//! - **MSRV** 1.85 (the workspace's `rust-version`).
//! - **Oldest host**: `powerplug` 0.1 reads this contract; plugins built against any power-core
//!   1.x load into any `powerplug` built against power-core 1.y.
#![warn(missing_docs)]

pub mod abi;
pub mod conformance;
mod driver_error;
mod driver_info;
mod exit_codes;
mod log_level;
mod mac_address;
mod param_spec;
mod params;
mod power_state;
mod secret;

pub use driver_error::{DriverError, DriverErrorKind};
pub use driver_info::{CallOutcome, DriverInfo, PluginDescription, ProgramRequirement};
pub use exit_codes::PowerplugExitCode;
pub use log_level::LogLevel;
pub use mac_address::{parse_hex_bytes, MacAddress, MacParseError};
pub use param_spec::{Choice, ParamKind, ParamSpec, Scope};
pub use params::{split_host_port, ParamError, ParamErrorKind, ParamValue, Params, ParamsError, MAX_VALUE_BYTES};
pub use power_state::{PowerAction, PowerState, UnknownActionError};
pub use secret::{encoded_forms, Secret};
