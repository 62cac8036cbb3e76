//! The wake-on-LAN listener: binds a UDP socket (loopback by default), decodes each datagram as
//! a magic packet (6 x 0xFF, the MAC 16 times, optional 4- or 6-byte SecureOn) and reports it.
//! `powerplug simulate wol` runs it for dry runs; the tests use [`WolListener`] directly.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::time::Duration;

use crate::SimError;

/// Arguments of `powerplug simulate wol`.
#[derive(Debug, clap::Args)]
pub struct WolArgs {
    /// Address to listen on. Keep it on loopback unless you mean to hear your network.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
    /// UDP port (the drivers' default 9 needs root; pass `-p port=N` to the wol driver).
    #[arg(long, default_value_t = 40009)]
    pub port: u16,
    /// Exit after this many datagrams.
    #[arg(long)]
    pub count: Option<u64>,
}

/// A decoded magic packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MagicPacket {
    /// The target MAC address.
    pub mac: [u8; 6],
    /// The SecureOn password bytes, if the packet carried 4 or 6 of them.
    pub secureon: Option<Vec<u8>>,
}

impl MagicPacket {
    /// The MAC as `aa:bb:cc:dd:ee:ff`.
    pub fn mac_text(&self) -> String {
        self.mac.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":")
    }
}

/// Decodes a UDP payload; `None` when it is not a magic packet.
pub fn decode(buf: &[u8]) -> Option<MagicPacket> {
    if !matches!(buf.len(), 102 | 106 | 108) || buf[..6].iter().any(|b| *b != 0xFF) {
        return None;
    }
    let mac: [u8; 6] = buf[6..12].try_into().ok()?;
    if (0..16).any(|i| buf[6 + 6 * i..12 + 6 * i] != mac) {
        return None;
    }
    let secureon = (buf.len() > 102).then(|| buf[102..].to_vec());
    Some(MagicPacket { mac, secureon })
}

/// A bound UDP listener.
pub struct WolListener {
    socket: UdpSocket,
}

impl WolListener {
    /// Binds `addr` (port 0 picks a free port).
    pub fn bind(addr: SocketAddr) -> Result<Self, SimError> {
        let socket = UdpSocket::bind(addr).map_err(|e| SimError::io(format!("cannot bind UDP {addr}"), e))?;
        Ok(Self { socket })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.socket.local_addr().unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// The next datagram and its sender, or `None` after `timeout` without one.
    pub fn recv(&self, timeout: Option<Duration>) -> Result<Option<(Vec<u8>, SocketAddr)>, SimError> {
        self.socket.set_read_timeout(timeout).map_err(|e| SimError::io("cannot set a timeout", e))?;
        let mut buf = [0u8; 1500];
        match self.socket.recv_from(&mut buf) {
            Ok((n, from)) => Ok(Some((buf[..n].to_vec(), from))),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => Ok(None),
            Err(e) => Err(SimError::io("receive failed", e)),
        }
    }
}

/// Runs the listener, reporting one event per datagram, until `count` datagrams (or forever).
pub fn run(args: &WolArgs, events: &mut dyn FnMut(&str)) -> Result<(), SimError> {
    let listener = WolListener::bind(SocketAddr::new(args.bind, args.port))?;
    events(&format!("listening for wake-on-LAN packets on udp {}", listener.local_addr()));
    let mut seen = 0u64;
    while args.count.is_none_or(|c| seen < c) {
        let Some((buf, from)) = listener.recv(None)? else {
            continue;
        };
        seen += 1;
        match decode(&buf) {
            Some(p) => {
                let extra = p
                    .secureon
                    .as_ref()
                    .map(|s| format!(" with a {}-byte SecureOn password", s.len()))
                    .unwrap_or_default();
                events(&format!("magic packet for {} from {from}{extra}", p.mac_text()));
            }
            None => events(&format!("ignored a {}-byte datagram from {from}: not a magic packet", buf.len())),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(mac: [u8; 6], extra: &[u8]) -> Vec<u8> {
        let mut p = vec![0xFF; 6];
        for _ in 0..16 {
            p.extend_from_slice(&mac);
        }
        p.extend_from_slice(extra);
        p
    }

    #[test]
    fn decodes_and_rejects() {
        let mac = [1, 2, 3, 0xa, 0xb, 0xc];
        assert_eq!(decode(&packet(mac, &[])).unwrap().mac_text(), "01:02:03:0a:0b:0c");
        assert_eq!(decode(&packet(mac, &[9, 9, 9, 9])).unwrap().secureon, Some(vec![9; 4]));
        let mut bad = packet(mac, &[]);
        bad[50] ^= 1;
        assert_eq!(decode(&bad), None);
        assert_eq!(decode(&packet(mac, &[1])), None);
    }
}
