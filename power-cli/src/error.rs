//! `CliError`: a failure `powerplug` reports with a specific exit code (usage, plugin load,
//! driver errors). Anything else that reaches `report` exits with `FAILURE`. Messages are
//! redacted of known secret values before printing.

use power_core::{DriverError, PowerplugExitCode};

/// An error with the exit code it maps to.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct CliError {
    code: u8,
    message: String,
}

impl CliError {
    /// An error with an explicit exit code from [`PowerplugExitCode`].
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }

    /// A usage error (bad flags, unknown driver, bad parameters).
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(PowerplugExitCode::USAGE, message)
    }

    /// The exit code.
    pub fn exit_code(&self) -> u8 {
        self.code
    }
}

impl From<DriverError> for CliError {
    fn from(e: DriverError) -> Self {
        Self::new(e.kind().exit_code(), e.to_string())
    }
}
