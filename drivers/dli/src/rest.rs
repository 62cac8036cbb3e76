//! The REST API client (firmware 1.7+): HTTP Digest with the challenge cached across requests,
//! `X-CSRF` on every write, 0-based outlet indexes (the user's outlet 1 is `/outlets/0/`),
//! `state` to read and switch, `cycle` to cycle, `all;/state/` for the outlet count.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

use plugin_sdk::DriverError;
use reqwest::blocking::Client;
use reqwest::Method;

use crate::digest::{self, Challenge};
use crate::http::{send, Reply};
use crate::Target;

/// A REST session with one switch.
pub(crate) struct Rest<'a> {
    pub(crate) t: &'a Target,
    pub(crate) http: &'a Client,
    challenge: Mutex<Option<Challenge>>,
    nc: AtomicU32,
}

/// The URL path of outlet `n` (1-based, as printed on the switch).
pub(crate) fn outlet_path(n: u32, field: &str) -> String {
    format!("/restapi/relay/outlets/{}/{field}/", n - 1)
}

impl<'a> Rest<'a> {
    pub(crate) fn new(t: &'a Target, http: &'a Client) -> Self {
        Self { t, http, challenge: Mutex::new(None), nc: AtomicU32::new(0) }
    }

    fn attempt(&self, method: &Method, path: &str, form: Option<&str>) -> Result<Reply, DriverError> {
        let mut req =
            self.http.request(method.clone(), format!("{}{path}", self.t.base)).header("Accept", "application/json");
        if *method != Method::GET {
            req = req.header("X-CSRF", "x");
        }
        if let Some(body) = form {
            req = req.header("Content-Type", "application/x-www-form-urlencoded").body(body.to_owned());
        }
        if let Some(c) = self.challenge.lock().ok().and_then(|c| c.clone()) {
            let nc = self.nc.fetch_add(1, Ordering::Relaxed) + 1;
            let cnonce = format!("{:x}", md5::compute(format!("{nc}{:?}", std::time::SystemTime::now())));
            let auth =
                digest::authorization(&c, &self.t.user, self.t.pass.expose(), method.as_str(), path, nc, &cnonce[..16]);
            req = req.header("Authorization", auth);
        }
        plugin_sdk::log::trace!("{method} {}{path}", self.t.base);
        send(req, &self.t.what(), self.t.timeout)
    }

    /// Sends a request, answering a digest challenge once.
    pub(crate) fn call(&self, method: Method, path: &str, form: Option<&str>) -> Result<Reply, DriverError> {
        let mut reply = self.attempt(&method, path, form)?;
        if reply.status == 401 {
            let challenge =
                reply.www_authenticate.as_deref().and_then(digest::parse).ok_or_else(|| self.t.auth_error())?;
            if let Ok(mut c) = self.challenge.lock() {
                *c = Some(challenge);
            }
            self.nc.store(0, Ordering::Relaxed);
            reply = self.attempt(&method, path, form)?;
        }
        match reply.status {
            200 | 204 | 207 => Ok(reply),
            401 | 403 => Err(self.t.auth_error()),
            404 => Err(DriverError::device(format!("{} has no REST resource {path}", self.t.what()))),
            s => Err(DriverError::device(format!("{} answered HTTP {s} to {method} {path}", self.t.what()))),
        }
    }

    /// The number of outlets.
    pub(crate) fn count(&self) -> Result<u32, DriverError> {
        let body = self.call(Method::GET, "/restapi/relay/outlets/all;/state/", None)?.body;
        Ok(body.matches("true").count() as u32 + body.matches("false").count() as u32)
    }

    /// Whether outlet `n` is on.
    pub(crate) fn state(&self, n: u32) -> Result<bool, DriverError> {
        let body = self.call(Method::GET, &outlet_path(n, "state"), None)?.body;
        match body.trim() {
            "true" => Ok(true),
            "false" => Ok(false),
            other => {
                let shown: String = other.chars().take(80).collect();
                let more = if other.chars().count() > 80 { " (cut)" } else { "" };
                Err(DriverError::device(format!("{} answered {shown:?}{more} for outlet {n}'s state", self.t.what())))
            }
        }
    }
}
