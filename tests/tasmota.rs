//! The `tasmota` driver end to end against the Tasmota simulator: both reply forms (`POWER` and
//! `POWER<N>`), relays of a multi-relay board, the web password in the query string (a wrong
//! one answers 200 with a warning) never shown in any form even at `-vvv`, the SDK's cycle, every
//! fault with its exit code, and the simulator checked with curl as the reference client.

use std::process::Command;

use power_core::PowerplugExitCode as Code;
use power_sim::tasmota::{TasmotaArgs, TasmotaSim};

use crate::test::{build_dir, require_program, Test};

fn plug(sim: &TasmotaSim, action: &str) -> Test {
    Test::new()
        .plugin_dir(&build_dir().join("libpowerplug_tasmota.so"))
        .args(["power", action, "tasmota"])
        .param("power_address", &sim.addr().to_string())
}

#[test]
fn switches_and_reads_both_reply_forms_and_relays() {
    for (relays, indexed, relay) in [(1, false, "1"), (1, true, "1"), (4, false, "3")] {
        let sim = TasmotaSim::start(TasmotaArgs { relays, indexed, ..TasmotaArgs::default() }).unwrap();
        let i: usize = relay.parse::<usize>().unwrap() - 1;
        plug(&sim, "query").param("relay", relay).stdout("off\n").status(Code::OK).run();
        plug(&sim, "on").param("relay", relay).status(Code::OK).run();
        assert!(sim.relays()[i], "relay {relay} of {relays}");
        plug(&sim, "query").param("relay", relay).stdout("on\n").run();
        plug(&sim, "off").param("relay", relay).status(Code::OK).run();
        assert!(!sim.relays()[i]);
        plug(&sim, "cycle").param("relay", relay).param("cycle_off_ms", "100").status(Code::OK).run();
        assert!(sim.relays()[i], "cycle ends on");
        let log = sim.requests();
        assert!(log.iter().any(|l| l.contains(&format!("Power{relay} Off"))), "{log:?}");
    }
    let sim = TasmotaSim::start(TasmotaArgs { relays: 4, ..TasmotaArgs::default() }).unwrap();
    plug(&sim, "on")
        .param("relay", "6")
        .stderr_contains("`relay` 6")
        .stderr_contains("no such relay")
        .status(Code::USAGE)
        .run();
}

#[test]
fn the_web_password_goes_in_the_query_and_never_into_output() {
    let secret = "p@ss w#rd&x";
    let sim = TasmotaSim::start(TasmotaArgs { password: Some(secret.into()), ..TasmotaArgs::default() }).unwrap();
    let out = plug(&sim, "on").args(["-vvv"]).env("POWERPLUG_POWER_PASS", secret).status(Code::OK).run();
    assert!(sim.relays()[0]);
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("password=***"), "the request is logged, masked: {text}");
    for form in power_core::encoded_forms(secret) {
        assert!(!text.contains(&form), "{form} leaked:\n{text}");
    }
    plug(&sim, "off")
        .env("POWERPLUG_POWER_PASS", "wrong-password")
        .stderr_contains("refused user `admin`")
        .stderr_lacks("wrong-password")
        .status(Code::AUTH_FAILED)
        .run();
    plug(&sim, "off").stderr_contains("refused user `admin`").status(Code::AUTH_FAILED).run();
    assert!(sim.relays()[0], "no wrong credential switched anything");
}

#[test]
fn every_fault_has_its_exit_code() {
    let cases = [
        (TasmotaArgs { fail_500: true, ..TasmotaArgs::default() }, "answered HTTP 500", Code::DEVICE_ERROR),
        (TasmotaArgs { malformed: true, ..TasmotaArgs::default() }, "not JSON", Code::DEVICE_ERROR),
        (TasmotaArgs { drop: true, ..TasmotaArgs::default() }, "broke off", Code::UNREACHABLE),
        (TasmotaArgs { delay_ms: 1500, ..TasmotaArgs::default() }, "no answer within 300 ms", Code::UNREACHABLE),
    ];
    for (args, text, code) in cases {
        let sim = TasmotaSim::start(args).unwrap();
        plug(&sim, "on").param("timeout_ms", "300").stderr_contains(text).status(code).run();
    }
}

#[test]
fn curl_drives_the_simulator_as_the_tasmota_docs_show() {
    let curl = require_program("curl");
    let sim = TasmotaSim::start(TasmotaArgs { relays: 2, ..TasmotaArgs::default() }).unwrap();
    let get = |q: &str| {
        let out = Command::new(&curl).args(["-sS", &format!("http://{}/cm?{q}", sim.addr())]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(get("cmnd=Power2%20On"), r#"{"POWER2":"ON"}"#);
    assert_eq!(get("cmnd=Power2"), r#"{"POWER2":"ON"}"#);
    assert_eq!(get("cmnd=Power1%20toggle"), r#"{"POWER1":"ON"}"#);
    assert_eq!(get("cmnd=Status%2099"), r#"{"Command":"Unknown"}"#);
    assert_eq!(get("x=1"), r#"{"WARNING":"Enter command cmnd="}"#);
}
