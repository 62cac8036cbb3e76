//! A TP-Link Kasa device on the legacy local protocol: TCP (port 9999 by default), each message a
//! 4-byte big-endian length then the JSON XOR-"autokey" encrypted (initial key 171), connections
//! kept open for several queries. A plug (HS100) answers `system.get_sysinfo` with `relay_state`;
//! a strip (HS300, `--outlets N`) with `children` (`id`, `alias`, `state`), and per-outlet commands
//! carry `context.child_ids`. `system.set_relay_state` switches; unknown modules answer
//! `err_code -1, "module not support"`, as the firmware does. Fault injection: delay, drop,
//! malformed replies.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use crate::server::{self, Server};
use crate::SimError;

/// Arguments of `powerplug simulate kasa`.
#[derive(Debug, Clone, clap::Args)]
pub struct KasaArgs {
    /// Address to listen on.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
    /// TCP port (0 picks a free one and prints it).
    #[arg(long, default_value_t = 9999)]
    pub port: u16,
    /// A power strip with this many outlets (HS300: 6); 0: a single plug (HS100).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=8))]
    pub outlets: u8,
    /// Fault: delay every answer by this many milliseconds.
    #[arg(long, default_value_t = 0)]
    pub delay_ms: u64,
    /// Fault: close every connection without answering.
    #[arg(long)]
    pub drop: bool,
    /// Fault: answer with bytes that decrypt to something that is not JSON.
    #[arg(long)]
    pub malformed: bool,
}

impl Default for KasaArgs {
    fn default() -> Self {
        Self { bind: IpAddr::V4(Ipv4Addr::LOCALHOST), port: 0, outlets: 0, delay_ms: 0, drop: false, malformed: false }
    }
}

const DEVICE_ID: &str = "8006A3F5C8E2F1B8A0C4D2E6F1A3B5C7D9E0F2A4";

/// The autokey cipher, both ways.
pub fn encrypt(plain: &[u8]) -> Vec<u8> {
    let mut key = 171u8;
    plain
        .iter()
        .map(|p| {
            key ^= p;
            key
        })
        .collect()
}

