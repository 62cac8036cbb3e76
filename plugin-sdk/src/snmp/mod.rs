//! The SNMP helper (feature `snmp`) for drivers of SNMP-managed devices — rack PDUs, PoE
//! switches. A small client written for this SDK in plain Rust (no Net-SNMP, no OpenSSL): GET,
//! GETNEXT and SET over UDP with SNMP v1, v2c and v3 (USM: noAuthNoPriv, authNoPriv and
//! authPriv; MD5, SHA-1 and SHA-2 HMACs; AES-128, AES-192, AES-256 and DES), retries and per-try timeouts bounded by the
//! action's deadline ([`crate::deadline`]), and errors a user can act on ([`SnmpError`]).
//! Communities and passphrases are [`Secret`]s: they are never logged, put in an error, or
//! handed to another program.
//!
//! [`params`] gives every SNMP driver the same parameters; [`Config::from_params`] checks
//! their combination; [`Session`] talks to one agent; [`FakeAgent`] stands in for one in tests.

mod ber;
mod error;
mod fake;
mod message;
mod oid;
mod session;
mod usm;

use std::time::Duration;

use power_core::{split_host_port, DriverError, ParamKind, ParamSpec, Params, Secret};

pub use error::{ErrorStatus, SnmpError, UsmFailure};
pub use fake::{FakeAgent, Table};
pub use oid::{oid, Oid};
pub use session::Session;

/// A variable's value, as SNMP types it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// INTEGER (also enumerations and TruthValue).
    Integer(i64),
    /// OCTET STRING (DisplayString, MAC addresses…).
    OctetString(Vec<u8>),
    /// NULL: what a GET request carries.
    Null,
    /// OBJECT IDENTIFIER (e.g. `sysObjectID`).
    ObjectId(Oid),
    /// IpAddress.
    IpAddress([u8; 4]),
    /// Counter32.
    Counter32(u32),
    /// Gauge32 / Unsigned32.
    Gauge32(u32),
    /// TimeTicks (hundredths of a second).
    TimeTicks(u32),
    /// Opaque.
    Opaque(Vec<u8>),
    /// Counter64.
    Counter64(u64),
    /// v2c/v3: the agent has no such object.
    NoSuchObject,
    /// v2c/v3: the object exists but not this instance (row).
    NoSuchInstance,
    /// v2c/v3: a GETNEXT ran off the end of the agent's MIB view.
    EndOfMibView,
}

impl Value {
    /// The integer, for INTEGER and the unsigned types.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Self::Integer(i) => Some(*i),
            Self::Counter32(n) | Self::Gauge32(n) | Self::TimeTicks(n) => Some(i64::from(*n)),
            _ => None,
        }
    }

    /// Whether this is one of v2c's "no such" exceptions or the end of the view.
    pub fn is_exception(&self) -> bool {
        matches!(self, Self::NoSuchObject | Self::NoSuchInstance | Self::EndOfMibView)
    }
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Integer(i) => write!(f, "INTEGER: {i}"),
            Self::OctetString(s) => write!(f, "STRING: {:?}", String::from_utf8_lossy(s)),
            Self::Null => f.write_str("NULL"),
            Self::ObjectId(o) => write!(f, "OID: {o}"),
            Self::IpAddress(a) => write!(f, "IpAddress: {}.{}.{}.{}", a[0], a[1], a[2], a[3]),
            Self::Counter32(n) => write!(f, "Counter32: {n}"),
            Self::Gauge32(n) => write!(f, "Gauge32: {n}"),
            Self::TimeTicks(n) => write!(f, "Timeticks: ({n})"),
            Self::Opaque(s) => write!(f, "Opaque: {} bytes", s.len()),
            Self::Counter64(n) => write!(f, "Counter64: {n}"),
            Self::NoSuchObject => f.write_str("noSuchObject"),
            Self::NoSuchInstance => f.write_str("noSuchInstance"),
            Self::EndOfMibView => f.write_str("endOfMibView"),
        }
    }
}

