//! MAAS integration end to end: emitted templates rendered by real Tempita through a
//! ShellTemplate equivalent (`fixtures/maas/render.py`) and run with `sh` against real devices
//! (the mock plugin's state file, the wake-on-LAN listener); hostile parameter values that must
//! not run anything; emitted 2.x driver modules imported and driven through stubs of MAAS's API;
//! emitted Python compiled; `--json` schemas validated; snapshots of every artifact.

use std::fs;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use power_core::PowerplugExitCode as Code;
use power_sim::wol::{decode, WolListener};
use serde_json::{json, Value};

use crate::test::{build_dir, plugin_dir, require_program, scratch, Test};

pub(crate) const TARGETS: [&str; 9] = ["2014.02", "1.5", "1.7", "1.8", "1.9", "2.2", "3.4", "3.5", "3.6"];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/maas")
}

/// A plugin directory with the mock plugin, and `powerplug maas ...` output for it.
pub(crate) fn emit(dir: &Path, args: &[&str]) -> String {
    let out = Test::new().plugin_dir(dir).args(["maas"]).args(args).status(Code::OK).run();
    String::from_utf8(out.stdout).unwrap()
}

/// Renders `template` with `context` through real Tempita.
pub(crate) fn render(template: &str, context: &Value) -> String {
    let py = require_program("python3");
    let dir = scratch("render");
    let file = dir.join("t.template");
    fs::write(&file, template).unwrap();
    let out = Command::new(py).arg(fixtures().join("render.py")).arg(&file).arg(context.to_string()).output().unwrap();
    assert!(out.status.success(), "render failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Runs a rendered script with `sh` in `cwd`, with powerplug and `plugins` on the paths.
pub(crate) fn run_sh(script: &str, cwd: &Path, plugins: &Path) -> Output {
    let path = format!("{}:/usr/local/bin:/usr/bin:/bin", build_dir().display());
    Command::new("/bin/sh")
        .arg("-c")
        .arg(script)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", path)
        .env("POWERPLUG_PLUGIN_PATH", plugins)
        .output()
        .unwrap()
}

fn mock_dir() -> (PathBuf, PathBuf) {
    let dir = plugin_dir("maas", &[("testplug_mock", "mock")]);
    let state = dir.join("state");
    (dir, state)
}

#[test]
fn delegate_template_switches_and_queries_through_powerplug() {
    let (dir, state) = mock_dir();
    let template = emit(&dir, &["template", "mock", "--maas", "1.8", "--style", "delegate"]);
    let ctx =
        |change: &str| json!({"power_change": change, "state_file": state, "power_pass": "letmein", "outlet_id": 3});
    for (change, want) in [("on", "on"), ("off", "off"), ("on", "on")] {
        let out = run_sh(&render(&template, &ctx(change)), &dir, &dir);
        assert!(out.status.success(), "{change}: {out:?}");
        assert_eq!(fs::read_to_string(&state).unwrap(), want);
        let q = run_sh(&render(&template, &ctx("query")), &dir, &dir);
        assert_eq!(String::from_utf8_lossy(&q.stdout).trim(), want, "{q:?}");
    }
    let bad = run_sh(&render(&template, &ctx("reset")), &dir, &dir);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stdout).contains("unsupported power_change 'reset'"));
    // A failure exits non-zero with powerplug's message (MAAS merges stderr into the output).
    let mut wrong = ctx("on");
    wrong["power_pass"] = json!("wrong");
    let out = run_sh(&render(&template, &wrong), &dir, &dir);
    assert_eq!(out.status.code(), Some(i32::from(Code::AUTH_FAILED)));
    assert!(String::from_utf8_lossy(&out.stderr).contains("rejected the password"));
}

#[test]
fn missing_optional_parameters_are_not_a_render_error() {
    let (dir, state) = mock_dir();
    let template = emit(&dir, &["template", "mock", "--maas", "1.5", "--style", "delegate"]);
    // Only the required parameter and power_change: optional ones are absent from the context.
    let out = run_sh(&render(&template, &json!({"power_change": "on", "state_file": state})), &dir, &dir);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(fs::read_to_string(&state).unwrap(), "on");
}

