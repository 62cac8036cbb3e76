//! `SnmpError`: what went wrong talking to an agent, worded for the user who must fix it, and
//! its mapping onto powerplug's error kinds (and so exit codes). No error carries a community
//! or passphrase.

use std::time::Duration;

use power_core::DriverError;

use super::{Oid, Version};

/// An SNMP `error-status` (RFC 3416; v1 uses 0-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorStatus(pub i64);

impl ErrorStatus {
    /// The RFC name (`noSuchName`, `notWritable`…).
    pub fn name(self) -> &'static str {
        const NAMES: [&str; 19] = [
            "noError",
            "tooBig",
            "noSuchName",
            "badValue",
            "readOnly",
            "genErr",
            "noAccess",
            "wrongType",
            "wrongLength",
            "wrongEncoding",
            "wrongValue",
            "noCreation",
            "inconsistentValue",
            "resourceUnavailable",
            "commitFailed",
            "undoFailed",
            "authorizationError",
            "notWritable",
            "inconsistentName",
        ];
        usize::try_from(self.0).ok().and_then(|i| NAMES.get(i)).copied().unwrap_or("unknown error-status")
    }

    /// Whether the agent refused because the credential may not write.
    pub fn is_access(self) -> bool {
        matches!(self.0, 4 | 6 | 16 | 17)
    }
}

/// A v3 security failure the agent reported (`usmStats…` in a Report PDU).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsmFailure {
    /// usmStatsUnsupportedSecLevels: the user has no key for the level asked.
    UnsupportedSecLevel,
    /// usmStatsNotInTimeWindows, still after resynchronizing.
    NotInTimeWindow,
    /// usmStatsUnknownUserNames.
    UnknownUser,
    /// usmStatsUnknownEngineIDs after discovery.
    UnknownEngineId,
    /// usmStatsWrongDigests: wrong authentication passphrase or protocol.
    WrongDigest,
    /// usmStatsDecryptionErrors: wrong privacy passphrase or protocol.
    DecryptionError,
    /// Another report (its OID).
    Other(Oid),
}

impl UsmFailure {
    pub(crate) fn from_report(oid: &Oid) -> Self {
        match oid.arcs() {
            [1, 3, 6, 1, 6, 3, 15, 1, 1, n, 0] => match n {
                1 => Self::UnsupportedSecLevel,
                2 => Self::NotInTimeWindow,
                3 => Self::UnknownUser,
                4 => Self::UnknownEngineId,
                5 => Self::WrongDigest,
                6 => Self::DecryptionError,
                _ => Self::Other(oid.clone()),
            },
            _ => Self::Other(oid.clone()),
        }
    }
}

/// The operation an error happened in.
pub(crate) fn op_name(tag: u8) -> &'static str {
    match tag {
        0xa0 => "GET",
        0xa1 => "GETNEXT",
        _ => "SET",
    }
}

/// Talking to an agent failed.
#[derive(Debug, thiserror::Error)]
pub enum SnmpError {
    /// `power_address` does not resolve, or the socket cannot be opened.
    #[error("{0}")]
    Address(String),
    /// No answer in any try.
    #[error("no answer from the SNMP agent at {agent} to {tries} {version} request(s) of {} ms each{}: {}", .timeout.as_millis(), if *.deadline { " (cut short by the action's deadline)" } else { "" }, no_answer_hint(*.version, *.privacy))]
    NoAnswer {
        /// The agent.
        agent: String,
        /// The version asked.
        version: Version,
        /// Tries made.
        tries: u32,
        /// Per-try limit.
        timeout: Duration,
        /// Whether the action's deadline ended the tries.
        deadline: bool,
        /// Whether requests were encrypted (v3 authPriv).
        privacy: bool,
    },
    /// The host said nothing listens there (ICMP port unreachable).
    #[error("nothing listens on UDP {agent} (the host answered port unreachable): check the address and port, and that the device's SNMP agent is enabled")]
    Refused {
        /// The agent.
        agent: String,
    },
    /// Sending or receiving failed.
    #[error("cannot talk to the SNMP agent at {agent}: {source}")]
    Io {
        /// The agent.
        agent: String,
        /// The failure.
        #[source]
        source: std::io::Error,
    },
    /// The agent answered something that is not SNMP (or not an answer to the request).
    #[error("the SNMP agent at {agent} sent a malformed reply: {problem}")]
    Malformed {
        /// The agent.
        agent: String,
        /// What was wrong.
        problem: String,
    },
    /// The agent answered with an error-status.
    #[error("the SNMP agent at {agent} refused the {op} of {}: {} ({}){}", .oid.as_ref().map_or("the request".to_owned(), ToString::to_string), .status.name(), .status.0, status_hint(*.status, .op, *.version))]
    Status {
        /// The agent.
        agent: String,
        /// GET, GETNEXT or SET.
        op: &'static str,
        /// The error-status.
        status: ErrorStatus,
        /// The variable it names (error-index), if any.
        oid: Option<Oid>,
        /// The version asked.
        version: Version,
    },
    /// A v2c/v3 GET came back with noSuchObject or noSuchInstance.
    #[error("the SNMP agent at {agent} has no {oid} ({what})")]
    NoSuchObject {
        /// The agent.
        agent: String,
        /// The variable.
        oid: Oid,
        /// `noSuchObject` or `noSuchInstance`.
        what: &'static str,
    },
    /// A v3 security failure.
    #[error("the SNMP agent at {agent} refused v3 user `{user}`: {}", usm_hint(.failure))]
    Usm {
        /// The agent.
        agent: String,
        /// The user.
        user: String,
        /// What it reported.
        failure: UsmFailure,
    },
}

