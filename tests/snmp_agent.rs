//! The SNMP agent simulator (`power_sim::snmp`: real snmpd, our pass_persist MIB model) checked
//! with Net-SNMP's own `snmpget`/`snmpset`/`snmpwalk` as the reference client: every model's
//! sysObjectID, status and control values, switching and walking; SNMP error statuses for
//! access, types, values and missing objects; SNMPv3 at each security level and its failures;
//! PoE detection; the stuck, lag and reboot faults; `powerplug simulate pdu` as a process; no
//! secret on any command line and no process left behind.
//!
//! Also the helpers the driver tests and benchmarks reuse: [`NetSnmpConf`] (credentials in a
//! private snmp.conf, never on argv) and [`net_snmp`].

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use std::{fs, thread};

use power_sim::snmp::{AuthProtocol, OutletRange, PrivProtocol, SnmpArgs, SnmpModel, SnmpSim, V3User};

use crate::test::{powerplug, private_file, require_program, scratch};

/// A Net-SNMP client configuration in its own private directory: `snmp.conf` with the SNMP
/// version and credentials (`defVersion`, `defCommunity`, `defSecurityName`,
/// `defSecurityLevel`, `defAuthType`, `defAuthPassphrase`, `defPrivType`,
/// `defPrivPassphrase`; see snmp.conf(5)) and numeric OIDs (`printNumericOids`). Tools find it
/// through SNMPCONFPATH, so no community or passphrase is on their command line. The tools'
/// persistent files go there too. Removed on drop.
pub(crate) struct NetSnmpConf {
    dir: PathBuf,
}

impl NetSnmpConf {
    /// SNMPv2c with `community`.
    pub(crate) fn v2c(community: &str) -> Self {
        Self::community("2c", community)
    }

    /// SNMPv1 with `community`.
    pub(crate) fn v1(community: &str) -> Self {
        Self::community("1", community)
    }

    /// SNMP `version` (`1` or `2c`) with `community`.
    pub(crate) fn community(version: &str, community: &str) -> Self {
        Self::with_lines(&[format!("defVersion {version}"), format!("defCommunity {community}")])
    }

    /// SNMPv3 as `user`: its name, security level, protocols and passphrases.
    pub(crate) fn v3(user: &V3User) -> Self {
        let mut lines = vec![
            "defVersion 3".to_owned(),
            format!("defSecurityName {}", user.name),
            format!("defSecurityLevel {}", user.security_level()),
        ];
        if let Some((protocol, pass)) = &user.auth {
            lines.push(format!("defAuthType {}", protocol.name()));
            lines.push(format!("defAuthPassphrase {}", quoted(pass.expose())));
        }
        if let Some((protocol, pass)) = &user.privacy {
            lines.push(format!("defPrivType {}", protocol.name()));
            lines.push(format!("defPrivPassphrase {}", quoted(pass.expose())));
        }
        Self::with_lines(&lines)
    }

    fn with_lines(lines: &[String]) -> Self {
        let dir = scratch("net-snmp-conf");
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
        private_file(&dir.join("snmp.conf"), &format!("{}\nprintNumericOids yes\n", lines.join("\n")));
        // The tools create it on first use and say so on stderr.
        fs::create_dir(dir.join("cert_indexes")).unwrap();
        Self { dir }
    }

    /// The directory SNMPCONFPATH names.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// `tool` (found on PATH; missing fails the test) with this configuration in its
    /// environment, no MIB files loaded, and nothing else from the user's Net-SNMP setup.
    pub(crate) fn command(&self, tool: &str) -> Command {
        let mut cmd = Command::new(require_program(tool));
        cmd.env("SNMPCONFPATH", &self.dir)
            .env("SNMP_PERSISTENT_DIR", &self.dir)
            .env("HOME", &self.dir)
            .env("MIBS", "")
            .env_remove("MIBDIRS")
            .stdin(Stdio::null());
        cmd
    }
}

