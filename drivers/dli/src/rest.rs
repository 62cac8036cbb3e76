//! The REST API client (firmware 1.7+), on the SDK's HTTP helper: HTTP Digest with the
//! challenge cached across requests (the helper answers it), `X-CSRF` on every write, 0-based
//! outlet indexes (the user's outlet 1 is `/outlets/0/`), `state` to read and switch, `cycle`
//! to cycle, `all;/state/` for the outlet count.

use plugin_sdk::http::{Body, HttpClient, Query, Reply};
use plugin_sdk::{DriverError, DriverErrorKind};

use crate::Target;

/// A REST session with one switch.
pub(crate) struct Rest<'a> {
    pub(crate) t: &'a Target,
    pub(crate) http: &'a HttpClient,
}

/// The URL path of outlet `n` (1-based, as printed on the switch).
pub(crate) fn outlet_path(n: u32, field: &str) -> String {
    format!("/restapi/relay/outlets/{}/{field}/", n - 1)
}

impl<'a> Rest<'a> {
    pub(crate) fn new(t: &'a Target, http: &'a HttpClient) -> Self {
        Self { t, http }
    }

    /// Sends a request (the helper answers the digest challenge once).
    pub(crate) fn call(&self, method: &str, path: &str, form: Option<Query>) -> Result<Reply, DriverError> {
        let mut headers = vec![("Accept", "application/json")];
        if method != "GET" {
            headers.push(("X-CSRF", "x"));
        }
        let reply = self
            .http
            .request_with(method, path, &Query::new(), form.map(Body::Form), &headers)
            .map_err(|e| if e.kind() == DriverErrorKind::Authentication { self.t.auth_error() } else { e })?;
        match reply.status {
            200 | 204 | 207 => Ok(reply),
            404 => Err(DriverError::device(format!("{} has no REST resource {path}", self.t.what()))),
            s => Err(DriverError::device(format!("{} answered HTTP {s} to {method} {path}", self.t.what()))),
        }
    }

    /// The number of outlets.
    pub(crate) fn count(&self) -> Result<u32, DriverError> {
        let body = self.call("GET", "/restapi/relay/outlets/all;/state/", None)?.body;
        Ok(body.matches("true").count() as u32 + body.matches("false").count() as u32)
    }

    /// Whether outlet `n` is on.
    pub(crate) fn state(&self, n: u32) -> Result<bool, DriverError> {
        let reply = self.call("GET", &outlet_path(n, "state"), None)?;
        match reply.body.trim() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(DriverError::device(format!(
                "{} answered \"{}\" for outlet {n}'s state",
                self.t.what(),
                reply.excerpt(80)
            ))),
        }
    }
}
