//! The `powerplug` binary: hands the arguments to `power_cli::run` and turns the outcome into
//! the process exit code. Everything else lives in the library half so tests can drive it.

use std::process::ExitCode;

fn main() -> ExitCode {
    match power_cli::run(std::env::args_os()) {
        Ok(code) => ExitCode::from(code),
        Err(err) => ExitCode::from(power_cli::report(&err)),
    }
}