impl Drop for NetSnmpConf {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// A passphrase as a quoted snmp.conf word (`"` and `\` escaped).
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Runs Net-SNMP's `tool` (`snmpget`, `snmpset`, `snmpwalk`, …) with `conf`'s version and
/// credentials and `args` (options, then the agent — e.g. [`SnmpSim::target`] — then OIDs).
/// Output is numeric (`.1.3.6… = INTEGER: 1`).
pub(crate) fn net_snmp<S: AsRef<OsStr>>(tool: &str, conf: &NetSnmpConf, args: &[S]) -> Output {
    conf.command(tool).args(args).output().unwrap_or_else(|e| panic!("cannot run {tool}: {e}"))
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// `snmpget` of one OID: the value after `= ` (`INTEGER: 1`, or `No Such Instance …`).
#[track_caller]
pub(crate) fn snmp_get(sim: &SnmpSim, conf: &NetSnmpConf, oid: &str) -> String {
    let out = net_snmp("snmpget", conf, &[sim.target().as_str(), oid]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "snmpget {oid} failed: {}\nsnmpd.log:\n{}", text(&out), sim.log());
    stdout
        .split_once(" = ")
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_else(|| panic!("snmpget {oid}: {}", text(&out)))
}

/// `snmpset` of one OID to `value` of Net-SNMP type letter `kind` (`i`, `s`, …), sent once (no
/// retry, 3 s timeout): `Ok` with the value echoed, or `Err` with what the tool said.
pub(crate) fn snmp_set(
    sim: &SnmpSim,
    conf: &NetSnmpConf,
    oid: &str,
    kind: &str,
    value: &str,
) -> Result<String, String> {
    let out = net_snmp("snmpset", conf, &["-t", "3", "-r", "0", sim.target().as_str(), oid, kind, value]);
    let all = text(&out);
    if out.status.success() {
        let stdout = String::from_utf8_lossy(&out.stdout);
        Ok(stdout.split_once(" = ").map_or(all.clone(), |(_, v)| v.trim().to_owned()))
    } else {
        Err(all)
    }
}

/// `snmpwalk` of a subtree: `(oid, value)` pairs in the order the agent returned them.
pub(crate) fn snmp_walk(sim: &SnmpSim, conf: &NetSnmpConf, oid: &str) -> Vec<(String, String)> {
    let out = net_snmp("snmpwalk", conf, &[sim.target().as_str(), oid]);
    assert!(out.status.success(), "snmpwalk {oid}: {}", text(&out));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once(" = ").map(|(o, v)| (o.to_owned(), v.to_owned())))
        .collect()
}

/// `err` and its causes, `: `-separated (as the CLI prints them).
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(c) = cause {
        text.push_str(&format!(": {c}"));
        cause = c.source();
    }
    text
}

/// Starts an agent on a free loopback port with the built `powerplug` as its pass_persist
/// program.
#[track_caller]
fn start(args: SnmpArgs) -> SnmpSim {
    require_program("snmpd");
    SnmpSim::start(args, &powerplug())
        .unwrap_or_else(|e| panic!("the SNMP simulator did not start: {}", error_chain(&e)))
}

