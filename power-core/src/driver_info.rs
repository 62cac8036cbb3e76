//! `DriverInfo`: the descriptor every driver publishes (name, description, version, actions,
//! whether query is real, chassis or not, programs it needs, parameters), and
//! `PluginDescription`, the list of them one plugin library sends the host. Both cross the ABI
//! as JSON, so fields are added with `#[serde(default)]` and never renamed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::param_spec::ParamSpec;
use crate::power_state::PowerAction;

/// An external program a driver runs (e.g. `ipmitool`), so the host can report what is missing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProgramRequirement {
    /// The executable name looked up on `PATH`.
    pub program: String,
    /// The Debian/Ubuntu package that ships it.
    #[serde(default)]
    pub debian_package: String,
    /// What the driver uses it for.
    #[serde(default)]
    pub purpose: String,
}

impl ProgramRequirement {
    /// A program with the package that provides it and what it is for.
    pub fn new(program: impl Into<String>, debian_package: impl Into<String>, purpose: impl Into<String>) -> Self {
        Self { program: program.into(), debian_package: debian_package.into(), purpose: purpose.into() }
    }
}

/// What one driver is and what it takes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DriverInfo {
    /// The driver's id: lowercase, stable forever (`dli`, `sm15k`, `wol`).
    pub name: String,
    /// One line for `drivers list`.
    pub description: String,
    /// The driver's own version (its crate version).
    pub version: String,
    /// The actions it supports.
    pub actions: Vec<PowerAction>,
    /// Whether `query` reads the real state from the device. When false, query (if offered)
    /// answers `unknown` and MAAS artifacts leave the type out of query lists.
    #[serde(default)]
    pub query_is_real: bool,
    /// Whether the device serves several machines (a PDU or chassis), as MAAS's `chassis`.
    #[serde(default)]
    pub chassis: bool,
    /// External programs the driver runs.
    #[serde(default)]
    pub programs: Vec<ProgramRequirement>,
    /// The parameters, in display order.
    pub params: Vec<ParamSpec>,
    /// Why each unsupported action is unsupported, in words the user can act on (e.g. for
    /// wake-on-LAN `off`: "no wake-on-LAN device can switch a machine off").
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub unsupported: BTreeMap<PowerAction, String>,
    /// Open-ended, namespaced extras (e.g. `maas.native_template`). Unknown keys are kept.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extras: BTreeMap<String, serde_json::Value>,
}

