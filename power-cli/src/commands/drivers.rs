//! `powerplug drivers list` and `drivers show`: what the loaded plugins provide, as text tables
//! or JSON. Plugin problems are warnings here; `show` fails only when the driver is missing.

use anyhow::Result;
use power_core::{DriverInfo, PowerAction, PowerplugExitCode};
use serde_json::json;

use crate::error::CliError;
use crate::output;
use power_host::registry::{Problem, Registry};

fn warn_problems(problems: &[Problem]) {
    for p in problems {
        output::warning(&format!("skipped {}: {}", p.path.display(), p.message));
    }
}

fn actions_text(info: &DriverInfo) -> String {
    info.actions.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(",")
}

/// `drivers list`.
pub(crate) fn list(reg: &Registry, json: bool) -> Result<u8> {
    let drivers = reg.drivers();
    if json {
        let list: Vec<_> = drivers
            .iter()
            .map(|d| {
                json!({
                    "name": d.info.name,
                    "description": d.info.description,
                    "version": d.info.version,
                    "actions": d.info.actions,
                    "query_is_real": d.info.query_is_real,
                    "plugin": d.path(),
                })
            })
            .collect();
        output::json(&json!({ "drivers": list, "problems": reg.problems() }));
    } else {
        let mut rows = vec![vec!["DRIVER".into(), "ACTIONS".into(), "DESCRIPTION".into(), "PLUGIN".into()]];
        rows.extend(drivers.iter().map(|d| {
            vec![d.info.name.clone(), actions_text(d.info), d.info.description.clone(), d.path().display().to_string()]
        }));
        output::table(&rows);
        if drivers.is_empty() {
            output::warning("no drivers found; build the plugins (cargo build --workspace) or pass --plugin-dir");
        }
    }
    warn_problems(reg.problems());
    Ok(PowerplugExitCode::OK)
}

/// The error for a driver name no plugin provides.
pub(crate) fn not_found(reg: &Registry, name: &str) -> CliError {
    let known: Vec<String> = reg.drivers().iter().map(|d| d.info.name.clone()).collect();
    let mut msg = format!(
        "no driver `{name}`; available: {}",
        if known.is_empty() { "none".to_owned() } else { known.join(", ") }
    );
    if reg.problems().is_empty() {
        CliError::usage(msg)
    } else {
        msg.push_str(&format!("; {} plugin problem(s) may hide it:", reg.problems().len()));
        for p in reg.problems() {
            msg.push_str(&format!("\n  {}: {}", p.path.display(), p.message));
        }
        CliError::new(PowerplugExitCode::PLUGIN_LOAD_FAILED, msg)
    }
}

/// The programs `info` needs that are not on `PATH`.
pub(crate) fn missing_programs(info: &DriverInfo) -> Vec<&power_core::ProgramRequirement> {
    info.programs.iter().filter(|p| find_on_path(&p.program).is_none()).collect()
}

fn find_on_path(program: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path).map(|d| d.join(program)).find(|p| {
            use std::os::unix::fs::PermissionsExt;
            p.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
    })
}

/// `drivers show`.
pub(crate) fn show(reg: &Registry, name: &str, json: bool) -> Result<u8> {
    warn_problems(reg.problems());
    let d = reg.driver(name).ok_or_else(|| not_found(reg, name))?;
    let missing = missing_programs(d.info);
    if json {
        output::json(&json!({ "driver": d.info, "plugin": d.path(), "missing_programs": missing }));
        return Ok(PowerplugExitCode::OK);
    }
    let i = d.info;
    output::line(&format!("{} {} - {}", i.name, i.version, i.description));
    output::line(&format!("plugin:   {}", d.path().display()));
    let query = if !i.supports(PowerAction::Query) {
        ""
    } else if i.query_is_real {
        " (query reads the real state)"
    } else {
        " (query is not real: it always answers unknown)"
    };
    output::line(&format!("actions:  {}{query}", i.actions.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(", ")));
    for (a, why) in &i.unsupported {
        output::line(&format!("no {a}:   {why}"));
    }
    if i.chassis {
        output::line("device:   chassis/PDU (one device serves several machines)");
    }
    for p in &i.programs {
        let status = if missing.iter().any(|m| m.program == p.program) {
            format!("MISSING: install the Debian package `{}`", p.debian_package)
        } else {
            "installed".to_owned()
        };
        output::line(&format!("needs:    {} ({}) - {status}", p.program, p.purpose));
    }
    output::line("parameters:");
    let mut rows =
        vec![["NAME", "TYPE", "REQUIRED", "DEFAULT", "SCOPE", "SECRET", "DESCRIPTION"].map(String::from).to_vec()];
    for p in &i.params {
        let desc = if p.help.is_empty() { p.label.clone() } else { format!("{}: {}", p.label, p.help) };
        rows.push(vec![
            format!("  {}", p.name),
            p.kind.type_name().to_owned(),
            if p.required { "yes" } else { "no" }.to_owned(),
            p.default.clone().unwrap_or_else(|| "-".to_owned()),
            format!("{:?}", p.scope).to_lowercase(),
            if p.secret { "yes" } else { "no" }.to_owned(),
            format!("{desc} (expects {})", p.kind.expected()),
        ]);
    }
    rows[0][0] = "  NAME".to_owned();
    output::table(&rows);
    Ok(PowerplugExitCode::OK)
}
