//! The plugin ABI: the only file in the workspace that names `abi_stable`. Frozen at epoch 1.
//!
//! The surface is deliberately tiny: a root module with an epoch number, `describe` and `open`,
//! one trait method `call`, and a `HostServices` struct (a log callback and one generic
//! `host_call`). Everything that may evolve (descriptors, parameters, operations, results)
//! travels as JSON strings, so power-core can grow without breaking built plugins. Adding a
//! field to any struct here or a method to the trait would make every older plugin fail
//! abi_stable's layout check: that is an epoch bump (see the crate's Stability section).
//!
//! Both halves of the boundary live here so that neither the host nor the SDK names an
//! abi_stable type: the host uses [`load_module`] / [`LoadedModule`] / [`OpenDriver`]; the SDK
//! implements [`PluginExports`] and [`InstanceCall`] and exports [`module_for`] with
//! [`export_root_module`]. Every plugin-side entry point catches panics and returns them as
//! plugin faults, because a panic crossing the boundary would end the host process.
#![allow(non_camel_case_types, non_local_definitions)] // abi_stable's generated `*_Ref`/`*_TO` items

use std::any::Any;
use std::cell::RefCell;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::{Once, OnceLock};

use abi_stable::library::{lib_header_from_path, LibraryError, RootModule, RootModuleError};
use abi_stable::prefix_type::PrefixTypeTrait;
use abi_stable::sabi_trait;
use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::sabi_types::VersionStrings;
use abi_stable::std_types::{RBox, RErr, ROk, RResult, RStr, RString};
use abi_stable::StableAbi;

use crate::driver_error::{DriverError, DriverErrorKind};
use crate::log_level::LogLevel;

/// Re-exported so the SDK can export its root module without naming abi_stable itself.
pub use abi_stable::export_root_module;

/// The plugin ABI epoch. It changes only on a deliberate break of this file's layout, and it
/// is power-core's major version.
pub const ABI_EPOCH: u32 = 1;

/// The name of the plain C symbol (`static u32`) every plugin exports with its epoch, so the
/// host can refuse a plugin of another epoch before any layout check, whatever its layout.
pub const EPOCH_SYMBOL: &str = "powerplug_abi_epoch";

/// Why a call failed, as it crosses the boundary. An open set: new kinds are new constants,
/// never enum variants; an unknown code is read as a plugin fault.
#[repr(transparent)]
#[derive(StableAbi, Clone, Copy, PartialEq, Eq, Debug)]
pub struct ErrorCode(pub u8);

impl ErrorCode {
    const TABLE: [(u8, DriverErrorKind); 7] = [
        (1, DriverErrorKind::InvalidParameter),
        (2, DriverErrorKind::UnsupportedAction),
        (3, DriverErrorKind::Unreachable),
        (4, DriverErrorKind::Authentication),
        (5, DriverErrorKind::Device),
        (6, DriverErrorKind::MissingProgram),
        (7, DriverErrorKind::PluginFault),
    ];

    fn from_kind(kind: DriverErrorKind) -> Self {
        Self(Self::TABLE.iter().find(|(_, k)| *k == kind).map_or(7, |(c, _)| *c))
    }

    fn kind(self) -> DriverErrorKind {
        Self::TABLE.iter().find(|(c, _)| *c == self.0).map_or(DriverErrorKind::PluginFault, |(_, k)| *k)
    }
}

/// A failed call: a code and a message.
#[repr(C)]
#[derive(StableAbi)]
pub struct AbiError {
    code: ErrorCode,
    message: RString,
}

impl From<DriverError> for AbiError {
    fn from(e: DriverError) -> Self {
        Self { code: ErrorCode::from_kind(e.kind()), message: e.message().into() }
    }
}

impl From<AbiError> for DriverError {
    fn from(e: AbiError) -> Self {
        DriverError::new(e.code.kind(), e.message.into_string())
    }
}