/// The protocol version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// SNMPv1 (RFC 1157).
    V1,
    /// SNMPv2c (RFC 1901).
    V2c,
    /// SNMPv3 with the User-based Security Model (RFC 3414).
    V3,
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::V1 => "v1",
            Self::V2c => "v2c",
            Self::V3 => "v3",
        })
    }
}

/// A v3 authentication protocol (the HMAC and its truncation, RFC 3414 and RFC 7860).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthProtocol {
    /// HMAC-MD5-96.
    Md5,
    /// HMAC-SHA-96.
    Sha1,
    /// HMAC-SHA-224, 128 bits.
    Sha224,
    /// HMAC-SHA-256, 192 bits.
    Sha256,
    /// HMAC-SHA-384, 256 bits.
    Sha384,
    /// HMAC-SHA-512, 384 bits.
    Sha512,
}

impl AuthProtocol {
    const ALL: [(&'static str, Self); 6] = [
        ("MD5", Self::Md5),
        ("SHA", Self::Sha1),
        ("SHA-224", Self::Sha224),
        ("SHA-256", Self::Sha256),
        ("SHA-384", Self::Sha384),
        ("SHA-512", Self::Sha512),
    ];

    /// The name users give (`SHA`, `SHA-256`…), as Net-SNMP spells it.
    pub fn name(self) -> &'static str {
        Self::ALL.iter().find(|(_, p)| *p == self).map_or("SHA", |(n, _)| n)
    }

    /// Length of the truncated MAC in `msgAuthenticationParameters`.
    pub(crate) fn mac_len(self) -> usize {
        match self {
            Self::Md5 | Self::Sha1 => 12,
            Self::Sha224 => 16,
            Self::Sha256 => 24,
            Self::Sha384 => 32,
            Self::Sha512 => 48,
        }
    }
}

/// A v3 privacy protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivProtocol {
    /// AES-128 in CFB mode (RFC 3826).
    Aes128,
    /// AES-192 in CFB mode, key extended as draft-blumenthal-aes-usm-04 (Net-SNMP's `AES192`).
    Aes192,
    /// AES-256 in CFB mode, key extended as draft-blumenthal-aes-usm-04 (Net-SNMP's `AES256`).
    Aes256,
    /// DES-CBC (RFC 3414): only for agents that offer nothing better.
    Des,
}

impl PrivProtocol {
    const ALL: [(&'static str, &'static str, Self); 4] = [
        ("AES", "AES-128 (CFB)", Self::Aes128),
        ("AES-192", "AES-192 (Blumenthal key extension, Net-SNMP AES192)", Self::Aes192),
        ("AES-256", "AES-256 (Blumenthal key extension, Net-SNMP AES256)", Self::Aes256),
        ("DES", "DES-CBC (old agents only)", Self::Des),
    ];

    /// The key length the cipher takes (DES: key and pre-IV).
    pub(crate) fn key_len(self) -> usize {
        match self {
            Self::Aes128 | Self::Des => 16,
            Self::Aes192 => 24,
            Self::Aes256 => 32,
        }
    }
}

/// Who is asking: a community (v1/v2c) or a v3 user and its keys' passphrases.
#[derive(Clone)]
pub enum Security {
    /// v1/v2c community string.
    Community(Secret),
    /// v3 USM user. No authentication passphrase means noAuthNoPriv; with one and no privacy
    /// passphrase, authNoPriv; with both, authPriv.
    Usm {
        /// The user (securityName).
        user: String,
        /// Authentication protocol and passphrase.
        auth: Option<(AuthProtocol, Secret)>,
        /// Privacy protocol and passphrase (needs `auth`).
        privacy: Option<(PrivProtocol, Secret)>,
    },
}

/// Where and how to reach one agent.
#[derive(Clone)]
pub struct Config {
    /// `host:port` (IPv6 in brackets).
    pub target: String,
    /// The protocol version.
    pub version: Version,
    /// Community or v3 user.
    pub security: Security,
    /// Each try's limit (the action's deadline also bounds it).
    pub timeout: Duration,
    /// Tries after the first.
    pub retries: u32,
}

