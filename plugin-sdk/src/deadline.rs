//! The action's deadline, inside the plugin. The host sends one overall deadline with every
//! call (`{"deadline_ms": N}` in the call's JSON arguments: `powerplug power --timeout`, or
//! `serve`'s call deadline); the SDK keeps it for the calling thread while the driver runs, so
//! every request, login, retry, read-back and program a driver runs can share it:
//! [`cap`] bounds one step's own timeout by what is left, [`check`] fails before a step that
//! has no time left, naming it. Without a host deadline both leave the driver's own limits.

use std::cell::Cell;
use std::time::{Duration, Instant};

use power_core::DriverError;

thread_local! {
    static DEADLINE: Cell<Option<(Instant, Duration)>> = const { Cell::new(None) };
}

/// Runs `f` with the deadline `budget` from now (none when `budget` is `None`).
pub(crate) fn with_deadline<T>(budget: Option<Duration>, f: impl FnOnce() -> T) -> T {
    let before = DEADLINE.with(|d| d.replace(budget.map(|b| (Instant::now() + b, b))));
    let out = f();
    DEADLINE.with(|d| d.set(before));
    out
}

/// Time left before the action's deadline (`None`: the host set none).
pub fn remaining() -> Option<Duration> {
    DEADLINE.with(Cell::get).map(|(at, _)| at.saturating_duration_since(Instant::now()))
}

/// The action's whole budget, if the host set one.
pub fn budget() -> Option<Duration> {
    DEADLINE.with(Cell::get).map(|(_, b)| b)
}

/// `step_timeout`, shortened to what is left of the action's deadline (at least 1 ms).
pub fn cap(step_timeout: Duration) -> Duration {
    match remaining() {
        Some(left) => step_timeout.min(left).max(Duration::from_millis(1)),
        None => step_timeout,
    }
}

/// Whether `cap(step_timeout)` was shortened by the deadline.
pub fn capped(step_timeout: Duration) -> bool {
    remaining().is_some_and(|left| left < step_timeout)
}

/// Fails (device unreachable) when the deadline has passed, saying which step it stopped.
pub fn check(step: &str) -> Result<(), DriverError> {
    match (remaining(), budget()) {
        (Some(left), Some(b)) if left.is_zero() => Err(DriverError::unreachable(format!(
            "the action's deadline ({:.1} s) ran out before {step}",
            b.as_secs_f64()
        ))),
        _ => Ok(()),
    }
}

/// Refuses a cycle whose off time does not fit in what is left of the deadline, before
/// anything is switched (a cycle cut short would leave the machine off).
pub fn fits_off_time(off: Duration) -> Result<(), DriverError> {
    match remaining() {
        Some(left) if left <= off => Err(DriverError::invalid_parameter(format!(
            "`cycle_off_ms` ({} ms) does not fit in the action's deadline ({:.1} s left); raise the deadline or lower cycle_off_ms; nothing was switched",
            off.as_millis(),
            left.as_secs_f64()
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_and_checks_inside_the_deadline_only() {
        assert_eq!(cap(Duration::from_secs(5)), Duration::from_secs(5));
        assert!(check("x").is_ok());
        with_deadline(Some(Duration::from_millis(50)), || {
            assert!(cap(Duration::from_secs(5)) <= Duration::from_millis(50));
            assert!(capped(Duration::from_secs(5)) && !capped(Duration::from_millis(1)));
            std::thread::sleep(Duration::from_millis(60));
            let e = check("the read-back").unwrap_err();
            assert!(e.message().contains("ran out before the read-back"), "{e}");
        });
        assert!(remaining().is_none(), "cleared after the call");
    }
}
