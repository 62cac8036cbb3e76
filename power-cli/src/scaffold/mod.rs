//! `powerplug plugin new NAME`: writes a ready driver crate — Cargo.toml (cdylib named
//! `powerplug_NAME`, `panic = "unwind"`), a skeleton driver speaking a line protocol over TCP,
//! a conformance-kit test, a fake-device test and a README — that builds, passes its tests
//! and `powerplug plugin check` as generated. The texts are the `.in` files beside this one.

use std::fs;
use std::path::{Path, PathBuf};

const CARGO_TOML: &str = include_str!("Cargo.toml.in");
const LIB_RS: &str = include_str!("lib.rs.in");
const CONFORMANCE_RS: &str = include_str!("conformance.rs.in");
const FAKE_DEVICE_RS: &str = include_str!("fake_device.rs.in");
const README_MD: &str = include_str!("README.md.in");

/// Whether `name` can be a driver name: `[a-z][a-z0-9_]{0,30}`.
pub(crate) fn valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 31
        && b[0].is_ascii_lowercase()
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
}

/// Where the SDK comes from: crates.io, or local directories (a checkout or unpacked `.crate`s).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Sdk<'a> {
    /// A plugin-sdk directory to depend on by path.
    pub(crate) sdk: Option<&'a Path>,
    /// A power-core directory that replaces the crates.io one (`[patch.crates-io]`).
    pub(crate) core: Option<&'a Path>,
}

/// The files of a new crate for driver `name`.
pub(crate) fn files(name: &str, from: Sdk<'_>) -> Vec<(PathBuf, String)> {
    let quoted = |p: &Path| format!("{:?}", p.display().to_string());
    let dep = match from.sdk {
        Some(p) => format!("plugin-sdk = {{ path = {} }}", quoted(p)),
        None => "plugin-sdk = \"0.1\"".to_owned(),
    };
    let patch = match from.core {
        Some(p) => format!("\n[patch.crates-io]\npower-core = {{ path = {} }}\n", quoted(p)),
        None => String::new(),
    };
    let fill = |t: &str| t.replace("@NAME@", name).replace("@SDK_DEP@", &dep).replace("@CORE_PATCH@", &patch);
    vec![
        (PathBuf::from("Cargo.toml"), fill(CARGO_TOML)),
        (PathBuf::from("src/lib.rs"), fill(LIB_RS)),
        (PathBuf::from("tests/conformance.rs"), fill(CONFORMANCE_RS)),
        (PathBuf::from("tests/fake_device.rs"), fill(FAKE_DEVICE_RS)),
        (PathBuf::from("README.md"), fill(README_MD)),
        (PathBuf::from(".gitignore"), "/target\n".to_owned()),
    ]
}

/// Writes the crate into `dir` (which must not exist or be empty).
pub(crate) fn write(dir: &Path, name: &str, from: Sdk<'_>) -> Result<usize, String> {
    if fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some()) {
        return Err(format!("{} exists and is not empty; choose another --dir", dir.display()));
    }
    let files = files(name, from);
    for (rel, text) in &files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(files.iter().map(|(_, t)| t.lines().count()).sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_placeholders() {
        assert!(valid_name("tasmota") && valid_name("pdu_2") && !valid_name("2x") && !valid_name("My-Plug"));
        let local = Sdk { sdk: Some(Path::new("/sdk")), core: Some(Path::new("/core")) };
        for (_, text) in files("myplug", local) {
            assert!(!text.contains('@'), "an unfilled placeholder: {text}");
        }
        assert!(files("myplug", local)[0].1.contains("[patch.crates-io]\npower-core = { path = \"/core\" }"));
        let toml = &files("myplug", Sdk::default())[0].1;
        assert!(toml.contains("name = \"powerplug_myplug\"") && toml.contains("panic = \"unwind\""));
    }
}
