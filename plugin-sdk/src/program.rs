//! `run_program`: the only way a plugin runs an external program. It resolves the program once on
//! `PATH` (or takes an absolute path), spawns it by that path with a cleared environment plus
//! only `LC_ALL=C` and the caller's variables (how secrets reach a child: never argv), a null
//! stdin, captured and capped output, and a wall-clock timeout after which the child is killed
//! and reaped. Errors never include the environment's values.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::Duration;

/// What to run.
#[derive(Debug, Clone)]
pub struct ProgramCall {
    /// A program name looked up on `PATH`, or an absolute path.
    pub program: String,
    /// Its arguments (never secrets).
    pub args: Vec<String>,
    /// Extra environment variables (e.g. `IPMI_PASSWORD`). Values are never logged.
    pub env: Vec<(String, String)>,
    /// Wall-clock limit; the child is killed when it runs out.
    pub timeout: Duration,
    /// At most this many bytes of stdout and of stderr are kept.
    pub max_output: usize,
}

impl ProgramCall {
    /// A call of `program` with `args`, a 30 s timeout and 64 KiB of output.
    pub fn new(program: impl Into<String>, args: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self {
            program: program.into(),
            args: args.into_iter().map(Into::into).collect(),
            env: Vec::new(),
            timeout: Duration::from_secs(30),
            max_output: 64 * 1024,
        }
    }
}

/// How a finished program ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramOutput {
    /// The exit code (`None` if killed by a signal).
    pub code: Option<i32>,
    /// What it wrote on stdout (at most `max_output` bytes, lossily UTF-8).
    pub stdout: String,
    /// What it wrote on stderr (likewise).
    pub stderr: String,
}

/// Why a program could not be run to completion.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProgramError {
    /// Not found on `PATH` (or the path does not exist).
    #[error("`{program}` is not installed (not found on PATH)")]
    NotFound {
        /// The program as given.
        program: String,
    },
    /// Found but could not be started.
    #[error("could not start `{}`: {source}", path.display())]
    Spawn {
        /// The resolved path.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// Ran past the timeout and was killed.
    #[error("`{program}` did not finish within {} ms and was killed", after.as_millis())]
    TimedOut {
        /// The program as given.
        program: String,
        /// The timeout that ran out.
        after: Duration,
    },
}

/// The absolute path of `program` (a name on `PATH`, or a path that exists).
pub fn find_program(program: &str) -> Option<PathBuf> {
    let p = Path::new(program);
    if p.is_absolute() || program.contains('/') {
        return p.is_file().then(|| p.to_path_buf());
    }
    std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path).map(|d| d.join(program)).find(|c| {
            use std::os::unix::fs::PermissionsExt;
            c.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
    })
}

/// A pipe being read on its own thread into a shared, capped buffer.
struct Capture {
    kept: Arc<Mutex<Vec<u8>>>,
    done: mpsc::Receiver<()>,
}

fn capture(mut r: impl Read + Send + 'static, cap: usize) -> Capture {
    let kept = Arc::new(Mutex::new(Vec::new()));
    let (tx, done) = mpsc::channel();
    let sink = Arc::clone(&kept);
    thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = r.read(&mut buf) {
            if n == 0 {
                break;
            }
            if let Ok(mut k) = sink.lock() {
                let room = cap.saturating_sub(k.len());
                k.extend_from_slice(&buf[..n.min(room)]);
            }
        }
        let _ = tx.send(());
    });
    Capture { kept, done }
}

impl Capture {
    /// What was read once the pipe closed, or after `grace` if something (a grandchild that
    /// inherited the pipe) still holds it: then the process group is killed and the reader is
    /// left behind rather than waited on.
    fn finish(self, grace: Duration, pgid: libc::pid_t) -> String {
        if self.done.recv_timeout(grace).is_err() {
            kill_group(pgid);
            let _ = self.done.recv_timeout(grace);
        }
        let kept = self.kept.lock().map(|k| k.clone()).unwrap_or_default();
        String::from_utf8_lossy(&kept).into_owned()
    }
}

/// SIGKILL to the whole process group `pgid` (the child and every descendant that stayed in it).
fn kill_group(pgid: libc::pid_t) {
    if pgid > 0 {
        // SAFETY: kill(2) has no memory-safety preconditions. `-pgid` names the process group
        // the child leads (spawned with process_group(0)); it holds only the child's descendants.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
    }
}

