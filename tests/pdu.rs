//! The `pdu` driver end to end against Net-SNMP's real `snmpd` serving powerplug's MIB model
//! (`power_sim::snmp`): every model, with its table named or found by `model=auto`; SNMP v1,
//! v2c and every v3 security level; wrong community, user and passphrases; a read-only
//! community; a model the agent lacks and an outlet past the end; an agent that never answers;
//! an outlet that does not change; and no secret on any process's argv or in any log line.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use power_core::PowerplugExitCode as Code;
use power_sim::snmp::{AuthProtocol, OutletRange, PrivProtocol, SnmpArgs, SnmpModel, SnmpSim, V3User};

use crate::test::{build_dir, powerplug, Test};

/// The write community every test agent has (`SnmpArgs`' default is only a fallback).
pub(crate) const RW: &str = "rw-community-7f3";
/// Its read-only community.
pub(crate) const RO: &str = "ro-community-2c9";

/// An agent serving `model` with `outlets` outlets, `on` switched on.
pub(crate) fn agent(model: SnmpModel, outlets: u32, on: &[u32], tweak: impl FnOnce(&mut SnmpArgs)) -> SnmpSim {
    let mut args = SnmpArgs {
        model,
        outlets,
        on: on.iter().map(|n| OutletRange::one(*n)).collect(),
        community: RW.into(),
        ro_community: RO.into(),
        ..SnmpArgs::default()
    };
    tweak(&mut args);
    SnmpSim::start(args, &powerplug()).expect("start snmpd with the MIB model")
}

/// `powerplug power ACTION pdu` at `sim`, v2c with the write community from the environment.
fn pdu(sim: &SnmpSim, action: &str, outlet: &str) -> Test {
    Test::new()
        .plugin_dir(&build_dir().join("libpowerplug_pdu.so"))
        .args(["power", action, "pdu"])
        .param("power_address", &sim.addr().to_string())
        .param("outlet_id", outlet)
        .env("POWERPLUG_COMMUNITY", RW)
}

fn is_on(sim: &SnmpSim, outlet: u32) -> bool {
    sim.is_on(&outlet.to_string())
        .unwrap_or_else(|| panic!("outlet {outlet} in the agent's state: {:?}", sim.outlets()))
}

const MODELS: [(SnmpModel, &str); 6] = [
    (SnmpModel::Apc, "apc"),
    (SnmpModel::ApcRpdu2, "apc-rpdu2"),
    (SnmpModel::ApcSpdu, "apc-spdu"),
    (SnmpModel::Raritan, "raritan"),
    (SnmpModel::Eaton, "eaton"),
    (SnmpModel::Cyberpower, "cyberpower"),
];

#[test]
fn every_model_switches_reads_back_and_leaves_an_outlet_alone_that_is_already_on() {
    for (i, (model, name)) in MODELS.into_iter().enumerate() {
        let sim = agent(model, 8, &[2], |_| {});
        // Half the models by name, half found from sysObjectID (said at -v).
        let pick = if i % 2 == 0 { name } else { "auto" };
        let with = |t: Test| t.param("model", pick);
        with(pdu(&sim, "query", "3")).stdout("off\n").status(Code::OK).run();
        with(pdu(&sim, "query", "2")).stdout("on\n").run();
        let out = with(pdu(&sim, "on", "3")).args(["-v"]).status(Code::OK).run();
        if pick == "auto" {
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains(&format!("model {name}")), "{name}: -v names the model auto chose: {err}");
        }
        assert!(is_on(&sim, 3), "{name}: outlet 3 on");
        with(pdu(&sim, "query", "3")).stdout("on\n").run();
        let sets = sim.sets().len();
        with(pdu(&sim, "on", "3")).stderr_contains("already on").args(["-v"]).status(Code::OK).run();
        assert_eq!(sim.sets().len(), sets, "{name}: on of an outlet already on sends no SET");
        with(pdu(&sim, "off", "3")).status(Code::OK).run();
        assert!(!is_on(&sim, 3), "{name}: outlet 3 off");
        with(pdu(&sim, "cycle", "2")).param("cycle_off_ms", "100").status(Code::OK).run();
        assert!(is_on(&sim, 2), "{name}: a cycle ends on");
        let tail: Vec<String> = sim.sets().into_iter().rev().take(2).collect();
        assert_eq!(tail.len(), 2, "{name}: cycle = two SETs: {tail:?}");
        assert!(is_on(&sim, 2) && !is_on(&sim, 1) && !is_on(&sim, 4), "{name}: other outlets untouched");
    }
}

