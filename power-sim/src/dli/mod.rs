//! The Digital Loggers Web Power Switch simulator: the legacy CGI interface (HTTP Basic and the
//! challenge login with its `DLILPC` cookie, `/outlet?N=ON|OFF|CCL`, `index.htm` with the
//! `<!-- state=XX -->` bitmap and the 5-column outlet table) and the REST API (HTTP Digest with
//! qop=auth, `X-CSRF` on writes, 0-based outlets, `all;`, `state`, `physical_state`, `cycle`),
//! with fault injection. `powerplug simulate dli` runs it; the tests start it in-process.

mod auth;

mod legacy;
mod rest;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use crate::http;
use crate::server::{self, Server};
use crate::SimError;

/// Arguments of `powerplug simulate dli`.
#[derive(Debug, Clone, clap::Args)]
pub struct DliArgs {
    /// Address to listen on.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
    /// TCP port (0 picks a free one and prints it).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Number of outlets.
    #[arg(long, default_value_t = 8)]
    pub outlets: u8,
    /// The admin user name.
    #[arg(long, default_value = "admin")]
    pub user: String,
    /// The admin password (a test credential; real switches ship with 1234).
    #[arg(long, default_value = "1234", env = "POWERPLUG_SIM_DLI_PASSWORD")]
    pub password: String,
    /// Serve the REST API (firmware 1.7+).
    #[arg(long)]
    pub rest: bool,
    /// Refuse HTTP Basic on the legacy interface (newer firmware): only the challenge login works.
    #[arg(long)]
    pub no_basic: bool,
    /// Delay of the CCL (cycle) action, in milliseconds.
    #[arg(long, default_value_t = 500)]
    pub cycle_ms: u64,
    /// Delay every answer by this many milliseconds (a slow switch; also `--latency`).
    #[arg(long, alias = "latency", default_value_t = 0)]
    pub delay_ms: u64,
    /// Serve one request at a time, as a real switch does: others wait for the connection.
    #[arg(long)]
    pub serial: bool,
    /// Run this many independent switches (ports --port, --port+1, …; with --port 0, free ports).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub switches: u16,
    /// Fault: answer every request with HTTP 500.
    #[arg(long)]
    pub fail_500: bool,
    /// Fault: close every connection without answering.
    #[arg(long)]
    pub drop: bool,
    /// Fault: answer every request with 401, whatever the credentials.
    #[arg(long)]
    pub always_401: bool,
    /// Fault: serve a status page without the state comment or outlet table.
    #[arg(long)]
    pub malformed: bool,
    /// Fault: accept outlet commands but never change state.
    #[arg(long)]
    pub stuck: bool,
    /// Behave like Python's http.server: keep connections alive and write headers and body in
    /// separate segments (clients that reuse connections then stall on delayed ACKs).
    #[arg(long)]
    pub split_writes: bool,
}

impl Default for DliArgs {
    fn default() -> Self {
        Self {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            outlets: 8,
            user: "admin".into(),
            password: "1234".into(),
            rest: false,
            no_basic: false,
            cycle_ms: 200,
            delay_ms: 0,
            fail_500: false,
            drop: false,
            always_401: false,
            malformed: false,
            stuck: false,
            split_writes: false,
            serial: false,
            switches: 1,
        }
    }
}

/// The switch's state, shared by the connection threads.
pub(crate) struct Switch {
    pub(crate) args: DliArgs,
    pub(crate) outlets: Vec<bool>,
    pub(crate) names: Vec<String>,
    pub(crate) challenge: String,
    pub(crate) sessions: Vec<String>,
    pub(crate) nonces: Vec<String>,
    pub(crate) log: Vec<String>,
    counter: u64,
    /// Requests being served now, the most ever served at once, and how many requests began
    /// while another was being served (a real switch serves one at a time).
    active: usize,
    max_active: usize,
    overlaps: usize,
    /// When each request was answered, from the simulator's start.
    times: Vec<(Duration, String)>,
    born: std::time::Instant,
}

impl Switch {
    /// A fresh random-looking token (challenges, cookies, nonces).
    pub(crate) fn token(&mut self) -> String {
        self.counter += 1;
        let seed = format!("{:?}{}{}", std::time::SystemTime::now(), self.counter, std::process::id());
        format!("{:x}", md5::compute(seed))[..16].to_owned()
    }

    /// Switches outlet `i` (0-based), honouring the `stuck` fault.
    pub(crate) fn set(&mut self, i: usize, on: bool) {
        if !self.args.stuck {
            self.outlets[i] = on;
        }
    }

    /// The `state=` bitmap: bit 0 is outlet 1.
    pub(crate) fn bitmap(&self) -> u32 {
        self.outlets.iter().enumerate().fold(0, |m, (i, on)| if *on { m | (1 << i) } else { m })
    }
}

pub(crate) type Shared = Arc<Mutex<Switch>>;

/// A running simulator; stops when dropped.
pub struct DliSim {
    server: Server,
    switch: Shared,
}

