//! The `sm15k` driver end to end: `powerplug power ... sm15k` runs the real `ipmitool` against a
//! real IPMI 2.0 BMC on loopback (pyghmi, started as a child and always reaped) that records the
//! exact OEM bytes; privilege, invalid-command, password and unreachable failures; a hanging
//! ipmitool killed at the timeout; the password never on a command line; ipmitool missing.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use power_core::PowerplugExitCode as Code;
use power_sim::sm15k::{Sm15kArgs, Sm15kSim};

use crate::test::{build_dir, require_program, scratch, Test};

fn bmc(args: Sm15kArgs) -> Sm15kSim {
    require_program("ipmitool");
    Sm15kSim::start(&args).expect("start the pyghmi BMC (python3-pyghmi)")
}

fn sm15k(sim: &Sm15kSim, action: &str, server: &str) -> Test {
    Test::new()
        .plugin_dir(&build_dir().join("libpowerplug_sm15k.so"))
        .args(["power", action, "sm15k"])
        .param("power_address", &format!("127.0.0.1:{}", sim.port()))
        .param("system_id", server)
        .param("cycle_pause_ms", "100")
        .env("POWERPLUG_POWER_PASS", "admin")
}

fn write_script(dir: &Path, name: &str, body: &str) {
    let p = dir.join(name);
    fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
    fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn on_and_off_send_the_exact_oem_bytes() {
    let sim = bmc(Sm15kArgs::default());
    let cases = [
        ("on", "8", 1u8, 8u8),
        ("off", "9", 6, 9),
        ("on", "10", 1, 10),
        ("off", "12/0", 6, 12),
        ("on", "0", 1, 0),
        ("on", "255/0", 1, 255),
    ];
    for (action, server, _, _) in cases {
        sm15k(&sim, action, server).stdout("").status(Code::OK).run();
    }
    let got: Vec<Vec<u8>> = sim.received().into_iter().map(|r| r.data).collect();
    let want: Vec<Vec<u8>> =
        cases.iter().map(|(_, _, mode, server)| vec![0x00, 0x7d, 0xab, *mode, 0, *server]).collect();
    assert_eq!(got, want);
    assert!(sim.received().iter().all(|r| r.privilege == 3), "OPERATOR by default");
}

#[test]
fn cycle_is_off_then_on_and_query_is_honestly_unknown() {
    let sim = bmc(Sm15kArgs::default());
    sm15k(&sim, "cycle", "5").status(Code::OK).run();
    let modes: Vec<u8> = sim.received().iter().map(|r| r.data[3]).collect();
    assert_eq!(modes, [6, 1]);
    sm15k(&sim, "query", "5").stdout("unknown\n").status(Code::OK).run();
    assert_eq!(sim.received().len(), 2, "query sends nothing");
    Test::new()
        .plugin_dir(&build_dir().join("libpowerplug_sm15k.so"))
        .args(["drivers", "show", "sm15k"])
        .stdout_contains("query is not real: it always answers unknown")
        .run();
}

#[test]
fn insufficient_privilege_suggests_administrator() {
    let sim = bmc(Sm15kArgs { min_privilege: "ADMINISTRATOR".into(), ..Sm15kArgs::default() });
    sm15k(&sim, "on", "3")
        .stderr_contains("insufficient privilege level (completion code 0xd4); try privilege=ADMINISTRATOR")
        .status(Code::AUTH_FAILED)
        .run();
    sm15k(&sim, "on", "3").param("privilege", "ADMINISTRATOR").status(Code::OK).run();
    assert_eq!(sim.received().last().unwrap().privilege, 4);
}

#[test]
fn invalid_command_wrong_password_and_unreachable() {
    let sim = bmc(Sm15kArgs { fail_code: "0xc1".into(), ..Sm15kArgs::default() });
    sm15k(&sim, "on", "3")
        .stderr_contains("does not support the SeaMicro OEM power command (completion code 0xc1")
        .status(Code::DEVICE_ERROR)
        .run();
    let sim = bmc(Sm15kArgs::default());
    sm15k(&sim, "on", "3")
        .env("POWERPLUG_POWER_PASS", "hunter2-wrong")
        .stderr_contains("rejected the user name or password")
        .stderr_lacks("hunter2-wrong")
        .status(Code::AUTH_FAILED)
        .run();
    assert!(sim.received().is_empty());
    let port = std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    Test::new()
        .plugin_dir(&build_dir().join("libpowerplug_sm15k.so"))
        .args(["power", "on", "sm15k"])
        .param("power_address", &format!("127.0.0.1:{port}"))
        .param("system_id", "1")
        .param("retries", "1")
        .stderr_contains("it did not answer")
        .status(Code::UNREACHABLE)
        .run();
    sm15k(&sim, "on", "256")
        .stderr_contains("`system_id` \"256\" is not a SeaMicro server number")
        .status(Code::USAGE)
        .run();
}

#[test]
fn the_password_never_reaches_a_command_line() {
    let sim = bmc(Sm15kArgs { password: "s3cr3t-pw".into(), ..Sm15kArgs::default() });
    let bin = scratch("wrapper");
    let log = bin.join("argv.log");
    let real = require_program("ipmitool");
    write_script(&bin, "ipmitool", &format!("echo \"$@\" >> {}\nexec {} \"$@\"", log.display(), real.display()));
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    sm15k(&sim, "on", "7")
        .env("PATH", &path)
        .env("POWERPLUG_POWER_PASS", "s3cr3t-pw")
        .stderr_lacks("s3cr3t-pw")
        .status(Code::OK)
        .run();
    let argv = fs::read_to_string(&log).unwrap();
    assert!(argv.contains("-E") && argv.contains("raw 0x2E 1 0x00 0x7d 0xab 1 0 7"), "{argv}");
    assert!(!argv.contains("s3cr3t-pw") && !argv.contains("-P"), "{argv}");
    assert_eq!(sim.received().len(), 1);
}

#[test]
fn a_hanging_ipmitool_is_killed_at_the_timeout() {
    let sim = bmc(Sm15kArgs::default());
    let bin = scratch("hang");
    write_script(&bin, "ipmitool", "exec sleep 30");
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let started = std::time::Instant::now();
    sm15k(&sim, "on", "1")
        .env("PATH", &path)
        .param("timeout_ms", "800")
        .stderr_contains("ipmitool did not finish talking to the SM15000 BMC at 127.0.0.1")
        .stderr_contains("within 800 ms and was stopped")
        .status(Code::UNREACHABLE)
        .run();
    assert!(started.elapsed().as_secs() < 20);
    let ps = std::process::Command::new("ps").args(["-eo", "stat,args"]).output().unwrap();
    let ps = String::from_utf8_lossy(&ps.stdout);
    assert!(!ps.lines().any(|l| l.contains("sleep 30")), "the hung child survived:\n{ps}");
}

#[test]
fn a_missing_ipmitool_is_named_with_its_package() {
    let empty = scratch("nopath");
    Test::new()
        .plugin_dir(&build_dir().join("libpowerplug_sm15k.so"))
        .env("PATH", &empty)
        .args(["drivers", "show", "sm15k"])
        .stdout_contains("MISSING: install the Debian package `ipmitool`")
        .status(Code::OK)
        .run();
    Test::new()
        .plugin_dir(&build_dir().join("libpowerplug_sm15k.so"))
        .env("PATH", &empty)
        .args(["power", "on", "sm15k"])
        .param("power_address", "127.0.0.1")
        .param("system_id", "1")
        .stderr_contains("needs `ipmitool` (install the Debian package `ipmitool`)")
        .status(Code::MISSING_PROGRAM)
        .run();
}
