//! `powerplug serve` end to end: a real bridge process on a free loopback port, driven by a
//! MAAS-like webhook client (the headers MAAS's Twisted agent sends, an empty POST body,
//! MAAS's default regexes applied to the answers), in front of the DLI simulator and the
//! fault-injection plugin. Every bridge is stopped (SIGTERM, then SIGKILL) and reaped when its
//! guard drops, also when a test fails.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use std::{fs, thread};

use power_core::PowerplugExitCode as Code;
use power_sim::dli::{DliArgs, DliSim};

use crate::bridge::{basic, bearer, http, plugins, Bridge, BASIC_PASS, TOKEN};
use crate::test::{dli_inventory, private_file, scratch, Test};

/// MAAS's default `power_on_regex` / `power_off_regex` (`status.*\:.*running`), as `re.search`.
fn maas_matches(body: &str, word: &str) -> bool {
    body.find("status").and_then(|i| body[i..].find(':').map(|j| i + j)).is_some_and(|j| body[j..].contains(word))
}

#[test]
fn a_maas_webhook_client_switches_dli_outlets_with_bearer_and_basic() {
    let dir = scratch("serve-maas");
    let sim = DliSim::start(DliArgs::default()).unwrap();
    let mut inv_text = fs::read_to_string(dli_inventory(&dir, &[&sim], 4)).unwrap();
    inv_text.push_str("[node.running]\ndevice = \"rack0\"\noutlet_id = 8\n");
    let inv = dir.join("inventory.toml");
    fs::write(&inv, inv_text).unwrap();
    let basic_file = dir.join("basic");
    private_file(&basic_file, &format!("# MAAS\nmaas:{BASIC_PASS}\n"));
    let b =
        Bridge::start(&dir, &inv, &["--basic-file", basic_file.to_str().unwrap()], &[("POWERPLUG_SERVE_TOKEN", TOKEN)]);

    let r = b.post("r0n3", "on");
    assert_eq!(r.code, 200, "{r:?}");
    let j = r.json();
    assert_eq!(
        (j["node"].as_str(), j["action"].as_str(), j["status"].as_str()),
        (Some("r0n3"), Some("on"), Some("running"))
    );
    assert!(sim.outlets()[2], "outlet 3 switched on at the simulator");
    let s = b.status("r0n3");
    assert_eq!(s.code, 200);
    assert!(maas_matches(&s.body, "running") && s.json()["assumed"] == false, "{s:?}");

    let off = b.call("POST", "/v1/nodes/r0n3/off/", Some(&basic("maas", BASIC_PASS)));
    assert_eq!((off.code, off.json()["status"].as_str()), (200, Some("stopped")), "{off:?}");
    assert!(!sim.outlets()[2]);
    let s = b.call("GET", "/v1/nodes/r0n3/status/", Some(&basic("maas", BASIC_PASS)));
    assert!(maas_matches(&s.body, "stopped") && !maas_matches(&s.body, "running"), "{s:?}");
    // A node called `running` that is off must not satisfy the on-regex (MAAS tests it first).
    let s = b.status("running");
    assert!(!maas_matches(&s.body, "running") && maas_matches(&s.body, "stopped"), "{s:?}");

    let before = b.call("POST", "/v1/nodes/r0n1/on", None);
    assert_eq!(before.code, 401);
    let challenges = before.head.to_ascii_lowercase();
    assert!(
        challenges.contains("www-authenticate: bearer") && challenges.contains("www-authenticate: basic"),
        "{before:?}"
    );
    for wrong in ["Bearer tok-0123456789abcdeX", &basic("maas", "nope"), &basic("admin", BASIC_PASS), "Digest x"] {
        assert_eq!(b.call("POST", "/v1/nodes/r0n1/on", Some(wrong)).code, 401, "{wrong}");
    }
    assert_eq!(b.call("GET", "/v1/nodes/r0n1/on", Some(&bearer())).code, 405, "a GET never switches");
    assert_eq!(b.call("GET", "/v1/nodes/r0n1/off/", Some(&bearer())).code, 405);
    assert!(!sim.outlets()[0], "no request above switched outlet 1");
    let nf = b.post("nope", "on");
    assert_eq!(nf.code, 404);
    assert!(nf.json()["message"].as_str().unwrap().contains("no node `nope`"));
    assert_eq!(b.post("r0n10", "on").code, 404, "no prefix matching (maaspower's r0n1 would match)");
    assert_eq!(b.call("GET", "/maaspower/r0n1/query", Some(&bearer())).code, 404);
    assert_eq!(b.call("GET", "/v1/nodes/r0n1/reboot", Some(&bearer())).code, 404);
    assert_eq!(b.call("GET", "/metrics", None).code, 401);
    let h = b.call("GET", "/healthz", None);
    assert_eq!((h.code, h.body.as_str()), (200, "ok\n"));
    let m = b.call("GET", "/metrics", Some(&bearer()));
    assert!(m.body.contains("powerplug_requests_total{node=\"r0n3\",action=\"on\",outcome=\"ok\"} 1"), "{}", m.body);
    assert!(m.body.contains("powerplug_device_call_seconds_count{driver=\"dli\"}"), "{}", m.body);
    let (code, log) = b.stop();
    assert_eq!(code, Some(0), "SIGTERM ends serve with 0\n{log}");
    assert!(
        log.contains("method=POST path=/v1/nodes/r0n3/on node=r0n3 action=\"on\" outcome=\"ok\" status=200"),
        "{log}"
    );
}

