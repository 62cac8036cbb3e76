//! The TCP server every network simulator runs on: a listener on loopback (port 0 picks a free
//! one), a fixed set of connection threads each accepting in turn — concurrent clients are
//! served (and their overlaps seen) without a thread per connection, which a fleet benchmark's
//! thousands of short connections would pay for — and a handle that stops it when dropped.
//! Also `follow`, the `powerplug simulate` loop that reports each new request line.

use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crate::SimError;

/// Connection threads per server: as many clients are served at once.
const ACCEPTORS: usize = 8;

/// A running server; stops accepting when dropped.
pub(crate) struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl Server {
    /// Listens on `bind:port` and runs `handle` for every connection, on one of the acceptors.
    pub(crate) fn start(
        bind: IpAddr,
        port: u16,
        handle: impl Fn(TcpStream) + Send + Sync + 'static,
    ) -> Result<Self, SimError> {
        let listener =
            TcpListener::bind((bind, port)).map_err(|e| SimError::io(format!("cannot bind {bind}:{port}"), e))?;
        let addr = listener.local_addr().map_err(|e| SimError::io("no local address", e))?;
        let stop = Arc::new(AtomicBool::new(false));
        let handle = Arc::new(handle);
        for _ in 0..ACCEPTORS {
            let listener = listener.try_clone().map_err(|e| SimError::io("cannot share the listener", e))?;
            let (st, handle) = (Arc::clone(&stop), Arc::clone(&handle));
            thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || {
                    for conn in listener.incoming() {
                        if st.load(Ordering::Relaxed) {
                            break;
                        }
                        if let Ok(conn) = conn {
                            handle(conn);
                        }
                    }
                })
                .map_err(|e| SimError::io("cannot start a connection thread", e))?;
        }
        Ok(Self { addr, stop })
    }

    /// The listening address.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake every acceptor so it sees the flag.
        for _ in 0..ACCEPTORS {
            let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(200));
        }
    }
}

/// Sleeps `delay_ms` (the delay fault); whether the connection should be dropped unanswered.
pub(crate) fn delay_or_drop(delay_ms: u64, drop: bool) -> bool {
    if delay_ms > 0 {
        thread::sleep(Duration::from_millis(delay_ms));
    }
    drop
}

/// For `powerplug simulate`: reports `banner`, then every new line of `requests`, until killed.
pub(crate) fn follow(banner: &str, requests: impl Fn() -> Vec<String>, events: &mut dyn FnMut(&str)) -> ! {
    events(banner);
    let mut seen = 0;
    loop {
        thread::sleep(Duration::from_millis(100));
        let log = requests();
        for line in log.iter().skip(seen) {
            events(line);
        }
        seen = log.len();
    }
}
