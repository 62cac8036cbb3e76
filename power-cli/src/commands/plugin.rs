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
    output::line(&format!("{} passed, {failed} failed", checks.len() + 2 - failed));
    Ok(if failed == 0 { PowerplugExitCode::OK } else { PowerplugExitCode::FAILURE })
}
