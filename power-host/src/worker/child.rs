//! The worker process's side: load one plugin, say `ready` with its description, then serve
//! calls from stdin, each on its own thread (the host sends at most one call per device at a
//! time), reusing one opened instance per device. A plugin that aborts or crashes takes only
//! this process down; a stuck call holds only its thread. The worker exits when its stdin
//! closes (the host is gone) and asks the kernel to kill it if its parent dies.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::fd::FromRawFd;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use std::time::Duration;

use power_core::abi;
use power_core::{DriverError, DriverInfo, LogLevel};

use super::protocol::{FromWorker, ToWorker, MAX_LINE};
use crate::instances::{Call, Instances};
use crate::load;

static CHANNEL: OnceLock<Mutex<File>> = OnceLock::new();
static MAX_LEVEL: OnceLock<u8> = OnceLock::new();

fn send(msg: &FromWorker) {
    if let (Some(ch), Ok(mut line)) = (CHANNEL.get(), serde_json::to_string(msg)) {
        line.push('\n');
        if let Ok(mut f) = ch.lock() {
            let _ = f.write_all(line.as_bytes());
            let _ = f.flush();
        }
    }
}

fn forward_log(level: LogLevel, target: &str, message: &str) {
    if (level as u8) <= MAX_LEVEL.get().copied().unwrap_or(2) {
        send(&FromWorker::Log { level: level as u8, target: target.to_owned(), message: message.to_owned() });
    }
}

/// Takes fd 1 for the protocol and points fd 1 at stderr, so plugin output cannot reach the channel.
fn take_stdout() -> std::io::Result<File> {
    // SAFETY: dup and dup2 on the process's own standard descriptors; no memory is involved.
    let fd = unsafe { libc::dup(1) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: as above.
    if unsafe { libc::dup2(2, 1) } < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `fd` is a fresh descriptor owned by nothing else.
    Ok(unsafe { File::from_raw_fd(fd) })
}

/// Runs the worker for the plugin at `plugin`, forwarding plugin log records up to `max_level`
/// (1 error … 5 trace). Returns the process exit code.
pub fn run(plugin: &Path, max_level: u8) -> u8 {
    // SAFETY: prctl(PR_SET_PDEATHSIG) only sets a flag on this process.
    unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) };
    let Ok(out) = take_stdout() else { return 1 };
    let _ = CHANNEL.set(Mutex::new(out));
    let _ = MAX_LEVEL.set(max_level);
    abi::set_host_logger(forward_log);
    abi::set_host_max_level(LogLevel::from_u8(max_level.clamp(1, 5)));
    let loaded = match load::load(plugin) {
        Ok(p) => p,
        Err(e) => {
            send(&FromWorker::LoadFailed { message: e.reason });
            return 3;
        }
    };
    let Some(module) = loaded.module else { return 3 };
    let drivers: HashMap<String, DriverInfo> =
        loaded.description.drivers.iter().map(|d| (d.name.clone(), d.clone())).collect();
    send(&FromWorker::Ready { description: loaded.description });
    let instances = Arc::new(Instances::default());
    let mut stdin = BufReader::new(std::io::stdin().lock());
    let mut line = Vec::new();
    loop {
        line.clear();
        match (&mut stdin).take(MAX_LINE as u64 + 1).read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return 0,
            Ok(_) if line.len() > MAX_LINE => return 9,
            Ok(_) => {}
        }
        let Ok(ToWorker::Call { id, device, driver, params, op, deadline_ms }) = serde_json::from_slice(&line) else {
            return 9;
        };
        let (instances, info) = (Arc::clone(&instances), drivers.get(&driver).cloned());
        let spawned = std::thread::Builder::new().name(format!("call-{id}")).spawn(move || {
            let call = Call {
                module,
                info: info.as_ref(),
                device: &device,
                driver: &driver,
                params: &params,
                op: &op,
                deadline: Duration::from_millis(deadline_ms),
            };
            send(&FromWorker::Done { id, result: instances.run(&call) });
        });
        if spawned.is_err() {
            let result = Err(DriverError::plugin_fault("the plugin worker could not start a thread"));
            send(&FromWorker::Done { id, result });
        }
    }
}