/// Parameter names, so drivers and their error messages spell them one way.
pub mod names {
    /// The agent's address.
    pub const ADDRESS: &str = "power_address";
    /// `1`, `2c` or `3`.
    pub const VERSION: &str = "snmp_version";
    /// v1/v2c community.
    pub const COMMUNITY: &str = "community";
    /// v3 user.
    pub const USER: &str = "v3_user";
    /// v3 authentication protocol.
    pub const AUTH_PROTOCOL: &str = "v3_auth_protocol";
    /// v3 authentication passphrase.
    pub const AUTH_PASS: &str = "v3_auth_pass";
    /// v3 privacy protocol.
    pub const PRIV_PROTOCOL: &str = "v3_priv_protocol";
    /// v3 privacy passphrase.
    pub const PRIV_PASS: &str = "v3_priv_pass";
    /// UDP port when `power_address` has none.
    pub const PORT: &str = "port";
    /// Per-try timeout.
    pub const TIMEOUT: &str = "timeout_ms";
    /// Retries after the first try.
    pub const RETRIES: &str = "retries";
}

/// The standard SNMP parameters, in the order drivers list them: address, version, community,
/// the v3 user and its protocols and passphrases, port, per-try timeout and retries.
pub fn params() -> Vec<ParamSpec> {
    use names::*;
    let auth = AuthProtocol::ALL.map(|(n, _)| (n, n));
    vec![
        ParamSpec::new(ADDRESS, "Agent address", ParamKind::host(true, false))
            .required()
            .help("Host or host:port of the device's SNMP agent (UDP; port 161 unless given)"),
        ParamSpec::new(VERSION, "SNMP version", ParamKind::choice([("1", "v1"), ("2c", "v2c"), ("3", "v3 (USM)")]))
            .default_value("2c")
            .help("1 and 2c authenticate with the community only; 3 with a user and passphrases"),
        ParamSpec::new(COMMUNITY, "Community", ParamKind::Password)
            .help("v1/v2c: a community with write access (vendors often ship `private`); no default"),
        ParamSpec::new(USER, "v3 user", ParamKind::String).help("v3: the USM user (securityName)"),
        ParamSpec::new(AUTH_PROTOCOL, "v3 authentication protocol", ParamKind::choice(auth))
            .default_value("SHA")
            .help("v3: the HMAC the user was created with"),
        ParamSpec::new(AUTH_PASS, "v3 authentication passphrase", ParamKind::Password)
            .help("v3: at least 8 characters; none means noAuthNoPriv"),
        ParamSpec::new(
            PRIV_PROTOCOL,
            "v3 privacy protocol",
            ParamKind::choice(PrivProtocol::ALL.map(|(n, l, _)| (n, l))),
        )
        .default_value("AES")
        .help("v3: the cipher the user was created with"),
        ParamSpec::new(PRIV_PASS, "v3 privacy passphrase", ParamKind::Password)
            .help("v3: at least 8 characters; with the authentication passphrase means authPriv"),
        ParamSpec::new(PORT, "UDP port", ParamKind::Port)
            .default_value("161")
            .help("The agent's port when power_address does not give one"),
        ParamSpec::new(TIMEOUT, "Timeout per try (ms)", ParamKind::integer(50, 60_000))
            .default_value("1000")
            .help("How long each request waits for an answer (the action's deadline also bounds it)"),
        ParamSpec::new(RETRIES, "Retries", ParamKind::integer(0, 10))
            .default_value("2")
            .help("Requests sent again after a try gets no answer"),
    ]
}

/// The descriptor of a driver that switches something over SNMP: `on`, `off`, `cycle` and a
/// real `query`, with the standard SNMP parameters ([`params`]) first; add the driver's own.
pub fn switch_info(name: &str, description: &str, version: &str) -> power_core::DriverInfo {
    use power_core::PowerAction::{Cycle, Off, On, Query};
    params().into_iter().fold(
        power_core::DriverInfo::new(name, description, version).actions([On, Off, Cycle, Query]).real_query(),
        power_core::DriverInfo::param,
    )
}

