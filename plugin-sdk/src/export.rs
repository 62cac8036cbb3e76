//! The export glue: the one root module and epoch symbol every plugin library built with the SDK
//! exports, and the `PluginExports` implementation that serves the library's registered drivers
//! over the ABI. Panics are caught in power-core's ABI shims; this file converts data only.

use power_core::abi::{self, InstanceCall, PluginExports, RootModuleRef};
use power_core::{DriverError, Params, PluginDescription};

use crate::registration::registrations;

struct SdkExports;

impl PluginExports for SdkExports {
    fn describe() -> Result<String, DriverError> {
        crate::logging::install();
        let mut drivers: Vec<_> = registrations().map(|r| (r.describe)()).collect();
        drivers.sort_by(|a, b| a.name.cmp(&b.name));
        // Evaluated where the SDK is compiled, i.e. with the plugin's own profile.
        let desc = PluginDescription::new(crate::SDK_VERSION, drivers).with_panic_unwind(cfg!(panic = "unwind"));
        serde_json::to_string(&desc)
            .map_err(|e| DriverError::plugin_fault(format!("could not encode the description: {e}")))
    }

    fn open(driver: &str, params_wire: &str) -> Result<Box<dyn InstanceCall>, DriverError> {
        crate::logging::install();
        let reg = registrations()
            .find(|r| (r.describe)().name == driver)
            .ok_or_else(|| DriverError::unsupported(format!("this plugin has no driver `{driver}`")))?;
        let info = (reg.describe)();
        let params = Params::from_wire(&info.params, params_wire)
            .map_err(|e| DriverError::invalid_parameter(format!("driver `{driver}`: {e}")))?;
        (reg.open)(&params)
    }
}

/// The plugin's root module, found by the host through the ABI library's header symbol.
#[abi::export_root_module]
#[allow(unreachable_pub)] // reached by symbol name from the host, not by Rust paths
pub fn powerplug_root_module() -> RootModuleRef {
    abi::module_for::<SdkExports>()
}

/// The plugin's ABI epoch as a plain C symbol, read by the host before any layout check.
#[no_mangle]
#[allow(unreachable_pub, non_upper_case_globals)] // a C symbol; its name is the contract
pub static powerplug_abi_epoch: u32 = abi::ABI_EPOCH;
