//! The `command` driver end to end: `powerplug power ... command` runs real programs (`touch`,
//! `rm`, `mv`, `cat`, `ls`, `sleep`, `printenv`, a recording script) configured in its
//! parameters, never through a shell: files appear and vanish, the query regexes read a state
//! file, failures get their exit codes (device 7 with the stderr tail, timeout 5, missing
//! program 8, bad configuration 2, unset action 4), substituted values stay one argument and are
//! never interpreted, and the secret reaches the child only through its environment.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use power_core::PowerplugExitCode as Code;

use crate::test::{build_dir, scratch, Test};

fn command(action: &str) -> Test {
    Test::new().plugin_dir(&build_dir().join("libpowerplug_command.so")).args(["power", action, "command"])
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

fn text(p: &Path) -> String {
    p.to_str().unwrap().to_owned()
}

#[test]
fn on_and_off_run_the_configured_programs() {
    let dir = scratch("command-onoff");
    let on = |t: Test| {
        t.param("on_command", r#"["touch", "{args}/on-{outlet}"]"#)
            .param("off_command", "rm '{args}/on-{outlet}'")
            .param("args", &text(&dir))
            .param("outlet", "3")
    };
    on(command("on")).stdout("").status(Code::OK).run();
    assert_eq!(names(&dir), ["on-3"]);
    on(command("off")).stdout("").status(Code::OK).run();
    assert!(names(&dir).is_empty());
    // A second off: rm fails, and its stderr says why.
    on(command("off"))
        .stderr_contains("`rm` exited with code 1")
        .stderr_contains("on-3")
        .status(Code::DEVICE_ERROR)
        .run();
}

#[test]
fn cycle_runs_off_then_on() {
    let dir = scratch("command-cycle");
    let d = text(&dir);
    let started = std::time::Instant::now();
    command("cycle")
        .param("off_command", r#"["touch", "{args}/off"]"#)
        .param("on_command", r#"["mv", "{args}/off", "{args}/on"]"#)
        .param("args", &d)
        .param("cycle_off_ms", "400")
        .status(Code::OK)
        .run();
    assert_eq!(names(&dir), ["on"], "on (mv off on) ran after off (touch off)");
    assert!(started.elapsed() >= std::time::Duration::from_millis(400), "the machine stayed off cycle_off_ms");
    // Without an on_command, cycle is refused before anything runs (no machine left off).
    command("cycle")
        .param("off_command", r#"["touch", "{args}/ran"]"#)
        .param("args", &d)
        .stderr_contains("cannot cycle: `on_command` is not set for this node")
        .status(Code::UNSUPPORTED_ACTION)
        .run();
    assert_eq!(names(&dir), ["on"]);
}

#[test]
fn query_reads_the_state_with_the_regexes() {
    let dir = scratch("command-query");
    let state = dir.join("state");
    let query = |content: &str| {
        fs::write(&state, content).unwrap();
        command("query")
            .param("query_command", "cat {args}")
            .param("args", &text(&state))
            .param("query_on_regex", r"(?m)^running$")
            .param("query_off_regex", r"^(stopped|shut off)\b")
    };
    query("running\n").stdout("on\n").status(Code::OK).run();
    query("stopped\n").stdout("off\n").status(Code::OK).run();
    query("shut off").stdout("off\n").status(Code::OK).run();
    query("paused\n\x1b[0m")
        .stdout("")
        .stderr_contains("matched neither `query_on_regex` (\"(?m)^running$\") nor `query_off_regex`")
        .stderr_contains("its output began: \"paused\\u{a}\\u{1b}[0m\"")
        .status(Code::DEVICE_ERROR)
        .run();
    // maaspower's defaults: "on", then "off".
    fs::write(&state, "Power is off\n").unwrap();
    command("query").param("query_command", "cat {args}").param("args", &text(&state)).stdout("off\n").run();
    fs::write(&state, "Power is on\n").unwrap();
    command("query").param("query_command", "cat {args}").param("args", &text(&state)).stdout("on\n").run();
}

#[test]
fn a_failing_program_is_a_device_error_with_the_end_of_its_stderr() {
    command("on")
        .param("on_command", "ls /powerplug-nonexistent")
        .stderr_contains("`on_command`: `ls` exited with code 2: ")
        .stderr_contains("No such file or directory")
        .status(Code::DEVICE_ERROR)
        .run();
    command("off")
        .param("off_command", "false")
        .stderr_contains("`off_command`: `false` exited with code 1 and printed nothing")
        .status(Code::DEVICE_ERROR)
        .run();
    command("query")
        .param("query_command", "ls /powerplug-nonexistent")
        .stderr_contains("`query_command`: `ls` exited with code 2")
        .status(Code::DEVICE_ERROR)
        .run();
}

#[test]
fn a_hanging_program_is_killed_at_the_timeout() {
    let t = Instant::now();
    command("on")
        .param("on_command", "sleep 10")
        .param("timeout", "1")
        .stderr_contains("`sleep` did not finish within the timeout of 1 s (parameter `timeout`)")
        .status(Code::UNREACHABLE)
        .run();
    assert!(t.elapsed() < Duration::from_secs(5), "took {:?}", t.elapsed());
    command("on").param("on_command", "true").param("timeout", "3601").status(Code::USAGE).run();
}

#[test]
fn a_missing_program_is_missing() {
    command("on")
        .param("on_command", "powerplug-no-such-program -a on")
        .stderr_contains("the program `powerplug-no-such-program` is not installed")
        .status(Code::MISSING_PROGRAM)
        .run();
}

#[test]
fn substituted_values_stay_one_argument_and_are_never_interpreted() {
    let dir = scratch("command-words");
    fs::write(dir.join("keep"), "").unwrap();
    let on = |command_text: &str, value: &str| {
        command("on").param("on_command", command_text).param("args", &text(&dir)).param("node", value)
    };
    on(r#"["touch", "{args}/{node}"]"#, "two  spaced words").status(Code::OK).run();
    assert_eq!(names(&dir), ["keep", "two  spaced words"], "exactly one file");
    on("touch '{args}/x{node}'", "; rm -rf keep").status(Code::OK).run();
    on("touch {args}/{node}", "$(touch pwned) `id` | > &").status(Code::OK).run();
    assert_eq!(names(&dir), ["$(touch pwned) `id` | > &", "keep", "two  spaced words", "x; rm -rf keep"]);
    // Unquoted in the shell-like form, a space in the value is still no word boundary.
    on("touch {args}/{node}", "a b").status(Code::OK).run();
    assert!(dir.join("a b").is_file() && !dir.join("a").exists());
}

#[test]
fn the_secret_reaches_the_child_only_through_the_environment() {
    const SECRET: &str = "pp-s3cret-value-42";
    let dir = scratch("command-secret");
    let script = dir.join("record");
    fs::write(
        &script,
        "#!/bin/sh\nprintf '%s\\n' \"$0\" \"$@\" > \"$1/argv\"\nprintf '%s' \"$POWERPLUG_SECRET\" > \"$1/env\"\n",
    )
    .unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    let out = command("on")
        .args(["-vvv"])
        .param("on_command", &format!("{} {{args}} --flag", text(&script)))
        .param("args", &text(&dir))
        .env("POWERPLUG_SECRET", SECRET)
        .stderr_contains("on_command: running [")
        .stderr_lacks(SECRET)
        .status(Code::OK)
        .run();
    assert!(String::from_utf8_lossy(&out.stderr).contains("--flag"), "-vvv logs the argv");
    assert_eq!(fs::read_to_string(dir.join("env")).unwrap(), SECRET);
    let argv = fs::read_to_string(dir.join("argv")).unwrap();
    assert_eq!(argv, format!("{}\n{}\n--flag\n", text(&script), text(&dir)));
    // printenv prints it; the on regex is the secret itself, so `on` proves the value arrived.
    command("query")
        .args(["-vvv"])
        .param("query_command", r#"["printenv", "POWERPLUG_SECRET"]"#)
        .param("query_on_regex", SECRET)
        .env("POWERPLUG_SECRET", SECRET)
        .stdout("on\n")
        .stderr_lacks(SECRET)
        .status(Code::OK)
        .run();
    // A {secret} placeholder is refused before anything runs.
    command("on")
        .param("on_command", "tool --password {secret}")
        .env("POWERPLUG_SECRET", SECRET)
        .stderr_contains("`on_command` uses the placeholder `{secret}`")
        .stderr_contains("$POWERPLUG_SECRET")
        .stderr_lacks(SECRET)
        .status(Code::USAGE)
        .run();
}

#[test]
fn bad_configuration_is_a_usage_error_naming_the_parameter() {
    let cases: [(&str, &str, &str); 6] = [
        ("on_command", "uhubctl -a 'on", "unbalanced quotes"),
        ("on_command", "virsh start vm | tee log", "never run by a shell"),
        ("off_command", "uhubctl -p {port}", "this driver has no parameter `port`"),
        ("off_command", "uhubctl -p {outlet}", "`outlet` is not set"),
        ("query_command", r#"["virsh", 7]"#, "JSON array of strings"),
        ("query_on_regex", "(on", "is not a valid regular expression"),
    ];
    for (param, value, problem) in cases {
        let t = command("on").param(param, value);
        let t = if param == "on_command" { t } else { t.param("on_command", "true") };
        t.stderr_contains(&format!("`{param}`")).stderr_contains(problem).status(Code::USAGE).run();
    }
    command("on")
        .param("outlet", "1")
        .stderr_contains("none of `on_command`, `off_command` and `query_command` is set")
        .status(Code::USAGE)
        .run();
}

#[test]
fn unset_actions_are_unsupported() {
    command("off")
        .param("on_command", "true")
        .stderr_contains("cannot switch off: `off_command` is not set for this node")
        .status(Code::UNSUPPORTED_ACTION)
        .run();
    command("query")
        .param("on_command", "true")
        .stderr_contains("`query_command` is not set for this node")
        .status(Code::UNSUPPORTED_ACTION)
        .run();
}

#[test]
fn maas_artifacts_use_the_delegate_style() {
    let maas = |args: &[&str]| Test::new().plugin_dir(&build_dir().join("libpowerplug_command.so")).args(args);
    let out = maas(&["maas", "template", "command", "--maas", "1.8", "--style", "delegate"]).status(Code::OK).run();
    let template = String::from_utf8_lossy(&out.stdout);
    assert!(template.contains("POWERPLUG_ON_COMMAND") && template.contains("power query command"), "{template}");
    maas(&["maas", "snippets", "command", "--maas", "3.6"]).status(Code::OK).run();
    maas(&["maas", "patch", "command", "--maas", "1.8"]).stdout_contains("pp_command").status(Code::OK).run();
}
