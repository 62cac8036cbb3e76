//! `Registration`: one entry in a plugin library's driver registry, collected with `inventory`
//! (each library has its own registry). `export_driver!` submits one per driver; `export.rs`
//! reads them. Also the type-erased open function that wraps a `Driver` for the ABI.

use power_core::abi::InstanceCall;
use power_core::{DriverError, DriverInfo, Params, PowerAction};

use crate::driver::Driver;

/// A driver registered in this plugin library.
pub struct Registration {
    pub(crate) describe: fn() -> DriverInfo,
    pub(crate) open: fn(&Params) -> Result<Box<dyn InstanceCall>, DriverError>,
}

impl Registration {
    /// The registration of driver type `D` (used by [`crate::export_driver!`]).
    pub const fn of<D: Driver>() -> Self {
        Self { describe: crate::driver::describe::<D>, open: open_boxed::<D> }
    }
}

inventory::collect!(Registration);

/// Every driver registered in this library, in link order.
pub(crate) fn registrations() -> impl Iterator<Item = &'static Registration> {
    inventory::iter::<Registration>.into_iter()
}

/// An opened driver with its descriptor, adapted to the ABI's `call`.
struct Opened<D> {
    info: DriverInfo,
    driver: D,
    /// The SDK's cycle off time (`None`: the driver cycles itself).
    cycle_off: Option<std::time::Duration>,
}

fn open_boxed<D: Driver>(params: &Params) -> Result<Box<dyn InstanceCall>, DriverError> {
    let driver = D::open(params)?;
    let info = crate::driver::describe::<D>();
    let cycle_off = params
        .integer(crate::driver::CYCLE_OFF_PARAM)
        .filter(|_| !D::OWN_CYCLE)
        .map(|ms| std::time::Duration::from_millis(ms.unsigned_abs()));
    Ok(Box::new(Opened { info, driver, cycle_off }))
}

impl<D: Driver> Opened<D> {
    fn run(&self, action: PowerAction) -> Result<power_core::CallOutcome, DriverError> {
        match (action, self.cycle_off) {
            (PowerAction::Cycle, Some(off)) => {
                crate::deadline::fits_off_time(off)?;
                self.driver.off()?;
                crate::deadline::check("the wait between off and on")?;
                std::thread::sleep(crate::deadline::cap(off));
                crate::deadline::check("the power-on after the off time")?;
                self.driver.on()
            }
            _ => self.driver.run(action),
        }
    }
}

impl<D: Driver> InstanceCall for Opened<D> {
    fn call(&self, op: &str, args_json: &str) -> Result<String, DriverError> {
        let action: PowerAction = op
            .parse()
            .map_err(|_| DriverError::unsupported(format!("driver `{}` has no operation `{op}`", self.info.name)))?;
        if !self.info.supports(action) {
            return Err(DriverError::unsupported(self.info.refusal(action)));
        }
        let budget = serde_json::from_str::<serde_json::Value>(args_json)
            .ok()
            .and_then(|v| v.get("deadline_ms").and_then(serde_json::Value::as_u64))
            .map(std::time::Duration::from_millis);
        let outcome = crate::deadline::with_deadline(budget, || self.run(action))?;
        serde_json::to_string(&outcome)
            .map_err(|e| DriverError::plugin_fault(format!("could not encode the result: {e}")))
    }
}
