//! The `poe` driver end to end against Net-SNMP's real `snmpd` serving powerplug's
//! POWER-ETHERNET-MIB model: a port's PoE on, off, cycle and query in a group, a port already
//! in the asked state left alone, a port with nothing connected, a faulty port, ports and groups
//! past the end, an agent without the PoE MIB, and SNMPv3 authPriv.

use power_core::PowerplugExitCode as Code;
use power_sim::snmp::{AuthProtocol, OutletRange, PrivProtocol, SnmpModel, SnmpSim, V3User};

use crate::pdu::{agent, RO, RW};
use crate::test::{build_dir, Test};

fn poe(sim: &SnmpSim, action: &str, group: &str, port: &str) -> Test {
    Test::new()
        .plugin_dir(&build_dir().join("libpowerplug_poe.so"))
        .args(["power", action, "poe"])
        .param("power_address", &sim.addr().to_string())
        .param("port_group", group)
        .param("port_id", port)
        .env("POWERPLUG_COMMUNITY", RW)
}

fn is_on(sim: &SnmpSim, port: &str) -> bool {
    sim.is_on(port).unwrap_or_else(|| panic!("port {port} in the agent's state: {:?}", sim.outlets()))
}

fn switch(groups: u32, tweak: impl FnOnce(&mut power_sim::snmp::SnmpArgs)) -> SnmpSim {
    agent(SnmpModel::Poe, 8, &[], |a| {
        a.groups = groups;
        a.ports = 8;
        tweak(a);
    })
}

#[test]
fn a_port_switches_in_its_group_and_is_left_alone_when_already_on() {
    let sim = switch(2, |a| a.on = vec![OutletRange::port(1, 1)]);
    poe(&sim, "query", "2", "3").stdout("off\n").status(Code::OK).run();
    poe(&sim, "on", "2", "3").status(Code::OK).run();
    assert!(is_on(&sim, "2.3") && !is_on(&sim, "1.3"), "group 2 port 3 only");
    poe(&sim, "query", "2", "3").stdout("on\n").run();
    let sets = sim.sets().len();
    poe(&sim, "on", "2", "3").args(["-v"]).stderr_contains("already enabled").status(Code::OK).run();
    assert_eq!(sim.sets().len(), sets, "no SET for a port already on");
    poe(&sim, "off", "2", "3").status(Code::OK).run();
    assert!(!is_on(&sim, "2.3"));
    poe(&sim, "cycle", "1", "1").param("cycle_off_ms", "300").status(Code::OK).run();
    assert!(is_on(&sim, "1.1"), "cycle ends on");
    let log = sim.sets();
    assert!(log.iter().rev().take(2).any(|l| l.contains(".105.1.1.1.3.1.1") && l.contains(" 2 ")), "off SET: {log:?}");
}

