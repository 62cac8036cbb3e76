//! Running one driver call in the process that loaded the plugin — `serve`'s worker processes
//! and the CLI's fleet runs alike: instances opened once per device and reused while the
//! parameters stay the same, the cross-process device lock taken first, and the action's
//! deadline (what is left of it after the lock) handed to the driver in the call's arguments.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use power_core::abi::{LoadedModule, OpenDriver};
use power_core::{DriverError, DriverInfo, Params};

use crate::devlock;

/// An opened instance: the parameters it was opened with, the driver, its device lock key.
type Entry = (String, Arc<OpenDriver>, Option<String>);

/// Opened driver instances by driver and device key.
#[derive(Default)]
pub struct Instances {
    map: Mutex<HashMap<String, Entry>>,
}

/// One call to run.
pub struct Call<'a> {
    /// The plugin's module.
    pub module: LoadedModule,
    /// The driver's descriptor (for the lock key), if known.
    pub info: Option<&'a DriverInfo>,
    /// The device key (instances are cached per device).
    pub device: &'a str,
    /// The driver.
    pub driver: &'a str,
    /// `Params::to_wire` of the parameters.
    pub params: &'a str,
    /// The operation.
    pub op: &'a str,
    /// The whole budget: lock wait and the call.
    pub deadline: Duration,
}

impl Instances {
    /// Takes the device lock (bounded by the deadline), then runs the call with what is left.
    pub fn run(&self, c: &Call<'_>) -> Result<String, DriverError> {
        let ends = Instant::now() + c.deadline;
        let (driver, lock_key) = self.instance(c)?;
        let _lock = match &lock_key {
            Some(k) => devlock::acquire(k, ends).map_err(|e| DriverError::unreachable(e.to_string()))?,
            None => None,
        };
        let args = format!("{{\"deadline_ms\":{}}}", ends.saturating_duration_since(Instant::now()).as_millis());
        driver.call(c.op, &args)
    }

    /// The cached instance for the call's driver and device (opened anew when the parameters
    /// changed) and its device lock key.
    fn instance(&self, c: &Call<'_>) -> Result<(Arc<OpenDriver>, Option<String>), DriverError> {
        let key = format!("{}\u{0}{}", c.driver, c.device);
        let cached =
            self.map.lock().ok().and_then(|m| {
                m.get(&key).filter(|(p, _, _)| p == c.params).map(|(_, d, k)| (Arc::clone(d), k.clone()))
            });
        if let Some(hit) = cached {
            return Ok(hit);
        }
        let lock_key =
            c.info.and_then(|i| Params::from_wire(&i.params, c.params).ok().and_then(|p| devlock::lock_key(i, &p)));
        let d = Arc::new(c.module.open(c.driver, c.params)?);
        if let Ok(mut m) = self.map.lock() {
            m.insert(key, (c.params.to_owned(), Arc::clone(&d), lock_key.clone()));
        }
        Ok((d, lock_key))
    }
}