#[test]
fn every_model_explains_a_missing_outlet_a_wrong_model_and_a_stuck_outlet_and_speaks_v3() {
    for (i, (model, name)) in MODELS.into_iter().enumerate() {
        let sim = agent(model, 8, &[], |a| {
            a.stuck = vec![OutletRange::one(6)];
            a.v3_users = vec![V3User::auth_priv(
                "ops",
                AuthProtocol::Sha256,
                "ops-auth-pass",
                PrivProtocol::Aes,
                "ops-priv-pass",
            )];
        });
        pdu(&sim, "on", "9")
            .param("model", name)
            .stderr_contains("`outlet_id` 9 is out of range")
            .stderr_contains("reports 8 outlets (1-8)")
            .status(Code::USAGE)
            .run();
        let (_, other) = MODELS[(i + 3) % MODELS.len()];
        pdu(&sim, "query", "1")
            .param("model", other)
            .stderr_contains(&format!("`model` {other}"))
            .status(Code::USAGE)
            .run();
        pdu(&sim, "on", "6")
            .param("model", name)
            .param("verify_ms", "300")
            .stderr_contains("did not switch on")
            .status(Code::DEVICE_ERROR)
            .run();
        assert!(!is_on(&sim, 6), "{name}");
        let ops = |action: &str| {
            v3(&sim, action, "ops", Some(("SHA-256", "ops-auth-pass")), Some(("AES", "ops-priv-pass")))
                .param("model", name)
        };
        ops("on").status(Code::OK).run();
        assert!(is_on(&sim, 4), "{name}: v3 authPriv on");
        ops("query").stdout("on\n").run();
    }
}

#[test]
fn snmp_v1_and_the_read_back_agree_with_net_snmp() {
    let sim = agent(SnmpModel::Apc, 8, &[], |_| {});
    pdu(&sim, "on", "5").param("snmp_version", "1").param("model", "apc").status(Code::OK).run();
    assert!(is_on(&sim, 5));
    // Net-SNMP's own snmpget reads what the driver set: rPDUOutletStatusOutletState.5 = 1 (on).
    let conf = crate::snmp_agent::NetSnmpConf::v2c(RW);
    let got = crate::snmp_agent::snmp_get(&sim, &conf, ".1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.5");
    assert!(got.contains("INTEGER: 1"), "{got}");
    pdu(&sim, "query", "5").param("snmp_version", "1").stdout("on\n").run();
}

/// Users for every security level, created in the agent's own snmpd.conf.
fn v3_users() -> Vec<V3User> {
    vec![
        V3User::no_auth("plain"),
        V3User::auth("md5user", AuthProtocol::Md5, "md5-auth-pass-1"),
        V3User::auth("shauser", AuthProtocol::Sha, "sha-auth-pass-1"),
        V3User::auth("sha256user", AuthProtocol::Sha256, "sha256-auth-pass-1"),
        V3User::auth_priv("shaaes", AuthProtocol::Sha, "shaaes-auth-1", PrivProtocol::Aes, "shaaes-priv-1"),
        V3User::auth_priv("sha256aes", AuthProtocol::Sha256, "s256aes-auth-1", PrivProtocol::Aes, "s256aes-priv-1"),
        V3User::auth_priv("sha512aes", AuthProtocol::Sha512, "s512aes-auth-1", PrivProtocol::Aes, "s512aes-priv-1"),
        V3User::auth_priv("shaaes192", AuthProtocol::Sha, "a192-auth-pw", PrivProtocol::Aes192, "a192-priv-pw"),
        V3User::auth_priv("shaaes256", AuthProtocol::Sha, "a256-auth-pw", PrivProtocol::Aes256, "a256-priv-pw"),
        V3User::auth_priv("s256aes256", AuthProtocol::Sha256, "b256-auth-pw", PrivProtocol::Aes256, "b256-priv-pw"),
        V3User::auth_priv("md5des", AuthProtocol::Md5, "des-auth-pw", PrivProtocol::Des, "des-priv-pw"),
        V3User::auth("reader", AuthProtocol::Sha, "reader-auth-pass").read_only(),
    ]
}