/// Waits for `child` on its own thread, so the caller wakes the moment it exits; after
/// `timeout` the child's whole process group is killed (and the thread reaps the child).
/// `None` when it was killed.
fn wait(mut child: Child, timeout: Duration) -> Option<std::process::ExitStatus> {
    let pgid = libc::pid_t::try_from(child.id()).unwrap_or(0);
    let (tx, rx) = mpsc::channel();
    let waiter = thread::spawn(move || {
        let _ = tx.send(child.wait().ok());
    });
    match rx.recv_timeout(timeout) {
        Ok(status) => {
            let _ = waiter.join();
            status
        }
        Err(_) => {
            kill_group(pgid);
            let _ = waiter.join(); // the waiter reaps it: no zombie
            None
        }
    }
}

/// How long a pipe may stay open after the child ended before its holders are killed.
const DRAIN_GRACE: Duration = Duration::from_millis(250);

/// Runs `call` to completion (or kills it at the timeout).
pub fn run_program(call: &ProgramCall) -> Result<ProgramOutput, ProgramError> {
    let path = find_program(&call.program).ok_or_else(|| ProgramError::NotFound { program: call.program.clone() })?;
    let mut cmd = Command::new(&path);
    cmd.args(&call.args)
        .env_clear()
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    for (k, v) in &call.env {
        cmd.env(k, v);
    }
    crate::log::debug!("running {} {}", path.display(), call.args.join(" "));
    let mut child = cmd.spawn().map_err(|source| ProgramError::Spawn { path: path.clone(), source })?;
    let pgid = libc::pid_t::try_from(child.id()).unwrap_or(0);
    let out = child.stdout.take().map(|s| capture(s, call.max_output));
    let err = child.stderr.take().map(|s| capture(s, call.max_output));
    let timeout = crate::deadline::cap(call.timeout);
    let status = wait(child, timeout);
    let stdout = out.map(|c| c.finish(DRAIN_GRACE, pgid)).unwrap_or_default();
    let stderr = err.map(|c| c.finish(DRAIN_GRACE, pgid)).unwrap_or_default();
    if !stderr.is_empty() {
        crate::log::trace!("{} stderr: {}", call.program, stderr.trim_end());
    }
    match status {
        Some(s) => Ok(ProgramOutput { code: s.code(), stdout, stderr }),
        None => Err(ProgramError::TimedOut { program: call.program.clone(), after: timeout }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_is_cleared_but_for_what_is_given() {
        let mut call = ProgramCall::new("sh", ["-c", "echo \"$HOME|$LC_ALL|$SECRET\""]);
        call.env.push(("SECRET".into(), "s3".into()));
        let out = run_program(&call).unwrap();
        assert_eq!((out.code, out.stdout.as_str()), (Some(0), "|C|s3\n"));
    }

    #[test]
    fn a_hanging_child_is_killed_and_reaped() {
        let mut call = ProgramCall::new("sleep", ["30"]);
        call.timeout = Duration::from_millis(200);
        let t = std::time::Instant::now();
        let e = run_program(&call).unwrap_err();
        assert!(matches!(e, ProgramError::TimedOut { .. }), "{e}");
        assert!(t.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn grandchildren_holding_the_pipes_neither_stall_nor_outlive_the_call() {
        let t = std::time::Instant::now();
        let out = run_program(&ProgramCall::new("sh", ["-c", "sleep 30 & echo started"])).unwrap();
        assert_eq!(out.stdout, "started\n");
        let mut call = ProgramCall::new("sh", ["-c", "sleep 30 & sleep 30"]);
        call.timeout = Duration::from_millis(300);
        assert!(matches!(run_program(&call), Err(ProgramError::TimedOut { .. })));
        assert!(t.elapsed() < Duration::from_secs(5), "took {:?}", t.elapsed());
    }

    #[test]
    fn output_is_capped_and_missing_programs_are_named() {
        let mut call = ProgramCall::new("sh", ["-c", "yes | head -c 100000"]);
        call.max_output = 10;
        assert_eq!(run_program(&call).unwrap().stdout.len(), 10);
        let e = run_program(&ProgramCall::new("powerplug-no-such-program", Vec::<String>::new())).unwrap_err();
        assert_eq!(e.to_string(), "`powerplug-no-such-program` is not installed (not found on PATH)");
    }
}