/// What one model's MIB says: where the status and the switch are, and their values.
struct Model {
    model: SnmpModel,
    sys_object_id: &'static str,
    /// The status column and its on/off values.
    status: (&'static str, i64, i64),
    /// The column and value that switch on.
    switch_on: (&'static str, i64),
    /// The column and value that switch off.
    switch_off: (&'static str, i64),
    /// What a GET of the switch-on column answers for an on and an off outlet.
    read_back: (i64, i64),
    /// The outlet count scalar, if the MIB has one.
    count: Option<&'static str>,
}

impl Model {
    /// The index of outlet `n` (PoE: port `1.n`).
    fn index(&self, n: u32) -> String {
        if self.model == SnmpModel::Poe {
            format!("1.{n}")
        } else {
            n.to_string()
        }
    }
}

/// Four outlets, outlet 2 on: reads, switches 1 on and 2 off, walks the status column, and
/// checks the SET record and the state file.
fn check_model(m: &Model) {
    let sim =
        start(SnmpArgs { model: m.model, outlets: 4, ports: 4, on: vec![OutletRange::one(2)], ..SnmpArgs::default() });
    let rw = NetSnmpConf::v2c("private");
    assert_eq!(snmp_get(&sim, &rw, ".1.3.6.1.2.1.1.2.0"), format!("OID: {}", m.sys_object_id));
    let (status, on, off) = m.status;
    let state = |n: u32| snmp_get(&sim, &rw, &format!("{status}.{}", m.index(n)));
    assert_eq!((state(1), state(2)), (format!("INTEGER: {off}"), format!("INTEGER: {on}")));
    if let Some(count) = m.count {
        assert_eq!(snmp_get(&sim, &rw, count), "INTEGER: 4");
    }
    let read_back = |n: u32| snmp_get(&sim, &rw, &format!("{}.{}", m.switch_on.0, m.index(n)));
    assert_eq!(
        (read_back(2), read_back(1)),
        (format!("INTEGER: {}", m.read_back.0), format!("INTEGER: {}", m.read_back.1))
    );

    let on_oid = format!("{}.{}", m.switch_on.0, m.index(1));
    let v = m.switch_on.1.to_string();
    assert_eq!(snmp_set(&sim, &rw, &on_oid, "i", &v), Ok(format!("INTEGER: {v}")));
    assert_eq!(state(1), format!("INTEGER: {on}"));
    let off_oid = format!("{}.{}", m.switch_off.0, m.index(2));
    let v = m.switch_off.1.to_string();
    assert_eq!(snmp_set(&sim, &rw, &off_oid, "i", &v), Ok(format!("INTEGER: {v}")));
    assert_eq!(state(2), format!("INTEGER: {off}"));

    let walk = snmp_walk(&sim, &rw, status);
    let expected: Vec<(String, String)> = (1..=4)
        .map(|n| (format!("{status}.{}", m.index(n)), format!("INTEGER: {}", if n == 1 { on } else { off })))
        .collect();
    assert_eq!(walk, expected, "a walk of the status column lists the 4 outlets in order");

    assert_eq!(
        sim.sets(),
        [
            format!("SET {on_oid} integer {} -> DONE", m.switch_on.1),
            format!("SET {off_oid} integer {} -> DONE", m.switch_off.1)
        ]
    );
    let labels: Vec<(String, bool)> = (1..=4).map(|n| (m.index(n), n == 1)).collect();
    assert_eq!(sim.outlets(), labels);
}

const APC_CONTROL: &str = ".1.3.6.1.4.1.318.1.1.12.3.3.1.1.4";
const APC_STATUS: &str = ".1.3.6.1.4.1.318.1.1.12.3.5.1.1.4";
const APC_PENDING: &str = ".1.3.6.1.4.1.318.1.1.12.3.5.1.1.5";
const SPDU_CONTROL: &str = ".1.3.6.1.4.1.318.1.1.4.4.2.1.3";

#[test]
fn apc_rpdu_and_its_spdu_table_share_the_outlets() {
    check_model(&Model {
        model: SnmpModel::Apc,
        sys_object_id: ".1.3.6.1.4.1.318.1.3.4.5",
        status: (APC_STATUS, 1, 2),
        switch_on: (APC_CONTROL, 1),
        switch_off: (APC_CONTROL, 2),
        read_back: (1, 2),
        count: Some(".1.3.6.1.4.1.318.1.1.12.3.1.3.0"),
    });
    let sim = start(SnmpArgs { outlets: 3, ..SnmpArgs::default() });
    let rw = NetSnmpConf::v2c("private");
    assert_eq!(snmp_get(&sim, &rw, ".1.3.6.1.4.1.318.1.1.4.4.1.0"), "INTEGER: 3", "sPDUOutletControlTableSize");
    snmp_set(&sim, &rw, &format!("{SPDU_CONTROL}.3"), "i", "1").unwrap();
    assert_eq!(snmp_get(&sim, &rw, &format!("{APC_STATUS}.3")), "INTEGER: 1", "an sPDU SET shows in rPDU");
    assert_eq!(snmp_get(&sim, &rw, &format!("{SPDU_CONTROL}.3")), "INTEGER: 1");
    assert_eq!(snmp_get(&sim, &rw, ".1.3.6.1.4.1.318.1.1.4.4.2.1.4.2"), "STRING: \"Outlet 2\"");
    assert_eq!(snmp_get(&sim, &rw, ".1.3.6.1.4.1.318.1.1.12.3.5.1.1.2.2"), "STRING: \"Outlet 2\"");
}

#[test]
fn apc_rpdu2_status_is_inverted() {
    check_model(&Model {
        model: SnmpModel::ApcRpdu2,
        sys_object_id: ".1.3.6.1.4.1.318.1.3.4.6",
        status: (".1.3.6.1.4.1.318.1.1.26.9.2.3.1.5", 2, 1),
        switch_on: (".1.3.6.1.4.1.318.1.1.26.9.2.4.1.5", 1),
        switch_off: (".1.3.6.1.4.1.318.1.1.26.9.2.4.1.5", 2),
        read_back: (1, 2),
        count: None,
    });
}

#[test]
fn apc_masterswitch_has_only_the_spdu_table() {
    check_model(&Model {
        model: SnmpModel::ApcSpdu,
        sys_object_id: ".1.3.6.1.4.1.318.1.3.4.1",
        status: (SPDU_CONTROL, 1, 2),
        switch_on: (SPDU_CONTROL, 1),
        switch_off: (SPDU_CONTROL, 2),
        read_back: (1, 2),
        count: Some(".1.3.6.1.4.1.318.1.1.4.4.1.0"),
    });
    let sim = start(SnmpArgs { model: SnmpModel::ApcSpdu, ..SnmpArgs::default() });
    let rw = NetSnmpConf::v2c("private");
    assert!(snmp_get(&sim, &rw, &format!("{APC_STATUS}.1")).starts_with("No Such Instance"), "no rPDU table");
}

#[test]
fn raritan_switching_state_is_7_and_8() {
    check_model(&Model {
        model: SnmpModel::Raritan,
        sys_object_id: ".1.3.6.1.4.1.13742.6",
        status: (".1.3.6.1.4.1.13742.6.4.1.2.1.3.1", 7, 8),
        switch_on: (".1.3.6.1.4.1.13742.6.4.1.2.1.2.1", 1),
        switch_off: (".1.3.6.1.4.1.13742.6.4.1.2.1.2.1", 0),
        read_back: (1, 0),
        count: Some(".1.3.6.1.4.1.13742.6.3.2.2.1.4.1"),
    });
}

#[test]
fn eaton_switches_through_separate_on_and_off_columns() {
    check_model(&Model {
        model: SnmpModel::Eaton,
        sys_object_id: ".1.3.6.1.4.1.534.6.6.7",
        status: (".1.3.6.1.4.1.534.6.6.7.6.6.1.2.0", 1, 0),
        switch_on: (".1.3.6.1.4.1.534.6.6.7.6.6.1.4.0", 0),
        switch_off: (".1.3.6.1.4.1.534.6.6.7.6.6.1.3.0", 0),
        read_back: (-1, -1),
        count: None,
    });
}

#[test]
fn cyberpower_epdu() {
    check_model(&Model {
        model: SnmpModel::Cyberpower,
        sys_object_id: ".1.3.6.1.4.1.3808.1.1.3",
        status: (".1.3.6.1.4.1.3808.1.1.3.3.5.1.1.4", 1, 2),
        switch_on: (".1.3.6.1.4.1.3808.1.1.3.3.3.1.1.4", 1),
        switch_off: (".1.3.6.1.4.1.3808.1.1.3.3.3.1.1.4", 2),
        read_back: (1, 2),
        count: None,
    });
}

const POE_ADMIN: &str = ".1.3.6.1.2.1.105.1.1.1.3";
const POE_DETECTION: &str = ".1.3.6.1.2.1.105.1.1.1.6";

#[test]
fn poe_switch_ports() {
    check_model(&Model {
        model: SnmpModel::Poe,
        sys_object_id: ".1.3.6.1.4.1.8072.3.2.10",
        status: (POE_DETECTION, 3, 1),
        switch_on: (POE_ADMIN, 1),
        switch_off: (POE_ADMIN, 2),
        read_back: (1, 2),
        count: None,
    });
}

#[test]
fn poe_detection_follows_admin_state_devices_and_faults() {
    let sim = start(SnmpArgs {
        model: SnmpModel::Poe,
        groups: 2,
        ports: 4,
        no_device: vec![OutletRange::one(3)],
        fault: vec![OutletRange::one(4)],
        ..SnmpArgs::default()
    });
    let rw = NetSnmpConf::v2c("private");
    let detection = |port: &str| snmp_get(&sim, &rw, &format!("{POE_DETECTION}.{port}"));
    for port in ["1.1", "1.3", "1.4", "2.2"] {
        assert_eq!(detection(port), "INTEGER: 1", "{port} disabled");
        snmp_set(&sim, &rw, &format!("{POE_ADMIN}.{port}"), "i", "1").unwrap();
    }
    let got = ["1.1", "1.3", "1.4", "2.2"].map(detection);
    assert_eq!(
        got,
        ["INTEGER: 3", "INTEGER: 2", "INTEGER: 4", "INTEGER: 3"],
        "delivering, searching, fault, delivering"
    );
    assert_eq!(snmp_get(&sim, &rw, ".1.3.6.1.2.1.105.1.3.1.1.4.1"), "Gauge32: 7", "one device draws power in group 1");
    assert_eq!(snmp_get(&sim, &rw, ".1.3.6.1.2.1.105.1.3.1.1.2.2"), "Gauge32: 370");
    assert_eq!(snmp_get(&sim, &rw, ".1.3.6.1.2.1.105.1.3.1.1.3.2"), "INTEGER: 1");
    assert_eq!(snmp_get(&sim, &rw, ".1.3.6.1.2.1.105.1.1.1.9.2.3"), "STRING: \"Gi2/0/3\"");
    snmp_set(&sim, &rw, &format!("{POE_ADMIN}.1.1"), "i", "2").unwrap();
    assert_eq!(detection("1.1"), "INTEGER: 1");
    assert_eq!(sim.is_on("2.2"), Some(true));
    assert_eq!(sim.is_on("1.1"), Some(false));
    let err = snmp_set(&sim, &rw, &format!("{POE_ADMIN}.1.2"), "i", "0").unwrap_err();
    assert!(err.contains("wrongValue"), "TruthValue is 1 or 2: {err}");
}

#[test]
fn access_types_values_and_missing_objects_give_snmp_errors() {
    let sim = start(SnmpArgs { outlets: 4, ..SnmpArgs::default() });
    let rw = NetSnmpConf::v2c("private");
    let ctl1 = format!("{APC_CONTROL}.1");

    let ro = NetSnmpConf::v2c("public");
    assert_eq!(snmp_get(&sim, &ro, &format!("{APC_STATUS}.1")), "INTEGER: 2", "the read-only community reads");
    let err = snmp_set(&sim, &ro, &ctl1, "i", "1").unwrap_err();
    assert!(err.contains("Reason: noAccess"), "v2c: {err}");
    // SNMPv1 has no noAccess: snmpd answers noSuchName (RFC 2576's mapping).
    let err = snmp_set(&sim, &NetSnmpConf::v1("public"), &ctl1, "i", "1").unwrap_err();
    assert!(err.contains("(noSuchName)"), "v1: {err}");
    assert_eq!(sim.is_on("1"), Some(false));

    let wrong = NetSnmpConf::v2c("not-the-community");
    let t = Instant::now();
    let out = net_snmp("snmpget", &wrong, &["-t", "0.3", "-r", "0", sim.target().as_str(), ".1.3.6.1.2.1.1.2.0"]);
    assert!(!out.status.success() && text(&out).contains("Timeout"), "a wrong community is ignored: {}", text(&out));
    assert!(t.elapsed() < Duration::from_secs(2));

    let err = snmp_set(&sim, &rw, &format!("{APC_STATUS}.1"), "i", "1").unwrap_err();
    assert!(err.contains("Reason: notWritable"), "a status column: {err}");
    let err = snmp_set(&sim, &rw, &ctl1, "i", "9").unwrap_err();
    assert!(err.contains("Reason: wrongValue"), "not a command: {err}");
    let err = snmp_set(&sim, &NetSnmpConf::v1("private"), &ctl1, "i", "9").unwrap_err();
    assert!(err.contains("(badValue)"), "v1 reports wrongValue as badValue: {err}");
    let err = snmp_set(&sim, &rw, &ctl1, "s", "on").unwrap_err();
    assert!(err.contains("Reason: wrongType"), "a string for an INTEGER: {err}");
    let err = snmp_set(&sim, &rw, &format!("{APC_CONTROL}.9"), "i", "1").unwrap_err();
    assert!(err.contains("Reason: notWritable"), "no outlet 9: {err}");
    assert_eq!(sim.is_on("1"), Some(false), "no failed SET switched");

    assert!(snmp_get(&sim, &rw, &format!("{APC_STATUS}.9")).starts_with("No Such Instance"));
    assert!(snmp_get(&sim, &rw, ".1.3.6.1.4.1.318.1.1.99.1").starts_with("No Such Instance"), "in our subtree");
    assert!(snmp_get(&sim, &rw, ".1.3.6.1.4.1.99999.1.0").starts_with("No Such Object"), "in nobody's");

    // snmpd GETs an instance before it SETs it and refuses a missing one itself, so outlet 9's
    // SET never reached the program; the others are recorded with the program's answer.
    let sets = sim.sets();
    let replies: Vec<&str> = sets.iter().filter_map(|l| l.rsplit_once(" -> ").map(|(_, r)| r)).collect();
    assert_eq!(replies, ["not-writable", "wrong-value", "wrong-value", "wrong-type"], "{sets:?}");
    assert_eq!(sets[3], format!("SET {ctl1} string \"on\" -> wrong-type"));
}

#[test]
fn snmpv3_users_at_every_security_level_and_their_failures() {
    // A passphrase with a space, a quote and a backslash checks the quoting on both sides.
    let auth_pass = "auth p\"ss\\1";
    let users = vec![
        V3User::no_auth("plain"),
        V3User::auth("sha", AuthProtocol::Sha, auth_pass),
        V3User::auth("sha256", AuthProtocol::Sha256, auth_pass),
        V3User::auth_priv("shaaes", AuthProtocol::Sha, auth_pass, PrivProtocol::Aes, "priv-pass-1"),
        V3User::auth_priv("sha256aes", AuthProtocol::Sha256, auth_pass, PrivProtocol::Aes, "priv-pass-2"),
        V3User::auth("md5", AuthProtocol::Md5, auth_pass),
        V3User::auth("sha224", AuthProtocol::Sha224, auth_pass),
        V3User::auth_priv("sha384aes", AuthProtocol::Sha384, auth_pass, PrivProtocol::Aes, "priv-pass-3"),
        V3User::auth("reader", AuthProtocol::Sha512, auth_pass).read_only(),
    ];
    let sim = start(SnmpArgs { outlets: 12, v3_users: users.clone(), ..SnmpArgs::default() });
    for (n, user) in users.iter().enumerate() {
        let conf = NetSnmpConf::v3(user);
        let outlet = n + 1;
        assert_eq!(snmp_get(&sim, &conf, ".1.3.6.1.2.1.1.2.0"), "OID: .1.3.6.1.4.1.318.1.3.4.5", "{}", user.name);
        let set = snmp_set(&sim, &conf, &format!("{APC_CONTROL}.{outlet}"), "i", "1");
        if user.read_only {
            assert!(set.unwrap_err().contains("Reason: noAccess"), "{} is read-only", user.name);
            assert_eq!(sim.is_on(&outlet.to_string()), Some(false));
        } else {
            assert_eq!(set, Ok("INTEGER: 1".into()), "{}", user.name);
            assert_eq!(snmp_get(&sim, &conf, &format!("{APC_STATUS}.{outlet}")), "INTEGER: 1", "{}", user.name);
        }
    }
    let quick = |conf: &NetSnmpConf| {
        let out = net_snmp("snmpget", conf, &["-t", "0.3", "-r", "0", sim.target().as_str(), ".1.3.6.1.2.1.1.2.0"]);
        assert!(!out.status.success(), "{}", text(&out));
        text(&out)
    };
    let said = quick(&NetSnmpConf::v3(&V3User::auth("nobody", AuthProtocol::Sha, auth_pass)));
    assert!(said.contains("Unknown user name"), "{said}");
    let said = quick(&NetSnmpConf::v3(&V3User::auth("sha256", AuthProtocol::Sha256, "wrong-passphrase")));
    assert!(said.contains("Authentication failure"), "{said}");
    let said = quick(&NetSnmpConf::v3(&V3User::auth("sha", AuthProtocol::Sha256, auth_pass)));
    assert!(said.contains("Authentication failure"), "the wrong auth protocol: {said}");
    // A wrong privacy passphrase: snmpd cannot decrypt the scoped PDU, logs "security service
    // 3 error parsing ScopedPDU" and answers nothing, so Net-SNMP 5.9.3 reports a timeout.
    let wrong_priv = V3User::auth_priv("shaaes", AuthProtocol::Sha, auth_pass, PrivProtocol::Aes, "wrong-priv-pass");
    let said = quick(&NetSnmpConf::v3(&wrong_priv));
    assert!(said.contains("Timeout"), "{said}");
    // A level above the user's: noAuthNoPriv "plain" asking for authNoPriv.
    let said = quick(&NetSnmpConf::v3(&V3User::auth("plain", AuthProtocol::Sha, auth_pass)));
    assert!(said.contains("Unsupported security level"), "{said}");
}

#[test]
fn a_stuck_outlet_accepts_sets_and_never_switches() {
    let sim = start(SnmpArgs { outlets: 2, stuck: vec![OutletRange::one(1)], ..SnmpArgs::default() });
    let rw = NetSnmpConf::v2c("private");
    assert_eq!(snmp_set(&sim, &rw, &format!("{APC_CONTROL}.1"), "i", "1"), Ok("INTEGER: 1".into()));
    assert_eq!(snmp_get(&sim, &rw, &format!("{APC_STATUS}.1")), "INTEGER: 2");
    assert_eq!(snmp_get(&sim, &rw, &format!("{APC_CONTROL}.1")), "INTEGER: 2", "the read-back stays off too");
    assert_eq!(sim.outlets(), [("1".to_owned(), false), ("2".to_owned(), false)]);
    assert_eq!(sim.sets(), [format!("SET {APC_CONTROL}.1 integer 1 -> DONE")]);
}

#[test]
fn a_lagging_outlet_shows_the_old_state_and_pending_until_it_switches() {
    let lag = Duration::from_millis(400);
    let sim = start(SnmpArgs { outlets: 2, lag_ms: 400, ..SnmpArgs::default() });
    let rw = NetSnmpConf::v2c("private");
    let t = Instant::now();
    snmp_set(&sim, &rw, &format!("{APC_CONTROL}.2"), "i", "1").unwrap();
    let (status, pending) =
        (snmp_get(&sim, &rw, &format!("{APC_STATUS}.2")), snmp_get(&sim, &rw, &format!("{APC_PENDING}.2")));
    if t.elapsed() < lag {
        assert_eq!((status.as_str(), pending.as_str()), ("INTEGER: 2", "INTEGER: 1"), "still off, command pending");
        assert_eq!(sim.is_on("2"), Some(false));
    }
    let mut on_after = None;
    while t.elapsed() < Duration::from_secs(3) {
        if snmp_get(&sim, &rw, &format!("{APC_STATUS}.2")) == "INTEGER: 1" {
            on_after = Some(t.elapsed());
            break;
        }
        thread::sleep(Duration::from_millis(20));
    }
    let on_after = on_after.expect("the outlet switched on");
    assert!(on_after >= lag, "switched after {on_after:?}, before the lag");
    assert_eq!(snmp_get(&sim, &rw, &format!("{APC_PENDING}.2")), "INTEGER: 2");
    assert_eq!(sim.is_on("2"), Some(true));
}

#[test]
fn reboot_is_off_then_on_and_eaton_delays_are_seconds() {
    let sim = start(SnmpArgs { outlets: 2, on: vec![OutletRange::one(1)], reboot_ms: 300, ..SnmpArgs::default() });
    let rw = NetSnmpConf::v2c("private");
    let t = Instant::now();
    snmp_set(&sim, &rw, &format!("{APC_CONTROL}.1"), "i", "3").unwrap();
    let right_after = snmp_get(&sim, &rw, &format!("{APC_STATUS}.1"));
    if t.elapsed() < Duration::from_millis(300) {
        assert_eq!(right_after, "INTEGER: 2", "off first");
    }
    // The state file changes without any request: the program's timer applies the switch.
    let deadline = t + Duration::from_secs(3);
    while sim.is_on("1") != Some(true) && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(10));
    }
    assert!(sim.is_on("1") == Some(true) && t.elapsed() >= Duration::from_millis(300), "on again after reboot_ms");

    let sim = start(SnmpArgs { model: SnmpModel::Eaton, outlets: 2, ..SnmpArgs::default() });
    let on_cmd = ".1.3.6.1.4.1.534.6.6.7.6.6.1.4.0.2";
    let status = ".1.3.6.1.4.1.534.6.6.7.6.6.1.2.0.2";
    let t = Instant::now();
    snmp_set(&sim, &rw, on_cmd, "i", "1").unwrap();
    if t.elapsed() < Duration::from_millis(900) {
        assert_eq!(snmp_get(&sim, &rw, status), "INTEGER: 3", "pendingOn");
        assert_eq!(snmp_get(&sim, &rw, on_cmd), "INTEGER: 1", "one second to go");
    }
    thread::sleep(Duration::from_secs(1).saturating_sub(t.elapsed()) + Duration::from_millis(50));
    assert_eq!(snmp_get(&sim, &rw, status), "INTEGER: 1");
    assert_eq!(snmp_get(&sim, &rw, on_cmd), "INTEGER: -1");
}

/// Pids whose command line contains `needle`.
fn processes_mentioning(needle: &str) -> Vec<u32> {
    let mut pids = Vec::new();
    for entry in fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        let cmdline = fs::read(entry.path().join("cmdline")).unwrap_or_default();
        if String::from_utf8_lossy(&cmdline).contains(needle) {
            pids.push(pid);
        }
    }
    pids
}

