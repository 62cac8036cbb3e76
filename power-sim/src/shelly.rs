//! A Shelly relay device, Gen1 or Gen2+: `GET /shelly` (never authenticated; `type` on Gen1,
//! `gen` and `id` on Gen2); Gen1 `GET /relay/<N>[?turn=on|off|toggle]` answering `ison`, with
//! HTTP Basic when a password is set; Gen2 `GET /rpc/Switch.Set?id=N&on=true|false` (`was_on`)
//! and `GET /rpc/Switch.GetStatus?id=N` (`output`), with HTTP Digest SHA-256 (RFC 7616, user
//! `admin`, realm = the device id) checked by this file's own code. Unknown ids answer as the
//! firmware does (Gen1 404, Gen2 a JSON-RPC error). Fault injection as in the DLI simulator.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::sync::{Arc, Mutex};

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::http::{self, form_pairs, Request, Response};
use crate::server::{self, Server};
use crate::SimError;

/// Arguments of `powerplug simulate shelly`.
#[derive(Debug, Clone, clap::Args)]
pub struct ShellyArgs {
    /// Address to listen on.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
    /// TCP port (0 picks a free one and prints it).
    #[arg(long, default_value_t = 8082)]
    pub port: u16,
    /// The API generation: 1 (classic HTTP) or 2 (RPC; Gen3 and Gen4 speak the same).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=2))]
    pub generation: u8,
    /// Number of relays / switch components (ids 0…).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=4))]
    pub switches: u8,
    /// The password (user `admin`); none: authentication off.
    #[arg(long, env = "POWERPLUG_SIM_SHELLY_PASSWORD")]
    pub password: Option<String>,
    /// Fault: delay every answer by this many milliseconds.
    #[arg(long, default_value_t = 0)]
    pub delay_ms: u64,
    /// Fault: answer every request with HTTP 500.
    #[arg(long)]
    pub fail_500: bool,
    /// Fault: close every connection without answering.
    #[arg(long)]
    pub drop: bool,
    /// Fault: answer relay requests with a body that is not JSON.
    #[arg(long)]
    pub malformed: bool,
}

impl Default for ShellyArgs {
    fn default() -> Self {
        Self {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            generation: 2,
            switches: 1,
            password: None,
            delay_ms: 0,
            fail_500: false,
            drop: false,
            malformed: false,
        }
    }
}

const DEVICE_ID: &str = "shellyplus1pm-a8032ab12345";

struct Device {
    args: ShellyArgs,
    outputs: Vec<bool>,
    nonces: Vec<String>,
    log: Vec<String>,
    counter: u64,
}

/// A running simulator; stops when dropped.
pub struct ShellySim {
    server: Server,
    dev: Arc<Mutex<Device>>,
}

impl ShellySim {
    /// Starts a simulator with `args` (port 0 picks a free port).
    pub fn start(args: ShellyArgs) -> Result<Self, SimError> {
        let (bind, port) = (args.bind, args.port);
        let outputs = vec![false; usize::from(args.switches)];
        let dev = Arc::new(Mutex::new(Device { args, outputs, nonces: Vec::new(), log: Vec::new(), counter: 0 }));
        let d = Arc::clone(&dev);
        let server = Server::start(bind, port, move |conn| serve(&d, conn))?;
        Ok(Self { server, dev })
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// Output states, id 0 first.
    pub fn outputs(&self) -> Vec<bool> {
        self.dev.lock().map(|d| d.outputs.clone()).unwrap_or_default()
    }

    /// One line per request: method, path and query, answer status.
    pub fn requests(&self) -> Vec<String> {
        self.dev.lock().map(|d| d.log.clone()).unwrap_or_default()
    }
}

fn serve(dev: &Mutex<Device>, conn: TcpStream) {
    http::serve_once(conn, |req| {
        let args = dev.lock().ok()?.args.clone();
        if server::delay_or_drop(args.delay_ms, args.drop) {
            return None;
        }
        let resp = if args.fail_500 { Response::new(500, "text/plain", "Internal error") } else { answer(dev, req) };
        if let Ok(mut d) = dev.lock() {
            let q = if req.query.is_empty() { String::new() } else { format!("?{}", req.query) };
            d.log.push(format!("{} {}{q} -> {}", req.method, req.path, resp.status));
        }
        Some(resp)
    });
}

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// `key="value", key=value` pairs of an `Authorization: Digest …` header.
fn digest_params(header: &str) -> Vec<(String, String)> {
    let Some(rest) = header.strip_prefix("Digest ") else { return Vec::new() };
    let mut out = Vec::new();
    let mut s = rest.trim();
    while let Some((k, after)) = s.split_once('=') {
        let (v, tail) = match after.strip_prefix('"') {
            Some(q) => {
                let end = q.find('"').unwrap_or(q.len());
                (&q[..end], q.get(end + 1..).unwrap_or(""))
            }
            None => {
                let end = after.find(',').unwrap_or(after.len());
                (&after[..end], &after[end..])
            }
        };
        out.push((k.trim().to_owned(), v.to_owned()));
        s = tail.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
    }
    out
}

/// Whether the request is authorised (always, without a password).
fn authorised(d: &Device, req: &Request) -> bool {
    let Some(pw) = d.args.password.as_deref() else { return true };
    let Some(h) = req.header("Authorization") else { return false };
    if d.args.generation == 1 {
        let want = base64::engine::general_purpose::STANDARD.encode(format!("admin:{pw}"));
        return h.strip_prefix("Basic ").is_some_and(|t| t.trim() == want);
    }
    let p = digest_params(h);
    let get = |k: &str| p.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str()).unwrap_or("");
    if get("username") != "admin" || get("realm") != DEVICE_ID || !d.nonces.iter().any(|n| n == get("nonce")) {
        return false;
    }
    if !get("algorithm").eq_ignore_ascii_case("SHA-256") || get("qop") != "auth" {
        return false;
    }
    let uri = get("uri");
    let target = if req.query.is_empty() { req.path.clone() } else { format!("{}?{}", req.path, req.query) };
    if uri != target {
        return false;
    }
    let ha1 = sha256(&format!("admin:{DEVICE_ID}:{pw}"));
    let ha2 = sha256(&format!("{}:{uri}", req.method));
    get("response") == sha256(&format!("{ha1}:{}:{}:{}:auth:{ha2}", get("nonce"), get("nc"), get("cnonce")))
}