#[test]
fn calls_on_one_switch_never_overlap_other_switches_run_in_parallel_and_repeats_join() {
    let dir = scratch("serve-order");
    let slow = DliSim::start(DliArgs { delay_ms: 15, ..DliArgs::default() }).unwrap();
    let other = DliSim::start(DliArgs::default()).unwrap();
    let inv = dli_inventory(&dir, &[&slow, &other], 8);
    let b = Arc::new(Bridge::start(&dir, &inv, &[], &[("POWERPLUG_SERVE_TOKEN", TOKEN)]));
    let done = Arc::new(AtomicUsize::new(0));
    let mut threads = Vec::new();
    for i in 0..32 {
        let (b, done) = (Arc::clone(&b), Arc::clone(&done));
        threads.push(thread::spawn(move || {
            let r = b.post(&format!("r0n{}", i % 8 + 1), "on");
            done.fetch_add(1, Ordering::SeqCst);
            r.code
        }));
    }
    thread::sleep(Duration::from_millis(100));
    let r = b.post("r1n2", "on");
    assert_eq!(r.code, 200, "{r:?}");
    assert!(done.load(Ordering::SeqCst) < 32, "the other switch answered while the slow one still had calls queued");
    for t in threads {
        assert_eq!(t.join().unwrap(), 200);
    }
    assert_eq!(slow.outlets(), vec![true; 8], "every node ended on");
    let (overlaps, max) = slow.overlaps();
    assert_eq!((overlaps, max), (0, 1), "requests overlapped at the switch");
    let m = b.call("GET", "/metrics", Some(&bearer())).body;
    let joined: u64 = m.lines().find_map(|l| l.strip_prefix("powerplug_calls_joined_total ")).unwrap().parse().unwrap();
    assert!(joined > 0, "identical POSTs joined a queued call\n{m}");
    let served = slow.requests().iter().filter(|l| l.contains("/outlet?")).count();
    assert!(served < 32, "fewer switch commands ({served}) than POSTs (32)");
}

