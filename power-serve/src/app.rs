//! The bridge's state and its one request handler: routing, authentication, method rules,
//! node lookup, the call through the scheduler, and the mapping of every outcome to an HTTP
//! status and a JSON answer whose `status` field MAAS's default regexes read. `status` is
//! always the last field, so no other value (a node called `running1`) can satisfy the wrong
//! regex.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, ALLOW, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use hyper::http::request::Parts;
use hyper::{Method, Request, Response, StatusCode};
use power_core::{CallOutcome, DriverErrorKind, PowerAction, PowerState};
use power_host::fleet;
use power_host::inventory::{Inventory, Node};
use power_host::redact::{redact, register_secret};
use power_host::registry::Registry;
use power_host::scheduler::{CallError, Scheduler};
use power_host::worker::pool::WorkerPool;
use serde::Serialize;

use crate::auth::{Credentials, Verdict};
use crate::metrics::Metrics;
use crate::ServeOptions;

/// What a reload replaces: the inventory and the credentials.
pub(crate) struct Loaded {
    pub(crate) inventory: Inventory,
    pub(crate) creds: Credentials,
}

/// Everything a request needs.
pub(crate) struct App {
    pub(crate) registry: Registry,
    pub(crate) loaded: RwLock<Arc<Loaded>>,
    pub(crate) scheduler: Arc<Scheduler>,
    pub(crate) pool: Arc<WorkerPool>,
    pub(crate) metrics: Metrics,
    /// What `serve` was started with (files re-read on reload, deadlines, auth mode).
    pub(crate) opts: ServeOptions,
    assumed: Arc<Mutex<HashMap<String, PowerState>>>,
}

type Resp = Response<Full<Bytes>>;

/// What the request log line and the metrics record.
struct Outcome {
    node: String,
    action: &'static str,
    outcome: &'static str,
}

#[derive(Serialize)]
struct ActionAnswer<'a> {
    node: &'a str,
    action: &'a str,
    ms: u128,
    status: &'a str,
}

#[derive(Serialize)]
struct StatusAnswer<'a> {
    node: &'a str,
    state: &'a str,
    assumed: bool,
    ms: u128,
    status: &'a str,
}

#[derive(Serialize)]
struct ErrorAnswer<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    node: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    action: Option<&'a str>,
    error: &'a str,
    message: String,
}

