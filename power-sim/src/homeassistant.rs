//! Home Assistant's REST API, the part a power driver uses: `GET /api/` (`API running.`),
//! `GET /api/states/<entity_id>` (`state` on, off or unavailable; 404 for an unknown entity),
//! `POST /api/services/<domain>/turn_on|turn_off|toggle` with `{"entity_id": …}` (the changed
//! states as a list), every call authenticated with `Authorization: Bearer <token>` (401 with
//! `401: Unauthorized` otherwise). Entities are given on the command line; fault injection as in
//! the DLI simulator.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::sync::{Arc, Mutex};

use crate::http::{self, Request, Response};
use crate::server::{self, Server};
use crate::SimError;

/// Arguments of `powerplug simulate homeassistant`.
#[derive(Debug, Clone, clap::Args)]
pub struct HomeAssistantArgs {
    /// Address to listen on.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
    /// TCP port (0 picks a free one and prints it).
    #[arg(long, default_value_t = 8123)]
    pub port: u16,
    /// The long-lived access token clients must send.
    #[arg(long, default_value = "sim-token-0123456789", env = "POWERPLUG_SIM_HA_TOKEN")]
    pub token: String,
    /// An entity (repeatable): `switch.x`, `light.x`, `input_boolean.x`…
    #[arg(long = "entity", default_values_t = ["switch.rack_pc".to_owned()])]
    pub entities: Vec<String>,
    /// An entity that exists but is `unavailable` (repeatable).
    #[arg(long = "unavailable")]
    pub unavailable: Vec<String>,
    /// Fault: delay every answer by this many milliseconds.
    #[arg(long, default_value_t = 0)]
    pub delay_ms: u64,
    /// Fault: answer every request with HTTP 500.
    #[arg(long)]
    pub fail_500: bool,
    /// Fault: close every connection without answering.
    #[arg(long)]
    pub drop: bool,
}

impl Default for HomeAssistantArgs {
    fn default() -> Self {
        Self {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            token: "sim-token-0123456789".into(),
            entities: vec!["switch.rack_pc".into()],
            unavailable: Vec::new(),
            delay_ms: 0,
            fail_500: false,
            drop: false,
        }
    }
}

struct Hub {
    args: HomeAssistantArgs,
    states: BTreeMap<String, String>,
    log: Vec<String>,
}

/// A running simulator; stops when dropped.
pub struct HomeAssistantSim {
    server: Server,
    hub: Arc<Mutex<Hub>>,
}

impl HomeAssistantSim {
    /// Starts a simulator with `args` (port 0 picks a free port).
    pub fn start(args: HomeAssistantArgs) -> Result<Self, SimError> {
        let (bind, port) = (args.bind, args.port);
        let mut states: BTreeMap<String, String> =
            args.entities.iter().map(|e| (e.clone(), "off".to_owned())).collect();
        states.extend(args.unavailable.iter().map(|e| (e.clone(), "unavailable".to_owned())));
        let hub = Arc::new(Mutex::new(Hub { args, states, log: Vec::new() }));
        let h = Arc::clone(&hub);
        let server = Server::start(bind, port, move |conn| serve(&h, conn))?;
        Ok(Self { server, hub })
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// An entity's state (`on`, `off`, `unavailable`), if it exists.
    pub fn state(&self, entity: &str) -> Option<String> {
        self.hub.lock().ok().and_then(|h| h.states.get(entity).cloned())
    }

    /// One line per request.
    pub fn requests(&self) -> Vec<String> {
        self.hub.lock().map(|h| h.log.clone()).unwrap_or_default()
    }
}

fn serve(hub: &Mutex<Hub>, conn: TcpStream) {
    http::serve_once(conn, |req| {
        let args = hub.lock().ok()?.args.clone();
        if server::delay_or_drop(args.delay_ms, args.drop) {
            return None;
        }
        let resp = if args.fail_500 {
            Response::new(500, "text/plain", "500 Internal Server Error")
        } else {
            answer(hub, req)
        };
        if let Ok(mut h) = hub.lock() {
            h.log.push(format!("{} {} -> {}", req.method, req.path, resp.status));
        }
        Some(resp)
    });
}

fn state_json(entity: &str, state: &str) -> String {
    format!(
        r#"{{"entity_id":"{entity}","state":"{state}","attributes":{{"friendly_name":"{entity}"}},"last_changed":"2026-12-01T12:00:00+00:00"}}"#
    )
}

fn answer(hub: &Mutex<Hub>, req: &Request) -> Response {
    let Ok(mut h) = hub.lock() else { return Response::new(500, "text/plain", "poisoned") };
    let want = format!("Bearer {}", h.args.token);
    if req.header("Authorization") != Some(want.as_str()) {
        return Response::new(401, "text/plain", "401: Unauthorized");
    }
    if req.path == "/api/" && req.method == "GET" {
        return Response::json(r#"{"message":"API running."}"#);
    }
    if let Some(entity) = req.path.strip_prefix("/api/states/") {
        return match h.states.get(entity) {
            Some(s) if req.method == "GET" => Response::json(state_json(entity, s)),
            Some(_) => Response::new(405, "text/plain", "405: Method Not Allowed"),
            None => Response::new(404, "application/json", r#"{"message":"Entity not found."}"#),
        };
    }
    let Some(rest) = req.path.strip_prefix("/api/services/") else {
        return Response::new(404, "text/plain", "404: Not Found");
    };
    if req.method != "POST" {
        return Response::new(405, "text/plain", "405: Method Not Allowed");
    }
    let (domain, service) = rest.split_once('/').unwrap_or((rest, ""));
    let body: serde_json::Value = match serde_json::from_str(&req.body) {
        Ok(v) => v,
        Err(_) => return Response::new(400, "application/json", r#"{"message":"Data should be valid JSON."}"#),
    };
    let entity = body.get("entity_id").and_then(|e| e.as_str()).unwrap_or_default().to_owned();
    let new = match service {
        "turn_on" => "on",
        "turn_off" => "off",
        "toggle" => match h.states.get(&entity).map(String::as_str) {
            Some("on") => "off",
            _ => "on",
        },
        _ => return Response::new(400, "application/json", r#"{"message":"Service not found."}"#),
    };
    // Home Assistant answers 200 with the states that changed; an entity of another domain, an
    // unknown or an unavailable one changes nothing.
    if !entity.starts_with(&format!("{domain}.")) {
        return Response::json("[]");
    }
    match h.states.get_mut(&entity) {
        Some(s) if s != "unavailable" => {
            *s = new.to_owned();
            Response::json(format!("[{}]", state_json(&entity, new)))
        }
        _ => Response::json("[]"),
    }
}

/// Runs the simulator for `powerplug simulate homeassistant` until interrupted.
pub fn run(args: &HomeAssistantArgs, events: &mut dyn FnMut(&str)) -> Result<(), SimError> {
    let sim = HomeAssistantSim::start(args.clone())?;
    let banner = format!(
        "Home Assistant REST simulator on http://{} (entities: {}; token from --token)",
        sim.addr(),
        args.entities.iter().chain(&args.unavailable).cloned().collect::<Vec<_>>().join(", ")
    );
    server::follow(&banner, || sim.requests(), events)
}
