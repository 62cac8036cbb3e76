//! The `sm15k` driver: switches one server of a SeaMicro SM15000 chassis with the OEM raw IPMI
//! command through the real `ipmitool` (`ipmitool.rs` builds the command line and reads its
//! failures; plugin-sdk's `run_program` runs it with the password in the environment and a
//! timeout). The IPMI path has no documented state command, so `query` answers `unknown`.

mod ipmitool;

use std::thread::sleep;
use std::time::Duration;

use plugin_sdk::program::{run_program, ProgramCall, ProgramError};
use plugin_sdk::{
    CallOutcome, DriverError, DriverInfo, ParamKind, ParamSpec, Params, PowerAction, PowerState, ProgramRequirement,
    Secret,
};

pub use ipmitool::{args, failure, server_id, Session};

/// An opened SM15000 server.
pub struct Sm15k {
    session: Session,
    pass: Secret,
    server: u8,
    timeout: Duration,
    pause: Duration,
    program: String,
}

impl Sm15k {
    fn what(&self) -> String {
        match self.session.port {
            Some(p) => format!("the SM15000 BMC at {}:{p}", self.session.host),
            None => format!("the SM15000 BMC at {}", self.session.host),
        }
    }

    fn send(&self, mode: u8) -> Result<(), DriverError> {
        let mut call = ProgramCall::new(self.program.clone(), args(&self.session, mode, self.server));
        call.timeout = self.timeout;
        call.env.push(("IPMI_PASSWORD".into(), self.pass.expose().to_owned()));
        let out = run_program(&call).map_err(|e| match e {
            ProgramError::NotFound { .. } => DriverError::missing_program(
                "`ipmitool` is not installed; install the Debian package `ipmitool`".to_owned(),
            ),
            ProgramError::TimedOut { after, .. } => DriverError::unreachable(format!(
                "ipmitool did not finish talking to {} within {} ms and was stopped",
                self.what(),
                after.as_millis()
            )),
            other => DriverError::device(other.to_string()),
        })?;
        if out.code == Some(0) {
            plugin_sdk::log::info!("{}: server {} {}", self.what(), self.server, if mode == 1 { "on" } else { "off" });
            Ok(())
        } else {
            Err(failure(&out.stderr, &self.what()))
        }
    }
}

impl plugin_sdk::Driver for Sm15k {
    // The chassis cycles the server: off, `cycle_pause_ms`, on.
    const OWN_CYCLE: bool = true;

    fn describe() -> DriverInfo {
        DriverInfo::new(
            "sm15k",
            "SeaMicro SM15000 server (OEM IPMI command through ipmitool)",
            env!("CARGO_PKG_VERSION"),
        )
        .actions(PowerAction::ALL)
        .chassis()
        .extra_text("maas.native_template", include_str!("maas-native.template"))
        .program(ProgramRequirement::new("ipmitool", "ipmitool", "sends the SeaMicro OEM power command over IPMI LAN"))
        .param(
            ParamSpec::new("power_address", "Chassis IPMI address", ParamKind::host(true, false))
                .required()
                .help("host or host:port ([v6]:port for IPv6)"),
        )
        .param(ParamSpec::new("power_user", "IPMI user", ParamKind::String).default_value("admin"))
        .param(ParamSpec::new("power_pass", "IPMI password", ParamKind::Password))
        .param(
            ParamSpec::new("system_id", "Server number", ParamKind::String)
                .required()
                .node_scope()
                .help("the SeaMicro server id: 12 or 12/0 (0 to 255)"),
        )
        .param(
            ParamSpec::new(
                "privilege",
                "IPMI privilege",
                ParamKind::choice([
                    ("OPERATOR", "Operator"),
                    ("ADMINISTRATOR", "Administrator"),
                    ("USER", "User"),
                    ("CALLBACK", "Callback"),
                ]),
            )
            .default_value("OPERATOR"),
        )
        .param(ParamSpec::new("cipher_suite", "Cipher suite", ParamKind::integer(0, 17)).default_value("3"))
        .param(ParamSpec::new("retries", "Retries", ParamKind::integer(1, 10)).default_value("2"))
        .param(ParamSpec::new("timeout_ms", "Timeout (ms)", ParamKind::integer(500, 120_000)).default_value("10000"))
        .param(
            ParamSpec::new("cycle_pause_ms", "Pause between off and on (ms)", ParamKind::integer(0, 120_000))
                .default_value("5000"),
        )
    }

    fn open(params: &Params) -> Result<Self, DriverError> {
        let addr = params.text("power_address").unwrap_or_default();
        let (host, port) = plugin_sdk::split_host_port(addr)
            .map_err(|why| DriverError::invalid_parameter(format!("`power_address`: {why}")))?;
        let port = port
            .map(|p| p.parse::<u16>().map_err(|_| DriverError::invalid_parameter("`power_address` has a bad port")))
            .transpose()?;
        let num = |n: &str, d: i64| params.integer(n).unwrap_or(d);
        Ok(Self {
            session: Session {
                host: host.to_owned(),
                port,
                user: params.text("power_user").unwrap_or("admin").to_owned(),
                privilege: params.text("privilege").unwrap_or("OPERATOR").to_owned(),
                cipher_suite: u8::try_from(num("cipher_suite", 3)).unwrap_or(3),
                retries: u8::try_from(num("retries", 2)).unwrap_or(2),
            },
            pass: params.secret("power_pass").cloned().unwrap_or_else(|| Secret::new("")),
            server: server_id(params.text("system_id").unwrap_or_default())?,
            timeout: Duration::from_millis(num("timeout_ms", 10_000).unsigned_abs()),
            pause: Duration::from_millis(num("cycle_pause_ms", 5000).unsigned_abs()),
            program: "ipmitool".into(),
        })
    }

    fn on(&self) -> Result<CallOutcome, DriverError> {
        self.send(1).map(|()| CallOutcome::default())
    }

    fn off(&self) -> Result<CallOutcome, DriverError> {
        self.send(6).map(|()| CallOutcome::default())
    }

    fn cycle(&self) -> Result<CallOutcome, DriverError> {
        self.send(6)?;
        sleep(self.pause);
        self.send(1).map(|()| CallOutcome::default())
    }

    fn query(&self) -> Result<PowerState, DriverError> {
        // The IPMI path has no documented state command; never guess.
        Ok(PowerState::Unknown)
    }
}

plugin_sdk::export_driver!(Sm15k);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conforms() {
        let dead = std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
        plugin_sdk::conformance::assert_conforms::<Sm15k>(&[
            ("power_address", &dead),
            ("system_id", "12/0"),
            ("timeout_ms", "3000"),
            ("retries", "1"),
        ]);
    }
}
