//! The `shelly` driver: Shelly relays over the local HTTP API, on the SDK's HTTP helper.
//! Gen1: `GET /relay/<id>?turn=on|off` and `GET /relay/<id>` (`ison`), HTTP Basic when a password
//! is set. Gen2+ (Gen3 and Gen4 alike): `GET /rpc/Switch.Set?id=<id>&on=true|false` and
//! `GET /rpc/Switch.GetStatus?id=<id>` (`output`), HTTP Digest SHA-256 (user `admin`).
//! `generation = auto` reads `/shelly` (never authenticated) once per opened device. Every change
//! is read back. `cycle` is the SDK's: off, `cycle_off_ms`, on.

use std::sync::OnceLock;

use plugin_sdk::http::{Auth, HttpClient, HttpOptions, Query, Reply};
use plugin_sdk::{CallOutcome, DriverError, DriverInfo, ParamKind, ParamSpec, Params, PowerAction, PowerState};

/// One opened device.
pub struct Shelly {
    base: String,
    user: String,
    pass: Option<plugin_sdk::Secret>,
    id: u32,
    asked: Option<u8>,
    opts: HttpOptions,
    /// The generation and its client, learned on first use.
    client: OnceLock<(u8, HttpClient)>,
}

impl Shelly {
    fn what(&self) -> String {
        format!("the Shelly device at {}", self.base)
    }

    fn client(&self) -> Result<&(u8, HttpClient), DriverError> {
        if let Some(c) = self.client.get() {
            return Ok(c);
        }
        let gen = match self.asked {
            Some(g) => g,
            None => {
                let probe = HttpClient::new(&self.base, Auth::None, self.opts.clone())?;
                let info = probe.get("/shelly", &Query::new())?;
                let json: serde_json::Value = serde_json::from_str(&info.body).map_err(|_| {
                    DriverError::device(format!(
                        "{}: /shelly is not JSON (\"{}\"); set `generation`",
                        self.what(),
                        info.excerpt(60)
                    ))
                })?;
                match json.get("gen").and_then(serde_json::Value::as_u64) {
                    Some(g) if g >= 2 => 2,
                    _ if json.get("type").is_some() => 1,
                    _ => {
                        return Err(DriverError::device(format!(
                            "{}: /shelly names no generation; set `generation`",
                            self.what()
                        )))
                    }
                }
            }
        };
        plugin_sdk::log::info!("{}: Gen{gen} API", self.what());
        let auth = match (&self.pass, gen) {
            (None, _) => Auth::None,
            (Some(p), 1) => Auth::Basic { user: self.user.clone(), pass: p.clone() },
            (Some(p), _) => Auth::Digest { user: self.user.clone(), pass: p.clone() },
        };
        let c = HttpClient::new(&self.base, auth, self.opts.clone())?;
        Ok(self.client.get_or_init(|| (gen, c)))
    }

    fn json(&self, reply: &Reply, what: &str) -> Result<serde_json::Value, DriverError> {
        if reply.status == 404 || reply.body.contains("not found") {
            return Err(DriverError::invalid_parameter(format!(
                "`switch_id` {}: {} has no such switch (HTTP {} to {what})",
                self.id,
                self.what(),
                reply.status
            )));
        }
        if reply.status != 200 {
            return Err(DriverError::device(format!(
                "{} answered HTTP {} to {what}: \"{}\"",
                self.what(),
                reply.status,
                reply.excerpt(80)
            )));
        }
        reply.json(&self.what(), what)
    }

