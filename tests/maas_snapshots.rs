//! Snapshots of every emitted MAAS artifact, for every target and every driver (the mock test
//! driver and the shipped ones): templates (delegate, and native where the driver has one),
//! registration snippets, their JSON schema, and patches. Review changes with `cargo insta review`.

use std::path::PathBuf;

use crate::maas::{emit, TARGETS};
use crate::test::{build_dir, plugin_dir};

/// (driver, plugin file or directory) for every driver under snapshot.
fn drivers() -> Vec<(&'static str, PathBuf)> {
    let mut v = vec![("mock", plugin_dir("snap", &[("testplug_mock", "mock")]))];
    for d in ["dli", "sm15k", "wol", "command", "tasmota", "shelly", "homeassistant", "kasa", "pdu", "poe"] {
        v.push((d, build_dir().join(format!("libpowerplug_{d}.so"))));
    }
    v
}

/// `powerplug X.Y.Z` becomes `powerplug [VERSION]`, so a release does not rewrite every snapshot.
fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("powerplug ") {
        let after = &rest[at + "powerplug ".len()..];
        let version_len = after.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(after.len());
        let version = after[..version_len].trim_end_matches('.');
        out.push_str(&rest[..at]);
        if version.contains('.') && version.starts_with(|c: char| c.is_ascii_digit()) {
            out.push_str("powerplug [VERSION]");
            rest = &after[version.len()..];
        } else {
            out.push_str("powerplug ");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

fn templates_run(target: &str) -> bool {
    matches!(target, "2014.02" | "1.5" | "1.7" | "1.8" | "1.9")
}

#[test]
fn every_artifact_for_every_target() {
    for (driver, plugin) in drivers() {
        assert!(plugin.exists(), "{} is missing: run `cargo build --workspace`", plugin.display());
        // pp_homeassistant would exceed MAAS's 10-character power type column.
        let named = |args: &[&'static str]| {
            let mut v = args.to_vec();
            if driver == "homeassistant" {
                v.extend(["--name", "pp_hass"]);
            }
            v
        };
        for target in TARGETS {
            let key = format!("{driver}@{target}");
            if templates_run(target) {
                let t = emit(&plugin, &named(&["template", driver, "--maas", target, "--style", "delegate"]));
                insta::assert_snapshot!(format!("{key}.delegate.template"), redact(&t));
                let native = crate::test::Test::new()
                    .plugin_dir(&plugin)
                    .args(["maas"])
                    .args(named(&["template", driver, "--maas", target, "--style", "native"]))
                    .run();
                if native.status.success() {
                    insta::assert_snapshot!(
                        format!("{key}.native.template"),
                        redact(&String::from_utf8_lossy(&native.stdout))
                    );
                }
            }
            let s = emit(&plugin, &named(&["snippets", driver, "--maas", target]));
            insta::assert_snapshot!(format!("{key}.snippets"), redact(&s));
            let j = emit(&plugin, &named(&["snippets", driver, "--maas", target, "--json"]));
            insta::assert_snapshot!(format!("{key}.json"), j);
            let p = emit(&plugin, &named(&["patch", driver, "--maas", target]));
            insta::assert_snapshot!(format!("{key}.patch"), redact(&p));
        }
    }
}
