//! `powerplug serve`: gathers the bridge's options (plugin files, inventory path, credentials,
//! deadlines, TLS) and hands them to `power_serve::run`; the hidden `__worker` command is the
//! process `serve` runs each plugin in.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use power_core::PowerplugExitCode;
use power_host::discover::{self, Origin};
use power_host::inventory;
use power_host::registry::Problem;
use power_serve::{ServeError, ServeOptions};

use crate::cli::ServeArgs;
use crate::error::CliError;
use crate::output;

/// Runs the bridge until SIGTERM/SIGINT.
pub(crate) fn run(search: &[(PathBuf, Origin)], inventory: Option<&Path>, args: &ServeArgs, verbose: u8) -> Result<u8> {
    let (files, dir_problems) = discover::plugin_files(search);
    let problems = dir_problems.into_iter().map(|p| Problem { path: p.path, message: p.message }).collect();
    let exe = std::env::current_exe()
        .map_err(|e| CliError::new(PowerplugExitCode::FAILURE, format!("cannot find powerplug itself: {e}")))?;
    let mut worker_args = vec![std::ffi::OsString::from("__worker")];
    for _ in 0..verbose {
        worker_args.push("-v".into());
    }
    let opts = ServeOptions {
        inventory: inventory::resolve_path(inventory, |k| std::env::var(k).ok()),
        listen: args.listen,
        token_file: args.token_file.clone(),
        basic_file: args.basic_file.clone(),
        env_token: std::env::var("POWERPLUG_SERVE_TOKEN").ok(),
        no_auth: args.no_auth,
        call_timeout: Duration::from_secs(args.call_timeout),
        grace: Duration::from_secs(args.grace),
        kill_stuck_after: (args.kill_stuck_after > 0).then(|| Duration::from_secs(args.kill_stuck_after)),
        tls: args.tls_cert.clone().zip(args.tls_key.clone()),
        plugins: (files, problems),
        worker: (exe, worker_args),
    };
    let mut ready = |l: &str| output::line(l);
    let mut warn = |w: &str| output::warning(w);
    power_serve::run(opts, &mut ready, &mut warn).map_err(|e| match e {
        ServeError::Config(m) | ServeError::Inventory(m) => CliError::usage(m),
        ServeError::Io(m) => CliError::new(PowerplugExitCode::FAILURE, m),
    })?;
    Ok(PowerplugExitCode::OK)
}

/// The worker process: serves one plugin's calls over stdin/stdout.
pub(crate) fn worker(plugin: &Path, verbose: u8) -> Result<u8> {
    Ok(power_host::worker::child::run(plugin, 2 + verbose))
}
