//! The entry point: parses the command line, sets up logging, builds the plugin registry when a
//! command needs it and dispatches. [`report`] turns an error into the message and exit code
//! `main` uses (typed `CliError`s carry their code; anything else is `FAILURE`).

use std::ffi::OsString;

use anyhow::Result;
use clap::Parser;
use power_core::PowerplugExitCode;

use crate::cli::{Cli, Command, DriversCommand, InventoryCommand, PluginCommand, SimulateCommand};
use crate::commands;
use crate::error::CliError;
use crate::output;
use power_host::discover;
use power_host::registry::Registry;

/// Runs `powerplug` with `args` (the first is the program name); returns the exit code.
pub fn run<I, T>(args: I) -> Result<u8>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return Ok(if e.use_stderr() { PowerplugExitCode::USAGE } else { PowerplugExitCode::OK });
        }
    };
    if let Command::Worker { plugin } = &cli.command {
        // The worker forwards plugin logs over its protocol; it installs no subscriber.
        return commands::serve::worker(plugin, cli.verbose);
    }
    // serve logs one line per request at its default level.
    let boost = u8::from(matches!(cli.command, Command::Serve(_)));
    crate::logging::init(if cli.quiet { 0 } else { cli.verbose + boost }, cli.quiet);
    output::set_quiet(cli.quiet);
    let code = dispatch(&cli)?;
    match output::finish() {
        Some(e) => Err(CliError::new(PowerplugExitCode::FAILURE, format!("cannot write to stdout: {e}")).into()),
        None => Ok(code),
    }
}

fn dispatch(cli: &Cli) -> Result<u8> {
    let search = || discover::search_path(&cli.plugin_dirs, !cli.no_default_plugin_dirs);
    let registry = || Registry::load(&search());
    match &cli.command {
        Command::Drivers(DriversCommand::List { json }) => commands::drivers::list(&registry(), *json),
        Command::Drivers(DriversCommand::Show { driver, json }) => commands::drivers::show(&registry(), driver, *json),
        Command::Power(args) => commands::power::run(&search(), cli.inventory.as_deref(), args, cli.quiet),
        Command::Plugin(PluginCommand::Check { file }) => commands::plugin::check(file),
        Command::Plugin(PluginCommand::New { name, dir, sdk_path, core_path }) => {
            commands::plugin::new(name, dir.as_deref(), sdk_path.as_deref(), core_path.as_deref())
        }
        Command::Simulate(sim) => simulate(sim),
        Command::Maas(cmd) => commands::maas::run(&registry(), cli.inventory.as_deref(), cmd),
        Command::Inventory(InventoryCommand::Check { file, json }) => {
            commands::inventory::check(&registry(), file.as_deref().or(cli.inventory.as_deref()), *json)
        }
        Command::Serve(args) => commands::serve::run(&search(), cli.inventory.as_deref(), args, cli.verbose),
        Command::Completions { shell } => commands::docs::completions(*shell),
        Command::Man { dir } => commands::docs::man(dir.as_deref()),
        Command::Worker { .. } => Ok(PowerplugExitCode::FAILURE),
    }
}

fn simulate(sim: &SimulateCommand) -> Result<u8> {
    let mut events = |line: &str| output::line(line);
    match sim {
        SimulateCommand::Dli(a) => power_sim::dli::run(a, &mut events)?,
        SimulateCommand::Sm15k(a) => power_sim::sm15k::run(a, &mut events)?,
        SimulateCommand::Wol(a) => power_sim::wol::run(a, &mut events)?,
        SimulateCommand::Tasmota(a) => power_sim::tasmota::run(a, &mut events)?,
        SimulateCommand::Shelly(a) => power_sim::shelly::run(a, &mut events)?,
        SimulateCommand::Kasa(a) => power_sim::kasa::run(a, &mut events)?,
        SimulateCommand::Homeassistant(a) => power_sim::homeassistant::run(a, &mut events)?,
        SimulateCommand::Pdu(a) | SimulateCommand::Poe(a) if a.pass_persist => {
            // snmpd runs us as its pass_persist program: the protocol on stdin/stdout.
            let mut a = a.clone();
            if matches!(sim, SimulateCommand::Poe(_)) {
                a.model = power_sim::snmp::SnmpModel::Poe;
            }
            power_sim::snmp::pass_persist(&a, std::io::stdin().lock(), output::protocol_stdout())?;
        }
        SimulateCommand::Pdu(a) => power_sim::snmp::run(a, &mut events)?,
        SimulateCommand::Poe(a) => {
            let a = power_sim::snmp::SnmpArgs { model: power_sim::snmp::SnmpModel::Poe, ..a.clone() };
            power_sim::snmp::run(&a, &mut events)?;
        }
    }
    Ok(PowerplugExitCode::OK)
}

/// Prints `err` on stderr and returns its exit code.
pub fn report(err: &anyhow::Error) -> u8 {
    output::error(&format!("{err:#}"));
    err.chain().find_map(|e| e.downcast_ref::<CliError>()).map_or(PowerplugExitCode::FAILURE, CliError::exit_code)
}
