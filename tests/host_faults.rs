//! The plugin faults the host must survive, each with real built libraries: not a shared
//! library, a library that is not a plugin, a foreign ABI epoch, panics in describe and in an
//! action, duplicate driver names, missing or unreadable plugin directories. In every case the
//! process exits normally, names the file and the reason, and the other plugins keep working.

use std::fs;

use power_core::PowerplugExitCode as Code;

use crate::test::{plugin_dir, scratch, Test};

/// A directory with the mock plugin plus `extra`, and a state file for the mock driver.
fn with_mock(name: &str, extra: &[(&str, &str)]) -> (std::path::PathBuf, String) {
    let mut libs = vec![("testplug_mock", "mock")];
    libs.extend_from_slice(extra);
    let dir = plugin_dir(name, &libs);
    let state = dir.join("state").display().to_string();
    (dir, state)
}

/// The mock driver still lists and switches with the broken piece on the path.
fn mock_still_works(dir: &std::path::Path, state: &str) {
    Test::new().plugin_dir(dir).args(["drivers", "list"]).stdout_contains("mock ").status(Code::OK).run();
    Test::new().plugin_dir(dir).args(["power", "on", "mock"]).param("state_file", state).status(Code::OK).run();
    Test::new().plugin_dir(dir).args(["power", "query", "mock"]).param("state_file", state).stdout("on\n").run();
}

#[test]
fn a_file_that_is_not_a_shared_library() {
    let (dir, state) = with_mock("notlib", &[]);
    fs::write(dir.join("libpowerplug_text.so"), "this is text, not ELF\n").unwrap();
    Test::new()
        .plugin_dir(&dir)
        .args(["drivers", "list"])
        .stderr_contains("libpowerplug_text.so: not a loadable shared library")
        .status(Code::OK)
        .run();
    mock_still_works(&dir, &state);
    Test::new()
        .args(["plugin", "check"])
        .arg_path(&dir.join("libpowerplug_text.so"))
        .stderr_contains("not a loadable shared library")
        .status(Code::PLUGIN_LOAD_FAILED)
        .run();
}

#[test]
fn a_shared_library_that_is_not_a_plugin() {
    let (dir, state) = with_mock("notplugin", &[("testplug_notplugin", "other")]);
    Test::new()
        .plugin_dir(&dir)
        .args(["drivers", "list"])
        .stderr_contains("libpowerplug_other.so: a shared library, but not a powerplug plugin")
        .status(Code::OK)
        .run();
    mock_still_works(&dir, &state);
}

#[test]
fn a_plugin_built_for_another_abi_epoch() {
    let (dir, state) = with_mock("epoch", &[("testplug_epoch", "future")]);
    Test::new()
        .plugin_dir(&dir)
        .args(["drivers", "list"])
        .stderr_contains("libpowerplug_future.so: built for powerplug plugin ABI epoch 999, but this powerplug speaks epoch 1: rebuild the plugin against power-core 1.x")
        .status(Code::OK)
        .run();
    mock_still_works(&dir, &state);
    // Asking for its driver fails with the load-failure code and says why.
    Test::new()
        .plugin_dir(&dir)
        .args(["power", "on", "future"])
        .stderr_contains("epoch 999")
        .status(Code::PLUGIN_LOAD_FAILED)
        .run();
}

#[test]
fn a_driver_that_panics_in_describe() {
    let (dir, state) = with_mock("panicdescribe", &[("testplug_panic", "panic")]);
    Test::new()
        .plugin_dir(&dir)
        .env("TESTPLUG_PANIC", "describe")
        .args(["drivers", "list"])
        .stderr_contains("libpowerplug_panic.so: describing its drivers failed: the plugin panicked in describe")
        .stderr_contains("boom in describe")
        .status(Code::OK)
        .run();
    Test::new()
        .plugin_dir(&dir)
        .env("TESTPLUG_PANIC", "describe")
        .args(["power", "on", "panicky"])
        .status(Code::PLUGIN_LOAD_FAILED)
        .run();
    mock_still_works(&dir, &state);
}