/// What the host offers a plugin. Frozen: new services are new `host_call` names.
#[repr(C)]
#[derive(StableAbi, Clone, Copy)]
pub struct HostServices {
    /// Emits a log record: level (1 error .. 5 trace), target, message.
    log: extern "C" fn(level: u8, target: RStr<'_>, message: RStr<'_>),
    /// A generic service call: a name and a JSON argument; answers JSON (`null` when the
    /// host does not know the name).
    host_call: extern "C" fn(name: RStr<'_>, json: RStr<'_>) -> RString,
}

/// One opened driver instance. `Send + Sync`: a host may call it from several threads.
#[sabi_trait]
pub trait DriverInstance: Send + Sync {
    /// Runs operation `op` (`on`, `off`, `cycle`, `query`, or a later JSON-advertised name)
    /// with JSON arguments; answers JSON.
    #[sabi(last_prefix_field)]
    fn call(&self, op: RStr<'_>, args_json: RStr<'_>) -> RResult<RString, AbiError>;
}

type DriverBox = DriverInstance_TO<'static, RBox<()>>;

/// The root module every plugin exports.
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = PluginModule_Ref)))]
#[sabi(missing_field(panic))]
pub struct PluginModule {
    /// The plugin's ABI epoch (also exported as [`EPOCH_SYMBOL`]).
    abi_epoch: u32,
    /// Describes the library's drivers as a JSON `PluginDescription`.
    describe: extern "C" fn(host: HostServices) -> RResult<RString, AbiError>,
    /// Opens driver `driver` with parameters in the wire form of `Params::to_wire`.
    #[sabi(last_prefix_field)]
    open: extern "C" fn(host: HostServices, driver: RStr<'_>, params_json: RStr<'_>) -> RResult<DriverBox, AbiError>,
}

impl RootModule for PluginModule_Ref {
    abi_stable::declare_root_module_statics! {PluginModule_Ref}
    const BASE_NAME: &'static str = "powerplug_plugin";
    const NAME: &'static str = "powerplug plugin";
    // The epoch, not the package version: minor releases of power-core keep loading plugins.
    const VERSION_STRINGS: VersionStrings = VersionStrings::new("1.0.0");
}

// ---------------------------------------------------------------------------------------------
// Host side

/// Why a library could not be used as a plugin (after the host's own epoch check).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModuleLoadError {
    /// The library has no powerplug root module.
    #[error("it is a shared library but exports no powerplug root module")]
    NotAPlugin,
    /// The layout or version check failed.
    #[error(
        "it was built against an incompatible power-core ({detail}); rebuild it against power-core {}.x",
        ABI_EPOCH
    )]
    Incompatible {
        /// abi_stable's explanation, shortened.
        detail: String,
    },
    /// The plugin's module constructor panicked.
    #[error("it panicked while initialising")]
    InitPanicked,
    /// Anything else abi_stable reported.
    #[error("{0}")]
    Other(String),
}

/// A plugin's root module, checked and ready.
#[derive(Clone, Copy)]
pub struct LoadedModule {
    module: PluginModule_Ref,
}

/// Checks the library at `path` (abi_stable header, version, recursive layout) and returns its
/// root module. Never caches: each path gets its own module (unlike `RootModule::load_from_file`).
/// The library is never unloaded.
pub fn load_module(path: &Path) -> Result<LoadedModule, ModuleLoadError> {
    let map = |e: LibraryError| match e {
        LibraryError::GetSymbolError { .. } => ModuleLoadError::NotAPlugin,
        LibraryError::RootModule { err: RootModuleError::Unwound, .. } => ModuleLoadError::InitPanicked,
        LibraryError::AbiInstability(_)
        | LibraryError::IncompatibleVersionNumber { .. }
        | LibraryError::InvalidAbiHeader(_) => {
            let text = e.to_string();
            let detail = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("layout mismatch").trim();
            ModuleLoadError::Incompatible { detail: detail.chars().take(200).collect() }
        }
        other => ModuleLoadError::Other(other.to_string().lines().next().unwrap_or("").to_owned()),
    };
    let header = lib_header_from_path(path).map_err(map)?;
    let module = header.init_root_module::<PluginModule_Ref>().map_err(map)?;
    Ok(LoadedModule { module })
}

