//! Log forwarding: installs, inside the plugin library, a `log` logger that sends every record to
//! the host through the ABI (the plugin's own `log` global is not the host's). Drivers just use
//! `log::info!` and friends; the host decides what is shown (`-v`, `-vv`).

use power_core::{abi, LogLevel};

struct ToHost;

impl log::Log for ToHost {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let level = match record.level() {
            log::Level::Error => LogLevel::Error,
            log::Level::Warn => LogLevel::Warn,
            log::Level::Info => LogLevel::Info,
            log::Level::Debug => LogLevel::Debug,
            log::Level::Trace => LogLevel::Trace,
        };
        abi::plugin_log(level, record.target(), &record.args().to_string());
    }

    fn flush(&self) {}
}

/// Installs the forwarding logger once, at the most verbose level the host shows (hosts that do
/// not say get every record).
pub(crate) fn install() {
    static LOGGER: ToHost = ToHost;
    if log::set_logger(&LOGGER).is_ok() {
        let level = match abi::host_call("log.max_level", "null").and_then(|a| a.trim().parse::<u8>().ok()) {
            Some(1) => log::LevelFilter::Error,
            Some(2) => log::LevelFilter::Warn,
            Some(3) => log::LevelFilter::Info,
            Some(4) => log::LevelFilter::Debug,
            _ => log::LevelFilter::Trace,
        };
        log::set_max_level(level);
    }
}
