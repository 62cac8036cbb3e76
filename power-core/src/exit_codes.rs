//! The exit codes of `powerplug`, declared once. Scripts and MAAS templates read them, so each is
//! a stable, documented constant; `DriverErrorKind::exit_code` is the one mapping from errors.

/// Exit codes of `powerplug`. Scripts may rely on them; an unexpected failure exits with 1.
pub enum PowerplugExitCode {}

impl PowerplugExitCode {
    /// The command completed (for `power query`, the state is on stdout).
    pub const OK: u8 = 0;
    /// An unexpected failure that no other code describes.
    pub const FAILURE: u8 = 1;
    /// Bad flags, an unknown driver, or a driver parameter that is missing, unknown or invalid.
    /// clap uses 2 for usage errors as well.
    pub const USAGE: u8 = 2;
    /// The plugin that provides the driver could not be loaded (not a plugin, another ABI
    /// epoch, panicked while describing itself).
    pub const PLUGIN_LOAD_FAILED: u8 = 3;
    /// The driver does not support the requested action (e.g. `off` for wake-on-LAN).
    pub const UNSUPPORTED_ACTION: u8 = 4;
    /// The device did not answer: connection refused, no route, or a timeout.
    pub const UNREACHABLE: u8 = 5;
    /// The device rejected the credentials or the privilege level.
    pub const AUTH_FAILED: u8 = 6;
    /// The device answered, but with an error or something the driver could not understand,
    /// or the state read back after a change did not match.
    pub const DEVICE_ERROR: u8 = 7;
    /// An external program the driver needs (e.g. `ipmitool`) is not installed.
    pub const MISSING_PROGRAM: u8 = 8;
    /// The plugin misbehaved during the action: it panicked or returned malformed data.
    pub const PLUGIN_FAULT: u8 = 9;
    /// A fleet action (several nodes): at least one node failed; the others were done. Each
    /// node's own outcome is in the results.
    pub const SOME_FAILED: u8 = 10;
}