#[test]
fn stuck_panicking_and_aborting_plugins_never_take_the_bridge_down() {
    let dir = scratch("serve-faults");
    let inv = dir.join("inventory.toml");
    let mut text = String::new();
    for (n, mode) in ["ok", "hang", "panic", "abort"].iter().enumerate() {
        text.push_str(&format!(
            "[node.{mode}]\ndriver = \"faulty\"\nmode = \"{mode}\"\naddress = \"127.0.0.{}\"\n",
            n + 1
        ));
        if *mode == "hang" {
            text.push_str("call_timeout = 1\n");
        }
    }
    fs::write(&inv, text).unwrap();
    let b = Bridge::start(&dir, &inv, &["--call-timeout", "20"], &[("POWERPLUG_SERVE_TOKEN", TOKEN)]);
    assert_eq!(b.post("ok", "on").code, 200);
    let t = b.post("hang", "on");
    assert_eq!(t.code, 504, "{t:?}");
    assert!(t.json()["message"].as_str().unwrap().contains("did not finish within 1 s"), "{t:?}");
    let busy = b.post("hang", "on");
    assert_eq!(busy.code, 503, "a stuck device answers busy at once: {busy:?}");
    assert!(busy.head.to_ascii_lowercase().contains("retry-after"));
    assert_eq!(b.post("ok", "on").code, 200, "another device of the same plugin is not slowed");
    let p = b.post("panic", "on");
    assert_eq!(p.code, 500, "{p:?}");
    assert!(p.json()["message"].as_str().unwrap().contains("panicked"), "{p:?}");
    let a = b.post("abort", "on");
    assert_eq!(a.code, 500, "{a:?}");
    assert!(a.json()["message"].as_str().unwrap().contains("worker process died"), "{a:?}");
    assert_eq!(b.post("ok", "on").code, 200, "a new worker serves the next call");
    assert_eq!(b.status("ok").code, 200);
    assert_eq!(b.call("GET", "/healthz", None).code, 200);
    let m = b.call("GET", "/metrics", Some(&bearer())).body;
    assert!(m.contains("powerplug_worker_deaths_total 1"), "{m}");
    let (code, log) = b.stop();
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains("plugin worker died (killed by signal 6 (SIGABRT))"), "{log}");
}

