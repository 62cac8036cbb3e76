//! SNMPv3 (USM) users of the agent: `V3User` with its security level, the authentication and
//! privacy protocols Net-SNMP's `createUser` takes, and `Passphrase`, which never prints.
//! `conf.rs` writes them into snmpd.conf; tests give the same values to Net-SNMP's tools.

use std::fmt;

/// An SNMPv3 authentication protocol (Net-SNMP's `createUser` spelling).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuthProtocol {
    /// HMAC-MD5-96.
    #[value(name = "MD5")]
    Md5,
    /// HMAC-SHA-96.
    #[value(name = "SHA")]
    Sha,
    /// HMAC-SHA-224 (RFC 7860).
    #[value(name = "SHA-224")]
    Sha224,
    /// HMAC-SHA-256 (RFC 7860).
    #[value(name = "SHA-256")]
    Sha256,
    /// HMAC-SHA-384 (RFC 7860).
    #[value(name = "SHA-384")]
    Sha384,
    /// HMAC-SHA-512 (RFC 7860).
    #[value(name = "SHA-512")]
    Sha512,
}

impl AuthProtocol {
    /// Net-SNMP's name (`createUser`, `-a`, `defAuthType`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::Sha => "SHA",
            Self::Sha224 => "SHA-224",
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
        }
    }
}

/// An SNMPv3 privacy protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PrivProtocol {
    /// AES-128 in CFB mode (RFC 3826).
    #[value(name = "AES")]
    Aes,
    /// AES-192 (Net-SNMP's Blumenthal key extension).
    #[value(name = "AES192")]
    Aes192,
    /// AES-256 (Net-SNMP's Blumenthal key extension).
    #[value(name = "AES256")]
    Aes256,
    /// DES-CBC (RFC 3414).
    #[value(name = "DES")]
    Des,
}

impl PrivProtocol {
    /// Net-SNMP's name (`createUser`, `-x`, `defPrivType`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Aes => "AES",
            Self::Aes192 => "AES192",
            Self::Aes256 => "AES256",
            Self::Des => "DES",
        }
    }
}

/// An SNMPv3 passphrase. `Debug` and `Display` print `***`; `expose` gives the text.
#[derive(Clone, PartialEq, Eq)]
pub struct Passphrase(String);

impl Passphrase {
    /// Wraps `text`.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The passphrase itself, for the configuration file that carries it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase(***)")
    }
}

impl fmt::Display for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// An SNMPv3 (USM) user of the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V3User {
    /// The user (security) name.
    pub name: String,
    /// Authentication: protocol and passphrase; `None` is noAuthNoPriv.
    pub auth: Option<(AuthProtocol, Passphrase)>,
    /// Privacy: protocol and passphrase (needs `auth`); `None` is at most authNoPriv.
    pub privacy: Option<(PrivProtocol, Passphrase)>,
    /// The user may read but not write (`rouser` instead of `rwuser`).
    pub read_only: bool,
}

impl V3User {
    /// A noAuthNoPriv user.
    pub fn no_auth(name: &str) -> Self {
        Self { name: name.into(), auth: None, privacy: None, read_only: false }
    }

    /// An authNoPriv user.
    pub fn auth(name: &str, protocol: AuthProtocol, pass: &str) -> Self {
        Self { auth: Some((protocol, Passphrase::new(pass))), ..Self::no_auth(name) }
    }

    /// An authPriv user.
    pub fn auth_priv(name: &str, protocol: AuthProtocol, pass: &str, privacy: PrivProtocol, priv_pass: &str) -> Self {
        Self { privacy: Some((privacy, Passphrase::new(priv_pass))), ..Self::auth(name, protocol, pass) }
    }

    /// The same user, read-only.
    pub fn read_only(self) -> Self {
        Self { read_only: true, ..self }
    }

    /// The USM security level: `noAuthNoPriv`, `authNoPriv` or `authPriv`.
    pub fn security_level(&self) -> &'static str {
        match (&self.auth, &self.privacy) {
            (None, _) => "noAuthNoPriv",
            (Some(_), None) => "authNoPriv",
            (Some(_), Some(_)) => "authPriv",
        }
    }
}
