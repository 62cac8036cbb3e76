//! A test plugin built "for another ABI epoch": it exports epoch 999 both as the C symbol and in
//! its root module, as a plugin from a future power-core would. It does not use plugin-sdk (whose
//! symbols would clash); it implements power-core's plugin-side traits directly. Never shipped.

use power_core::abi::{self, InstanceCall, PluginExports, RootModuleRef};
use power_core::DriverError;

struct Future;

impl PluginExports for Future {
    fn describe() -> Result<String, DriverError> {
        Ok(r#"{"drivers":[{"name":"future","description":"from the future","version":"9","actions":["on"],"params":[]}]}"#.to_owned())
    }

    fn open(_: &str, _: &str) -> Result<Box<dyn InstanceCall>, DriverError> {
        Err(DriverError::plugin_fault("not openable"))
    }
}

/// The root module, declaring epoch 999.
#[abi::export_root_module]
#[allow(unreachable_pub)]
pub fn root() -> RootModuleRef {
    abi::module_with_epoch::<Future>(999)
}

/// The epoch symbol the host reads first.
#[no_mangle]
#[allow(unreachable_pub, non_upper_case_globals)]
pub static powerplug_abi_epoch: u32 = 999;
