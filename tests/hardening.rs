//! Hostile input and misbehaving devices, one test per class: concurrent processes against a
//! switch that serves one login at a time, devices that send endless bodies, garbage or
//! nothing, FIFOs and huge files where a file is expected, values with control characters,
//! repeated parameters, and a stdout that cannot be written. Loopback only.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use power_core::PowerplugExitCode as Code;
use power_sim::dli::{DliArgs, DliSim};

use crate::test::{build_dir, powerplug, scratch, Test};

fn dli_plugin() -> std::path::PathBuf {
    build_dir().join("libpowerplug_dli.so")
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo has no other preconditions.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo {}", path.display());
}

#[test]
fn concurrent_processes_take_turns_at_a_switch_that_serves_one_login_at_a_time() {
    let sim = DliSim::start(DliArgs { no_basic: true, delay_ms: 5, ..DliArgs::default() }).unwrap();
    let locks = scratch("locks");
    let children: Vec<_> = (1..=8)
        .map(|outlet| {
            Command::new(powerplug())
                .args(["--no-default-plugin-dirs", "--plugin-dir"])
                .arg(dli_plugin())
                .args(["power", "on", "dli", "-p", "protocol=legacy", "-p"])
                .arg(format!("power_address={}", sim.addr()))
                .arg("-p")
                .arg(format!("outlet_id={outlet}"))
                .env("POWERPLUG_POWER_PASS", "1234")
                .env("POWERPLUG_LOCK_DIR", &locks)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    assert_eq!(sim.outlets(), vec![true; 8]);
    assert_eq!(sim.overlaps(), (0, 1), "requests from different processes overlapped at the switch");
}

/// How a bad server goes on after its first bytes.
#[derive(Clone, Copy, PartialEq)]
enum Then {
    Stop,
    Endless,
    Trickle,
}

/// A TCP server answering every connection with `reply`, then as `then` says, for 20 s at most.
fn bad_server(reply: &'static [u8], then: Then) -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    thread::spawn(move || {
        for conn in l.incoming().take(4) {
            let Ok(mut c) = conn else { continue };
            thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = c.set_read_timeout(Some(Duration::from_millis(500)));
                let _ = c.read(&mut buf);
                let _ = c.write_all(reply);
                let until = Instant::now() + Duration::from_secs(20);
                while then != Then::Stop && Instant::now() < until {
                    let chunk: &[u8] = if then == Then::Endless { &[b'x'; 8192] } else { b"x" };
                    if c.write_all(chunk).is_err() {
                        break;
                    }
                    if then == Then::Trickle {
                        thread::sleep(Duration::from_millis(100));
                    }
                }
                if reply.is_empty() {
                    thread::sleep(Duration::from_secs(5));
                }
            });
        }
    });
    addr
}