static HOST_LOGGER: OnceLock<fn(LogLevel, &str, &str)> = OnceLock::new();

extern "C" fn host_log_shim(level: u8, target: RStr<'_>, message: RStr<'_>) {
    let _ = catch_unwind(|| {
        if let Some(f) = HOST_LOGGER.get() {
            f(LogLevel::from_u8(level), target.as_str(), message.as_str());
        }
    });
}

static HOST_MAX_LEVEL: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(LogLevel::Trace as u8);

/// The `host_call` services this host answers: `log.max_level` (the most verbose level the
/// host shows, 1 error … 5 trace, so plugins skip formatting records nobody reads).
extern "C" fn host_call_shim(name: RStr<'_>, _json: RStr<'_>) -> RString {
    match name.as_str() {
        "log.max_level" => RString::from(HOST_MAX_LEVEL.load(std::sync::atomic::Ordering::Relaxed).to_string()),
        _ => RString::from("null"),
    }
}

/// Sets the most verbose level this host shows (answered to plugins as `log.max_level`).
pub fn set_host_max_level(level: LogLevel) {
    HOST_MAX_LEVEL.store(level as u8, std::sync::atomic::Ordering::Relaxed);
}

/// Sets the function that receives plugins' log records (once per host process).
pub fn set_host_logger(f: fn(LogLevel, &str, &str)) {
    let _ = HOST_LOGGER.set(f);
}

fn host_services() -> HostServices {
    HostServices { log: host_log_shim, host_call: host_call_shim }
}

impl LoadedModule {
    /// The epoch the plugin's root module declares.
    pub fn abi_epoch(&self) -> u32 {
        self.module.abi_epoch()
    }

    /// The plugin's `PluginDescription` as JSON.
    pub fn describe(&self) -> Result<String, DriverError> {
        match (self.module.describe())(host_services()) {
            ROk(s) => Ok(s.into_string()),
            RErr(e) => Err(e.into()),
        }
    }

    /// Opens `driver` with the wire-form parameters.
    pub fn open(&self, driver: &str, params_wire: &str) -> Result<OpenDriver, DriverError> {
        match (self.module.open())(host_services(), driver.into(), params_wire.into()) {
            ROk(b) => Ok(OpenDriver { inner: b }),
            RErr(e) => Err(e.into()),
        }
    }
}

/// An opened driver instance in the host. `Send + Sync`.
pub struct OpenDriver {
    inner: DriverBox,
}

impl OpenDriver {
    /// Runs `op` with JSON arguments; answers JSON.
    pub fn call(&self, op: &str, args_json: &str) -> Result<String, DriverError> {
        match self.inner.call(op.into(), args_json.into()) {
            ROk(s) => Ok(s.into_string()),
            RErr(e) => Err(e.into()),
        }
    }
}

impl fmt::Debug for OpenDriver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OpenDriver")
    }
}

// ---------------------------------------------------------------------------------------------
// Plugin side

/// What a plugin library implements (the SDK does, once for all its drivers).
pub trait PluginExports: 'static {
    /// The library's `PluginDescription` as JSON.
    fn describe() -> Result<String, DriverError>;
    /// Opens `driver` with wire-form parameters.
    fn open(driver: &str, params_wire: &str) -> Result<Box<dyn InstanceCall>, DriverError>;
}

/// An opened driver inside a plugin.
pub trait InstanceCall: Send + Sync + 'static {
    /// Runs `op` with JSON arguments; answers JSON.
    fn call(&self, op: &str, args_json: &str) -> Result<String, DriverError>;
}

struct Instance(Box<dyn InstanceCall>);

impl DriverInstance for Instance {
    fn call(&self, op: RStr<'_>, args_json: RStr<'_>) -> RResult<RString, AbiError> {
        guard(&format!("operation `{}`", op.as_str()), || self.0.call(op.as_str(), args_json.as_str()))
            .map(RString::from)
            .into()
    }
}

