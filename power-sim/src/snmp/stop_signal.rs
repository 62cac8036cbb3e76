//! SIGINT and SIGTERM as a request to stop, for `powerplug simulate pdu|poe`: the handler only
//! sets a flag, and `run` then drops the agent, which stops and reaps snmpd (the default action
//! would end the process and leave snmpd running). Only `run` installs it; the tests never do.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_signal: libc::c_int) {
    // An atomic store is async-signal-safe.
    REQUESTED.store(true, Ordering::SeqCst);
}

/// Installs the handler for SIGINT and SIGTERM.
pub(crate) fn install() -> io::Result<()> {
    for signal in [libc::SIGINT, libc::SIGTERM] {
        let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        // SAFETY: `on_signal` is an `extern "C"` function that only stores to an atomic, which
        // is async-signal-safe; signal(2) replaces the disposition and touches no Rust memory.
        if unsafe { libc::signal(signal, handler) } == libc::SIG_ERR {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Whether SIGINT or SIGTERM arrived since `install`.
pub(crate) fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}
