//! Logging: the `tracing` subscriber for `-v` levels (stderr), the bridge that re-emits plugins'
//! log records, and redaction of known secret values from everything those records and driver
//! errors carry. Secrets are registered once validated parameters exist.

use std::sync::{Mutex, OnceLock};

use power_core::{abi, LogLevel};

static SECRETS: OnceLock<Mutex<Vec<String>>> = OnceLock::new();

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
}

/// Remembers a secret value so that it is masked in logs and error messages.
pub(crate) fn register_secret(value: &str) {
    // Very short values would mask ordinary words; they are still never logged by us.
    if value.len() >= 3 {
        let m = SECRETS.get_or_init(|| Mutex::new(Vec::new()));
        if let Ok(mut v) = m.lock() {
            v.push(value.to_owned());
        }
    }
}

/// `text` with every registered secret replaced by `***`.
pub(crate) fn redact(text: &str) -> String {
    let mut out = text.to_owned();
    if let Some(m) = SECRETS.get() {
        if let Ok(v) = m.lock() {
            for s in v.iter() {
                out = out.replace(s.as_str(), "***");
            }
        }
    }
    out
}

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
