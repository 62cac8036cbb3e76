//! The host's side of the workers: one supervised child process per plugin file, started on
//! first use, multiplexing many calls over its pipes. When a worker dies (a plugin that aborts,
//! segfaults or is killed) every call it was running fails with a plugin fault that says so,
//! and the next call starts a fresh worker. The worker's stderr is read line by line and
//! logged, redacted, never passed through raw.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use power_core::{DriverError, LogLevel, PluginDescription};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::oneshot;

use super::protocol::{FromWorker, ToWorker, MAX_LINE};

/// How long a worker may take to load its plugin and describe it.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// Receives what workers log: level, plugin file, message (not yet redacted).
pub type LogSink = Arc<dyn Fn(LogLevel, &Path, &str) + Send + Sync>;

type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Result<String, DriverError>>>>>;

type Slot = Arc<tokio::sync::Mutex<Option<Arc<Worker>>>>;

struct Worker {
    stdin: tokio::sync::Mutex<ChildStdin>,
    pending: Pending,
    dead: Arc<AtomicBool>,
    pid: Option<u32>,
}

/// How to start workers, and the running ones.
pub struct WorkerPool {
    program: PathBuf,
    args: Vec<OsString>,
    /// One slot per plugin file; a slot's own lock is held while its worker starts, so a plugin
    /// that is slow to start delays only its own calls.
    workers: std::sync::Mutex<HashMap<PathBuf, Slot>>,
    next_id: AtomicU64,
    starts: AtomicU64,
    deaths: Arc<AtomicU64>,
    log: LogSink,
}

/// A problem starting a worker.
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", plugin.display())]
pub struct StartError {
    /// The plugin file.
    pub plugin: PathBuf,
    /// What went wrong.
    pub message: String,
}

impl WorkerPool {
    /// Workers run `program args… PLUGIN` (the `powerplug` binary's hidden worker command).
    pub fn new(program: PathBuf, args: Vec<OsString>, log: LogSink) -> Self {
        Self {
            program,
            args,
            workers: std::sync::Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            starts: AtomicU64::new(0),
            deaths: Arc::new(AtomicU64::new(0)),
            log,
        }
    }

    /// Workers started so far, and workers that died unexpectedly.
    pub fn counts(&self) -> (u64, u64) {
        (self.starts.load(Ordering::Relaxed), self.deaths.load(Ordering::Relaxed))
    }

    fn slot(&self, plugin: &Path) -> Slot {
        let mut map = self.workers.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(map.entry(plugin.to_path_buf()).or_default())
    }

    /// Starts (or reuses) the worker for `plugin` and returns the plugin's description.
    pub async fn describe(&self, plugin: &Path) -> Result<PluginDescription, StartError> {
        let slot = self.slot(plugin);
        let mut guard = slot.lock().await;
        let (w, desc) = self.start(plugin).await?;
        *guard = Some(w);
        Ok(desc)
    }

