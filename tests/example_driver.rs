//! The example third-party driver of `docs/writing-a-driver.md`: the page's code is the code of
//! `examples/relay/`, which passes the conformance kit, `powerplug plugin check`, and switches a
//! fake relay board on loopback through `powerplug`.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::thread;

use power_core::PowerplugExitCode as Code;

use crate::test::{plugin_dir, Test};

#[test]
fn the_guide_shows_the_example_verbatim() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let guide = std::fs::read_to_string(format!("{root}/docs/writing-a-driver.md")).unwrap();
    let code = std::fs::read_to_string(format!("{root}/examples/relay/src/lib.rs")).unwrap();
    let block = guide.split("```rust\n").nth(1).and_then(|b| b.split("```").next()).unwrap();
    assert_eq!(block, code, "docs/writing-a-driver.md and examples/relay/src/lib.rs differ");
    let lines = code
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with("//") && !l.starts_with("use "))
        .count();
    assert!(guide.contains(&format!("{lines} lines of code")), "the guide's line count is stale ({lines})");
    assert!(lines < 50);
}

#[test]
fn the_example_conforms() {
    let dead = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
    plugin_sdk::conformance::assert_conforms::<example_relay::Relay>(&[("power_address", &dead), ("relay", "2")]);
}

/// A relay board on loopback: answers `ON n`/`OFF n` with `OK` and `STATE n` with 1 or 0.
fn fake_board() -> (String, Arc<Mutex<Vec<bool>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let relays = Arc::new(Mutex::new(vec![false; 17]));
    let state = Arc::clone(&relays);
    thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let mut line = String::new();
            let mut reader = BufReader::new(conn.try_clone().unwrap());
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let mut parts = line.split_whitespace();
            let (verb, n) =
                (parts.next().unwrap_or(""), parts.next().and_then(|n| n.parse::<usize>().ok()).unwrap_or(0));
            let mut relays = state.lock().unwrap();
            let reply = match verb {
                "ON" => {
                    relays[n] = true;
                    "OK".to_owned()
                }
                "OFF" => {
                    relays[n] = false;
                    "OK".to_owned()
                }
                _ => u8::from(relays[n]).to_string(),
            };
            let _ = writeln!(&conn, "{reply}");
        }
    });
    (addr, relays)
}

#[test]
fn the_example_loads_checks_and_switches() {
    let dir = plugin_dir("relay", &[("example_relay", "relay")]);
    let lib = dir.join("libpowerplug_relay.so");
    Test::new().args(["plugin", "check"]).arg_path(&lib).stdout_contains(", 0 failed").status(Code::OK).run();
    let (addr, relays) = fake_board();
    let relay = |action: &str| {
        Test::new().plugin_dir(&dir).args(["power", action, "relay"]).param("power_address", &addr).param("relay", "2")
    };
    relay("on").status(Code::OK).run();
    assert!(relays.lock().unwrap()[2]);
    relay("query").stdout("on\n").run();
    relay("off").status(Code::OK).run();
    relay("query").stdout("off\n").run();
    assert!(!relays.lock().unwrap()[2]);
}