impl App {
    pub(crate) fn new(registry: Registry, loaded: Loaded, pool: Arc<WorkerPool>, opts: ServeOptions) -> Self {
        let exec: Arc<dyn power_host::scheduler::Executor> = pool.clone();
        Self {
            registry,
            loaded: RwLock::new(Arc::new(loaded)),
            scheduler: Arc::new(Scheduler::new(exec).abandon_stuck_after(opts.kill_stuck_after)),
            pool,
            metrics: Metrics::default(),
            opts,
            assumed: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Reads the inventory and credentials; registers their secrets.
    pub(crate) fn load(&self) -> Result<Loaded, String> {
        load_state(&self.registry, &self.opts)
    }

    /// SIGHUP: a new inventory and credentials, or the old ones kept when the new are broken.
    pub(crate) fn reload(&self) {
        match self.load() {
            Ok(l) => {
                let nodes = l.inventory.nodes.len();
                if let Ok(mut cur) = self.loaded.write() {
                    *cur = Arc::new(l);
                }
                self.metrics.reloads_ok.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tracing::info!(nodes, "reloaded the inventory and credentials");
            }
            Err(e) => {
                self.metrics.reloads_failed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tracing::error!("reload failed, the previous inventory stays in service: {}", redact(&e));
            }
        }
    }

    fn current(&self) -> Arc<Loaded> {
        self.loaded.read().map(|l| Arc::clone(&l)).unwrap_or_else(|e| Arc::clone(&e.into_inner()))
    }

    /// Handles one request and logs it.
    pub(crate) async fn handle(self: Arc<Self>, req: Request<Incoming>) -> Result<Resp, std::convert::Infallible> {
        let started = Instant::now();
        let method = req.method().clone();
        let path = printable(req.uri().path());
        let (parts, body) = req.into_parts();
        let (resp, o) = self.route(&parts, body, started).await;
        self.metrics.request(if o.node.is_empty() { "-" } else { &o.node }, o.action, o.outcome);
        tracing::info!(
            target: "powerplug::serve",
            method = %method,
            path = %path,
            node = %o.node,
            action = o.action,
            outcome = o.outcome,
            status = resp.status().as_u16(),
            ms = started.elapsed().as_millis() as u64,
            "request"
        );
        Ok(resp)
    }

    async fn route(&self, req: &Parts, body: Incoming, started: Instant) -> (Resp, Outcome) {
        let path = req.uri.path();
        let trimmed = if path.len() > 1 { path.strip_suffix('/').unwrap_or(path) } else { path };
        let none = |outcome| Outcome { node: String::new(), action: "-", outcome };
        let parts: Vec<&str> = trimmed.split('/').collect();
        match parts.as_slice() {
            ["", "healthz"] => match req.method {
                Method::GET | Method::HEAD => (text(StatusCode::OK, "ok\n"), none("ok")),
                _ => (method_not_allowed("GET", None, None), none("method_not_allowed")),
            },
            ["", "metrics"] => {
                if let Some(r) = self.deny(req) {
                    return (r, none("unauthorized"));
                }
                if req.method != Method::GET {
                    return (method_not_allowed("GET", None, None), none("method_not_allowed"));
                }
                let (starts, deaths) = self.pool.counts();
                let body = self.metrics.render(self.scheduler.stats(), starts, deaths);
                let mut r = text(StatusCode::OK, &body);
                r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4"));
                (r, none("ok"))
            }
            ["", "v1", "nodes", node, action] => {
                let Some(action) = ["on", "off", "cycle", "status"].into_iter().find(|a| a == action) else {
                    return (not_found("no such URL; nodes have /on, /off, /cycle and /status"), none("not_found"));
                };
                let o = |node: &str, outcome| Outcome { node: node.to_owned(), action, outcome };
                if let Some(r) = self.deny(req) {
                    return (r, o("", "unauthorized"));
                }
                let wanted = if action == "status" { "GET" } else { "POST" };
                let allowed = match wanted {
                    "GET" => matches!(req.method, Method::GET | Method::HEAD),
                    _ => req.method == Method::POST,
                };
                if !allowed {
                    return (method_not_allowed(wanted, Some(node), Some(action)), o("", "method_not_allowed"));
                }
                let loaded = self.current();
                let Some(n) = loaded.inventory.nodes.get(*node) else {
                    let msg = format!("no node `{}` in the inventory", printable(node));
                    return (error(StatusCode::NOT_FOUND, None, Some(action), "unknown node", msg), o("", "not_found"));
                };
                let (resp, outcome) = self.node_call(n, action, started).await;
                (resp, o(&n.name, outcome))
            }
            ["", "v1", "fleet", action] => {
                let Some(action) = ["on", "off", "cycle", "status"].into_iter().find(|a| a == action) else {
                    return (not_found("no such URL; the fleet has /on, /off, /cycle and /status"), none("not_found"));
                };
                let o = |outcome| Outcome { node: String::new(), action, outcome };
                if let Some(r) = self.deny(req) {
                    return (r, o("unauthorized"));
                }
                if req.method != Method::POST {
                    return (method_not_allowed("POST", None, Some(action)), o("method_not_allowed"));
                }
                self.fleet_call(body, action).await
            }
            _ => (not_found("no such URL; see /v1/nodes/NODE/on|off|cycle|status"), none("not_found")),
        }
    }

    fn deny(&self, req: &Parts) -> Option<Resp> {
        if self.opts.no_auth {
            return None;
        }
        let header = req.headers.get(AUTHORIZATION).map(HeaderValue::as_bytes);
        match self.current().creds.check(header) {
            Verdict::Allowed(_) => None,
            Verdict::Denied => {
                let msg =
                    if header.is_some() { "wrong credentials" } else { "credentials required (Bearer token or Basic)" };
                let mut r = error(StatusCode::UNAUTHORIZED, None, None, "unauthorized", msg.to_owned());
                r.headers_mut().append(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"powerplug\""));
                r.headers_mut().append(WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"powerplug\""));
                Some(r)
            }
        }
    }

