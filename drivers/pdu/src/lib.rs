//! The `pdu` driver: one outlet of a switched rack PDU over SNMP (v1, v2c or v3) — APC (rPDU,
//! rPDU2 and the old MasterSwitch sPDU table), Raritan PX2/PX3, Eaton ePDU and CyberPower.
//! `model=auto` reads `sysObjectID` and, for APC, probes its three table generations. Every
//! action reads the outlet first: an outlet already in the asked state is left alone (MAAS's
//! own APC driver turns an outlet off and on again to switch it on). A SET is verified by
//! reading the status back until it shows, within `verify_ms`. An outlet number the PDU lacks
//! is reported with the outlet count the PDU reports. `cycle` is the SDK's: off,
//! `cycle_off_ms`, on.

mod models;

use std::sync::Mutex;
use std::time::Duration;

use models::Table;
use plugin_sdk::snmp::{self, oid, Config, Session, SnmpError, Value};
use plugin_sdk::{CallOutcome, DriverError, DriverInfo, ParamKind, ParamSpec, Params, PowerState};

/// One opened PDU outlet.
pub struct Pdu {
    inner: Mutex<Inner>,
    outlet: u32,
    model: &'static str,
    verify: Duration,
}

struct Inner {
    session: Session,
    /// The table in use, once chosen (`auto` chooses on first use).
    table: Option<&'static Table>,
}

fn on_off(on: bool) -> &'static str {
    if on {
        "on"
    } else {
        "off"
    }
}

impl Inner {
    fn agent(&self) -> String {
        format!("the PDU at {}", self.session.agent())
    }

    /// The outlet table: the one `model` names, or the one `sysObjectID` points to.
    fn table(&mut self, model: &str) -> Result<&'static Table, DriverError> {
        if let Some(t) = self.table {
            return Ok(t);
        }
        let chosen = match models::TABLES.iter().find(|t| t.model == model) {
            Some(t) => t,
            None => self.detect()?,
        };
        self.table = Some(chosen);
        Ok(chosen)
    }

    fn detect(&mut self) -> Result<&'static Table, DriverError> {
        let id = match self.session.get(&oid(models::SYS_OBJECT_ID))? {
            Value::ObjectId(id) => id,
            other => {
                return Err(DriverError::device(format!(
                    "{} answered sysObjectID.0 with {other}, not an OID",
                    self.agent()
                )))
            }
        };
        for t in models::candidates(&id) {
            let column = t.status_column();
            if matches!(self.session.get_next(&column)?, Some((name, _)) if name.starts_with(&column)) {
                plugin_sdk::log::info!(
                    "model auto: sysObjectID {id} has the {} outlet table ({}): model {}",
                    t.label,
                    t.status_name,
                    t.model
                );
                return Ok(t);
            }
        }
        Err(DriverError::invalid_parameter(format!(
            "`model` auto: {} has sysObjectID {id}, which is not a PDU this driver knows{}; set `model` to one of apc, apc-rpdu2, apc-spdu, raritan, eaton, cyberpower",
            self.agent(),
            if models::candidates(&id).is_empty() { "" } else { " (it has none of that vendor's outlet tables)" }
        )))
    }

    /// GETs outlet `n`'s status until `done` accepts it or `within` has passed (one GET when
    /// `within` is zero), a missing one explained: wrong model, or out of range.
    fn poll(
        &mut self,
        t: &Table,
        n: u32,
        within: Duration,
        done: impl Fn(&Value) -> bool,
    ) -> Result<Value, DriverError> {
        match self.session.wait_for(&t.status_of(n), within, done) {
            Err(e) if e.is_no_such() => Err(self.missing(t, n, e)),
            r => Ok(r?),
        }
    }

    fn missing(&mut self, t: &Table, n: u32, e: SnmpError) -> DriverError {
        match self.session.count_rows(&t.status_column(), 1024) {
            Ok(0) => DriverError::invalid_parameter(format!(
                "`model` {}: {} has no {} outlet table ({}); check `model` (or use model=auto)",
                t.model,
                self.agent(),
                t.label,
                t.status_name
            )),
            Ok(count) if n as usize > count => DriverError::invalid_parameter(format!(
                "`outlet_id` {n} is out of range: {} reports {count} outlets (1-{count})",
                self.agent()
            )),
            _ => e.into(),
        }
    }

    /// Reads the outlet, waiting out a pending change (up to `within`).
    fn read(&mut self, t: &Table, n: u32, within: Duration) -> Result<Option<bool>, DriverError> {
        // Stops at a settled value, or at once at one that is not an integer at all.
        let v = self.poll(t, n, within, |v| v.as_i64().is_none_or(|i| t.decode(i).is_some()))?;
        let i = v.as_i64().ok_or_else(|| {
            DriverError::device(format!(
                "{} answered {} of outlet {n} with {v}, not an integer",
                self.agent(),
                t.status_name
            ))
        })?;
        Ok(t.decode(i))
    }
}

