//! The process's secret registry, the last line of defence: secret values are registered as
//! soon as they are known (validated parameters, inventory secrets, serve's credentials) and
//! masked in every log record and error message that passes through [`redact`]. The first line
//! is that secrets never enter messages at all (`Secret` prints as `***`).
//!
//! The mask has to hide a secret without mangling ordinary text or telling its length:
//! - every occurrence becomes the same `***`, whatever the secret's length;
//! - only whole occurrences are masked: one that continues a longer word or number (`1234` in
//!   `127.0.0.1:12345`, `the` in `authentication`) is a different value and stays;
//! - the forms a driver sends are masked too: percent-encoded (URL paths and queries) and
//!   form-encoded (`+` for a space);
//! - values shorter than [`MIN_LEN`] are not masked (they would mask ordinary words and
//!   digits); our own code never logs them.

use std::sync::{Mutex, OnceLock};

/// The shortest secret that is masked.
pub const MIN_LEN: usize = 4;

static SECRETS: OnceLock<Mutex<Vec<String>>> = OnceLock::new();

/// Remembers a secret value (and its encoded forms) so that [`redact`] masks it.
pub fn register_secret(value: &str) {
    if value.chars().count() < MIN_LEN {
        return;
    }
    let m = SECRETS.get_or_init(|| Mutex::new(Vec::new()));
    if let Ok(mut v) = m.lock() {
        for form in power_core::encoded_forms(value) {
            if !v.contains(&form) {
                v.push(form);
            }
        }
        // Longest first, so a secret containing another is masked whole.
        v.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }
}

/// `text` with every registered secret replaced by `***`.
pub fn redact(text: &str) -> String {
    let Some(m) = SECRETS.get() else { return text.to_owned() };
    let Ok(v) = m.lock() else { return text.to_owned() };
    let mut out = text.to_owned();
    for s in v.iter() {
        if out.contains(s.as_str()) {
            out = mask_whole(&out, s);
        }
    }
    out
}

fn word_char(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric())
}

/// Replaces the occurrences of `secret` in `text` that do not continue a word or number.
fn mask_whole(text: &str, secret: &str) -> String {
    let (first, last) = (secret.chars().next(), secret.chars().last());
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(secret) {
        let before = rest[..i].chars().last().or_else(|| out.chars().last());
        let after = rest[i + secret.len()..].chars().next();
        let glued = (word_char(first) && word_char(before)) || (word_char(last) && word_char(after));
        out.push_str(&rest[..i]);
        if glued {
            // Not this value: keep one character and search on.
            let c = rest[i..].chars().next().unwrap_or_default();
            out.push(c);
            rest = &rest[i + c.len_utf8()..];
        } else {
            out.push_str("***");
            rest = &rest[i + secret.len()..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(secret: &str, text: &str) -> String {
        let mut out = text.to_owned();
        for form in power_core::encoded_forms(secret) {
            out = mask_whole(&out, &form);
        }
        out
    }

    #[test]
    fn whole_occurrences_only_and_always_three_stars() {
        assert_eq!(masked("1234", "127.0.0.1:12345 and 1234"), "127.0.0.1:12345 and ***");
        assert_eq!(masked("the1", "the1 authentication the1x"), "*** authentication the1x");
        assert_eq!(masked("Sw1tch-Secret-88", "pass=Sw1tch-Secret-88&x"), "pass=***&x");
        assert_eq!(masked("abcdefghijklmnop", "x abcdefghijklmnop"), masked("abcd", "x abcd"), "no length shown");
    }

    #[test]
    fn encoded_forms_are_masked() {
        let s = "p@ss w#rd&x";
        let [_, pct, form] = power_core::encoded_forms(s);
        let url = format!("GET /cm?user=admin&password={pct}&cmnd=Power");
        assert_eq!(masked(s, &url), "GET /cm?user=admin&password=***&cmnd=Power");
        assert_eq!(masked(s, &format!("body {form}")), "body ***");
        assert_eq!(masked("a+b/c=", "token a+b/c= end"), "token *** end", "base64 specials");
    }

    #[test]
    fn short_secrets_and_common_words_do_not_mangle_text() {
        for short in ["1", "ab", "the"] {
            register_secret(short);
        }
        assert_eq!(redact("the outlet 1 ab"), "the outlet 1 ab");
    }
}
