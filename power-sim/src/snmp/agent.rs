//! `SnmpSim`: one real Net-SNMP `snmpd` on loopback serving a simulated PDU or PoE switch. It
//! makes a private state directory, checks that the pass_persist program answers, writes a 0600
//! snmpd.conf there, runs snmpd in the foreground with no system configuration, no MIB files
//! and its persistent files in the state directory, waits until snmpd says it started, and
//! reads the state file and SET record the program keeps. Dropping it stops and reaps snmpd
//! (which ends its pass_persist program) and removes the directory.
//!
//! Secrets never go on a command line: communities and passphrases are in snmpd.conf only;
//! the pass_persist program's arguments carry the model alone.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, UdpSocket};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::args::SnmpArgs;
use super::model::SnmpModel;
use super::outlets::Outlets;
use super::{child, conf, pass_persist, record};
use crate::SimError;

/// How long snmpd may take to start.
const START_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the pass_persist program may take to answer the start-up PING.
const PING_TIMEOUT: Duration = Duration::from_secs(10);
/// Where Debian installs snmpd, for users whose PATH lacks the sbin directories.
const SNMPD_PATHS: &[&str] = &["/usr/sbin/snmpd", "/usr/local/sbin/snmpd", "/sbin/snmpd"];
/// The environment snmpd (and so the pass_persist program) runs with.
const PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/// The log line snmpd writes once its ports are open and it serves requests.
const STARTED: &str = "NET-SNMP version";
/// Our snmpd.conf in the state directory.
const CONF_FILE: &str = "snmpd.conf";
/// snmpd's log (and its stdout and stderr) in the state directory.
const LOG_FILE: &str = "snmpd.log";
/// snmpd's persistent directory inside the state directory. Not the state directory itself:
/// snmpd stores its persistent data as `<dir>/snmpd.conf` on exit, which would replace ours.
const PERSIST_DIR: &str = "persist";

/// A running snmpd; stopped, reaped and cleaned up on drop.
pub struct SnmpSim {
    child: Child,
    addr: SocketAddr,
    dir: PathBuf,
    remove_dir: bool,
    model: SnmpModel,
}

impl SnmpSim {
    /// Starts snmpd for `args`; `pass_persist_exe` is the `powerplug` binary snmpd runs as
    /// `powerplug simulate pdu --pass-persist …` (tests pass the built one, the CLI itself).
    /// Port 0 picks a free UDP port. Fails with the tail of snmpd's log if it does not start.
    pub fn start(args: SnmpArgs, pass_persist_exe: &Path) -> Result<Self, SimError> {
        let snmpd = find_snmpd()?;
        let exe = fs::canonicalize(pass_persist_exe)
            .map_err(|e| SimError::io(format!("no pass_persist program {}", pass_persist_exe.display()), e))?;
        let outlets = Outlets::from_args(&args)?;
        let users = args.all_v3_users();
        let (dir, remove_dir) = match &args.state_dir {
            Some(dir) => {
                DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(dir)
                    .map_err(|e| SimError::io(format!("cannot create {}", dir.display()), e))?;
                (dir.clone(), false)
            }
            None => (fresh_dir()?, !args.keep),
        };
        // Absolute: snmpd runs the program in another working directory.
        let dir = fs::canonicalize(&dir).map_err(|e| SimError::io(format!("cannot resolve {}", dir.display()), e))?;
        let cleanup = |e: SimError| {
            if remove_dir {
                let _ = fs::remove_dir_all(&dir);
            }
            e
        };
        let prepared = (|| {
            let port = if args.port == 0 { free_udp_port(&args)? } else { args.port };
            let addr = SocketAddr::new(args.bind, port);
            // A reused --state-dir: nothing of the last run may count for this one.
            for stale in [record::SETS_FILE, CONF_FILE, LOG_FILE] {
                let _ = fs::remove_file(dir.join(stale));
            }
            let persist = dir.join(PERSIST_DIR);
            let _ = fs::remove_dir_all(&persist);
            DirBuilder::new()
                .mode(0o700)
                .create(&persist)
                .map_err(|e| SimError::io(format!("cannot create {}", persist.display()), e))?;
            record::write_state(&dir, &outlets.state_text())?;
            let program = pass_persist::command_line(&exe, &args, &dir);
            let text = conf::snmpd_conf(&args, addr, &users, &program)?;
            ping(&program)?;
            let conf = dir.join(CONF_FILE);
            private_file(&conf, &text)?;
            Ok::<_, SimError>((addr, conf))
        })();
        let (addr, conf) = prepared.map_err(cleanup)?;
        let log = dir.join(LOG_FILE);
        let child = spawn_snmpd(&snmpd, &conf, &log, &dir.join(PERSIST_DIR)).map_err(cleanup)?;
        let mut sim = Self { child, addr, dir, remove_dir, model: args.model };
        sim.wait_started(&log, &conf)?;
        Ok(sim)
    }

