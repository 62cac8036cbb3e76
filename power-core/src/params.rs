//! Validation: turns raw `name=value` text into typed [`Params`] against a driver's
//! [`ParamSpec`]s, with errors that name the parameter, what was wrong and what was expected.
//! Secret values are never echoed. Also the wire form the host sends a plugin (canonical text).
//! Who calls it: the host before opening a driver, and the SDK again inside the plugin.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::mac_address::MacAddress;
use crate::param_spec::{ParamKind, ParamSpec};
use crate::secret::Secret;

/// A validated, typed parameter value.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParamValue {
    /// Text: strings, hosts, URLs and choices.
    Text(String),
    /// A secret value.
    Secret(Secret),
    /// A whole number.
    Integer(i64),
    /// A boolean.
    Bool(bool),
    /// A MAC address.
    Mac(MacAddress),
    /// A port number.
    Port(u16),
}

impl ParamValue {
    /// The canonical text form (what [`Params::to_wire`] sends). Secrets are exposed here, and
    /// only for the wire: never print this for a secret.
    fn canonical(&self) -> String {
        match self {
            Self::Text(s) => s.clone(),
            Self::Secret(s) => s.expose().to_owned(),
            Self::Integer(i) => i.to_string(),
            Self::Bool(b) => b.to_string(),
            Self::Mac(m) => m.to_string(),
            Self::Port(p) => p.to_string(),
        }
    }
}

/// What was wrong with one parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParamErrorKind {
    /// The driver has no parameter of this name.
    Unknown {
        /// The driver's parameter names.
        known: Vec<String>,
    },
    /// A required parameter was not given.
    Missing {
        /// What a value looks like.
        expected: String,
    },
    /// The value does not parse or is out of range.
    Invalid {
        /// The offending value, or `***` for a secret.
        shown: String,
        /// What is wrong with it.
        problem: String,
        /// What a value looks like.
        expected: String,
    },
}

/// One parameter's validation failure.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ParamError {
    param: String,
    kind: ParamErrorKind,
}

impl ParamError {
    /// An invalid-value error for `spec`; the value is hidden when the spec is secret.
    pub fn invalid(spec: &ParamSpec, value: &str, problem: impl Into<String>) -> Self {
        let shown = if spec.secret {
            "***".to_owned()
        } else if value.chars().count() > SHOWN_CHARS {
            let head: String = value.chars().take(SHOWN_CHARS).collect();
            format!("{head:?}… ({} characters)", value.chars().count())
        } else {
            format!("{value:?}")
        };
        Self {
            param: spec.name.clone(),
            kind: ParamErrorKind::Invalid { shown, problem: problem.into(), expected: spec.kind.expected() },
        }
    }

    /// The parameter's name.
    pub fn param(&self) -> &str {
        &self.param
    }

    /// What was wrong.
    pub fn kind(&self) -> &ParamErrorKind {
        &self.kind
    }
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = &self.param;
        match &self.kind {
            ParamErrorKind::Unknown { known } => {
                write!(f, "unknown parameter `{p}`; this driver takes: {}", known.join(", "))
            }
            ParamErrorKind::Missing { expected } => {
                write!(f, "missing required parameter `{p}` (expected {expected})")
            }
            ParamErrorKind::Invalid { shown, problem, expected } => {
                write!(f, "invalid value {shown} for parameter `{p}`: {problem}; expected {expected}")
            }
        }
    }
}

/// Every problem found in one set of parameters (never empty).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ParamsError {
    errors: Vec<ParamError>,
}

impl ParamsError {
    /// The individual problems, in parameter order.
    pub fn errors(&self) -> &[ParamError] {
        &self.errors
    }
}

impl fmt::Display for ParamsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errors.as_slice() {
            [one] => write!(f, "{one}"),
            many => {
                write!(f, "{} parameter problems:", many.len())?;
                for e in many {
                    write!(f, "\n  - {e}")?;
                }
                Ok(())
            }
        }
    }
}

/// A validated set of parameters: every required one present, defaults applied, values typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Params {
    values: BTreeMap<String, ParamValue>,
}

