//! The conformance kit every driver crate runs in its own tests: power-core's static checks on
//! the driver's descriptor plus dynamic checks that open the driver through the same adapter the
//! ABI uses — undeclared actions refused cleanly, and no secret in any error, success note or
//! log record, in plain or URL-encoded form. Every action runs twice: once with the secrets set
//! to [`SECRET_SENTINEL`], once to [`SECRET_SPECIAL`] (URL-, shell- and base64-special
//! characters, so an encoded leak shows). It panics with a readable report, so a driver test is
//! one line. It never touches the network itself: point the parameters at a closed port (the
//! failure paths) or at a [`FakeDevice`] you script (the success, wrong-credential and
//! malformed-reply paths).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use power_core::conformance::{static_checks, Check, SECRET_SENTINEL};
use power_core::{DriverErrorKind, DriverInfo, ParamKind, Params, PluginDescription, PowerAction};

use crate::driver::Driver;
use crate::registration::Registration;

/// A secret value with the characters drivers get wrong when they build URLs, shell words or
/// Basic credentials; the kit uses it for text secrets the caller does not set.
pub const SECRET_SPECIAL: &str = "p@ss w#rd&x+/=%'\"$(id)";

/// Every form of the secrets a leak may take: as they are, percent-encoded, form-encoded.
fn forms(secrets: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for s in secrets.iter().filter(|s| s.len() >= 4) {
        for f in power_core::encoded_forms(s) {
            if !out.contains(&f) {
                out.push(f);
            }
        }
    }
    out
}

/// All checks for driver `D`. `params` must validate; every secret parameter it does not set is
/// set by the kit, and every action (declared or not) is run with each set of secrets. No form
/// of a secret used (the caller's or the kit's) may appear in any error, success result or log
/// record.
pub fn check_driver<D: Driver>(params: &[(&str, &str)]) -> Vec<Check> {
    let info = crate::driver::describe::<D>();
    let mut checks = static_checks(&PluginDescription::new(crate::SDK_VERSION, vec![info.clone()]));
    let mut refused = Vec::new();
    let mut echoed = Vec::new();
    for sentinel in [SECRET_SENTINEL, SECRET_SPECIAL] {
        let mut raw: BTreeMap<String, String> =
            params.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        for p in info.params.iter().filter(|p| p.secret) {
            let text_kind = matches!(p.kind, ParamKind::Password | ParamKind::String);
            let value = if sentinel == SECRET_SENTINEL || text_kind { sentinel } else { SECRET_SENTINEL };
            raw.entry(p.name.clone()).or_insert_with(|| value.to_owned());
        }
        let secrets: Vec<String> =
            info.params.iter().filter(|p| p.secret).filter_map(|p| raw.get(&p.name).cloned()).collect();
        let forms = forms(&secrets);
        let leaks = |text: &str| forms.iter().any(|s| text.contains(s.as_str()));
        let validated = match Params::validate(&info.params, &raw) {
            Ok(p) => p,
            Err(e) => {
                checks.push(Check::from_problems(
                    format!("{}: test parameters validate", info.name),
                    vec![e.to_string()],
                ));
                return checks;
            }
        };
        crate::logging::capture_begin();
        let run = run_actions::<D>(&info, &validated, &leaks, &mut refused, &mut echoed);
        for record in crate::logging::capture_end() {
            if leaks(&record) {
                echoed.push(format!("a log record showed a secret: {record}"));
            }
        }
        if let Err(problems) = run {
            checks.push(Check::from_problems(format!("{}: opens", info.name), problems));
            return checks;
        }
        if sentinel == SECRET_SENTINEL {
            // Refusals are the same with either set of secrets; report them once.
            checks.push(Check::from_problems(format!("{}: undeclared actions refused", info.name), refused.clone()));
        }
    }
    echoed.dedup();
    checks.push(Check::from_problems(format!("{}: secrets never echoed by actions or logs", info.name), echoed));
    checks
}

