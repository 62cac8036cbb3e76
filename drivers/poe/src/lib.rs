//! The `poe` driver: the PoE power of one switch port over SNMP (v1, v2c or v3), through the
//! standard POWER-ETHERNET-MIB (RFC 3621) that managed switches implement:
//! `pethPsePortAdminEnable` (group.port) switches the port's power, `pethPsePortDetectionStatus`
//! says whether a powered device draws it. A port already in the asked state is left alone;
//! after a SET the driver waits (within `verify_ms`) for the port to deliver power (`on`) or
//! to be disabled (`off`), and says so when nothing powered is connected or the port reports a
//! fault. `cycle` is the SDK's: off, `cycle_off_ms` (a Raspberry Pi needs a few seconds without
//! power), on.

use std::sync::Mutex;
use std::time::Duration;

use plugin_sdk::snmp::{self, oid, Config, Oid, Session, Value};
use plugin_sdk::{CallOutcome, DriverError, DriverInfo, ParamKind, ParamSpec, Params, PowerState};

/// `pethPsePortAdminEnable` (TruthValue: true 1, false 2).
const ADMIN_ENABLE: &str = ".1.3.6.1.2.1.105.1.1.1.3";
/// `pethPsePortDetectionStatus`.
const DETECTION: &str = ".1.3.6.1.2.1.105.1.1.1.6";
const TRUE: i64 = 1;
const FALSE: i64 = 2;

/// `pethPsePortDetectionStatus` values (RFC 3621).
fn detection_name(v: i64) -> &'static str {
    match v {
        1 => "disabled",
        2 => "searching",
        3 => "deliveringPower",
        4 => "fault",
        5 => "test",
        6 => "otherFault",
        _ => "an unknown detection status",
    }
}

/// One opened switch port.
pub struct Poe {
    session: Mutex<Session>,
    group: u32,
    port: u32,
    verify: Duration,
}

impl Poe {
    fn what(&self, s: &Session) -> String {
        format!("port {}/{} of the switch at {}", self.group, self.port, s.agent())
    }

    fn var(&self, column: &str) -> Oid {
        oid(column).child(&[self.group, self.port])
    }

    /// Reads an integer column of this port, explaining a missing one.
    fn read(&self, s: &mut Session, column: &str) -> Result<i64, DriverError> {
        match s.get(&self.var(column)) {
            Ok(v) => {
                v.as_i64().ok_or_else(|| DriverError::device(format!("{} answered {column} with {v}", self.what(s))))
            }
            Err(e) if e.is_no_such() => Err(self.missing(s, e)),
            Err(e) => Err(e.into()),
        }
    }

    fn missing(&self, s: &mut Session, e: snmp::SnmpError) -> DriverError {
        let table = oid(ADMIN_ENABLE);
        let in_group = s.count_rows(&table.child(&[self.group]), 4096);
        match (in_group, s.count_rows(&table, 1)) {
            (_, Ok(0)) => DriverError::invalid_parameter(format!(
                "the switch at {} has no pethPsePortTable: it does not offer PoE control through POWER-ETHERNET-MIB (RFC 3621) to this community or user",
                s.agent()
            )),
            (Ok(0), _) => DriverError::invalid_parameter(format!(
                "`port_group` {}: the switch at {} has no PoE ports in group {}",
                self.group,
                s.agent(),
                self.group
            )),
            (Ok(n), _) if self.port as usize > n => DriverError::invalid_parameter(format!(
                "`port_id` {} is out of range: group {} of the switch at {} has {n} PoE ports",
                self.port,
                self.group,
                s.agent()
            )),
            _ => e.into(),
        }
    }

    /// The state the port's detection status means for the machine.
    fn state_of(&self, s: &Session, detection: i64) -> Result<PowerState, DriverError> {
        match detection {
            3 => Ok(PowerState::On),
            1 => Ok(PowerState::Off),
            2 => {
                plugin_sdk::log::info!(
                    "{}: PoE is enabled but no powered device draws power (searching)",
                    self.what(s)
                );
                Ok(PowerState::Off)
            }
            4 | 6 => Err(DriverError::device(format!(
                "{} reports a PoE {} ({detection}): check the cable and the powered device",
                self.what(s),
                detection_name(detection)
            ))),
            _ => Ok(PowerState::Unknown),
        }
    }

