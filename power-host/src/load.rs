//! Opening one plugin library: libloading first (so "not a shared library" and "a library
//! without powerplug's epoch symbol" get their own messages), then the epoch check, then
//! power-core's ABI check and `describe`. Every failure is a `LoadError` naming the file and
//! what the user can do. Libraries are never unloaded.

use std::path::{Path, PathBuf};

use power_core::abi::{self, LoadedModule, ModuleLoadError};
use power_core::PluginDescription;

/// A plugin that loaded and described itself.
pub struct LoadedPlugin {
    pub path: PathBuf,
    /// The checked root module; `None` when the description came from a worker process.
    pub module: Option<LoadedModule>,
    pub description: PluginDescription,
}

/// Why a plugin file was skipped.
#[derive(Debug, thiserror::Error)]
#[error("{}: {reason}", path.display())]
pub struct LoadError {
    pub path: PathBuf,
    pub reason: String,
}

/// Opens, checks and describes the plugin at `path`.
pub fn load(path: &Path) -> Result<LoadedPlugin, LoadError> {
    let fail = |reason: String| LoadError { path: path.to_path_buf(), reason };
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => {}
        Ok(_) => return Err(fail("not a regular file (opening a FIFO or device would hang)".to_owned())),
        Err(e) => return Err(fail(format!("cannot open it: {e}"))),
    }
    // SAFETY: opening a library runs its initialisers. We only open files the user put on the
    // plugin search path (or named), as documented; the library is kept loaded for the life of
    // the process (leaked below), so no symbol outlives it.
    let lib = unsafe { libloading::Library::new(path) }
        .map_err(|e| fail(format!("not a loadable shared library ({})", short(&e.to_string()))))?;
    // SAFETY: the symbol is declared by the plugin SDK as `static u32`; we read it as such
    // while `lib` is alive.
    let epoch = unsafe { lib.get::<*const u32>(abi::EPOCH_SYMBOL.as_bytes()) }
        .map(|sym| {
            // SAFETY: a non-null pointer to the plugin's `static u32`.
            unsafe { **sym }
        })
        .map_err(|_| {
            fail(format!(
                "a shared library, but not a powerplug plugin (it has no `{}` symbol); build it with plugin-sdk's export_driver!",
                abi::EPOCH_SYMBOL
            ))
        })?;
    std::mem::forget(lib);
    if epoch != abi::ABI_EPOCH {
        return Err(fail(format!(
            "built for powerplug plugin ABI epoch {epoch}, but this powerplug speaks epoch {}: rebuild the plugin against power-core {}.x",
            abi::ABI_EPOCH,
            abi::ABI_EPOCH
        )));
    }
    let module = abi::load_module(path).map_err(|e| match e {
        ModuleLoadError::InitPanicked => {
            fail("the plugin panicked while initialising; report it to its author".to_owned())
        }
        other => fail(other.to_string()),
    })?;
    let json = module.describe().map_err(|e| fail(format!("describing its drivers failed: {}", e.message())))?;
    let description: PluginDescription = serde_json::from_str(&json)
        .map_err(|e| fail(format!("its driver description is not valid JSON for this powerplug: {e}")))?;
    if description.panic_unwind == Some(false) {
        return Err(fail(
            "built with panic = \"abort\": any panic in it would kill powerplug; rebuild it with panic = \"unwind\" (the default)"
                .to_owned(),
        ));
    }
    Ok(LoadedPlugin { path: path.to_path_buf(), module: Some(module), description })
}

fn short(s: &str) -> String {
    s.lines().next().unwrap_or(s).chars().take(240).collect()
}
