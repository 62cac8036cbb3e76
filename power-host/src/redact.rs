//! The process's secret registry: secret values are registered as soon as they are known
//! (validated parameters, inventory secrets, serve's credentials) and masked in every log
//! record and error message that passes through [`redact`]. Values shorter than three
//! characters are not masked (they would mangle ordinary words); they are never logged by us.

use std::sync::{Mutex, OnceLock};

static SECRETS: OnceLock<Mutex<Vec<String>>> = OnceLock::new();

/// Remembers a secret value so that [`redact`] masks it.
pub fn register_secret(value: &str) {
    if value.len() >= 3 {
        let m = SECRETS.get_or_init(|| Mutex::new(Vec::new()));
        if let Ok(mut v) = m.lock() {
            if !v.iter().any(|s| s == value) {
                v.push(value.to_owned());
                // Longest first, so a secret containing another is masked whole.
                v.sort_by_key(|s| std::cmp::Reverse(s.len()));
            }
        }
    }
}

/// `text` with every registered secret replaced by `***`.
pub fn redact(text: &str) -> String {
    let mut out = text.to_owned();
    if let Some(m) = SECRETS.get() {
        if let Ok(v) = m.lock() {
            for s in v.iter() {
                if out.contains(s.as_str()) {
                    out = out.replace(s.as_str(), "***");
                }
            }
        }
    }
    out
}
