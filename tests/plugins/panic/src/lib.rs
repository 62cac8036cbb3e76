//! A test plugin whose driver `panicky` panics: always in `on`, and in `describe` when the
//! environment has `TESTPLUG_PANIC=describe`. The host must survive both. Never shipped.

use plugin_sdk::{CallOutcome, DriverError, DriverInfo, Params, PowerAction, PowerState};

/// A driver that panics on purpose.
pub struct Panicky;

impl plugin_sdk::Driver for Panicky {
    fn describe() -> DriverInfo {
        if std::env::var("TESTPLUG_PANIC").as_deref() == Ok("describe") {
            panic!("boom in describe");
        }
        DriverInfo::new("panicky", "Test driver that panics in on", "0.1.0")
            .actions([PowerAction::On, PowerAction::Query])
    }

    fn open(_: &Params) -> Result<Self, DriverError> {
        Ok(Self)
    }

    fn on(&self) -> Result<CallOutcome, DriverError> {
        panic!("boom in on");
    }

    fn query(&self) -> Result<PowerState, DriverError> {
        Ok(PowerState::On)
    }
}

plugin_sdk::export_driver!(Panicky);
