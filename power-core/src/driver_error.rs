//! `DriverError`: the small, closed set of ways a power action can fail, with the message the
//! user sees. Drivers build these; the host maps the kind to an exit code. Messages never carry
//! secrets: drivers are checked for that by the SDK's conformance kit.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::exit_codes::PowerplugExitCode;

/// Why a driver call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DriverErrorKind {
    /// A parameter is missing, unknown or has a bad value.
    InvalidParameter,
    /// The driver does not support the action.
    UnsupportedAction,
    /// The device did not answer in time, or refused the connection.
    Unreachable,
    /// The device rejected the credentials or privilege level.
    Authentication,
    /// The device answered with an error or an unexpected reply.
    Device,
    /// An external program the driver needs is not installed.
    MissingProgram,
    /// The plugin itself misbehaved (panic, malformed reply).
    PluginFault,
}

impl DriverErrorKind {
    /// Every kind, for tables and round-trip tests.
    pub const ALL: [DriverErrorKind; 7] = [
        Self::InvalidParameter,
        Self::UnsupportedAction,
        Self::Unreachable,
        Self::Authentication,
        Self::Device,
        Self::MissingProgram,
        Self::PluginFault,
    ];

    /// The exit code `powerplug` uses for this kind.
    pub fn exit_code(self) -> u8 {
        match self {
            Self::InvalidParameter => PowerplugExitCode::USAGE,
            Self::UnsupportedAction => PowerplugExitCode::UNSUPPORTED_ACTION,
            Self::Unreachable => PowerplugExitCode::UNREACHABLE,
            Self::Authentication => PowerplugExitCode::AUTH_FAILED,
            Self::Device => PowerplugExitCode::DEVICE_ERROR,
            Self::MissingProgram => PowerplugExitCode::MISSING_PROGRAM,
            Self::PluginFault => PowerplugExitCode::PLUGIN_FAULT,
        }
    }

    /// A short noun phrase for the kind, as printed before the message.
    pub fn describe(self) -> &'static str {
        match self {
            Self::InvalidParameter => "invalid parameter",
            Self::UnsupportedAction => "unsupported action",
            Self::Unreachable => "device unreachable",
            Self::Authentication => "authentication failed",
            Self::Device => "device error",
            Self::MissingProgram => "missing program",
            Self::PluginFault => "plugin fault",
        }
    }
}

/// A failed driver call: a kind and a message for the user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub struct DriverError {
    kind: DriverErrorKind,
    message: String,
}

impl DriverError {
    /// An error of `kind` with a message that names the object and what to do.
    pub fn new(kind: DriverErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into() }
    }

    /// Shorthand for [`DriverErrorKind::InvalidParameter`].
    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new(DriverErrorKind::InvalidParameter, message)
    }

    /// Shorthand for [`DriverErrorKind::UnsupportedAction`].
    pub fn unsupported(message: impl Into<String>) -> Self {
        Self::new(DriverErrorKind::UnsupportedAction, message)
    }

    /// Shorthand for [`DriverErrorKind::Unreachable`].
    pub fn unreachable(message: impl Into<String>) -> Self {
        Self::new(DriverErrorKind::Unreachable, message)
    }

    /// Shorthand for [`DriverErrorKind::Authentication`].
    pub fn authentication(message: impl Into<String>) -> Self {
        Self::new(DriverErrorKind::Authentication, message)
    }

    /// Shorthand for [`DriverErrorKind::Device`].
    pub fn device(message: impl Into<String>) -> Self {
        Self::new(DriverErrorKind::Device, message)
    }

    /// Shorthand for [`DriverErrorKind::MissingProgram`].
    pub fn missing_program(message: impl Into<String>) -> Self {
        Self::new(DriverErrorKind::MissingProgram, message)
    }

    /// Shorthand for [`DriverErrorKind::PluginFault`].
    pub fn plugin_fault(message: impl Into<String>) -> Self {
        Self::new(DriverErrorKind::PluginFault, message)
    }

    /// The kind of failure.
    pub fn kind(&self) -> DriverErrorKind {
        self.kind
    }

    /// The message, without the kind.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for DriverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.describe(), self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_distinct_exit_code() {
        let mut codes: Vec<u8> = DriverErrorKind::ALL.iter().map(|k| k.exit_code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), DriverErrorKind::ALL.len());
        assert!(!codes.contains(&PowerplugExitCode::OK));
    }
}
