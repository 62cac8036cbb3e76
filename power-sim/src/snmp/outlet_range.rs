//! `OutletRange`: one item of the outlet lists (`--on`, `--stuck`, `--no-device`, `--fault`):
//! an outlet `N`, a range `N-M`, or PoE ports `G.N` / `G.N-M`. Parsed by clap, printed back
//! unchanged for the pass_persist program's command line.

use std::fmt;
use std::str::FromStr;

/// One item of an outlet list: `N`, `N-M`, or for PoE ports `G.N` / `G.N-M` (group 1 when
/// omitted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutletRange {
    /// The PoE group (`None`: not given, group 1 for PoE).
    pub group: Option<u32>,
    /// The first outlet or port.
    pub first: u32,
    /// The last outlet or port (equal to `first` for one).
    pub last: u32,
}

impl OutletRange {
    /// One outlet (or port of group 1).
    pub fn one(n: u32) -> Self {
        Self { group: None, first: n, last: n }
    }

    /// One PoE port.
    pub fn port(group: u32, port: u32) -> Self {
        Self { group: Some(group), first: port, last: port }
    }

    /// Whether `(group, index)` is in the range (PDU outlets are group 1).
    pub fn contains(&self, group: u32, index: u32) -> bool {
        self.group.unwrap_or(1) == group && (self.first..=self.last).contains(&index)
    }
}

impl FromStr for OutletRange {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not an outlet (N, N-M) or PoE port (G.N, G.N-M)");
        let number = |t: &str| t.trim().parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(bad);
        let (group, rest) = match s.split_once('.') {
            Some((g, rest)) => (Some(number(g)?), rest),
            None => (None, s),
        };
        let (first, last) = match rest.split_once('-') {
            Some((a, b)) => (number(a)?, number(b)?),
            None => (number(rest)?, number(rest)?),
        };
        if last < first {
            return Err(bad());
        }
        Ok(Self { group, first, last })
    }
}

impl fmt::Display for OutletRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(g) = self.group {
            write!(f, "{g}.")?;
        }
        if self.first == self.last {
            write!(f, "{}", self.first)
        } else {
            write!(f, "{}-{}", self.first, self.last)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outlet_ranges_parse_and_print_back() {
        for text in ["3", "1-4", "2.7", "1.3-5"] {
            assert_eq!(text.parse::<OutletRange>().unwrap().to_string(), text);
        }
        for bad in ["", "0", "a", "4-2", "1.", ".3", "1.2.3", "-1"] {
            assert!(bad.parse::<OutletRange>().is_err(), "{bad}");
        }
        let r: OutletRange = "2.3-5".parse().unwrap();
        assert!(r.contains(2, 4) && !r.contains(1, 4) && !r.contains(2, 6));
        assert!(OutletRange::one(4).contains(1, 4));
    }
}