fn run_actions<D: Driver>(
    info: &DriverInfo,
    validated: &Params,
    leaks: &dyn Fn(&str) -> bool,
    refused: &mut Vec<String>,
    echoed: &mut Vec<String>,
) -> Result<(), Vec<String>> {
    let inst = match (Registration::of::<D>().open)(validated) {
        Ok(i) => i,
        Err(e) => {
            let mut problems = vec![format!("open failed: {e}")];
            if leaks(e.message()) {
                problems.push("open's error echoed a secret".to_owned());
            }
            return Err(problems);
        }
    };
    for action in PowerAction::ALL {
        let result = inst.call(action.as_str(), "{}");
        match &result {
            Err(e) if leaks(e.message()) => echoed.push(format!("`{action}` error echoed a secret: {e}")),
            Ok(json) if leaks(json) => echoed.push(format!("`{action}` result echoed a secret: {json}")),
            _ => {}
        }
        if !info.supports(action) {
            match result {
                Err(e) if e.kind() == DriverErrorKind::UnsupportedAction && e.message().contains(action.as_str()) => {}
                other => refused.push(format!("undeclared `{action}` was not refused cleanly: {other:?}")),
            }
        }
    }
    match inst.call("no_such_operation", "{}") {
        Err(e) if e.kind() == DriverErrorKind::UnsupportedAction => {}
        other => refused.push(format!("an unknown operation was not refused: {other:?}")),
    }
    Ok(())
}

/// Panics with a report listing every failed check (for driver tests).
#[track_caller]
pub fn assert_conforms<D: Driver>(params: &[(&str, &str)]) {
    let failed: Vec<String> = check_driver::<D>(params)
        .into_iter()
        .filter(|c| !c.passed)
        .map(|c| format!("{}: {}", c.name, c.detail))
        .collect();
    assert!(failed.is_empty(), "conformance failures:\n{}", failed.join("\n"));
}

/// One request a [`FakeDevice`] received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeRequest {
    /// For line devices the line (without its newline); for HTTP the request line, e.g.
    /// `GET /cm?cmnd=Power%20On HTTP/1.1`.
    pub line: String,
    /// HTTP headers as `(name, value)` (empty for line devices).
    pub headers: Vec<(String, String)>,
    /// The HTTP body (empty for line devices).
    pub body: String,
}

impl FakeRequest {
    /// An HTTP header's value (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

type Script = Arc<dyn Fn(&FakeRequest) -> String + Send + Sync>;

/// A scripted device on 127.0.0.1, for driver tests: a line device (`lines`: one request line,
/// one answer line, per connection) or an HTTP device (`http`: the script returns the whole
/// response, e.g. from [`FakeDevice::http_response`]). It records what it received and stops
/// when dropped.
pub struct FakeDevice {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<FakeRequest>>>,
    stop: Arc<AtomicBool>,
}

impl FakeDevice {
    /// A device answering each line with `script(request)` plus a newline.
    pub fn lines(script: impl Fn(&FakeRequest) -> String + Send + Sync + 'static) -> Self {
        Self::start(false, Arc::new(script))
    }

    /// An HTTP/1.1 device; `script` returns the raw response.
    pub fn http(script: impl Fn(&FakeRequest) -> String + Send + Sync + 'static) -> Self {
        Self::start(true, Arc::new(script))
    }

    /// A complete HTTP response with `status`, a content type and `body`.
    pub fn http_response(status: u16, content_type: &str, body: &str) -> String {
        format!(
            "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    }

    fn start(http: bool, script: Script) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let (seen, stop) = (Arc::new(Mutex::new(Vec::new())), Arc::new(AtomicBool::new(false)));
        let (log, halt) = (Arc::clone(&seen), Arc::clone(&stop));
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if halt.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (log, script) = (Arc::clone(&log), Arc::clone(&script));
                std::thread::spawn(move || serve(conn, http, &script, &log));
            }
        });
        Self { addr, seen, stop }
    }

    /// `127.0.0.1:port`.
    pub fn addr(&self) -> String {
        self.addr.to_string()
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<FakeRequest> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Drop for FakeDevice {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(200));
    }
}

fn serve(conn: TcpStream, http: bool, script: &Script, log: &Mutex<Vec<FakeRequest>>) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
    let Ok(clone) = conn.try_clone() else { return };
    let mut reader = BufReader::new(clone).take(1 << 20);
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut req = FakeRequest { line: line.trim_end().to_owned(), headers: Vec::new(), body: String::new() };
    if http {
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim_end().is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                req.headers.push((k.trim().to_owned(), v.trim().to_owned()));
            }
        }
        let len = req.header("content-length").and_then(|v| v.parse::<usize>().ok()).unwrap_or(0).min(1 << 20);
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).is_ok() {
            req.body = String::from_utf8_lossy(&body).into_owned();
        }
    }
    let answer = script(&req);
    if let Ok(mut l) = log.lock() {
        l.push(req);
    }
    let mut out = &conn;
    let _ = if http { out.write_all(answer.as_bytes()) } else { writeln!(out, "{answer}") };
}