    /// `POST /v1/fleet/{action}` with `{"nodes": [...]}`, `{"tag": "..."}` or `{"all": true}`.
    async fn fleet_call(&self, body: Incoming, action: &'static str) -> (Resp, Outcome) {
        let o = |outcome| Outcome { node: String::new(), action, outcome };
        let bad =
            |msg: String| (error(StatusCode::BAD_REQUEST, None, Some(action), "bad request", msg), o("bad_request"));
        let bytes = match Limited::new(body, MAX_FLEET_BODY).collect().await {
            Ok(b) => b.to_bytes(),
            Err(_) => return bad(format!("the body must be JSON of at most {MAX_FLEET_BODY} bytes")),
        };
        let req: FleetRequest = match serde_json::from_slice(&bytes) {
            Ok(r) => r,
            Err(e) => {
                return bad(format!("expected {{\"nodes\": [...]}}, {{\"tag\": \"...\"}} or {{\"all\": true}}: {e}"))
            }
        };
        let sel = match (req.nodes, req.tag, req.all) {
            (Some(n), None, false) if !n.is_empty() => fleet::Selection::Nodes(n),
            (None, Some(t), false) => fleet::Selection::Tag(t),
            (None, None, true) => fleet::Selection::All,
            _ => return bad("give exactly one of `nodes` (a non-empty list), `tag` or `all: true`".into()),
        };
        let loaded = self.current();
        let nodes = match fleet::select(&loaded.inventory, &sel) {
            Ok(n) => n,
            Err(e) => return (error(StatusCode::NOT_FOUND, None, Some(action), "unknown node", e), o("not_found")),
        };
        let targets: Vec<fleet::Target> = nodes
            .iter()
            .filter_map(|n| {
                self.registry.driver(&n.driver).map(|e| fleet::Target {
                    node: (*n).clone(),
                    info: e.info.clone(),
                    plugin: e.path().to_path_buf(),
                })
            })
            .collect();
        let act = action_of(action);
        let opts = fleet::FleetOptions { deadline: self.opts.call_timeout, stagger: Duration::ZERO };
        let assumed = Arc::clone(&self.assumed);
        let lookup = Arc::new(move |n: &str| assumed.lock().ok().and_then(|m| m.get(n).copied()));
        let results = fleet::run(Arc::clone(&self.scheduler), targets, act, opts, lookup, Arc::new(|_| {})).await;
        if act != PowerAction::Query {
            if let Ok(mut m) = self.assumed.lock() {
                for r in results.iter().filter(|r| r.exit_code == 0) {
                    m.insert(r.node.clone(), if act == PowerAction::Off { PowerState::Off } else { PowerState::On });
                }
            }
        }
        let failed = results.iter().filter(|r| r.exit_code != 0).count();
        let body =
            serde_json::json!({ "action": action, "nodes": results.len(), "failed": failed, "results": results });
        (json_resp(StatusCode::OK, &body), o(if failed == 0 { "ok" } else { "some_failed" }))
    }

    async fn node_call(&self, node: &Node, action: &'static str, started: Instant) -> (Resp, &'static str) {
        let Some(entry) = self.registry.driver(&node.driver) else {
            let msg = format!("driver `{}` of node `{}` is not loaded", node.driver, node.name);
            return (
                error(StatusCode::INTERNAL_SERVER_ERROR, Some(&node.name), Some(action), "driver missing", msg),
                "error",
            );
        };
        let info = entry.info;
        let act = action_of(action);
        if act == PowerAction::Query && (!info.query_is_real || !info.supports(act)) {
            let state =
                self.assumed.lock().ok().and_then(|m| m.get(&node.name).copied()).unwrap_or(PowerState::Unknown);
            return (status_answer(&node.name, state, true, started), "ok");
        }
        if !info.supports(act) {
            let msg = redact(&info.refusal(act));
            return (
                error(StatusCode::NOT_IMPLEMENTED, Some(&node.name), Some(action), "unsupported action", msg),
                "unsupported",
            );
        }
        let deadline = node.call_timeout.unwrap_or(self.opts.call_timeout);
        let spec = fleet::call_spec(node, entry.path().to_path_buf(), act, deadline, deadline);
        match self.scheduler.run(spec).await {
            Ok(json) => {
                let outcome: Option<CallOutcome> = serde_json::from_str(&json).ok();
                let Some(outcome) = outcome else {
                    let msg = format!("driver `{}` answered malformed JSON", node.driver);
                    return (
                        error(StatusCode::INTERNAL_SERVER_ERROR, Some(&node.name), Some(action), "plugin fault", msg),
                        "plugin_fault",
                    );
                };
                if act == PowerAction::Query {
                    let state = outcome.state.unwrap_or(PowerState::Unknown);
                    return (status_answer(&node.name, state, false, started), "ok");
                }
                let state = if act == PowerAction::Off { PowerState::Off } else { PowerState::On };
                if let Ok(mut m) = self.assumed.lock() {
                    m.insert(node.name.clone(), state);
                }
                let status = if state == PowerState::On { "running" } else { "stopped" };
                let body = ActionAnswer { node: &node.name, action, ms: started.elapsed().as_millis(), status };
                (json_resp(StatusCode::OK, &body), "ok")
            }
            Err(e) => {
                let (code, word, outcome) = match &e {
                    CallError::Driver(d) => match d.kind() {
                        DriverErrorKind::Unreachable => {
                            (StatusCode::GATEWAY_TIMEOUT, d.kind().describe(), "unreachable")
                        }
                        DriverErrorKind::Device | DriverErrorKind::Authentication => {
                            (StatusCode::BAD_GATEWAY, d.kind().describe(), "device_error")
                        }
                        DriverErrorKind::UnsupportedAction => {
                            (StatusCode::NOT_IMPLEMENTED, d.kind().describe(), "unsupported")
                        }
                        DriverErrorKind::PluginFault => {
                            (StatusCode::INTERNAL_SERVER_ERROR, d.kind().describe(), "plugin_fault")
                        }
                        _ => (StatusCode::INTERNAL_SERVER_ERROR, d.kind().describe(), "error"),
                    },
                    CallError::Timeout { .. } => (StatusCode::GATEWAY_TIMEOUT, "device timeout", "timeout"),
                    CallError::Busy { .. } | CallError::QueueFull(_) | CallError::QueueTimeout(_) => {
                        (StatusCode::SERVICE_UNAVAILABLE, "device busy", "busy")
                    }
                };
                let detail = match &e {
                    CallError::Driver(d) => d.message().to_owned(),
                    other => other.to_string(),
                };
                let msg =
                    format!("node `{}` (driver `{}`): {action}: {}", node.name, node.driver, excerpt(&redact(&detail)));
                let mut r = error(code, Some(&node.name), Some(action), word, msg);
                if code == StatusCode::SERVICE_UNAVAILABLE {
                    r.headers_mut().insert(RETRY_AFTER, HeaderValue::from_static("5"));
                }
                (r, outcome)
            }
        }
    }
}

