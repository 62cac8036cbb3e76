//! A real `powerplug serve` for tests: started on a free loopback port with a plugin directory
//! (dli, wol and the fault-injection plugin), stopped with SIGTERM and reaped when its guard
//! drops — also when a test fails — and a client that sends requests the way MAAS's webhook
//! driver does.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use std::{fs, thread};

use crate::test::{build_dir, built_lib, powerplug};

pub(crate) const TOKEN: &str = "tok-0123456789abcdef";
pub(crate) const BASIC_PASS: &str = "maas-basic-Pw77";

/// A running `powerplug serve`; SIGTERM and reaped on drop.
pub(crate) struct Bridge {
    child: Option<Child>,
    pub(crate) addr: SocketAddr,
    stderr: PathBuf,
}

impl Bridge {
    pub(crate) fn start(dir: &Path, inventory: &Path, extra: &[&str], envs: &[(&str, &str)]) -> Self {
        let stderr = dir.join("serve.stderr");
        let mut cmd = Command::new(powerplug());
        cmd.args(["--no-default-plugin-dirs", "--plugin-dir"])
            .arg(plugins(dir))
            .arg("--inventory")
            .arg(inventory)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .env_remove("POWERPLUG_SERVE_TOKEN")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(fs::File::create(&stderr).expect("stderr file"));
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start powerplug serve");
        let mut line = String::new();
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        let _ = out.read_line(&mut line);
        let addr = line.split("://").nth(1).and_then(|r| r.split_whitespace().next()).and_then(|a| a.parse().ok());
        let Some(addr) = addr else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("serve did not start: {line:?}\n{}", fs::read_to_string(&stderr).unwrap_or_default());
        };
        thread::spawn(move || {
            let mut sink = String::new();
            let _ = out.read_to_string(&mut sink);
        });
        Self { child: Some(child), addr, stderr }
    }

    pub(crate) fn signal(&self, sig: i32) {
        if let Some(c) = &self.child {
            // SAFETY: kill(2) on our own child's pid.
            unsafe { libc::kill(c.id() as libc::pid_t, sig) };
        }
    }

    /// SIGTERM, then the exit code and everything the bridge logged.
    pub(crate) fn stop(mut self) -> (Option<i32>, String) {
        let code = self.terminate();
        (code, fs::read_to_string(&self.stderr).unwrap_or_default())
    }

    fn terminate(&mut self) -> Option<i32> {
        let mut child = self.child.take()?;
        // SAFETY: kill(2) on our own child's pid.
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
        let until = Instant::now() + Duration::from_secs(10);
        while Instant::now() < until {
            if let Ok(Some(s)) = child.try_wait() {
                return s.code();
            }
            thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        child.wait().ok().and_then(|s| s.code())
    }

    pub(crate) fn log(&self) -> String {
        fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    pub(crate) fn call(&self, method: &str, path: &str, auth: Option<&str>) -> Reply {
        http(self.addr, method, path, auth)
    }

    pub(crate) fn post(&self, node: &str, action: &str) -> Reply {
        self.call("POST", &format!("/v1/nodes/{node}/{action}"), Some(&bearer()))
    }

    pub(crate) fn status(&self, node: &str) -> Reply {
        self.call("GET", &format!("/v1/nodes/{node}/status"), Some(&bearer()))
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        self.terminate();
    }
}

/// A plugin directory with the drivers the tests use (symbolic links: debug plugins are large).
pub(crate) fn plugins(dir: &Path) -> PathBuf {
    let p = dir.join("plugins");
    if !p.is_dir() {
        fs::create_dir_all(&p).unwrap();
        for name in ["dli", "wol"] {
            symlink(build_dir().join(format!("libpowerplug_{name}.so")), p.join(format!("libpowerplug_{name}.so")))
                .unwrap();
        }
        symlink(built_lib("testplug_faulty"), p.join("libpowerplug_faulty.so")).unwrap();
    }
    p
}

pub(crate) fn bearer() -> String {
    format!("Bearer {TOKEN}")
}

pub(crate) fn basic(user: &str, pass: &str) -> String {
    use base64::Engine;
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}")))
}

#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) code: u16,
    pub(crate) head: String,
    pub(crate) body: String,
}

impl Reply {
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {self:?}"))
    }
}

/// One request the way MAAS's webhook driver sends it: `User-Agent: MAAS …`, `Accept:
/// application/json`, `System_id`, `Content-Length: 0` on POST, no body.
pub(crate) fn http(addr: SocketAddr, method: &str, path: &str, auth: Option<&str>) -> Reply {
    let mut s = TcpStream::connect(addr).expect("connect to the bridge");
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nUser-Agent: MAAS 3.6.5\r\nAccept: application/json\r\nSystem_id: abc123\r\n"
    );
    if method == "POST" {
        req.push_str("Content-Length: 0\r\n");
    }
    if let Some(a) = auth {
        req.push_str(&format!("Authorization: {a}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = String::new();
    let _ = s.read_to_string(&mut raw);
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let code = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    Reply { code, head: head.to_owned(), body: body.to_owned() }
}