#[test]
fn hostile_parameter_values_run_nothing() {
    let (dir, _) = mock_dir();
    let template = emit(&dir, &["template", "mock", "--maas", "1.8", "--style", "delegate"]);
    // A line break in a value is refused by validation before anything runs.
    let broken = dir.join("state\ntouch PWNED6");
    let out = run_sh(&render(&template, &json!({"power_change": "on", "state_file": broken})), &dir, &dir);
    assert_eq!(out.status.code(), Some(i32::from(Code::USAGE)), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("contains control characters"), "{out:?}");
    let hostile = "st'ate\"$(touch PWNED1)`touch PWNED2`;touch PWNED3|touch PWNED4&&touch PWNED5 touch PWNED6 *";
    let state = dir.join(hostile);
    let ctx = json!({"power_change": "on", "state_file": state, "mode": "fast; touch PWNED7", "power_address": "$(touch PWNED8)"});
    let out = run_sh(&render(&template, &ctx), &dir, &dir);
    // The bad mode value is refused by validation (exit 2) after it safely reached powerplug.
    assert_eq!(out.status.code(), Some(i32::from(Code::USAGE)), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid value \"fast; touch PWNED7\" for parameter `mode`"));
    let ok = json!({"power_change": "on", "state_file": state});
    let out = run_sh(&render(&template, &ok), &dir, &dir);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(fs::read_to_string(&state).unwrap(), "on", "the hostile file name was used literally");
    let pwned: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("PWNED"))
        .collect();
    assert!(pwned.is_empty(), "a parameter value ran a command: {pwned:?}");
}

#[test]
fn non_queryable_types_fail_query_and_stay_out_of_query_lists() {
    let wol = build_dir().join("libpowerplug_wol.so");
    let template = emit(&wol, &["template", "wol", "--maas", "1.8", "--style", "delegate"]);
    let out = run_sh(
        &render(&template, &json!({"power_change": "query", "mac_address": "00:11:22:33:44:55"})),
        &scratch("q"),
        &wol,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("cannot read the power state"));
    let snippets = emit(&wol, &["snippets", "wol", "--maas", "1.8"]);
    assert!(!snippets.contains("QUERY_POWER_TYPES"), "{snippets}");
    let (dir, _) = mock_dir();
    assert!(emit(&dir, &["snippets", "mock", "--maas", "1.8"]).contains("QUERY_POWER_TYPES"));
    assert!(
        !emit(&dir, &["snippets", "mock", "--maas", "1.6"]).contains("QUERY_POWER_TYPES"),
        "no query list before 1.7"
    );
    let module = emit(&wol, &["snippets", "wol", "--maas", "3.6"]);
    assert!(module.contains("    queryable = False"), "{module}");
}

#[test]
fn wol_delegate_template_sends_the_packet() {
    let wol = build_dir().join("libpowerplug_wol.so");
    let l = WolListener::bind((Ipv4Addr::LOCALHOST, 0).into()).unwrap();
    let port = l.local_addr().port();
    let template = emit(&wol, &["template", "wol", "--maas", "1.9", "--style", "delegate"]);
    let ctx = json!({"power_change": "on", "mac_address": "00:1B:21:3A:4B:CF", "broadcast": "127.0.0.1", "port": port, "repeat": 1});
    let out = run_sh(&render(&template, &ctx), &scratch("wol"), &wol);
    assert!(out.status.success(), "{out:?}");
    let (buf, _) = l.recv(Some(Duration::from_secs(5))).unwrap().expect("a magic packet");
    assert_eq!(decode(&buf).unwrap().mac_text(), "00:1b:21:3a:4b:cf");
}

fn python(args: &[&str]) -> Output {
    Command::new(require_program("python3")).args(args).output().unwrap()
}

