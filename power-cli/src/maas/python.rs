//! Python source rendering for emitted MAAS code: string literals valid in both Python 2.7 and 3
//! (ASCII with escapes, no f-strings), lists, and identifiers derived from driver names.
//! It does not decide what to emit; the generation modules do.

/// A Python string literal of `s` that means the same in Python 2.7 and 3: double-quoted,
/// ASCII only (other characters as `\uXXXX` escapes inside a `u""` literal when needed).
pub(crate) fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    let mut unicode = false;
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_ascii() => out.push(c),
            c => {
                unicode = true;
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    format!("{}\"{out}\"", if unicode { "u" } else { "" })
}

/// `[a, b, c]` from already-rendered items, on one line.
pub(crate) fn list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

/// `powerplug_dli` → `PowerplugDli` (a class-name stem).
pub(crate) fn camel(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals() {
        assert_eq!(string("a\"b\\c\n"), r#""a\"b\\c\n""#);
        assert_eq!(string("é"), r#"u"\u00e9""#);
        assert_eq!(camel("powerplug_dli"), "PowerplugDli");
        assert_eq!(camel("powerplug_sm15k"), "PowerplugSm15k");
    }
}
