//! Reading the legacy status page (`index.htm`): the `<!-- state=XX -->` hex bitmap (bit 0 is
//! outlet 1) and, as a fallback, the outlet table's switch links (`outlet?N=OFF` means N is on);
//! the outlet count from the distinct outlet links. Pure parsing, no I/O.

use std::collections::BTreeSet;

/// What the status page says.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Status {
    /// Bitmap of outlets that are on, when the state comment is present.
    pub(crate) bitmap: Option<u32>,
    /// Outlets the page links to, with whether each is on (from the table).
    pub(crate) table: Vec<(u32, bool)>,
}

impl Status {
    /// Whether outlet `n` (1-based) is on; `None` when the page does not say.
    pub(crate) fn outlet(&self, n: u32) -> Option<bool> {
        match self.bitmap {
            Some(b) if (1..=32).contains(&n) && (self.table.is_empty() || n <= self.count()) => {
                Some(b & (1 << (n - 1)) != 0)
            }
            _ => self.table.iter().find(|(i, _)| *i == n).map(|(_, on)| *on),
        }
    }

    /// The number of outlets (from the table), 0 when unknown.
    pub(crate) fn count(&self) -> u32 {
        self.table.iter().map(|(i, _)| *i).max().unwrap_or(0)
    }
}

/// Parses a status page; `None` when it is not one (no state comment and no outlet links).
pub(crate) fn parse(page: &str) -> Option<Status> {
    let bitmap = page.split_once("<!-- state=").and_then(|(_, rest)| {
        let hex: String = rest.chars().take_while(char::is_ascii_hexdigit).collect();
        u32::from_str_radix(&hex, 16).ok()
    });
    let mut seen = BTreeSet::new();
    let mut table = Vec::new();
    for chunk in page.split("outlet?").skip(1) {
        let num: String = chunk.chars().take_while(char::is_ascii_digit).collect();
        let Ok(n) = num.parse::<u32>() else { continue };
        let action = &chunk[num.len()..];
        let on = if action.starts_with("=OFF") {
            true
        } else if action.starts_with("=ON") {
            false
        } else {
            continue;
        };
        if seen.insert(n) {
            table.push((n, on));
        }
    }
    if bitmap.is_none() && table.is_empty() {
        return None;
    }
    Some(Status { bitmap, table })
}

/// The `Challenge` value of the login form.
pub(crate) fn challenge(page: &str) -> Option<String> {
    let at = page.find("name=\"Challenge\"").or_else(|| page.find("name=Challenge"))?;
    let rest = &page[at..];
    let v = rest.split_once("value=")?.1.trim_start_matches('"');
    let end = v.find(|c: char| c == '"' || c == '>' || c.is_whitespace())?;
    Some(v[..end].to_owned()).filter(|c| !c.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitmap_is_hex_and_bit_zero_is_outlet_one() {
        let s = parse("<!-- state=81 lock=00 -->").unwrap();
        assert_eq!((s.outlet(1), s.outlet(8), s.outlet(2)), (Some(true), Some(true), Some(false)));
        let s = parse("<!-- state=f6 lock=00 -->").unwrap();
        assert_eq!((s.outlet(1), s.outlet(4), s.outlet(2)), (Some(false), Some(false), Some(true)));
    }

    #[test]
    fn table_fallback_and_count() {
        let page = "<td>1</td><a href=outlet?1=OFF>Switch OFF</a> <a href=outlet?1=CCL>Cycle</a>\
                    <td>2</td><a href=outlet?2=ON>Switch ON</a><!-- <a href=outlet?2=CCL>Cycle</a> -->";
        let s = parse(page).unwrap();
        assert_eq!((s.outlet(1), s.outlet(2), s.outlet(3), s.count()), (Some(true), Some(false), None, 2));
        assert_eq!(parse("<html>Welcome</html>"), None);
        assert_eq!(
            challenge("<input type=\"hidden\" name=\"Challenge\" value=\"ul6mN5phOsZCho7\">").as_deref(),
            Some("ul6mN5phOsZCho7")
        );
    }
}