/// `t` with `user`'s protocols, as the driver's parameters spell them, and its passphrases
/// from the environment (`snmp_version` and `v3_user` are the caller's).
pub(crate) fn with_v3_keys(mut t: Test, user: &V3User) -> Test {
    if let Some((proto, pass)) = &user.auth {
        t = t.param("v3_auth_protocol", proto.name()).env("POWERPLUG_V3_AUTH_PASS", pass.expose());
    }
    if let Some((proto, pass)) = &user.privacy {
        let name = match proto {
            PrivProtocol::Aes => "AES",
            PrivProtocol::Aes192 => "AES-192",
            PrivProtocol::Aes256 => "AES-256",
            PrivProtocol::Des => "DES",
        };
        t = t.param("v3_priv_protocol", name).env("POWERPLUG_V3_PRIV_PASS", pass.expose());
    }
    t
}

fn v3(sim: &SnmpSim, action: &str, user: &str, auth: Option<(&str, &str)>, privacy: Option<(&str, &str)>) -> Test {
    let mut t = Test::new()
        .plugin_dir(&build_dir().join("libpowerplug_pdu.so"))
        .args(["power", action, "pdu"])
        .param("power_address", &sim.addr().to_string())
        .param("outlet_id", "4")
        .param("snmp_version", "3")
        .param("v3_user", user)
        .param("timeout_ms", "400")
        .param("retries", "0");
    if let Some((proto, pass)) = auth {
        t = t.param("v3_auth_protocol", proto).env("POWERPLUG_V3_AUTH_PASS", pass);
    }
    if let Some((proto, pass)) = privacy {
        t = t.param("v3_priv_protocol", proto).env("POWERPLUG_V3_PRIV_PASS", pass);
    }
    t
}

#[test]
fn snmpv3_every_security_level_and_every_credential_failure() {
    let sim = agent(SnmpModel::Apc, 8, &[], |a| a.v3_users = v3_users());
    for user in v3_users().iter().filter(|u| !u.read_only) {
        let t = |action: &str| with_v3_keys(v3(&sim, action, &user.name, None, None), user);
        t("on").status(Code::OK).run();
        assert!(is_on(&sim, 4), "{}", user.name);
        t("query").stdout("on\n").run();
        t("off").status(Code::OK).run();
        assert!(!is_on(&sim, 4), "{}", user.name);
    }
    v3(&sim, "query", "nobody", Some(("SHA", "sha-auth-pass-1")), None)
        .stderr_contains("usmStatsUnknownUserNames")
        .stderr_contains("`v3_user`")
        .status(Code::AUTH_FAILED)
        .run();
    v3(&sim, "query", "shauser", Some(("SHA", "not-the-pass-1")), None)
        .stderr_contains("usmStatsWrongDigests")
        .stderr_contains("`v3_auth_pass`")
        .status(Code::AUTH_FAILED)
        .run();
    v3(&sim, "query", "shauser", Some(("SHA-256", "sha-auth-pass-1")), None)
        .stderr_contains("`v3_auth_protocol`")
        .status(Code::AUTH_FAILED)
        .run();
    // Net-SNMP drops a request it cannot decrypt: a wrong privacy passphrase is a timeout, said so.
    v3(&sim, "query", "shaaes", Some(("SHA", "shaaes-auth-1")), Some(("AES", "not-the-priv-1")))
        .stderr_contains("`v3_priv_pass`")
        .status(Code::UNREACHABLE)
        .run();
    // authPriv asked of a user created without a privacy key.
    v3(&sim, "query", "shauser", Some(("SHA", "sha-auth-pass-1")), Some(("AES", "some-priv-pass")))
        .stderr_contains("security level")
        .status(Code::AUTH_FAILED)
        .run();
    v3(&sim, "on", "reader", Some(("SHA", "reader-auth-pass")), None)
        .stderr_contains("may not write")
        .status(Code::AUTH_FAILED)
        .run();
    assert!(!is_on(&sim, 4));
    v3(&sim, "query", "shauser", Some(("SHA", "short")), None)
        .stderr_contains("at least 8 characters")
        .status(Code::USAGE)
        .run();
    v3(&sim, "query", "", None, None).stderr_contains("`v3_user` is required").status(Code::USAGE).run();
}