impl DriverInfo {
    /// A descriptor with a name, description and version; add actions and parameters with the
    /// builder methods.
    pub fn new(name: impl Into<String>, description: impl Into<String>, version: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            description: description.into(),
            version: version.into(),
            actions: Vec::new(),
            query_is_real: false,
            chassis: false,
            programs: Vec::new(),
            params: Vec::new(),
            unsupported: BTreeMap::new(),
            extras: BTreeMap::new(),
        }
    }

    /// Sets the supported actions.
    #[must_use]
    pub fn actions(mut self, actions: impl IntoIterator<Item = PowerAction>) -> Self {
        self.actions = actions.into_iter().collect();
        self
    }

    /// Declares that `query` reads the real state.
    #[must_use]
    pub fn real_query(mut self) -> Self {
        self.query_is_real = true;
        self
    }

    /// Declares a chassis or PDU.
    #[must_use]
    pub fn chassis(mut self) -> Self {
        self.chassis = true;
        self
    }

    /// Adds a program requirement.
    #[must_use]
    pub fn program(mut self, program: ProgramRequirement) -> Self {
        self.programs.push(program);
        self
    }

    /// Adds a parameter.
    #[must_use]
    pub fn param(mut self, spec: ParamSpec) -> Self {
        self.params.push(spec);
        self
    }

    /// Records why `action` is not supported.
    #[must_use]
    pub fn unsupported_because(mut self, action: PowerAction, reason: impl Into<String>) -> Self {
        self.unsupported.insert(action, reason.into());
        self
    }

    /// The message for a refused `action`: the driver's reason when it gave one.
    pub fn refusal(&self, action: PowerAction) -> String {
        let offered: Vec<&str> = self.actions.iter().map(|a| a.as_str()).collect();
        let mut msg = format!("driver `{}` does not support `{action}`", self.name);
        if let Some(reason) = self.unsupported.get(&action) {
            msg.push_str(": ");
            msg.push_str(reason);
        }
        msg.push_str(&format!(" (it supports: {})", offered.join(", ")));
        msg
    }

    /// Sets an extra value under a namespaced key.
    #[must_use]
    pub fn extra(mut self, key: impl Into<String>, value: serde_json::Value) -> Self {
        self.extras.insert(key.into(), value);
        self
    }

    /// Sets a text extra (e.g. `maas.native_template`).
    #[must_use]
    pub fn extra_text(self, key: impl Into<String>, text: &str) -> Self {
        self.extra(key, serde_json::Value::String(text.to_owned()))
    }

    /// Whether the driver supports `action`.
    pub fn supports(&self, action: PowerAction) -> bool {
        self.actions.contains(&action)
    }

    /// The parameter called `name`.
    pub fn param_spec(&self, name: &str) -> Option<&ParamSpec> {
        self.params.iter().find(|p| p.name == name)
    }

    /// Problems that make the descriptor unusable, in words (empty when valid): bad names,
    /// duplicate parameters, defaults that do not validate, a real query without `query`.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let ident = |s: &str| {
            !s.is_empty()
                && s.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
                && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        };
        if !ident(&self.name) {
            out.push(format!("driver name {:?} must be lowercase letters, digits and _", self.name));
        }
        if self.description.trim().is_empty() {
            out.push(format!("driver `{}` has no description", self.name));
        }
        if self.actions.is_empty() {
            out.push(format!("driver `{}` declares no actions", self.name));
        }
        if self.query_is_real && !self.supports(PowerAction::Query) {
            out.push(format!("driver `{}` says query is real but does not offer query", self.name));
        }
        for (i, p) in self.params.iter().enumerate() {
            if !ident(&p.name) {
                out.push(format!("parameter name {:?} must be lowercase letters, digits and _", p.name));
            }
            if self.params[..i].iter().any(|q| q.name == p.name) {
                out.push(format!("parameter `{}` is declared twice", p.name));
            }
            if p.label.trim().is_empty() {
                out.push(format!("parameter `{}` has no label", p.name));
            }
            if let Some(d) = &p.default {
                let one = BTreeMap::from([(p.name.clone(), d.clone())]);
                if let Err(e) = crate::params::Params::validate(std::slice::from_ref(p), &one) {
                    out.push(format!("default of `{}` does not validate: {e}", p.name));
                }
            }
        }
        out
    }
}

/// What a plugin library says about itself: the drivers it exports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PluginDescription {
    /// The plugin SDK version the library was built with.
    #[serde(default)]
    pub sdk_version: String,
    /// The power-core version the library was built with.
    #[serde(default)]
    pub core_version: String,
    /// The drivers, in registration order.
    pub drivers: Vec<DriverInfo>,
    /// Whether the library was built with `panic = "unwind"` (`None` from SDKs before 1.1).
    /// A plugin built with `panic = "abort"` would end the host on any panic, so hosts refuse
    /// it for actions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub panic_unwind: Option<bool>,
}

impl PluginDescription {
    /// A description of `drivers`, stamped with this power-core's version.
    pub fn new(sdk_version: impl Into<String>, drivers: Vec<DriverInfo>) -> Self {
        Self {
            sdk_version: sdk_version.into(),
            core_version: env!("CARGO_PKG_VERSION").to_owned(),
            drivers,
            panic_unwind: None,
        }
    }

    /// Records the library's panic strategy (the SDK passes `cfg!(panic = "unwind")`).
    #[must_use]
    pub fn with_panic_unwind(mut self, unwind: bool) -> Self {
        self.panic_unwind = Some(unwind);
        self
    }
}

/// The result of a successful driver call, as JSON across the ABI.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub struct CallOutcome {
    /// The state, for `query` (and, where the driver read it back, after a change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<crate::power_state::PowerState>,
    /// A note for the user (printed at `-v`), e.g. "wake-on-LAN packet sent 3 times".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl CallOutcome {
    /// An outcome reporting `state`.
    pub fn with_state(state: crate::power_state::PowerState) -> Self {
        Self { state: Some(state), note: None }
    }

    /// Adds a note.
    #[must_use]
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}
