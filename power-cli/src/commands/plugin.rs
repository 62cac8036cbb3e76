//! `powerplug plugin check <FILE>`: loads one plugin file the way the host does and runs
//! power-core's static conformance checks on its description, printing each result.
//! Exit: 0 all passed, `PLUGIN_LOAD_FAILED` when it does not load, `FAILURE` when a check fails.

use std::path::Path;

use anyhow::Result;
use power_core::conformance::static_checks;
use power_core::PowerplugExitCode;

use crate::error::CliError;
use crate::output;
use power_host::load;

/// Runs the command.
pub(crate) fn check(file: &Path) -> Result<u8> {
    let plugin = load::load(file).map_err(|e| CliError::new(PowerplugExitCode::PLUGIN_LOAD_FAILED, e.to_string()))?;
    output::line(&format!(
        "PASS  loads: {} (ABI epoch {})",
        file.display(),
        plugin.module.map_or(0, |m| m.abi_epoch())
    ));
    let names: Vec<&str> = plugin.description.drivers.iter().map(|d| d.name.as_str()).collect();
    output::line(&format!(
        "PASS  describes {} driver(s): {} (plugin-sdk {}, power-core {})",
        names.len(),
        names.join(", "),
        plugin.description.sdk_version,
        plugin.description.core_version
    ));
    let checks = static_checks(&plugin.description);
    let failed = checks.iter().filter(|c| !c.passed).count();
    for c in &checks {
        if c.passed {
            output::line(&format!("PASS  {}", c.name));
        } else {
            output::line(&format!("FAIL  {}: {}", c.name, c.detail));
        }
    }
    for w in warnings(&plugin.description) {
        output::line(&format!("WARN  {w}"));
    }
    output::line(&format!("{} passed, {failed} failed", checks.len() + 2 - failed));
    Ok(if failed == 0 { PowerplugExitCode::OK } else { PowerplugExitCode::FAILURE })
}

/// What is legal but likely a mistake: a MAAS type name too long for MAAS's column, a
/// parameter named like one MAAS reserves, a secret-looking parameter not marked secret.
fn warnings(desc: &power_core::PluginDescription) -> Vec<String> {
    let mut out = Vec::new();
    for d in &desc.drivers {
        if let Err(e) = crate::maas::naming::TypeName::choose(&d.name, None) {
            out.push(format!("{}: {e}", d.name));
        }
        for p in &d.params {
            if ["system_id", "power_type", "power_parameters"].contains(&p.name.as_str()) {
                out.push(format!(
                    "{}: parameter `{}` is a name MAAS reserves; MAAS forms will call it pp_{}",
                    d.name, p.name, p.name
                ));
            }
            let n = p.name.to_ascii_lowercase();
            let looks_secret = ["pass", "secret", "token", "community", "apikey", "api_key", "private_key"]
                .iter()
                .any(|w| n.contains(w));
            if looks_secret && !p.secret {
                out.push(format!(
                    "{}: parameter `{}` looks like a secret but is not marked secret (ParamSpec::secret)",
                    d.name, p.name
                ));
            }
        }
    }
    out
}
