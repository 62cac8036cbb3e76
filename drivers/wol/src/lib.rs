//! The `wol` driver: wakes a machine by sending wake-on-LAN magic packets over UDP (with
//! `SO_BROADCAST`), optionally with a SecureOn password. It can only switch on: `off` and `cycle`
//! are refused with the reason. `query` answers `unknown` unless a reachability probe is set.
//! Packet layout lives in `magic.rs`, the probe in `probe.rs`.

mod magic;
mod probe;

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::thread::sleep;
use std::time::Duration;

use plugin_sdk::{
    CallOutcome, DriverError, DriverInfo, MacAddress, ParamKind, ParamSpec, Params, PowerAction, PowerState,
};

pub use magic::{packet, parse_secureon, SECUREON_FORMATS};
pub use probe::classify;

/// An opened wake-on-LAN target.
pub struct Wol {
    mac: MacAddress,
    secureon: Option<Vec<u8>>,
    target: SocketAddr,
    bind: Option<IpAddr>,
    repeat: u32,
    interval: Duration,
    probe: Option<(String, u16, Duration)>,
}

fn ip_param(params: &Params, name: &str) -> Result<Option<IpAddr>, DriverError> {
    params
        .text(name)
        .map(|t| {
            t.trim_matches(|c| c == '[' || c == ']').parse::<IpAddr>().map_err(|_| {
                DriverError::invalid_parameter(format!(
                    "`{name}` must be an IP address (IPv4, or IPv6 such as ff02::1), not {t:?}"
                ))
            })
        })
        .transpose()
}

impl plugin_sdk::Driver for Wol {
    fn describe() -> DriverInfo {
        DriverInfo::new("wol", "Wake-on-LAN magic packet (power on only)", env!("CARGO_PKG_VERSION"))
            .actions([PowerAction::On, PowerAction::Query])
            .unsupported_because(PowerAction::Off, "wake-on-LAN can only wake a machine; no wake-on-LAN device can switch one off (pair it with a switched PDU such as the dli driver)")
            .unsupported_because(PowerAction::Cycle, "wake-on-LAN can only wake a machine; cycling needs an off, which wake-on-LAN cannot do")
            .param(ParamSpec::new("mac_address", "MAC address", ParamKind::MacAddress).required().node_scope()
                .help("The MAC address of the network card to wake"))
            .param(ParamSpec::new("broadcast", "Broadcast address", ParamKind::host(false, false)).default_value("255.255.255.255")
                .help("Where to send the packet: the limited broadcast, a subnet-directed broadcast or a unicast IP"))
            .param(ParamSpec::new("port", "UDP port", ParamKind::Port).default_value("9"))
            .param(ParamSpec::new("secureon", "SecureOn password", ParamKind::String).secret().node_scope()
                .help(format!("Optional; {SECUREON_FORMATS}")))
            .param(ParamSpec::new("repeat", "Packets to send", ParamKind::integer(1, 20)).default_value("3"))
            .param(ParamSpec::new("interval_ms", "Pause between packets (ms)", ParamKind::integer(0, 1000)).default_value("5"))
            .param(ParamSpec::new("bind_address", "Source address", ParamKind::host(false, false))
                .help("Send from this local IP address (picks the interface on multi-homed hosts)"))
            .param(ParamSpec::new("probe_address", "Probe address", ParamKind::host(false, false)).node_scope()
                .help("Optional: host to TCP-probe for query (connect or refused = on, timeout = off)"))
            .param(ParamSpec::new("probe_port", "Probe port", ParamKind::Port).default_value("22"))
            .extra_text("maas.native_template", include_str!("maas-native.template"))
            .param(ParamSpec::new("probe_timeout_ms", "Probe timeout (ms)", ParamKind::integer(50, 60_000)).default_value("1000"))
    }

    fn open(params: &Params) -> Result<Self, DriverError> {
        let mac =
            params.mac("mac_address").ok_or_else(|| DriverError::invalid_parameter("`mac_address` is required"))?;
        if mac.0 == [0; 6] || mac.0 == [0xff; 6] || mac.0[0] & 1 == 1 {
            return Err(DriverError::invalid_parameter(format!(
                "`mac_address` {mac} is not a network card's address (all-zero, broadcast or multicast); give the machine's NIC MAC"
            )));
        }
        let secureon = match params.secret("secureon") {
            Some(s) => Some(parse_secureon(s.expose()).ok_or_else(|| {
                DriverError::invalid_parameter(format!(
                    "`secureon` is not a valid SecureOn password; expected {SECUREON_FORMATS}"
                ))
            })?),
            None => None,
        };
        let broadcast = ip_param(params, "broadcast")?.unwrap_or(IpAddr::from([255, 255, 255, 255]));
        let bind = ip_param(params, "bind_address")?;
        let ms =
            |name: &str, default: i64| Duration::from_millis(params.integer(name).unwrap_or(default).unsigned_abs());
        let probe = params.text("probe_address").map(|h| {
            (
                h.trim_matches(|c| c == '[' || c == ']').to_owned(),
                params.port("probe_port").unwrap_or(22),
                ms("probe_timeout_ms", 1000),
            )
        });
        Ok(Self {
            mac,
            secureon,
            target: SocketAddr::new(broadcast, params.port("port").unwrap_or(9)),
            bind,
            repeat: u32::try_from(params.integer("repeat").unwrap_or(3)).unwrap_or(3),
            interval: ms("interval_ms", 5),
            probe,
        })
    }

