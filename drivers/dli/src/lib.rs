//! The `dli` driver: Digital Loggers Web Power Switch outlets, over the legacy web interface
//! (`legacy.rs`) or the REST API of firmware 1.7+ (`rest.rs`), picked by `protocol` (`auto`
//! probes for REST). Every change is read back until the outlet reports the new state or
//! `settle_ms` runs out. Requests to one switch are serialised within the process.

mod http;
mod legacy;
mod rest;
mod status;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::sleep;
use std::time::{Duration, Instant};

use plugin_sdk::{CallOutcome, DriverError, DriverInfo, ParamKind, ParamSpec, Params, PowerAction, PowerState, Secret};

use legacy::Legacy;
use rest::{outlet_path, Rest};

/// One switch as configured.
pub(crate) struct Target {
    pub(crate) base: String,
    pub(crate) user: String,
    pub(crate) pass: Secret,
    pub(crate) timeout: Duration,
}

impl Target {
    /// "the DLI switch at http://host:port", for messages.
    pub(crate) fn what(&self) -> String {
        format!("the DLI switch at {}", self.base)
    }

    pub(crate) fn auth_error(&self) -> DriverError {
        DriverError::authentication(format!(
            "{} rejected user `{}` and its password; check power_user/power_pass (newer firmware refuses \
             plain logins unless \"Allow legacy plaintext login methods\" is enabled)",
            self.what(),
            self.user
        ))
    }
}

/// Which interface to speak.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Protocol {
    Auto,
    Legacy,
    Rest,
}

/// An opened DLI outlet.
pub struct Dli {
    t: Target,
    http: reqwest::blocking::Client,
    /// The REST API's client (the SDK's HTTP helper: digest, deadlines, reply cap), built on first
    /// use: a legacy-only call does not pay for it.
    rest: OnceLock<plugin_sdk::http::HttpClient>,
    rest_options: plugin_sdk::http::HttpOptions,
    outlet: u32,
    protocol: Protocol,
    settle: Duration,
}

/// One lock per switch address: these switches handle one request at a time.
fn switch_lock(base: &str) -> Arc<Mutex<()>> {
    static LOCKS: OnceLock<Mutex<HashMap<String, Arc<Mutex<()>>>>> = OnceLock::new();
    let map = LOCKS.get_or_init(|| Mutex::new(HashMap::new()));
    let mut m = map.lock().unwrap_or_else(|e| e.into_inner());
    Arc::clone(m.entry(base.to_owned()).or_default())
}

