//! The SNMP agent simulator: real Net-SNMP `snmpd` (Debian `snmpd`) on loopback, with SNMPv1,
//! v2c and v3 (USM) done by snmpd itself, and the PDU or PoE switch MIB served by our own
//! pass_persist program, which is `powerplug simulate pdu --pass-persist`. Models: APC rPDU
//! (with the sPDU table), APC rPDU2, APC MasterSwitch, Raritan PX2, Eaton ePDU, CyberPower
//! ePDU, and a PoE switch (POWER-ETHERNET-MIB); faults: stuck outlets, lagging status, PoE
//! ports without a device or faulty. Clients see real BER, real USM and real error statuses.
//!
//! - `args`: `SnmpArgs`; `model`: the models; `v3_user`: SNMPv3 users; `outlet_range`: the
//!   outlet lists;
//! - `agent`: `SnmpSim`, which runs snmpd (and `conf`, its snmpd.conf; `child`, the process);
//! - `pass_persist`: the program snmpd runs, on `mib` (OIDs and values) over `outlets` (the
//!   relays), recording into the state directory (`record`);
//! - `run`: `powerplug simulate pdu|poe`, until SIGINT or SIGTERM (`stop_signal`).
//!
//! Like every simulator it never prints: `run` reports through a callback, and the
//! pass_persist program writes only its protocol to the stream it is given.

mod agent;
mod args;
mod child;
mod conf;
mod mib;
mod model;
mod oid;
mod outlet_range;
mod outlets;
mod pass_persist;
mod record;
mod stop_signal;
mod v3_user;

use std::thread;
use std::time::Duration;

pub use agent::SnmpSim;
pub use args::{SnmpArgs, AUTH_PASS_ENV, PRIV_PASS_ENV};
pub use model::SnmpModel;
pub use outlet_range::OutletRange;
pub use pass_persist::pass_persist;
pub use v3_user::{AuthProtocol, Passphrase, PrivProtocol, V3User};

use crate::SimError;

/// Runs the agent for `powerplug simulate pdu|poe` until SIGINT or SIGTERM, reporting each SET
/// it answers; then stops snmpd. The `--v3-user`'s passphrases come from the environment.
pub fn run(args: &SnmpArgs, events: &mut dyn FnMut(&str)) -> Result<(), SimError> {
    let mut args = args.clone();
    args.passphrases_from_env();
    let exe = std::env::current_exe().map_err(|e| SimError::io("cannot find the powerplug executable", e))?;
    stop_signal::install().map_err(|e| SimError::io("cannot handle SIGINT and SIGTERM", e))?;
    let sim = SnmpSim::start(args.clone(), &exe)?;
    events(&banner(&args, &sim));
    let mut seen = 0;
    while !stop_signal::requested() {
        thread::sleep(Duration::from_millis(100));
        let sets = sim.sets();
        for line in sets.iter().skip(seen) {
            events(line);
        }
        seen = sets.len();
    }
    events("stopping snmpd");
    drop(sim);
    Ok(())
}

/// The start-up line: model, size, address, how to authenticate (never a passphrase; the
/// communities by name only when they are the well-known defaults), the state directory.
fn banner(args: &SnmpArgs, sim: &SnmpSim) -> String {
    let size = if args.model.is_poe() {
        format!("{} group(s) of {} ports", args.groups, args.ports)
    } else {
        format!("{} outlets", args.outlets)
    };
    let communities = if args.community == "private" && args.ro_community == "public" {
        "v1/v2c communities private (read-write) and public (read-only)".to_owned()
    } else {
        "v1/v2c read-write community from --community, read-only from --ro-community".to_owned()
    };
    let mut text = format!(
        "SNMP agent (model {}, {size}, sysObjectID {}) on {}; {communities}",
        args.model,
        args.model.sys_object_id(),
        sim.target()
    );
    for user in args.all_v3_users() {
        let protocols = match (&user.auth, &user.privacy) {
            (Some((a, _)), Some((p, _))) => format!(" {}/{}", a.name(), p.name()),
            (Some((a, _)), None) => format!(" {}", a.name()),
            _ => String::new(),
        };
        let access = if user.read_only { "read-only" } else { "read-write" };
        text.push_str(&format!("; v3 user {} ({}{protocols}, {access})", user.name, user.security_level()));
    }
    text.push_str(&format!("; state in {}", sim.state_dir().display()));
    text
}
