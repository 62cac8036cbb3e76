//! The optional reachability probe behind `query`: a TCP connect to `probe_address:probe_port`.
//! Connected or refused quickly means the host's network stack is up (`on`); a timeout or "host
//! unreachable" means it is not (`off`). It is a best effort, which the descriptor says.

use std::io::ErrorKind;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use plugin_sdk::{DriverError, PowerState};

/// Probes `host:port` within `timeout`.
pub(crate) fn probe(host: &str, port: u16, timeout: Duration) -> Result<PowerState, DriverError> {
    let addr: SocketAddr = (host, port)
        .to_socket_addrs()
        .map_err(|e| DriverError::invalid_parameter(format!("`probe_address` {host:?} does not resolve: {e}")))?
        .next()
        .ok_or_else(|| DriverError::invalid_parameter(format!("`probe_address` {host:?} has no address")))?;
    let result = TcpStream::connect_timeout(&addr, timeout).map(|_| ());
    let state = classify(&result);
    plugin_sdk::log::debug!("wol probe {addr}: {result:?} -> {state:?}");
    state
}

/// The state a connect outcome means.
pub fn classify(result: &std::io::Result<()>) -> Result<PowerState, DriverError> {
    match result {
        Ok(()) => Ok(PowerState::On),
        Err(e) => match e.kind() {
            ErrorKind::ConnectionRefused | ErrorKind::ConnectionReset => Ok(PowerState::On),
            ErrorKind::TimedOut | ErrorKind::WouldBlock | ErrorKind::HostUnreachable => Ok(PowerState::Off),
            ErrorKind::NetworkUnreachable => {
                Err(DriverError::unreachable(format!("the probe address is on no reachable network: {e}")))
            }
            _ => Err(DriverError::device(format!("the reachability probe failed: {e}"))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Error;

    #[test]
    fn outcomes_map_to_states() {
        assert_eq!(classify(&Ok(())), Ok(PowerState::On));
        assert_eq!(classify(&Err(Error::from(ErrorKind::ConnectionRefused))), Ok(PowerState::On));
        assert_eq!(classify(&Err(Error::from(ErrorKind::TimedOut))), Ok(PowerState::Off));
        assert_eq!(classify(&Err(Error::from(ErrorKind::HostUnreachable))), Ok(PowerState::Off));
        assert!(classify(&Err(Error::from(ErrorKind::NetworkUnreachable))).is_err());
    }
}