#[test]
fn emitted_driver_modules_compile_and_drive_powerplug() {
    let (dir, state) = mock_dir();
    for target in ["2.2", "3.4", "3.5", "3.6"] {
        let snippets = emit(&dir, &["snippets", "mock", "--maas", target]);
        let module = snippets.split("# New file src/provisioningserver/drivers/power/pp_mock.py:\n").nth(1).unwrap();
        let module = module.split("\n# In ").next().unwrap();
        let file = scratch("module").join("pp_mock.py");
        fs::write(&file, module).unwrap();
        let out = python(&["-m", "py_compile", file.to_str().unwrap()]);
        assert!(out.status.success(), "{target}: {out:?}");
        let drive = fixtures().join("drive.py");
        let run = |action: &str, ctx: Value| {
            let out = Command::new("python3")
                .arg(&drive)
                .arg(&file)
                .arg(action)
                .arg(ctx.to_string())
                .env("PATH", format!("{}:/usr/bin:/bin", build_dir().display()))
                .env("POWERPLUG_PLUGIN_PATH", &dir)
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout).trim().to_owned()
        };
        let d: Value = serde_json::from_str(&run("describe", json!({}))).unwrap();
        assert_eq!(d["name"], "pp_mock");
        assert_eq!(d["queryable"], true);
        assert_eq!(d["settings"][1]["field_type"], "password");
        // make_setting_field(secret=...) exists from 3.3 only.
        assert_eq!(d["settings"][1]["secret"], target != "2.2", "{target}");
        assert_eq!(d["settings"][2]["scope"], "node");
        // The 3.5+ agent drops empty settings: the module must cope with them missing.
        assert_eq!(run("on", json!({"state_file": state, "outlet_id": ""})), "ok", "{target}");
        assert_eq!(run("query", json!({"state_file": state})), "on");
        assert_eq!(run("off", json!({"state_file": state, "power_pass": "letmein"})), "ok");
        assert_eq!(run("query", json!({"state_file": state})), "off");
        assert!(run("on", json!({"state_file": state, "fail": "unreachable"})).starts_with("ERROR PowerConnError: "));
        assert!(run("on", json!({"state_file": state, "power_pass": "nope"})).starts_with("ERROR PowerAuthError: "));
        assert!(run("on", json!({})).starts_with("ERROR PowerSettingError: "));
        assert_eq!(run("missing", json!({})), "[]");
        let out = Command::new("python3")
            .arg(&drive)
            .arg(&file)
            .args(["missing", "{}"])
            .env("PATH", format!("{}:/usr/bin:/bin", build_dir().display()))
            .env("POWERPLUG_PLUGIN_PATH", scratch("no-plugins"))
            .output()
            .unwrap();
        let missing = String::from_utf8_lossy(&out.stdout);
        assert!(
            missing.contains("powerplug plugin for driver mock"),
            "{target}: MAAS shows the missing plugin: {missing}"
        );
    }
}

