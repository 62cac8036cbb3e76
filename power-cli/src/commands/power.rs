//! `powerplug power <action> <driver>`: finds the driver, refuses undeclared actions, gathers
//! and validates parameters, checks required programs, opens the driver and runs the action.
//! `query` prints exactly `on`, `off` or `unknown`; other actions print nothing on success.

use anyhow::Result;
use power_core::{CallOutcome, DriverError, Params, PowerAction, PowerplugExitCode, ProgramRequirement};

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::cli::{ActionArg, PowerArgs};
use crate::error::CliError;
use crate::{logging, output};
use power_host::deadline;
use power_host::discover::Origin;
use power_host::instances::{Call, Instances};
use power_host::inventory::{self, RawInventory};
use power_host::registry::Registry;

/// How long past the deadline a driver may take to report that the deadline ran out (with the
/// step it stopped at) before the call is abandoned as hung.
const HANG_GRACE: Duration = Duration::from_millis(750);

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

/// Runs the command: the driver and parameters from the command line, or a node's from the
/// inventory; the call ends at the `--timeout` deadline.
pub(crate) fn run(search: &[(PathBuf, Origin)], inventory: Option<&Path>, args: &PowerArgs, quiet: bool) -> Result<u8> {
    let act = action(args.action);
    if let Some(sel) = super::fleet::selection(args) {
        return super::fleet::run(search, inventory, args, act, &sel, quiet);
    }
    let env = |k: &str| std::env::var(k).ok();
    let node = match args.nodes.first() {
        Some(name) => {
            let path = inventory::resolve_path(inventory, env);
            let raw = RawInventory::read(&path).map_err(|e| CliError::usage(e.to_string()))?;
            Some((raw, name.as_str()))
        }
        None => None,
    };
    let driver_name = match (&node, &args.driver) {
        (Some((raw, name)), _) => raw.driver_of(name).unwrap_or_default().to_owned(),
        (None, Some(d)) => d.clone(),
        (None, None) => return Err(CliError::usage("give a driver or --node NAME").into()),
    };
    let reg = Registry::load_for(search, &driver_name);
    for p in reg.problems().iter().filter(|p| p.message.ends_with(power_host::discover::UNSAFE)) {
        output::warning(&format!("{}: {}", p.path.display(), p.message));
    }
    crate::params_input::check_env_text(reg.driver(&driver_name).map(|e| e.info))?;
    let params = match &node {
        Some((raw, name)) => {
            let n =
                raw.node(name, |d| reg.driver(d).map(|e| e.info), env).map_err(|e| CliError::usage(e.to_string()))?;
            for s in &n.secrets {
                logging::register_secret(s);
            }
            n.params
        }
        None => {
            let entry = reg.driver(&driver_name).ok_or_else(|| super::drivers::not_found(&reg, &driver_name))?;
            let info = entry.info;
            let (raw, warnings) = crate::params_input::gather(info, &args.params, args.params_file.as_deref(), env)?;
            for p in info.params.iter().filter(|p| p.secret) {
                if let Some(v) = raw.get(&p.name) {
                    logging::register_secret(v);
                }
            }
            for w in warnings {
                output::warning(&w);
            }
            Params::validate(&info.params, &raw).map_err(|e| CliError::usage(format!("driver `{}`: {e}", info.name)))?
        }
    };
    let entry = reg.driver(&driver_name).ok_or_else(|| super::drivers::not_found(&reg, &driver_name))?;
    let info = entry.info;
    if !info.supports(act) {
        return Err(CliError::from(DriverError::unsupported(info.refusal(act))).into());
    }
    let missing = super::drivers::missing_programs(info);
    if !missing.is_empty() {
        return Err(missing_program_error(&info.name, &missing).into());
    }
    tracing::info!(driver = %info.name, plugin = %entry.path().display(), "running {act}");
    // One overall deadline for the wait for another process's call to the device and the call,
    // as serve's workers and fleet runs do (power_host::instances).
    let module =
        entry.plugin.module.ok_or_else(|| CliError::new(PowerplugExitCode::PLUGIN_LOAD_FAILED, "plugin not loaded"))?;
    let (owned, wire, budget) = (info.clone(), params.to_wire(), Duration::from_secs(args.timeout));
    let call = move || {
        let c = Call {
            module,
            info: Some(&owned),
            device: "",
            driver: &owned.name,
            params: &wire,
            op: act.as_str(),
            deadline: budget,
        };
        Instances::default().run(&c)
    };
    let reply = deadline::run_with_deadline(budget + HANG_GRACE, call).ok_or_else(|| {
        CliError::new(
            PowerplugExitCode::UNREACHABLE,
            format!("driver `{}` did not finish `{act}` within {} s (--timeout); giving up", info.name, args.timeout),
        )
    })?;
    let reply = reply.map_err(redacted)?;
    let outcome: CallOutcome = serde_json::from_str(&reply).map_err(|e| {
        CliError::new(PowerplugExitCode::PLUGIN_FAULT, format!("driver `{}` answered malformed JSON: {e}", info.name))
    })?;
    if let Some(note) = &outcome.note {
        tracing::info!("{}", logging::redact(note));
    }
    if act == PowerAction::Query {
        output::result_line(outcome.state.unwrap_or(power_core::PowerState::Unknown).as_str())
            .map_err(|e| CliError::new(PowerplugExitCode::FAILURE, format!("cannot write the state to stdout: {e}")))?;
    }
    Ok(PowerplugExitCode::OK)
}

fn redacted(e: DriverError) -> CliError {
    CliError::new(e.kind().exit_code(), logging::redact(&e.to_string()))
}
