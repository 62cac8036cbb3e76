//! The `kasa` driver: TP-Link Kasa plugs and power strips (HS300, KP303, KP400…) on the legacy
//! local protocol — TCP port 9999, each message a 4-byte big-endian length and JSON encrypted
//! with the XOR "autokey" cipher (initial key 171). `system.set_relay_state` switches, and
//! `system.get_sysinfo` reads `relay_state` (a plug) or the `children` of a strip, whose outlets
//! are addressed with `context.child_ids` — `outlet` is the number printed on the strip. Every
//! change is read back. Newer firmware that speaks only KLAP (HTTP on port 80) is detected and
//! refused with a clear message: it is not supported yet.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use plugin_sdk::{CallOutcome, DriverError, DriverInfo, ParamKind, ParamSpec, Params, PowerAction, PowerState};
use serde_json::{json, Value};

/// The largest reply read (a strip's sysinfo is a few KB).
const MAX_REPLY: usize = 64 * 1024;

/// One opened plug or strip.
pub struct Kasa {
    host: String,
    port: u16,
    outlet: Option<usize>,
    timeout: Duration,
}

fn encrypt(plain: &[u8]) -> Vec<u8> {
    let mut key = 171u8;
    plain
        .iter()
        .map(|p| {
            key ^= p;
            key
        })
        .collect()
}

fn decrypt(cipher: &[u8]) -> Vec<u8> {
    let mut key = 171u8;
    cipher
        .iter()
        .map(|c| {
            let p = key ^ c;
            key = *c;
            p
        })
        .collect()
}

impl Kasa {
    fn what(&self) -> String {
        format!("the Kasa device at {}:{}", self.host, self.port)
    }

    fn addr(&self) -> Result<SocketAddr, DriverError> {
        (self.host.as_str(), self.port)
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.next())
            .ok_or_else(|| DriverError::unreachable(format!("cannot resolve {}", self.host)))
    }

    /// One request and its reply.
    fn query(&self, request: &Value) -> Result<Value, DriverError> {
        plugin_sdk::deadline::check(&format!("a request to {}", self.what()))?;
        let timeout = plugin_sdk::deadline::cap(self.timeout);
        let addr = self.addr()?;
        let mut conn = TcpStream::connect_timeout(&addr, timeout).map_err(|e| self.connect_error(addr, &e))?;
        let io = |e: std::io::Error| {
            if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) {
                DriverError::unreachable(format!("{} did not answer within {} ms", self.what(), timeout.as_millis()))
            } else {
                DriverError::unreachable(format!("{} broke off the exchange: {e}", self.what()))
            }
        };
        conn.set_read_timeout(Some(timeout)).map_err(io)?;
        conn.set_write_timeout(Some(timeout)).map_err(io)?;
        let _ = conn.set_nodelay(true);
        let plain = request.to_string();
        let mut frame = (plain.len() as u32).to_be_bytes().to_vec();
        frame.extend(encrypt(plain.as_bytes()));
        conn.write_all(&frame).map_err(io)?;
        let mut len = [0u8; 4];
        conn.read_exact(&mut len).map_err(io)?;
        let n = u32::from_be_bytes(len) as usize;
        if n > MAX_REPLY {
            return Err(DriverError::device(format!("{} announced a {n}-byte reply; not read", self.what())));
        }
        let mut body = vec![0; n];
        conn.read_exact(&mut body).map_err(io)?;
        let text = decrypt(&body);
        plugin_sdk::log::trace!("{} <- {}", self.what(), String::from_utf8_lossy(&text));
        serde_json::from_slice(&text).map_err(|_| {
            let shown: String =
                String::from_utf8_lossy(&text).chars().take(60).flat_map(char::escape_default).collect();
            DriverError::device(format!("{} answered something that is not JSON: \"{shown}\"", self.what()))
        })
    }

    /// A refused connection: plain unreachable, unless port 80 answers — then it is KLAP firmware.
    fn connect_error(&self, addr: SocketAddr, e: &std::io::Error) -> DriverError {
        if e.kind() == std::io::ErrorKind::ConnectionRefused {
            let http = SocketAddr::new(addr.ip(), 80);
            if TcpStream::connect_timeout(&http, Duration::from_millis(300)).is_ok() {
                return DriverError::unsupported(format!(
                    "{} refuses the legacy protocol but answers on port 80: newer Kasa firmware speaks only KLAP, which this driver does not support yet",
                    self.what()
                ));
            }
        }
        DriverError::unreachable(format!("could not connect to {}: {e}", self.what()))
    }

    fn sysinfo(&self) -> Result<Value, DriverError> {
        let r = self.query(&json!({"system": {"get_sysinfo": {}}}))?;
        let info = r.pointer("/system/get_sysinfo").cloned().unwrap_or(Value::Null);
        if info.get("err_code").and_then(Value::as_i64).unwrap_or(0) != 0 || !info.is_object() {
            return Err(DriverError::device(format!("{} refused get_sysinfo", self.what())));
        }
        Ok(info)
    }

    /// The child id of the configured outlet (strips), checking the outlet against the device.
    fn child(&self, info: &Value) -> Result<Option<String>, DriverError> {
        let children = info.get("children").and_then(Value::as_array);
        match (self.outlet, children) {
            (None, None) => Ok(None),
            (None, Some(c)) => Err(DriverError::invalid_parameter(format!(
                "{} is a power strip with {} outlets: set `outlet` (1 to {})",
                self.what(),
                c.len(),
                c.len()
            ))),
            (Some(n), None) => Err(DriverError::invalid_parameter(format!(
                "`outlet` {n}: {} is a single plug, not a strip; leave `outlet` out",
                self.what()
            ))),
            (Some(n), Some(c)) => c
                .get(n - 1)
                .and_then(|ch| ch.get("id"))
                .and_then(Value::as_str)
                .map(|id| Some(id.to_owned()))
                .ok_or_else(|| {
                    DriverError::invalid_parameter(format!(
                        "`outlet` {n} is out of range: {} has {} outlets (1 to {})",
                        self.what(),
                        c.len(),
                        c.len()
                    ))
                }),
        }
    }

    fn state_in(&self, info: &Value, child: Option<&str>) -> Result<bool, DriverError> {
        let v = match child {
            None => info.get("relay_state"),
            Some(id) => info
                .get("children")
                .and_then(Value::as_array)
                .and_then(|c| c.iter().find(|ch| ch.get("id").and_then(Value::as_str) == Some(id)))
                .and_then(|ch| ch.get("state")),
        };
        v.and_then(Value::as_u64)
            .map(|s| s == 1)
            .ok_or_else(|| DriverError::device(format!("{}: the sysinfo has no relay state", self.what())))
    }

    fn set(&self, on: bool) -> Result<CallOutcome, DriverError> {
        let info = self.sysinfo()?;
        let child = self.child(&info)?;
        let mut req = json!({"system": {"set_relay_state": {"state": u8::from(on)}}});
        if let Some(id) = &child {
            req["context"] = json!({"child_ids": [id]});
        }
        let r = self.query(&req)?;
        let code = r.pointer("/system/set_relay_state/err_code").and_then(Value::as_i64);
        if code != Some(0) {
            return Err(DriverError::device(format!("{} refused set_relay_state (err_code {code:?})", self.what())));
        }
        let now = self.state_in(&self.sysinfo()?, child.as_deref())?;
        if now != on {
            return Err(DriverError::device(format!(
                "{} still reports {} after the change",
                self.what(),
                if now { "on" } else { "off" }
            )));
        }
        Ok(CallOutcome::with_state(if on { PowerState::On } else { PowerState::Off }))
    }
}

