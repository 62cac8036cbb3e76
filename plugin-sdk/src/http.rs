//! The HTTP helper (feature `http`) for drivers of devices with a web API — smart plugs,
//! switches, Home Assistant. One [`HttpClient`] per device: requests bounded by the action's
//! deadline ([`crate::deadline`]) and by a reply-size cap, query strings encoded for you, Basic
//! or Digest authentication (MD5 and SHA-256, RFC 2617/7616, through the `digest_auth` crate),
//! TLS verification on by default (or off, or a CA file), no redirects followed, and requests
//! logged at debug level with every secret — the password, and query values given with
//! [`Query::secret`] — shown as `***` in every encoded form.

use std::io::Read;
use std::sync::Mutex;
use std::time::Duration;

use base64::Engine;
use power_core::{encoded_forms, DriverError, ParamKind, ParamSpec, Params, Secret};

/// How the device authenticates requests.
#[derive(Clone)]
pub enum Auth {
    /// No credentials.
    None,
    /// HTTP Basic.
    Basic {
        /// The user.
        user: String,
        /// The password.
        pass: Secret,
    },
    /// `Authorization: Bearer <token>` (e.g. a Home Assistant long-lived access token).
    Bearer(Secret),
    /// HTTP Digest (the device's challenge picks MD5 or SHA-256).
    Digest {
        /// The user.
        user: String,
        /// The password.
        pass: Secret,
    },
}

/// Transport options.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Each request's own limit (also capped by the action's deadline).
    pub timeout: Duration,
    /// Verify the device's TLS certificate (on by default).
    pub verify_tls: bool,
    /// A PEM CA certificate to trust for `https://` devices.
    pub ca_file: Option<String>,
    /// The largest reply body read; larger ones are a device error.
    pub max_body: u64,
}

impl HttpOptions {
    /// Options from the standard parameters [`timeout_param`], [`verify_tls_param`] and a
    /// `ca_file` text parameter, where the driver declares them (otherwise their defaults).
    pub fn from_params(params: &Params, default_timeout_ms: i64, max_body: u64) -> Self {
        Self {
            timeout: Duration::from_millis(params.integer("timeout_ms").unwrap_or(default_timeout_ms).unsigned_abs()),
            verify_tls: params.bool("verify_tls").unwrap_or(true),
            ca_file: params.text("ca_file").map(str::to_owned),
            max_body,
        }
    }
}

/// The standard `timeout_ms` parameter: each request's limit, 100 ms to 60 s.
pub fn timeout_param(default_ms: u32) -> ParamSpec {
    ParamSpec::new("timeout_ms", "Request timeout (ms)", ParamKind::integer(100, 60_000))
        .default_value(default_ms.to_string())
        .help("Each request's limit (the action's deadline also bounds it)")
}

/// The standard `verify_tls` parameter (on by default).
pub fn verify_tls_param() -> ParamSpec {
    ParamSpec::new("verify_tls", "Verify the TLS certificate", ParamKind::Boolean)
        .default_value("true")
        .help("For https:// addresses")
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self { timeout: Duration::from_secs(5), verify_tls: true, ca_file: None, max_body: 256 * 1024 }
    }
}

/// Query (or form) parameters; values given with [`Query::secret`] are never logged.
#[derive(Default, Clone)]
pub struct Query {
    pairs: Vec<(String, String, bool)>,
}

impl Query {
    /// An empty query.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `name=value`.
    #[must_use]
    pub fn pair(mut self, name: &str, value: &str) -> Self {
        self.pairs.push((name.to_owned(), value.to_owned(), false));
        self
    }

    /// Adds `name=secret` (logged as `name=***`).
    #[must_use]
    pub fn secret(mut self, name: &str, value: &Secret) -> Self {
        self.pairs.push((name.to_owned(), value.expose().to_owned(), true));
        self
    }

    fn encode(&self, masked: bool) -> String {
        self.pairs
            .iter()
            .map(|(k, v, secret)| {
                let v = if *secret && masked { "***".to_owned() } else { encoded_forms(v)[1].clone() };
                format!("{}={v}", encoded_forms(k)[1])
            })
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// A request body.
pub enum Body {
    /// `application/x-www-form-urlencoded`.
    Form(Query),
    /// `application/json` (the text is logged only as its length).
    Json(String),
}

/// A reply.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The headers.
    pub headers: Vec<(String, String)>,
    /// The body (lossily UTF-8, at most `max_body` bytes).
    pub body: String,
}

impl Reply {
    /// A header's value (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The body as JSON, or a device error naming `device` and `request` with an excerpt.
    pub fn json(&self, device: &str, request: &str) -> Result<serde_json::Value, DriverError> {
        serde_json::from_str(&self.body).map_err(|_| {
            DriverError::device(format!(
                "{device} answered {request} with something that is not JSON: \"{}\"",
                self.excerpt(80)
            ))
        })
    }