/// A 1.x registration fragment (a list entry) evaluated with a stub `make_json_field`.
fn eval_fragment(fragment: &str) -> Value {
    let program = format!(
        "import json\ndef make_json_field(name, label, field_type=None, choices=None, default=None, required=False):\n    \
         return {{'name': name, 'label': label, 'required': required, 'field_type': field_type or 'string', 'choices': choices or [], 'default': '' if default is None else default}}\n\
         L = [\n{fragment}\n]\nprint(json.dumps(L[0]))\n"
    );
    let out = python(&["-c", &program]);
    assert!(out.status.success(), "{}\n{program}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn v1_registration_evaluates_to_the_json_schema_and_validates() {
    let (dir, _) = mock_dir();
    for target in ["2014.02", "1.5", "1.8", "1.9"] {
        let snippets = emit(&dir, &["snippets", "mock", "--maas", target]);
        let entry = snippets.split("JSON_POWER_TYPE_PARAMETERS = [`:\n").nth(1).unwrap();
        let entry: String = entry.lines().take_while(|l| !l.is_empty()).collect::<Vec<_>>().join("\n");
        let evaluated = eval_fragment(&entry);
        let mut json: Value =
            serde_json::from_str(&emit(&dir, &["snippets", "mock", "--maas", target, "--json"])).unwrap();
        // 1.9 adds missing_packages at run time, from the stub driver.
        json.as_object_mut().unwrap().remove("missing_packages");
        assert_eq!(evaluated, json, "{target}: the Python and the JSON disagree");
    }
}

#[test]
fn json_schemas_validate_against_maas_schemas() {
    let drivers: [(PathBuf, &str); 2] = [(mock_dir().0, "mock"), (build_dir().join("libpowerplug_wol.so"), "wol")];
    for (dir, driver) in &drivers {
        for target in TARGETS {
            let json = emit(dir, &["snippets", driver, "--maas", target, "--json"]);
            let schema = match target {
                "2014.02" => "trunk-2014.json",
                "1.5" | "1.7" | "1.8" => "v1_5.json",
                "1.9" => "v1_9.json",
                _ => "v2.json",
            };
            // 1.x schemas describe the whole list; 2.x one driver.
            let instance = if schema == "v2.json" { json.clone() } else { format!("[{json}]") };
            let program = "import json, sys, jsonschema\njsonschema.validate(json.loads(sys.argv[2]), json.load(open(sys.argv[1])))";
            let out = python(&["-c", program, fixtures().join("schemas").join(schema).to_str().unwrap(), &instance]);
            assert!(out.status.success(), "{driver} {target}: {}", String::from_utf8_lossy(&out.stderr));
            // MAAS silently turns a field type it does not know into `string`: never emit one.
            let v: Value = serde_json::from_str(&json).unwrap();
            let allowed: &[&str] = match target {
                "2014.02" | "1.5" | "1.7" => &["string", "mac_address", "choice"],
                "1.8" | "1.9" => &["string", "mac_address", "choice", "password"],
                _ => &["string", "mac_address", "choice", "password", "multiple_choice"],
            };
            for f in v["fields"].as_array().unwrap() {
                assert!(allowed.contains(&f["field_type"].as_str().unwrap()), "{driver} {target}: {f}");
            }
        }
    }
}

#[test]
fn names_are_checked() {
    let (dir, _) = mock_dir();
    Test::new()
        .plugin_dir(&dir)
        .args(["maas", "snippets", "mock", "--maas", "2.2", "--name", "dli"])
        .stderr_contains("one of MAAS's own power types")
        .status(Code::USAGE)
        .run();
    Test::new()
        .plugin_dir(&dir)
        .args(["maas", "snippets", "mock", "--maas", "2.2", "--name", "powerplug_dli"])
        .stderr_contains("10-character column")
        .status(Code::USAGE)
        .run();
    Test::new()
        .plugin_dir(&dir)
        .args(["maas", "snippets", "mock", "--maas", "2.1"])
        .stderr_contains("unknown MAAS target \"2.1\"")
        .status(Code::USAGE)
        .run();
    Test::new()
        .plugin_dir(&dir)
        .args(["maas", "template", "mock", "--maas", "2.2"])
        .stderr_contains("runs Python power drivers, not templates")
        .status(Code::USAGE)
        .run();
    Test::new()
        .plugin_dir(&dir)
        .args(["maas", "template", "mock", "--maas", "1.9"])
        .stderr_contains("carries no native MAAS template; emitting the delegate template")
        .stdout_contains("powerplug")
        .status(Code::OK)
        .run();
    let out = emit(&dir, &["snippets", "mock", "--maas", "3.6", "--name", "mymock"]);
    assert!(out.contains("class MymockPowerDriver(PowerDriver):") && out.contains("MYMOCK = \"mymock\""), "{out}");
}

#[test]
fn wol_native_template_runs_debians_wakeonlan() {
    require_program("wakeonlan");
    let wol = build_dir().join("libpowerplug_wol.so");
    let template = emit(&wol, &["template", "wol", "--maas", "1.8"]);
    assert!(template.contains("native style"), "{template}");
    let l = WolListener::bind((Ipv4Addr::LOCALHOST, 0).into()).unwrap();
    let port = l.local_addr().port();
    let cwd = scratch("wolnative");
    let ctx = json!({"power_change": "on", "mac_address": "001B.213A.4BCF", "broadcast": "127.0.0.1", "port": port, "repeat": 2});
    let out = run_sh(&render(&template, &ctx), &cwd, &wol);
    assert!(out.status.success(), "{out:?}");
    for _ in 0..2 {
        let (buf, _) = l.recv(Some(Duration::from_secs(5))).unwrap().expect("a magic packet");
        assert_eq!(decode(&buf).unwrap().mac_text(), "00:1b:21:3a:4b:cf");
    }
    let off =
        run_sh(&render(&template, &json!({"power_change": "off", "mac_address": "00:1b:21:3a:4b:cf"})), &cwd, &wol);
    assert_eq!(off.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&off.stdout).contains("can only switch a machine on"));
    let hostile = json!({"power_change": "on", "mac_address": "00:1b:21:3a:4b:cf$(touch PWNED)", "broadcast": "127.0.0.1;touch PWNED2", "port": port});
    let bad = run_sh(&render(&template, &hostile), &cwd, &wol);
    assert_eq!(bad.status.code(), Some(2), "{bad:?}");
    assert!(String::from_utf8_lossy(&bad.stdout).contains("is not a MAC address"));
    let sneaky = json!({"power_change": "on", "mac_address": "00:1b:21:3a:4b:cf", "broadcast": "127.0.0.1;touch PWNED3", "port": port});
    let _ = run_sh(&render(&template, &sneaky), &cwd, &wol);
    assert!(fs::read_dir(&cwd).unwrap().next().is_none(), "a parameter value ran a command");
    assert!(l.recv(Some(Duration::from_millis(200))).unwrap().is_none(), "no packet left the hostile runs");
}