#[test]
fn the_cli_timeout_ends_a_hung_driver_call_with_exit_5() {
    let dir = plugins(&scratch("cli-timeout"));
    let started = Instant::now();
    Test::new()
        .plugin_dir(&dir)
        .args(["power", "on", "faulty", "--timeout", "1"])
        .param("mode", "hang")
        .status(Code::UNREACHABLE)
        .stderr_contains("driver `faulty` did not finish `on` within 1 s (--timeout)")
        .run();
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn inventory_errors_name_the_place_and_reload_keeps_the_old_one_when_broken() {
    let dir = scratch("serve-inventory");
    let sim = DliSim::start(DliArgs::default()).unwrap();
    let inv = dli_inventory(&dir, &[&sim], 2);
    let good = fs::read_to_string(&inv).unwrap();
    let check = |text: &str, mode: u32, want: &str| {
        let p = dir.join("check.toml");
        fs::write(&p, text).unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(mode)).unwrap();
        Test::new()
            .plugin_dir(&plugins(&dir))
            .args(["inventory", "check"])
            .arg_path(&p)
            .status(Code::USAGE)
            .stderr_contains(want)
            .run();
    };
    check(
        "[node.a]\ndriver = \"dli\"\npower_address = \"127.0.0.1\"\noutlet_id = 99\n",
        0o600,
        "node `a` (driver `dli`): invalid value",
    );
    check(
        "[node.a]\ndriver = \"dli\"\npower_address = \"h\"\noutlet_id = 1\npower_pass = \"x\"\n",
        0o644,
        "secret `power_pass` is written inline",
    );
    check("[node.\"bad/name\"]\ndriver = \"dli\"\n", 0o600, "node `bad/name`: invalid name");
    check("[node.a]\ndevice = \"ghost\"\n", 0o600, "device `ghost` is not defined");
    check("[node.a]\ndriver = \"nodriver\"\n", 0o600, "unknown driver `nodriver`");
    let listed = Test::new()
        .plugin_dir(&plugins(&dir))
        .args(["inventory", "check", "--json"])
        .arg_path(&inv)
        .status(Code::OK)
        .run();
    let j: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(j["nodes"][0]["node"], "r0n1");
    assert_eq!(j["nodes"][0]["query"], "real");
    assert_eq!(j["nodes"][0]["device_key"], "device/rack0");

    let b = Bridge::start(&dir, &inv, &[], &[("POWERPLUG_SERVE_TOKEN", TOKEN)]);
    fs::write(&inv, "[node.broken\n").unwrap();
    b.signal(libc::SIGHUP);
    let until = Instant::now() + Duration::from_secs(10);
    while !b.log().contains("reload failed") && Instant::now() < until {
        thread::sleep(Duration::from_millis(50));
    }
    assert!(b.log().contains("reload failed, the previous inventory stays in service"), "{}", b.log());
    assert_eq!(b.post("r0n1", "on").code, 200, "the old inventory is still served");
    fs::write(&inv, format!("{good}[node.extra]\ndevice = \"rack0\"\noutlet_id = 7\n")).unwrap();
    b.signal(libc::SIGHUP);
    while !b.log().contains("reloaded the inventory") && Instant::now() < until {
        thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(b.post("extra", "on").code, 200, "{}", b.log());
    assert!(sim.outlets()[6]);
}

#[test]
fn serve_refuses_to_run_without_credentials_and_no_auth_off_loopback() {
    let dir = scratch("serve-auth");
    let sim = DliSim::start(DliArgs::default()).unwrap();
    let inv = dli_inventory(&dir, &[&sim], 1);
    let base = || Test::new().plugin_dir(&plugins(&dir)).args(["--inventory"]).arg_path(&inv);
    base()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .status(Code::USAGE)
        .stderr_contains("no credentials configured")
        .run();
    base()
        .args(["serve", "--no-auth", "--listen", "0.0.0.0:0"])
        .status(Code::USAGE)
        .stderr_contains("only on a loopback")
        .run();
    let loose = dir.join("tokens");
    fs::write(&loose, format!("{TOKEN}\n")).unwrap();
    fs::set_permissions(&loose, fs::Permissions::from_mode(0o644)).unwrap();
    base()
        .args(["serve", "--listen", "127.0.0.1:0", "--token-file"])
        .arg_path(&loose)
        .status(Code::USAGE)
        .stderr_contains("readable by every user")
        .stderr_lacks(TOKEN)
        .run();
    let b = Bridge::start(&dir, &inv, &["--no-auth"], &[]);
    assert_eq!(b.call("POST", "/v1/nodes/r0n1/on", None).code, 200);
}

#[test]
fn no_secret_reaches_a_log_line_an_answer_or_the_metrics() {
    let dir = scratch("serve-secrets");
    let sim = DliSim::start(DliArgs { password: "Sw1tch-Secret-88".into(), ..DliArgs::default() }).unwrap();
    let wrong = dir.join("wrong.pass");
    private_file(&wrong, "Wr0ng-Secret-99\n");
    let right = dir.join("right.pass");
    private_file(&right, "Sw1tch-Secret-88\n");
    let inv = dir.join("inventory.toml");
    fs::write(
        &inv,
        format!(
            "[node.good]\ndriver = \"dli\"\npower_address = \"{a}\"\npower_pass_file = \"{}\"\noutlet_id = 1\n\n\
             [node.bad]\ndriver = \"dli\"\npower_address = \"{a}\"\npower_pass_file = \"{}\"\noutlet_id = 2\n",
            right.display(),
            wrong.display(),
            a = sim.addr()
        ),
    )
    .unwrap();
    let basic_file = dir.join("basic");
    private_file(&basic_file, &format!("maas:{BASIC_PASS}\n"));
    let b = Bridge::start(
        &dir,
        &inv,
        &["-vvv", "--basic-file", basic_file.to_str().unwrap()],
        &[("POWERPLUG_SERVE_TOKEN", TOKEN)],
    );
    let mut bodies = Vec::new();
    for r in [
        b.post("good", "on"),
        b.post("bad", "on"),
        b.status("bad"),
        b.call("POST", "/v1/nodes/good/off", Some(&basic("maas", BASIC_PASS))),
        b.call("POST", "/v1/nodes/good/off", Some(&basic("maas", "Wr0ng-Secret-99"))),
        b.call("GET", "/metrics", Some(&bearer())),
    ] {
        bodies.push(format!("{}\n{}", r.head, r.body));
    }
    assert!(bodies[1].starts_with("HTTP/1.1 502"), "a wrong device password is a device error: {}", bodies[1]);
    let (_, log) = b.stop();
    assert!(log.contains("TRACE") || log.contains("DEBUG"), "-vvv logs detail:\n{log}");
    for secret in ["Sw1tch-Secret-88", "Wr0ng-Secret-99", TOKEN, BASIC_PASS] {
        assert!(!log.contains(secret), "{secret} in the log:\n{log}");
        for body in &bodies {
            assert!(!body.contains(secret), "{secret} in an answer:\n{body}");
        }
    }
}

#[test]
fn maas_webhook_prints_the_maas_cli_commands() {
    let dir = scratch("maas-webhook");
    let inv = dir.join("inventory.toml");
    fs::write(
        &inv,
        "[device.rack1]\ndriver = \"dli\"\npower_address = \"192.0.2.10\"\n\n[node.desk1]\ndevice = \"rack1\"\noutlet_id = 3\nmaas_system_id = \"x7yk3a\"\n\n[node.nuc2]\ndriver = \"wol\"\nmac_address = \"52:54:00:12:34:56\"\n",
    )
    .unwrap();
    let out = Test::new()
        .plugin_dir(&plugins(&dir))
        .args(["--inventory"])
        .arg_path(&inv)
        .args(["maas", "webhook", "--all", "--url", "http://10.0.0.2:8571/"])
        .status(Code::OK)
        .run();
    insta::assert_snapshot!("maas_webhook_all", String::from_utf8_lossy(&out.stdout));
    let tokens = dir.join("tokens");
    private_file(&tokens, &format!("{TOKEN}\n"));
    Test::new()
        .plugin_dir(&plugins(&dir))
        .args(["--inventory"])
        .arg_path(&inv)
        .args([
            "maas",
            "webhook",
            "nuc2",
            "--url",
            "https://bridge:8571",
            "--system-id",
            "abc",
            "--show-token",
            "--token-file",
        ])
        .arg_path(&tokens)
        .status(Code::OK)
        .stdout_contains(&format!("power_parameters_power_token={TOKEN}"))
        .stdout_contains("power_parameters_power_verify_ssl=y")
        .stdout_contains("machine update abc")
        .run();
    Test::new()
        .plugin_dir(&plugins(&dir))
        .args(["--inventory"])
        .arg_path(&inv)
        .args(["maas", "webhook", "nuc2", "--url", "10.0.0.2"])
        .status(Code::USAGE)
        .stderr_contains("--url expects")
        .run();
}

#[test]
fn sigterm_lets_in_flight_calls_finish_and_exits_0() {
    let dir = scratch("serve-grace");
    let inv = dir.join("inventory.toml");
    fs::write(&inv, "[node.slow]\ndriver = \"faulty\"\ndelay_ms = 1500\n").unwrap();
    let b = Arc::new(Bridge::start(&dir, &inv, &["--grace", "20"], &[("POWERPLUG_SERVE_TOKEN", TOKEN)]));
    let b2 = Arc::clone(&b);
    let call = thread::spawn(move || b2.post("slow", "on"));
    let until = Instant::now() + Duration::from_secs(10);
    while Instant::now() < until {
        let m = b.call("GET", "/metrics", Some(&bearer())).body;
        if m.contains("powerplug_calls_in_flight 1") {
            break;
        }
        thread::sleep(Duration::from_millis(20));
    }
    b.signal(libc::SIGTERM);
    let r = call.join().unwrap();
    assert_eq!(r.code, 200, "the in-flight call finished after SIGTERM: {r:?}");
    let b = Arc::try_unwrap(b).ok().expect("one owner");
    let (code, log) = b.stop();
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains("stopping: finishing in-flight requests"), "{log}");
}

