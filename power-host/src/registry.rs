//! The driver registry: loads every plugin on the search path, records the drivers they provide
//! (first on the path wins a name) and every problem met on the way, and opens a driver by name.
//! Problems are warnings: a broken plugin only fails the commands that need it.

use std::path::{Path, PathBuf};

use power_core::abi::OpenDriver;
use power_core::{DriverError, DriverInfo, Params};

use crate::discover::{self, Origin};
use crate::load::{self, LoadedPlugin};

/// Something wrong with one plugin file or directory (never fatal on its own).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Problem {
    pub path: PathBuf,
    pub message: String,
}

/// A driver and the plugin that provides it.
pub struct DriverEntry<'a> {
    pub info: &'a DriverInfo,
    pub plugin: &'a LoadedPlugin,
}

/// Every loaded plugin and problem.
pub struct Registry {
    plugins: Vec<LoadedPlugin>,
    problems: Vec<Problem>,
}

impl Registry {
    /// Loads the plugins on the search path.
    pub fn load(search: &[(PathBuf, Origin)]) -> Self {
        let (files, dir_problems) = discover::plugin_files(search);
        let mut problems: Vec<Problem> =
            dir_problems.into_iter().map(|p| Problem { path: p.path, message: p.message }).collect();
        let mut plugins: Vec<LoadedPlugin> = Vec::new();
        for f in files {
            tracing::debug!(plugin = %f.display(), "loading plugin");
            match load::load(&f) {
                Ok(p) => plugins.push(p),
                Err(e) => problems.push(Problem { path: e.path, message: e.reason }),
            }
        }
        let mut reg = Self { plugins, problems };
        reg.note_duplicates();
        reg
    }

    /// For one driver: a plugin file named after it (`libpowerplug_<driver>.so`, the first such
    /// on the path) is loaded alone and used if it provides the driver, sparing the other
    /// plugins' load time; otherwise every plugin is loaded as by [`Registry::load`].
    pub fn load_for(search: &[(PathBuf, Origin)], driver: &str) -> Self {
        let (files, dir_problems) = discover::plugin_files(search);
        let wanted = format!("{}powerplug_{driver}{}", std::env::consts::DLL_PREFIX, std::env::consts::DLL_SUFFIX);
        if let Some(f) = files.iter().find(|f| f.file_name().is_some_and(|n| n == wanted.as_str())) {
            if let Ok(p) = load::load(f) {
                if p.description.drivers.iter().any(|d| d.name == driver) {
                    tracing::debug!(plugin = %f.display(), "plugin named after the driver provides it");
                    let problems =
                        dir_problems.into_iter().map(|d| Problem { path: d.path, message: d.message }).collect();
                    return Self { plugins: vec![p], problems };
                }
            }
        }
        Self::load(search)
    }

    /// A registry over plugins described elsewhere (by worker processes), in search-path order.
    pub fn from_described(plugins: Vec<LoadedPlugin>, problems: Vec<Problem>) -> Self {
        let mut reg = Self { plugins, problems };
        reg.note_duplicates();
        reg
    }

    fn note_duplicates(&mut self) {
        let mut dups = Vec::new();
        for (i, p) in self.plugins.iter().enumerate() {
            for d in &p.description.drivers {
                if let Some(first) =
                    self.plugins[..i].iter().find(|q| q.description.drivers.iter().any(|e| e.name == d.name))
                {
                    dups.push(Problem {
                        path: p.path.clone(),
                        message: format!(
                            "driver `{}` is ignored here: {} already provides it (earlier on the plugin path)",
                            d.name,
                            first.path.display()
                        ),
                    });
                }
            }
        }
        self.problems.extend(dups);
    }

    /// Every usable driver, in search-path order (duplicates dropped).
    pub fn drivers(&self) -> Vec<DriverEntry<'_>> {
        let mut out: Vec<DriverEntry<'_>> = Vec::new();
        for p in &self.plugins {
            for d in &p.description.drivers {
                if !out.iter().any(|e| e.info.name == d.name) {
                    out.push(DriverEntry { info: d, plugin: p });
                }
            }
        }
        out
    }

    /// The driver called `name`.
    pub fn driver(&self, name: &str) -> Option<DriverEntry<'_>> {
        self.drivers().into_iter().find(|e| e.info.name == name)
    }

    /// Problems met while loading.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }
}

impl DriverEntry<'_> {
    /// Opens the driver with validated parameters.
    pub fn open(&self, params: &Params) -> Result<OpenDriver, DriverError> {
        match &self.plugin.module {
            Some(m) => m.open(&self.info.name, &params.to_wire()),
            None => Err(DriverError::plugin_fault(format!(
                "{} was described by a worker process and is not loaded here",
                self.plugin.path.display()
            ))),
        }
    }

    /// The plugin file.
    pub fn path(&self) -> &Path {
        &self.plugin.path
    }
}