fn no_answer_hint(v: Version, privacy: bool) -> &'static str {
    match v {
        Version::V3 if privacy => "the device is down or unreachable, the port is wrong, or `v3_priv_pass`/`v3_priv_protocol` is wrong — an agent drops a request it cannot decrypt, so these look the same",
        Version::V3 => "the device is down or unreachable, or the port is wrong",
        _ => "the device is down or unreachable, the port is wrong, or the community is wrong — an SNMP v1/v2c agent silently ignores a community it does not know, so these look the same",
    }
}

fn status_hint(s: ErrorStatus, op: &str, v: Version) -> &'static str {
    match (s.0, op, v) {
        (2, "SET", Version::V1) => " — SNMP v1 says noSuchName both for an object the agent lacks and for a community that may only read; check that `community` has write access",
        (2, _, _) => " — the agent has no such object: check `model` and the outlet or port number",
        (4 | 6 | 17, _, Version::V3) | (16, _, _) => " — this user may not write here (read-only access in the agent's VACM)",
        (4 | 6 | 17, _, _) => " — the community may only read (a read-only community such as `public`); give one with write access",
        (3 | 7 | 10, _, _) => " — the agent does not accept that value here: check `model`",
        (11 | 18, _, _) => " — the agent has no such row: check the outlet or port number",
        _ => "",
    }
}

fn usm_hint(f: &UsmFailure) -> String {
    match f {
        UsmFailure::UnknownUser => "no such user (usmStatsUnknownUserNames): check `v3_user`".to_owned(),
        UsmFailure::WrongDigest => "authentication failed (usmStatsWrongDigests): check `v3_auth_pass` and `v3_auth_protocol`".to_owned(),
        UsmFailure::DecryptionError => "decryption failed (usmStatsDecryptionErrors): check `v3_priv_pass` and `v3_priv_protocol`".to_owned(),
        UsmFailure::UnsupportedSecLevel => "the user does not support this security level (usmStatsUnsupportedSecLevels): give both passphrases for authPriv, or only the ones the user was created with".to_owned(),
        UsmFailure::NotInTimeWindow => "the request is outside the agent's time window even after resynchronizing (usmStatsNotInTimeWindows)".to_owned(),
        UsmFailure::UnknownEngineId => "the agent does not know its own engine ID as discovered (usmStatsUnknownEngineIDs)".to_owned(),
        UsmFailure::Other(oid) => format!("it reported {oid}"),
    }
}

impl SnmpError {
    /// Whether the agent lacks the variable (noSuchName, noSuchObject, noSuchInstance): a wrong
    /// model, or an outlet/port number past the end of the table.
    pub fn is_no_such(&self) -> bool {
        matches!(self, Self::NoSuchObject { .. })
            || matches!(self, Self::Status { status: ErrorStatus(2), op: "GET", .. })
    }
}

impl From<SnmpError> for DriverError {
    fn from(e: SnmpError) -> Self {
        let message = e.to_string();
        match e {
            SnmpError::Address(_) => DriverError::invalid_parameter(message),
            SnmpError::NoAnswer { .. } | SnmpError::Refused { .. } | SnmpError::Io { .. } => {
                DriverError::unreachable(message)
            }
            SnmpError::Status { status, .. } if status.is_access() => DriverError::authentication(message),
            SnmpError::Status { status: ErrorStatus(2), op: "SET", version: Version::V1, .. } => {
                DriverError::authentication(message)
            }
            SnmpError::Status { status: ErrorStatus(2 | 11 | 18), .. } | SnmpError::NoSuchObject { .. } => {
                DriverError::invalid_parameter(message)
            }
            SnmpError::Usm { failure: UsmFailure::NotInTimeWindow | UsmFailure::Other(_), .. } => {
                DriverError::device(message)
            }
            SnmpError::Usm { .. } => DriverError::authentication(message),
            SnmpError::Status { .. } | SnmpError::Malformed { .. } => DriverError::device(message),
        }
    }
}