fn challenge(d: &mut Device) -> Response {
    d.counter += 1;
    let nonce = format!("{:x}", md5::compute(format!("{:?}{}", std::time::SystemTime::now(), d.counter)));
    d.nonces.push(nonce.clone());
    let header = if d.args.generation == 1 {
        "Basic realm=\"shelly\"".to_owned()
    } else {
        format!("Digest qop=\"auth\", realm=\"{DEVICE_ID}\", nonce=\"{nonce}\", algorithm=SHA-256")
    };
    Response::new(401, "text/plain", "401 Unauthorized").header("WWW-Authenticate", &header)
}

fn answer(dev: &Mutex<Device>, req: &Request) -> Response {
    let Ok(mut d) = dev.lock() else { return Response::new(500, "text/plain", "poisoned") };
    let auth = d.args.password.is_some();
    if req.path == "/shelly" {
        return Response::json(if d.args.generation == 1 {
            format!(r#"{{"type":"SHSW-1","mac":"A8032AB12345","auth":{auth},"fw":"20230913-112003/v1.14.0-gcb84623"}}"#)
        } else {
            format!(
                r#"{{"name":null,"id":"{DEVICE_ID}","mac":"A8032AB12345","model":"SNSW-001P16EU","gen":2,"fw_id":"20240430-105751/1.3.1-gd8534ee","ver":"1.3.1","app":"Plus1PM","auth_en":{auth},"auth_domain":{}}}"#,
                if auth { format!("\"{DEVICE_ID}\"") } else { "null".to_owned() }
            )
        });
    }
    if !authorised(&d, req) {
        return challenge(&mut d);
    }
    let q = form_pairs(&req.query);
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let body = |d: &Device, json: String| {
        if d.args.malformed {
            Response::html("<html>busy</html>")
        } else {
            Response::json(json)
        }
    };
    if d.args.generation == 1 {
        let Some(n) = req.path.strip_prefix("/relay/").and_then(|n| n.parse::<usize>().ok()) else {
            return Response::new(404, "text/plain", "Not Found");
        };
        if n >= d.outputs.len() {
            return Response::new(404, "text/plain", "Not Found");
        }
        match get("turn").as_deref() {
            Some("on") => d.outputs[n] = true,
            Some("off") => d.outputs[n] = false,
            Some("toggle") => d.outputs[n] = !d.outputs[n],
            Some(_) => return Response::new(400, "text/plain", "Bad turn!"),
            None => {}
        }
        let json = format!(
            r#"{{"ison":{},"has_timer":false,"timer_started":0,"timer_duration":0,"timer_remaining":0,"source":"http"}}"#,
            d.outputs[n]
        );
        return body(&d, json);
    }
    let id = get("id").and_then(|i| i.parse::<usize>().ok());
    let not_found = |id: &str| {
        Response::new(
            404,
            "application/json",
            format!(r#"{{"code":-105,"message":"Argument 'id', value {id} not found!"}}"#),
        )
    };
    match req.path.as_str() {
        "/rpc/Switch.Set" => {
            let Some(n) = id.filter(|n| *n < d.outputs.len()) else {
                return not_found(&get("id").unwrap_or_default());
            };
            let was_on = d.outputs[n];
            match get("on").as_deref() {
                Some("true") => d.outputs[n] = true,
                Some("false") => d.outputs[n] = false,
                _ => {
                    return Response::new(
                        400,
                        "application/json",
                        r#"{"code":-103,"message":"Missing required argument 'on'!"}"#,
                    )
                }
            }
            body(&d, format!(r#"{{"was_on":{was_on}}}"#))
        }
        "/rpc/Switch.GetStatus" => {
            let Some(n) = id.filter(|n| *n < d.outputs.len()) else {
                return not_found(&get("id").unwrap_or_default());
            };
            body(
                &d,
                format!(r#"{{"id":{n},"source":"HTTP_in","output":{},"apower":0.0,"voltage":230.1}}"#, d.outputs[n]),
            )
        }
        _ => Response::new(404, "application/json", r#"{"code":404,"message":"No handler for this method"}"#),
    }
}

/// Runs the simulator for `powerplug simulate shelly` until interrupted.
pub fn run(args: &ShellyArgs, events: &mut dyn FnMut(&str)) -> Result<(), SimError> {
    let sim = ShellySim::start(args.clone())?;
    let banner = format!(
        "Shelly Gen{} simulator on http://{} ({} switch{}, {})",
        args.generation,
        sim.addr(),
        args.switches,
        if args.switches == 1 { "" } else { "es" },
        match (&args.password, args.generation) {
            (None, _) => "authentication off",
            (Some(_), 1) => "Basic authentication, user admin",
            (Some(_), _) => "Digest SHA-256 authentication, user admin",
        }
    );
    server::follow(&banner, || sim.requests(), events)
}
