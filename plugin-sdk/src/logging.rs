//! Log forwarding: installs, inside the plugin library, a `log` logger that sends every record to
//! the host through the ABI (the plugin's own `log` global is not the host's). Drivers just use
//! `log::info!` and friends; the host decides what is shown (`-v`, `-vv`).

use power_core::{abi, LogLevel};

struct ToHost;

/// Records kept while the conformance kit watches (`None`: not watching).
static CAPTURE: std::sync::Mutex<Option<Vec<String>>> = std::sync::Mutex::new(None);

/// Starts keeping every record (the conformance kit checks them for secrets).
pub(crate) fn capture_begin() {
    install();
    if let Ok(mut c) = CAPTURE.lock() {
        c.get_or_insert_with(Vec::new);
    }
}

/// Stops keeping records and returns them.
pub(crate) fn capture_end() -> Vec<String> {
    CAPTURE.lock().ok().and_then(|mut c| c.take()).unwrap_or_default()
}

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
        let text = record.args().to_string();
        if let Ok(mut c) = CAPTURE.lock() {
            if let Some(v) = c.as_mut() {
                v.push(format!("{}: {text}", record.target()));
            }
        }
        abi::plugin_log(level, record.target(), &text);
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