    /// The agent's UDP address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The agent as Net-SNMP tools name it: `udp:127.0.0.1:PORT` (`udp6:[::1]:PORT`).
    pub fn target(&self) -> String {
        match self.addr {
            SocketAddr::V4(a) => format!("udp:{a}"),
            SocketAddr::V6(a) => format!("udp6:{a}"),
        }
    }

    /// snmpd's process id (its pass_persist program is its child).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The model served.
    pub fn model(&self) -> SnmpModel {
        self.model
    }

    /// The state directory: snmpd.conf, snmpd.log, state, sets.log, and `persist/` (snmpd's
    /// persistent files: localized USM keys, engineBoots).
    pub fn state_dir(&self) -> &Path {
        &self.dir
    }

    /// Every outlet (`"3"`) or PoE port (`"1.3"`) and whether it is on, from the state file.
    pub fn outlets(&self) -> Vec<(String, bool)> {
        record::read_state(&self.dir)
    }

    /// Whether outlet or port `label` is on; `None` if there is no such unit.
    pub fn is_on(&self, label: &str) -> Option<bool> {
        self.outlets().into_iter().find(|(l, _)| l == label).map(|(_, on)| on)
    }

    /// Every SET so far, one `SET <oid> <type> <value> -> <reply>` line each, oldest first.
    pub fn sets(&self) -> Vec<String> {
        record::read_sets(&self.dir)
    }

