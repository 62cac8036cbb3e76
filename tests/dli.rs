//! The `dli` driver end to end against the DLI simulator: `powerplug power on|off|cycle|query dli`
//! over the legacy interface (Basic and challenge login) and the REST API (digest, CSRF, 0-based
//! outlets), every injected fault with its exit code, outlet-number conversion, secrets kept out
//! of the output; and the simulator's faithfulness shown with clients nobody here wrote:
//! python-dlipower (challenge login) and `wget --auth-no-challenge` (the MAAS template's command).

use std::process::Command;

use power_core::PowerplugExitCode as Code;
use power_sim::dli::{DliArgs, DliSim};

use crate::test::{build_dir, require_program, Test};

fn sim(args: DliArgs) -> DliSim {
    DliSim::start(args).expect("start the DLI simulator")
}

/// `powerplug power <action> dli` against `sim`, outlet 3, password from the environment.
fn dli(sim: &DliSim, action: &str) -> Test {
    Test::new()
        .plugin_dir(&build_dir().join("libpowerplug_dli.so"))
        .args(["power", action, "dli"])
        .param("power_address", &sim.addr().to_string())
        .param("outlet_id", "3")
        .env("POWERPLUG_POWER_PASS", "1234")
}

#[test]
fn both_protocols_switch_cycle_and_query() {
    for (rest, protocol) in [(false, "legacy"), (true, "rest"), (true, "auto"), (false, "auto")] {
        let s = sim(DliArgs { rest, ..DliArgs::default() });
        dli(&s, "query").param("protocol", protocol).stdout("off\n").status(Code::OK).run();
        dli(&s, "on").param("protocol", protocol).stdout("").status(Code::OK).run();
        assert_eq!(s.outlets(), [false, false, true, false, false, false, false, false], "{protocol}");
        dli(&s, "query").param("protocol", protocol).stdout("on\n").run();
        dli(&s, "cycle").param("protocol", protocol).status(Code::OK).run();
        assert!(s.outlets()[2], "cycle ends on ({protocol})");
        let cycled =
            s.requests().iter().any(|r| r.contains("outlet?3=CCL") || r.contains("/restapi/relay/outlets/2/cycle/"));
        assert!(cycled, "{protocol}: {:?}", s.requests());
        dli(&s, "off").param("protocol", protocol).status(Code::OK).run();
        dli(&s, "query").param("protocol", protocol).stdout("off\n").run();
    }
}

#[test]
fn auto_says_which_protocol_it_used() {
    let s = sim(DliArgs { rest: true, ..DliArgs::default() });
    dli(&s, "query").args(["-v"]).stderr_contains("using the REST API").run();
    let s = sim(DliArgs::default());
    dli(&s, "query").args(["-v"]).stderr_contains("using the legacy web interface").run();
}

#[test]
fn outlet_numbers_are_one_based_for_the_user_and_zero_based_in_rest_urls() {
    let s = sim(DliArgs { rest: true, ..DliArgs::default() });
    dli(&s, "on").param("protocol", "rest").param("outlet_id", "1").status(Code::OK).run();
    assert!(s.outlets()[0]);
    assert!(
        s.requests().iter().any(|r| r.starts_with("PUT /restapi/relay/outlets/0/state/ -> 204")),
        "{:?}",
        s.requests()
    );
    let s = sim(DliArgs::default());
    dli(&s, "on").param("protocol", "legacy").param("outlet_id", "8").status(Code::OK).run();
    assert!(s.outlets()[7]);
    assert!(s.requests().iter().any(|r| r.starts_with("GET /outlet?8=ON")));
}

#[test]
fn outlets_out_of_range_name_the_count() {
    for (rest, protocol) in [(false, "legacy"), (true, "rest")] {
        let s = sim(DliArgs { rest, outlets: 4, ..DliArgs::default() });
        dli(&s, "on")
            .param("protocol", protocol)
            .param("outlet_id", "6")
            .stderr_contains("`outlet_id` 6 is out of range")
            .stderr_contains("has 4 outlets (1 to 4)")
            .status(Code::USAGE)
            .run();
    }
}