    /// The output's state, after setting it when `set` is given.
    fn output(&self, set: Option<bool>) -> Result<bool, DriverError> {
        let (gen, c) = self.client()?;
        let id = self.id.to_string();
        if *gen == 1 {
            let path = format!("/relay/{id}");
            let q = match set {
                Some(on) => Query::new().pair("turn", if on { "on" } else { "off" }),
                None => Query::new(),
            };
            let j = self.json(&c.get(&path, &q)?, &path)?;
            return j
                .get("ison")
                .and_then(serde_json::Value::as_bool)
                .ok_or_else(|| DriverError::device(format!("{} answered {path} without `ison`", self.what())));
        }
        if let Some(on) = set {
            let q = Query::new().pair("id", &id).pair("on", if on { "true" } else { "false" });
            self.json(&c.get("/rpc/Switch.Set", &q)?, "Switch.Set")?;
        }
        let j = self.json(&c.get("/rpc/Switch.GetStatus", &Query::new().pair("id", &id))?, "Switch.GetStatus")?;
        j.get("output")
            .and_then(serde_json::Value::as_bool)
            .ok_or_else(|| DriverError::device(format!("{} answered Switch.GetStatus without `output`", self.what())))
    }

    fn set(&self, on: bool) -> Result<CallOutcome, DriverError> {
        let now = self.output(Some(on))?;
        if now != on {
            return Err(DriverError::device(format!(
                "switch {} of {} still reports {} after the change",
                self.id,
                self.what(),
                if now { "on" } else { "off" }
            )));
        }
        Ok(CallOutcome::with_state(if on { PowerState::On } else { PowerState::Off }))
    }
}

impl plugin_sdk::Driver for Shelly {
    fn describe() -> DriverInfo {
        DriverInfo::new("shelly", "Shelly relay (Gen1 HTTP, Gen2+ RPC)", env!("CARGO_PKG_VERSION"))
            .actions([PowerAction::On, PowerAction::Off, PowerAction::Cycle, PowerAction::Query])
            .real_query()
            .param(
                ParamSpec::new("power_address", "Device address", ParamKind::host(true, true))
                    .required()
                    .help("Host, host:port or http(s):// URL of the Shelly (port 80 by default)"),
            )
            .param(
                ParamSpec::new("power_user", "User", ParamKind::String)
                    .default_value("admin")
                    .help("Gen2+ always uses admin; Gen1 uses the configured login"),
            )
            .param(
                ParamSpec::new("power_pass", "Password", ParamKind::Password)
                    .help("Leave empty when authentication is off"),
            )
            .param(
                ParamSpec::new("switch_id", "Switch id", ParamKind::integer(0, 15))
                    .default_value("0")
                    .node_scope()
                    .help("The device's own 0-based relay / switch id"),
            )
            .param(
                ParamSpec::new(
                    "generation",
                    "API generation",
                    ParamKind::choice([("auto", "Detect from /shelly"), ("1", "Gen1"), ("2", "Gen2 and later")]),
                )
                .default_value("auto"),
            )
            .param(plugin_sdk::http::timeout_param(5000))
            .param(plugin_sdk::http::verify_tls_param())
    }

    fn open(params: &Params) -> Result<Self, DriverError> {
        let addr = params.text("power_address").unwrap_or_default();
        let base = if addr.contains("://") { addr.trim_end_matches('/').to_owned() } else { format!("http://{addr}") };
        Ok(Self {
            base,
            user: params.text("power_user").unwrap_or("admin").to_owned(),
            pass: params.secret("power_pass").filter(|s| !s.is_empty()).cloned(),
            id: u32::try_from(params.integer("switch_id").unwrap_or(0)).unwrap_or(0),
            asked: match params.text("generation") {
                Some("1") => Some(1),
                Some("2") => Some(2),
                _ => None,
            },
            opts: HttpOptions::from_params(params, 5000, 64 * 1024),
            client: OnceLock::new(),
        })
    }

    fn on(&self) -> Result<CallOutcome, DriverError> {
        self.set(true)
    }

    fn off(&self) -> Result<CallOutcome, DriverError> {
        self.set(false)
    }

    fn query(&self) -> Result<PowerState, DriverError> {
        Ok(if self.output(None)? { PowerState::On } else { PowerState::Off })
    }
}

plugin_sdk::export_driver!(Shelly);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conforms() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
        plugin_sdk::conformance::assert_conforms::<Shelly>(&[("power_address", &closed)]);
        plugin_sdk::conformance::assert_conforms::<Shelly>(&[("power_address", &closed), ("generation", "2")]);
    }
}
