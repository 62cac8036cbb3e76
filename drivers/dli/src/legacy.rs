//! The legacy web interface client: HTTP Basic sent up front (as MAAS does), falling back to the
//! challenge login (`/login.tgi`, md5 of challenge‖user‖password‖challenge, `DLILPC` cookie) when
//! the firmware refuses Basic; `/outlet?N=ON|OFF|CCL`; state from `index.htm`.

use std::sync::Mutex;

use base64::Engine;
use plugin_sdk::{DriverError, Secret};
use reqwest::blocking::Client;

use crate::http::{send, Reply};
use crate::status::{self, Status};
use crate::Target;

/// A logged-in (or Basic-authenticating) session with one switch.
pub(crate) struct Legacy<'a> {
    pub(crate) t: &'a Target,
    pub(crate) http: &'a Client,
    cookie: Mutex<Option<String>>,
}

impl<'a> Legacy<'a> {
    pub(crate) fn new(t: &'a Target, http: &'a Client) -> Self {
        Self { t, http, cookie: Mutex::new(None) }
    }

    fn basic(user: &str, pass: &Secret) -> String {
        let raw = format!("{user}:{}", pass.expose());
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(raw))
    }

    fn raw_get(&self, path: &str, with_basic: bool) -> Result<Reply, DriverError> {
        let mut req = self.http.get(format!("{}{path}", self.t.base));
        let cookie = self.cookie.lock().ok().and_then(|c| c.clone());
        if let Some(c) = &cookie {
            req = req.header("Cookie", format!("DLILPC=\"{c}\""));
        } else if with_basic {
            req = req.header("Authorization", Self::basic(&self.t.user, &self.t.pass));
        }
        plugin_sdk::log::trace!("GET {}{path}", self.t.base);
        send(req, &self.t.what(), self.t.timeout)
    }

    /// GET `path` authenticated: Basic first, then the challenge login if refused.
    pub(crate) fn get(&self, path: &str) -> Result<String, DriverError> {
        let mut reply = self.raw_get(path, true)?;
        if matches!(reply.status, 401 | 403) && self.cookie.lock().map(|c| c.is_none()).unwrap_or(true) {
            plugin_sdk::log::debug!("Basic authentication refused ({}); trying the challenge login", reply.status);
            self.login()?;
            reply = self.raw_get(path, false)?;
        }
        match reply.status {
            200 => Ok(reply.body),
            401 | 403 => Err(self.t.auth_error()),
            s if s >= 500 => Err(DriverError::device(format!("{} answered HTTP {s} to {path}", self.t.what()))),
            s => {
                Err(DriverError::device(format!("{} answered HTTP {s} to {path}; is it a DLI switch?", self.t.what())))
            }
        }
    }

    fn login(&self) -> Result<(), DriverError> {
        let page = self.raw_get("/", false)?;
        let challenge = status::challenge(&page.body).ok_or_else(|| self.t.auth_error())?;
        let hash =
            format!("{:x}", md5::compute(format!("{challenge}{}{}{challenge}", self.t.user, self.t.pass.expose())));
        let body = format!("Username={}&Password={hash}", form_escape(&self.t.user));
        let req = self
            .http
            .post(format!("{}/login.tgi", self.t.base))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body);
        let reply = send(req, &self.t.what(), self.t.timeout)?;
        let token = reply.set_cookie.iter().find_map(|c| {
            let v = c.strip_prefix("DLILPC=")?.split(';').next()?.trim_matches('"');
            (!v.is_empty()).then(|| v.to_owned())
        });
        match token {
            Some(t) if reply.status == 200 => {
                if let Ok(mut c) = self.cookie.lock() {
                    *c = Some(t);
                }
                plugin_sdk::log::debug!("logged in to {} with the challenge login", self.t.what());
                Ok(())
            }
            _ => Err(self.t.auth_error()),
        }
    }

    /// The parsed status page.
    pub(crate) fn status(&self) -> Result<Status, DriverError> {
        let page = self.get("/index.htm")?;
        status::parse(&page).ok_or_else(|| {
            DriverError::device(format!(
                "{}'s status page has neither the state comment nor an outlet table; is it a DLI switch?",
                self.t.what()
            ))
        })
    }

    /// Sends `/outlet?N=VERB`.
    pub(crate) fn command(&self, outlet: u32, verb: &str) -> Result<(), DriverError> {
        self.get(&format!("/outlet?{outlet}={verb}")).map(|_| ())
    }
}

fn form_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
