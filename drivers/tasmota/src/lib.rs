//! The `tasmota` driver: Tasmota-flashed plugs and relay boards over HTTP. Every action is one
//! `GET /cm?cmnd=Power<N> On|Off|` (no argument queries) through the SDK's HTTP helper, with the
//! web password, when set, in the `user`/`password` query parameters — Tasmota's only way — which
//! the helper never logs in any form. A wrong password still answers 200 with a `WARNING` object,
//! so the body decides; replies name the relay `POWER` (one relay) or `POWER<N>`; the new state is
//! read from the reply and must match. `cycle` is the SDK's: off, `cycle_off_ms`, on.

use plugin_sdk::http::{Auth, HttpClient, HttpOptions, Query};
use plugin_sdk::{CallOutcome, DriverError, DriverInfo, ParamKind, ParamSpec, Params, PowerAction, PowerState, Secret};

/// One opened plug.
pub struct Tasmota {
    http: HttpClient,
    user: String,
    pass: Option<Secret>,
    relay: u8,
    what: String,
}

impl Tasmota {
    /// Sends `Power<relay> <arg>` and returns the relay's state from the reply.
    fn power(&self, arg: &str) -> Result<bool, DriverError> {
        let cmnd = if arg.is_empty() { format!("Power{}", self.relay) } else { format!("Power{} {arg}", self.relay) };
        let mut q = Query::new();
        if let Some(p) = &self.pass {
            q = q.pair("user", &self.user).secret("password", p);
        }
        let reply = self.http.get("/cm", &q.pair("cmnd", &cmnd))?;
        if reply.status != 200 {
            return Err(DriverError::device(format!("{} answered HTTP {} to {cmnd}", self.what, reply.status)));
        }
        let json = reply.json(&self.what, &cmnd)?;
        if json.get("WARNING").and_then(|w| w.as_str()).is_some_and(|w| w.starts_with("Need user")) {
            return Err(DriverError::authentication(format!(
                "{} refused user `{}` and its password (Tasmota answers 200 with a warning); check power_user/power_pass",
                self.what, self.user
            )));
        }
        let keys = [format!("POWER{}", self.relay), if self.relay == 1 { "POWER".to_owned() } else { String::new() }];
        let value = keys.iter().filter(|k| !k.is_empty()).find_map(|k| json.get(k)).and_then(|v| v.as_str());
        match value.map(str::to_ascii_uppercase).as_deref() {
            Some("ON") => Ok(true),
            Some("OFF") => Ok(false),
            _ if json.get("Command").and_then(|c| c.as_str()) == Some("Unknown") => {
                Err(DriverError::invalid_parameter(format!(
                    "`relay` {}: {} has no such relay (it answered {cmnd} with Unknown)",
                    self.relay, self.what
                )))
            }
            _ => Err(DriverError::device(format!(
                "{} answered {cmnd} without the relay's state: \"{}\"",
                self.what,
                reply.excerpt(80)
            ))),
        }
    }

    fn set(&self, on: bool) -> Result<CallOutcome, DriverError> {
        let state = self.power(if on { "On" } else { "Off" })?;
        if state != on {
            return Err(DriverError::device(format!(
                "relay {} of {} still reports {} after the change",
                self.relay,
                self.what,
                if state { "on" } else { "off" }
            )));
        }
        Ok(CallOutcome::with_state(if on { PowerState::On } else { PowerState::Off }))
    }
}

impl plugin_sdk::Driver for Tasmota {
    fn describe() -> DriverInfo {
        DriverInfo::new("tasmota", "Tasmota smart plug or relay board (HTTP)", env!("CARGO_PKG_VERSION"))
            .actions([PowerAction::On, PowerAction::Off, PowerAction::Cycle, PowerAction::Query])
            .real_query()
            .param(
                ParamSpec::new("power_address", "Plug address", ParamKind::host(true, true))
                    .required()
                    .help("Host, host:port or http(s):// URL of the plug (port 80 by default)"),
            )
            .param(
                ParamSpec::new("power_user", "Web user", ParamKind::String)
                    .default_value("admin")
                    .help("Tasmota's web user (WEB_USERNAME), used only with a password"),
            )
            .param(
                ParamSpec::new("power_pass", "Web password", ParamKind::Password)
                    .help("Tasmota's WebPassword; leave empty when none is set"),
            )
            .param(
                ParamSpec::new("relay", "Relay", ParamKind::integer(1, 8))
                    .default_value("1")
                    .node_scope()
                    .help("The relay (Power1 to Power8) the machine is on"),
            )
            .param(plugin_sdk::http::timeout_param(5000))
            .param(plugin_sdk::http::verify_tls_param())
    }

    fn open(params: &Params) -> Result<Self, DriverError> {
        let addr = params.text("power_address").unwrap_or_default();
        let opts = HttpOptions::from_params(params, 5000, 64 * 1024);
        let http = HttpClient::new(addr, Auth::None, opts)?;
        let base = if addr.contains("://") { addr.trim_end_matches('/').to_owned() } else { format!("http://{addr}") };
        Ok(Self {
            http,
            user: params.text("power_user").unwrap_or("admin").to_owned(),
            pass: params.secret("power_pass").filter(|s| !s.is_empty()).cloned(),
            relay: u8::try_from(params.integer("relay").unwrap_or(1)).unwrap_or(1),
            what: format!("the Tasmota plug at {base}"),
        })
    }

    fn on(&self) -> Result<CallOutcome, DriverError> {
        self.set(true)
    }

    fn off(&self) -> Result<CallOutcome, DriverError> {
        self.set(false)
    }

    fn query(&self) -> Result<PowerState, DriverError> {
        Ok(if self.power("")? { PowerState::On } else { PowerState::Off })
    }
}

plugin_sdk::export_driver!(Tasmota);

#[cfg(test)]
mod tests {
    use super::*;
    use plugin_sdk::conformance::FakeDevice;

    #[test]
    fn conforms_against_a_fake_plug_and_a_closed_port() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
        plugin_sdk::conformance::assert_conforms::<Tasmota>(&[("power_address", &closed)]);
        // The success and wrong-password paths, with the kit's secrets in the query string.
        let plug = FakeDevice::http(|r| {
            let body = if r.line.contains("password=") && r.line.contains("Power1%20On") {
                r#"{"POWER":"ON"}"#
            } else if r.line.contains("password=") {
                r#"{"WARNING":"Need user=<username>&password=<password>"}"#
            } else {
                r#"{"POWER":"OFF"}"#
            };
            FakeDevice::http_response(200, "application/json", body)
        });
        plugin_sdk::conformance::assert_conforms::<Tasmota>(&[("power_address", &plug.addr())]);
    }
}