#[test]
fn challenge_login_when_basic_is_refused() {
    let s = sim(DliArgs { no_basic: true, ..DliArgs::default() });
    dli(&s, "on").param("protocol", "legacy").status(Code::OK).run();
    assert!(s.outlets()[2]);
    assert!(s.requests().iter().any(|r| r.starts_with("POST /login.tgi")));
}

#[test]
fn wrong_credentials_are_auth_failures_that_never_echo_the_password() {
    for (rest, no_basic) in [(false, false), (false, true), (true, false)] {
        let s = sim(DliArgs { rest, no_basic, ..DliArgs::default() });
        dli(&s, "on")
            .args(["-vvv"])
            .env("POWERPLUG_POWER_PASS", "hunter2-wrong")
            .stderr_contains("rejected user `admin` and its password")
            .stderr_lacks("hunter2-wrong")
            .status(Code::AUTH_FAILED)
            .run();
        assert!(!s.outlets()[2]);
    }
}

/// A simulator fault, extra parameters, the expected message and exit code.
type Fault = (DliArgs, &'static [(&'static str, &'static str)], &'static str, u8);

#[test]
fn every_fault_has_its_exit_code() {
    let cases: Vec<Fault> = vec![
        (
            DliArgs { delay_ms: 1500, ..DliArgs::default() },
            &[("timeout_ms", "300")],
            "did not answer within 300 ms",
            Code::UNREACHABLE,
        ),
        (DliArgs { fail_500: true, ..DliArgs::default() }, &[], "answered HTTP 500", Code::DEVICE_ERROR),
        (DliArgs { drop: true, ..DliArgs::default() }, &[], "broke off", Code::UNREACHABLE),
        (DliArgs { always_401: true, ..DliArgs::default() }, &[], "rejected user `admin`", Code::AUTH_FAILED),
        (
            DliArgs { malformed: true, ..DliArgs::default() },
            &[],
            "neither the state comment nor an outlet table",
            Code::DEVICE_ERROR,
        ),
        (
            DliArgs { stuck: true, ..DliArgs::default() },
            &[("settle_ms", "300")],
            "still reports off 300 ms after the change",
            Code::DEVICE_ERROR,
        ),
    ];
    for (args, extra, text, code) in cases {
        let s = sim(args);
        let mut t = dli(&s, "on").param("protocol", "legacy");
        for (k, v) in extra {
            t = t.param(k, v);
        }
        t.stderr_contains(text).stderr_lacks("1234").status(code).run();
    }
    // Nothing listening.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    Test::new()
        .plugin_dir(&build_dir().join("libpowerplug_dli.so"))
        .args(["power", "on", "dli"])
        .param("power_address", &format!("127.0.0.1:{port}"))
        .param("outlet_id", "1")
        .stderr_contains("could not connect to the DLI switch at http://127.0.0.1:")
        .status(Code::UNREACHABLE)
        .run();
}

#[test]
fn python_dlipower_logs_in_with_the_challenge_and_switches() {
    let python = require_program("python3");
    let s = sim(DliArgs::default());
    let program = "import os, dlipower\n\
                   s = dlipower.PowerSwitch(hostname=os.environ['DLI_HOST'], userid='admin', password=os.environ['DLI_PASS'])\n\
                   s.login()\nassert s.on(5) is False, 'dlipower reports failure as True'\nprint(s.status(5))\n";
    let out = Command::new(python)
        .args(["-c", program])
        .env("DLI_HOST", s.addr().to_string())
        .env("DLI_PASS", "1234")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ON");
    assert!(s.outlets()[4]);
    assert!(s.requests().iter().any(|r| r.starts_with("POST /login.tgi")), "{:?}", s.requests());
}

#[test]
fn wget_from_the_maas_template_switches() {
    let wget = require_program("wget");
    let s = sim(DliArgs::default());
    let url = format!("http://admin:1234@{}/outlet?2=ON", s.addr());
    let out = Command::new(wget).args(["-q", "--auth-no-challenge", "-O", "/dev/null", &url]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(s.outlets()[1]);
}
