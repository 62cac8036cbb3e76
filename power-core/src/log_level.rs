//! `LogLevel`: the five levels a plugin's log record can carry to the host. Plugins cannot use
//! the host's logger directly (each library has its own statics), so records cross the ABI as
//! a level number plus text and the host re-emits them.

/// The level of a log record sent from a plugin to the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum LogLevel {
    /// Something failed.
    Error = 1,
    /// Something looks wrong.
    Warn = 2,
    /// Progress a user cares about at `-v`.
    Info = 3,
    /// Detail for `-vv`.
    Debug = 4,
    /// Wire-level detail.
    Trace = 5,
}

impl LogLevel {
    /// The level for a wire number; unknown numbers are treated as `Trace`.
    pub fn from_u8(n: u8) -> Self {
        match n {
            1 => Self::Error,
            2 => Self::Warn,
            3 => Self::Info,
            4 => Self::Debug,
            _ => Self::Trace,
        }
    }
}
