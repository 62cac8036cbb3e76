//! `Session`: one agent, over one connected UDP socket. Each request is sent up to
//! `1 + retries` times, each try waiting `timeout` (shortened by the action's deadline);
//! answers that do not match the request (another request-id or msgID, another sender) are
//! ignored. SNMPv3 discovers the agent's engine ID, boots and time first, localizes the keys
//! once per session, and resynchronizes once on a notInTimeWindow report.

use std::borrow::Cow;
use std::io::ErrorKind;
use std::net::{ToSocketAddrs, UdpSocket};
use std::time::{Duration, Instant};

use super::error::op_name;
use super::message::{self, Data, Pdu, UsmParams, FLAG_AUTH, FLAG_PRIV, FLAG_REPORTABLE, MAX_MESSAGE};
use super::usm::{self, Keys};
use super::{Config, ErrorStatus, Oid, Security, SnmpError, UsmFailure, Value, Version};
use crate::deadline;

/// What the agent's engine told discovery, with the keys localized to it.
struct Engine {
    id: Vec<u8>,
    boots: u32,
    time: u32,
    at: Instant,
    keys: Keys,
}

impl Engine {
    fn now(&self) -> u32 {
        self.time.saturating_add(u32::try_from(self.at.elapsed().as_secs()).unwrap_or(u32::MAX))
    }
}

/// A v3 answer: the response PDU, or a report of a security failure.
enum V3Reply {
    Pdu(Pdu),
    Report(UsmFailure),
}

/// A conversation with one SNMP agent. Not shared between threads: drivers keep it in a
/// `Mutex` (one request at a time per device is also what small agents cope with).
pub struct Session {
    cfg: Config,
    sock: UdpSocket,
    next_id: i32,
    salt: u64,
    engine: Option<Engine>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Session({} {})", self.cfg.version, self.cfg.target)
    }
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    if getrandom::getrandom(&mut b).is_err() {
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        let seed = (t.as_nanos() as u64) ^ (u64::from(std::process::id()) << 32);
        for (i, x) in b.iter_mut().enumerate() {
            *x = (seed.rotate_left(8 * i as u32) & 0xff) as u8;
        }
    }
    b
}

