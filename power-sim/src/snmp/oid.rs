//! Object identifiers and values as the pass_persist protocol writes them: `Oid` (numeric,
//! ordered component-wise as SNMP's GETNEXT orders them, printed with a leading dot as snmpd
//! sends them) and `Value` (a typed reply: `integer`, `gauge` or `string`). Text forms only;
//! the BER encoding is snmpd's job.

use std::fmt;

/// A numeric object identifier. `Ord` is SNMP's lexicographic order (a prefix sorts first).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Oid(Vec<u32>);

impl Oid {
    /// Parses `.1.3.6…` or `1.3.6…`; `None` when a component is not a number.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let body = text.strip_prefix('.').unwrap_or(text);
        if body.is_empty() {
            return None;
        }
        body.split('.').map(|c| c.parse::<u32>().ok()).collect::<Option<Vec<_>>>().map(Self)
    }

    /// `self` with `more` appended.
    pub(crate) fn child(&self, more: &[u32]) -> Self {
        let mut v = self.0.clone();
        v.extend_from_slice(more);
        Self(v)
    }
}

impl fmt::Display for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in &self.0 {
            write!(f, ".{c}")?;
        }
        Ok(())
    }
}

/// A typed value of a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    /// INTEGER (also enumerations and TruthValue).
    Integer(i64),
    /// Gauge32 / Unsigned32.
    Gauge(u32),
    /// OCTET STRING holding text (DisplayString, SnmpAdminString).
    Text(String),
}

impl Value {
    /// The pass_persist TYPE line.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Self::Integer(_) => "integer",
            Self::Gauge(_) => "gauge",
            Self::Text(_) => "string",
        }
    }

    /// The pass_persist VALUE line (one line: line breaks become spaces).
    pub(crate) fn text(&self) -> String {
        match self {
            Self::Integer(n) => n.to_string(),
            Self::Gauge(n) => n.to_string(),
            Self::Text(s) => s.replace(['\r', '\n'], " "),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oids_parse_with_or_without_the_dot_and_order_like_getnext() {
        let a = Oid::parse(".1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.2").unwrap();
        assert_eq!(Oid::parse("1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.2"), Some(a.clone()));
        assert_eq!(a.to_string(), ".1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.2");
        let b = Oid::parse(".1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.10").unwrap();
        assert!(a < b, "numeric, not textual, order");
        assert!(Oid::parse(".1.3.6.1.4.1.318.1.1").unwrap() < a, "a prefix sorts first");
        for bad in ["", ".", "1..3", "1.x", ".1.3.-1"] {
            assert_eq!(Oid::parse(bad), None, "{bad}");
        }
    }
}