/// Decrypts what [`encrypt`] produced.
pub fn decrypt(cipher: &[u8]) -> Vec<u8> {
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

struct Plug {
    args: KasaArgs,
    relays: Vec<bool>,
    log: Vec<String>,
}

/// A running simulator; stops when dropped.
pub struct KasaSim {
    server: Server,
    plug: Arc<Mutex<Plug>>,
}

impl KasaSim {
    /// Starts a simulator with `args` (port 0 picks a free port).
    pub fn start(args: KasaArgs) -> Result<Self, SimError> {
        let (bind, port) = (args.bind, args.port);
        let relays = vec![false; usize::from(args.outlets.max(1))];
        let plug = Arc::new(Mutex::new(Plug { args, relays, log: Vec::new() }));
        let p = Arc::clone(&plug);
        let server = Server::start(bind, port, move |conn| serve(&p, conn))?;
        Ok(Self { server, plug })
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// Relay states (outlet 1 first; one entry for a plug).
    pub fn relays(&self) -> Vec<bool> {
        self.plug.lock().map(|p| p.relays.clone()).unwrap_or_default()
    }

    /// One line per request: the decrypted JSON.
    pub fn requests(&self) -> Vec<String> {
        self.plug.lock().map(|p| p.log.clone()).unwrap_or_default()
    }
}

fn serve(plug: &Mutex<Plug>, mut conn: TcpStream) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = conn.set_nodelay(true);
    loop {
        let mut len = [0u8; 4];
        if conn.read_exact(&mut len).is_err() {
            return;
        }
        let n = u32::from_be_bytes(len) as usize;
        if n > 64 * 1024 {
            return;
        }
        let mut cipher = vec![0; n];
        if conn.read_exact(&mut cipher).is_err() {
            return;
        }
        let args = match plug.lock() {
            Ok(p) => p.args.clone(),
            Err(_) => return,
        };
        if server::delay_or_drop(args.delay_ms, args.drop) {
            return;
        }
        let plain = decrypt(&cipher);
        let reply = if args.malformed { b"<html>not json</html>".to_vec() } else { answer(plug, &plain).into_bytes() };
        let mut out = (reply.len() as u32).to_be_bytes().to_vec();
        out.extend(encrypt(&reply));
        if conn.write_all(&out).is_err() {
            return;
        }
    }
}

fn sysinfo(p: &Plug) -> Value {
    let mut info = json!({
        "sw_ver": "1.0.12 Build 210826 Rel.085534", "hw_ver": "2.0", "model": if p.args.outlets > 0 { "HS300(US)" } else { "HS100(US)" },
        "deviceId": DEVICE_ID, "oemId": "32BD0B21AA9BF8E84737D1DB1C66E883", "hwId": "34C41AA028022D0CCEA5E678E8547C54",
        "rssi": -52, "latitude_i": 0, "longitude_i": 0, "alias": "powerplug sim", "status": "new",
        "mic_type": "IOT.SMARTPLUGSWITCH", "feature": "TIM", "mac": "B0:A7:B9:12:34:56", "updating": 0,
        "led_off": 0, "err_code": 0, "on_time": 0, "icon_hash": "", "dev_name": "Smart Wi-Fi Plug",
        "active_mode": "none", "next_action": {"type": -1}, "ntc_state": 0,
    });
    if p.args.outlets > 0 {
        let children: Vec<Value> = p
            .relays
            .iter()
            .enumerate()
            .map(|(i, on)| {
                json!({"id": format!("{DEVICE_ID}{i:02}"), "state": u8::from(*on), "alias": format!("Outlet {}", i + 1),
                       "on_time": 0, "next_action": {"type": -1}})
            })
            .collect();
        info["child_num"] = json!(children.len());
        info["children"] = Value::Array(children);
    } else {
        info["relay_state"] = json!(u8::from(p.relays[0]));
    }
    info
}

fn answer(plug: &Mutex<Plug>, plain: &[u8]) -> String {
    let Ok(mut p) = plug.lock() else { return "{}".into() };
    let text = String::from_utf8_lossy(plain).into_owned();
    p.log.push(text.clone());
    let Ok(Value::Object(req)) = serde_json::from_str::<Value>(&text) else {
        return r#"{"err_code":-1,"err_msg":"json decode error"}"#.into();
    };
    let children: Vec<String> = req
        .get("context")
        .and_then(|c| c.get("child_ids"))
        .and_then(Value::as_array)
        .map(|ids| ids.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    let mut out = serde_json::Map::new();
    for (module, methods) in &req {
        if module == "context" {
            continue;
        }
        let mut results = serde_json::Map::new();
        let Some(methods) = methods.as_object().filter(|_| module == "system") else {
            out.insert(module.clone(), json!({"err_code": -1, "err_msg": "module not support"}));
            continue;
        };
        for (method, args) in methods {
            let r = match method.as_str() {
                "get_sysinfo" => sysinfo(&p),
                "set_relay_state" => match args.get("state").and_then(Value::as_u64) {
                    Some(s) if children.is_empty() && p.args.outlets == 0 => {
                        p.relays[0] = s == 1;
                        json!({"err_code": 0})
                    }
                    Some(s) => {
                        let mut found = !children.is_empty();
                        for id in &children {
                            let idx = id.strip_prefix(DEVICE_ID).and_then(|i| i.parse::<usize>().ok());
                            match idx.filter(|i| *i < p.relays.len()) {
                                Some(i) => p.relays[i] = s == 1,
                                None => found = false,
                            }
                        }
                        if found {
                            json!({"err_code": 0})
                        } else {
                            json!({"err_code": -14, "err_msg": "entry not exist"})
                        }
                    }
                    None => json!({"err_code": -3, "err_msg": "invalid argument"}),
                },
                _ => json!({"err_code": -2, "err_msg": "member not support"}),
            };
            results.insert(method.clone(), r);
        }
        out.insert(module.clone(), Value::Object(results));
    }
    Value::Object(out).to_string()
}

/// Runs the simulator for `powerplug simulate kasa` until interrupted.
pub fn run(args: &KasaArgs, events: &mut dyn FnMut(&str)) -> Result<(), SimError> {
    let sim = KasaSim::start(args.clone())?;
    let model =
        if args.outlets > 0 { format!("HS300 strip with {} outlets", args.outlets) } else { "HS100 plug".to_owned() };
    server::follow(&format!("Kasa legacy-protocol simulator on {} ({model})", sim.addr()), || sim.requests(), events)
}
