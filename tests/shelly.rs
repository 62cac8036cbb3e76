//! The `shelly` driver end to end against the Shelly simulator, Gen1 (HTTP, Basic) and Gen2
//! (RPC, Digest SHA-256), detected from `/shelly` or given; switch ids, wrong passwords,
//! faults; and curl (its own Digest SHA-256) as the reference client of the simulator.

use std::process::Command;

use power_core::PowerplugExitCode as Code;
use power_sim::shelly::{ShellyArgs, ShellySim};

use crate::test::{build_dir, require_program, Test};

fn shelly(sim: &ShellySim, action: &str) -> Test {
    Test::new()
        .plugin_dir(&build_dir().join("libpowerplug_shelly.so"))
        .args(["power", action, "shelly"])
        .param("power_address", &sim.addr().to_string())
}

#[test]
fn both_generations_switch_with_and_without_a_password() {
    for (generation, password, given) in
        [(1, None, "auto"), (1, Some("g1-pass"), "1"), (2, None, "auto"), (2, Some("g2-Pass!"), "auto")]
    {
        let sim = ShellySim::start(ShellyArgs {
            generation,
            switches: 2,
            password: password.map(Into::into),
            ..ShellyArgs::default()
        })
        .unwrap();
        let t = |action: &str| {
            let t = shelly(&sim, action).param("switch_id", "1").param("generation", given);
            match password {
                Some(p) => t.env("POWERPLUG_POWER_PASS", p),
                None => t,
            }
        };
        t("query").stdout("off\n").status(Code::OK).run();
        t("on").status(Code::OK).run();
        assert_eq!(sim.outputs(), [false, true], "gen {generation}");
        t("query").stdout("on\n").run();
        t("off").status(Code::OK).run();
        t("cycle").param("cycle_off_ms", "100").status(Code::OK).run();
        assert_eq!(sim.outputs(), [false, true]);
        let paths = sim.requests().join("\n");
        let expected = if generation == 1 { "GET /relay/1?turn=on" } else { "GET /rpc/Switch.Set?id=1&on=true" };
        assert!(paths.contains(expected), "{paths}");
        if let Some(p) = password {
            shelly(&sim, "off")
                .param("switch_id", "1")
                .env("POWERPLUG_POWER_PASS", "not-the-password")
                .stderr_contains("rejected user `admin`")
                .stderr_lacks("not-the-password")
                .stderr_lacks(p)
                .status(Code::AUTH_FAILED)
                .run();
            assert_eq!(sim.outputs(), [false, true], "a rejected call switched nothing");
        }
    }
}

#[test]
fn unknown_switch_ids_and_faults_have_their_exit_codes() {
    for generation in [1, 2] {
        let sim = ShellySim::start(ShellyArgs { generation, ..ShellyArgs::default() }).unwrap();
        shelly(&sim, "on").param("switch_id", "3").stderr_contains("`switch_id` 3").status(Code::USAGE).run();
    }
    let cases = [
        (ShellyArgs { fail_500: true, ..ShellyArgs::default() }, "HTTP 500", Code::DEVICE_ERROR),
        (ShellyArgs { malformed: true, ..ShellyArgs::default() }, "not JSON", Code::DEVICE_ERROR),
        (ShellyArgs { drop: true, ..ShellyArgs::default() }, "broke off", Code::UNREACHABLE),
        (ShellyArgs { delay_ms: 1500, ..ShellyArgs::default() }, "no answer within 300 ms", Code::UNREACHABLE),
    ];
    for (args, text, code) in cases {
        let sim = ShellySim::start(args).unwrap();
        shelly(&sim, "on").param("generation", "2").param("timeout_ms", "300").stderr_contains(text).status(code).run();
    }
}

#[test]
fn curl_digest_sha256_and_basic_are_accepted_by_the_simulator() {
    let curl = require_program("curl");
    let run = |args: &[&str]| {
        let out = Command::new(&curl).args(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let g2 = ShellySim::start(ShellyArgs { password: Some("curl-pw".into()), ..ShellyArgs::default() }).unwrap();
    let url = format!("http://{}/rpc/Switch.Set?id=0&on=true", g2.addr());
    assert_eq!(run(&["-sS", "--digest", "-u", "admin:curl-pw", &url]), r#"{"was_on":false}"#);
    assert!(g2.outputs()[0], "curl's SHA-256 digest was accepted");
    let denied = run(&["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--digest", "-u", "admin:wrong", &url]);
    assert_eq!(denied, "401");
    assert!(run(&["-sS", &format!("http://{}/shelly", g2.addr())]).contains(r#""gen":2"#));
    let g1 =
        ShellySim::start(ShellyArgs { generation: 1, password: Some("b-pw".into()), ..ShellyArgs::default() }).unwrap();
    let out = run(&["-sS", "-u", "admin:b-pw", &format!("http://{}/relay/0?turn=on", g1.addr())]);
    assert!(out.starts_with(r#"{"ison":true"#), "{out}");
}
