//! A test plugin exporting two drivers from one library: `mock`, a device whose power state is a
//! file (so separate `powerplug` processes see one state), with a parameter of every kind; and
//! `mock_pdu`, a minimal second driver. Used by the integration tests, never shipped.

use std::fs;

use plugin_sdk::{CallOutcome, DriverError, DriverInfo, ParamKind, ParamSpec, Params, PowerAction, PowerState};

/// A fake device whose state is the content of `state_file` (`on` or `off`).
pub struct Mock {
    file: String,
}

impl plugin_sdk::Driver for Mock {
    fn describe() -> DriverInfo {
        DriverInfo::new("mock", "Test device whose power state lives in a file", env!("CARGO_PKG_VERSION"))
            .actions(PowerAction::ALL)
            .real_query()
            .param(
                ParamSpec::new("state_file", "State file", ParamKind::String)
                    .required()
                    .help("Where the state is kept"),
            )
            .param(ParamSpec::new("power_pass", "Password", ParamKind::Password).help("Must be `letmein` when given"))
            .param(ParamSpec::new("outlet_id", "Outlet", ParamKind::integer(1, 8)).node_scope())
            .param(ParamSpec::new("mac_address", "MAC", ParamKind::MacAddress).node_scope())
            .param(ParamSpec::new("power_address", "Address", ParamKind::host(true, true)))
            .param(ParamSpec::new("port", "Port", ParamKind::Port))
            .param(ParamSpec::new("verify", "Verify", ParamKind::Boolean).default_value("true"))
            .param(
                ParamSpec::new("mode", "Mode", ParamKind::choice([("fast", "Fast"), ("slow", "Slow")]))
                    .default_value("fast"),
            )
            .param(
                ParamSpec::new(
                    "fail",
                    "Fail with",
                    ParamKind::choice([
                        ("none", "No failure"),
                        ("unreachable", "Unreachable"),
                        ("device", "Device error"),
                    ]),
                )
                .default_value("none"),
            )
    }

    fn open(params: &Params) -> Result<Self, DriverError> {
        if let Some(p) = params.secret("power_pass") {
            if p.expose() != "letmein" {
                // A careless log line on purpose: the host must redact it.
                plugin_sdk::log::debug!("mock: rejecting password {}", p.expose());
                return Err(DriverError::authentication("the mock device rejected the password"));
            }
        }
        match params.text("fail") {
            Some("unreachable") => return Err(DriverError::unreachable("the mock device did not answer")),
            Some("device") => return Err(DriverError::device("the mock device reported an error")),
            _ => {}
        }
        plugin_sdk::log::info!("mock opened with state file {}", params.text("state_file").unwrap_or_default());
        Ok(Self { file: params.text("state_file").unwrap_or_default().to_owned() })
    }

    fn on(&self) -> Result<CallOutcome, DriverError> {
        self.set("on")
    }

    fn off(&self) -> Result<CallOutcome, DriverError> {
        self.set("off")
    }

    fn query(&self) -> Result<PowerState, DriverError> {
        match fs::read_to_string(&self.file).unwrap_or_default().trim() {
            "on" => Ok(PowerState::On),
            "off" | "" => Ok(PowerState::Off),
            other => Err(DriverError::device(format!("state file holds {other:?}"))),
        }
    }
}

impl Mock {
    fn set(&self, state: &str) -> Result<CallOutcome, DriverError> {
        plugin_sdk::log::debug!("mock: writing {state}");
        fs::write(&self.file, state).map_err(|e| DriverError::device(format!("cannot write {}: {e}", self.file)))?;
        Ok(CallOutcome::default().note(format!("mock switched {state}")))
    }
}

/// A second driver in the same library: on only, no parameters.
pub struct MockPdu;

impl plugin_sdk::Driver for MockPdu {
    fn describe() -> DriverInfo {
        DriverInfo::new("mock_pdu", "Second test driver in the same library", "0.1.0")
            .actions([PowerAction::On])
            .unsupported_because(PowerAction::Off, "the mock PDU has no off switch")
    }

    fn open(_: &Params) -> Result<Self, DriverError> {
        Ok(Self)
    }

    fn on(&self) -> Result<CallOutcome, DriverError> {
        Ok(CallOutcome::default())
    }
}

/// A driver that needs a program no machine has.
pub struct MockNeedsTool;

impl plugin_sdk::Driver for MockNeedsTool {
    fn describe() -> DriverInfo {
        DriverInfo::new("mock_tool", "Test driver needing a missing program", "0.1.0")
            .actions([PowerAction::On])
            .program(plugin_sdk::ProgramRequirement::new(
                "powerplug-no-such-tool",
                "powerplug-no-such-package",
                "testing",
            ))
    }

    fn open(_: &Params) -> Result<Self, DriverError> {
        Ok(Self)
    }
}

plugin_sdk::export_driver!(Mock);
plugin_sdk::export_driver!(MockNeedsTool);
plugin_sdk::export_driver!(MockPdu);

#[cfg(test)]
mod tests {
    #[test]
    fn conforms() {
        let dir = std::env::temp_dir().join(format!("mock-conf-{}", std::process::id()));
        let file = dir.to_string_lossy().into_owned();
        plugin_sdk::conformance::assert_conforms::<super::Mock>(&[("state_file", &file), ("power_pass", "letmein")]);
        plugin_sdk::conformance::assert_conforms::<super::MockPdu>(&[]);
        let _ = std::fs::remove_file(dir);
    }
}
