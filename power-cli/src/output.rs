//! The only module that writes to the terminal: stdout lines, JSON, aligned tables, and
//! `powerplug: warning:` / `powerplug: error:` lines on stderr (redacted of known secrets).
//! A closed stdout (e.g. `| head`) is not an error.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::logging::redact;

static WRITE_FAILED: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// Remembers a failed write to stdout; a closed pipe (`| head`) is not a failure.
fn note(r: io::Result<()>) {
    if let Err(e) = r {
        if e.kind() != io::ErrorKind::BrokenPipe {
            if let Ok(mut w) = WRITE_FAILED.lock() {
                w.get_or_insert_with(|| e.to_string());
            }
        }
    }
}

/// Writes one line to stdout.
pub(crate) fn line(text: &str) {
    note(writeln!(io::stdout().lock(), "{text}"));
}

/// Writes `text` to stdout as it is (no newline added).
pub(crate) fn raw(text: &str) {
    note(io::stdout().lock().write_all(text.as_bytes()));
}

/// Writes a line that *is* the command's result (`query`'s state): any failure, a closed pipe
/// included, is an error.
pub(crate) fn result_line(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "{text}")?;
    out.flush()
}

/// Stdout for a line protocol whose peer is a program, not a person (`simulate pdu
/// --pass-persist` answers snmpd on it): the caller writes and flushes each reply itself.
pub(crate) fn protocol_stdout() -> io::StdoutLock<'static> {
    io::stdout().lock()
}

/// Flushes stdout; the first write that failed (other than to a closed pipe), if any.
pub(crate) fn finish() -> Option<String> {
    note(io::stdout().lock().flush());
    WRITE_FAILED.lock().ok().and_then(|w| w.clone())
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
    let _ = writeln!(io::stderr().lock(), "powerplug: warning: {}", clean(&redact(text)));
}

/// Redraws the progress line on stderr (a terminal: the caller checks).
pub(crate) fn progress(text: &str) {
    let mut err = io::stderr().lock();
    let _ = write!(err, "\r{text}\x1b[K");
    let _ = err.flush();
}

/// Ends the progress line.
pub(crate) fn progress_end() {
    let _ = writeln!(io::stderr().lock());
}

/// An error on stderr.
pub(crate) fn error(text: &str) {
    let _ = writeln!(io::stderr().lock(), "powerplug: error: {}", clean(&redact(text)));
}

/// The longest message printed; longer ones are cut (a device or a value can be huge).
const MAX_MESSAGE: usize = 4000;

/// `text` safe for a terminal or a log: control characters other than the newlines between
/// lines of one message become `\u{..}` escapes (no forged lines, no ESC sequences), and it is
/// cut at [`MAX_MESSAGE`] characters.
pub(crate) fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_MESSAGE));
    for (i, c) in text.chars().enumerate() {
        if i == MAX_MESSAGE {
            out.push_str("… (cut)");
            break;
        }
        match c {
            '\n' => out.push('\n'),
            c if c.is_control() => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    out
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
        if let Err(e) = writeln!(out, "{}", text.trim_end()) {
            note(Err(e));
            return;
        }
    }
}
