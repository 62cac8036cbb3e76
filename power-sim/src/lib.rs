//! # power-sim: simulators of the devices powerplug drives
//!
//! Shipped to users as `powerplug simulate <device>` (dry-run a MAAS setup without hardware) and
//! used by the integration tests, so what the tests prove is what users run. Each module owns one
//! device: its clap arguments, a handle to start it in-process on loopback, and `run` for the CLI.
//! Simulators never print: `run` reports events through a callback the caller writes out.
//!
//! - `dli`: Digital Loggers Web Power Switch (legacy CGI and REST API);
//! - `sm15k`: a SeaMicro SM15000 BMC that real `ipmitool` talks to;
//! - `homeassistant`: Home Assistant's REST API (states and services, Bearer token);
//! - `kasa`: a TP-Link Kasa plug or strip on the legacy XOR protocol (TCP 9999);
//! - `shelly`: a Shelly relay, Gen1 (HTTP, Basic) or Gen2+ (RPC over HTTP, Digest SHA-256);
//! - `snmp`: SNMP PDUs (APC, Raritan, Eaton, CyberPower) and a PoE switch on real Net-SNMP
//!   snmpd (v1, v2c, v3), the MIBs served by our pass_persist program;
//! - `tasmota`: a Tasmota smart plug's HTTP `cm` command endpoint;
//! - `wol`: a UDP listener that decodes wake-on-LAN magic packets;
//! - `http`: the minimal HTTP/1.1 server core the HTTP simulators share;
//! - `server`: the TCP listener, connection threads and `simulate` loop every network simulator shares.

pub mod dli;
pub mod homeassistant;
mod http;
pub mod kasa;
mod server;
pub mod shelly;
pub mod sm15k;
pub mod snmp;
pub mod tasmota;
pub mod wol;

/// Why a simulator could not start or stopped. The message says what failed; the cause is the
/// `source` (the CLI prints the chain, `what: cause`).
#[derive(Debug, thiserror::Error)]
#[error("{what}")]
pub struct SimError {
    what: String,
    #[source]
    source: std::io::Error,
}

impl SimError {
    /// An I/O failure while doing `what` (e.g. "cannot bind 127.0.0.1:9").
    pub fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        Self { what: what.into(), source }
    }
}