    fn switch(&self, on: bool) -> Result<CallOutcome, DriverError> {
        let mut s = self.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let admin = self.read(&mut s, ADMIN_ENABLE)?;
        if admin == if on { TRUE } else { FALSE } {
            plugin_sdk::log::info!(
                "{}: PoE is already {}abled: nothing to switch",
                self.what(&s),
                if on { "en" } else { "dis" }
            );
        } else {
            s.set(&self.var(ADMIN_ENABLE), Value::Integer(if on { TRUE } else { FALSE }))?;
        }
        let want = if on { 3 } else { 1 };
        let last = s.wait_for(
            &self.var(DETECTION),
            self.verify,
            |v| matches!(v.as_i64(), Some(d) if d == want || d == 4 || d == 6),
        )?;
        let detection = last.as_i64().unwrap_or(0);
        if detection == want {
            return Ok(CallOutcome::with_state(if on { PowerState::On } else { PowerState::Off }));
        }
        self.state_of(&s, detection)?;
        Err(DriverError::device(if on && detection == 2 {
            format!(
                "{}: PoE is enabled, but no powered device was detected within {:.1} s (searching): is the machine connected to this port, and powered by PoE?",
                self.what(&s),
                self.verify.as_secs_f64()
            )
        } else {
            format!(
                "{} did not switch PoE {}: pethPsePortDetectionStatus still reads {} ({detection}) {:.1} s after the SET",
                self.what(&s),
                if on { "on" } else { "off" },
                detection_name(detection),
                self.verify.as_secs_f64()
            )
        }))
    }
}

impl plugin_sdk::Driver for Poe {
    fn describe() -> DriverInfo {
        snmp::switch_info("poe", "PoE switch port over SNMP (POWER-ETHERNET-MIB, RFC 3621)", env!("CARGO_PKG_VERSION"))
            .param(
                ParamSpec::new("port_id", "Switch port", ParamKind::integer(1, 4096))
                    .required()
                    .node_scope()
                    .help("The port the machine is connected to, as printed on the switch (pethPsePortIndex)"),
            )
            .param(
                ParamSpec::new("port_group", "Port group", ParamKind::integer(1, 1024))
                    .default_value("1")
                    .node_scope()
                    .help("The module or stack member holding the port (pethPsePortGroupIndex; 1 on a single switch)"),
            )
            .param(snmp::verify_param(5000))
    }

    fn open(params: &Params) -> Result<Self, DriverError> {
        let session = Session::open(Config::from_params(params)?)?;
        let int = |name: &str, default: i64| u32::try_from(params.integer(name).unwrap_or(default)).unwrap_or(1);
        Ok(Self {
            session: Mutex::new(session),
            group: int("port_group", 1),
            port: int("port_id", 1),
            verify: Duration::from_millis(u64::from(int("verify_ms", 5000))),
        })
    }

    fn on(&self) -> Result<CallOutcome, DriverError> {
        self.switch(true)
    }

    fn off(&self) -> Result<CallOutcome, DriverError> {
        self.switch(false)
    }

    fn query(&self) -> Result<PowerState, DriverError> {
        let mut s = self.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let detection = self.read(&mut s, DETECTION)?;
        self.state_of(&s, detection)
    }
}

plugin_sdk::export_driver!(Poe);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conforms_against_an_agent_that_never_answers() {
        let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let addr = silent.local_addr().unwrap().to_string();
        plugin_sdk::conformance::assert_conforms::<Poe>(&[
            ("power_address", &addr),
            ("port_id", "3"),
            ("timeout_ms", "50"),
            ("retries", "0"),
        ]);
    }

    #[test]
    fn conforms_on_the_success_path_against_a_fake_switch() {
        let (admin, detection) = (oid(ADMIN_ENABLE).child(&[1, 3]), oid(DETECTION).child(&[1, 3]));
        let table = snmp::Table::from([(admin.clone(), Value::Integer(FALSE)), (detection.clone(), Value::Integer(1))]);
        let (a, d) = (admin.clone(), detection.clone());
        let agent = snmp::FakeAgent::start(table, move |o, v, t| {
            if *o == a {
                t.insert(d.clone(), Value::Integer(if *v == Value::Integer(TRUE) { 3 } else { 1 }));
            }
        });
        plugin_sdk::conformance::assert_conforms::<Poe>(&[
            ("power_address", &agent.addr()),
            ("port_id", "3"),
            ("cycle_off_ms", "0"),
        ]);
        assert!(agent.requests().iter().any(|r| r.starts_with(&format!("SET {admin}"))), "{:?}", agent.requests());
        assert_eq!(agent.value(&detection), Some(Value::Integer(3)));
    }
}
