//! `ParamSpec`: how a driver declares one parameter (name, label, help, kind, required, default,
//! secret, scope). This schema is what the host validates against, what `drivers show` prints and
//! what the MAAS emitters turn into each generation's field model. It does not parse values:
//! `params.rs` does that.

use serde::{Deserialize, Serialize};

/// One `(value, label)` pair of a [`ParamKind::Choice`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Choice {
    /// The value passed to the driver.
    pub value: String,
    /// The text a user interface shows.
    pub label: String,
}

impl Choice {
    /// A choice whose value and label are given.
    pub fn new(value: impl Into<String>, label: impl Into<String>) -> Self {
        Self { value: value.into(), label: label.into() }
    }
}

/// The type of a parameter's value. Serialized with a `type` tag, e.g.
/// `{"type": "integer", "min": 1, "max": 16}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ParamKind {
    /// Free text.
    String,
    /// A password or key: always secret.
    Password,
    /// A whole number, optionally bounded (both ends inclusive).
    Integer {
        /// The smallest accepted value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<i64>,
        /// The largest accepted value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<i64>,
    },
    /// `true`/`false` (also accepted: `yes`/`no`, `1`/`0`, `on`/`off`).
    Boolean,
    /// One of a fixed set of values.
    Choice {
        /// The accepted values with their labels.
        choices: Vec<Choice>,
    },
    /// An Ethernet MAC address in any common notation; normalised to `aa:bb:cc:dd:ee:ff`.
    MacAddress,
    /// A host name or IP address (IPv6 bare or in brackets).
    Host {
        /// Whether `host:port` (`[v6]:port`) is accepted.
        #[serde(default)]
        allow_port: bool,
        /// Whether an `http://` or `https://` URL is accepted as well.
        #[serde(default)]
        allow_url: bool,
    },
    /// A TCP or UDP port, 1 to 65535.
    Port,
    /// A URL with one of the given schemes (any scheme when empty).
    Url {
        /// Accepted schemes, e.g. `["http", "https"]`.
        #[serde(default)]
        schemes: Vec<String>,
    },
    /// A kind this version of power-core does not know (sent by a newer plugin); treated as
    /// free text.
    #[serde(other)]
    Other,
}

impl ParamKind {
    /// A bounded integer.
    pub fn integer(min: i64, max: i64) -> Self {
        Self::Integer { min: Some(min), max: Some(max) }
    }

    /// A choice from `(value, label)` pairs.
    pub fn choice<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self::Choice { choices: pairs.into_iter().map(|(v, l)| Choice::new(v, l)).collect() }
    }

    /// A host name or address, optionally with a port and/or as a URL.
    pub fn host(allow_port: bool, allow_url: bool) -> Self {
        Self::Host { allow_port, allow_url }
    }

    /// What a valid value looks like, in words, for error messages and tables.
    pub fn expected(&self) -> String {
        match self {
            Self::String | Self::Other => "text".to_owned(),
            Self::Password => "a password".to_owned(),
            Self::Integer { min: Some(lo), max: Some(hi) } => {
                format!("a whole number from {lo} to {hi}")
            }
            Self::Integer { min: Some(lo), max: None } => format!("a whole number of at least {lo}"),
            Self::Integer { min: None, max: Some(hi) } => format!("a whole number of at most {hi}"),
            Self::Integer { .. } => "a whole number".to_owned(),
            Self::Boolean => "true or false".to_owned(),
            Self::Choice { choices } => {
                let values: Vec<&str> = choices.iter().map(|c| c.value.as_str()).collect();
                format!("one of {}", values.join(", "))
            }
            Self::MacAddress => "a MAC address such as aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, \
                                 aabb.ccdd.eeff or aabbccddeeff"
                .to_owned(),
            Self::Host { allow_port, allow_url } => {
                let mut s = "a host name or IP address".to_owned();
                if *allow_port {
                    s.push_str(", optionally with :port (IPv6 in brackets)");
                }
                if *allow_url {
                    s.push_str(", or an http:// or https:// URL");
                }
                s
            }
            Self::Port => "a port number from 1 to 65535".to_owned(),
            Self::Url { schemes } if schemes.is_empty() => "a URL".to_owned(),
            Self::Url { schemes } => format!("a URL starting with {}://", schemes.join(":// or ")),
        }
    }

    /// The short type name used in tables and JSON (`string`, `integer`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Password => "password",
            Self::Integer { .. } => "integer",
            Self::Boolean => "boolean",
            Self::Choice { .. } => "choice",
            Self::MacAddress => "mac_address",
            Self::Host { .. } => "host",
            Self::Port => "port",
            Self::Url { .. } => "url",
            Self::Other => "other",
        }
    }
}

/// Who a parameter belongs to, as MAAS 2.x+ models it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Shared by every machine on the device (address, credentials).
    #[default]
    Bmc,
    /// Specific to one machine (outlet number, MAC address, server number).
    Node,
}

/// The declaration of one driver parameter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ParamSpec {
    /// The name, lowercase `snake_case`, MAAS spelling where MAAS has one (`power_address`).
    pub name: String,
    /// A short human label ("Power address").
    pub label: String,
    /// One or two sentences of help.
    #[serde(default)]
    pub help: String,
    /// The value type.
    pub kind: ParamKind,
    /// Whether the parameter must be given (a default satisfies it).
    #[serde(default)]
    pub required: bool,
    /// The default value, in the same text form a user would type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Whether the value is secret: never printed, logged or put on a command line.
    #[serde(default)]
    pub secret: bool,
    /// Whether the value belongs to the device or to one machine.
    #[serde(default)]
    pub scope: Scope,
}

impl ParamSpec {
    /// A parameter with the given name, label and kind; optional, BMC scope, no default.
    /// [`ParamKind::Password`] parameters are secret from the start.
    pub fn new(name: impl Into<String>, label: impl Into<String>, kind: ParamKind) -> Self {
        let secret = matches!(kind, ParamKind::Password);
        Self {
            name: name.into(),
            label: label.into(),
            help: String::new(),
            kind,
            required: false,
            default: None,
            secret,
            scope: Scope::Bmc,
        }
    }

    /// Sets the help text.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = help.into();
        self
    }

    /// Marks the parameter required.
    #[must_use]
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Sets the default value (text form).
    #[must_use]
    pub fn default_value(mut self, value: impl Into<String>) -> Self {
        self.default = Some(value.into());
        self
    }

    /// Marks the value secret.
    #[must_use]
    pub fn secret(mut self) -> Self {
        self.secret = true;
        self
    }

    /// Puts the parameter in node scope (per machine).
    #[must_use]
    pub fn node_scope(mut self) -> Self {
        self.scope = Scope::Node;
        self
    }

    /// The environment variable that may carry this parameter: `POWERPLUG_<NAME>`.
    pub fn env_var(&self) -> String {
        format!("POWERPLUG_{}", self.name.to_ascii_uppercase())
    }
}
