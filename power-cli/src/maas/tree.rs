//! A MAAS source checkout given with `--maas-src`: checks that it looks like the named
//! generation (the files that generation has, and not the ones a later one introduced), reads
//! the files a patch edits, and finds power type names already in use there.

use std::fs;
use std::path::{Path, PathBuf};

use super::target::{Generation, MaasTarget};

/// A checked MAAS tree.
pub(crate) struct Tree {
    root: PathBuf,
}

/// Files that must exist (and must not) for each generation.
fn signature(g: Generation) -> (&'static [&'static str], &'static [&'static str]) {
    match g {
        Generation::Trunk2014 => (
            &["src/maasserver/power_parameters.py", "src/provisioningserver/enum.py"],
            &["src/provisioningserver/power_schema.py", "src/provisioningserver/power/schema.py"],
        ),
        Generation::V1_5 => (
            &["src/provisioningserver/power_schema.py"],
            &["src/provisioningserver/power/schema.py", "src/provisioningserver/drivers/power/registry.py"],
        ),
        Generation::V1_9 => {
            (&["src/provisioningserver/power/schema.py"], &["src/provisioningserver/drivers/power/registry.py"])
        }
        Generation::V2_2 => (
            &["src/provisioningserver/drivers/power/registry.py"],
            &["src/maasservicelayer/enums/power_drivers.py", "src/maasagent/internal/power/service.go"],
        ),
        Generation::V3_5 => (
            &["src/provisioningserver/drivers/power/registry.py", "src/maasagent/internal/power/service.go"],
            &["src/maasservicelayer/enums/power_drivers.py"],
        ),
        Generation::V3_6 => {
            (&["src/provisioningserver/drivers/power/registry.py", "src/maasservicelayer/enums/power_drivers.py"], &[])
        }
    }
}

impl Tree {
    /// Opens `root` and checks it matches `target`.
    pub(crate) fn open(root: &Path, target: MaasTarget) -> Result<Self, String> {
        if !root.is_dir() {
            return Err(format!("--maas-src {} is not a directory", root.display()));
        }
        let (must, must_not) = signature(target.generation);
        for f in must {
            if !root.join(f).is_file() {
                return Err(format!(
                    "{} does not look like a {target} source tree: it has no {f}; check --maas or --maas-src",
                    root.display()
                ));
            }
        }
        for f in must_not {
            if root.join(f).exists() {
                return Err(format!(
                    "{} does not look like a {target} source tree: it has {f}, which {target} does not; check --maas",
                    root.display()
                ));
            }
        }
        Ok(Self { root: root.to_path_buf() })
    }

    /// The text of `path` (relative to the tree).
    pub(crate) fn read(&self, path: &str) -> Result<String, String> {
        read_capped(&self.root.join(path)).map_err(|e| format!("cannot read {path} in --maas-src: {e}"))
    }

    /// Where `name` is already a power type in the tree, if anywhere.
    pub(crate) fn name_in_use(&self, name: &str, edited: &[&str], new_files: &[&str]) -> Option<String> {
        for f in new_files {
            if self.root.join(f).exists() {
                return Some(format!("{f} already exists"));
            }
        }
        let quoted = [format!("\"{name}\""), format!("'{name}'")];
        for f in edited {
            if let Ok(text) = read_capped(&self.root.join(f)) {
                if quoted.iter().any(|q| text.contains(q.as_str())) {
                    return Some(format!("{f} already names it"));
                }
            }
        }
        for dir in ["etc/maas/templates/power", "src/provisioningserver/drivers/power"] {
            let Ok(entries) = fs::read_dir(self.root.join(dir)) else { continue };
            for e in entries.flatten() {
                let text = read_capped(&e.path()).unwrap_or_default();
                if text.contains(&format!("name = \"{name}\"")) || text.contains(&format!("name = '{name}'")) {
                    return Some(format!("{dir}/{} declares it", e.file_name().to_string_lossy()));
                }
            }
        }
        None
    }
}

/// The largest MAAS source file read (the biggest are a few hundred KB).
const MAX_SOURCE_FILE: u64 = 8 * 1024 * 1024;

/// A regular file's text, refusing FIFOs, devices and anything over [`MAX_SOURCE_FILE`].
fn read_capped(path: &std::path::Path) -> Result<String, power_host::files::FileError> {
    power_host::files::read_text(path, MAX_SOURCE_FILE).map(|t| t.text)
}
