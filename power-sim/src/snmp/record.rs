//! The files the pass_persist program keeps in the state directory for whoever watches the
//! agent: `state` (every unit's `label on|off`, replaced atomically on each change) and
//! `sets.log` (one `SET <oid> <type> <value> -> <reply>` line per SET, appended). The program
//! writes them; `SnmpSim` reads them.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;

use crate::SimError;

/// The state file's name in the state directory.
pub(crate) const STATE_FILE: &str = "state";
/// The SET record's name in the state directory.
pub(crate) const SETS_FILE: &str = "sets.log";

/// Replaces the state file with `text` (a temporary file renamed over it: readers never see
/// half a file).
pub(crate) fn write_state(dir: &Path, text: &str) -> Result<(), SimError> {
    let tmp = dir.join(format!(".{STATE_FILE}.{}.tmp", std::process::id()));
    fs::write(&tmp, text).map_err(|e| SimError::io(format!("cannot write {}", tmp.display()), e))?;
    let path = dir.join(STATE_FILE);
    fs::rename(&tmp, &path).map_err(|e| SimError::io(format!("cannot replace {}", path.display()), e))
}

/// The state file's text, if there is one.
pub(crate) fn read_state_text(dir: &Path) -> Option<String> {
    fs::read_to_string(dir.join(STATE_FILE)).ok()
}

/// The state file as `(label, on)` pairs; empty when there is none.
pub(crate) fn read_state(dir: &Path) -> Vec<(String, bool)> {
    read_state_text(dir)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once(' ').map(|(label, s)| (label.to_owned(), s.trim() == "on")))
        .collect()
}

/// Appends one line to the SET record (one write, so concurrent readers see whole lines).
pub(crate) fn append_set(dir: &Path, line: &str) -> Result<(), SimError> {
    let path = dir.join(SETS_FILE);
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| SimError::io(format!("cannot open {}", path.display()), e))?;
    f.write_all(format!("{line}\n").as_bytes()).map_err(|e| SimError::io(format!("cannot write {}", path.display()), e))
}

/// Every complete line of the SET record.
pub(crate) fn read_sets(dir: &Path) -> Vec<String> {
    let text = fs::read_to_string(dir.join(SETS_FILE)).unwrap_or_default();
    let complete = text.rfind('\n').map_or("", |end| &text[..end]);
    complete.lines().map(str::to_owned).collect()
}
