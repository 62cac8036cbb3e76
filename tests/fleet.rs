//! Fleet runs end to end: `powerplug power <action> --all|--tag|--node…` over inventories of
//! simulated DLI switches (each records overlapping requests and when it answered), partial
//! failures, the stagger, selection, the progress line on a terminal only, and the bridge's
//! `POST /v1/fleet/{action}`.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use power_core::PowerplugExitCode as Code;
use power_sim::dli::{DliArgs, DliSim};

use crate::bridge::{bearer, Bridge, TOKEN};
use crate::test::{build_dir, dli_inventory, powerplug, private_file, require_program, scratch, Test};

fn fleet(inv: &Path) -> Test {
    Test::new().plugin_dir(&build_dir().join("libpowerplug_dli.so")).args(["--inventory"]).arg_path(inv)
}

fn sims(n: usize, args: &DliArgs) -> Vec<DliSim> {
    (0..n).map(|_| DliSim::start(args.clone()).unwrap()).collect()
}

/// The table with the milliseconds column replaced and runs of spaces collapsed.
fn normalized_table(stdout: &[u8]) -> String {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| {
            let mut cols: Vec<&str> = l.split_whitespace().collect();
            if cols.len() >= 6 && cols[5].chars().all(|c| c.is_ascii_digit()) {
                cols[5] = "[ms]";
            }
            cols.join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn sixty_four_nodes_on_eight_switches_all_switch_and_no_switch_sees_overlaps() {
    let dir = scratch("fleet-64");
    let switches = sims(8, &DliArgs { delay_ms: 3, ..DliArgs::default() });
    let refs: Vec<&DliSim> = switches.iter().collect();
    let inv = dli_inventory(&dir, &refs, 8);
    let out = fleet(&inv).args(["power", "on", "--all", "--json"]).status(Code::OK).run();
    let results: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let arr = results.as_array().unwrap();
    assert_eq!(arr.len(), 64);
    assert!(arr.iter().all(|r| r["result"] == "ok" && r["state"] == "on" && r["assumed"] == false), "{results:#}");
    for s in &switches {
        assert_eq!(s.outlets(), vec![true; 8]);
        assert_eq!(s.overlaps(), (0, 1), "a switch saw overlapping requests");
    }
    assert!(String::from_utf8_lossy(&out.stderr).is_empty(), "no progress line when stderr is not a terminal");
    let mut first = arr[0].clone();
    first["ms"] = 0.into();
    insta::assert_snapshot!("fleet_on_json_first_row", serde_json::to_string_pretty(&first).unwrap());
    let out = fleet(&inv).args(["power", "query", "--tag", "lab"]).status(Code::OK).run();
    let table = normalized_table(&out.stdout);
    assert_eq!(table.lines().count(), 65, "{table}");
    insta::assert_snapshot!("fleet_query_table_head", table.lines().take(4).collect::<Vec<_>>().join("\n"));
}

#[test]
fn one_switch_down_and_one_with_wrong_credentials_fail_only_their_nodes() {
    let dir = scratch("fleet-partial");
    let switches = sims(3, &DliArgs::default());
    let refs: Vec<&DliSim> = switches.iter().collect();
    let inv = dli_inventory(&dir, &refs, 2);
    let wrong = dir.join("wrong.pass");
    private_file(&wrong, "nope-nope\n");
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let text = fs::read_to_string(&inv).unwrap().replacen(
        &format!("power_address = \"{}\"", switches[1].addr()),
        &format!("power_address = \"{dead}\""),
        1,
    );
    let text = text.replacen(
        &format!(
            "power_address = \"{}\"\npower_pass_file = \"{}\"",
            switches[2].addr(),
            dir.join("rack.pass").display()
        ),
        &format!("power_address = \"{}\"\npower_pass_file = \"{}\"", switches[2].addr(), wrong.display()),
        1,
    );
    fs::write(&inv, text).unwrap();
    let out = fleet(&inv)
        .args(["power", "on", "--all", "--json", "--timeout", "5"])
        .status(Code::SOME_FAILED)
        .stderr_contains("4 of 6 nodes failed; the others succeeded")
        .stderr_lacks("nope-nope")
        .run();
    let results: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let by = |n: &str| results.as_array().unwrap().iter().find(|r| r["node"] == n).unwrap().clone();
    assert_eq!(by("r0n1")["result"], "ok");
    assert_eq!(by("r0n2")["result"], "ok");
    assert_eq!(by("r1n1")["exit_code"], i64::from(Code::UNREACHABLE), "{results:#}");
    assert_eq!(by("r2n2")["exit_code"], i64::from(Code::AUTH_FAILED), "{results:#}");
    assert!(by("r1n2")["message"].as_str().unwrap().contains("could not connect"));
    assert_eq!(switches[0].outlets()[..2], [true, true]);
}

#[test]
fn stagger_spaces_power_ons_on_one_switch_and_selection_picks_nodes() {
    let dir = scratch("fleet-stagger");
    let sim = DliSim::start(DliArgs::default()).unwrap();
    let inv = dli_inventory(&dir, &[&sim], 3);
    fleet(&inv).args(["power", "on", "--node", "r0n1", "--node", "r0n3", "--stagger", "250"]).status(Code::OK).run();
    assert_eq!(sim.outlets()[..3], [true, false, true], "only the named nodes");
    let ons: Vec<Duration> =
        sim.timed_requests().into_iter().filter(|(_, l)| l.contains("=ON")).map(|(t, _)| t).collect();
    assert_eq!(ons.len(), 2, "{:?}", sim.timed_requests());
    assert!(ons[1] - ons[0] >= Duration::from_millis(250), "power-ons {:?} apart", ons[1] - ons[0]);
    fleet(&inv).args(["power", "off", "--tag", "nosuch"]).status(Code::USAGE).stderr_contains("tag `nosuch`").run();
    fleet(&inv)
        .args(["power", "off", "--node", "r0n1", "--node", "ghost"])
        .status(Code::USAGE)
        .stderr_contains("no node `ghost`")
        .run();
}

#[test]
fn the_progress_line_shows_on_a_terminal_only() {
    let script = require_program("script");
    let dir = scratch("fleet-tty");
    let sim = DliSim::start(DliArgs { delay_ms: 150, ..DliArgs::default() }).unwrap();
    let inv = dli_inventory(&dir, &[&sim], 3);
    let cmd = format!(
        "{} --no-default-plugin-dirs --plugin-dir {} --inventory {} power on --all",
        powerplug().display(),
        build_dir().join("libpowerplug_dli.so").display(),
        inv.display()
    );
    let out = Command::new(script).args(["-qec", &cmd, "/dev/null"]).output().unwrap();
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{screen}");
    assert!(screen.contains("3/3 done, 0 failed"), "{screen}");
}

#[test]
fn the_bridge_runs_fleet_actions_too() {
    let dir = scratch("fleet-bridge");
    let switches = sims(2, &DliArgs::default());
    let refs: Vec<&DliSim> = switches.iter().collect();
    let inv = dli_inventory(&dir, &refs, 4);
    let b = Bridge::start(&dir, &inv, &[], &[("POWERPLUG_SERVE_TOKEN", TOKEN)]);
    let curl = require_program("curl");
    let post = |path: &str, body: &str| {
        let out = Command::new(&curl)
            .args([
                "-sS",
                "-X",
                "POST",
                "-H",
                "Content-Type: application/json",
                "-H",
                &format!("Authorization: {}", bearer()),
            ])
            .args(["--data", body])
            .arg(format!("http://{}{path}", b.addr))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let r: serde_json::Value = serde_json::from_str(&post("/v1/fleet/on", r#"{"tag":"lab"}"#)).unwrap();
    assert_eq!((r["nodes"].as_u64(), r["failed"].as_u64()), (Some(8), Some(0)), "{r:#}");
    assert!(switches.iter().all(|s| s.outlets()[..4] == [true; 4]));
    let r: serde_json::Value = serde_json::from_str(&post("/v1/fleet/status", r#"{"nodes":["r1n2","r0n1"]}"#)).unwrap();
    assert_eq!(r["results"][0]["node"], "r0n1");
    assert_eq!(r["results"][1]["state"], "on");
    let r: serde_json::Value = serde_json::from_str(&post("/v1/fleet/off", r#"{"nodes":[],"all":true}"#)).unwrap();
    assert!(r["message"].as_str().unwrap().contains("exactly one of"), "{r:#}");
    assert_eq!(b.call("POST", "/v1/fleet/on", None).code, 401, "the same auth as the rest of serve");
    assert_eq!(b.call("GET", "/v1/fleet/on", Some(&bearer())).code, 405);
}
