//! `Oid`: an OBJECT IDENTIFIER, written and read in Net-SNMP's numeric form (`.1.3.6.1…`).

use std::fmt;
use std::str::FromStr;

/// An OBJECT IDENTIFIER such as `.1.3.6.1.2.1.1.2.0` (`sysObjectID.0`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Oid(Vec<u32>);

impl Oid {
    /// From its arcs.
    pub fn from_arcs(arcs: Vec<u32>) -> Self {
        Self(arcs)
    }

    /// The arcs.
    pub fn arcs(&self) -> &[u32] {
        &self.0
    }

    /// This OID with `index` appended (a table column's instance: column.outlet).
    pub fn child(&self, index: &[u32]) -> Self {
        Self([&self.0[..], index].concat())
    }

    /// Whether `self` lies under `prefix` (or is it).
    pub fn starts_with(&self, prefix: &Oid) -> bool {
        self.0.starts_with(&prefix.0)
    }

    /// The arcs after `prefix`, when `self` lies under it.
    pub fn suffix(&self, prefix: &Oid) -> Option<&[u32]> {
        self.0.strip_prefix(prefix.0.as_slice())
    }
}

/// Parses a numeric OID literal; panics on a malformed one (for constants in drivers).
pub fn oid(text: &str) -> Oid {
    text.parse().unwrap_or_else(|e| panic!("bad OID literal {text:?}: {e}"))
}

impl FromStr for Oid {
    type Err = &'static str;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let body = s.strip_prefix('.').unwrap_or(s);
        let arcs: Result<Vec<u32>, _> = body.split('.').map(str::parse).collect();
        match arcs {
            Ok(a) if a.len() >= 2 && a[0] <= 2 && a.len() <= 128 => Ok(Self(a)),
            _ => Err("not a numeric OID (like .1.3.6.1.2.1.1.2.0)"),
        }
    }
}

impl fmt::Display for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for a in &self.0 {
            write!(f, ".{a}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_prints_and_relates_oids() {
        let col = oid(".1.3.6.1.4.1.318.1.1.12.3.5.1.1.4");
        let cell = col.child(&[7]);
        assert_eq!(cell.to_string(), ".1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.7");
        assert_eq!("1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.7".parse::<Oid>().unwrap(), cell);
        assert!(cell.starts_with(&col) && !col.starts_with(&cell));
        assert_eq!(cell.suffix(&col), Some(&[7u32][..]));
        assert!(oid(".1.3.6.1.2.1.105.1.1.1.3.1.10") > oid(".1.3.6.1.2.1.105.1.1.1.3.1.9"), "numeric order");
        for bad in ["", ".", "1", "1.x", "3.1", ".1..3"] {
            assert!(bad.parse::<Oid>().is_err(), "{bad:?}");
        }
    }
}