#[test]
fn no_secret_on_any_command_line_and_private_files() {
    let community = "rw-c0mmunity-3f9a";
    let (auth, privacy) = ("auth-secret-8c1d", "priv-secret-77e2");
    let user = V3User::auth_priv("ops", AuthProtocol::Sha256, auth, PrivProtocol::Aes, privacy);
    let sim = start(SnmpArgs {
        community: community.into(),
        ro_community: "ro-c0mmunity-b4e0".into(),
        v3_users: vec![user.clone()],
        ..SnmpArgs::default()
    });
    snmp_set(&sim, &NetSnmpConf::v2c(community), &format!("{APC_CONTROL}.1"), "i", "1").unwrap();
    let v3 = NetSnmpConf::v3(&user);
    // A tool running while we look: snmpwalk of a large subtree keeps it busy a moment.
    let mut walker = v3.command("snmpwalk");
    walker.args([sim.target().as_str(), ".1"]).stdout(Stdio::null()).stderr(Stdio::null());
    let mut walker = walker.spawn().unwrap();
    for secret in [community, "ro-c0mmunity-b4e0", auth, privacy] {
        assert_eq!(processes_mentioning(secret), Vec::<u32>::new(), "{secret} is on a command line");
    }
    assert!(walker.wait().unwrap().success());
    let dir = sim.state_dir();
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(dir), 0o700);
    assert_eq!(mode(&dir.join("snmpd.conf")), 0o600);
    assert_eq!((mode(v3.dir()), mode(&v3.dir().join("snmp.conf"))), (0o700, 0o600), "the client side too");
    assert!(!sim.log().contains(auth) && !sim.log().contains(community), "snmpd logs no secret");
    let sets = sim.sets().join("\n");
    assert!(!sets.contains(community), "{sets}");
}

