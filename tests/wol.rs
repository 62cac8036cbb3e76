//! The `wol` driver end to end: `powerplug power on wol` sends magic packets that a UDP listener
//! on 127.0.0.1 receives byte for byte, in every MAC notation, with SecureOn, repeated; the
//! packet equals the one Debian's `wakeonlan` sends; bad values and off/cycle are refused.
//! Loopback only: nothing is ever sent to a broadcast or private address.

use std::net::Ipv4Addr;
use std::process::Command;
use std::time::Duration;

use power_core::PowerplugExitCode as Code;
use power_sim::wol::{decode, WolListener};

use crate::test::{build_dir, require_program, Test};

fn listener() -> (WolListener, String) {
    let l = WolListener::bind((Ipv4Addr::LOCALHOST, 0).into()).expect("bind 127.0.0.1");
    let port = l.local_addr().port().to_string();
    (l, port)
}

fn wol() -> Test {
    Test::new().plugin_dir(&build_dir().join("libpowerplug_wol.so"))
}

fn packets(l: &WolListener) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while let Some((buf, _)) = l.recv(Some(Duration::from_millis(300))).unwrap() {
        out.push(buf);
    }
    out
}

fn expected(mac: [u8; 6], extra: &[u8]) -> Vec<u8> {
    let mut p = vec![0xFF; 6];
    for _ in 0..16 {
        p.extend_from_slice(&mac);
    }
    p.extend_from_slice(extra);
    p
}

const MAC: [u8; 6] = [0x00, 0x1b, 0x21, 0x3a, 0x4b, 0xcf];

#[test]
fn every_mac_notation_sends_the_exact_bytes_three_times() {
    for notation in ["00:1b:21:3a:4b:cf", "00-1B-21-3A-4B-CF", "001b.213a.4bcf", "001B213A4BCF"] {
        let (l, port) = listener();
        wol()
            .args(["power", "on", "wol"])
            .param("mac_address", notation)
            .param("broadcast", "127.0.0.1")
            .param("port", &port)
            .status(Code::OK)
            .run();
        let got = packets(&l);
        assert_eq!(got.len(), 3, "default repeat is 3 ({notation})");
        assert!(got.iter().all(|p| *p == expected(MAC, &[])), "{notation}");
    }
}

#[test]
fn repeat_and_secureon() {
    let cases: [(&str, &str, &[u8]); 2] =
        [("5", "0102.0304", &[1, 2, 3, 4]), ("1", "a1:b2:c3:d4:e5:f6", &[0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6])];
    for (repeat, secureon, bytes) in cases {
        let (l, port) = listener();
        wol()
            .args(["power", "on", "wol"])
            .param("mac_address", "00:1b:21:3a:4b:cf")
            .param("broadcast", "127.0.0.1")
            .param("port", &port)
            .param("repeat", repeat)
            .env("POWERPLUG_SECUREON", secureon)
            .status(Code::OK)
            .run();
        let got = packets(&l);
        assert_eq!(got.len(), repeat.parse::<usize>().unwrap(), "{secureon}");
        assert!(got.iter().all(|p| *p == expected(MAC, bytes)), "{secureon}");
        assert_eq!(decode(&got[0]).unwrap().secureon.unwrap().len(), bytes.len());
    }
}

#[test]
fn the_packet_equals_debians_wakeonlan() {
    let peer = require_program("wakeonlan");
    let (l, port) = listener();
    let status = Command::new(peer).args(["-i", "127.0.0.1", "-p", &port, "00:1b:21:3a:4b:cf"]).output().unwrap();
    assert!(status.status.success(), "{status:?}");
    let theirs = packets(&l);
    wol()
        .args(["power", "on", "wol"])
        .param("mac_address", "00:1b:21:3a:4b:cf")
        .param("broadcast", "127.0.0.1")
        .param("port", &port)
        .param("repeat", "1")
        .status(Code::OK)
        .run();
    let ours = packets(&l);
    assert_eq!(theirs.len(), 1);
    assert_eq!(ours, theirs);
}

#[test]
fn off_and_cycle_are_refused_with_the_reason() {
    for action in ["off", "cycle"] {
        wol()
            .args(["power", action, "wol"])
            .param("mac_address", "00:1b:21:3a:4b:cf")
            .stderr_contains(&format!("driver `wol` does not support `{action}`: wake-on-LAN can only wake a machine"))
            .status(Code::UNSUPPORTED_ACTION)
            .run();
    }
}

#[test]
fn bad_values_show_the_accepted_formats() {
    wol()
        .args(["power", "on", "wol"])
        .param("mac_address", "00:1b:21:3a:4b")
        .stderr_contains("invalid value \"00:1b:21:3a:4b\" for parameter `mac_address`")
        .stderr_contains("aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, aabb.ccdd.eeff or aabbccddeeff")
        .status(Code::USAGE)
        .run();
    wol()
        .args(["power", "on", "wol"])
        .param("mac_address", "00:1b:21:3a:4b:cf")
        .env("POWERPLUG_SECUREON", "01:02:03")
        .stderr_contains("`secureon` is not a valid SecureOn password; expected 4 or 6 bytes")
        .stderr_lacks("01:02:03")
        .status(Code::USAGE)
        .run();
    wol()
        .args(["power", "on", "wol"])
        .param("mac_address", "00:1b:21:3a:4b:cf")
        .param("port", "70000")
        .stderr_contains(
            "invalid value \"70000\" for parameter `port`: out of range; expected a port number from 1 to 65535",
        )
        .status(Code::USAGE)
        .run();
}

#[test]
fn query_without_a_probe_is_unknown() {
    wol()
        .args(["power", "query", "wol"])
        .param("mac_address", "00:1b:21:3a:4b:cf")
        .stdout("unknown\n")
        .status(Code::OK)
        .run();
}

#[test]
fn the_listener_prints_each_mac() {
    let port = {
        let (l, p) = listener();
        drop(l);
        p
    };
    let child = Command::new(crate::test::powerplug())
        .args(["simulate", "wol", "--port", &port, "--count", "1"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    wol()
        .args(["power", "on", "wol"])
        .param("mac_address", "001b213a4bcf")
        .param("broadcast", "127.0.0.1")
        .param("port", &port)
        .param("repeat", "1")
        .status(Code::OK)
        .run();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("magic packet for 00:1b:21:3a:4b:cf from 127.0.0.1:"), "{text}");
}