/// The fixture MAAS trees (one per target) the patches are applied to.
const TREES: [&str; 10] = ["2014.02", "1.5", "1.7", "1.8", "1.9", "2.2", "3.4", "3.5", "3.6", "3.7"];

fn copy_tree(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap().flatten() {
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            fs::create_dir_all(&dest).unwrap();
            copy_tree(&entry.path(), &dest);
        } else {
            fs::copy(entry.path(), dest).unwrap();
        }
    }
}

fn fixture_tree(target: &str) -> PathBuf {
    let dir = scratch(&format!("tree-{target}"));
    copy_tree(&fixtures().join("trees").join(target), &dir);
    dir
}

fn run_in(dir: &Path, program: &str, args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(require_program(program))
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// Python that checks, in a patched tree, that both types landed in the right structure.
fn check_program(target: &str) -> &'static str {
    match target {
        "2014.02" => {
            "import sys; sys.path.insert(0, 'src')\nfrom maasserver.power_parameters import JSON_POWER_TYPE_PARAMETERS as P\n\
             from provisioningserver.enum import get_power_types, POWER_TYPE\n\
             names = [p['name'] for p in P]; assert 'pp_mock' in names and 'pp_wol' in names, names\n\
             assert 'pp_mock' in get_power_types() and POWER_TYPE.PP_WOL == 'pp_wol'\n"
        }
        "1.5" | "1.7" | "1.8" => {
            "import sys; sys.path.insert(0, 'src/provisioningserver')\nfrom power_schema import JSON_POWER_TYPE_PARAMETERS as P\n\
             names = [p['name'] for p in P]; assert names[-2:] == ['pp_mock', 'pp_wol'], names\n\
             assert all(f['name'] for p in P for f in p['fields'])\n"
        }
        "1.9" => {
            "import sys; sys.path.insert(0, 'src/provisioningserver/power')\nfrom schema import JSON_POWER_TYPE_PARAMETERS as P\n\
             assert [p['name'] for p in P][-2:] == ['pp_mock', 'pp_wol']\n"
        }
        "3.6" | "3.7" => {
            "import sys; sys.path.insert(0, 'src/maasservicelayer/enums')\nfrom power_drivers import PowerTypeEnum as E\n\
             assert E('pp_mock').name == 'PP_MOCK' and E('pp_wol').name == 'PP_WOL'\n"
        }
        _ => "",
    }
}