#[test]
fn dropping_the_agent_reaps_snmpd_and_its_program_even_on_panic() {
    let (tx, rx) = mpsc::channel();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        let sim = start(SnmpArgs::default());
        snmp_get(&sim, &NetSnmpConf::v2c("private"), &format!("{APC_STATUS}.1"));
        let dir = sim.state_dir().to_path_buf();
        let program = processes_mentioning(&format!("--state-dir\0{}\0", dir.display()));
        tx.send((sim.pid(), program, dir)).unwrap();
        panic!("a failing test");
    }));
    assert!(result.is_err());
    let (snmpd, program, dir) = rx.recv().unwrap();
    assert_eq!(program.len(), 1, "one pass_persist program was running: {program:?}");
    let gone = |pid: u32| !Path::new(&format!("/proc/{pid}")).exists();
    assert!(gone(snmpd), "snmpd {snmpd} was reaped");
    let t = Instant::now();
    while !gone(program[0]) && t.elapsed() < Duration::from_secs(2) {
        thread::sleep(Duration::from_millis(10));
    }
    assert!(gone(program[0]), "the pass_persist program {} ended and was reaped", program[0]);
    assert!(!dir.exists(), "{} removed", dir.display());
}

#[test]
fn simulate_pdu_runs_until_sigterm_and_reports_sets() {
    require_program("snmpd");
    let mut child = Command::new(powerplug())
        .args(["simulate", "pdu", "--port", "0", "--outlets", "4", "--model", "raritan", "--v3-user", "ops"])
        .args(["--v3-auth-protocol", "SHA-256"])
        .env("POWERPLUG_SIM_SNMP_AUTH_PASS", "env-auth-pass-1")
        .env("POWERPLUG_SIM_SNMP_PRIV_PASS", "env-priv-pass-1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let next = || rx.recv_timeout(Duration::from_secs(10)).expect("a line from powerplug simulate pdu");
    let banner = next();
    assert!(
        banner.starts_with("SNMP agent (model raritan, 4 outlets, sysObjectID .1.3.6.1.4.1.13742.6) on udp:127.0.0.1:")
            && banner.contains("v3 user ops (authPriv SHA-256/AES, read-write)"),
        "{banner}"
    );
    assert!(!banner.contains("env-auth-pass-1") && !banner.contains("env-priv-pass-1"), "{banner}");
    let target = banner.split(" on ").nth(1).and_then(|r| r.split(';').next()).unwrap().to_owned();
    let dir = PathBuf::from(banner.rsplit("state in ").next().unwrap());
    assert!(dir.join("snmpd.conf").is_file(), "{banner}");

    let user = V3User::auth_priv("ops", AuthProtocol::Sha256, "env-auth-pass-1", PrivProtocol::Aes, "env-priv-pass-1");
    let out = net_snmp(
        "snmpset",
        &NetSnmpConf::v3(&user),
        &[target.as_str(), ".1.3.6.1.4.1.13742.6.4.1.2.1.2.1.3", "i", "1"],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(next(), "SET .1.3.6.1.4.1.13742.6.4.1.2.1.2.1.3 integer 1 -> DONE");

    // SAFETY: kill(2) has no memory effects; `pid` is our unreaped child.
    unsafe { libc::kill(pid as libc::pid_t, libc::SIGTERM) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "SIGTERM is a clean stop");
    assert_eq!(next(), "stopping snmpd");
    assert!(!dir.exists(), "the state directory is removed");
    assert_eq!(processes_mentioning(&dir.display().to_string()), Vec::<u32>::new(), "snmpd and its program ended");
}

#[test]
fn simulate_pdu_refuses_an_outlet_it_does_not_have() {
    let out = Command::new(powerplug()).args(["simulate", "pdu", "--outlets", "4", "--on", "2,7"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("--on 7: no such outlet") && stderr.contains("the apc has 4 outlets"), "{stderr}");
    let out = Command::new(powerplug()).args(["simulate", "poe", "--on", "3.1"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--on 3.1: no such port") && stderr.contains("1 group(s) of 8 ports"), "{stderr}");
}

#[test]
fn a_given_state_directory_is_kept_and_can_be_reused() {
    let dir = scratch("snmp-state");
    let args = || SnmpArgs {
        outlets: 2,
        v3_users: vec![V3User::no_auth("ops")],
        state_dir: Some(dir.clone()),
        ..SnmpArgs::default()
    };
    let sim = start(args());
    snmp_set(&sim, &NetSnmpConf::v2c("private"), &format!("{APC_CONTROL}.1"), "i", "1").unwrap();
    drop(sim);
    let conf = fs::read_to_string(dir.join("snmpd.conf")).unwrap();
    assert!(conf.contains("pass_persist "), "snmpd's persistent store went to persist/, not over our file:\n{conf}");
    assert!(fs::read_to_string(dir.join("persist/snmpd.conf")).unwrap().contains("engineBoots"));
    assert_eq!(fs::read_to_string(dir.join("state")).unwrap(), "1 on\n2 off\n");
    let sim = start(args());
    assert_eq!(
        sim.outlets(),
        [("1".to_owned(), false), ("2".to_owned(), false)],
        "a new run starts from its arguments"
    );
    assert_eq!(sim.sets(), Vec::<String>::new());
    assert_eq!(snmp_get(&sim, &NetSnmpConf::v2c("private"), &format!("{APC_STATUS}.1")), "INTEGER: 2");
    drop(sim);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_port_in_use_fails_the_start_with_snmpds_reason() {
    require_program("snmpd");
    let taken = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let err = SnmpSim::start(SnmpArgs { port, ..SnmpArgs::default() }, &powerplug()).err().expect("the port is taken");
    let err = error_chain(&err);
    assert!(err.contains("snmpd exited") && err.contains("Error opening specified endpoint"), "{err}");
}
