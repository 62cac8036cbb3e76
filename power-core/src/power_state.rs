//! `PowerState` and `PowerAction`: what a device can be asked to do and what it can report.
//! The textual forms (`on`, `off`, `unknown`; `on`, `off`, `cycle`, `query`) are part of the
//! contract: `powerplug power query` prints the state exactly, and MAAS templates compare it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The power state a driver reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PowerState {
    /// The machine (or outlet) is powered.
    On,
    /// The machine (or outlet) is not powered.
    Off,
    /// The driver cannot tell. Drivers without a real query always report this; they never guess.
    Unknown,
}

impl PowerState {
    /// The contract text: `on`, `off` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::On => "on",
            Self::Off => "off",
            Self::Unknown => "unknown",
        }
    }
}

impl fmt::Display for PowerState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A power action a driver may support.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PowerAction {
    /// Switch power on.
    On,
    /// Switch power off.
    Off,
    /// Off, a pause, then on (or the device's own cycle command).
    Cycle,
    /// Report the power state.
    Query,
}

impl PowerAction {
    /// Every action, in display order.
    pub const ALL: [PowerAction; 4] = [Self::On, Self::Off, Self::Cycle, Self::Query];

    /// The contract text: `on`, `off`, `cycle` or `query`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::On => "on",
            Self::Off => "off",
            Self::Cycle => "cycle",
            Self::Query => "query",
        }
    }
}

impl fmt::Display for PowerAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text was not one of `on`, `off`, `cycle`, `query`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown power action {0:?}: expected one of on, off, cycle, query")]
pub struct UnknownActionError(pub String);

impl FromStr for PowerAction {
    type Err = UnknownActionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|a| a.as_str() == s).ok_or_else(|| UnknownActionError(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_round_trip() {
        for a in PowerAction::ALL {
            assert_eq!(a.as_str().parse::<PowerAction>().unwrap(), a);
            assert_eq!(serde_json::to_string(&a).unwrap(), format!("\"{a}\""));
        }
        assert!("reset".parse::<PowerAction>().is_err());
        assert_eq!(serde_json::to_string(&PowerState::Unknown).unwrap(), "\"unknown\"");
    }
}