#[test]
fn patches_apply_to_every_generations_tree() {
    let dir = plugin_dir("patch", &[("testplug_mock", "mock"), ("powerplug_wol", "wol")]);
    for target in TREES {
        for with_src in [false, true] {
            let tree = fixture_tree(target);
            let mut args =
                vec!["patch", "--driver", "mock", "--driver", "wol", "--maas", target, "--style", "delegate"];
            let src = tree.display().to_string();
            if with_src {
                args.extend(["--maas-src", &src]);
            }
            let patch = emit(&dir, &args);
            let check = run_in(&tree, "git", &["apply", "--check", "-v", "-"], &patch);
            assert!(
                check.status.success(),
                "{target} (src: {with_src}): git apply --check\n{}\n{patch}",
                String::from_utf8_lossy(&check.stderr)
            );
            let dry = run_in(&tree, "patch", &["-p1", "--dry-run", "--force"], &patch);
            assert!(dry.status.success(), "{target}: patch -p1\n{}", String::from_utf8_lossy(&dry.stdout));
            let applied = run_in(&tree, "git", &["apply", "-"], &patch);
            assert!(applied.status.success(), "{target}: git apply");
            let compile = run_in(
                &tree,
                "python3",
                &["-c", "import compileall, sys; sys.exit(not compileall.compile_dir('src', quiet=1))"],
                "",
            );
            assert!(
                compile.status.success(),
                "{target}: patched Python does not compile\n{}",
                String::from_utf8_lossy(&compile.stdout)
            );
            let program = check_program(target);
            if !program.is_empty() {
                let checked = run_in(&tree, "python3", &["-c", program], "");
                assert!(checked.status.success(), "{target}: {}", String::from_utf8_lossy(&checked.stderr));
            }
            if with_src {
                // The same name cannot be added twice.
                Test::new()
                    .plugin_dir(&dir)
                    .args(["maas", "patch", "mock", "--maas", target, "--maas-src", &src])
                    .stderr_contains("power type name `pp_mock` is already in use in --maas-src")
                    .status(Code::USAGE)
                    .run();
            }
        }
    }
}

#[test]
fn a_tree_of_another_generation_is_refused() {
    let dir = plugin_dir("wrongtree", &[("testplug_mock", "mock")]);
    for (tree, target, why) in [
        ("2.2", "3.6", "has no src/maasservicelayer/enums/power_drivers.py"),
        ("3.6", "2.2", "has src/maasservicelayer/enums/power_drivers.py, which MAAS 2.2 does not"),
        ("1.9", "1.8", "has no src/provisioningserver/power_schema.py"),
    ] {
        let src = fixture_tree(tree);
        Test::new()
            .plugin_dir(&dir)
            .args(["maas", "patch", "mock", "--maas", target, "--maas-src"])
            .arg_path(&src)
            .stderr_contains("does not look like a MAAS")
            .stderr_contains(why)
            .status(Code::USAGE)
            .run();
    }
}

#[test]
fn dli_native_template_switches_and_queries_the_simulator() {
    use power_sim::dli::{DliArgs, DliSim};
    require_program("curl");
    let dli = build_dir().join("libpowerplug_dli.so");
    let template = emit(&dli, &["template", "dli", "--maas", "1.8"]);
    // A password full of shell and curl-config syntax must arrive intact and run nothing.
    let password = "p\"a's$(touch PWNED)`x`\\;*";
    let sim = DliSim::start(DliArgs { password: password.into(), outlets: 8, ..DliArgs::default() }).unwrap();
    let cwd = scratch("dlinative");
    let ctx = |change: &str, outlet: u32| json!({"power_change": change, "power_address": sim.addr().to_string(), "power_user": "admin", "power_pass": password, "outlet_id": outlet});
    for (change, outlet) in [("on", 8), ("on", 1)] {
        let out = run_sh(&render(&template, &ctx(change, outlet)), &cwd, &dli);
        assert!(out.status.success(), "{change}: {out:?}");
    }
    assert_eq!(sim.outlets(), [true, false, false, false, false, false, false, true]);
    // state=81: MAAS's own template read this hex as decimal and got outlets 1, 5, 7.
    for (outlet, want) in [(8, "on"), (1, "on"), (5, "off"), (7, "off")] {
        let q = run_sh(&render(&template, &ctx("query", outlet)), &cwd, &dli);
        assert_eq!(String::from_utf8_lossy(&q.stdout).trim(), want, "outlet {outlet}: {q:?}");
    }
    let out = run_sh(&render(&template, &ctx("off", 8)), &cwd, &dli);
    assert!(out.status.success(), "{out:?}");
    assert!(!sim.outlets()[7]);
    let mut wrong = ctx("on", 2);
    wrong["power_pass"] = json!("nope");
    assert!(!run_sh(&render(&template, &wrong), &cwd, &dli).status.success());
    assert!(fs::read_dir(&cwd).unwrap().next().is_none(), "a parameter value ran a command");
}

