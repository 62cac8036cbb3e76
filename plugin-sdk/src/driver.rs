//! `Driver`: the plain-Rust trait a third party implements to add a power driver. No ABI type
//! is visible here; `export.rs` adapts implementations to the plugin ABI. The SDK refuses
//! actions the descriptor does not declare before any of these methods run.

use power_core::{CallOutcome, DriverError, DriverInfo, ParamKind, ParamSpec, Params, PowerAction, PowerState};

/// The standard parameter every driver with the SDK's `cycle` gets: how long a power cycle keeps
/// the machine off, in milliseconds (default 5000: a PC's power supply needs a few seconds).
pub const CYCLE_OFF_PARAM: &str = "cycle_off_ms";

/// The descriptor the SDK publishes for `D`: `D::describe()` plus the standard parameters.
pub(crate) fn describe<D: Driver>() -> DriverInfo {
    let info = D::describe();
    if D::OWN_CYCLE || !info.supports(PowerAction::Cycle) || info.param_spec(CYCLE_OFF_PARAM).is_some() {
        return info;
    }
    info.param(
        ParamSpec::new(CYCLE_OFF_PARAM, "Cycle: off time (ms)", ParamKind::integer(0, 600_000))
            .default_value("5000")
            .help("How long `cycle` keeps the machine off between off and on"),
    )
}

/// A power driver. One value is opened per device (per set of parameters) and may be called
/// from several threads, so methods take `&self`; use interior mutability for state.
pub trait Driver: Send + Sync + Sized + 'static {
    /// Whether [`Driver::cycle`] is the driver's own (the device cycles itself, or the driver
    /// times it). When `false` (the default) and the driver declares `cycle`, the SDK gives it
    /// the standard parameter [`CYCLE_OFF_PARAM`] and runs `cycle` as `off`, a wait of that many
    /// milliseconds (bounded by the action's deadline), then `on`.
    const OWN_CYCLE: bool = false;

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

    /// Cycles power, for drivers with [`Driver::OWN_CYCLE`]. (Otherwise the SDK runs `off`, waits
    /// [`CYCLE_OFF_PARAM`], then `on`.) The default is `off`, then `on`.
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
