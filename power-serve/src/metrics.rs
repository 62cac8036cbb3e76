//! `/metrics` in the Prometheus text format: requests by node, action and outcome; the device
//! call latency histogram by driver; calls in flight and queued; joins, timeouts, worker starts
//! and deaths, reloads. Label values are inventory names (validated) or fixed words, never
//! request text, so a client cannot grow the label set.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use power_host::scheduler::{Stats, LATENCY_BUCKETS};

/// The bridge's own counters.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    requests: Mutex<BTreeMap<(String, String, String), u64>>,
    /// Successful reloads.
    pub(crate) reloads_ok: AtomicU64,
    /// Reloads that kept the old inventory.
    pub(crate) reloads_failed: AtomicU64,
}

impl Metrics {
    /// Counts one request. `node` must be an inventory name or `-`.
    pub(crate) fn request(&self, node: &str, action: &str, outcome: &str) {
        if let Ok(mut m) = self.requests.lock() {
            *m.entry((node.to_owned(), action.to_owned(), outcome.to_owned())).or_default() += 1;
        }
    }

    /// The whole exposition.
    pub(crate) fn render(&self, stats: &Stats, worker_starts: u64, worker_deaths: u64) -> String {
        let mut o = String::new();
        let _ = writeln!(o, "# HELP powerplug_requests_total HTTP requests by node, action and outcome.");
        let _ = writeln!(o, "# TYPE powerplug_requests_total counter");
        if let Ok(m) = self.requests.lock() {
            for ((node, action, outcome), n) in m.iter() {
                let _ = writeln!(
                    o,
                    "powerplug_requests_total{{node=\"{node}\",action=\"{action}\",outcome=\"{outcome}\"}} {n}"
                );
            }
        }
        let _ = writeln!(o, "# HELP powerplug_device_call_seconds Time of driver calls at the device, by driver.");
        let _ = writeln!(o, "# TYPE powerplug_device_call_seconds histogram");
        for (driver, h) in stats.latency() {
            let mut cum = 0;
            for (i, b) in LATENCY_BUCKETS.iter().enumerate() {
                cum += h.buckets[i];
                let _ = writeln!(o, "powerplug_device_call_seconds_bucket{{driver=\"{driver}\",le=\"{b}\"}} {cum}");
            }
            let _ = writeln!(o, "powerplug_device_call_seconds_bucket{{driver=\"{driver}\",le=\"+Inf\"}} {}", h.count);
            let _ = writeln!(o, "powerplug_device_call_seconds_sum{{driver=\"{driver}\"}} {}", h.sum);
            let _ = writeln!(o, "powerplug_device_call_seconds_count{{driver=\"{driver}\"}} {}", h.count);
        }
        let gauges: [(&str, &str, &str, u64); 8] = [
            (
                "powerplug_calls_in_flight",
                "gauge",
                "Driver calls running at devices.",
                stats.in_flight.load(Ordering::Relaxed) as u64,
            ),
            (
                "powerplug_calls_queued",
                "gauge",
                "Driver calls waiting for their device.",
                stats.queued.load(Ordering::Relaxed) as u64,
            ),
            (
                "powerplug_calls_joined_total",
                "counter",
                "Requests that joined an identical queued or running call.",
                stats.joined.load(Ordering::Relaxed),
            ),
            (
                "powerplug_call_timeouts_total",
                "counter",
                "Driver calls that ran past their deadline.",
                stats.timeouts.load(Ordering::Relaxed),
            ),
            ("powerplug_worker_starts_total", "counter", "Plugin worker processes started.", worker_starts),
            (
                "powerplug_worker_deaths_total",
                "counter",
                "Plugin worker processes that died during calls.",
                worker_deaths,
            ),
            (
                "powerplug_reloads_total{result=\"ok\"}",
                "counter",
                "Inventory reloads.",
                self.reloads_ok.load(Ordering::Relaxed),
            ),
            ("powerplug_reloads_total{result=\"failed\"}", "", "", self.reloads_failed.load(Ordering::Relaxed)),
        ];
        for (name, kind, help, v) in gauges {
            if !kind.is_empty() {
                let base = name.split('{').next().unwrap_or(name);
                let _ = writeln!(o, "# HELP {base} {help}");
                let _ = writeln!(o, "# TYPE {base} {kind}");
            }
            let _ = writeln!(o, "{name} {v}");
        }
        o
    }
}