impl Pdu {
    fn switch(&self, on: bool) -> Result<CallOutcome, DriverError> {
        let want = if on { PowerState::On } else { PowerState::Off };
        let mut inner = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let t = inner.table(self.model)?;
        let n = self.outlet;
        if inner.read(t, n, self.verify)? == Some(on) {
            plugin_sdk::log::info!("outlet {n} of {} is already {}: nothing to do", inner.agent(), on_off(on));
            return Ok(CallOutcome::with_state(want));
        }
        let (var, value) = t.command_of(n, on);
        inner.session.set(&var, Value::Integer(value))?;
        let last = inner.poll(t, n, self.verify, |v| v.as_i64().and_then(|i| t.decode(i)) == Some(on))?;
        let now = last.as_i64().and_then(|i| t.decode(i));
        if now != Some(on) {
            return Err(DriverError::device(format!(
                "outlet {n} of {} did not switch {}: {} still reads {} ({}) {:.1} s after the SET",
                inner.agent(),
                on_off(on),
                t.status_name,
                now.map_or("pending or unknown", on_off),
                last,
                self.verify.as_secs_f64()
            )));
        }
        Ok(CallOutcome::with_state(want))
    }
}

impl plugin_sdk::Driver for Pdu {
    fn describe() -> DriverInfo {
        snmp::switch_info(
            "pdu",
            "Switched rack PDU outlet over SNMP (APC, Raritan, Eaton, CyberPower)",
            env!("CARGO_PKG_VERSION"),
        )
        .param(
            ParamSpec::new("outlet_id", "Outlet", ParamKind::integer(1, 1024))
                .required()
                .node_scope()
                .help("The outlet the machine is plugged into, numbered as printed on the PDU (1 = first)"),
        )
        .param(
            ParamSpec::new("model", "PDU model", ParamKind::choice(models::CHOICES))
                .default_value("auto")
                .help("Which vendor MIB to use; auto reads sysObjectID (shown at -v)"),
        )
        .param(snmp::verify_param(5000))
    }

    fn open(params: &Params) -> Result<Self, DriverError> {
        let session = Session::open(Config::from_params(params)?)?;
        let model =
            models::CHOICES.iter().map(|(m, _)| *m).find(|m| Some(*m) == params.text("model")).unwrap_or("auto");
        Ok(Self {
            inner: Mutex::new(Inner { session, table: None }),
            outlet: u32::try_from(params.integer("outlet_id").unwrap_or(1)).unwrap_or(1),
            model,
            verify: Duration::from_millis(u64::try_from(params.integer("verify_ms").unwrap_or(5000)).unwrap_or(5000)),
        })
    }

    fn on(&self) -> Result<CallOutcome, DriverError> {
        self.switch(true)
    }

    fn off(&self) -> Result<CallOutcome, DriverError> {
        self.switch(false)
    }

    fn query(&self) -> Result<PowerState, DriverError> {
        let mut inner = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let t = inner.table(self.model)?;
        Ok(match inner.read(t, self.outlet, self.verify)? {
            Some(true) => PowerState::On,
            Some(false) => PowerState::Off,
            None => PowerState::Unknown,
        })
    }
}

plugin_sdk::export_driver!(Pdu);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conforms_against_an_agent_that_never_answers() {
        let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let addr = silent.local_addr().unwrap().to_string();
        plugin_sdk::conformance::assert_conforms::<Pdu>(&[
            ("power_address", &addr),
            ("outlet_id", "1"),
            ("timeout_ms", "50"),
            ("retries", "0"),
        ]);
    }

    #[test]
    fn conforms_on_the_success_path_against_a_fake_rpdu() {
        let (control, status) = (oid(models::APC_RPDU.on.column).child(&[1]), models::APC_RPDU.status_of(1));
        let table = snmp::Table::from([
            (oid(models::SYS_OBJECT_ID), Value::ObjectId(oid(".1.3.6.1.4.1.318.1.3.4.5"))),
            (control.clone(), Value::Integer(2)),
            (status.clone(), Value::Integer(2)),
        ]);
        let (c, s) = (control.clone(), status.clone());
        let agent = snmp::FakeAgent::start(table, move |o, v, t| {
            if *o == c {
                t.insert(s.clone(), v.clone());
            }
        });
        plugin_sdk::conformance::assert_conforms::<Pdu>(&[
            ("power_address", &agent.addr()),
            ("outlet_id", "1"),
            ("cycle_off_ms", "0"),
        ]);
        assert!(agent.requests().iter().any(|r| r.starts_with(&format!("SET {control}"))), "{:?}", agent.requests());
        assert_eq!(agent.value(&status), Some(Value::Integer(1)), "the kit's last action, query, follows cycle: on");
    }
}
