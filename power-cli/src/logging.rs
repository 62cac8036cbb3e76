//! Logging: the `tracing` subscriber for `-v` levels (stderr), the bridge that re-emits plugins'
//! log records, and redaction of known secret values from everything those records and driver
//! errors carry. Secrets are registered once validated parameters exist.

use power_core::{abi, LogLevel};

/// Installs the subscriber and the plugin log bridge (once per process).
pub(crate) fn init(verbosity: u8, quiet: bool) {
    let level = match verbosity {
        0 if quiet => tracing::Level::ERROR,
        0 => tracing::Level::WARN,
        1 => tracing::Level::INFO,
        2 => tracing::Level::DEBUG,
        _ => tracing::Level::TRACE,
    };
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_target(verbosity >= 2)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .without_time()
        .try_init();
    abi::set_host_logger(from_plugin);
    abi::set_host_max_level(match level {
        tracing::Level::ERROR => LogLevel::Error,
        tracing::Level::WARN => LogLevel::Warn,
        tracing::Level::INFO => LogLevel::Info,
        tracing::Level::DEBUG => LogLevel::Debug,
        _ => LogLevel::Trace,
    });
}

pub(crate) use power_host::redact::{redact, register_secret};

fn from_plugin(level: LogLevel, target: &str, message: &str) {
    let message = redact(message);
    match level {
        LogLevel::Error => tracing::error!(target: "plugin", plugin_target = target, "{message}"),
        LogLevel::Warn => tracing::warn!(target: "plugin", plugin_target = target, "{message}"),
        LogLevel::Info => tracing::info!(target: "plugin", plugin_target = target, "{message}"),
        LogLevel::Debug => tracing::debug!(target: "plugin", plugin_target = target, "{message}"),
        LogLevel::Trace => tracing::trace!(target: "plugin", plugin_target = target, "{message}"),
    }
}
