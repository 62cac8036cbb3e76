//! The worker protocol: one JSON object per line, host → worker on the worker's stdin, worker →
//! host on a private copy of its stdout (the plugin's own fd 1 points at stderr, so a plugin
//! that prints cannot corrupt the channel). Parameters travel here, never on a command line.

use power_core::{DriverError, PluginDescription};
use serde::{Deserialize, Serialize};

/// The longest line either side accepts; longer ones are a protocol fault.
pub const MAX_LINE: usize = 4 * 1024 * 1024;

/// A request to the worker.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum ToWorker {
    /// Run `op` on the instance of `driver` opened for `device` with `params` (reopened when
    /// the parameters changed).
    Call {
        /// Matches the answer to the request.
        id: u64,
        /// The device key: instances are cached per device.
        device: String,
        /// The driver name.
        driver: String,
        /// `Params::to_wire` of the validated parameters.
        params: String,
        /// The operation (`on`, `off`, `cycle`, `query`, …).
        op: String,
        /// The call's whole budget: the wait for the device lock, then the driver call (which
        /// gets what is left as its `deadline_ms`).
        deadline_ms: u64,
    },
}

/// A message from the worker.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum FromWorker {
    /// The plugin loaded: its description. Always the first line.
    Ready {
        /// What the plugin provides.
        description: PluginDescription,
    },
    /// The plugin did not load. The worker exits after this line.
    LoadFailed {
        /// Why, as `load::LoadError` says it.
        message: String,
    },
    /// A call finished.
    Done {
        /// The request's id.
        id: u64,
        /// The driver's JSON answer or its error.
        result: Result<String, DriverError>,
    },
    /// A log record from the plugin.
    Log {
        /// 1 error … 5 trace.
        level: u8,
        /// The plugin's log target.
        target: String,
        /// The message (not yet redacted).
        message: String,
    },
}