    /// At most `n` characters of the body, control characters escaped: for error messages.
    pub fn excerpt(&self, n: usize) -> String {
        let mut out: String = self
            .body
            .chars()
            .take(n)
            .flat_map(|c| if c.is_control() { c.escape_default().collect() } else { vec![c] })
            .collect();
        if self.body.chars().count() > n {
            out.push('…');
        }
        out
    }
}

/// An HTTP client for one device.
pub struct HttpClient {
    client: reqwest::blocking::Client,
    base: String,
    auth: Auth,
    opts: HttpOptions,
    challenge: Mutex<Option<digest_auth::WwwAuthenticateHeader>>,
}

impl HttpClient {
    /// A client for the device at `base` (`http://host[:port]` or `https://…`; a bare host means
    /// `http://`).
    pub fn new(base: &str, auth: Auth, opts: HttpOptions) -> Result<Self, DriverError> {
        let base = if base.contains("://") { base.trim_end_matches('/').to_owned() } else { format!("http://{base}") };
        let mut b = reqwest::blocking::Client::builder()
            .timeout(opts.timeout)
            .connect_timeout(opts.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .danger_accept_invalid_certs(!opts.verify_tls)
            .pool_max_idle_per_host(0)
            .tcp_nodelay(true)
            .user_agent(concat!("powerplug-sdk/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = &opts.ca_file {
            let mut pem = Vec::new();
            std::fs::File::open(path)
                .and_then(|f| f.take(1 << 20).read_to_end(&mut pem))
                .map_err(|e| DriverError::invalid_parameter(format!("cannot read `ca_file` {path}: {e}")))?;
            let cert = reqwest::Certificate::from_pem(&pem).map_err(|e| {
                DriverError::invalid_parameter(format!("`ca_file` {path} is not a PEM certificate: {e}"))
            })?;
            b = b.add_root_certificate(cert);
        }
        let client = b.build().map_err(|e| DriverError::device(format!("cannot set up the HTTP client: {e}")))?;
        Ok(Self { client, base, auth, opts, challenge: Mutex::new(None) })
    }

    /// `GET path?query`.
    pub fn get(&self, path: &str, query: &Query) -> Result<Reply, DriverError> {
        self.request("GET", path, query, None)
    }

    /// `POST path?query` with `body`.
    pub fn post(&self, path: &str, query: &Query, body: Body) -> Result<Reply, DriverError> {
        self.request("POST", path, query, Some(body))
    }

    /// Any method. Answers every status; a `401` that survives the credentials is an
    /// authentication error.
    pub fn request(&self, method: &str, path: &str, query: &Query, body: Option<Body>) -> Result<Reply, DriverError> {
        self.request_with(method, path, query, body, &[])
    }

    /// [`HttpClient::request`] with extra request headers (e.g. `Accept`, a CSRF header).
    pub fn request_with(
        &self,
        method: &str,
        path: &str,
        query: &Query,
        body: Option<Body>,
        headers: &[(&str, &str)],
    ) -> Result<Reply, DriverError> {
        let q = query.encode(false);
        let uri = if q.is_empty() { path.to_owned() } else { format!("{path}?{q}") };
        let shown = {
            let m = query.encode(true);
            if m.is_empty() {
                format!("{method} {}{path}", self.base)
            } else {
                format!("{method} {}{path}?{m}", self.base)
            }
        };
        crate::log::debug!("{}", self.mask(&shown));
        let mut reply = self.send(method, &uri, &body, &shown, headers)?;
        if reply.status == 401 {
            if let Auth::Digest { .. } = &self.auth {
                let header = reply.header("www-authenticate").unwrap_or_default().to_owned();
                let parsed = digest_auth::parse(&header).map_err(|_| {
                    DriverError::authentication(format!(
                        "{shown}: the device asked for credentials, but not with HTTP Digest"
                    ))
                })?;
                if let Ok(mut c) = self.challenge.lock() {
                    *c = Some(parsed);
                }
                reply = self.send(method, &uri, &body, &shown, headers)?;
            }
        }
        if reply.status == 401 || reply.status == 403 {
            let who = match &self.auth {
                Auth::None => "no credentials".to_owned(),
                Auth::Bearer(_) => "the access token".to_owned(),
                Auth::Basic { user, .. } | Auth::Digest { user, .. } => format!("user `{user}`"),
            };
            return Err(DriverError::authentication(format!("{} rejected {who} (HTTP {})", self.base, reply.status)));
        }
        Ok(reply)
    }

    /// `text` with the password and secret query values masked in every encoded form.
    fn mask(&self, text: &str) -> String {
        let mut out = text.to_owned();
        if let Auth::Basic { pass, .. } | Auth::Digest { pass, .. } | Auth::Bearer(pass) = &self.auth {
            for form in encoded_forms(pass.expose()).iter().filter(|f| f.len() >= 4) {
                out = out.replace(form.as_str(), "***");
            }
        }
        out
    }

    fn send(
        &self,
        method: &str,
        uri: &str,
        body: &Option<Body>,
        shown: &str,
        headers: &[(&str, &str)],
    ) -> Result<Reply, DriverError> {
        crate::deadline::check(&format!("`{}`", self.mask(shown)))?;
        let by_deadline = crate::deadline::capped(self.opts.timeout);
        let timeout = crate::deadline::cap(self.opts.timeout);
        let m = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| DriverError::plugin_fault(format!("not an HTTP method: {method:?}")))?;
        let mut req = self.client.request(m, format!("{}{uri}", self.base)).timeout(timeout);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let bytes: Option<Vec<u8>> = match body {
            Some(Body::Form(q)) => {
                req = req.header("Content-Type", "application/x-www-form-urlencoded");
                Some(q.encode(false).into_bytes())
            }
            Some(Body::Json(j)) => {
                req = req.header("Content-Type", "application/json");
                Some(j.clone().into_bytes())
            }
            None => None,
        };
        match &self.auth {
            Auth::None => {}
            Auth::Bearer(token) => {
                req = req.header("Authorization", format!("Bearer {}", token.expose()));
            }
            Auth::Basic { user, pass } => {
                let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{}", pass.expose()));
                req = req.header("Authorization", format!("Basic {token}"));
            }
            Auth::Digest { user, pass } => {
                if let Ok(mut c) = self.challenge.lock() {
                    if let Some(ch) = c.as_mut() {
                        let method = digest_auth::HttpMethod(method.to_owned().into());
                        let ctx = digest_auth::AuthContext::new_with_method(
                            user.as_str(),
                            pass.expose(),
                            uri,
                            bytes.as_deref(),
                            method,
                        );
                        let answer = ch.respond(&ctx).map_err(|e| {
                            DriverError::authentication(format!("cannot answer the device's Digest challenge: {e}"))
                        })?;
                        req = req.header("Authorization", answer.to_header_string());
                    }
                }
            }
        }
        if let Some(b) = bytes {
            req = req.body(b);
        }
        let late = || match (by_deadline, crate::deadline::budget()) {
            (true, Some(b)) => format!("before the action's {:.1} s deadline ran out", b.as_secs_f64()),
            _ => format!("within {} ms", timeout.as_millis()),
        };
        let what = self.mask(shown);
        let resp = req.send().map_err(|e| {
            let cause = root_cause(&e);
            if e.is_timeout() {
                DriverError::unreachable(format!("{what}: no answer {}", late()))
            } else if e.is_connect() {
                DriverError::unreachable(format!("{what}: could not connect: {cause}"))
            } else if ["closed", "reset", "broken pipe", "incomplete", "eof"]
                .iter()
                .any(|w| cause.to_lowercase().contains(w))
            {
                DriverError::unreachable(format!("{what}: the device broke off the exchange: {cause}"))
            } else {
                DriverError::device(format!("{what}: not a usable HTTP reply: {cause}"))
            }
        })?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str().to_owned(), v.to_owned())))
            .collect();
        let mut raw = Vec::new();
        resp.take(self.opts.max_body + 1).read_to_end(&mut raw).map_err(|e| {
            if root_cause(&e).contains("timed out") {
                DriverError::unreachable(format!("{what}: the answer did not finish {}", late()))
            } else {
                DriverError::unreachable(format!("{what}: the device broke off its answer: {}", root_cause(&e)))
            }
        })?;
        if raw.len() as u64 > self.opts.max_body {
            return Err(DriverError::device(format!(
                "{what}: the reply is larger than {} KiB; not read further",
                self.opts.max_body / 1024
            )));
        }
        Ok(Reply { status, headers, body: String::from_utf8_lossy(&raw).into_owned() })
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::FakeDevice;

