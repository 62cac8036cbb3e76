//! The SDK as a third party gets it: power-core and plugin-sdk packaged as `.crate` files (cargo
//! verifies plugin-sdk against the packaged power-core), unpacked outside the workspace; a
//! driver crate scaffolded by `powerplug plugin new` against them, its generated tests run, the
//! plugin built, checked by `plugin check` and run by the host against a fake device.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use power_core::PowerplugExitCode as Code;

use crate::test::{build_dir, powerplug, scratch, Test};

fn cargo() -> Command {
    let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    c.env_remove("CARGO_TARGET_DIR").env_remove("RUSTFLAGS");
    c
}

#[track_caller]
fn ok(cmd: &mut Command) -> String {
    let out = cmd.output().expect("spawn cargo");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{cmd:?} failed:\n{text}");
    text
}

/// power-core's version, from its manifest.
fn power_core_version() -> String {
    let manifest = std::fs::read_to_string(workspace().join("power-core/Cargo.toml")).unwrap();
    let line = manifest.lines().find(|l| l.starts_with("version = ")).unwrap();
    line.trim_start_matches("version = ").trim_matches('"').to_owned()
}

/// The workspace root (tests/ is one level down).
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

#[test]
fn a_driver_outside_the_workspace_builds_against_the_packaged_sdk_and_runs() {
    let target = build_dir().parent().unwrap().to_path_buf();
    let packaged = target.join("sdk-package");
    ok(cargo()
        .current_dir(workspace())
        .args(["package", "-p", "power-core", "-p", "plugin-sdk", "--allow-dirty", "--quiet", "--target-dir"])
        .arg(&packaged));
    let outside = scratch("third-party");
    let core = format!("power-core-{}", power_core_version());
    let sdk = format!("plugin-sdk-{}", plugin_sdk::SDK_VERSION);
    for krate in [&core, &sdk] {
        let file = packaged.join("package").join(format!("{krate}.crate"));
        ok(Command::new("tar").arg("xzf").arg(&file).arg("-C").arg(&outside));
    }
    let crate_dir = outside.join("myplug");
    Test::new()
        .args(["plugin", "new", "myplug", "--dir"])
        .arg_path(&crate_dir)
        .args(["--sdk-path"])
        .arg_path(&outside.join(&sdk))
        .args(["--core-path"])
        .arg_path(&outside.join(&core))
        .status(Code::OK)
        .stdout_contains("driver `myplug`")
        .run();
    // The workspace's lock file pins the same dependency versions (and keeps the build offline).
    std::fs::copy(workspace().join("Cargo.lock"), crate_dir.join("Cargo.lock")).unwrap();
    let external = target.join("external");
    let tests = ok(cargo().current_dir(&crate_dir).args(["test", "--quiet", "--target-dir"]).arg(&external));
    assert!(tests.contains("test result: ok. 2 passed") && tests.contains("test result: ok. 1 passed"), "{tests}");
    ok(cargo().current_dir(&crate_dir).args(["build", "--quiet", "--target-dir"]).arg(&external));
    let lib = external.join("debug/libpowerplug_myplug.so");
    Test::new().args(["plugin", "check"]).arg_path(&lib).stdout_contains("7 passed, 0 failed").status(Code::OK).run();

    let device = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = device.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for conn in device.incoming().take(2).flatten() {
            let mut line = String::new();
            BufReader::new(&conn).read_line(&mut line).unwrap();
            let answer = if line.starts_with("STATE 2") { "1" } else { "OK" };
            writeln!(&conn, "{answer}").unwrap();
        }
    });
    let run = |action: &str| {
        Command::new(powerplug())
            .args(["--no-default-plugin-dirs", "--plugin-dir"])
            .arg(&lib)
            .args(["power", action, "myplug", "-p", &format!("power_address={addr}"), "-p", "outlet=2"])
            .output()
            .unwrap()
    };
    let on = run("on");
    assert!(on.status.success(), "{}", String::from_utf8_lossy(&on.stderr));
    let q = run("query");
    assert_eq!(String::from_utf8_lossy(&q.stdout), "on\n", "{}", String::from_utf8_lossy(&q.stderr));
}