#[test]
fn nothing_connected_a_fault_and_ports_past_the_end_are_explained() {
    let sim = switch(1, |a| {
        a.no_device = vec![OutletRange::port(1, 5)];
        a.fault = vec![OutletRange::port(1, 6)];
    });
    poe(&sim, "on", "1", "5")
        .param("verify_ms", "600")
        .stderr_contains("no powered device was detected")
        .stderr_contains("searching")
        .status(Code::DEVICE_ERROR)
        .run();
    poe(&sim, "query", "1", "5").stdout("off\n").run();
    poe(&sim, "on", "1", "6").param("verify_ms", "600").stderr_contains("PoE fault").status(Code::DEVICE_ERROR).run();
    poe(&sim, "on", "1", "30")
        .stderr_contains("`port_id` 30 is out of range: group 1 of the switch at")
        .stderr_contains("has 8 PoE ports")
        .status(Code::USAGE)
        .run();
    poe(&sim, "on", "3", "1")
        .stderr_contains("`port_group` 3")
        .stderr_contains("no PoE ports in group 3")
        .status(Code::USAGE)
        .run();
    let quick = |t: Test| t.param("timeout_ms", "150").param("retries", "0");
    quick(poe(&sim, "on", "1", "2").env("POWERPLUG_COMMUNITY", "not-this-one"))
        .stderr_contains("the community is wrong")
        .status(Code::UNREACHABLE)
        .run();
    poe(&sim, "on", "1", "2")
        .env("POWERPLUG_COMMUNITY", RO)
        .stderr_contains("may only read")
        .status(Code::AUTH_FAILED)
        .run();
    assert!(!is_on(&sim, "1.2"));
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    quick(Test::new().plugin_dir(&build_dir().join("libpowerplug_poe.so")).args(["power", "query", "poe"]))
        .param("power_address", &silent.local_addr().unwrap().to_string())
        .param("port_id", "1")
        .env("POWERPLUG_COMMUNITY", RW)
        .stderr_contains("no answer from the SNMP agent")
        .status(Code::UNREACHABLE)
        .run();
    let pdu = agent(SnmpModel::Apc, 8, &[], |_| {});
    poe(&pdu, "query", "1", "1").stderr_contains("has no pethPsePortTable").status(Code::USAGE).run();
}

#[test]
fn snmpv3_every_security_level() {
    let users = [
        V3User::no_auth("plain"),
        V3User::auth("md5", AuthProtocol::Md5, "poe-md5-pass"),
        V3User::auth("sha", AuthProtocol::Sha, "poe-sha-pass"),
        V3User::auth("sha256", AuthProtocol::Sha256, "poe-sha256-pass"),
        V3User::auth_priv("shaaes", AuthProtocol::Sha, "poe-a1-pass", PrivProtocol::Aes, "poe-p1-pass"),
        V3User::auth_priv("s256aes256", AuthProtocol::Sha256, "poe-a2-pass", PrivProtocol::Aes256, "poe-p2-pass"),
        V3User::auth_priv("md5des", AuthProtocol::Md5, "poe-a3-pass", PrivProtocol::Des, "poe-p3-pass"),
    ];
    let sim = switch(1, |a| a.v3_users = users.to_vec());
    for user in &users {
        let t = |action: &str| {
            let t = poe(&sim, action, "1", "7").param("snmp_version", "3").param("v3_user", &user.name);
            crate::pdu::with_v3_keys(t, user)
        };
        t("on").status(Code::OK).run();
        assert!(is_on(&sim, "1.7"), "{}", user.name);
        t("query").stdout("on\n").run();
        t("off").status(Code::OK).run();
        assert!(!is_on(&sim, "1.7"), "{}", user.name);
    }
}

#[test]
fn snmpv3_auth_priv_and_a_read_only_user() {
    let sim = switch(1, |a| {
        a.v3_users = vec![
            V3User::auth_priv("poeadmin", AuthProtocol::Sha256, "poe-auth-pass", PrivProtocol::Aes, "poe-priv-pass"),
            V3User::auth("poeread", AuthProtocol::Sha, "poe-read-pass").read_only(),
        ]
    });
    let v3 = |action: &str, user: &str, auth: &str, proto: &str| {
        poe(&sim, action, "1", "2")
            .param("snmp_version", "3")
            .param("v3_user", user)
            .param("v3_auth_protocol", proto)
            .env("POWERPLUG_V3_AUTH_PASS", auth)
    };
    v3("on", "poeadmin", "poe-auth-pass", "SHA-256")
        .env("POWERPLUG_V3_PRIV_PASS", "poe-priv-pass")
        .status(Code::OK)
        .run();
    assert!(is_on(&sim, "1.2"));
    v3("query", "poeread", "poe-read-pass", "SHA").stdout("on\n").run();
    v3("off", "poeread", "poe-read-pass", "SHA").stderr_contains("may not write").status(Code::AUTH_FAILED).run();
    assert!(is_on(&sim, "1.2"));
}
