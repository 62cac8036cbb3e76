//! `Driver`: the plain-Rust trait a third party implements to add a power driver. No ABI type
//! is visible here; `export.rs` adapts implementations to the plugin ABI. The SDK refuses
//! actions the descriptor does not declare before any of these methods run.

use power_core::{CallOutcome, DriverError, DriverInfo, Params, PowerAction, PowerState};

/// A power driver. One value is opened per device (per set of parameters) and may be called
/// from several threads, so methods take `&self`; use interior mutability for state.
pub trait Driver: Send + Sync + Sized + 'static {
    /// The descriptor: name, actions, parameters. Called often; keep it cheap and pure.
    fn describe() -> DriverInfo;

    /// Opens the driver for one device. `params` is already validated against
    /// [`Driver::describe`]'s parameters (required present, defaults applied, values typed).
    fn open(params: &Params) -> Result<Self, DriverError>;

    /// Switches power on.
    fn on(&self) -> Result<CallOutcome, DriverError> {
        Err(DriverError::unsupported("this driver does not implement `on`"))
    }

    /// Switches power off.
    fn off(&self) -> Result<CallOutcome, DriverError> {
        Err(DriverError::unsupported("this driver does not implement `off`"))
    }

    /// Cycles power. The default is `off`, then `on`.
    fn cycle(&self) -> Result<CallOutcome, DriverError> {
        self.off()?;
        self.on()
    }

    /// Reports the power state. Drivers without a real query return [`PowerState::Unknown`].
    fn query(&self) -> Result<PowerState, DriverError> {
        Ok(PowerState::Unknown)
    }

    /// Runs `action` (the SDK calls this after checking the descriptor declares it).
    fn run(&self, action: PowerAction) -> Result<CallOutcome, DriverError> {
        match action {
            PowerAction::On => self.on(),
            PowerAction::Off => self.off(),
            PowerAction::Cycle => self.cycle(),
            PowerAction::Query => self.query().map(CallOutcome::with_state),
        }
    }
}
