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

/// `plugin new NAME`: writes the crate and says what to run next.
pub(crate) fn new(name: &str, dir: Option<&Path>, sdk: Option<&Path>, core: Option<&Path>) -> Result<u8> {
    if !crate::scaffold::valid_name(name) {
        return Err(CliError::usage(format!(
            "driver name {name:?}: expected lowercase letters, digits and _, starting with a letter (at most 31)"
        ))
        .into());
    }
    let dir = dir.map_or_else(|| std::path::PathBuf::from(format!("powerplug-{name}")), Path::to_path_buf);
    let absolute = |p: Option<&Path>, flag: &str| -> Result<Option<std::path::PathBuf>, CliError> {
        p.map(|p| std::fs::canonicalize(p).map_err(|e| CliError::usage(format!("{flag} {}: {e}", p.display()))))
            .transpose()
    };
    let (sdk, core) = (absolute(sdk, "--sdk-path")?, absolute(core, "--core-path")?);
    let from = crate::scaffold::Sdk { sdk: sdk.as_deref(), core: core.as_deref() };
    let lines = crate::scaffold::write(&dir, name, from).map_err(CliError::usage)?;
    output::line(&format!("wrote {} ({lines} lines): driver `{name}`", dir.display()));
    output::line(&format!("next: cd {} && cargo test && cargo build --release", dir.display()));
    output::line(&format!("then: powerplug plugin check target/release/libpowerplug_{name}.so"));
    Ok(PowerplugExitCode::OK)
}