#[test]
fn sm15k_templates_send_the_oem_bytes() {
    use power_sim::sm15k::{Sm15kArgs, Sm15kSim};
    require_program("ipmitool");
    let sm = build_dir().join("libpowerplug_sm15k.so");
    let sim = Sm15kSim::start(&Sm15kArgs::default()).unwrap();
    let cwd = scratch("smnative");
    for style in ["native", "delegate"] {
        let template = emit(&sm, &["template", "sm15k", "--maas", "1.9", "--style", style]);
        assert!(template.contains("pp_system_id"), "{style}: the server number is MAAS field pp_system_id");
        let ctx = |change: &str| {
            json!({"power_change": change, "power_address": format!("127.0.0.1:{}", sim.port()), "power_user": "admin",
                   "power_pass": "admin", "pp_system_id": "09/0", "system_id": "node-abc123"})
        };
        for change in ["on", "off"] {
            let out = run_sh(&render(&template, &ctx(change)), &cwd, &sm);
            assert!(out.status.success(), "{style} {change}: {out:?}");
        }
        let q = run_sh(&render(&template, &ctx("query")), &cwd, &sm);
        assert_eq!(q.status.code(), Some(1), "{style}: no guessing");
    }
    let got: Vec<Vec<u8>> = sim.received().into_iter().map(|r| r.data).collect();
    let on = vec![0x00, 0x7d, 0xab, 1, 0, 9];
    let off = vec![0x00, 0x7d, 0xab, 6, 0, 9];
    assert_eq!(got, [on.clone(), off.clone(), on, off]);
}

#[test]
fn rendered_templates_of_the_smart_plug_drivers_switch_their_simulators() {
    use power_sim::homeassistant::{HomeAssistantArgs, HomeAssistantSim};
    use power_sim::kasa::{KasaArgs, KasaSim};
    use power_sim::shelly::{ShellyArgs, ShellySim};
    use power_sim::tasmota::{TasmotaArgs, TasmotaSim};
    let lib = |d: &str| build_dir().join(format!("libpowerplug_{d}.so"));
    let run = |driver: &str, name: &[&str], ctx: Value| {
        let mut args = vec!["template", driver, "--maas", "1.8", "--style", "delegate"];
        args.extend_from_slice(name);
        let template = emit(&lib(driver), &args);
        let out = run_sh(&render(&template, &ctx), &scratch(driver), &lib(driver));
        assert!(out.status.success(), "{driver}: {out:?}");
    };
    let t = TasmotaSim::start(TasmotaArgs { relays: 2, ..TasmotaArgs::default() }).unwrap();
    run("tasmota", &[], json!({"power_change": "on", "power_address": t.addr().to_string(), "relay": 2}));
    assert_eq!(t.relays(), [false, true]);
    let s = ShellySim::start(ShellyArgs { password: Some("maas-pw".into()), ..ShellyArgs::default() }).unwrap();
    run("shelly", &[], json!({"power_change": "on", "power_address": s.addr().to_string(), "power_pass": "maas-pw"}));
    assert_eq!(s.outputs(), [true]);
    let k = KasaSim::start(KasaArgs { outlets: 6, ..KasaArgs::default() }).unwrap();
    run("kasa", &[], json!({"power_change": "on", "power_address": k.addr().to_string(), "outlet": 6}));
    assert!(k.relays()[5]);
    let h =
        HomeAssistantSim::start(HomeAssistantArgs { token: "maas-token-1234".into(), ..HomeAssistantArgs::default() })
            .unwrap();
    let ctx = json!({"power_change": "on", "power_address": format!("http://{}", h.addr()), "power_pass": "maas-token-1234", "entity_id": "switch.rack_pc"});
    run("homeassistant", &["--name", "pp_hass"], ctx);
    assert_eq!(h.state("switch.rack_pc").as_deref(), Some("on"));
}

