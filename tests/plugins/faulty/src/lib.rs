//! A test plugin whose driver `faulty` misbehaves on purpose in `on`, by its `mode` parameter:
//! `ok` (succeeds after `delay_ms`), `hang` (never returns), `panic`, or `abort`
//! (`std::process::abort()`, which no `catch_unwind` can contain). `off` and `query` always
//! work. The bridge and the CLI must survive every mode. Never shipped.

use std::time::Duration;

use plugin_sdk::{CallOutcome, DriverError, DriverInfo, ParamKind, ParamSpec, Params, PowerAction, PowerState};

/// The misbehaving driver.
pub struct Faulty {
    mode: String,
    delay: Duration,
}

impl plugin_sdk::Driver for Faulty {
    fn describe() -> DriverInfo {
        DriverInfo::new("faulty", "Test driver that hangs, panics or aborts in on", "0.1.0")
            .actions([PowerAction::On, PowerAction::Off, PowerAction::Query])
            .real_query()
            .param(
                ParamSpec::new(
                    "mode",
                    "What on does",
                    ParamKind::choice([
                        ("ok", "succeed"),
                        ("hang", "never return"),
                        ("panic", "panic"),
                        ("abort", "abort"),
                    ]),
                )
                .default_value("ok"),
            )
            .param(ParamSpec::new("delay_ms", "Delay of on", ParamKind::integer(0, 60_000)).default_value("0"))
            .param(ParamSpec::new("address", "Device address", ParamKind::host(true, false)))
    }

    fn open(params: &Params) -> Result<Self, DriverError> {
        Ok(Self {
            mode: params.text("mode").unwrap_or("ok").to_owned(),
            delay: Duration::from_millis(params.integer("delay_ms").unwrap_or(0) as u64),
        })
    }

    fn on(&self) -> Result<CallOutcome, DriverError> {
        std::thread::sleep(self.delay);
        match self.mode.as_str() {
            "hang" => loop {
                std::thread::sleep(Duration::from_secs(3600));
            },
            "panic" => panic!("faulty driver panics in on"),
            "abort" => std::process::abort(),
            _ => Ok(CallOutcome::default()),
        }
    }

    fn off(&self) -> Result<CallOutcome, DriverError> {
        Ok(CallOutcome::default())
    }

    fn query(&self) -> Result<PowerState, DriverError> {
        Ok(PowerState::On)
    }
}

plugin_sdk::export_driver!(Faulty);