/// Loads the inventory against `registry` and the credentials; registers every secret.
pub(crate) fn load_state(registry: &Registry, opts: &ServeOptions) -> Result<Loaded, String> {
    let inventory = Inventory::load(&opts.inventory, |d| registry.driver(d).map(|e| e.info), |v| std::env::var(v).ok())
        .map_err(|e| e.to_string())?;
    let creds = Credentials::load(opts.token_file.as_deref(), opts.basic_file.as_deref(), opts.env_token.as_deref())?;
    if creds.is_empty() && !opts.no_auth {
        return Err("no credentials configured: give --token-file, --basic-file or POWERPLUG_SERVE_TOKEN (or --no-auth on a loopback address)".into());
    }
    for s in inventory.secrets() {
        register_secret(s);
    }
    for s in creds.secrets() {
        register_secret(&s);
    }
    Ok(Loaded { inventory, creds })
}

fn action_of(action: &str) -> PowerAction {
    match action {
        "on" => PowerAction::On,
        "off" => PowerAction::Off,
        "cycle" => PowerAction::Cycle,
        _ => PowerAction::Query,
    }
}

/// The largest `POST /v1/fleet/...` body read.
const MAX_FLEET_BODY: usize = 64 * 1024;

/// A fleet request body.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FleetRequest {
    #[serde(default)]
    nodes: Option<Vec<String>>,
    #[serde(default)]
    tag: Option<String>,
    #[serde(default)]
    all: bool,
}

fn status_answer(node: &str, state: PowerState, assumed: bool, started: Instant) -> Resp {
    let status = match state {
        PowerState::On => "running",
        PowerState::Off => "stopped",
        _ => "unknown",
    };
    json_resp(
        StatusCode::OK,
        &StatusAnswer { node, state: state.as_str(), assumed, ms: started.elapsed().as_millis(), status },
    )
}

fn json_resp<T: Serialize>(code: StatusCode, body: &T) -> Resp {
    let mut text = serde_json::to_string(body).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    let mut r = Response::new(Full::new(Bytes::from(text)));
    *r.status_mut() = code;
    r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

fn text(code: StatusCode, body: &str) -> Resp {
    let mut r = Response::new(Full::new(Bytes::from(body.to_owned())));
    *r.status_mut() = code;
    r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    r
}

fn error(code: StatusCode, node: Option<&str>, action: Option<&str>, error: &str, message: String) -> Resp {
    json_resp(code, &ErrorAnswer { node, action, error, message })
}

fn not_found(message: &str) -> Resp {
    error(StatusCode::NOT_FOUND, None, None, "not found", message.to_owned())
}

fn method_not_allowed(allow: &'static str, node: Option<&str>, action: Option<&str>) -> Resp {
    let msg = match action {
        Some("status") | None => format!("use {allow}"),
        Some(a) => format!("`{a}` switches power and takes POST only; a GET never switches anything"),
    };
    let node = node.map(printable);
    let mut r = error(StatusCode::METHOD_NOT_ALLOWED, node.as_deref(), action, "method not allowed", msg);
    r.headers_mut().insert(ALLOW, HeaderValue::from_static(allow));
    r
}

/// At most 120 characters of request text, with anything unprintable as `?`.
fn printable(s: &str) -> String {
    s.chars().take(120).map(|c| if c.is_control() { '?' } else { c }).collect()
}

/// At most 400 characters of a message, control characters escaped.
fn excerpt(s: &str) -> String {
    let mut out: String = s
        .chars()
        .take(400)
        .flat_map(|c| if c.is_control() { c.escape_default().collect::<Vec<_>>() } else { vec![c] })
        .collect();
    if s.chars().count() > 400 {
        out.push('…');
    }
    out
}