#[test]
fn pdu_and_poe_through_maas_templates_and_the_36_module_against_real_snmpd() {
    use crate::pdu::{agent, RO, RW};
    use power_sim::snmp::{AuthProtocol, PrivProtocol, SnmpModel, V3User};
    let lib = |d: &str| build_dir().join(format!("libpowerplug_{d}.so"));
    // MAAS 1.x: the delegate template, rendered by Tempita, run by sh.
    let pdu = agent(SnmpModel::Apc, 8, &[], |_| {});
    let template = emit(&lib("pdu"), &["template", "pdu", "--maas", "1.8", "--style", "delegate"]);
    let ctx = json!({"power_change": "on", "power_address": pdu.addr().to_string(), "community": RW, "outlet_id": 5});
    let out = run_sh(&render(&template, &ctx), &scratch("pdu-template"), &lib("pdu"));
    assert!(out.status.success(), "{out:?}");
    assert_eq!(pdu.is_on("5"), Some(true));
    let poe = agent(SnmpModel::Poe, 8, &[], |a| {
        a.v3_users =
            vec![V3User::auth_priv("maas", AuthProtocol::Sha256, "maas-auth-pw", PrivProtocol::Aes, "maas-priv-pw")]
    });
    let template = emit(&lib("poe"), &["template", "poe", "--maas", "1.8", "--style", "delegate"]);
    let ctx = json!({"power_change": "on", "power_address": poe.addr().to_string(), "snmp_version": "3", "v3_user": "maas",
        "v3_auth_protocol": "SHA-256", "v3_auth_pass": "maas-auth-pw", "v3_priv_pass": "maas-priv-pw", "port_id": 4});
    let out = run_sh(&render(&template, &ctx), &scratch("poe-template"), &lib("poe"));
    assert!(out.status.success(), "{out:?}");
    assert_eq!(poe.is_on("1.4"), Some(true));

    // MAAS 3.6: the generated driver module, driven as MAAS's power service drives it; SNMP
    // failures arrive as the MAAS errors their exit codes map to.
    let snippets = emit(&lib("pdu"), &["snippets", "pdu", "--maas", "3.6"]);
    let module = snippets.split("# New file src/provisioningserver/drivers/power/pp_pdu.py:\n").nth(1).unwrap();
    let file = scratch("pdu-module").join("pp_pdu.py");
    fs::write(&file, module.split("\n# In ").next().unwrap()).unwrap();
    let run = |action: &str, ctx: Value| {
        let out = Command::new("python3")
            .arg(fixtures().join("drive.py"))
            .arg(&file)
            .arg(action)
            .arg(ctx.to_string())
            .env("PATH", format!("{}:/usr/bin:/bin", build_dir().display()))
            .env("POWERPLUG_PLUGIN_PATH", lib("pdu"))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    let node = |community: &str| json!({"power_address": pdu.addr().to_string(), "community": community, "outlet_id": "6", "timeout_ms": "200", "retries": "0"});
    assert_eq!(run("on", node(RW)), "ok");
    assert_eq!(pdu.is_on("6"), Some(true));
    assert_eq!(run("query", node(RW)), "on");
    assert!(run("off", node("not-a-community")).starts_with("ERROR PowerConnError: "));
    assert!(run("off", node(RO)).starts_with("ERROR PowerAuthError: "));
    assert!(run("off", json!({"power_address": pdu.addr().to_string(), "community": RW, "outlet_id": "60"}))
        .starts_with("ERROR PowerSettingError: "));
    assert_eq!(run("off", node(RW)), "ok");
    assert_eq!(run("query", node(RW)), "off");
}
