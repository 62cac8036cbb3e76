//! `MaasTarget`: the MAAS generation a user names with `--maas` (`2014.02`, `1.5`…`1.8`, `1.9`,
//! `2.2`…`3.4`, `3.5`, `3.6`, `3.7`…), parsed into the generation whose file layout applies plus
//! the exact release, which decides details such as the 1.7+ query list.

use std::fmt;
use std::str::FromStr;

/// The file layout a MAAS release uses for power types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Generation {
    /// Feb-2014 trunk: `power_parameters.py` + `enum.py` + template.
    Trunk2014,
    /// 1.5 to 1.8: `power_schema.py` + template (+ `QUERY_POWER_TYPES` from 1.7).
    V1_5,
    /// 1.9: `power/schema.py` (password fields, missing_packages) + template.
    V1_9,
    /// 2.2 to 3.4: a Python `PowerDriver` module + `registry.py`.
    V2_2,
    /// 3.5: as 2.2, run through the Go agent and the `maas-power` command.
    V3_5,
    /// 3.6 and later: as 3.5, plus a `PowerTypeEnum` member.
    V3_6,
}

/// A MAAS release as named on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct MaasTarget {
    pub(crate) generation: Generation,
    /// (major, minor); `(2014, 2)` for the Feb-2014 trunk.
    pub(crate) version: (u32, u32),
}

/// The names `--maas` accepts, for error messages and help.
pub(crate) const ACCEPTED: &str =
    "2014.02, 1.5, 1.6, 1.7, 1.8, 1.9, 2.2 to 2.9, 3.0 to 3.7 (later 3.x releases use the 3.6 layout)";

impl MaasTarget {
    /// Whether MAAS queries power types listed in `QUERY_POWER_TYPES` (1.7+ templates).
    pub(crate) fn has_query_list(self) -> bool {
        matches!(self.generation, Generation::V1_5 | Generation::V1_9) && self.version >= (1, 7)
    }

    /// Whether the generation runs templates (1.x) rather than Python drivers.
    pub(crate) fn uses_templates(self) -> bool {
        self.generation <= Generation::V1_9
    }

    /// The short label used in generated headers and file names (`1.8`, `2014.02`).
    pub(crate) fn label(self) -> String {
        match self.generation {
            Generation::Trunk2014 => "2014.02".to_owned(),
            _ => format!("{}.{}", self.version.0, self.version.1),
        }
    }
}

impl fmt::Display for MaasTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MAAS {}", self.label())
    }
}

/// `--maas` named no release powerplug knows.
#[derive(Debug, thiserror::Error)]
#[error("unknown MAAS target {0:?}; expected one of {ACCEPTED}")]
pub(crate) struct UnknownTarget(String);

impl FromStr for MaasTarget {
    type Err = UnknownTarget;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || UnknownTarget(s.to_owned());
        let t = s.trim();
        if t == "2014.02" || t == "2014-02" || t == "trunk-2014" {
            return Ok(Self { generation: Generation::Trunk2014, version: (2014, 2) });
        }
        let (a, b) = t.split_once('.').ok_or_else(bad)?;
        let version: (u32, u32) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
        let generation = match version {
            (1, 5..=8) => Generation::V1_5,
            (1, 9) => Generation::V1_9,
            (2, 2..=9) | (3, 0..=4) => Generation::V2_2,
            (3, 5) => Generation::V3_5,
            (3, 6..=99) => Generation::V3_6,
            _ => return Err(bad()),
        };
        Ok(Self { generation, version })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_accepted_name() {
        let g = |s: &str| s.parse::<MaasTarget>().unwrap().generation;
        assert_eq!(g("2014.02"), Generation::Trunk2014);
        assert_eq!(g("1.5"), Generation::V1_5);
        assert_eq!(g("1.8"), Generation::V1_5);
        assert_eq!(g("1.9"), Generation::V1_9);
        assert_eq!(g("2.2"), Generation::V2_2);
        assert_eq!(g("3.4"), Generation::V2_2);
        assert_eq!(g("3.5"), Generation::V3_5);
        assert_eq!(g("3.7"), Generation::V3_6);
        for bad in ["2.0", "2.1", "1.4", "4.0", "x", "3"] {
            assert!(bad.parse::<MaasTarget>().is_err(), "{bad}");
        }
        assert!("1.7".parse::<MaasTarget>().unwrap().has_query_list());
        assert!(!"1.6".parse::<MaasTarget>().unwrap().has_query_list());
    }
}