#[test]
fn wrong_missing_and_read_only_communities_say_what_to_fix() {
    let sim = agent(SnmpModel::Apc, 8, &[], |_| {});
    let started = Instant::now();
    pdu(&sim, "query", "1")
        .env("POWERPLUG_COMMUNITY", "not-the-community")
        .param("timeout_ms", "200")
        .param("retries", "1")
        .stderr_contains("to 2 v2c request(s) of 200 ms each")
        .stderr_contains("the community is wrong")
        .stderr_contains("down or unreachable")
        .status(Code::UNREACHABLE)
        .run();
    assert!(started.elapsed() < Duration::from_secs(10), "bounded: {:?}", started.elapsed());
    pdu(&sim, "on", "1")
        .env("POWERPLUG_COMMUNITY", RO)
        .stderr_contains("noAccess")
        .stderr_contains("may only read")
        .status(Code::AUTH_FAILED)
        .run();
    pdu(&sim, "on", "1")
        .env("POWERPLUG_COMMUNITY", RO)
        .param("snmp_version", "1")
        .stderr_contains("SNMP v1 says noSuchName")
        .status(Code::AUTH_FAILED)
        .run();
    assert!(!is_on(&sim, 1), "nothing switched");
    Test::new()
        .plugin_dir(&build_dir().join("libpowerplug_pdu.so"))
        .args(["power", "query", "pdu"])
        .param("power_address", &sim.addr().to_string())
        .param("outlet_id", "1")
        .stderr_contains("`community` is required with snmp_version 2c")
        .status(Code::USAGE)
        .run();
}

#[test]
fn a_model_the_agent_lacks_and_an_outlet_past_the_end_are_named() {
    let sim = agent(SnmpModel::Apc, 8, &[], |_| {});
    pdu(&sim, "query", "3")
        .param("model", "raritan")
        .stderr_contains("`model` raritan")
        .stderr_contains("has no Raritan PDU (PDU2-MIB) outlet table")
        .status(Code::USAGE)
        .run();
    pdu(&sim, "on", "30")
        .stderr_contains("`outlet_id` 30 is out of range")
        .stderr_contains("reports 8 outlets (1-8)")
        .status(Code::USAGE)
        .run();
    pdu(&sim, "on", "30")
        .param("snmp_version", "1")
        .stderr_contains("reports 8 outlets (1-8)")
        .status(Code::USAGE)
        .run();
    let switch = agent(SnmpModel::Poe, 8, &[], |_| {});
    pdu(&switch, "query", "1")
        .stderr_contains("sysObjectID .1.3.6.1.4.1.8072.3.2.10")
        .stderr_contains("set `model`")
        .status(Code::USAGE)
        .run();
}

#[test]
fn an_agent_that_never_answers_and_an_outlet_that_never_changes() {
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap().to_string();
    let started = Instant::now();
    Test::new()
        .plugin_dir(&build_dir().join("libpowerplug_pdu.so"))
        .args(["power", "on", "pdu", "--timeout", "1"])
        .param("power_address", &addr)
        .param("outlet_id", "1")
        .param("timeout_ms", "5000")
        .env("POWERPLUG_COMMUNITY", RW)
        .stderr_contains("cut short by the action's deadline")
        .status(Code::UNREACHABLE)
        .run();
    assert!(started.elapsed() < Duration::from_secs(10), "bounded by --timeout: {:?}", started.elapsed());
    drop(silent);

    let sim = agent(SnmpModel::Apc, 8, &[], |a| a.stuck = vec![OutletRange::one(6)]);
    pdu(&sim, "on", "6")
        .param("verify_ms", "400")
        .stderr_contains("outlet 6 of the PDU at")
        .stderr_contains("did not switch on")
        .stderr_contains("rPDUOutletStatusOutletState still reads off")
        .status(Code::DEVICE_ERROR)
        .run();
    // A PDU that takes its time (command pending) is waited for, within verify_ms.
    let slow = agent(SnmpModel::Eaton, 8, &[], |a| a.lag_ms = 600);
    pdu(&slow, "on", "2").param("model", "eaton").status(Code::OK).run();
    assert!(is_on(&slow, 2));
}

