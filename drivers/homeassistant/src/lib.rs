//! The `homeassistant` driver: any entity Home Assistant can switch — `switch`, `light`,
//! `input_boolean`, `fan`… — through its REST API on the SDK's HTTP helper:
//! `POST /api/services/<domain>/turn_on|turn_off` with `{"entity_id": …}`, then
//! `GET /api/states/<entity_id>` to read the state back; a long-lived access token as a Bearer
//! secret; `https` verified by default (or a CA file). `unavailable` is a device error naming the
//! entity. `cycle` is the SDK's: off, `cycle_off_ms`, on.

use plugin_sdk::http::{Auth, Body, HttpClient, HttpOptions, Query};
use plugin_sdk::{CallOutcome, DriverError, DriverInfo, ParamKind, ParamSpec, Params, PowerAction, PowerState};

/// One opened entity.
pub struct HomeAssistant {
    http: HttpClient,
    entity: String,
    domain: String,
    base: String,
}

impl HomeAssistant {
    fn state(&self) -> Result<PowerState, DriverError> {
        let path = format!("/api/states/{}", self.entity);
        let reply = self.http.get(&path, &Query::new())?;
        if reply.status == 404 {
            return Err(DriverError::invalid_parameter(format!(
                "`entity_id` {}: Home Assistant at {} has no such entity",
                self.entity, self.base
            )));
        }
        if reply.status != 200 {
            return Err(DriverError::device(format!(
                "Home Assistant at {} answered HTTP {} to {path}",
                self.base, reply.status
            )));
        }
        let json = reply.json(&format!("Home Assistant at {}", self.base), &path)?;
        match json.get("state").and_then(|s| s.as_str()) {
            Some("on") => Ok(PowerState::On),
            Some("off") => Ok(PowerState::Off),
            Some("unavailable") => Err(DriverError::device(format!(
                "entity {} is unavailable in Home Assistant at {} (the device behind it is offline)",
                self.entity, self.base
            ))),
            other => Err(DriverError::device(format!(
                "entity {} reports state {:?}, neither on nor off",
                self.entity,
                other.unwrap_or("(none)")
            ))),
        }
    }

    fn set(&self, on: bool) -> Result<CallOutcome, DriverError> {
        let service = if on { "turn_on" } else { "turn_off" };
        let path = format!("/api/services/{}/{service}", self.domain);
        let body = Body::Json(serde_json::json!({ "entity_id": self.entity }).to_string());
        let reply = self.http.post(&path, &Query::new(), body)?;
        if reply.status != 200 {
            return Err(DriverError::device(format!(
                "Home Assistant at {} answered HTTP {} to {path}: \"{}\"",
                self.base,
                reply.status,
                reply.excerpt(80)
            )));
        }
        let want = if on { PowerState::On } else { PowerState::Off };
        match self.state()? {
            s if s == want => Ok(CallOutcome::with_state(want)),
            s => Err(DriverError::device(format!("entity {} still reports {s} after {service}", self.entity))),
        }
    }
}

impl plugin_sdk::Driver for HomeAssistant {
    fn describe() -> DriverInfo {
        DriverInfo::new(
            "homeassistant",
            "Home Assistant entity (switch, light, input_boolean…)",
            env!("CARGO_PKG_VERSION"),
        )
        .actions([PowerAction::On, PowerAction::Off, PowerAction::Cycle, PowerAction::Query])
        .real_query()
        .param(
            ParamSpec::new("power_address", "Home Assistant", ParamKind::host(true, true))
                .required()
                .help("http(s)://host:port, or a host (port 8123, http)"),
        )
        .param(
            ParamSpec::new("power_pass", "Access token", ParamKind::Password)
                .required()
                .help("A long-lived access token (your Home Assistant profile page)"),
        )
        .param(
            ParamSpec::new("entity_id", "Entity", ParamKind::String)
                .required()
                .node_scope()
                .help("The entity that powers the machine, e.g. switch.rack_pc"),
        )
        .param(plugin_sdk::http::timeout_param(10_000))
        .param(plugin_sdk::http::verify_tls_param())
        .param(
            ParamSpec::new("ca_file", "CA certificate (PEM)", ParamKind::String)
                .help("Trust this certificate for https://"),
        )
    }

    fn open(params: &Params) -> Result<Self, DriverError> {
        let addr = params.text("power_address").unwrap_or_default();
        let base = match (addr.contains("://"), plugin_sdk::split_host_port(addr)) {
            (true, _) => addr.trim_end_matches('/').to_owned(),
            (false, Ok((_, Some(_)))) => format!("http://{addr}"),
            (false, _) => format!("http://{addr}:8123"),
        };
        let entity = params.text("entity_id").unwrap_or_default().trim().to_owned();
        let Some((domain, object)) = entity.split_once('.') else {
            return Err(DriverError::invalid_parameter(format!(
                "`entity_id` {entity:?}: expected domain.object_id, e.g. switch.rack_pc"
            )));
        };
        let valid =
            |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid(domain) || !valid(object) {
            return Err(DriverError::invalid_parameter(format!(
                "`entity_id` {entity:?}: lowercase letters, digits and _ on each side of the dot"
            )));
        }
        let token = params
            .secret("power_pass")
            .cloned()
            .ok_or_else(|| DriverError::invalid_parameter("`power_pass` (the access token) is required"))?;
        let opts = HttpOptions::from_params(params, 10_000, 256 * 1024);
        Ok(Self { http: HttpClient::new(&base, Auth::Bearer(token), opts)?, domain: domain.to_owned(), entity, base })
    }

    fn on(&self) -> Result<CallOutcome, DriverError> {
        self.set(true)
    }

    fn off(&self) -> Result<CallOutcome, DriverError> {
        self.set(false)
    }

    fn query(&self) -> Result<PowerState, DriverError> {
        self.state()
    }
}

plugin_sdk::export_driver!(HomeAssistant);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conforms() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
        plugin_sdk::conformance::assert_conforms::<HomeAssistant>(&[
            ("power_address", &closed),
            ("entity_id", "switch.pc"),
        ]);
    }
}