#[test]
fn tls_with_a_certificate_curl_verifies() {
    let dir = scratch("serve-tls");
    let openssl = crate::test::require_program("openssl");
    let curl = crate::test::require_program("curl");
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let made = Command::new(openssl)
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"])
        .args(["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let inv = dir.join("inventory.toml");
    fs::write(&inv, "[node.n1]\ndriver = \"faulty\"\n").unwrap();
    let b = Bridge::start(
        &dir,
        &inv,
        &["--tls-cert", cert.to_str().unwrap(), "--tls-key", key.to_str().unwrap()],
        &[("POWERPLUG_SERVE_TOKEN", TOKEN)],
    );
    let out = Command::new(curl)
        .args(["-sS", "--cacert"])
        .arg(&cert)
        .args(["-H", &format!("Authorization: {}", bearer()), "-X", "POST"])
        .arg(format!("https://{}/v1/nodes/n1/on", b.addr))
        .output()
        .unwrap();
    let body = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && body.contains("\"status\":\"running\""),
        "{body}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(http(b.addr, "GET", "/healthz", None).code, 0, "plain HTTP is not served on the TLS port");
}

#[test]
fn power_node_takes_the_nodes_parameters_from_the_inventory() {
    let dir = scratch("power-node");
    let sim = DliSim::start(DliArgs::default()).unwrap();
    let inv = dli_inventory(&dir, &[&sim], 3);
    let node = |action: &str, name: &str| {
        Test::new()
            .plugin_dir(&plugins(&dir))
            .args(["--inventory"])
            .arg_path(&inv)
            .args(["power", action, "--node", name])
    };
    node("on", "r0n2").status(Code::OK).run();
    assert!(sim.outlets()[1]);
    node("query", "r0n2").status(Code::OK).stdout("on\n").run();
    node("on", "ghost")
        .status(Code::USAGE)
        .stderr_contains("no node `ghost`; the inventory has: r0n1, r0n2, r0n3")
        .run();
    node("on", "r0n1").args(["-p", "outlet_id=2"]).status(Code::USAGE).stderr_contains("cannot be used with").run();
    Test::new()
        .plugin_dir(&plugins(&dir))
        .env("POWERPLUG_INVENTORY", &inv)
        .args(["power", "off", "--node", "r0n2"])
        .status(Code::OK)
        .run();
    assert!(!sim.outlets()[1], "POWERPLUG_INVENTORY names the inventory");
}

#[test]
fn a_call_stuck_past_kill_stuck_after_is_abandoned_and_its_device_recovers() {
    let dir = scratch("serve-abandon");
    let inv = dir.join("inventory.toml");
    fs::write(
        &inv,
        "[node.hang]\ndriver = \"faulty\"\nmode = \"hang\"\naddress = \"127.0.0.9\"\ncall_timeout = 1\n\n\
         [node.same]\ndriver = \"faulty\"\naddress = \"127.0.0.9\"\n",
    )
    .unwrap();
    let b = Bridge::start(&dir, &inv, &["--kill-stuck-after", "2"], &[("POWERPLUG_SERVE_TOKEN", TOKEN)]);
    assert_eq!(b.post("hang", "on").code, 504);
    assert_eq!(b.post("same", "on").code, 503, "the two nodes share one device");
    let until = Instant::now() + Duration::from_secs(20);
    let mut code = 0;
    while Instant::now() < until {
        code = b.post("same", "on").code;
        if code == 200 {
            break;
        }
        thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(code, 200, "the device recovered after the stuck call was abandoned\n{}", b.log());
    assert!(b.log().contains("abandoning it"), "{}", b.log());
}