#[test]
fn no_secret_reaches_any_argv_or_any_log_line() {
    let community = "Sec-Comm+unity/42=";
    let (auth, privacy) = ("Auth Pass&phrase 9", "Priv%Pass;phrase 8");
    let sim = agent(SnmpModel::Apc, 8, &[], |a| {
        a.community = community.into();
        a.v3_users = vec![V3User::auth_priv("secretive", AuthProtocol::Sha256, auth, PrivProtocol::Aes, privacy)];
    });
    // Recording stand-ins for Net-SNMP's tools, first on PATH: the driver must run none of them.
    let bin = crate::test::scratch("snmp-wrappers");
    let record = bin.join("argv.log");
    for tool in ["snmpget", "snmpset", "snmpwalk", "snmpgetnext", "snmpbulkget"] {
        let p = bin.join(tool);
        std::fs::write(&p, format!("#!/bin/sh\necho \"$0 $*\" >> {}\nexit 1\n", record.display())).unwrap();
        std::fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    }
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let secrets = [community, auth, privacy];
    // Every process's command line, sampled while the runs happen (snmpd and its MIB program
    // included): none may carry a secret.
    let stop = Arc::new(AtomicBool::new(false));
    let scanner = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            let mut hits = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
                    if let Ok(raw) = std::fs::read(entry.path().join("cmdline")) {
                        let line = String::from_utf8_lossy(&raw).replace('\0', " ");
                        if secrets.iter().any(|s| line.contains(s)) {
                            hits.push(line);
                        }
                    }
                }
                std::thread::sleep(Duration::from_millis(2));
            }
            hits
        })
    };
    let runs = [
        pdu(&sim, "on", "7").env("POWERPLUG_COMMUNITY", community),
        pdu(&sim, "query", "7")
            .env("POWERPLUG_COMMUNITY", "wrong-community-x")
            .param("timeout_ms", "100")
            .param("retries", "0"),
        v3(&sim, "off", "secretive", Some(("SHA-256", auth)), Some(("AES", privacy))).param("outlet_id", "7"),
        v3(&sim, "query", "secretive", Some(("SHA-256", "wrong auth pass")), Some(("AES", privacy)))
            .param("outlet_id", "7"),
    ];
    let mut codes = Vec::new();
    for t in runs {
        let mut t = t.args(["-vvv"]).env("PATH", &path);
        for s in secrets {
            t = t.stderr_lacks(s);
            for form in power_core::encoded_forms(s) {
                t = t.stderr_lacks(&form);
            }
        }
        codes.push(t.run().status.code());
    }
    stop.store(true, Ordering::Relaxed);
    let hits = scanner.join().unwrap();
    assert!(hits.is_empty(), "a process had a secret on its command line: {hits:?}");
    assert_eq!(codes, [Some(0), Some(5), Some(0), Some(6)], "on, wrong community, v3 off, wrong v3 passphrase");
    assert!(!record.exists(), "a Net-SNMP tool ran: {}", std::fs::read_to_string(&record).unwrap_or_default());
    assert!(!is_on(&sim, 7), "the v3 off went through");
}

