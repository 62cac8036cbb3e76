//! The agent's child processes: `spawn` starts a program that gets SIGTERM if this process
//! dies (Linux `PR_SET_PDEATHSIG`, so a test binary killed hard leaves no snmpd behind), and
//! `stop` ends and reaps one (SIGTERM, up to 2 s for a clean exit, then SIGKILL).
//!
//! The kernel sends the parent-death signal when the *thread* that forked exits, so every
//! spawn happens on one thread that lives as long as the process: a handle created in a test's
//! thread and used after that thread ends keeps its agent.

use std::io;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::sync::mpsc;
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

/// How long a stopped child has to exit on SIGTERM before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(2);

type Job = Box<dyn FnOnce() + Send>;

/// Runs `job` on the spawner thread (started on first use) and returns its result.
fn on_spawner_thread<T: Send + 'static>(job: impl FnOnce() -> T + Send + 'static) -> io::Result<T> {
    static SPAWNER: OnceLock<Option<mpsc::Sender<Job>>> = OnceLock::new();
    let spawner = SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Job>();
        let started = thread::Builder::new().name("power-sim spawner".into()).spawn(move || {
            for job in rx {
                job();
            }
        });
        started.ok().map(|_| tx)
    });
    let gone = || io::Error::other("the spawner thread is gone");
    let (tx, rx) = mpsc::channel();
    spawner.as_ref().ok_or_else(gone)?.send(Box::new(move || drop(tx.send(job())))).map_err(|_| gone())?;
    rx.recv().map_err(|_| gone())
}

/// Spawns `cmd`; the child gets SIGTERM when this process ends.
pub(crate) fn spawn(mut cmd: Command) -> io::Result<Child> {
    on_spawner_thread(move || {
        let parent = std::process::id();
        // SAFETY: the closure runs in the forked child before exec and only calls prctl(2)
        // and getppid(2), which are async-signal-safe; it allocates nothing and touches no
        // lock (io::Error::from_raw_os_error does not allocate).
        unsafe {
            cmd.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                    return Err(io::Error::last_os_error());
                }
                // The parent died before prctl: nobody would send the signal.
                if u32::try_from(libc::getppid()).ok() != Some(parent) {
                    return Err(io::Error::from_raw_os_error(libc::ESRCH));
                }
                Ok(())
            });
        }
        cmd.spawn()
    })?
}

/// Ends `child` and reaps it: SIGTERM, up to [`STOP_GRACE`] for it to exit, then SIGKILL.
pub(crate) fn stop(child: &mut Child) {
    if !matches!(child.try_wait(), Ok(None)) {
        return;
    }
    if let Ok(pid) = libc::pid_t::try_from(child.id()) {
        // SAFETY: kill(2) has no memory effects. `pid` is our child and not yet reaped
        // (try_wait said it runs), so the number cannot name another process.
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
    }
    let end = Instant::now() + STOP_GRACE;
    while Instant::now() < end {
        match child.try_wait() {
            Ok(None) => thread::sleep(Duration::from_millis(5)),
            _ => return,
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_ends_and_reaps_a_polite_child_and_one_that_ignores_sigterm() {
        let mut sleep = Command::new("sleep");
        sleep.arg("30");
        let mut polite = spawn(sleep).unwrap();
        let t = Instant::now();
        stop(&mut polite);
        assert!(polite.try_wait().unwrap().is_some() && t.elapsed() < STOP_GRACE);
        // `exec`: the process that ignores SIGTERM is the child itself, so SIGKILL leaves no
        // orphan behind.
        let mut sh = Command::new("sh");
        sh.args(["-c", "trap '' TERM; exec sleep 30"]);
        let mut stubborn = spawn(sh).unwrap();
        thread::sleep(Duration::from_millis(100));
        stop(&mut stubborn);
        assert!(stubborn.try_wait().unwrap().is_some(), "killed after the grace period");
    }
}