/// The standard `verify_ms` parameter: how long a change may take to show in the read-back.
pub fn verify_param(default_ms: u32) -> ParamSpec {
    ParamSpec::new("verify_ms", "Read-back wait (ms)", ParamKind::integer(0, 120_000))
        .default_value(default_ms.to_string())
        .help("After a SET, how long the new state may take to show before the change counts as failed")
}

impl Config {
    /// Reads the standard parameters ([`params`]) and checks how they combine: a community for
    /// v1/v2c, a user for v3, passphrases of at least 8 characters, privacy only with
    /// authentication, one port.
    pub fn from_params(p: &Params) -> Result<Self, DriverError> {
        use names::*;
        let address = p.text(ADDRESS).unwrap_or_default();
        let (host, port_text) =
            split_host_port(address).map_err(|e| DriverError::invalid_parameter(format!("`{ADDRESS}`: {e}")))?;
        let param_port = p.port(PORT).unwrap_or(161);
        let port = match port_text {
            Some(t) => {
                let from_addr: u16 = t.parse().map_err(|_| {
                    DriverError::invalid_parameter(format!("`{ADDRESS}`: the port after `:` is not 1-65535"))
                })?;
                if param_port != 161 && param_port != from_addr {
                    return Err(DriverError::invalid_parameter(format!(
                        "`{ADDRESS}` gives port {from_addr} and `{PORT}` gives {param_port}: give the port once"
                    )));
                }
                from_addr
            }
            None => param_port,
        };
        let target = if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") };
        let version = match p.text(VERSION).unwrap_or("2c") {
            "1" => Version::V1,
            "3" => Version::V3,
            _ => Version::V2c,
        };
        let given = |name: &str| p.secret(name).filter(|s| !s.is_empty()).cloned();
        let security = if version == Version::V3 {
            let user = p.text(USER).unwrap_or_default();
            if user.is_empty() {
                return Err(DriverError::invalid_parameter(format!(
                    "`{USER}` is required with {VERSION} 3 (the USM user the agent knows)"
                )));
            }
            let pass = |name: &str| -> Result<Option<Secret>, DriverError> {
                match given(name) {
                    Some(s) if s.expose().chars().count() < 8 => Err(DriverError::invalid_parameter(format!(
                        "`{name}`: SNMPv3 passphrases are at least 8 characters (RFC 3414); this one is shorter"
                    ))),
                    other => Ok(other),
                }
            };
            let auth_proto = p.text(AUTH_PROTOCOL).unwrap_or("SHA");
            let auth_proto =
                AuthProtocol::ALL.iter().find(|(n, _)| *n == auth_proto).map_or(AuthProtocol::Sha1, |(_, a)| *a);
            let auth = pass(AUTH_PASS)?.map(|s| (auth_proto, s));
            let priv_proto = p.text(PRIV_PROTOCOL).unwrap_or("AES");
            let priv_proto = PrivProtocol::ALL
                .iter()
                .find(|(n, _, _)| *n == priv_proto)
                .map_or(PrivProtocol::Aes128, |(_, _, c)| *c);
            let privacy = pass(PRIV_PASS)?.map(|s| (priv_proto, s));
            if privacy.is_some() && auth.is_none() {
                return Err(DriverError::invalid_parameter(format!(
                    "`{PRIV_PASS}` is given without `{AUTH_PASS}`: SNMPv3 privacy (authPriv) needs authentication too"
                )));
            }
            Security::Usm { user: user.to_owned(), auth, privacy }
        } else {
            match given(COMMUNITY) {
                Some(c) => Security::Community(c),
                None => {
                    return Err(DriverError::invalid_parameter(format!(
                        "`{COMMUNITY}` is required with {VERSION} {}: it is SNMP {version}'s only credential (give one with write access; vendors often ship `private`)",
                        if version == Version::V1 { "1" } else { "2c" }
                    )))
                }
            }
        };
        let ms = |name: &str, default: i64| u64::try_from(p.integer(name).unwrap_or(default)).unwrap_or(0);
        Ok(Self {
            target,
            version,
            security,
            timeout: Duration::from_millis(ms(TIMEOUT, 1000)),
            retries: u32::try_from(ms(RETRIES, 2)).unwrap_or(2),
        })
    }
}