#[test]
fn serve_keeps_its_v3_session_across_an_agent_restart_with_a_new_engine_id() {
    let dir = crate::test::scratch("pdu-serve");
    let plugins = dir.join("plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    std::os::unix::fs::symlink(build_dir().join("libpowerplug_pdu.so"), plugins.join("libpowerplug_pdu.so")).unwrap();
    let user = || V3User::auth_priv("bridge", AuthProtocol::Sha, "bridge-auth-1", PrivProtocol::Aes, "bridge-priv-1");
    let sim = agent(SnmpModel::Raritan, 8, &[], |a| a.v3_users = vec![user()]);
    let port = sim.addr().port();
    let inv = dir.join("inventory.toml");
    crate::test::private_file(
        &inv,
        &format!(
            "[device.pdu1]\ndriver = \"pdu\"\npower_address = \"{}\"\nsnmp_version = \"3\"\nv3_user = \"bridge\"\nv3_auth_pass = \"bridge-auth-1\"\nv3_priv_pass = \"bridge-priv-1\"\n\n[node.n1]\ndevice = \"pdu1\"\noutlet_id = 2\n",
            sim.addr()
        ),
    );
    let b = crate::bridge::Bridge::start(&dir, &inv, &[], &[("POWERPLUG_SERVE_TOKEN", crate::bridge::TOKEN)]);
    assert_eq!(b.post("n1", "on").code, 200, "{}", b.log());
    assert!(is_on(&sim, 2));
    // The PDU restarts: snmpd -C gets a fresh engine ID; the bridge's cached session must notice.
    drop(sim);
    let sim = agent(SnmpModel::Raritan, 8, &[2], |a| {
        a.port = port;
        a.v3_users = vec![user()];
    });
    let r = b.post("n1", "off");
    assert_eq!((r.code, r.json()["status"].as_str()), (200, Some("stopped")), "{r:?}\n{}", b.log());
    assert!(!is_on(&sim, 2));
}

/// A UDP "agent" on loopback that answers every datagram with what `reply` makes of it, until
/// dropped (the socket's read timeout ends its thread).
struct Hostile {
    addr: std::net::SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Hostile {
    fn start(reply: impl Fn(&[u8]) -> Vec<Vec<u8>> + Send + 'static) -> Self {
        let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        sock.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
        let addr = sock.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut buf = [0u8; 65_536];
            while !flag.load(Ordering::Relaxed) {
                if let Ok((n, from)) = sock.recv_from(&mut buf) {
                    for d in reply(&buf[..n]) {
                        let _ = sock.send_to(&d, from);
                    }
                }
            }
        });
        Self { addr, stop, thread: Some(thread) }
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[test]
fn hostile_replies_are_refused_or_ignored_within_the_tries() {
    let run = |h: &Hostile| {
        Test::new()
            .plugin_dir(&build_dir().join("libpowerplug_pdu.so"))
            .args(["power", "query", "pdu"])
            .param("power_address", &h.addr.to_string())
            .param("outlet_id", "1")
            .param("model", "apc")
            .param("timeout_ms", "300")
            .param("retries", "1")
            .env("POWERPLUG_COMMUNITY", RW)
    };
    let garbage = Hostile::start(|_| vec![b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec()]);
    run(&garbage).stderr_contains("sent a malformed reply").status(Code::DEVICE_ERROR).run();
    // 64 KiB of SEQUENCE headers, each claiming more than the datagram holds.
    let deep = Hostile::start(|_| vec![[0x30u8, 0x84, 0x7f, 0xff, 0xff, 0xff].repeat(10_000)]);
    run(&deep).stderr_contains("sent a malformed reply").status(Code::DEVICE_ERROR).run();
    // A flood of well-formed answers to some other request: ignored, then the tries run out.
    let flood = Hostile::start(|_| {
        let other = [
            0x30, 0x22, 0x02, 0x01, 0x01, 0x04, 0x06, b'p', b'u', b'b', b'l', b'i', b'c', 0xa2, 0x15, 0x02, 0x04, 0x7f,
            0x00, 0x00, 0x01, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x07, 0x30, 0x05, 0x06, 0x01, 0x2b, 0x05, 0x00,
        ];
        vec![other.to_vec(); 200]
    });
    let started = Instant::now();
    run(&flood).stderr_contains("to 2 v2c request(s) of 300 ms each").status(Code::UNREACHABLE).run();
    assert!(started.elapsed() < Duration::from_secs(10), "bounded by the tries: {:?}", started.elapsed());
}
