//! `powerplug completions <shell>` and `powerplug man [--dir DIR]`: shell completion scripts and
//! man pages generated from the clap definitions, so the Debian package and users get the same
//! files. `man` prints powerplug.1, or writes it and one page per subcommand to a directory.

use std::path::Path;

use anyhow::Result;
use clap::CommandFactory;
use power_core::PowerplugExitCode;

use crate::cli::Cli;
use crate::error::CliError;
use crate::output;

/// The completion script for `shell` on stdout.
pub(crate) fn completions(shell: clap_complete::Shell) -> Result<u8> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "powerplug", &mut out);
    output::raw(&String::from_utf8_lossy(&out));
    Ok(PowerplugExitCode::OK)
}

/// powerplug.1 on stdout, or every page written to `dir`.
pub(crate) fn man(dir: Option<&Path>) -> Result<u8> {
    let cmd = Cli::command();
    let Some(dir) = dir else {
        let mut out = Vec::new();
        clap_mangen::Man::new(cmd)
            .render(&mut out)
            .map_err(|e| CliError::new(PowerplugExitCode::FAILURE, e.to_string()))?;
        output::raw(&String::from_utf8_lossy(&out));
        return Ok(PowerplugExitCode::OK);
    };
    std::fs::create_dir_all(dir).map_err(|e| CliError::usage(format!("cannot create --dir {}: {e}", dir.display())))?;
    clap_mangen::generate_to(cmd, dir).map_err(|e| {
        CliError::new(PowerplugExitCode::FAILURE, format!("cannot write man pages to {}: {e}", dir.display()))
    })?;
    Ok(PowerplugExitCode::OK)
}