impl DliSim {
    /// Starts a simulator with `args` (port 0 picks a free port).
    pub fn start(args: DliArgs) -> Result<Self, SimError> {
        let (bind, port) = (args.bind, args.port);
        let n = usize::from(args.outlets);
        let switch = Arc::new(Mutex::new(Switch {
            args,
            outlets: vec![false; n],
            names: (1..=n).map(|i| format!("Outlet {i}")).collect(),
            challenge: String::new(),
            sessions: Vec::new(),
            nonces: Vec::new(),
            log: Vec::new(),
            counter: 0,
            active: 0,
            max_active: 0,
            overlaps: 0,
            times: Vec::new(),
            born: std::time::Instant::now(),
        }));
        let gate = Arc::new(Mutex::new(()));
        let sw = Arc::clone(&switch);
        let server = Server::start(bind, port, move |conn| serve(&sw, &gate, conn))?;
        Ok(Self { server, switch })
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// Outlet states, outlet 1 first.
    pub fn outlets(&self) -> Vec<bool> {
        self.switch.lock().map(|s| s.outlets.clone()).unwrap_or_default()
    }

    /// Sets outlet `n` (1-based) directly.
    pub fn set_outlet(&self, n: usize, on: bool) {
        if let Ok(mut s) = self.switch.lock() {
            s.outlets[n - 1] = on;
        }
    }

    /// Every request with the time it was answered, from the simulator's start.
    pub fn timed_requests(&self) -> Vec<(Duration, String)> {
        self.switch.lock().map(|s| s.times.clone()).unwrap_or_default()
    }

    /// How many requests began while another was being served, and the most served at once.
    pub fn overlaps(&self) -> (usize, usize) {
        self.switch.lock().map(|s| (s.overlaps, s.max_active)).unwrap_or_default()
    }

    /// One line per request served: `METHOD path?query (auth)`.
    pub fn requests(&self) -> Vec<String> {
        self.switch.lock().map(|s| s.log.clone()).unwrap_or_default()
    }
}

fn serve(sw: &Shared, gate: &Mutex<()>, conn: std::net::TcpStream) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let Ok(clone) = conn.try_clone() else { return };
    let mut reader = std::io::BufReader::new(clone);
    while let Some(req) = http::read_request(&mut reader) {
        if !serve_one(sw, gate, &conn, &req) {
            return;
        }
    }
}

/// Serves one request; whether the connection stays open for another. A request that arrives
/// while another is being served counts as an overlap (a real switch would have mixed them up
/// or dropped one); with `--serial` it then waits its turn.
fn serve_one(sw: &Shared, gate: &Mutex<()>, conn: &std::net::TcpStream, req: &http::Request) -> bool {
    let args = match sw.lock() {
        Ok(mut s) => {
            s.active += 1;
            s.max_active = s.max_active.max(s.active);
            if s.active > 1 {
                s.overlaps += 1;
            }
            s.args.clone()
        }
        Err(_) => return false,
    };
    let turn = args.serial.then(|| gate.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
    let resp = answer(sw, req, &args);
    drop(turn);
    // Served once the answer is ready: the client may send its next request as soon as it reads it.
    if let Ok(mut s) = sw.lock() {
        s.active -= 1;
    }
    match resp {
        Some(resp) => {
            http::write_response(conn, &resp, args.split_writes);
            args.split_writes
        }
        None => false,
    }
}

fn answer(sw: &Shared, req: &http::Request, args: &DliArgs) -> Option<http::Response> {
    if server::delay_or_drop(args.delay_ms, args.drop) {
        return None;
    }
    let resp = if args.fail_500 {
        http::Response::html("<html><body>Internal error</body></html>").header("X-Fault", "500")
    } else if req.path.starts_with("/restapi") {
        rest::handle(sw, req)
    } else {
        legacy::handle(sw, req)
    };
    let resp = if args.fail_500 { http::Response { status: 500, ..resp } } else { resp };
    if let Ok(mut s) = sw.lock() {
        let q = if req.query.is_empty() { String::new() } else { format!("?{}", req.query) };
        let line = format!("{} {}{q} -> {}", req.method, req.path, resp.status);
        let at = s.born.elapsed();
        s.times.push((at, line.clone()));
        s.log.push(line);
    }
    Some(resp)
}

/// Runs the simulator for `powerplug simulate dli` until interrupted.
pub fn run(args: &DliArgs, events: &mut dyn FnMut(&str)) -> Result<(), SimError> {
    if args.switches > 1 {
        return run_many(args, events);
    }
    let sim = DliSim::start(args.clone())?;
    let banner = format!(
        "DLI web power switch simulator on http://{} ({} outlets, user {}, legacy interface{}{})",
        sim.addr(),
        args.outlets,
        args.user,
        if args.no_basic { " with challenge login only" } else { " with Basic and challenge login" },
        if args.rest { ", REST API with digest authentication" } else { "" }
    );
    server::follow(&banner, || sim.requests(), events)
}

/// `--switches N`: N independent switches in this process; prints one address per line, then
/// every second a line with the requests served and the overlaps seen (both should stay 0 for
/// a client that orders its calls per switch).
fn run_many(args: &DliArgs, events: &mut dyn FnMut(&str)) -> Result<(), SimError> {
    let mut sims = Vec::new();
    for i in 0..args.switches {
        let port = if args.port == 0 {
            0
        } else {
            args.port
                .checked_add(i)
                .ok_or_else(|| SimError::io("--port + --switches", std::io::Error::other("the ports run past 65535")))?
        };
        let sim = DliSim::start(DliArgs { port, switches: 1, ..args.clone() })?;
        events(&format!("switch {i} http://{}", sim.addr()));
        sims.push(sim);
    }
    events(&format!(
        "{} DLI switches, {} outlets each, {} ms per request{}",
        sims.len(),
        args.outlets,
        args.delay_ms,
        if args.serial { ", one request at a time each" } else { "" }
    ));
    let mut last = (usize::MAX, usize::MAX);
    loop {
        thread::sleep(Duration::from_secs(1));
        let served: usize = sims.iter().map(|s| s.requests().len()).sum();
        let overlaps: usize = sims.iter().map(|s| s.overlaps().0).sum();
        if (served, overlaps) != last {
            events(&format!("served {served} requests, {overlaps} overlapping"));
            last = (served, overlaps);
        }
    }
}
