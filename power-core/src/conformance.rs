//! The static conformance checks: what must hold for every driver a plugin describes (valid
//! descriptor, unique names, required parameters enforced, secrets never echoed by validation).
//! `powerplug plugin check` runs them on a built library; plugin-sdk's conformance kit runs them
//! and adds dynamic checks in each driver crate's tests. These checks do not call any driver.

use std::collections::BTreeMap;

use crate::driver_info::PluginDescription;
use crate::params::{ParamErrorKind, Params};

/// The outcome of one check.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Check {
    /// What was checked, e.g. `dli: descriptor valid`.
    pub name: String,
    /// Whether it held.
    pub passed: bool,
    /// Why not (empty when passed).
    pub detail: String,
}

impl Check {
    /// A check result; `problems` empty means passed.
    pub fn from_problems(name: impl Into<String>, problems: Vec<String>) -> Self {
        Self { name: name.into(), passed: problems.is_empty(), detail: problems.join("; ") }
    }
}

/// A value no driver should ever echo; used as every secret's value in the checks.
pub const SECRET_SENTINEL: &str = "S3NT1NEL-secret-value";

/// Runs the static checks on a plugin's description.
pub fn static_checks(desc: &PluginDescription) -> Vec<Check> {
    let mut out = Vec::new();
    let mut seen = BTreeMap::new();
    let dupes: Vec<String> = desc
        .drivers
        .iter()
        .filter_map(|d| seen.insert(d.name.as_str(), ()).map(|_| format!("driver `{}` is declared twice", d.name)))
        .collect();
    out.push(Check::from_problems("driver names unique", dupes));
    if desc.panic_unwind == Some(false) {
        out.push(Check::from_problems(
            "panics unwind",
            vec!["built with panic = \"abort\": a panic would kill the host; build with panic = \"unwind\"".to_owned()],
        ));
    }
    if desc.drivers.is_empty() {
        out.push(Check::from_problems("exports at least one driver", vec!["the plugin exports no driver".to_owned()]));
    }
    for d in &desc.drivers {
        out.push(Check::from_problems(format!("{}: descriptor valid", d.name), d.problems()));

        let missing = match Params::validate(&d.params, &BTreeMap::new()) {
            Ok(_) => Vec::new(),
            Err(e) => e
                .errors()
                .iter()
                .filter(|e| matches!(e.kind(), ParamErrorKind::Missing { .. }))
                .map(|e| e.param().to_owned())
                .collect(),
        };
        let want: Vec<String> =
            d.params.iter().filter(|p| p.required && p.default.is_none()).map(|p| p.name.clone()).collect();
        let problems = if missing == want {
            Vec::new()
        } else {
            vec![format!("validation reported missing {missing:?}, expected {want:?}")]
        };
        out.push(Check::from_problems(format!("{}: required parameters enforced", d.name), problems));

        let mut raw: BTreeMap<String, String> =
            d.params.iter().filter(|p| p.secret).map(|p| (p.name.clone(), SECRET_SENTINEL.to_owned())).collect();
        raw.insert("__not_a_parameter__".to_owned(), "x".to_owned());
        let mut problems = Vec::new();
        if let Err(e) = Params::validate(&d.params, &raw) {
            if e.to_string().contains(SECRET_SENTINEL) {
                problems.push("a validation error echoed a secret value".to_owned());
            }
        }
        for p in &d.params {
            let n = p.name.to_ascii_lowercase();
            let looks_secret = ["pass", "secret", "token", "key"].iter().any(|w| n.contains(w));
            if looks_secret && !p.secret && !n.contains("ssh_key_path") {
                problems.push(format!("parameter `{}` looks like a secret but is not marked secret", p.name));
            }
        }
        out.push(Check::from_problems(format!("{}: secrets never echoed", d.name), problems));

        let extra: Vec<String> = d
            .unsupported
            .keys()
            .filter(|a| d.supports(**a))
            .map(|a| format!("`{a}` is both supported and explained as unsupported"))
            .collect();
        out.push(Check::from_problems(format!("{}: actions consistent", d.name), extra));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DriverInfo, PowerAction};

    #[test]
    fn a_plugin_built_with_panic_abort_fails_a_check() {
        let d = DriverInfo::new("x", "X", "1").actions([PowerAction::On]);
        let desc = PluginDescription::new("1", vec![d]);
        let failing = |desc: &PluginDescription| static_checks(desc).iter().filter(|c| !c.passed).count();
        assert_eq!(failing(&desc), 0);
        assert_eq!(failing(&desc.clone().with_panic_unwind(true)), 0);
        let abort = desc.with_panic_unwind(false);
        let checks = static_checks(&abort);
        assert!(checks.iter().any(|c| !c.passed && c.name == "panics unwind"), "{checks:?}");
    }
}
