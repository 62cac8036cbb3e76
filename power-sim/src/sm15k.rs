//! The SeaMicro SM15000 BMC simulator (placeholder until the sm15k driver lands).

/// Arguments of `powerplug simulate sm15k`.
#[derive(Debug, clap::Args)]
pub struct Sm15kArgs {}

/// Runs the simulator until interrupted.
pub fn run(_: &Sm15kArgs, _events: &mut dyn FnMut(&str)) -> Result<(), crate::SimError> {
    Err(crate::SimError::io("the SM15000 simulator", std::io::Error::other("not built yet")))
}
