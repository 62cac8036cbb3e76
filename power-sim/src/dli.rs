//! The DLI Web Power Switch simulator (placeholder until the DLI driver lands).

/// Arguments of `powerplug simulate dli`.
#[derive(Debug, clap::Args)]
pub struct DliArgs {}

/// Runs the simulator until interrupted.
pub fn run(_: &DliArgs, _events: &mut dyn FnMut(&str)) -> Result<(), crate::SimError> {
    Err(crate::SimError::io("the DLI simulator", std::io::Error::other("not built yet")))
}