    fn on(&self) -> Result<CallOutcome, DriverError> {
        let local = match (self.bind, self.target) {
            (Some(ip), _) => SocketAddr::new(ip, 0),
            (None, SocketAddr::V4(_)) => SocketAddr::from(([0, 0, 0, 0], 0)),
            (None, SocketAddr::V6(_)) => SocketAddr::from(([0u16; 8], 0)),
        };
        let socket = UdpSocket::bind(local)
            .map_err(|e| DriverError::device(format!("cannot open a UDP socket on {local}: {e}")))?;
        socket.set_broadcast(true).map_err(|e| DriverError::device(format!("cannot enable SO_BROADCAST: {e}")))?;
        let payload = packet(self.mac, self.secureon.as_deref());
        for i in 0..self.repeat {
            if i > 0 {
                sleep(self.interval);
            }
            socket.send_to(&payload, self.target).map_err(|e| {
                DriverError::unreachable(format!("could not send the wake-on-LAN packet to {}: {e}", self.target))
            })?;
        }
        plugin_sdk::log::info!("sent {} magic packet(s) for {} to {}", self.repeat, self.mac, self.target);
        Ok(CallOutcome::default().note(format!(
            "sent {} wake-on-LAN packet(s) for {} to udp {} (sent, not confirmed: wake-on-LAN has no reply)",
            self.repeat, self.mac, self.target
        )))
    }

    fn query(&self) -> Result<PowerState, DriverError> {
        match &self.probe {
            Some((host, port, timeout)) => probe::probe(host, *port, *timeout),
            None => Ok(PowerState::Unknown),
        }
    }
}

plugin_sdk::export_driver!(Wol);

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, TcpListener};

    use power_sim::wol::{decode, WolListener};

    use super::*;
    use plugin_sdk::Driver;

    fn open(pairs: &[(&str, &str)]) -> Result<Wol, DriverError> {
        let raw = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let params = Params::validate(&Wol::describe().params, &raw)
            .map_err(|e| DriverError::invalid_parameter(e.to_string()))?;
        Wol::open(&params)
    }

    #[test]
    fn conforms() {
        let listener = WolListener::bind((Ipv4Addr::LOCALHOST, 0).into()).unwrap();
        let port = listener.local_addr().port().to_string();
        plugin_sdk::conformance::assert_conforms::<Wol>(&[
            ("mac_address", "02:02:03:04:05:06"),
            ("broadcast", "127.0.0.1"),
            ("port", &port),
            ("secureon", "a1b2c3d4e5f6"),
        ]);
    }

    #[test]
    fn sends_repeat_packets_to_loopback() {
        let listener = WolListener::bind((Ipv4Addr::LOCALHOST, 0).into()).unwrap();
        let port = listener.local_addr().port().to_string();
        let wol =
            open(&[("mac_address", "0a0b.0c0d.0e0f"), ("broadcast", "127.0.0.1"), ("port", &port), ("repeat", "2")])
                .unwrap();
        wol.on().unwrap();
        for _ in 0..2 {
            let (buf, _) = listener.recv(Some(Duration::from_secs(5))).unwrap().unwrap();
            assert_eq!(decode(&buf).unwrap().mac_text(), "0a:0b:0c:0d:0e:0f");
        }
        assert!(listener.recv(Some(Duration::from_millis(100))).unwrap().is_none());
    }

    #[test]
    fn bad_values_name_the_parameter() {
        for bad in ["00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff", "01:00:5e:00:00:01"] {
            let e = open(&[("mac_address", bad)]).err().unwrap();
            assert!(e.message().contains("is not a network card's address"), "{bad}: {e}");
        }
        let e = open(&[("mac_address", "02:02:03:04:05:06"), ("secureon", "12:34")]).err().unwrap();
        assert!(
            e.message().contains("`secureon`")
                && e.message().contains("4 or 6 bytes")
                && !e.message().contains("12:34"),
            "{e}"
        );
        let e = open(&[("mac_address", "02:02:03:04:05:06"), ("broadcast", "example.org")]).err().unwrap();
        assert!(e.message().contains("`broadcast` must be an IP address"), "{e}");
    }

    #[test]
    fn query_probe() {
        let server = TcpListener::bind("127.0.0.1:0").unwrap();
        let up = server.local_addr().unwrap().port().to_string();
        let wol =
            open(&[("mac_address", "02:02:03:04:05:06"), ("probe_address", "127.0.0.1"), ("probe_port", &up)]).unwrap();
        assert_eq!(wol.query().unwrap(), PowerState::On);
        let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
        let wol =
            open(&[("mac_address", "02:02:03:04:05:06"), ("probe_address", "127.0.0.1"), ("probe_port", &closed)])
                .unwrap();
        assert_eq!(wol.query().unwrap(), PowerState::On, "refused means the host's stack answered");
        let wol = open(&[("mac_address", "02:02:03:04:05:06")]).unwrap();
        assert_eq!(wol.query().unwrap(), PowerState::Unknown);
    }
}
