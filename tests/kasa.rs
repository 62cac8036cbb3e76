//! The `kasa` driver end to end against the Kasa simulator (legacy XOR protocol): a single plug,
//! an HS300 strip's outlets by the number printed on it, wrong outlet numbers with the count the
//! device reports, faults, KLAP-only firmware refused clearly; and python-kasa, a client nobody
//! here wrote, switching a strip outlet of the same simulator.

use std::process::Command;

use power_core::PowerplugExitCode as Code;
use power_sim::kasa::{KasaArgs, KasaSim};

use crate::test::{build_dir, require_program, Test};

fn kasa(addr: &str, action: &str) -> Test {
    Test::new()
        .plugin_dir(&build_dir().join("libpowerplug_kasa.so"))
        .args(["power", action, "kasa"])
        .param("power_address", addr)
}

#[test]
fn a_plug_and_a_strips_outlets_switch_and_read_back() {
    let plug = KasaSim::start(KasaArgs::default()).unwrap();
    let a = plug.addr().to_string();
    kasa(&a, "query").stdout("off\n").status(Code::OK).run();
    kasa(&a, "on").status(Code::OK).run();
    assert_eq!(plug.relays(), [true]);
    kasa(&a, "cycle").param("cycle_off_ms", "100").status(Code::OK).run();
    kasa(&a, "off").status(Code::OK).run();
    assert_eq!(plug.relays(), [false]);
    kasa(&a, "on").param("outlet", "2").stderr_contains("is a single plug").status(Code::USAGE).run();

    let strip = KasaSim::start(KasaArgs { outlets: 6, ..KasaArgs::default() }).unwrap();
    let s = strip.addr().to_string();
    kasa(&s, "on").param("outlet", "3").status(Code::OK).run();
    assert_eq!(strip.relays(), [false, false, true, false, false, false]);
    kasa(&s, "query").param("outlet", "3").stdout("on\n").run();
    kasa(&s, "query").param("outlet", "4").stdout("off\n").run();
    kasa(&s, "on")
        .param("outlet", "8")
        .stderr_contains("`outlet` 8 is out of range")
        .stderr_contains("has 6 outlets")
        .status(Code::USAGE)
        .run();
    kasa(&s, "on").stderr_contains("is a power strip with 6 outlets: set `outlet`").status(Code::USAGE).run();
    assert!(strip.requests().iter().any(|r| r.contains("\"child_ids\"")), "{:?}", strip.requests());
}

#[test]
fn faults_and_klap_only_firmware_have_their_exit_codes() {
    for (args, text, code) in [
        (KasaArgs { drop: true, ..KasaArgs::default() }, "broke off", Code::UNREACHABLE),
        (KasaArgs { malformed: true, ..KasaArgs::default() }, "not JSON", Code::DEVICE_ERROR),
        (KasaArgs { delay_ms: 1500, ..KasaArgs::default() }, "did not answer within 300 ms", Code::UNREACHABLE),
    ] {
        let sim = KasaSim::start(args).unwrap();
        kasa(&sim.addr().to_string(), "on").param("timeout_ms", "300").stderr_contains(text).status(code).run();
    }
    // KLAP firmware: nothing on 9999 (a closed port here), HTTP on port 80 of the same address.
    let http = match std::net::TcpListener::bind("127.0.0.1:80") {
        Ok(l) => Some(l),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => None,
        Err(e) => panic!("the KLAP check needs 127.0.0.1:80 (run as root, as CI does): {e}"),
    };
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    kasa(&format!("127.0.0.1:{closed}"), "on").stderr_contains("KLAP").status(Code::UNSUPPORTED_ACTION).run();
    drop(http);
}

#[test]
fn python_kasa_switches_an_outlet_of_the_simulated_strip() {
    let python = require_program("python3");
    let strip = KasaSim::start(KasaArgs { outlets: 6, ..KasaArgs::default() }).unwrap();
    let peer = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/kasa_peer.py");
    let out = Command::new(python).arg(peer).arg(strip.addr().port().to_string()).arg("4").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "python-kasa failed (scripts/test installs it):\n{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(text.trim(), "IotStrip 6 Outlet 5 True");
    assert!(strip.relays()[4], "python-kasa switched outlet 5");
    // And our driver reads what python-kasa set.
    kasa(&strip.addr().to_string(), "query").param("outlet", "5").stdout("on\n").run();
}
