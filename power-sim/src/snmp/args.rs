//! `SnmpArgs`: the clap flags of `powerplug simulate pdu|poe` and the fields tests set (several
//! SNMPv3 users), with the `--v3-user`'s passphrases from the environment only. Plain data:
//! `agent.rs` starts snmpd with them, `pass_persist.rs` builds the model from them.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

use super::model::SnmpModel;
use super::outlet_range::OutletRange;
use super::v3_user::{AuthProtocol, Passphrase, PrivProtocol, V3User};

/// The environment variable with the `--v3-user`'s authentication passphrase.
pub const AUTH_PASS_ENV: &str = "POWERPLUG_SIM_SNMP_AUTH_PASS";
/// The environment variable with the `--v3-user`'s privacy passphrase.
pub const PRIV_PASS_ENV: &str = "POWERPLUG_SIM_SNMP_PRIV_PASS";

/// Arguments of `powerplug simulate pdu` and `powerplug simulate poe` (model `poe`).
#[derive(Debug, Clone, clap::Args)]
pub struct SnmpArgs {
    /// The MIB the agent serves (`simulate poe` is `--model poe`).
    #[arg(long, value_enum, default_value_t = SnmpModel::Apc)]
    pub model: SnmpModel,
    /// Address to listen on (UDP).
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
    /// UDP port (161 needs root; 0 picks a free one and prints it).
    #[arg(long, default_value_t = 1161)]
    pub port: u16,
    /// Number of outlets.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub outlets: u32,
    /// Number of PSE groups (stack members); ports are `group.port`.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=16))]
    pub groups: u32,
    /// PoE ports per group.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub ports: u32,
    /// Outlets (PoE: admin-enabled ports) on at start: `1,3-5`; PoE ports as `2.7`, or `4`
    /// for `1.4`. Default: none.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub on: Vec<OutletRange>,
    /// Fault: these outlets (ports) answer SETs with success but never change.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub stuck: Vec<OutletRange>,
    /// PoE: no powered device on these ports (enabled, they show `searching`).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub no_device: Vec<OutletRange>,
    /// PoE fault: these ports show `fault` when enabled.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub fault: Vec<OutletRange>,
    /// Fault: a switch takes effect this many milliseconds after the SET; until then the
    /// status (and read-back) shows the old state and the command is pending.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub lag_ms: u64,
    /// Reboot/cycle commands: off now, on again after this many milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    pub reboot_ms: u64,
    /// The delay of the APC "delayed" commands (delayedOn, delayedOff, delayedReboot), in
    /// milliseconds. Eaton's command columns carry their delay themselves (seconds).
    #[arg(long, value_name = "MS", default_value_t = 3000)]
    pub delay_ms: u64,
    /// The read-write community (SNMPv1/v2c; from loopback only when listening on loopback).
    #[arg(
        long,
        value_name = "NAME",
        default_value = "private",
        env = "POWERPLUG_SIM_SNMP_COMMUNITY",
        hide_env_values = true
    )]
    pub community: String,
    /// The read-only community (SNMPv1/v2c).
    #[arg(
        long,
        value_name = "NAME",
        default_value = "public",
        env = "POWERPLUG_SIM_SNMP_RO_COMMUNITY",
        hide_env_values = true
    )]
    pub ro_community: String,
    /// An SNMPv3 user. Its passphrases (8 characters or more) come only from the environment:
    /// POWERPLUG_SIM_SNMP_AUTH_PASS makes it authNoPriv, with POWERPLUG_SIM_SNMP_PRIV_PASS too
    /// authPriv; neither: noAuthNoPriv.
    #[arg(long, value_name = "NAME")]
    pub v3_user: Option<String>,
    /// The --v3-user's authentication protocol.
    #[arg(long, value_name = "PROTOCOL", value_enum, default_value_t = AuthProtocol::Sha)]
    pub v3_auth_protocol: AuthProtocol,
    /// The --v3-user's privacy protocol.
    #[arg(long, value_name = "PROTOCOL", value_enum, default_value_t = PrivProtocol::Aes)]
    pub v3_priv_protocol: PrivProtocol,
    /// The --v3-user may read but not write.
    #[arg(long)]
    pub v3_read_only: bool,
    /// The --v3-user's authentication passphrase (from POWERPLUG_SIM_SNMP_AUTH_PASS only).
    #[arg(skip)]
    pub v3_auth_pass: Option<Passphrase>,
    /// The --v3-user's privacy passphrase (from POWERPLUG_SIM_SNMP_PRIV_PASS only).
    #[arg(skip)]
    pub v3_priv_pass: Option<Passphrase>,
    /// More SNMPv3 users (for tests; the command line has the one --v3-user).
    #[arg(skip)]
    pub v3_users: Vec<V3User>,
    /// Keep the state directory (snmpd.conf, snmpd.log, sets.log, state) after stopping.
    #[arg(long)]
    pub keep: bool,
    /// Internal: run as snmpd's pass_persist program on stdin/stdout.
    #[arg(long, hide = true)]
    pub pass_persist: bool,
    /// The directory for snmpd's files and the state and SET record (default: a fresh one in
    /// the temporary directory, removed on exit unless --keep).
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
}