    fn ok(body: &str) -> String {
        FakeDevice::http_response(200, "text/plain", body)
    }

    #[test]
    fn queries_are_encoded_and_secrets_never_logged() {
        let dev = FakeDevice::http(|_| ok("ON"));
        let pass = Secret::new("p@ss w#rd&x");
        let c = HttpClient::new(&dev.addr(), Auth::None, HttpOptions::default()).unwrap();
        crate::logging::capture_begin();
        let r = c
            .get("/cm", &Query::new().pair("user", "admin").secret("password", &pass).pair("cmnd", "Power On"))
            .unwrap();
        let logs = crate::logging::capture_end().join("\n");
        assert_eq!((r.status, r.body.as_str()), (200, "ON"));
        let line = &dev.requests()[0].line;
        assert!(line.starts_with("GET /cm?user=admin&password=p%40ss%20w%23rd%26x&cmnd=Power%20On "), "{line}");
        assert!(
            logs.contains("password=***") && !encoded_forms(pass.expose()).iter().any(|f| logs.contains(f.as_str())),
            "{logs}"
        );
    }

    #[test]
    fn basic_credentials_and_wrong_ones() {
        let dev = FakeDevice::http(|r| match r.header("authorization") {
            Some("Basic YWRtaW46czNjcjN0") => ok("yes"),
            _ => FakeDevice::http_response(401, "text/plain", "no"),
        });
        let auth = |p: &str| Auth::Basic { user: "admin".into(), pass: Secret::new(p) };
        let good = HttpClient::new(&dev.addr(), auth("s3cr3t"), HttpOptions::default()).unwrap();
        assert_eq!(good.get("/", &Query::new()).unwrap().body, "yes");
        let bad = HttpClient::new(&dev.addr(), auth("wrong-pw"), HttpOptions::default()).unwrap();
        let e = bad.get("/", &Query::new()).unwrap_err();
        assert_eq!(e.kind(), power_core::DriverErrorKind::Authentication);
        assert!(e.message().contains("rejected user `admin`") && !e.message().contains("wrong-pw"), "{e}");
    }

