//! The command-line contract scripts and MAAS rely on: `query` prints exactly the state, every
//! failure kind has its documented exit code, parameters come from -p, files and the
//! environment, secrets never reach the output, plugin logs reach `-v`.

use std::fs;

use power_core::PowerplugExitCode as Code;

use crate::test::{plugin_dir, redact_paths, Test};

fn mock() -> (std::path::PathBuf, String) {
    let dir = plugin_dir("contract", &[("testplug_mock", "mock")]);
    let state = dir.join("state").display().to_string();
    (dir, state)
}

#[test]
fn query_prints_exactly_the_state() {
    let (dir, state) = mock();
    Test::new()
        .plugin_dir(&dir)
        .args(["power", "query", "mock"])
        .param("state_file", &state)
        .stdout("off\n")
        .status(Code::OK)
        .run();
    Test::new()
        .plugin_dir(&dir)
        .args(["power", "on", "mock"])
        .param("state_file", &state)
        .stdout("")
        .status(Code::OK)
        .run();
    Test::new().plugin_dir(&dir).args(["power", "query", "mock"]).param("state_file", &state).stdout("on\n").run();
    // The SDK's cycle: off, the standard cycle_off_ms wait, on.
    let started = std::time::Instant::now();
    Test::new()
        .plugin_dir(&dir)
        .args(["power", "cycle", "mock"])
        .param("state_file", &state)
        .param("cycle_off_ms", "300")
        .stdout("")
        .status(Code::OK)
        .run();
    assert!(started.elapsed() >= std::time::Duration::from_millis(300), "cycle kept the machine off");
    Test::new()
        .plugin_dir(&dir)
        .args(["power", "query", "mock"])
        .param("state_file", &state)
        .stdout(
            "on
",
        )
        .run();
    Test::new()
        .plugin_dir(&dir)
        .args(["power", "cycle", "mock", "--timeout", "1"])
        .param("state_file", &state)
        .param("cycle_off_ms", "5000")
        .stderr_contains("`cycle_off_ms` (5000 ms) does not fit in the action's deadline")
        .status(Code::USAGE)
        .run();
    Test::new().plugin_dir(&dir).args(["power", "query", "mock"]).param("state_file", &state).stdout("on\n").run();
    Test::new().plugin_dir(&dir).args(["power", "off", "mock"]).param("state_file", &state).run();
    Test::new().plugin_dir(&dir).args(["power", "query", "mock"]).param("state_file", &state).stdout("off\n").run();
}

#[test]
fn every_failure_kind_has_its_exit_code() {
    let (dir, state) = mock();
    let run = |fail: &str, code: u8, text: &str| {
        Test::new()
            .plugin_dir(&dir)
            .args(["power", "on", "mock"])
            .param("state_file", &state)
            .param("fail", fail)
            .stderr_contains(text)
            .status(code)
            .run();
    };
    run("unreachable", Code::UNREACHABLE, "device unreachable: the mock device did not answer");
    run("device", Code::DEVICE_ERROR, "device error: the mock device reported an error");
    let refusals: [(&[&str], &str, u8); 4] = [
        (
            &["power", "off", "mock_pdu"],
            "driver `mock_pdu` does not support `off`: the mock PDU has no off switch (it supports: on)",
            Code::UNSUPPORTED_ACTION,
        ),
        (
            &["power", "on", "mock_tool"],
            "needs `powerplug-no-such-tool` (install the Debian package `powerplug-no-such-package`)",
            Code::MISSING_PROGRAM,
        ),
        (&["power", "on", "nosuch"], "no driver `nosuch`; available: mock, mock_pdu, mock_tool", Code::USAGE),
        (&["power", "on", "mock", "-p", "novalue"], "-p expects NAME=VALUE", Code::USAGE),
    ];
    for (args, text, code) in refusals {
        Test::new().plugin_dir(&dir).args(args).stderr_contains(text).status(code).run();
    }
    Test::new().plugin_dir(&dir).args(["power", "reset", "mock"]).status(Code::USAGE).run();
}

