//! `FakeAgent`: a scripted SNMP v1/v2c agent on 127.0.0.1 for driver tests (the conformance
//! kit's success paths, a driver's own unit tests): a table of variables answered by GET and
//! GETNEXT, SETs stored and passed to a hook that can couple a control variable to a status
//! one, any community accepted (the kit sends its secret ones). It records every request and
//! stops when dropped. v3 is not faked: test it against a real agent.

use std::collections::BTreeMap;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::message::{self, Pdu};
use super::{Oid, Value};

/// What a [`FakeAgent`] holds: its variables.
pub type Table = BTreeMap<Oid, Value>;

type Hook = Box<dyn Fn(&Oid, &Value, &mut Table) + Send>;

/// A fake SNMP v1/v2c agent (see the module documentation).
pub struct FakeAgent {
    addr: SocketAddr,
    table: Arc<Mutex<Table>>,
    seen: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

impl FakeAgent {
    /// An agent answering from `table`; every SET stores its value, then runs `on_set`.
    pub fn start(table: Table, on_set: impl Fn(&Oid, &Value, &mut Table) + Send + 'static) -> Self {
        let sock = UdpSocket::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        sock.set_read_timeout(Some(Duration::from_millis(50))).expect("read timeout");
        let addr = sock.local_addr().expect("local address");
        let (table, seen, stop) =
            (Arc::new(Mutex::new(table)), Arc::new(Mutex::new(Vec::new())), Arc::new(AtomicBool::new(false)));
        let (t, s, halt, hook): (_, _, _, Hook) =
            (Arc::clone(&table), Arc::clone(&seen), Arc::clone(&stop), Box::new(on_set));
        std::thread::spawn(move || {
            let mut buf = vec![0u8; message::MAX_MESSAGE];
            while !halt.load(Ordering::Relaxed) {
                let Ok((n, from)) = sock.recv_from(&mut buf) else { continue };
                let Ok((version, pdu)) = message::parse_community_message(&buf[..n]) else { continue };
                let (Ok(mut table), Ok(mut seen)) = (t.lock(), s.lock()) else { return };
                let reply = answer(&pdu, &mut table, &hook, version, &mut seen);
                let _ = sock.send_to(&message::community_message(version, b"public", &reply), from);
            }
        });
        Self { addr, table, seen, stop }
    }

    /// `127.0.0.1:port`.
    pub fn addr(&self) -> String {
        self.addr.to_string()
    }

    /// A variable's current value.
    pub fn value(&self, oid: &Oid) -> Option<Value> {
        self.table.lock().ok().and_then(|t| t.get(oid).cloned())
    }

    /// Every request so far, as `GET .1.3…`, `GETNEXT .1.3…` or `SET .1.3… = INTEGER: 1`.
    pub fn requests(&self) -> Vec<String> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Drop for FakeAgent {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn answer(pdu: &Pdu, table: &mut Table, hook: &Hook, version: i64, seen: &mut Vec<String>) -> Pdu {
    let missing = |v2: Value| if version == 0 { Err(2) } else { Ok(v2) };
    let mut out = Vec::new();
    let mut error = (0, 0);
    for (i, (oid, value)) in pdu.varbinds.iter().enumerate() {
        let result = match pdu.tag {
            message::GET => {
                seen.push(format!("GET {oid}"));
                table.get(oid).cloned().map_or_else(|| missing(Value::NoSuchInstance), Ok).map(|v| (oid.clone(), v))
            }
            message::GET_NEXT => {
                seen.push(format!("GETNEXT {oid}"));
                let next = table.range(oid.clone()..).find(|(k, _)| *k > oid);
                next.map_or_else(
                    || missing(Value::EndOfMibView).map(|v| (oid.clone(), v)),
                    |(k, v)| Ok((k.clone(), v.clone())),
                )
            }
            _ => {
                seen.push(format!("SET {oid} = {value}"));
                if table.contains_key(oid) {
                    table.insert(oid.clone(), value.clone());
                    hook(oid, value, table);
                    Ok((oid.clone(), value.clone()))
                } else {
                    Err(if version == 0 { 2 } else { 17 })
                }
            }
        };
        match result {
            Ok(vb) => out.push(vb),
            Err(status) => {
                error = (status, i as i64 + 1);
                out = pdu.varbinds.clone();
                break;
            }
        }
    }
    Pdu {
        tag: message::RESPONSE,
        request_id: pdu.request_id,
        error_status: error.0,
        error_index: error.1,
        varbinds: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snmp::{oid, Config, Security, Session, Version};
    use power_core::Secret;

    #[test]
    fn the_fake_answers_our_session_in_v1_and_v2c() {
        let status = oid(".1.3.6.1.4.1.99.2.1");
        let control = oid(".1.3.6.1.4.1.99.1.1");
        let table = Table::from([(control.clone(), Value::Integer(2)), (status.clone(), Value::Integer(2))]);
        let (c, s) = (control.clone(), status.clone());
        let agent = FakeAgent::start(table, move |o, v, t| {
            if *o == c {
                t.insert(s.clone(), v.clone());
            }
        });
        for version in [Version::V1, Version::V2c] {
            let cfg = Config {
                target: agent.addr(),
                version,
                security: Security::Community(Secret::new("any-community")),
                timeout: Duration::from_millis(500),
                retries: 0,
            };
            let mut session = Session::open(cfg).unwrap();
            session.set(&control, Value::Integer(1)).unwrap();
            assert_eq!(session.get(&status).unwrap(), Value::Integer(1));
            assert!(session.get(&oid(".1.3.6.1.4.1.99.3.1")).unwrap_err().is_no_such(), "{version}");
            assert_eq!(session.count_rows(&oid(".1.3.6.1.4.1.99.2"), 10).unwrap(), 1);
            assert!(session.set(&oid(".1.3.6.1.4.1.99.9"), Value::Integer(1)).is_err());
            session.set(&control, Value::Integer(2)).unwrap();
        }
        assert_eq!(agent.value(&status), Some(Value::Integer(2)));
        assert!(agent.requests().iter().any(|r| r == &format!("SET {control} = INTEGER: 1")), "{:?}", agent.requests());
    }
}
