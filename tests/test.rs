//! Shared test helpers: where the built binary and plugins are, per-test scratch directories,
//! plugin directory fixtures, and `Test`, a `#[must_use]` builder that runs `powerplug` and
//! asserts on its exit code and output.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::{env, fs};

use power_sim::dli::DliSim;

/// The directory holding `powerplug` and the plugin libraries (`target/<profile>`).
pub(crate) fn build_dir() -> PathBuf {
    let exe = env::current_exe().expect("current_exe");
    let dir = exe.parent().and_then(Path::parent).expect("target/<profile>").to_path_buf();
    assert!(
        dir.join("powerplug").is_file(),
        "{} has no powerplug binary: run `cargo build --workspace` before `cargo test`",
        dir.display()
    );
    dir
}

/// The built `powerplug`.
pub(crate) fn powerplug() -> PathBuf {
    build_dir().join("powerplug")
}

/// A built library by crate lib name (`testplug_mock`), failing with the build command if absent.
pub(crate) fn built_lib(name: &str) -> PathBuf {
    let p = build_dir().join(format!("lib{name}.so"));
    assert!(p.is_file(), "{} is missing: run `cargo build --workspace` first", p.display());
    p
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh, empty scratch directory for one test.
pub(crate) fn scratch(name: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = env::temp_dir().join(format!("powerplug-it-{}-{n}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// A plugin directory holding copies of built libraries under plugin names:
/// `[("testplug_mock", "mock")]` gives `libpowerplug_mock.so`.
pub(crate) fn plugin_dir(name: &str, libs: &[(&str, &str)]) -> PathBuf {
    let dir = scratch(name);
    for (lib, as_name) in libs {
        fs::copy(built_lib(lib), dir.join(format!("libpowerplug_{as_name}.so"))).expect("copy plugin");
    }
    dir
}

/// Runs `powerplug` and checks the outcome. Nothing runs until [`Test::run`].
#[must_use = "a Test does nothing until .run()"]
pub(crate) struct Test {
    cmd: Command,
    status: Option<i32>,
    stdout: Option<String>,
    stdout_contains: Vec<String>,
    stderr_contains: Vec<String>,
    stderr_lacks: Vec<String>,
    params: Vec<(String, String)>,
}

impl Test {
    /// `powerplug` with no default plugin directories and a clean POWERPLUG_* environment.
    pub(crate) fn new() -> Self {
        Self::base(&powerplug()).args(["--no-default-plugin-dirs"])
    }

    /// `exe` exactly as a user runs it (default plugin directories included).
    pub(crate) fn with_defaults(exe: &Path) -> Self {
        Self::base(exe)
    }

    fn base(exe: &Path) -> Self {
        let mut cmd = Command::new(exe);
        for (k, _) in env::vars() {
            if k.starts_with("POWERPLUG_") {
                cmd.env_remove(k);
            }
        }
        Self {
            cmd,
            status: None,
            stdout: None,
            stdout_contains: vec![],
            stderr_contains: vec![],
            stderr_lacks: vec![],
            params: vec![],
        }
    }

    pub(crate) fn args<I: IntoIterator<Item = S>, S: AsRef<std::ffi::OsStr>>(mut self, args: I) -> Self {
        self.cmd.args(args);
        self
    }

    pub(crate) fn arg_path(mut self, p: &Path) -> Self {
        self.cmd.arg(p);
        self
    }

    pub(crate) fn plugin_dir(mut self, dir: &Path) -> Self {
        self.cmd.arg("--plugin-dir").arg(dir);
        self
    }

    /// A `-p NAME=VALUE`; a later one for the same name replaces the earlier (powerplug itself
    /// refuses a repeated -p).
    pub(crate) fn param(mut self, name: &str, value: &str) -> Self {
        self.params.retain(|(n, _)| n != name);
        self.params.push((name.to_owned(), value.to_owned()));
        self
    }

    pub(crate) fn env(mut self, k: &str, v: impl AsRef<std::ffi::OsStr>) -> Self {
        self.cmd.env(k, v);
        self
    }

    pub(crate) fn status(mut self, code: u8) -> Self {
        self.status = Some(i32::from(code));
        self
    }

    pub(crate) fn stdout(mut self, exact: &str) -> Self {
        self.stdout = Some(exact.to_owned());
        self
    }

    pub(crate) fn stdout_contains(mut self, s: &str) -> Self {
        self.stdout_contains.push(s.to_owned());
        self
    }

    pub(crate) fn stderr_contains(mut self, s: &str) -> Self {
        self.stderr_contains.push(s.to_owned());
        self
    }

    pub(crate) fn stderr_lacks(mut self, s: &str) -> Self {
        self.stderr_lacks.push(s.to_owned());
        self
    }

    /// Runs and asserts; returns the output for further checks.
    #[track_caller]
    pub(crate) fn run(mut self) -> Output {
        for (n, v) in &self.params {
            self.cmd.arg("-p").arg(format!("{n}={v}"));
        }
        let out = self.cmd.output().expect("spawn powerplug");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let ctx = format!("command: {:?}\n--- stdout\n{stdout}--- stderr\n{stderr}", self.cmd);
        assert!(out.status.code().is_some(), "killed by a signal: {:?}\n{ctx}", out.status);
        if let Some(code) = self.status {
            assert_eq!(out.status.code(), Some(code), "exit code\n{ctx}");
        }
        if let Some(exact) = &self.stdout {
            assert_eq!(&stdout, exact, "stdout\n{ctx}");
        }
        for s in &self.stdout_contains {
            assert!(stdout.contains(s.as_str()), "stdout lacks {s:?}\n{ctx}");
        }
        for s in &self.stderr_contains {
            assert!(stderr.contains(s.as_str()), "stderr lacks {s:?}\n{ctx}");
        }
        for s in &self.stderr_lacks {
            assert!(!stderr.contains(s.as_str()) && !stdout.contains(s.as_str()), "output contains {s:?}\n{ctx}");
        }
        out
    }
}

/// Replaces the varying parts of output (scratch paths) for snapshots.
pub(crate) fn redact_paths(text: &str, dir: &Path) -> String {
    text.replace(&dir.display().to_string(), "[DIR]")
}

/// The absolute path of `program` on PATH. A missing peer program fails the test (never a
/// silent skip): `scripts/test` installs every one of them.
#[track_caller]
pub(crate) fn require_program(program: &str) -> PathBuf {
    // Daemons such as snmpd live in /usr/sbin, which a non-root PATH may lack.
    let path = env::var_os("PATH").unwrap_or_default();
    let dirs = env::split_paths(&path).chain(["/usr/sbin", "/sbin"].map(PathBuf::from));
    let found = dirs.map(|d| d.join(program)).find(|p| p.is_file());
    found.unwrap_or_else(|| panic!("`{program}` is not installed: run scripts/test (it installs the test peers)"))
}

/// Writes `text` to `path` with mode 0600.
pub(crate) fn private_file(path: &Path, text: &str) {
    fs::write(path, text).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o600)).unwrap();
}

/// An inventory with one device per simulator (`rack0`, `rack1`, …, tagged `lab`) and
/// `nodes_per` nodes on each (`r0n1`… on outlets 1…), the password in a private file.
pub(crate) fn dli_inventory(dir: &Path, sims: &[&DliSim], nodes_per: usize) -> PathBuf {
    let secret = dir.join("rack.pass");
    private_file(&secret, "1234\n");
    let mut text = String::new();
    for (i, sim) in sims.iter().enumerate() {
        text.push_str(&format!(
            "[device.rack{i}]\ndriver = \"dli\"\npower_address = \"{}\"\npower_pass_file = \"{}\"\ntags = [\"lab\"]\n\n",
            sim.addr(),
            secret.display()
        ));
        for o in 1..=nodes_per {
            text.push_str(&format!("[node.r{i}n{o}]\ndevice = \"rack{i}\"\noutlet_id = {o}\n\n"));
        }
    }
    let inv = dir.join("inventory.toml");
    fs::write(&inv, text).unwrap();
    inv
}
