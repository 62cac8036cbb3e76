//! The conformance kit every driver crate runs in its own tests: power-core's static checks on
//! the driver's descriptor plus dynamic checks that open the driver through the same adapter the
//! ABI uses (undeclared actions refused cleanly, secrets never echoed in any error).
//! It panics with a readable report, so a driver test is one line; it never touches the network
//! itself: the caller supplies parameters that point at a local simulator or nowhere.

use std::collections::BTreeMap;

pub use power_core::conformance::{static_checks, Check, SECRET_SENTINEL};
use power_core::{DriverErrorKind, Params, PluginDescription, PowerAction};

use crate::driver::Driver;
use crate::registration::Registration;

/// All checks for driver `D`. `params` must validate; every secret parameter it does not set is
/// set to [`SECRET_SENTINEL`], and every action (declared or not) is run, so point the parameters
/// at something that fails fast (a closed loopback port) to check error texts. No secret value
/// used (the caller's or the sentinel) may appear in any error.
pub fn check_driver<D: Driver>(params: &[(&str, &str)]) -> Vec<Check> {
    let info = D::describe();
    let mut checks = static_checks(&PluginDescription::new(crate::SDK_VERSION, vec![info.clone()]));
    let mut raw: BTreeMap<String, String> = params.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    for p in info.params.iter().filter(|p| p.secret) {
        raw.entry(p.name.clone()).or_insert_with(|| SECRET_SENTINEL.to_owned());
    }
    let secrets: Vec<String> =
        info.params.iter().filter(|p| p.secret).filter_map(|p| raw.get(&p.name).cloned()).collect();
    let leaks = |text: &str| secrets.iter().any(|s| text.contains(s.as_str()));
    let validated = match Params::validate(&info.params, &raw) {
        Ok(p) => p,
        Err(e) => {
            checks.push(Check::from_problems(format!("{}: test parameters validate", info.name), vec![e.to_string()]));
            return checks;
        }
    };
    let inst = match (Registration::of::<D>().open)(&validated) {
        Ok(i) => i,
        Err(e) => {
            let mut problems = vec![format!("open failed: {e}")];
            if leaks(e.message()) {
                problems.push("open's error echoed a secret".to_owned());
            }
            checks.push(Check::from_problems(format!("{}: opens", info.name), problems));
            return checks;
        }
    };
    let mut refused = Vec::new();
    let mut echoed = Vec::new();
    for action in PowerAction::ALL {
        let result = inst.call(action.as_str(), "{}");
        if let Err(e) = &result {
            if leaks(e.message()) {
                echoed.push(format!("`{action}` error echoed a secret: {e}"));
            }
        }
        if !info.supports(action) {
            match result {
                Err(e) if e.kind() == DriverErrorKind::UnsupportedAction && e.message().contains(action.as_str()) => {}
                other => refused.push(format!("undeclared `{action}` was not refused cleanly: {other:?}")),
            }
        }
    }
    match inst.call("no_such_operation", "{}") {
        Err(e) if e.kind() == DriverErrorKind::UnsupportedAction => {}
        other => refused.push(format!("an unknown operation was not refused: {other:?}")),
    }
    checks.push(Check::from_problems(format!("{}: undeclared actions refused", info.name), refused));
    checks.push(Check::from_problems(format!("{}: secrets never echoed by actions", info.name), echoed));
    checks
}

/// Panics with a report listing every failed check (for driver tests).
#[track_caller]
pub fn assert_conforms<D: Driver>(params: &[(&str, &str)]) {
    let failed: Vec<String> = check_driver::<D>(params)
        .into_iter()
        .filter(|c| !c.passed)
        .map(|c| format!("{}: {}", c.name, c.detail))
        .collect();
    assert!(failed.is_empty(), "conformance failures:\n{}", failed.join("\n"));
}
