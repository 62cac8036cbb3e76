//! Plugin discovery: builds the ordered search path (`--plugin-dir`, `POWERPLUG_PLUGIN_PATH`, the
//! executable's directory and its `plugins/`, `/usr/lib/powerplug/plugins`) and lists the plugin
//! files in it. Naming convention: `libpowerplug_<name>.so` (the platform's library prefix and
//! suffix); a file named explicitly is always tried. It opens no library.

use std::collections::HashSet;
use std::env;
use std::fs;
use std::path::{Path, PathBuf};

/// The system-wide plugin directory.
pub const SYSTEM_DIR: &str = "/usr/lib/powerplug/plugins";

/// The environment variable with extra plugin directories (colon-separated).
pub const PATH_VAR: &str = "POWERPLUG_PLUGIN_PATH";

/// How a problem message ends when a plugin location is writable by others.
pub const UNSAFE: &str = "anyone who can write there can run code as you";

/// Where a search-path entry came from: explicit entries report problems, default ones that
/// do not exist are skipped silently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Flag,
    EnvVar,
    Default,
}

/// A problem with a search-path entry.
#[derive(Debug)]
pub struct DirProblem {
    pub path: PathBuf,
    pub message: String,
}

/// The search path, in priority order.
pub fn search_path(flag_dirs: &[PathBuf], defaults: bool) -> Vec<(PathBuf, Origin)> {
    let mut out: Vec<(PathBuf, Origin)> = flag_dirs.iter().map(|d| (d.clone(), Origin::Flag)).collect();
    if let Some(var) = env::var_os(PATH_VAR) {
        out.extend(env::split_paths(&var).filter(|p| !p.as_os_str().is_empty()).map(|p| (p, Origin::EnvVar)));
    }
    if defaults {
        if let Some(dir) = env::current_exe().ok().and_then(|e| e.parent().map(Path::to_path_buf)) {
            out.push((dir.join("plugins"), Origin::Default));
            out.insert(out.len() - 1, (dir, Origin::Default));
        }
        out.push((PathBuf::from(SYSTEM_DIR), Origin::Default));
    }
    out
}

/// Whether `name` follows the plugin naming convention.
pub fn is_plugin_name(name: &str) -> bool {
    let prefix = format!("{}powerplug_", env::consts::DLL_PREFIX);
    name.starts_with(&prefix)
        && name.ends_with(env::consts::DLL_SUFFIX)
        && name.len() > prefix.len() + env::consts::DLL_SUFFIX.len()
}

/// The plugin files on the search path, in order, each once; and the entries that could not be read.
pub fn plugin_files(path: &[(PathBuf, Origin)]) -> (Vec<PathBuf>, Vec<DirProblem>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    let mut push = |p: PathBuf, files: &mut Vec<PathBuf>| {
        let key = fs::canonicalize(&p).unwrap_or_else(|_| p.clone());
        if seen.insert(key) {
            files.push(p);
        }
    };
    for (entry, origin) in path {
        if let Some(why) = unsafe_owner(entry) {
            problems.push(DirProblem { path: entry.clone(), message: format!("{why}: {UNSAFE}") });
        }
        match fs::metadata(entry) {
            Ok(m) if m.is_file() => push(entry.clone(), &mut files),
            Ok(m) if !m.is_dir() => problems.push(DirProblem {
                path: entry.clone(),
                message: "neither a directory nor a regular file (a FIFO or device?); skipped".to_owned(),
            }),
            Ok(_) => match fs::read_dir(entry) {
                Ok(rd) => {
                    let mut names: Vec<PathBuf> = rd
                        .filter_map(Result::ok)
                        .filter(|e| e.file_name().to_str().is_some_and(is_plugin_name))
                        .map(|e| e.path())
                        .filter(|p| {
                            // Only regular files: opening a FIFO or device named like a plugin would hang.
                            let regular = fs::metadata(p).is_ok_and(|m| m.is_file());
                            if !regular {
                                problems.push(DirProblem {
                                    path: p.clone(),
                                    message: "not a regular file; skipped".to_owned(),
                                });
                            }
                            regular
                        })
                        .collect();
                    names.sort();
                    for n in names {
                        push(n, &mut files);
                    }
                }
                Err(e) => problems
                    .push(DirProblem { path: entry.clone(), message: format!("cannot read plugin directory: {e}") }),
            },
            Err(_) if *origin == Origin::Default => {}
            Err(e) => problems.push(DirProblem {
                path: entry.clone(),
                message: format!("cannot use plugin directory ({}): {e}", origin_text(*origin)),
            }),
        }
    }
    (files, problems)
}

/// Why a plugin directory or file is unsafe to load from: writable by every user (without the
/// sticky bit), or owned by another user who is not root.
fn unsafe_owner(path: &Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let m = fs::metadata(path).ok()?;
    // SAFETY: getuid has no preconditions and cannot fail.
    let me = unsafe { libc::getuid() };
    if m.mode() & 0o002 != 0 && m.mode() & 0o1000 == 0 {
        Some(format!("{} is writable by every user", if m.is_dir() { "the directory" } else { "the file" }))
    } else if m.uid() != 0 && m.uid() != me {
        Some(format!("owned by another user (uid {})", m.uid()))
    } else {
        None
    }
}

fn origin_text(o: Origin) -> &'static str {
    match o {
        Origin::Flag => "from --plugin-dir",
        Origin::EnvVar => "from POWERPLUG_PLUGIN_PATH",
        Origin::Default => "a default directory",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naming_convention() {
        assert!(is_plugin_name("libpowerplug_dli.so"));
        assert!(!is_plugin_name("libpowerplug_.so"));
        assert!(!is_plugin_name("libtestplug_mock.so"));
        assert!(!is_plugin_name("libpowerplug_dli.so.1"));
        assert!(!is_plugin_name("libpower_core.rlib"));
    }
}