/// The interface in use for one action.
enum Session<'a> {
    Legacy(Legacy<'a>),
    Rest(Rest<'a>),
}

impl Dli {
    fn rest_client(&self) -> Result<&plugin_sdk::http::HttpClient, DriverError> {
        if let Some(c) = self.rest.get() {
            return Ok(c);
        }
        let auth = plugin_sdk::http::Auth::Digest { user: self.t.user.clone(), pass: self.t.pass.clone() };
        let c = plugin_sdk::http::HttpClient::new(&self.t.base, auth, self.rest_options.clone())?;
        Ok(self.rest.get_or_init(|| c))
    }

    fn session(&self) -> Result<Session<'_>, DriverError> {
        let rest = match self.protocol {
            Protocol::Legacy => false,
            Protocol::Rest => true,
            Protocol::Auto => {
                let probe =
                    http::send(self.http.get(format!("{}/restapi/", self.t.base)), &self.t.what(), self.t.timeout)?;
                probe.status == 401 && probe.www_authenticate.as_deref().is_some_and(|h| h.starts_with("Digest"))
                    || probe.status == 200
            }
        };
        plugin_sdk::log::info!(
            "{}: using the {}",
            self.t.what(),
            if rest { "REST API" } else { "legacy web interface" }
        );
        Ok(if rest {
            Session::Rest(Rest::new(&self.t, self.rest_client()?))
        } else {
            Session::Legacy(Legacy::new(&self.t, &self.http))
        })
    }

    fn out_of_range(&self, count: u32) -> DriverError {
        DriverError::invalid_parameter(format!(
            "`outlet_id` {} is out of range: {} has {count} outlets (1 to {count})",
            self.outlet,
            self.t.what()
        ))
    }

    /// The outlet's state through `s`.
    fn read(&self, s: &Session<'_>) -> Result<bool, DriverError> {
        match s {
            Session::Legacy(l) => {
                let st = l.status()?;
                if st.count() > 0 && self.outlet > st.count() {
                    return Err(self.out_of_range(st.count()));
                }
                st.outlet(self.outlet).ok_or_else(|| {
                    DriverError::device(format!("{}'s status page does not show outlet {}", self.t.what(), self.outlet))
                })
            }
            Session::Rest(r) => match r.state(self.outlet) {
                Err(e) if e.message().contains("has no REST resource") => Err(self.out_of_range(r.count()?)),
                other => other,
            },
        }
    }

    /// Reads back until the outlet is `want` or `settle` runs out.
    fn settle(&self, s: &Session<'_>, want: bool) -> Result<(), DriverError> {
        let deadline = Instant::now() + self.settle;
        loop {
            if self.read(s)? == want {
                return Ok(());
            }
            plugin_sdk::deadline::check(&format!(
                "outlet {} read back as {}",
                self.outlet,
                if want { "on" } else { "off" }
            ))?;
            if Instant::now() >= deadline {
                return Err(DriverError::device(format!(
                    "outlet {} of {} still reports {} {} ms after the change",
                    self.outlet,
                    self.t.what(),
                    if want { "off" } else { "on" },
                    self.settle.as_millis()
                )));
            }
            sleep(plugin_sdk::deadline::cap(Duration::from_millis(100)));
        }
    }

    fn switch(&self, on: bool) -> Result<CallOutcome, DriverError> {
        let lock = switch_lock(&self.t.base);
        let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        let s = self.session()?;
        match &s {
            Session::Legacy(l) => l.command(self.outlet, if on { "ON" } else { "OFF" })?,
            Session::Rest(r) => {
                let body = plugin_sdk::http::Query::new().pair("value", if on { "true" } else { "false" });
                if let Err(e) = r.call("PUT", &outlet_path(self.outlet, "state"), Some(body)) {
                    return Err(if e.message().contains("has no REST resource") {
                        self.out_of_range(r.count()?)
                    } else {
                        e
                    });
                }
            }
        }
        self.settle(&s, on)?;
        Ok(CallOutcome::with_state(if on { PowerState::On } else { PowerState::Off }))
    }
}

impl plugin_sdk::Driver for Dli {
    // The switch cycles the outlet itself (CCL / REST cycle), with its own off time.
    const OWN_CYCLE: bool = true;

    fn describe() -> DriverInfo {
        DriverInfo::new("dli", "Digital Loggers Web Power Switch outlet", env!("CARGO_PKG_VERSION"))
            .actions(PowerAction::ALL)
            .real_query()
            .chassis()
            .extra_text("maas.native_template", include_str!("maas-native.template"))
            .param(
                ParamSpec::new("power_address", "Switch address", ParamKind::host(true, true))
                    .required()
                    .help("host, host:port, or an http:// or https:// URL"),
            )
            .param(ParamSpec::new("power_user", "User", ParamKind::String).default_value("admin"))
            .param(ParamSpec::new("power_pass", "Password", ParamKind::Password))
            .param(
                ParamSpec::new("outlet_id", "Outlet number", ParamKind::integer(1, 32))
                    .required()
                    .node_scope()
                    .help("1-based, as printed on the switch"),
            )
            .param(
                ParamSpec::new(
                    "protocol",
                    "Protocol",
                    ParamKind::choice([
                        ("auto", "REST API when the switch offers it, else the legacy web interface"),
                        ("legacy", "Legacy web interface"),
                        ("rest", "REST API (firmware 1.7+)"),
                    ]),
                )
                .default_value("auto"),
            )
            .param(
                ParamSpec::new("timeout_ms", "Request timeout (ms)", ParamKind::integer(100, 120_000))
                    .default_value("5000"),
            )
            .param(
                ParamSpec::new("settle_ms", "Wait for the new state (ms)", ParamKind::integer(0, 120_000))
                    .default_value("5000")
                    .help("How long to read the state back after a change before reporting a mismatch"),
            )
            .param(
                ParamSpec::new("verify_tls", "Verify the TLS certificate", ParamKind::Boolean)
                    .default_value("true")
                    .help("Switches ship self-signed certificates: set false, or give ca_file"),
            )
            .param(
                ParamSpec::new("ca_file", "CA certificate (PEM)", ParamKind::String)
                    .help("Trust this certificate for https:// addresses"),
            )
    }

