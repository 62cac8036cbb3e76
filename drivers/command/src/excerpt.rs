//! Short, escaped excerpts of a program's output for error messages: control characters
//! (newlines included) are written as `\u{..}`, so an excerpt is always one line, and the
//! limit counts the escaped characters, so an escape is never cut in half.

/// `c` as it appears in an excerpt.
fn escaped(c: char) -> String {
    if c.is_control() {
        format!("\\u{{{:x}}}", u32::from(c))
    } else {
        c.to_string()
    }
}

/// At most `max` escaped characters from the start of `text` (trimmed), with `…` when cut.
pub(crate) fn head(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut len = 0;
    for c in text.trim().chars() {
        let e = escaped(c);
        let n = e.chars().count();
        if len + n > max {
            out.push('…');
            return out;
        }
        out.push_str(&e);
        len += n;
    }
    out
}

/// At most `max` escaped characters from the end of `text` (trimmed), with `…` when cut.
pub(crate) fn tail(text: &str, max: usize) -> String {
    let mut parts = Vec::new();
    let mut len = 0;
    let mut cut = false;
    for c in text.trim().chars().rev() {
        let e = escaped(c);
        let n = e.chars().count();
        if len + n > max {
            cut = true;
            break;
        }
        parts.push(e);
        len += n;
    }
    let mut out = String::from(if cut { "…" } else { "" });
    out.extend(parts.into_iter().rev());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(head("  a\nb\x1b[31mc\t\r\n", 200), "a\\u{a}b\\u{1b}[31mc");
        assert_eq!(tail("x\u{7f}y\n", 300), "x\\u{7f}y");
        assert_eq!(head("", 10), "");
    }

    #[test]
    fn limits_count_escaped_characters() {
        let long = "é".repeat(500);
        assert_eq!(head(&long, 200), format!("{}…", "é".repeat(200)));
        assert_eq!(tail(&long, 300), format!("…{}", "é".repeat(300)));
        assert_eq!(head("ab\ncd", 6), "ab…", "the 5-character escape does not fit after 2 characters");
        assert_eq!(tail("ab\ncd", 7), "…\\u{a}cd");
        assert_eq!(head(&"x".repeat(200), 200), "x".repeat(200));
    }
}