impl Default for SnmpArgs {
    fn default() -> Self {
        Self {
            model: SnmpModel::Apc,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            outlets: 8,
            groups: 1,
            ports: 8,
            on: Vec::new(),
            stuck: Vec::new(),
            no_device: Vec::new(),
            fault: Vec::new(),
            lag_ms: 0,
            reboot_ms: 1000,
            delay_ms: 3000,
            community: "private".into(),
            ro_community: "public".into(),
            v3_user: None,
            v3_auth_protocol: AuthProtocol::Sha,
            v3_priv_protocol: PrivProtocol::Aes,
            v3_read_only: false,
            v3_auth_pass: None,
            v3_priv_pass: None,
            v3_users: Vec::new(),
            keep: false,
            pass_persist: false,
            state_dir: None,
        }
    }
}

impl SnmpArgs {
    /// Every SNMPv3 user: `v3_users` and the command line's `--v3-user`.
    pub fn all_v3_users(&self) -> Vec<V3User> {
        let mut users = self.v3_users.clone();
        if let Some(name) = &self.v3_user {
            let auth = self.v3_auth_pass.clone().map(|p| (self.v3_auth_protocol, p));
            let privacy =
                if auth.is_some() { self.v3_priv_pass.clone().map(|p| (self.v3_priv_protocol, p)) } else { None };
            users.push(V3User { name: name.clone(), auth, privacy, read_only: self.v3_read_only });
        }
        users
    }

    /// Fills the `--v3-user`'s passphrases from POWERPLUG_SIM_SNMP_AUTH_PASS and
    /// POWERPLUG_SIM_SNMP_PRIV_PASS where they are not set yet (the CLI calls it).
    pub fn passphrases_from_env(&mut self) {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty()).map(Passphrase::new);
        self.v3_auth_pass = self.v3_auth_pass.take().or_else(|| var(AUTH_PASS_ENV));
        self.v3_priv_pass = self.v3_priv_pass.take().or_else(|| var(PRIV_PASS_ENV));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_user_takes_its_passphrases_from_the_arguments_or_environment() {
        let mut args = SnmpArgs { v3_user: Some("ops".into()), ..SnmpArgs::default() };
        assert_eq!(args.all_v3_users()[0].security_level(), "noAuthNoPriv");
        args.v3_auth_pass = Some(Passphrase::new("authpass1"));
        assert_eq!(args.all_v3_users()[0].security_level(), "authNoPriv");
        args.v3_priv_pass = Some(Passphrase::new("privpass1"));
        let users = args.all_v3_users();
        assert_eq!(users[0].security_level(), "authPriv");
        assert!(!format!("{users:?}").contains("authpass1"), "Debug never shows a passphrase");
    }
}