    async fn start(&self, plugin: &Path) -> Result<(Arc<Worker>, PluginDescription), StartError> {
        let fail = |message: String| StartError { plugin: plugin.to_path_buf(), message };
        let mut child: Child = Command::new(&self.program)
            .args(&self.args)
            .arg(plugin)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| fail(format!("cannot start a worker process ({}): {e}", self.program.display())))?;
        self.starts.fetch_add(1, Ordering::Relaxed);
        let stdin = child.stdin.take().ok_or_else(|| fail("worker has no stdin".into()))?;
        let mut stdout = BufReader::new(child.stdout.take().ok_or_else(|| fail("worker has no stdout".into()))?);
        if let Some(err) = child.stderr.take() {
            let (log, path) = (Arc::clone(&self.log), plugin.to_path_buf());
            tokio::spawn(async move {
                let mut r = BufReader::new(err);
                while let Ok(Some(line)) = read_line(&mut r, 8192).await {
                    log(
                        LogLevel::Warn,
                        &path,
                        &format!("worker stderr: {}", String::from_utf8_lossy(&line).trim_end()),
                    );
                }
            });
        }
        let first = tokio::time::timeout(START_TIMEOUT, read_line(&mut stdout, MAX_LINE))
            .await
            .map_err(|_| fail(format!("the plugin did not describe itself within {} s", START_TIMEOUT.as_secs())))?;
        let desc = match first.ok().flatten().and_then(|l| serde_json::from_slice::<FromWorker>(&l).ok()) {
            Some(FromWorker::Ready { description }) => description,
            Some(FromWorker::LoadFailed { message }) => return Err(fail(message)),
            _ => {
                let status = tokio::time::timeout(Duration::from_secs(2), child.wait()).await;
                let how = match status {
                    Ok(Ok(s)) => exit_text(s),
                    _ => "no answer".to_owned(),
                };
                return Err(fail(format!("the plugin's worker process failed while loading it ({how})")));
            }
        };
        let pid = child.id();
        let worker = Arc::new(Worker {
            stdin: tokio::sync::Mutex::new(stdin),
            pending: Arc::new(Mutex::new(HashMap::new())),
            dead: Arc::new(AtomicBool::new(false)),
            pid,
        });
        let (pending, dead, deaths, log, path) = (
            Arc::clone(&worker.pending),
            Arc::clone(&worker.dead),
            Arc::clone(&self.deaths),
            Arc::clone(&self.log),
            plugin.to_path_buf(),
        );
        tokio::spawn(async move {
            while let Ok(Some(line)) = read_line(&mut stdout, MAX_LINE).await {
                match serde_json::from_slice::<FromWorker>(&line) {
                    Ok(FromWorker::Done { id, result }) => {
                        let tx = pending.lock().ok().and_then(|mut p| p.remove(&id));
                        if let Some(tx) = tx {
                            let _ = tx.send(result);
                        }
                    }
                    Ok(FromWorker::Log { level, target, message }) => {
                        log(LogLevel::from_u8(level), &path, &format!("{target}: {message}"));
                    }
                    _ => {
                        log(LogLevel::Error, &path, "the worker sent a malformed message; restarting it");
                        break;
                    }
                }
            }
            dead.store(true, Ordering::SeqCst);
            let _ = child.start_kill();
            let how = match tokio::time::timeout(Duration::from_secs(5), child.wait()).await {
                Ok(Ok(s)) => exit_text(s),
                _ => "it did not exit".to_owned(),
            };
            let orphans: Vec<_> = pending.lock().map(|mut p| p.drain().collect()).unwrap_or_default();
            if !orphans.is_empty() {
                deaths.fetch_add(1, Ordering::Relaxed);
                log(
                    LogLevel::Error,
                    &path,
                    &format!("plugin worker died ({how}) with {} call(s) running", orphans.len()),
                );
            }
            for (_, tx) in orphans {
                let _ = tx.send(Err(DriverError::plugin_fault(format!(
                    "the plugin's worker process died during the call ({how}); whether the device switched is unknown; a new worker serves the next call"
                ))));
            }
        });
        Ok((worker, desc))
    }

    /// Runs `op` for `device` on the worker of `plugin`, starting or restarting it as needed.
    /// The future ends when the worker answers or dies. The worker spends `deadline` on the device
    /// lock and the call (the driver gets what is left); the caller still enforces it.
    pub async fn call(
        &self,
        plugin: &Path,
        device: &str,
        driver: &str,
        params_wire: &str,
        op: &str,
        deadline: Duration,
    ) -> Result<String, DriverError> {
        let worker = {
            let slot = self.slot(plugin);
            let mut guard = slot.lock().await;
            match guard.as_ref().filter(|w| !w.dead.load(Ordering::SeqCst)) {
                Some(w) => Arc::clone(w),
                None => {
                    let (w, _) = self.start(plugin).await.map_err(|e| DriverError::plugin_fault(e.to_string()))?;
                    *guard = Some(Arc::clone(&w));
                    w
                }
            }
        };
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        if let Ok(mut p) = worker.pending.lock() {
            p.insert(id, tx);
        }
        let msg = ToWorker::Call {
            id,
            device: device.to_owned(),
            driver: driver.to_owned(),
            params: params_wire.to_owned(),
            op: op.to_owned(),
            deadline_ms: deadline.as_millis() as u64,
        };
        let mut line = serde_json::to_vec(&msg).map_err(|e| DriverError::plugin_fault(e.to_string()))?;
        line.push(b'\n');
        let written = {
            let mut stdin = worker.stdin.lock().await;
            stdin.write_all(&line).await.and(stdin.flush().await)
        };
        if written.is_err() {
            if let Ok(mut p) = worker.pending.lock() {
                p.remove(&id);
            }
            worker.dead.store(true, Ordering::SeqCst);
            return Err(DriverError::plugin_fault(
                "the plugin's worker process is gone; a new one serves the next call",
            ));
        }
        rx.await
            .unwrap_or_else(|_| Err(DriverError::plugin_fault("the plugin's worker process ended without answering")))
    }

    /// Kills the worker of `plugin` (its running calls fail); the next call starts a new one.
    pub async fn kill(&self, plugin: &Path) {
        let slot = self.slot(plugin);
        let taken = slot.lock().await.take();
        if let Some(w) = taken {
            w.dead.store(true, Ordering::SeqCst);
            if let Some(pid) = w.pid {
                // SAFETY: kill(2) on our own child's pid; the reader task reaps it.
                unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
            }
        }
    }
}

/// How a child ended, in words (`exit code 3`, `killed by signal 6 (SIGABRT)`).
pub fn exit_text(s: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (s.code(), s.signal()) {
        (Some(c), _) => format!("exit code {c}"),
        (None, Some(sig)) => format!("killed by signal {sig}{}", signal_name(sig)),
        _ => "ended".to_owned(),
    }
}

fn signal_name(sig: i32) -> &'static str {
    match sig {
        libc::SIGABRT => " (SIGABRT)",
        libc::SIGSEGV => " (SIGSEGV)",
        libc::SIGKILL => " (SIGKILL)",
        libc::SIGBUS => " (SIGBUS)",
        libc::SIGTERM => " (SIGTERM)",
        _ => "",
    }
}

/// One line of at most `cap` bytes (without the newline); `None` at end of file. A longer line
/// is an error.
async fn read_line<R: AsyncBufRead + Unpin>(r: &mut R, cap: usize) -> std::io::Result<Option<Vec<u8>>> {
    let mut out = Vec::new();
    loop {
        let buf = r.fill_buf().await?;
        if buf.is_empty() {
            return Ok(if out.is_empty() { None } else { Some(out) });
        }
        if let Some(i) = buf.iter().position(|b| *b == b'\n') {
            out.extend_from_slice(&buf[..i]);
            r.consume(i + 1);
            return Ok(Some(out));
        }
        let n = buf.len();
        out.extend_from_slice(buf);
        r.consume(n);
        if out.len() > cap {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "line too long"));
        }
    }
}