    /// snmpd's log so far.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.join(LOG_FILE)).unwrap_or_default()
    }

    /// Waits for snmpd's start-up line; a configuration line it refused is an error too.
    fn wait_started(&mut self, log: &Path, conf: &Path) -> Result<(), SimError> {
        let conf = conf.display().to_string();
        let end = Instant::now() + START_TIMEOUT;
        loop {
            let text = fs::read_to_string(log).unwrap_or_default();
            let exited = self.child.try_wait().ok().flatten();
            let problems: Vec<&str> = text
                .lines()
                .filter(|l| l.starts_with(conf.as_str()) || l.starts_with("Error") || l.starts_with("Warning"))
                .collect();
            let why = if let Some(status) = exited {
                Some(format!("snmpd exited ({status})"))
            } else if text.contains(STARTED) && !problems.is_empty() {
                Some(format!("snmpd did not accept its configuration: {}", problems.join("; ")))
            } else if text.contains(STARTED) {
                return Ok(());
            } else if Instant::now() >= end {
                Some(format!("snmpd did not start within {} s", START_TIMEOUT.as_secs()))
            } else {
                None
            };
            if let Some(why) = why {
                let tail: Vec<&str> = text.lines().rev().take(8).collect::<Vec<_>>().into_iter().rev().collect();
                return Err(SimError::io(
                    format!("the SNMP agent on {} did not start", self.target()),
                    io::Error::other(format!("{why}; snmpd.log ends: {}", tail.join(" | "))),
                ));
            }
            thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for SnmpSim {
    fn drop(&mut self) {
        child::stop(&mut self.child);
        if self.remove_dir {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

fn find_snmpd() -> Result<PathBuf, SimError> {
    let on_path = std::env::var_os("PATH")
        .and_then(|path| std::env::split_paths(&path).map(|d| d.join("snmpd")).find(|p| p.is_file()));
    on_path.or_else(|| SNMPD_PATHS.iter().map(PathBuf::from).find(|p| p.is_file())).ok_or_else(|| {
        SimError::io(
            "snmpd is not installed (apt-get install snmpd)",
            io::Error::new(io::ErrorKind::NotFound, "no snmpd on PATH or in /usr/sbin"),
        )
    })
}

/// A new 0700 directory in the temporary directory.
fn fresh_dir() -> Result<PathBuf, SimError> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let dir = std::env::temp_dir().join(format!("powerplug-snmp-{}-{n}-{nanos:08x}", std::process::id()));
    DirBuilder::new()
        .mode(0o700)
        .create(&dir)
        .map_err(|e| SimError::io(format!("cannot create {}", dir.display()), e))?;
    Ok(dir)
}

/// A UDP port that was free a moment ago: bound on the agent's address, read, released.
fn free_udp_port(args: &SnmpArgs) -> Result<u16, SimError> {
    let what = || format!("cannot pick a free UDP port on {}", args.bind);
    let socket = UdpSocket::bind((args.bind, 0)).map_err(|e| SimError::io(what(), e))?;
    socket.local_addr().map(|a| a.port()).map_err(|e| SimError::io(what(), e))
}

fn private_file(path: &Path, text: &str) -> Result<(), SimError> {
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| SimError::io(format!("cannot create {}", path.display()), e))?;
    f.write_all(text.as_bytes()).map_err(|e| SimError::io(format!("cannot write {}", path.display()), e))
}

/// Runs the pass_persist program as snmpd will (same arguments, same bare environment) and
/// checks that it answers PING with PONG, so a wrong program fails here and not at the first
/// request.
fn ping(program: &[String]) -> Result<(), SimError> {
    let what = || format!("the pass_persist program {} does not answer", program[0]);
    let mut cmd = Command::new(&program[0]);
    cmd.args(&program[1..]).env_clear().env("PATH", PATH).stdin(Stdio::piped()).stdout(Stdio::piped());
    let mut pp = cmd.stderr(Stdio::piped()).spawn().map_err(|e| SimError::io(what(), e))?;
    if let Some(mut stdin) = pp.stdin.take() {
        let _ = stdin.write_all(b"PING\n");
    }
    let end = Instant::now() + PING_TIMEOUT;
    while matches!(pp.try_wait(), Ok(None)) && Instant::now() < end {
        thread::sleep(Duration::from_millis(2));
    }
    child::stop(&mut pp);
    let mut out = String::new();
    let mut err = String::new();
    if let Some(mut o) = pp.stdout.take() {
        let _ = o.read_to_string(&mut out);
    }
    if let Some(mut e) = pp.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    if out == "PONG\n" {
        return Ok(());
    }
    let said = format!("{out}{err}").trim().lines().take(4).collect::<Vec<_>>().join(" | ");
    Err(SimError::io(what(), io::Error::other(format!("it said {said:?} to PING"))))
}

/// Runs snmpd on `conf`, logging to `log`, with `persist` as its persistent (and only
/// configuration and MIB) directory.
fn spawn_snmpd(snmpd: &Path, conf: &Path, log: &Path, persist: &Path) -> Result<Child, SimError> {
    let open_log = || OpenOptions::new().create(true).append(true).open(log);
    let (out, err): (File, File) = match (open_log(), open_log()) {
        (Ok(o), Ok(e)) => (o, e),
        (Err(e), _) | (_, Err(e)) => return Err(SimError::io(format!("cannot create {}", log.display()), e)),
    };
    let mut cmd = Command::new(snmpd);
    // -f: foreground, our child. -C: no configuration but -c's (the persistent files too).
    // -Lf: log to the file. The environment keeps snmpd's files and MIB loading to the
    // state directory: SNMP_PERSISTENT_DIR (usmUser keys, engineBoots), SNMPCONFPATH, no MIBS.
    cmd.arg("-f").arg("-C").arg("-c").arg(conf).arg("-Lf").arg(log);
    cmd.env_clear()
        .env("PATH", PATH)
        .env("SNMP_PERSISTENT_DIR", persist)
        .env("SNMPCONFPATH", persist)
        .env("MIBS", "")
        .env("MIBDIRS", persist)
        .current_dir(persist)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err);
    child::spawn(cmd).map_err(|e| SimError::io(format!("cannot start {}", snmpd.display()), e))
}