static PLUGIN_HOST: OnceLock<HostServices> = OnceLock::new();

thread_local! {
    static PANIC_PLACE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs (once) a panic hook in the plugin's own std that records where a panic happened
/// and sends it to the host log instead of printing to the terminal.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let place = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
            PANIC_PLACE.with(|p| *p.borrow_mut() = Some(place));
        }));
    });
}

fn panic_text(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a non-text panic payload".to_owned())
}

/// Runs `f`, turning a panic into a plugin fault that says where and what.
fn guard<T>(what: &str, f: impl FnOnce() -> Result<T, DriverError>) -> Result<T, AbiError> {
    install_panic_hook();
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r.map_err(AbiError::from),
        Err(payload) => {
            let place = PANIC_PLACE.with(|p| p.borrow_mut().take()).unwrap_or_default();
            let msg = format!("the plugin panicked in {what} at {place}: {}", panic_text(payload.as_ref()));
            plugin_log(LogLevel::Error, "powerplug::plugin", &msg);
            Err(DriverError::plugin_fault(msg).into())
        }
    }
}

extern "C" fn describe_shim<E: PluginExports>(host: HostServices) -> RResult<RString, AbiError> {
    let _ = PLUGIN_HOST.set(host);
    guard("describe", E::describe).map(RString::from).into()
}

extern "C" fn open_shim<E: PluginExports>(
    host: HostServices,
    driver: RStr<'_>,
    params: RStr<'_>,
) -> RResult<DriverBox, AbiError> {
    let _ = PLUGIN_HOST.set(host);
    guard(&format!("opening driver `{}`", driver.as_str()), || E::open(driver.as_str(), params.as_str()))
        .map(|inst| DriverInstance_TO::from_value(Instance(inst), TD_Opaque))
        .into()
}

/// The root module for a plugin whose exports are `E`. The SDK returns this from its
/// `#[export_root_module]` function.
pub fn module_for<E: PluginExports>() -> PluginModule_Ref {
    PluginModule { abi_epoch: ABI_EPOCH, describe: describe_shim::<E>, open: open_shim::<E> }.leak_into_prefix()
}

/// A root module that declares `epoch` instead of [`ABI_EPOCH`]. Only for tests of the host's
/// epoch check; a real plugin never calls it.
#[doc(hidden)]
pub fn module_with_epoch<E: PluginExports>(epoch: u32) -> PluginModule_Ref {
    PluginModule { abi_epoch: epoch, describe: describe_shim::<E>, open: open_shim::<E> }.leak_into_prefix()
}

/// The type the SDK's `#[export_root_module]` function returns.
pub type RootModuleRef = PluginModule_Ref;

/// Calls the host's service `name` from inside a plugin; `None` before the host has called the
/// plugin once, or when the host does not know the service (it answers `null`).
pub fn host_call(name: &str, json: &str) -> Option<String> {
    let h = PLUGIN_HOST.get()?;
    let answer = (h.host_call)(name.into(), json.into()).into_string();
    (answer != "null").then_some(answer)
}

/// Sends a log record from inside a plugin to the host (dropped before the host has called
/// the plugin once).
pub fn plugin_log(level: LogLevel, target: &str, message: &str) {
    if let Some(h) = PLUGIN_HOST.get() {
        (h.log)(level as u8, target.into(), message.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_strings_follow_the_epoch() {
        let v = PluginModule_Ref::VERSION_STRINGS.parsed().unwrap();
        assert_eq!(v.major, ABI_EPOCH);
        assert_eq!(env!("CARGO_PKG_VERSION_MAJOR").parse::<u32>().unwrap(), ABI_EPOCH);
    }

    #[test]
    fn error_codes_round_trip_every_kind() {
        for k in DriverErrorKind::ALL {
            assert_eq!(ErrorCode::from_kind(k).kind(), k);
        }
        assert_eq!(ErrorCode(200).kind(), DriverErrorKind::PluginFault);
    }
}