#[test]
fn a_driver_that_panics_in_an_action() {
    let (dir, state) = with_mock("panicaction", &[("testplug_panic", "panic")]);
    Test::new()
        .plugin_dir(&dir)
        .args(["power", "on", "panicky"])
        .stderr_contains("plugin fault: the plugin panicked in operation `on`")
        .stderr_contains("boom in on")
        .status(Code::PLUGIN_FAULT)
        .run();
    Test::new().plugin_dir(&dir).args(["power", "query", "panicky"]).stdout("on\n").status(Code::OK).run();
    mock_still_works(&dir, &state);
}

#[test]
fn two_plugins_declaring_the_same_driver() {
    let dir = plugin_dir("dup", &[("testplug_mock", "a"), ("testplug_mock", "b")]);
    let out = Test::new()
        .plugin_dir(&dir)
        .args(["drivers", "list"])
        .stderr_contains("libpowerplug_b.so: driver `mock` is ignored here")
        .stderr_contains("libpowerplug_a.so already provides it")
        .status(Code::OK)
        .run();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().filter(|l| l.starts_with("mock ")).count(), 1, "{stdout}");
    assert!(stdout.contains("libpowerplug_a.so"), "{stdout}");
    let state = dir.join("s").display().to_string();
    Test::new().plugin_dir(&dir).args(["power", "on", "mock"]).param("state_file", &state).status(Code::OK).run();
}

#[test]
fn plugin_directories_that_do_not_exist_or_cannot_be_read() {
    let (dir, state) = with_mock("dirs", &[]);
    let missing = scratch("gone").join("nope");
    let file = dir.join("state");
    fs::write(&file, "off").unwrap();
    let not_a_dir = file.join("sub");
    let listed = Test::new()
        .plugin_dir(&missing)
        .plugin_dir(&not_a_dir)
        .plugin_dir(&dir)
        .env("POWERPLUG_PLUGIN_PATH", scratch("envgone").join("missing"))
        .args(["drivers", "list"])
        .stderr_contains("cannot use plugin directory (from --plugin-dir)")
        .stderr_contains("cannot use plugin directory (from POWERPLUG_PLUGIN_PATH)")
        .stderr_contains("Not a directory")
        .stdout_contains("mock ")
        .status(Code::OK)
        .run();
    assert!(String::from_utf8_lossy(&listed.stderr).contains(&missing.display().to_string()));
    Test::new()
        .plugin_dir(&missing)
        .plugin_dir(&dir)
        .args(["power", "on", "mock"])
        .param("state_file", &state)
        .status(Code::OK)
        .run();
}

#[test]
fn plugin_check_reports_each_check() {
    let dir = plugin_dir("check", &[("testplug_mock", "mock")]);
    let out = Test::new()
        .args(["plugin", "check"])
        .arg_path(&dir.join("libpowerplug_mock.so"))
        .stdout_contains("PASS  mock: descriptor valid")
        .stdout_contains("PASS  mock: secrets never echoed")
        .stdout_contains("WARN  mock_tool: power type name `pp_mock_tool` is 12 characters")
        .stdout_contains(", 0 failed")
        .status(Code::OK)
        .run();
    insta::assert_snapshot!(
        "plugin_check_mock",
        crate::test::redact_paths(&String::from_utf8_lossy(&out.stdout), &dir)
    );
}

#[test]
fn default_search_finds_plugins_beside_the_executable() {
    let dir = scratch("exedir");
    fs::copy(crate::test::powerplug(), dir.join("powerplug")).unwrap();
    fs::create_dir(dir.join("plugins")).unwrap();
    fs::copy(crate::test::built_lib("testplug_mock"), dir.join("libpowerplug_mock.so")).unwrap();
    fs::copy(crate::test::built_lib("testplug_panic"), dir.join("plugins/libpowerplug_panic.so")).unwrap();
    // A library outside the naming convention is not loaded from a directory.
    fs::copy(crate::test::built_lib("testplug_epoch"), dir.join("libsomething_else.so")).unwrap();
    let out = Test::with_defaults(&dir.join("powerplug"))
        .args(["drivers", "list", "--json"])
        .stderr_lacks("epoch 999")
        .status(Code::OK)
        .run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = v["drivers"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["mock", "mock_pdu", "mock_tool", "panicky"]);
}
