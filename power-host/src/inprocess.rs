//! Driver calls in this process, for the CLI's fleet runs: each call on tokio's blocking pool,
//! at most `jobs` at once, through the same device lock, deadline and instance cache as
//! `serve`'s workers. A stuck call keeps its thread until the process exits.

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use power_core::abi::LoadedModule;
use power_core::{DriverError, DriverInfo};
use tokio::sync::Semaphore;

use crate::instances::{Call, Instances};
use crate::registry::Registry;
use crate::scheduler::{CallSpec, Executor};

/// Runs calls on the loaded plugins of a registry.
pub struct InProcess {
    plugins: HashMap<PathBuf, (LoadedModule, Vec<DriverInfo>)>,
    instances: Instances,
    jobs: Semaphore,
}

impl InProcess {
    /// An executor over `registry`'s loaded plugins, running at most `jobs` calls at once.
    pub fn new(registry: &Registry, jobs: usize) -> Self {
        let mut plugins = HashMap::new();
        for d in registry.drivers() {
            if let Some(m) = d.plugin.module {
                let entry = plugins.entry(d.path().to_path_buf()).or_insert_with(|| (m, Vec::new()));
                entry.1.push(d.info.clone());
            }
        }
        Self { plugins, instances: Instances::default(), jobs: Semaphore::new(jobs.max(1)) }
    }

    fn blocking(&self, spec: &CallSpec) -> Result<String, DriverError> {
        let (module, infos) = self
            .plugins
            .get(&spec.plugin)
            .ok_or_else(|| DriverError::plugin_fault(format!("{} is not loaded", spec.plugin.display())))?;
        let call = Call {
            module: *module,
            info: infos.iter().find(|i| i.name == spec.driver),
            device: &spec.device_key,
            driver: &spec.driver,
            params: &spec.params_wire,
            op: &spec.op,
            deadline: spec.deadline,
        };
        self.instances.run(&call)
    }
}

impl Executor for InProcess {
    fn execute(self: Arc<Self>, spec: CallSpec) -> Pin<Box<dyn Future<Output = Result<String, DriverError>> + Send>> {
        Box::pin(async move {
            let _permit =
                self.jobs.acquire().await.map_err(|_| DriverError::plugin_fault("the call pool is closed"))?;
            let me = Arc::clone(&self);
            tokio::task::spawn_blocking(move || me.blocking(&spec))
                .await
                .unwrap_or_else(|_| Err(DriverError::plugin_fault("the call's thread ended abnormally")))
        })
    }
}