    #[test]
    fn digest_sha256_challenge_is_answered() {
        // The fake checks the answer the way a server does: recompute the response with the password.
        let dev = FakeDevice::http(|r| {
            let challenge = "Digest realm=\"shelly\", qop=\"auth\", algorithm=SHA-256, nonce=\"n0nce\"";
            let Some(answer) = r.header("authorization").and_then(|h| digest_auth::AuthorizationHeader::parse(h).ok())
            else {
                return format!("HTTP/1.1 401 X\r\nWWW-Authenticate: {challenge}\r\nContent-Length: 0\r\n\r\n");
            };
            let mut expected = answer.clone();
            let uri = answer.uri.clone();
            let ctx = digest_auth::AuthContext::new_with_method(
                "admin",
                "pw-2",
                uri,
                Option::<&[u8]>::None,
                digest_auth::HttpMethod::GET,
            );
            expected.digest(&ctx);
            if expected.response == answer.response && answer.algorithm.algo == digest_auth::AlgorithmType::SHA2_256 {
                ok("{\"output\":true}")
            } else {
                FakeDevice::http_response(401, "text/plain", "bad digest")
            }
        });
        let auth = Auth::Digest { user: "admin".into(), pass: Secret::new("pw-2") };
        let c = HttpClient::new(&dev.addr(), auth, HttpOptions::default()).unwrap();
        let r = c.get("/rpc/Switch.GetStatus", &Query::new().pair("id", "0")).unwrap();
        assert_eq!(r.body, "{\"output\":true}");
        assert_eq!(
            c.get("/rpc/Switch.GetStatus", &Query::new().pair("id", "0")).unwrap().status,
            200,
            "the challenge is reused"
        );
    }

    #[test]
    fn replies_are_capped_and_deadlines_bound_requests() {
        let big = FakeDevice::http(|_| ok(&"x".repeat(300 * 1024)));
        let c = HttpClient::new(&big.addr(), Auth::None, HttpOptions::default()).unwrap();
        let e = c.get("/", &Query::new()).unwrap_err();
        assert!(e.message().contains("larger than 256 KiB"), "{e}");
        let slow = FakeDevice::http(|_| {
            std::thread::sleep(Duration::from_millis(1500));
            ok("late")
        });
        let c = HttpClient::new(&slow.addr(), Auth::None, HttpOptions::default()).unwrap();
        let e =
            crate::deadline::with_deadline(Some(Duration::from_millis(300)), || c.get("/", &Query::new())).unwrap_err();
        assert_eq!(e.kind(), power_core::DriverErrorKind::Unreachable);
        assert!(e.message().contains("deadline"), "{e}");
    }
}
