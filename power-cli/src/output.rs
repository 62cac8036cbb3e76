//! The only module that writes to the terminal: stdout lines, JSON, aligned tables, and
//! `powerplug: warning:` / `powerplug: error:` lines on stderr (redacted of known secrets).
//! A closed stdout (e.g. `| head`) is not an error.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::logging::redact;

/// Writes one line to stdout.
pub(crate) fn line(text: &str) {
    let _ = writeln!(io::stdout().lock(), "{text}");
}

/// Writes `text` to stdout as it is (no newline added).
pub(crate) fn raw(text: &str) {
    let _ = io::stdout().lock().write_all(text.as_bytes());
}

/// Writes `value` as pretty JSON to stdout.
pub(crate) fn json(value: &impl serde::Serialize) {
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    line(&text);
}

static QUIET: AtomicBool = AtomicBool::new(false);

/// Silences warnings (`--quiet`).
pub(crate) fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// A warning on stderr (unless `--quiet`).
pub(crate) fn warning(text: &str) {
    if QUIET.load(Ordering::Relaxed) {
        return;
    }
    let _ = writeln!(io::stderr().lock(), "powerplug: warning: {}", redact(text));
}

/// An error on stderr.
pub(crate) fn error(text: &str) {
    let _ = writeln!(io::stderr().lock(), "powerplug: error: {}", redact(text));
}

/// Writes `rows` (the first is the header) as left-aligned columns; the last column is not padded.
pub(crate) fn table(rows: &[Vec<String>]) {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> =
        (0..cols).map(|c| rows.iter().filter_map(|r| r.get(c)).map(|s| s.chars().count()).max().unwrap_or(0)).collect();
    let mut out = io::stdout().lock();
    for r in rows {
        let mut text = String::new();
        for (c, cell) in r.iter().enumerate() {
            if c + 1 == r.len() {
                text.push_str(cell);
            } else {
                text.push_str(&format!("{cell:<w$}  ", w = widths[c]));
            }
        }
        if writeln!(out, "{}", text.trim_end()).is_err() {
            return;
        }
    }
}