#[test]
fn misbehaving_devices_get_bounded_memory_time_and_the_right_exit_code() {
    let ok = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n";
    let cases: [(&'static [u8], Then, &str, u8); 5] = [
        (
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n",
            Then::Endless,
            "larger than 256 KiB",
            Code::DEVICE_ERROR,
        ),
        (b"SSH-2.0-OpenSSH_9.2\r\nnot http at all\r\n\r\n", Then::Stop, "not a usable HTTP reply", Code::DEVICE_ERROR),
        (b"HTTP/1.1 200 OK\r\nX-Big: ", Then::Endless, "not a usable HTTP reply", Code::DEVICE_ERROR),
        (b"", Then::Stop, "did not answer within 500 ms", Code::UNREACHABLE),
        (ok, Then::Trickle, "within 500 ms", Code::UNREACHABLE),
    ];
    for (reply, then, want, code) in cases {
        let addr = bad_server(reply, then);
        let started = Instant::now();
        let out = Test::new()
            .plugin_dir(&dli_plugin())
            .args(["power", "on", "dli", "-p", "protocol=legacy", "-p", "timeout_ms=500"])
            .param("power_address", &addr.to_string())
            .param("outlet_id", "1")
            .status(code)
            .stderr_contains(want)
            .run();
        assert!(out.stderr.len() < 2000, "a short message, not the device's reply: {} bytes", out.stderr.len());
        assert!(started.elapsed() < Duration::from_secs(15), "{want}: took {:?}", started.elapsed());
    }
}

#[test]
fn fifos_and_huge_files_where_a_file_is_expected_fail_fast() {
    let dir = scratch("fifos");
    let fifo = dir.join("params");
    mkfifo(&fifo);
    Test::new()
        .plugin_dir(&dli_plugin())
        .args(["power", "on", "dli", "--params-file"])
        .arg_path(&fifo)
        .status(Code::USAGE)
        .stderr_contains("is not a regular file")
        .run();
    Test::new()
        .plugin_dir(&dli_plugin())
        .args(["power", "on", "dli", "--params-file", "/dev/zero"])
        .status(Code::USAGE)
        .stderr_contains("is not a regular file")
        .run();
    let sparse = dir.join("huge.toml");
    std::fs::File::create(&sparse).unwrap().set_len(3 << 30).unwrap();
    Test::new()
        .plugin_dir(&dli_plugin())
        .args(["power", "on", "dli", "--params-file"])
        .arg_path(&sparse)
        .status(Code::USAGE)
        .stderr_contains("is larger than")
        .run();
    // A FIFO named like a plugin, in a plugin directory and named explicitly.
    let plugins = scratch("fifo-plugins");
    std::os::unix::fs::symlink(dli_plugin(), plugins.join("libpowerplug_wol.so")).ok();
    mkfifo(&plugins.join("libpowerplug_dli.so"));
    Test::new()
        .plugin_dir(&plugins)
        .args(["drivers", "list"])
        .status(Code::OK)
        .stderr_contains("not a regular file; skipped")
        .run();
    Test::new()
        .plugin_dir(&plugins.join("libpowerplug_dli.so"))
        .args(["power", "query", "dli"])
        .status(Code::PLUGIN_LOAD_FAILED)
        .stderr_contains("a FIFO or device")
        .run();
    // An inventory that is a FIFO, and a secret file that is a FIFO.
    let inv = dir.join("inventory.toml");
    mkfifo(&inv);
    Test::new()
        .args(["inventory", "check"])
        .arg_path(&inv)
        .status(Code::USAGE)
        .stderr_contains("not a regular file")
        .run();
}

#[test]
fn values_never_echo_secrets_control_characters_or_huge_values() {
    let t = || Test::new().plugin_dir(&dli_plugin()).args(["power", "on", "dli"]);
    t().args(["-p", "power_pass:Zq9-SECRET-77"]).status(Code::USAGE).stderr_lacks("Zq9-SECRET-77").run();
    let out = t()
        .param("power_address", "127.0.0.1")
        .param("outlet_id", "1")
        .param("power_user", "ad\r\nX-Injected: 1")
        .status(Code::USAGE)
        .stderr_contains("control characters")
        .run();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("\r\nX-Injected"), "a forged line");
    let dir = scratch("huge-value");
    let f = dir.join("p.toml");
    std::fs::write(&f, format!("power_user = \"{}\"\n", "a".repeat(200_000))).unwrap();
    let out = t()
        .param("power_address", "127.0.0.1")
        .param("outlet_id", "1")
        .args(["--params-file"])
        .arg_path(&f)
        .status(Code::USAGE)
        .stderr_contains("longer than 4096 bytes")
        .run();
    assert!(out.stderr.len() < 4000, "a 200 KB value is not echoed: {} bytes", out.stderr.len());
}

#[test]
fn repeated_parameters_are_refused_not_last_wins() {
    let dir = scratch("repeats");
    let t = || Test::new().plugin_dir(&dli_plugin()).args(["power", "on", "dli", "-p", "power_address=127.0.0.1"]);
    t().args(["-p", "outlet_id=1", "-p", "outlet_id=2"])
        .status(Code::USAGE)
        .stderr_contains("`outlet_id` is given twice")
        .run();
    let f = dir.join("params");
    std::fs::write(&f, "outlet_id=1\noutlet_id=2\n").unwrap();
    t().args(["--params-file"])
        .arg_path(&f)
        .status(Code::USAGE)
        .stderr_contains("`outlet_id` is given again (first on line 1)")
        .run();
    std::fs::write(&f, "outlet_id=1\npower_pass = \"pw\" x\n").unwrap();
    t().args(["--params-file"]).arg_path(&f).status(Code::USAGE).stderr_contains("is quoted").run();
}

#[test]
fn a_query_whose_state_cannot_be_written_fails() {
    let sim = DliSim::start(DliArgs::default()).unwrap();
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = Command::new(powerplug())
        .args(["--no-default-plugin-dirs", "--plugin-dir"])
        .arg(dli_plugin())
        .args(["power", "query", "dli", "-p"])
        .arg(format!("power_address={}", sim.addr()))
        .args(["-p", "outlet_id=1"])
        .env("POWERPLUG_POWER_PASS", "1234")
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(i32::from(Code::FAILURE)), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write the state to stdout"));
}

#[test]
fn one_deadline_bounds_every_request_of_an_action_and_names_the_step() {
    let sim = DliSim::start(DliArgs { delay_ms: 1300, ..DliArgs::default() }).unwrap();
    let started = Instant::now();
    Test::new()
        .plugin_dir(&dli_plugin())
        .args(["power", "on", "dli", "--timeout", "2", "-p", "protocol=legacy"])
        .param("power_address", &sim.addr().to_string())
        .param("outlet_id", "1")
        .env("POWERPLUG_POWER_PASS", "1234")
        .status(Code::UNREACHABLE)
        .stderr_contains("deadline")
        .run();
    assert!(started.elapsed() < Duration::from_secs(6), "took {:?}", started.elapsed());
}
