//! Example driver for a relay board that takes `ON n`, `OFF n` and `STATE n` lines over TCP.
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

use plugin_sdk::{CallOutcome, DriverError, DriverInfo, ParamKind, ParamSpec, Params, PowerAction, PowerState};

pub struct Relay {
    address: String,
    relay: i64,
}

impl Relay {
    fn send(&self, verb: &str) -> Result<String, DriverError> {
        let fail = |e: std::io::Error| DriverError::unreachable(format!("relay board at {}: {e}", self.address));
        let mut conn = TcpStream::connect(&self.address).map_err(fail)?;
        conn.set_read_timeout(Some(Duration::from_secs(5))).map_err(fail)?;
        writeln!(conn, "{verb} {}", self.relay).map_err(fail)?;
        let mut reply = String::new();
        BufReader::new(conn).read_line(&mut reply).map_err(fail)?;
        Ok(reply.trim().to_owned())
    }
}

impl plugin_sdk::Driver for Relay {
    fn describe() -> DriverInfo {
        DriverInfo::new("relay", "TCP relay board", env!("CARGO_PKG_VERSION"))
            .actions([PowerAction::On, PowerAction::Off, PowerAction::Cycle, PowerAction::Query])
            .real_query()
            .param(ParamSpec::new("power_address", "Board address", ParamKind::host(true, false)).required())
            .param(ParamSpec::new("relay", "Relay number", ParamKind::integer(1, 16)).required().node_scope())
    }

    fn open(params: &Params) -> Result<Self, DriverError> {
        let address = params.text("power_address").unwrap_or_default();
        let address = if address.contains(':') { address.to_owned() } else { format!("{address}:5000") };
        Ok(Relay { address, relay: params.integer("relay").unwrap_or(1) })
    }

    fn on(&self) -> Result<CallOutcome, DriverError> {
        self.send("ON").map(|_| CallOutcome::default())
    }

    fn off(&self) -> Result<CallOutcome, DriverError> {
        self.send("OFF").map(|_| CallOutcome::default())
    }

    fn query(&self) -> Result<PowerState, DriverError> {
        match self.send("STATE")?.as_str() {
            "1" => Ok(PowerState::On),
            "0" => Ok(PowerState::Off),
            other => Err(DriverError::device(format!("relay board answered {other:?}"))),
        }
    }
}

plugin_sdk::export_driver!(Relay);