impl plugin_sdk::Driver for Kasa {
    fn describe() -> DriverInfo {
        DriverInfo::new("kasa", "TP-Link Kasa plug or power strip (legacy local protocol)", env!("CARGO_PKG_VERSION"))
            .actions([PowerAction::On, PowerAction::Off, PowerAction::Cycle, PowerAction::Query])
            .real_query()
            .param(
                ParamSpec::new("power_address", "Plug address", ParamKind::host(true, false))
                    .required()
                    .help("Host or host:port of the plug (port 9999 by default)"),
            )
            .param(
                ParamSpec::new("outlet", "Outlet", ParamKind::integer(1, 16))
                    .node_scope()
                    .help("The outlet number printed on a power strip; leave out for a single plug"),
            )
            .param(
                ParamSpec::new("timeout_ms", "Timeout (ms)", ParamKind::integer(100, 60_000))
                    .default_value("5000")
                    .help("Connect and read limit per request (the action's deadline also bounds it)"),
            )
    }

    fn open(params: &Params) -> Result<Self, DriverError> {
        let addr = params.text("power_address").unwrap_or_default();
        let (host, port) = plugin_sdk::split_host_port(addr)
            .map_err(|e| DriverError::invalid_parameter(format!("`power_address`: {e}")))?;
        let port = match port {
            Some(p) => p.parse().map_err(|_| DriverError::invalid_parameter("`power_address`: a bad port"))?,
            None => 9999,
        };
        Ok(Self {
            host: host.to_owned(),
            port,
            outlet: params.integer("outlet").and_then(|o| usize::try_from(o).ok()),
            timeout: Duration::from_millis(params.integer("timeout_ms").unwrap_or(5000).unsigned_abs()),
        })
    }

    fn on(&self) -> Result<CallOutcome, DriverError> {
        self.set(true)
    }

    fn off(&self) -> Result<CallOutcome, DriverError> {
        self.set(false)
    }

    fn query(&self) -> Result<PowerState, DriverError> {
        let info = self.sysinfo()?;
        let child = self.child(&info)?;
        Ok(if self.state_in(&info, child.as_deref())? { PowerState::On } else { PowerState::Off })
    }
}

plugin_sdk::export_driver!(Kasa);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cipher_round_trips_and_matches_a_known_frame() {
        let plain = br#"{"system":{"get_sysinfo":{}}}"#;
        assert_eq!(decrypt(&encrypt(plain)), plain);
        assert_eq!(&encrypt(plain)[..4], &[0xd0, 0xf2, 0x81, 0xf8], "autokey from 171");
    }

    #[test]
    fn conforms() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
        plugin_sdk::conformance::assert_conforms::<Kasa>(&[("power_address", &closed)]);
    }
}