impl Params {
    /// Validates `raw` against `specs`: unknown names, missing required values and bad values
    /// are all reported, each naming the parameter.
    pub fn validate(specs: &[ParamSpec], raw: &BTreeMap<String, String>) -> Result<Self, ParamsError> {
        let mut errors = Vec::new();
        for name in raw.keys() {
            if !specs.iter().any(|s| &s.name == name) {
                let known = specs.iter().map(|s| s.name.clone()).collect();
                errors.push(ParamError { param: name.clone(), kind: ParamErrorKind::Unknown { known } });
            }
        }
        let mut values = BTreeMap::new();
        for spec in specs {
            let text = raw.get(&spec.name).or(spec.default.as_ref());
            match text {
                Some(text) => match parse_value(spec, text) {
                    Ok(v) => {
                        values.insert(spec.name.clone(), v);
                    }
                    Err(e) => errors.push(e),
                },
                None if spec.required => errors.push(ParamError {
                    param: spec.name.clone(),
                    kind: ParamErrorKind::Missing { expected: spec.kind.expected() },
                }),
                None => {}
            }
        }
        if errors.is_empty() {
            Ok(Self { values })
        } else {
            Err(ParamsError { errors })
        }
    }

    /// The value of `name`, if given or defaulted.
    pub fn get(&self, name: &str) -> Option<&ParamValue> {
        self.values.get(name)
    }

    /// Text-like value (string, host, URL, choice) of `name`.
    pub fn text(&self, name: &str) -> Option<&str> {
        match self.values.get(name)? {
            ParamValue::Text(s) => Some(s),
            _ => None,
        }
    }

    /// Secret value of `name`.
    pub fn secret(&self, name: &str) -> Option<&Secret> {
        match self.values.get(name)? {
            ParamValue::Secret(s) => Some(s),
            _ => None,
        }
    }

    /// Integer value of `name`.
    pub fn integer(&self, name: &str) -> Option<i64> {
        match self.values.get(name)? {
            ParamValue::Integer(i) => Some(*i),
            _ => None,
        }
    }

