//! `powerplug power <action> <driver>`: finds the driver, refuses undeclared actions, gathers
//! and validates parameters, checks required programs, opens the driver and runs the action.
//! `query` prints exactly `on`, `off` or `unknown`; other actions print nothing on success.

use anyhow::Result;
use power_core::{CallOutcome, DriverError, Params, PowerAction, PowerplugExitCode, ProgramRequirement};

use crate::cli::{ActionArg, PowerArgs};
use crate::error::CliError;
use crate::host::registry::Registry;
use crate::{logging, output};

fn action(a: ActionArg) -> PowerAction {
    match a {
        ActionArg::On => PowerAction::On,
        ActionArg::Off => PowerAction::Off,
        ActionArg::Cycle => PowerAction::Cycle,
        ActionArg::Query => PowerAction::Query,
    }
}

/// The error for programs a driver needs that are missing.
pub(crate) fn missing_program_error(driver: &str, missing: &[&ProgramRequirement]) -> CliError {
    let list: Vec<String> = missing
        .iter()
        .map(|p| format!("`{}` (install the Debian package `{}`)", p.program, p.debian_package))
        .collect();
    DriverError::missing_program(format!("driver `{driver}` needs {}, not found on PATH", list.join(" and "))).into()
}

/// Runs the command.
pub(crate) fn run(reg: &Registry, args: &PowerArgs) -> Result<u8> {
    let act = action(args.action);
    let entry = reg.driver(&args.driver).ok_or_else(|| super::drivers::not_found(reg, &args.driver))?;
    let info = entry.info;
    if !info.supports(act) {
        return Err(CliError::from(DriverError::unsupported(info.refusal(act))).into());
    }
    let (raw, warnings) =
        crate::params_input::gather(info, &args.params, args.params_file.as_deref(), |k| std::env::var(k).ok())?;
    for p in info.params.iter().filter(|p| p.secret) {
        if let Some(v) = raw.get(&p.name) {
            logging::register_secret(v);
        }
    }
    for w in warnings {
        output::warning(&w);
    }
    let params =
        Params::validate(&info.params, &raw).map_err(|e| CliError::usage(format!("driver `{}`: {e}", info.name)))?;
    let missing = super::drivers::missing_programs(info);
    if !missing.is_empty() {
        return Err(missing_program_error(&info.name, &missing).into());
    }
    tracing::info!(driver = %info.name, plugin = %entry.path().display(), "running {act}");
    let driver = entry.open(&params).map_err(redacted)?;
    let reply = driver.call(act.as_str(), "{}").map_err(redacted)?;
    let outcome: CallOutcome = serde_json::from_str(&reply).map_err(|e| {
        CliError::new(PowerplugExitCode::PLUGIN_FAULT, format!("driver `{}` answered malformed JSON: {e}", info.name))
    })?;
    if let Some(note) = &outcome.note {
        tracing::info!("{}", logging::redact(note));
    }
    if act == PowerAction::Query {
        output::line(outcome.state.unwrap_or(power_core::PowerState::Unknown).as_str());
    }
    Ok(PowerplugExitCode::OK)
}

fn redacted(e: DriverError) -> CliError {
    CliError::new(e.kind().exit_code(), logging::redact(&e.to_string()))
}
