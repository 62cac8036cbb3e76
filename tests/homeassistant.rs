//! The `homeassistant` driver end to end against the Home Assistant simulator: switch, light
//! and input_boolean entities, the token as a Bearer secret never shown, `unavailable` and unknown
//! entities, faults; and the documented REST calls with curl against the simulator.

use std::process::Command;

use power_core::PowerplugExitCode as Code;
use power_sim::homeassistant::{HomeAssistantArgs, HomeAssistantSim};

use crate::test::{build_dir, require_program, Test};

const TOKEN: &str = "eyJhbGciOi.ha-long-lived.Tok3n";

fn sim(extra: HomeAssistantArgs) -> HomeAssistantSim {
    HomeAssistantSim::start(HomeAssistantArgs { token: TOKEN.into(), ..extra }).unwrap()
}

fn ha(sim: &HomeAssistantSim, action: &str, entity: &str) -> Test {
    Test::new()
        .plugin_dir(&build_dir().join("libpowerplug_homeassistant.so"))
        .args(["power", action, "homeassistant"])
        .param("power_address", &format!("http://{}", sim.addr()))
        .param("entity_id", entity)
        .env("POWERPLUG_POWER_PASS", TOKEN)
}

#[test]
fn switches_lights_and_booleans_and_reads_them_back() {
    let entities = vec!["switch.rack_pc".to_owned(), "light.lab".to_owned(), "input_boolean.nuc".to_owned()];
    let s = sim(HomeAssistantArgs { entities: entities.clone(), ..HomeAssistantArgs::default() });
    for e in &entities {
        ha(&s, "query", e).stdout("off\n").status(Code::OK).run();
        ha(&s, "on", e).args(["-vvv"]).status(Code::OK).stderr_lacks(TOKEN).run();
        assert_eq!(s.state(e).as_deref(), Some("on"), "{e}");
        ha(&s, "query", e).stdout("on\n").run();
        ha(&s, "cycle", e).param("cycle_off_ms", "100").status(Code::OK).run();
        ha(&s, "off", e).status(Code::OK).run();
        assert_eq!(s.state(e).as_deref(), Some("off"));
    }
    let posts = s.requests().join("\n");
    assert!(posts.contains("POST /api/services/light/turn_on -> 200"), "{posts}");
}

#[test]
fn unavailable_unknown_and_unauthorised_are_named() {
    let s = sim(HomeAssistantArgs { unavailable: vec!["switch.dead".into()], ..HomeAssistantArgs::default() });
    ha(&s, "on", "switch.dead").stderr_contains("entity switch.dead is unavailable").status(Code::DEVICE_ERROR).run();
    ha(&s, "query", "switch.ghost").stderr_contains("`entity_id` switch.ghost").status(Code::USAGE).run();
    ha(&s, "on", "Switch.Bad").stderr_contains("lowercase").status(Code::USAGE).run();
    ha(&s, "on", "switch.rack_pc")
        .env("POWERPLUG_POWER_PASS", "wrong-token-value")
        .stderr_contains("rejected the access token")
        .stderr_lacks("wrong-token-value")
        .status(Code::AUTH_FAILED)
        .run();
    assert_eq!(s.state("switch.rack_pc").as_deref(), Some("off"));
    for (args, text, code) in [
        (HomeAssistantArgs { fail_500: true, ..HomeAssistantArgs::default() }, "HTTP 500", Code::DEVICE_ERROR),
        (HomeAssistantArgs { drop: true, ..HomeAssistantArgs::default() }, "broke off", Code::UNREACHABLE),
        (
            HomeAssistantArgs { delay_ms: 1500, ..HomeAssistantArgs::default() },
            "no answer within 300 ms",
            Code::UNREACHABLE,
        ),
    ] {
        let s = sim(args);
        ha(&s, "on", "switch.rack_pc").param("timeout_ms", "300").stderr_contains(text).status(code).run();
    }
}

#[test]
fn the_documented_rest_calls_work_against_the_simulator_with_curl() {
    let curl = require_program("curl");
    let s = sim(HomeAssistantArgs::default());
    // The token reaches curl in a header file, not on its command line.
    let header = crate::test::scratch("ha-curl").join("auth.header");
    std::fs::write(&header, format!("Authorization: Bearer {TOKEN}\n")).unwrap();
    let header = format!("@{}", header.display());
    let run = |args: &[&str]| {
        let out = Command::new(&curl).args(["-sS", "-H", &header]).args(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let base = format!("http://{}", s.addr());
    assert_eq!(run(&[&format!("{base}/api/")]), r#"{"message":"API running."}"#);
    let changed = run(&[
        "-X",
        "POST",
        "-H",
        "Content-Type: application/json",
        "-d",
        r#"{"entity_id":"switch.rack_pc"}"#,
        &format!("{base}/api/services/switch/turn_on"),
    ]);
    assert!(changed.starts_with(r#"[{"entity_id":"switch.rack_pc","state":"on""#), "{changed}");
    assert!(run(&[&format!("{base}/api/states/switch.rack_pc")]).contains(r#""state":"on""#));
}
