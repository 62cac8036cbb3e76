//! Ordering across processes: MAAS runs one `powerplug` per machine, concurrently, and a DLI
//! switch (like most embedded controllers) serves one request at a time — overlapping logins
//! invalidate each other. Every call to a device addressed by a host parameter therefore holds
//! an advisory lock (`flock`) on a file named after the driver and address, in
//! `$POWERPLUG_LOCK_DIR`, else `$XDG_RUNTIME_DIR/powerplug`, else `/run/powerplug` (root, or
//! the packaged service's `RuntimeDirectory`), else `/tmp/powerplug-<uid>`. The wait is bounded
//! by the caller's deadline. The kernel drops the lock when its holder exits, however it exits.

use std::fs::{self, File, OpenOptions};
use std::os::fd::AsRawFd;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use power_core::{DriverInfo, ParamKind, Params};

/// The environment variable that names the lock directory.
pub const DIR_VAR: &str = "POWERPLUG_LOCK_DIR";

/// A held device lock; released when dropped.
#[derive(Debug)]
pub struct DeviceLock {
    _file: File,
    /// How long the wait took.
    pub waited: Duration,
}

/// Why no lock was taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process held it past the deadline.
    #[error("another powerplug process kept device {key} busy for {} s (the deadline)", waited.as_secs())]
    Busy {
        /// The device key.
        key: String,
        /// How long we waited.
        waited: Duration,
    },
}

/// The key that orders calls to one physical device: `driver@address`, from the driver's first
/// host parameter. `None` for drivers that address nothing (no lock is needed).
pub fn lock_key(info: &DriverInfo, params: &Params) -> Option<String> {
    let spec = info.params.iter().find(|s| matches!(s.kind, ParamKind::Host { .. }))?;
    let addr = params.text(&spec.name)?;
    Some(format!("{}@{}", info.name, addr.trim().to_ascii_lowercase()))
}

/// The lock directory for this process (created 0700 when missing), or `None` when no usable
/// one exists (then calls run unlocked, as before this existed). Chosen once per process.
pub fn lock_dir() -> Option<PathBuf> {
    static DIR: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    DIR.get_or_init(choose_dir).clone()
}

fn choose_dir() -> Option<PathBuf> {
    let uid = {
        // SAFETY: getuid has no preconditions and cannot fail.
        unsafe { libc::getuid() }
    };
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(d) = std::env::var_os(DIR_VAR).filter(|d| !d.is_empty()) {
        candidates.push(PathBuf::from(d));
    }
    if let Some(d) = std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        candidates.push(PathBuf::from(d).join("powerplug"));
    }
    candidates.push(PathBuf::from("/run/powerplug"));
    candidates.push(std::env::temp_dir().join(format!("powerplug-{uid}")));
    candidates.into_iter().find(|d| usable(d, uid))
}

fn usable(dir: &std::path::Path, uid: u32) -> bool {
    if !dir.exists() {
        let _ = fs::DirBuilder::new().recursive(true).mode(0o700).create(dir);
    }
    match fs::metadata(dir) {
        // Ours, or one we may write (the service's RuntimeDirectory shared with its group).
        Ok(m) if m.is_dir() => {
            let path = std::ffi::CString::new(dir.as_os_str().as_encoded_bytes()).ok();
            let writable = path.is_some_and(|p| {
                // SAFETY: a valid NUL-terminated path; access(2) only reads it.
                unsafe { libc::access(p.as_ptr(), libc::W_OK) == 0 }
            });
            writable && (m.uid() == uid || m.mode() & 0o002 == 0)
        }
        _ => false,
    }
}

/// A file name for `key`: its safe characters plus a hash, so distinct keys never collide.
fn file_name(key: &str) -> String {
    let safe: String = key
        .chars()
        .take(80)
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect();
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("{safe}-{hash:016x}.lock")
}

/// Takes the lock for `key`, waiting until `deadline` at most. `Ok(None)` when there is no
/// usable lock directory.
pub fn acquire(key: &str, deadline: Instant) -> Result<Option<DeviceLock>, LockError> {
    let Some(dir) = lock_dir() else {
        tracing::debug!("no usable lock directory; {key} is not locked across processes");
        return Ok(None);
    };
    let path = dir.join(file_name(key));
    let Ok(file) = OpenOptions::new().read(true).write(true).create(true).truncate(false).mode(0o600).open(&path)
    else {
        tracing::debug!(path = %path.display(), "cannot open the lock file; not locked across processes");
        return Ok(None);
    };
    let started = Instant::now();
    let mut pause = Duration::from_millis(2);
    loop {
        // SAFETY: flock on a descriptor we own; no memory is involved.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
            let waited = started.elapsed();
            if waited > Duration::from_millis(5) {
                tracing::debug!(key, waited_ms = waited.as_millis() as u64, "waited for another process's call");
            }
            return Ok(Some(DeviceLock { _file: file, waited }));
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(LockError::Busy { key: key.to_owned(), waited: started.elapsed() });
        }
        std::thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_waits_until_the_deadline() {
        let dir = std::env::temp_dir().join(format!("pp-lock-{}", std::process::id()));
        std::env::set_var(DIR_VAR, &dir);
        let first = acquire("dli@10.0.0.1", Instant::now() + Duration::from_secs(1)).unwrap().expect("a lock dir");
        // flock locks belong to the open file description: a second open in this process contends.
        let second = acquire("dli@10.0.0.1", Instant::now() + Duration::from_millis(100));
        assert!(matches!(second, Err(LockError::Busy { .. })), "{second:?}");
        assert!(acquire("dli@10.0.0.2", Instant::now()).unwrap().is_some(), "another device is free");
        drop(first);
        assert!(acquire("dli@10.0.0.1", Instant::now() + Duration::from_millis(100)).unwrap().is_some());
        assert_ne!(file_name("a/b"), file_name("a_b"));
        let _ = fs::remove_dir_all(dir);
    }
}
