//! `powerplug power <action> --all | --tag T | --node A --node B …`: a fleet run over the
//! inventory, in this process (plugins loaded here, calls on a bounded blocking pool, the
//! scheduler's per-device order, the stagger and the deadline), with a progress line on a
//! terminal's stderr, a table or JSON of per-node results on stdout, and `SOME_FAILED` with a
//! summary of the failures when any node failed.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use power_core::{PowerAction, PowerplugExitCode};
use power_host::discover::Origin;
use power_host::fleet::{self, FleetOptions, NodeResult, Selection, Target};
use power_host::inprocess::InProcess;
use power_host::inventory::{self, Inventory};
use power_host::registry::Registry;
use power_host::scheduler::Scheduler;

use crate::cli::PowerArgs;
use crate::error::CliError;
use crate::{logging, output};

/// The selection the arguments ask for, when they ask for a fleet run.
pub(crate) fn selection(args: &PowerArgs) -> Option<Selection> {
    if args.all {
        Some(Selection::All)
    } else if let Some(t) = &args.tag {
        Some(Selection::Tag(t.clone()))
    } else if args.nodes.len() > 1 || (args.json && !args.nodes.is_empty()) {
        Some(Selection::Nodes(args.nodes.clone()))
    } else {
        None
    }
}

/// Runs `act` on the selected nodes.
pub(crate) fn run(
    search: &[(PathBuf, Origin)],
    inventory_flag: Option<&Path>,
    args: &PowerArgs,
    act: PowerAction,
    sel: &Selection,
    quiet: bool,
) -> Result<u8> {
    let env = |k: &str| std::env::var(k).ok();
    let reg = Registry::load(search);
    let path = inventory::resolve_path(inventory_flag, env);
    let inv =
        Inventory::load(&path, |d| reg.driver(d).map(|e| e.info), env).map_err(|e| CliError::usage(e.to_string()))?;
    for s in inv.secrets() {
        logging::register_secret(s);
    }
    let nodes = fleet::select(&inv, sel).map_err(|e| CliError::usage(format!("inventory {}: {e}", path.display())))?;
    let targets: Vec<Target> = nodes
        .iter()
        .filter_map(|n| {
            reg.driver(&n.driver).map(|e| Target {
                node: (*n).clone(),
                info: e.info.clone(),
                plugin: e.path().to_path_buf(),
            })
        })
        .collect();
    let total = targets.len();
    let jobs = usize::try_from(args.jobs).unwrap_or(128);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(jobs + 8)
        .enable_all()
        .build()
        .map_err(|e| CliError::new(PowerplugExitCode::FAILURE, format!("cannot start the runtime: {e}")))?;
    let scheduler = Arc::new(Scheduler::new(Arc::new(InProcess::new(&reg, jobs))));
    let opts =
        FleetOptions { deadline: Duration::from_secs(args.timeout), stagger: Duration::from_millis(args.stagger) };
    let progress = Arc::new(Progress::new(total, !quiet && std::io::stderr().is_terminal()));
    let ticker = progress.start();
    let p = Arc::clone(&progress);
    let results =
        rt.block_on(fleet::run(scheduler, targets, act, opts, Arc::new(|_| None), Arc::new(move |r| p.record(r))));
    progress.finish(ticker);
    rt.shutdown_timeout(Duration::from_millis(100));
    print(&results, args.json);
    let failed: Vec<&NodeResult> = results.iter().filter(|r| r.exit_code != 0).collect();
    if failed.is_empty() {
        return Ok(PowerplugExitCode::OK);
    }
    for r in &failed {
        output::error(&format!("{}: {}", r.node, r.message.as_deref().unwrap_or("failed")));
    }
    output::error(&format!("{} of {} nodes failed; the others succeeded", failed.len(), results.len()));
    Ok(PowerplugExitCode::SOME_FAILED)
}

fn print(results: &[NodeResult], json: bool) {
    if json {
        output::json(&results);
        return;
    }
    let mut rows = vec![["NODE", "DEVICE", "ACTION", "RESULT", "STATE", "MS", "MESSAGE"].map(String::from).to_vec()];
    rows.extend(results.iter().map(|r| {
        let state = match (&r.state, r.assumed) {
            (Some(s), true) => format!("{s} (assumed)"),
            (Some(s), false) => s.clone(),
            (None, _) => "-".to_owned(),
        };
        vec![
            r.node.clone(),
            r.device.clone().unwrap_or_else(|| "-".into()),
            r.action.clone(),
            r.result.to_owned(),
            state,
            r.ms.to_string(),
            r.message.clone().unwrap_or_default(),
        ]
    }));
    output::table(&rows);
}

/// The progress line on a terminal's stderr: done/total, failures, elapsed.
struct Progress {
    total: usize,
    done: AtomicUsize,
    failed: AtomicUsize,
    started: Instant,
    shown: bool,
    stop: AtomicBool,
}

impl Progress {
    fn new(total: usize, shown: bool) -> Self {
        Self {
            total,
            done: AtomicUsize::new(0),
            failed: AtomicUsize::new(0),
            started: Instant::now(),
            shown,
            stop: AtomicBool::new(false),
        }
    }

    fn record(&self, r: &NodeResult) {
        self.done.fetch_add(1, Ordering::Relaxed);
        if r.exit_code != 0 {
            self.failed.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn line(&self) -> String {
        format!(
            "{}/{} done, {} failed, {:.1} s",
            self.done.load(Ordering::Relaxed),
            self.total,
            self.failed.load(Ordering::Relaxed),
            self.started.elapsed().as_secs_f64()
        )
    }

    fn start(self: &Arc<Self>) -> Option<std::thread::JoinHandle<()>> {
        if !self.shown {
            return None;
        }
        let me = Arc::clone(self);
        std::thread::Builder::new()
            .name("progress".into())
            .spawn(move || {
                while !me.stop.load(Ordering::Relaxed) {
                    output::progress(&me.line());
                    std::thread::sleep(Duration::from_millis(100));
                }
            })
            .ok()
    }

    fn finish(&self, ticker: Option<std::thread::JoinHandle<()>>) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = ticker {
            let _ = t.join();
            output::progress(&self.line());
            output::progress_end();
        }
    }
}
