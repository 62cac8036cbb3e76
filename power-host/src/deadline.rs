//! A deadline for a blocking call that cannot be interrupted (a plugin call): the call runs on
//! its own thread and the caller stops waiting when the deadline passes. The thread is left
//! behind; a command-line process exits soon after, which ends it.

use std::sync::mpsc;
use std::time::Duration;

/// Runs `f` on a new thread and waits at most `deadline` for its result (`None` past it).
pub fn run_with_deadline<T: Send + 'static>(deadline: Duration, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new().name("driver-call".into()).spawn(move || {
        let _ = tx.send(f());
    });
    match spawned {
        Ok(_) => rx.recv_timeout(deadline).ok(),
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_the_value_or_gives_up() {
        assert_eq!(run_with_deadline(Duration::from_secs(5), || 7), Some(7));
        let t = std::time::Instant::now();
        assert_eq!(run_with_deadline(Duration::from_millis(50), || std::thread::sleep(Duration::from_secs(5))), None);
        assert!(t.elapsed() < Duration::from_secs(4));
    }
}