    /// Boolean value of `name`.
    pub fn bool(&self, name: &str) -> Option<bool> {
        match self.values.get(name)? {
            ParamValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// MAC address value of `name`.
    pub fn mac(&self, name: &str) -> Option<MacAddress> {
        match self.values.get(name)? {
            ParamValue::Mac(m) => Some(*m),
            _ => None,
        }
    }

    /// Port value of `name`.
    pub fn port(&self, name: &str) -> Option<u16> {
        match self.values.get(name)? {
            ParamValue::Port(p) => Some(*p),
            _ => None,
        }
    }

    /// The names present, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }

    /// The wire form sent to a plugin: a JSON object of canonical text values. It carries
    /// secrets in clear, so it is handed straight to the plugin and never logged.
    pub fn to_wire(&self) -> String {
        let map: BTreeMap<&str, String> = self.values.iter().map(|(k, v)| (k.as_str(), v.canonical())).collect();
        serde_json::to_string(&map).unwrap_or_else(|_| "{}".to_owned())
    }

    /// Parses the wire form and validates it against `specs` (the plugin's side).
    pub fn from_wire(specs: &[ParamSpec], wire: &str) -> Result<Self, ParamsError> {
        let raw: BTreeMap<String, String> = serde_json::from_str(wire).map_err(|e| ParamsError {
            errors: vec![ParamError {
                param: "(all)".to_owned(),
                kind: ParamErrorKind::Invalid {
                    shown: "(parameter block)".to_owned(),
                    problem: format!("not a JSON object of strings: {e}"),
                    expected: "the host's parameter wire format".to_owned(),
                },
            }],
        })?;
        Self::validate(specs, &raw)
    }
}

/// Parses one value by its spec's kind.
fn parse_value(spec: &ParamSpec, text: &str) -> Result<ParamValue, ParamError> {
    let value = parse_kind(spec, text)?;
    Ok(match value {
        ParamValue::Secret(_) => value,
        _ if spec.secret => ParamValue::Secret(Secret::new(value.canonical())),
        _ => value,
    })
}

/// The longest parameter value accepted, in bytes.
pub const MAX_VALUE_BYTES: usize = 4096;

/// How much of a bad value an error message shows.
const SHOWN_CHARS: usize = 64;

/// Parses one value by its kind alone.
fn parse_kind(spec: &ParamSpec, text: &str) -> Result<ParamValue, ParamError> {
    let bad = |problem: &str| ParamError::invalid(spec, text, problem);
    if text.len() > MAX_VALUE_BYTES {
        return Err(bad(&format!("longer than {MAX_VALUE_BYTES} bytes")));
    }
    if text.chars().any(|c| c.is_control() && c != '\t') {
        return Err(bad("contains control characters (line breaks, NUL, escape sequences)"));
    }
    if matches!(spec.kind, ParamKind::Host { .. } | ParamKind::Url { .. }) && url_has_credentials(text) {
        // Never echoed: the value carries a password.
        return Err(ParamError::invalid(
            &ParamSpec { secret: true, ..spec.clone() },
            "",
            "credentials inside a URL are not accepted; give the user and password as their own parameters \
             (the password from the environment or a file)",
        ));
    }
    match &spec.kind {
        ParamKind::String | ParamKind::Other => Ok(ParamValue::Text(text.to_owned())),
        ParamKind::Password => Ok(ParamValue::Secret(Secret::new(text))),
        ParamKind::Integer { min, max } => {
            let n: i64 = text.trim().parse().map_err(|_| bad("not a whole number"))?;
            if min.is_some_and(|lo| n < lo) || max.is_some_and(|hi| n > hi) {
                return Err(bad("out of range"));
            }
            Ok(ParamValue::Integer(n))
        }
        ParamKind::Boolean => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" | "on" | "y" => Ok(ParamValue::Bool(true)),
            "false" | "no" | "0" | "off" | "n" => Ok(ParamValue::Bool(false)),
            _ => Err(bad("not a boolean")),
        },
        ParamKind::Choice { choices } => choices
            .iter()
            .find(|c| c.value == text)
            .map(|c| ParamValue::Text(c.value.clone()))
            .ok_or_else(|| bad("not one of the choices")),
        ParamKind::MacAddress => {
            text.parse::<MacAddress>().map(ParamValue::Mac).map_err(|e| bad(&format!("not a MAC address ({e})")))
        }
        ParamKind::Port => match text.trim().parse::<u32>() {
            Ok(p @ 1..=65535) => Ok(ParamValue::Port(p as u16)),
            Ok(_) => Err(bad("out of range")),
            Err(_) => Err(bad("not a port number")),
        },
        ParamKind::Host { allow_port, allow_url } => {
            check_host(text, *allow_port, *allow_url).map_err(&bad)?;
            Ok(ParamValue::Text(text.trim().to_owned()))
        }
        ParamKind::Url { schemes } => {
            check_url(text, schemes).map_err(|p| bad(&p))?;
            Ok(ParamValue::Text(text.trim().to_owned()))
        }
    }
}

/// Whether `text` is a URL with a `user[:password]@` part.
fn url_has_credentials(text: &str) -> bool {
    text.split_once("://").is_some_and(|(_, rest)| rest.split(['/', '?', '#']).next().is_some_and(|a| a.contains('@')))
}

/// Checks `host`, `host:port`, `[v6]`, `[v6]:port`, bare IPv6, or a URL when allowed.
fn check_host(text: &str, allow_port: bool, allow_url: bool) -> Result<(), &'static str> {
    let t = text.trim();
    if t.is_empty() {
        return Err("empty");
    }
    if t.contains("://") {
        if !allow_url {
            return Err("a URL is not accepted here");
        }
        return check_url(t, &["http".to_owned(), "https".to_owned()]).map_err(|_| "not an http or https URL");
    }
    let (host, port) = split_host_port(t)?;
    if port.is_some() && !allow_port {
        return Err("a port is not accepted here");
    }
    if let Some(p) = port {
        match p.parse::<u32>() {
            Ok(1..=65535) => {}
            _ => return Err("the port is not a number from 1 to 65535"),
        }
    }
    if host.parse::<Ipv4Addr>().is_ok() || host.parse::<Ipv6Addr>().is_ok() {
        return Ok(());
    }
    let valid_label = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && !l.starts_with('-')
    };
    if host.len() <= 253 && host.split('.').all(valid_label) {
        Ok(())
    } else {
        Err("not a host name or IP address")
    }
}

/// Splits `host[:port]`, handling `[v6]:port` and bare IPv6 (several colons, no port).
pub fn split_host_port(t: &str) -> Result<(&str, Option<&str>), &'static str> {
    if let Some(rest) = t.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or("an opening [ without a closing ]")?;
        if host.parse::<Ipv6Addr>().is_err() {
            return Err("not an IPv6 address inside the brackets");
        }
        return match after {
            "" => Ok((host, None)),
            _ => after.strip_prefix(':').map(|p| (host, Some(p))).ok_or("junk after ]"),
        };
    }
    if t.matches(':').count() > 1 {
        return Ok((t, None));
    }
    Ok(match t.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (t, None),
    })
}

