//! # plugin-sdk: write a powerplug driver in plain Rust
//!
//! Implement [`Driver`], register it with [`export_driver!`] (one line per driver; a library may
//! register several), and build the crate as a `cdylib` named `powerplug_<something>`. The SDK
//! exports the plugin's root module, checks actions against the descriptor, validates the
//! parameters again inside the plugin, forwards `log` records to the host and turns panics into
//! plugin faults. [`conformance`] has the checks every driver crate should run in its tests.
//! See `docs/writing-a-driver.md`.
//!
//! Drivers never print: they return values and log with the [`log`] macros.
#![warn(missing_docs)]

mod driver;
mod export;
mod logging;
mod registration;

pub mod conformance;
pub mod deadline;
#[cfg(feature = "http")]
pub mod http;
pub mod program;
#[cfg(feature = "snmp")]
pub mod snmp;

pub use driver::{Driver, CYCLE_OFF_PARAM};
pub use registration::Registration;

pub use log;
pub use power_core::{
    parse_hex_bytes, split_host_port, CallOutcome, Choice, DriverError, DriverErrorKind, DriverInfo, MacAddress,
    ParamKind, ParamSpec, Params, PowerAction, PowerState, ProgramRequirement, Scope, Secret,
};

#[doc(hidden)]
pub use inventory as __inventory;

/// The SDK version stamped into every plugin's description.
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Registers driver type `$ty` in this plugin library: `plugin_sdk::export_driver!(MyDriver);`
#[macro_export]
macro_rules! export_driver {
    ($ty:ty) => {
        $crate::__inventory::submit! { $crate::Registration::of::<$ty>() }
    };
}
