//! A Tasmota smart plug's HTTP command endpoint: `GET /cm?cmnd=Power<N> On|Off|Toggle|` (no
//! argument queries), optional `user`/`password` query parameters — wrong or missing ones still
//! answer **200** with `{"WARNING":"Need user=<username>&password=<password>"}`, as the firmware
//! does — and replies `{"POWER":"ON"}` on single-relay devices or `{"POWER<N>":"ON"}` on
//! multi-relay ones (or always indexed with `--indexed`, Tasmota's SetOption26). Unknown commands
//! answer `{"Command":"Unknown"}`. Fault injection as in the DLI simulator.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::sync::{Arc, Mutex};

use crate::http::{self, form_pairs, Request, Response};
use crate::server::{self, Server};
use crate::SimError;

/// Arguments of `powerplug simulate tasmota`.
#[derive(Debug, Clone, clap::Args)]
pub struct TasmotaArgs {
    /// Address to listen on.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
    /// TCP port (0 picks a free one and prints it).
    #[arg(long, default_value_t = 8081)]
    pub port: u16,
    /// Number of relays (1 to 8).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=8))]
    pub relays: u8,
    /// The web password (user `admin`); none: no credentials needed.
    #[arg(long, env = "POWERPLUG_SIM_TASMOTA_PASSWORD")]
    pub password: Option<String>,
    /// Always answer `POWER<N>`, even with one relay (SetOption26 1).
    #[arg(long)]
    pub indexed: bool,
    /// Fault: delay every answer by this many milliseconds.
    #[arg(long, default_value_t = 0)]
    pub delay_ms: u64,
    /// Fault: answer every request with HTTP 500.
    #[arg(long)]
    pub fail_500: bool,
    /// Fault: close every connection without answering.
    #[arg(long)]
    pub drop: bool,
    /// Fault: answer with a body that is not JSON.
    #[arg(long)]
    pub malformed: bool,
}

impl Default for TasmotaArgs {
    fn default() -> Self {
        Self {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            relays: 1,
            password: None,
            indexed: false,
            delay_ms: 0,
            fail_500: false,
            drop: false,
            malformed: false,
        }
    }
}

struct Plug {
    args: TasmotaArgs,
    relays: Vec<bool>,
    log: Vec<String>,
}

/// A running simulator; stops when dropped.
pub struct TasmotaSim {
    server: Server,
    plug: Arc<Mutex<Plug>>,
}

impl TasmotaSim {
    /// Starts a simulator with `args` (port 0 picks a free port).
    pub fn start(args: TasmotaArgs) -> Result<Self, SimError> {
        let (bind, port) = (args.bind, args.port);
        let relays = vec![false; usize::from(args.relays)];
        let plug = Arc::new(Mutex::new(Plug { args, relays, log: Vec::new() }));
        let p = Arc::clone(&plug);
        let server = Server::start(bind, port, move |conn| serve(&p, conn))?;
        Ok(Self { server, plug })
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// Relay states, relay 1 first.
    pub fn relays(&self) -> Vec<bool> {
        self.plug.lock().map(|p| p.relays.clone()).unwrap_or_default()
    }

    /// One line per request: the decoded command and the answer's first characters.
    pub fn requests(&self) -> Vec<String> {
        self.plug.lock().map(|p| p.log.clone()).unwrap_or_default()
    }
}

fn serve(plug: &Mutex<Plug>, conn: TcpStream) {
    http::serve_once(conn, |req| {
        let args = plug.lock().ok()?.args.clone();
        if server::delay_or_drop(args.delay_ms, args.drop) {
            return None;
        }
        Some(if args.fail_500 {
            Response::new(500, "text/plain", "Internal error")
        } else if args.malformed {
            Response::html("<html><body>Tasmota</body></html>")
        } else {
            answer(plug, req)
        })
    });
}

fn answer(plug: &Mutex<Plug>, req: &Request) -> Response {
    let Ok(mut p) = plug.lock() else { return Response::new(500, "text/plain", "poisoned") };
    if req.path != "/cm" {
        return Response::new(404, "text/plain", "Not found");
    }
    let q = form_pairs(&req.query);
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    if let Some(pw) = p.args.password.as_deref() {
        if get("user") != Some("admin") || get("password") != Some(pw) {
            p.log.push("(wrong credentials)".to_owned());
            return Response::json(r#"{"WARNING":"Need user=<username>&password=<password>"}"#);
        }
    }
    let Some(cmnd) = get("cmnd") else { return Response::json(r#"{"WARNING":"Enter command cmnd="}"#) };
    let (verb, arg) = cmnd.split_once(' ').map_or((cmnd, ""), |(v, a)| (v, a.trim()));
    let lower = verb.to_ascii_lowercase();
    let Some(index) = lower.strip_prefix("power") else { return Response::json(r#"{"Command":"Unknown"}"#) };
    let n: usize = if index.is_empty() { 1 } else { index.parse().unwrap_or(0) };
    if n == 0 || n > p.relays.len() {
        p.log.push(format!("{cmnd} (no such relay)"));
        return Response::json(r#"{"Command":"Unknown"}"#);
    }
    match arg.to_ascii_lowercase().as_str() {
        "" => {}
        "1" | "on" | "true" => p.relays[n - 1] = true,
        "0" | "off" | "false" => p.relays[n - 1] = false,
        "2" | "toggle" => p.relays[n - 1] = !p.relays[n - 1],
        _ => return Response::json(r#"{"Command":"Unknown"}"#),
    }
    let key = if p.relays.len() == 1 && !p.args.indexed { "POWER".to_owned() } else { format!("POWER{n}") };
    let body = format!("{{\"{key}\":\"{}\"}}", if p.relays[n - 1] { "ON" } else { "OFF" });
    p.log.push(format!("{cmnd} -> {body}"));
    Response::json(body)
}

/// Runs the simulator for `powerplug simulate tasmota` until interrupted.
pub fn run(args: &TasmotaArgs, events: &mut dyn FnMut(&str)) -> Result<(), SimError> {
    let sim = TasmotaSim::start(args.clone())?;
    let banner = format!(
        "Tasmota plug simulator on http://{} ({} relay{}, {})",
        sim.addr(),
        args.relays,
        if args.relays == 1 { "" } else { "s" },
        if args.password.is_some() { "web password set for user admin" } else { "no web password" }
    );
    server::follow(&banner, || sim.requests(), events)
}