#[test]
fn parameter_errors_name_the_parameter_and_the_expectation() {
    let (dir, _) = mock();
    let out = Test::new()
        .plugin_dir(&dir)
        .args(["power", "on", "mock"])
        .param("outlet_id", "nine")
        .param("mac_address", "zz:zz")
        .param("colour", "red")
        .status(Code::USAGE)
        .run();
    insta::assert_snapshot!("param_errors", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn parameters_from_environment_and_files() {
    let (dir, state) = mock();
    Test::new()
        .plugin_dir(&dir)
        .env("POWERPLUG_STATE_FILE", &state)
        .args(["power", "on", "mock"])
        .status(Code::OK)
        .run();
    assert_eq!(fs::read_to_string(&state).unwrap(), "on");
    let toml = dir.join("p.toml");
    fs::write(&toml, format!("state_file = {state:?}\noutlet_id = 3\nverify = false\n")).unwrap();
    Test::new().plugin_dir(&dir).args(["power", "off", "mock", "--params-file"]).arg_path(&toml).status(Code::OK).run();
    assert_eq!(fs::read_to_string(&state).unwrap(), "off");
    let lines = dir.join("p.conf");
    fs::write(&lines, format!("# mock\nstate_file={state}\npower_pass=letmein\n")).unwrap();
    Test::new()
        .plugin_dir(&dir)
        .args(["power", "on", "mock", "--params-file"])
        .arg_path(&lines)
        .stderr_lacks("warning")
        .status(Code::OK)
        .run();
    // -p beats the file, which beats the environment.
    let other = dir.join("other").display().to_string();
    Test::new()
        .plugin_dir(&dir)
        .env("POWERPLUG_STATE_FILE", "/nonexistent/x")
        .args(["power", "off", "mock", "--params-file"])
        .arg_path(&lines)
        .param("state_file", &other)
        .status(Code::OK)
        .run();
    assert_eq!(fs::read_to_string(&other).unwrap(), "off");
    fs::write(&toml, "state_file = [1, 2]\n").unwrap();
    Test::new()
        .plugin_dir(&dir)
        .args(["power", "on", "mock", "--params-file"])
        .arg_path(&toml)
        .stderr_contains("parameter `state_file` must be a string")
        .status(Code::USAGE)
        .run();
}

#[test]
fn secrets_never_reach_the_output() {
    let (dir, state) = mock();
    // Wrong password from the environment, with the plugin logging it at debug level (-vv).
    Test::new()
        .plugin_dir(&dir)
        .env("POWERPLUG_POWER_PASS", "hunter2-wrong")
        .args(["-vv", "power", "on", "mock"])
        .param("state_file", &state)
        .stderr_contains("authentication failed: the mock device rejected the password")
        .stderr_contains("rejecting password ***")
        .stderr_lacks("hunter2-wrong")
        .status(Code::AUTH_FAILED)
        .run();
    // On the command line it works but warns.
    Test::new()
        .plugin_dir(&dir)
        .args(["power", "on", "mock"])
        .param("state_file", &state)
        .param("power_pass", "letmein")
        .stderr_contains("secret parameter `power_pass` was given on the command line")
        .stderr_lacks("letmein")
        .status(Code::OK)
        .run();
}

#[test]
fn plugin_logs_reach_the_host_at_verbose() {
    let (dir, state) = mock();
    Test::new()
        .plugin_dir(&dir)
        .args(["-v", "power", "on", "mock"])
        .param("state_file", &state)
        .stderr_contains("mock opened with state file")
        .status(Code::OK)
        .run();
    Test::new()
        .plugin_dir(&dir)
        .args(["power", "on", "mock"])
        .param("state_file", &state)
        .stderr_lacks("mock opened")
        .run();
}

#[test]
fn drivers_list_and_show_snapshots() {
    let (dir, _) = mock();
    let out = Test::new().plugin_dir(&dir).args(["drivers", "list"]).status(Code::OK).run();
    insta::assert_snapshot!("drivers_list", redact_paths(&String::from_utf8_lossy(&out.stdout), &dir));
    let out = Test::new().plugin_dir(&dir).args(["drivers", "show", "mock"]).status(Code::OK).run();
    insta::assert_snapshot!("drivers_show_mock", redact_paths(&String::from_utf8_lossy(&out.stdout), &dir));
    let out = Test::new().plugin_dir(&dir).args(["drivers", "show", "mock", "--json"]).status(Code::OK).run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["driver"]["params"][1]["name"], "power_pass");
    assert_eq!(v["driver"]["params"][1]["secret"], true);
    assert_eq!(v["driver"]["params"][2]["kind"], serde_json::json!({"type": "integer", "min": 1, "max": 8}));
    Test::new().plugin_dir(&dir).args(["drivers", "show", "nosuch"]).status(Code::USAGE).run();
}

#[test]
fn help_snapshot() {
    let out = Test::new().args(["--help"]).status(Code::OK).run();
    insta::assert_snapshot!("help", String::from_utf8_lossy(&out.stdout));
    let out = Test::new().args(["power", "--help"]).status(Code::OK).run();
    insta::assert_snapshot!("help_power", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn completions_and_man_pages_are_generated() {
    for (shell, marker) in [("bash", "_powerplug()"), ("zsh", "#compdef powerplug"), ("fish", "complete -c powerplug")]
    {
        Test::new()
            .args(["completions", shell])
            .status(Code::OK)
            .stdout_contains(marker)
            .stdout_contains("serve")
            .run();
    }
    Test::new().args(["man"]).status(Code::OK).stdout_contains(".TH powerplug 1").run();
    let dir = crate::test::scratch("man");
    Test::new().args(["man", "--dir"]).arg_path(&dir).status(Code::OK).run();
    assert!(dir.join("powerplug-serve.1").is_file() && dir.join("powerplug-power.1").is_file());
}