/// Checks `scheme://rest` with a non-empty rest and an allowed scheme.
fn check_url(text: &str, schemes: &[String]) -> Result<(), String> {
    let t = text.trim();
    let (scheme, rest) = t.split_once("://").ok_or("no scheme:// prefix")?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err("no host after the scheme".to_owned());
    }
    if !schemes.is_empty() && !schemes.iter().any(|s| s.eq_ignore_ascii_case(scheme)) {
        return Err(format!("scheme {scheme:?} is not accepted"));
    }
    if t.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("contains white space or control characters".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_with_credentials_are_refused_without_echo() {
        let mut raw = BTreeMap::new();
        raw.insert("power_address".to_owned(), "http://admin:Hunter2x@10.0.0.1/".to_owned());
        raw.insert("outlet_id".to_owned(), "1".to_owned());
        let e = Params::validate(&specs(), &raw).unwrap_err().to_string();
        assert!(e.contains("credentials inside a URL are not accepted") && !e.contains("Hunter2x"), "{e}");
        raw.insert("power_address".to_owned(), "http://10.0.0.1/a@b".to_owned());
        assert!(Params::validate(&specs(), &raw).is_ok());
    }

    fn specs() -> Vec<ParamSpec> {
        vec![
            ParamSpec::new("power_address", "Address", ParamKind::host(true, true)).required(),
            ParamSpec::new("power_pass", "Password", ParamKind::Password),
            ParamSpec::new("outlet_id", "Outlet", ParamKind::integer(1, 16)).required().node_scope(),
            ParamSpec::new("protocol", "Protocol", ParamKind::choice([("auto", "Auto"), ("rest", "REST")]))
                .default_value("auto"),
            ParamSpec::new("mac", "MAC", ParamKind::MacAddress),
            ParamSpec::new("port", "Port", ParamKind::Port),
            ParamSpec::new("verify", "Verify", ParamKind::Boolean),
        ]
    }

    fn raw(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn typed_values_and_defaults() {
        let p = Params::validate(
            &specs(),
            &raw(&[
                ("power_address", "[::1]:8080"),
                ("outlet_id", "3"),
                ("mac", "AABBCCDDEEFF"),
                ("port", "9"),
                ("verify", "no"),
                ("power_pass", "s3cret"),
            ]),
        )
        .unwrap();
        assert_eq!(p.integer("outlet_id"), Some(3));
        assert_eq!(p.text("protocol"), Some("auto"));
        assert_eq!(p.mac("mac").unwrap().to_string(), "aa:bb:cc:dd:ee:ff");
        assert_eq!(p.port("port"), Some(9));
        assert_eq!(p.bool("verify"), Some(false));
        assert_eq!(p.secret("power_pass").unwrap().expose(), "s3cret");
        let again = Params::from_wire(&specs(), &p.to_wire()).unwrap();
        assert_eq!(again, p);
    }

    #[test]
    fn errors_name_the_parameter_and_hide_secrets() {
        let mut s = specs();
        s[1].kind = ParamKind::integer(0, 1); // a secret that is also range-checked
        let err = Params::validate(
            &s,
            &raw(&[("outlet_id", "17"), ("bogus", "1"), ("protocol", "ftp"), ("power_pass", "hunter2")]),
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("unknown parameter `bogus`"), "{text}");
        assert!(text.contains("missing required parameter `power_address`"), "{text}");
        assert!(
            text.contains(
                "invalid value \"17\" for parameter `outlet_id`: out of range; expected a whole number from 1 to 16"
            ),
            "{text}"
        );
        assert!(text.contains("expected one of auto, rest"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("invalid value *** for parameter `power_pass`"), "{text}");
        assert_eq!(err.errors().len(), 5);
    }

    #[test]
    fn hosts() {
        for ok in ["10.0.0.1", "dli.example", "host:80", "[fe80::1]:443", "::1", "http://a:8/x", "https://b"] {
            assert!(check_host(ok, true, true).is_ok(), "{ok}");
        }
        for bad in ["", "a b", "host:0", "host:99999", "[::1", "ftp://x", "-x.example", "a;b"] {
            assert!(check_host(bad, true, true).is_err(), "{bad}");
        }
        assert!(check_host("host:80", false, false).is_err());
        assert!(check_host("http://a", false, false).is_err());
    }
}