    fn open(params: &Params) -> Result<Self, DriverError> {
        let addr = params.text("power_address").unwrap_or_default();
        let base = if addr.contains("://") { addr.trim_end_matches('/').to_owned() } else { format!("http://{addr}") };
        let ms = |n: &str, d: i64| Duration::from_millis(params.integer(n).unwrap_or(d).unsigned_abs());
        let timeout = ms("timeout_ms", 5000);
        let http = http::client(&http::HttpConfig {
            timeout,
            verify_tls: params.bool("verify_tls").unwrap_or(true),
            ca_file: params.text("ca_file").map(str::to_owned),
        })?;
        let protocol = match params.text("protocol") {
            Some("legacy") => Protocol::Legacy,
            Some("rest") => Protocol::Rest,
            _ => Protocol::Auto,
        };
        let user = params.text("power_user").unwrap_or("admin").to_owned();
        let pass = params.secret("power_pass").cloned().unwrap_or_else(|| Secret::new(""));
        let rest_options = plugin_sdk::http::HttpOptions {
            timeout,
            verify_tls: params.bool("verify_tls").unwrap_or(true),
            ca_file: params.text("ca_file").map(str::to_owned),
            max_body: http::MAX_BODY,
        };
        Ok(Self {
            t: Target { base, user, pass, timeout },
            http,
            rest: OnceLock::new(),
            rest_options,
            outlet: u32::try_from(params.integer("outlet_id").unwrap_or(1)).unwrap_or(1),
            protocol,
            settle: ms("settle_ms", 5000),
        })
    }

    fn on(&self) -> Result<CallOutcome, DriverError> {
        self.switch(true)
    }

    fn off(&self) -> Result<CallOutcome, DriverError> {
        self.switch(false)
    }

    fn cycle(&self) -> Result<CallOutcome, DriverError> {
        let lock = switch_lock(&self.t.base);
        let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        let s = self.session()?;
        if !self.read(&s)? {
            drop(_guard);
            plugin_sdk::log::info!("outlet {} is off: cycle switches it on", self.outlet);
            return self.switch(true);
        }
        match &s {
            Session::Legacy(l) => l.command(self.outlet, "CCL")?,
            Session::Rest(r) => r.call("POST", &outlet_path(self.outlet, "cycle"), None).map(|_| ())?,
        }
        self.settle(&s, true)?;
        Ok(CallOutcome::with_state(PowerState::On).note("cycled with the switch's own cycle delay"))
    }

    fn query(&self) -> Result<PowerState, DriverError> {
        let lock = switch_lock(&self.t.base);
        let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        let s = self.session()?;
        Ok(if self.read(&s)? { PowerState::On } else { PowerState::Off })
    }
}

plugin_sdk::export_driver!(Dli);

#[cfg(test)]
mod tests {
    use plugin_sdk::Driver;
    use power_sim::dli::{DliArgs, DliSim};

    use super::*;

    fn open(sim: &DliSim, extra: &[(&str, &str)]) -> Result<Dli, DriverError> {
        let mut raw: std::collections::BTreeMap<String, String> =
            [("power_address", sim.addr().to_string()), ("power_pass", "1234".into()), ("outlet_id", "3".into())]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect();
        raw.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        let p = Params::validate(&Dli::describe().params, &raw)
            .map_err(|e| DriverError::invalid_parameter(e.to_string()))?;
        Dli::open(&p)
    }

    #[test]
    fn conforms() {
        let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
        plugin_sdk::conformance::assert_conforms::<Dli>(&[
            ("power_address", &dead),
            ("outlet_id", "1"),
            ("timeout_ms", "500"),
        ]);
    }

    #[test]
    fn legacy_and_rest_switch_and_read_back() {
        for (rest, protocol) in [(false, "legacy"), (true, "rest"), (true, "auto"), (false, "auto")] {
            let sim = DliSim::start(DliArgs { rest, ..DliArgs::default() }).unwrap();
            let d = open(&sim, &[("protocol", protocol)]).unwrap();
            d.on().unwrap();
            assert!(sim.outlets()[2], "{protocol}");
            assert_eq!(d.query().unwrap(), PowerState::On);
            d.off().unwrap();
            assert_eq!(d.query().unwrap(), PowerState::Off);
        }
    }
}