#[cfg(test)]
mod tests {
    use super::*;
    use power_core::{CallOutcome, DriverError, ParamSpec};

    /// How the test driver misbehaves.
    #[derive(Clone, Copy, PartialEq)]
    enum Sin {
        None,
        UrlEncodedInError,
        LoggedOnSuccess,
    }

    static SIN: Mutex<Sin> = Mutex::new(Sin::None);

    /// A driver that GETs `/cm?password=…` from `power_address` and says OK on `200 OK`.
    struct Plug {
        addr: String,
        pass: String,
    }

    impl Driver for Plug {
        fn describe() -> DriverInfo {
            DriverInfo::new("plug", "Test plug", "0")
                .actions([PowerAction::On])
                .param(ParamSpec::new("power_address", "A", ParamKind::host(true, false)).required())
                .param(ParamSpec::new("power_pass", "P", ParamKind::Password))
        }

        fn open(p: &Params) -> Result<Self, DriverError> {
            Ok(Plug {
                addr: p.text("power_address").unwrap_or_default().to_owned(),
                pass: p.secret("power_pass").map(|s| s.expose().to_owned()).unwrap_or_default(),
            })
        }

        fn on(&self) -> Result<CallOutcome, DriverError> {
            let sin = *SIN.lock().unwrap();
            let path = format!("/cm?password={}", power_core::encoded_forms(&self.pass)[2]);
            let mut c = TcpStream::connect(&self.addr).map_err(|e| DriverError::unreachable(e.to_string()))?;
            write!(c, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").map_err(|e| DriverError::unreachable(e.to_string()))?;
            let mut reply = String::new();
            let _ = c.read_to_string(&mut reply);
            if sin == Sin::LoggedOnSuccess {
                crate::log::debug!("sent {path}");
            }
            if reply.starts_with("HTTP/1.1 200") {
                return Ok(CallOutcome::default());
            }
            let shown = if sin == Sin::UrlEncodedInError { path.as_str() } else { "the request" };
            Err(DriverError::authentication(format!("the plug refused {shown}")))
        }
    }

    fn failures(addr: &str) -> Vec<String> {
        check_driver::<Plug>(&[("power_address", addr)]).into_iter().filter(|c| !c.passed).map(|c| c.detail).collect()
    }

    #[test]
    fn the_kit_catches_encoded_leaks_in_errors_and_logs_with_a_fake_device() {
        let refusing = FakeDevice::http(|_| FakeDevice::http_response(401, "text/plain", "no"));
        let accepting = FakeDevice::http(|_| FakeDevice::http_response(200, "text/plain", "ok"));
        let _guard = SIN.lock().map(|mut s| *s = Sin::None);
        assert!(failures(&refusing.addr()).is_empty(), "a clean driver passes");
        assert!(refusing.requests()[0].line.starts_with("GET /cm?password="), "{:?}", refusing.requests());
        *SIN.lock().unwrap() = Sin::UrlEncodedInError;
        let f = failures(&refusing.addr());
        assert!(f.iter().any(|d| d.contains("error echoed a secret") && d.contains("p%40ss")), "{f:?}");
        *SIN.lock().unwrap() = Sin::LoggedOnSuccess;
        let f = failures(&accepting.addr());
        assert!(f.iter().any(|d| d.contains("a log record showed a secret")), "{f:?}");
        *SIN.lock().unwrap() = Sin::None;
    }

    #[test]
    fn line_devices_answer_their_script() {
        let d = FakeDevice::lines(|r| if r.line == "STATE 1" { "1".into() } else { "ERR".into() });
        let mut c = TcpStream::connect(d.addr()).unwrap();
        writeln!(c, "STATE 1").unwrap();
        let mut answer = String::new();
        BufReader::new(c).read_line(&mut answer).unwrap();
        assert_eq!(answer, "1\n");
        assert_eq!(d.requests()[0].line, "STATE 1");
    }
}
