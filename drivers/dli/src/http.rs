//! The HTTP client the DLI driver uses: one blocking reqwest client per opened switch (timeouts,
//! no redirects followed, TLS verification or a CA file), with transport errors mapped to the
//! driver's error kinds. Credentials never go into URLs, so no URL carries a secret.

use std::collections::HashMap;
use std::io::Read;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use plugin_sdk::DriverError;
use reqwest::blocking::{Client, RequestBuilder, Response};

/// A reply: status, headers we need, body.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) www_authenticate: Option<String>,
    pub(crate) set_cookie: Vec<String>,
    pub(crate) body: String,
}

/// The largest reply body read: status pages are a few KB, so anything this big is not a switch
/// answering normally, and reading it whole would cost the host its memory.
pub(crate) const MAX_BODY: u64 = 256 * 1024;

/// TLS and timing options.
pub(crate) struct HttpConfig {
    pub(crate) timeout: Duration,
    pub(crate) verify_tls: bool,
    pub(crate) ca_file: Option<String>,
}

/// The client for `cfg`: one per distinct configuration in the process, shared by every opened
/// switch (a blocking client runs its own thread; a fleet run opens hundreds of switches).
pub(crate) fn client(cfg: &HttpConfig) -> Result<Client, DriverError> {
    type Key = (Duration, bool, Option<String>);
    static CLIENTS: OnceLock<Mutex<HashMap<Key, Client>>> = OnceLock::new();
    let key = (cfg.timeout, cfg.verify_tls, cfg.ca_file.clone());
    let cache = CLIENTS.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(c) = cache.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return Ok(c);
    }
    let c = build(cfg)?;
    if let Ok(mut m) = cache.lock() {
        m.insert(key, c.clone());
    }
    Ok(c)
}

fn build(cfg: &HttpConfig) -> Result<Client, DriverError> {
    let mut b = Client::builder()
        .timeout(cfg.timeout)
        .connect_timeout(cfg.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .danger_accept_invalid_certs(!cfg.verify_tls)
        .user_agent(concat!("powerplug-dli/", env!("CARGO_PKG_VERSION")))
        // A fresh connection per request, as wget does: an embedded server that writes headers
        // and body in separate segments otherwise stalls every reused connection ~40 ms (its
        // Nagle against our delayed ACK).
        .pool_max_idle_per_host(0)
        .tcp_nodelay(true);
    if let Some(path) = &cfg.ca_file {
        let pem = std::fs::read(path)
            .map_err(|e| DriverError::invalid_parameter(format!("cannot read `ca_file` {path}: {e}")))?;
        let cert = reqwest::Certificate::from_pem(&pem)
            .map_err(|e| DriverError::invalid_parameter(format!("`ca_file` {path} is not a PEM certificate: {e}")))?;
        b = b.add_root_certificate(cert);
    }
    b.build().map_err(|e| DriverError::device(format!("cannot set up the HTTP client: {e}")))
}

/// Sends `req`, mapping transport failures (`what` names the switch).
pub(crate) fn send(req: RequestBuilder, what: &str, timeout: Duration) -> Result<Reply, DriverError> {
    plugin_sdk::deadline::check(&format!("a request to {what}"))?;
    let by_deadline = plugin_sdk::deadline::capped(timeout);
    let timeout = plugin_sdk::deadline::cap(timeout);
    let late = move || match (by_deadline, plugin_sdk::deadline::budget()) {
        (true, Some(b)) => format!("before the action's {:.1} s deadline ran out", b.as_secs_f64()),
        _ => format!("within {} ms", timeout.as_millis()),
    };
    let resp: Response = req.timeout(timeout).send().map_err(|e| {
        let cause = root_cause(&e);
        if e.is_timeout() {
            DriverError::unreachable(format!("{what} did not answer {}", late()))
        } else if e.is_connect() {
            DriverError::unreachable(format!("could not connect to {what}: {cause}"))
        } else if is_cut_off(&cause) {
            DriverError::unreachable(format!("{what} broke off the exchange: {cause}"))
        } else {
            // It answered, but not in HTTP we can read (garbage, HTTP/0.9, oversized headers).
            DriverError::device(format!("{what} answered something that is not a usable HTTP reply: {cause}"))
        }
    })?;
    let status = resp.status().as_u16();
    let header = |n: &str| resp.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let www_authenticate = header("www-authenticate");
    let set_cookie =
        resp.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).map(str::to_owned).collect();
    let mut raw = Vec::new();
    resp.take(MAX_BODY + 1).read_to_end(&mut raw).map_err(|e| {
        if e.kind() == std::io::ErrorKind::TimedOut || root_cause(&e).contains("timed out") {
            DriverError::unreachable(format!("{what} did not finish its answer {}", late()))
        } else {
            DriverError::unreachable(format!("{what} broke off its answer: {}", root_cause(&e)))
        }
    })?;
    if raw.len() as u64 > MAX_BODY {
        return Err(DriverError::device(format!(
            "{what} sent a reply larger than {} KiB (a status page is a few KB); not read further",
            MAX_BODY / 1024
        )));
    }
    let body = String::from_utf8_lossy(&raw).into_owned();
    Ok(Reply { status, www_authenticate, set_cookie, body })
}

/// Whether a transport error means the connection was cut rather than garbled.
fn is_cut_off(cause: &str) -> bool {
    let c = cause.to_ascii_lowercase();
    ["closed", "reset", "broken pipe", "incomplete", "unexpected eof", "aborted"].iter().any(|w| c.contains(w))
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}
