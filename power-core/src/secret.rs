//! `Secret`: the one type that holds passwords and keys. It prints as `***`, implements no
//! `Serialize`, and hands its value out only through [`Secret::expose`], which reviewers grep for.
//! It does not encrypt or zero memory; it keeps secrets out of logs, errors and argv by construction.

use std::fmt;

/// A password, key or token. Printing it shows `***`; call [`Secret::expose`] only where it is sent.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value. Every call site is reviewed: it must send the value to the device or
    /// a child's environment, never to a log, an error message or a command line.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// The forms a secret takes on the wire, for masking and leak checks: as it is, percent-encoded
/// (RFC 3986 unreserved characters kept, as in URL paths and queries) and form-encoded (`+` for
/// a space). *Since power-core 1.1.*
pub fn encoded_forms(value: &str) -> [String; 3] {
    let percent = |form: bool| {
        let mut out = String::new();
        for b in value.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(char::from(b)),
                b' ' if form => out.push('+'),
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
        out
    };
    [value.to_owned(), percent(false), percent(true)]
}

#[cfg(test)]
mod tests {
    use super::{encoded_forms, Secret};

    #[test]
    fn encoded_forms_of_special_characters() {
        assert_eq!(encoded_forms("a b&c"), ["a b&c", "a%20b%26c", "a+b%26c"]);
    }

    #[test]
    fn never_prints_its_value() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s} {s:?}"), "*** Secret(***)");
        assert_eq!(s.expose(), "hunter2");
    }
}