impl Session {
    /// Resolves the agent's address and opens a UDP socket to it (nothing is sent yet).
    pub fn open(cfg: Config) -> Result<Self, SnmpError> {
        let target = cfg.target.clone();
        let addr = target
            .to_socket_addrs()
            .map_err(|e| SnmpError::Address(format!("`power_address` {target}: cannot resolve it: {e}")))?
            .next()
            .ok_or_else(|| SnmpError::Address(format!("`power_address` {target}: resolves to no address")))?;
        let io = |source| SnmpError::Io { agent: target.clone(), source };
        let sock = UdpSocket::bind(if addr.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" }).map_err(io)?;
        sock.connect(addr).map_err(io)?;
        let id = i32::from_be_bytes(random::<4>()) & 0x3fff_ffff;
        Ok(Self { cfg, sock, next_id: id, salt: u64::from_be_bytes(random::<8>()), engine: None })
    }

    /// The agent, as errors name it (`host:port`).
    pub fn agent(&self) -> &str {
        &self.cfg.target
    }

    /// GETs one variable. A missing one is an error ([`SnmpError::is_no_such`]).
    pub fn get(&mut self, oid: &Oid) -> Result<Value, SnmpError> {
        let reply = self.call(message::GET, vec![(oid.clone(), Value::Null)])?;
        let (name, value) =
            reply.varbinds.into_iter().next().ok_or_else(|| self.malformed("a GET answered with no variable"))?;
        let what = match value {
            Value::NoSuchObject => "noSuchObject",
            Value::NoSuchInstance => "noSuchInstance",
            Value::EndOfMibView => "endOfMibView",
            v => {
                log::trace!("SNMP {} GET {name} = {v}", self.cfg.version);
                return Ok(v);
            }
        };
        Err(SnmpError::NoSuchObject { agent: self.cfg.target.clone(), oid: oid.clone(), what })
    }

    /// GETNEXT: the first variable after `oid`, or `None` at the end of the agent's view.
    pub fn get_next(&mut self, oid: &Oid) -> Result<Option<(Oid, Value)>, SnmpError> {
        let reply = match self.call(message::GET_NEXT, vec![(oid.clone(), Value::Null)]) {
            Err(SnmpError::Status { status: ErrorStatus(2), .. }) => return Ok(None),
            r => r?,
        };
        let (name, value) =
            reply.varbinds.into_iter().next().ok_or_else(|| self.malformed("a GETNEXT answered with no variable"))?;
        if value == Value::EndOfMibView {
            return Ok(None);
        }
        if name <= *oid {
            return Err(self.malformed(&format!("a GETNEXT of {oid} went back to {name}")));
        }
        Ok(Some((name, value)))
    }

    /// How many rows the table column `column` has (GETNEXT along it, at most `limit`).
    pub fn count_rows(&mut self, column: &Oid, limit: usize) -> Result<usize, SnmpError> {
        let mut at = column.clone();
        let mut n = 0;
        while n < limit {
            match self.get_next(&at)? {
                Some((name, v)) if name.starts_with(column) && !v.is_exception() => {
                    n += 1;
                    at = name;
                }
                _ => break,
            }
        }
        Ok(n)
    }

    /// SETs one variable; returns the value the agent answered with.
    pub fn set(&mut self, oid: &Oid, value: Value) -> Result<Value, SnmpError> {
        log::debug!("SNMP {} SET {oid} {value} at {}", self.cfg.version, self.cfg.target);
        let reply = self.call(message::SET, vec![(oid.clone(), value)])?;
        Ok(reply.varbinds.into_iter().next().map_or(Value::Null, |(_, v)| v))
    }

    /// GETs `oid` until `done` accepts its value or `within` has passed (polling every 200 ms,
    /// bounded by the action's deadline); returns the last value read either way.
    pub fn wait_for(&mut self, oid: &Oid, within: Duration, done: impl Fn(&Value) -> bool) -> Result<Value, SnmpError> {
        let until = Instant::now() + deadline::cap(within);
        loop {
            let v = self.get(oid)?;
            let left = until.saturating_duration_since(Instant::now());
            if done(&v) || left.is_zero() {
                return Ok(v);
            }
            std::thread::sleep(left.min(Duration::from_millis(200)));
        }
    }

    fn fresh_id(&mut self) -> i32 {
        self.next_id = (self.next_id.wrapping_add(1)) & 0x7fff_ffff;
        self.next_id
    }

    fn malformed(&self, problem: &str) -> SnmpError {
        SnmpError::Malformed { agent: self.cfg.target.clone(), problem: problem.to_owned() }
    }

    /// Sends one request and returns the agent's response PDU (error-status 0).
    fn call(&mut self, tag: u8, varbinds: Vec<(Oid, Value)>) -> Result<Pdu, SnmpError> {
        let request_id = self.fresh_id();
        let pdu = Pdu { tag, request_id, error_status: 0, error_index: 0, varbinds };
        let reply = match self.cfg.security.clone() {
            Security::Community(c) => {
                let version = if self.cfg.version == Version::V1 { 0 } else { 1 };
                let msg = message::community_message(version, c.expose().as_bytes(), &pdu);
                self.exchange(
                    |_| msg.clone(),
                    |s, data| {
                        let (_, reply) =
                            message::parse_community_message(data).map_err(|e| s.malformed(&e.to_string()))?;
                        Ok((reply.request_id == request_id && reply.tag == message::RESPONSE).then_some(reply))
                    },
                )?
            }
            Security::Usm { user, .. } => self.v3_call(&pdu, &user)?,
        };
        if reply.error_status != 0 {
            let index = usize::try_from(reply.error_index).unwrap_or(0);
            let oid = index.checked_sub(1).and_then(|i| pdu.varbinds.get(i)).map(|(o, _)| o.clone());
            return Err(SnmpError::Status {
                agent: self.cfg.target.clone(),
                op: op_name(tag),
                status: ErrorStatus(reply.error_status),
                oid: oid.or_else(|| pdu.varbinds.first().map(|(o, _)| o.clone())),
                version: self.cfg.version,
            });
        }
        Ok(reply)
    }

    /// Sends what `build` makes, up to `1 + retries` times, until `accept` takes an answer.
    fn exchange<T>(
        &mut self,
        mut build: impl FnMut(&mut Self) -> Vec<u8>,
        mut accept: impl FnMut(&mut Self, &[u8]) -> Result<Option<T>, SnmpError>,
    ) -> Result<T, SnmpError> {
        let mut buf = vec![0u8; MAX_MESSAGE + 1];
        let tries = self.cfg.retries + 1;
        let agent = self.cfg.target.clone();
        let io = |e: std::io::Error| match e.kind() {
            ErrorKind::ConnectionRefused => SnmpError::Refused { agent: agent.clone() },
            _ => SnmpError::Io { agent: agent.clone(), source: e },
        };
        let mut sent = 0;
        while sent < tries && deadline::remaining().is_none_or(|l| !l.is_zero()) {
            let msg = build(self);
            self.sock.send(&msg).map_err(io)?;
            sent += 1;
            let until = Instant::now() + deadline::cap(self.cfg.timeout);
            loop {
                let left = until.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                self.sock.set_read_timeout(Some(left)).map_err(io)?;
                match self.sock.recv(&mut buf) {
                    Ok(n) => {
                        if let Some(t) = accept(self, &buf[..n])? {
                            return Ok(t);
                        }
                    }
                    Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => break,
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    Err(e) => return Err(io(e)),
                }
            }
        }
        Err(SnmpError::NoAnswer {
            agent: self.cfg.target.clone(),
            version: self.cfg.version,
            tries: sent,
            timeout: self.cfg.timeout,
            deadline: deadline::remaining().is_some_and(|l| l.is_zero()),
            privacy: matches!(&self.cfg.security, Security::Usm { privacy: Some(_), .. }),
        })
    }

    fn v3_call(&mut self, pdu: &Pdu, user: &str) -> Result<Pdu, SnmpError> {
        if self.engine.is_none() {
            self.discover()?;
        }
        let (mut resynchronized, mut rediscovered) = (false, false);
        loop {
            let msg_id = self.fresh_id();
            let reply =
                self.exchange(|s| s.v3_encode(msg_id, pdu), |s, data| s.v3_accept(msg_id, pdu.request_id, data))?;
            match reply {
                V3Reply::Pdu(p) => return Ok(p),
                V3Reply::Report(UsmFailure::NotInTimeWindow) if !resynchronized => resynchronized = true,
                // The agent restarted with a new engine ID (a session `serve` keeps outlives it).
                V3Reply::Report(UsmFailure::UnknownEngineId) if !rediscovered => {
                    rediscovered = true;
                    self.discover()?;
                }
                V3Reply::Report(failure) => {
                    return Err(SnmpError::Usm { agent: self.cfg.target.clone(), user: user.to_owned(), failure })
                }
            }
        }
    }

    /// RFC 3414 4: an unauthenticated, empty request whose report carries the engine's ID.
    fn discover(&mut self) -> Result<(), SnmpError> {
        let msg_id = self.fresh_id();
        let pdu = Pdu { tag: message::GET, request_id: msg_id, error_status: 0, error_index: 0, varbinds: vec![] };
        let msg = message::v3_message(
            msg_id,
            FLAG_REPORTABLE,
            &UsmParams::default(),
            Data::Plain(&message::scoped_pdu(b"", &pdu)),
        );
        let usm = self.exchange(
            |_| msg.clone(),
            |s, data| {
                let m = message::parse_v3(data).map_err(|e| s.malformed(&e.to_string()))?;
                Ok((m.msg_id == msg_id).then_some(m.usm))
            },
        )?;
        if usm.engine_id.len() < 5 || usm.engine_id.len() > 32 {
            return Err(self.malformed("the engine ID in the discovery report is not 5 to 32 bytes"));
        }
        let Security::Usm { auth, privacy, .. } = &self.cfg.security else { return Ok(()) };
        let keys = Keys::localize(
            auth.as_ref().map(|(p, s)| (*p, s.expose().as_bytes())),
            privacy.as_ref().map(|(p, s)| (*p, s.expose().as_bytes())),
            &usm.engine_id,
        );
        log::debug!(
            "SNMP v3: engine {} bytes, boots {}, time {} at {}",
            usm.engine_id.len(),
            usm.boots,
            usm.time,
            self.cfg.target
        );
        self.engine = Some(Engine { id: usm.engine_id, boots: usm.boots, time: usm.time, at: Instant::now(), keys });
        Ok(())
    }

    fn v3_encode(&mut self, msg_id: i32, pdu: &Pdu) -> Vec<u8> {
        self.salt = self.salt.wrapping_add(1);
        let counter = self.salt;
        let user = match &self.cfg.security {
            Security::Usm { user, .. } => user.as_bytes().to_vec(),
            Security::Community(_) => Vec::new(),
        };
        let Some(e) = &self.engine else { return Vec::new() };
        let time = e.now();
        let mut flags = FLAG_REPORTABLE;
        let mut usm = UsmParams { engine_id: e.id.clone(), boots: e.boots, time, user, auth: vec![], privacy: vec![] };
        if let Some((p, _)) = &e.keys.auth {
            flags |= FLAG_AUTH;
            usm.auth = vec![0; p.mac_len()];
        }
        let mut scoped = message::scoped_pdu(&e.id, pdu);
        let data = match &e.keys.privacy {
            Some((p, key)) => {
                flags |= FLAG_PRIV;
                let salt = usm::salt(*p, e.boots, counter);
                usm::crypt(*p, key, e.boots, time, &salt, &mut scoped, true);
                usm.privacy = salt.to_vec();
                Data::Encrypted(&scoped)
            }
            None => Data::Plain(&scoped),
        };
        let mut msg = message::v3_message(msg_id, flags, &usm, data);
        if let (Some((p, key)), Ok(m)) = (&e.keys.auth, message::parse_v3(&msg)) {
            let range = m.auth_range;
            let mac = usm::mac(*p, key, &msg);
            msg[range].copy_from_slice(&mac);
        }
        msg
    }

    fn v3_accept(&mut self, msg_id: i32, request_id: i32, data: &[u8]) -> Result<Option<V3Reply>, SnmpError> {
        let m = message::parse_v3(data).map_err(|e| self.malformed(&e.to_string()))?;
        if m.msg_id != msg_id {
            return Ok(None);
        }
        let Some(e) = &mut self.engine else { return Ok(None) };
        if m.flags & FLAG_AUTH != 0 {
            let Some((p, key)) = &e.keys.auth else { return Ok(None) };
            let mut zeroed = data.to_vec();
            zeroed[m.auth_range.clone()].fill(0);
            if !usm::mac_matches(&usm::mac(*p, key, &zeroed), &m.usm.auth) {
                log::debug!("SNMP v3: ignored a reply from {} that failed authentication", self.cfg.target);
                return Ok(None);
            }
            // Authentic: the engine's clock is trustworthy.
            (e.boots, e.time, e.at) = (m.usm.boots, m.usm.time, Instant::now());
        }
        let scoped = match m.data {
            Data::Encrypted(bytes) if m.flags & FLAG_PRIV != 0 => {
                let (Some((p, key)), Ok(salt)) = (&e.keys.privacy, <[u8; 8]>::try_from(m.usm.privacy.as_slice()))
                else {
                    return Err(self.malformed("an encrypted reply without a usable salt"));
                };
                let mut plain = bytes.to_vec();
                usm::crypt(*p, key, m.usm.boots, m.usm.time, &salt, &mut plain, false);
                Cow::Owned(plain)
            }
            Data::Plain(scoped) => Cow::Borrowed(scoped),
            Data::Encrypted(_) => return Err(self.malformed("an encrypted reply without the privacy flag")),
        };
        let pdu = message::parse_scoped(&scoped).map_err(|e| self.malformed(&e.to_string()))?;
        match pdu.tag {
            message::REPORT => {
                let failure = pdu
                    .varbinds
                    .first()
                    .map_or(UsmFailure::Other(Oid::from_arcs(vec![0, 0])), |(o, _)| UsmFailure::from_report(o));
                if failure == UsmFailure::NotInTimeWindow {
                    if let Some(e) = &mut self.engine {
                        (e.boots, e.time, e.at) = (m.usm.boots, m.usm.time, Instant::now());
                    }
                }
                Ok(Some(V3Reply::Report(failure)))
            }
            message::RESPONSE if pdu.request_id == request_id => Ok(Some(V3Reply::Pdu(pdu))),
            _ => Ok(None),
        }
    }
}
