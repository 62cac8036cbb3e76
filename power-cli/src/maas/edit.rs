//! `Edit`: one change an artifact makes to a MAAS tree — a new file, or lines added at a
//! position found by structure (after the last constant of a class, before the bracket that
//! closes a list, into a one-line list). Snippets print edits for people; `patch.rs` locates them
//! in the real file (`--maas-src`) or at the `@@key@@` markers of a known fragment and diffs.

/// Where an edit's lines go, found by the file's structure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Position {
    /// Right before the line that starts with this text.
    Before(String),
    /// Right before the line holding the bracket that closes the one opened on the line that
    /// starts with this text (e.g. `power_drivers = [`).
    BeforeClose(String),
    /// Right after the last `NAME = ...` line directly inside the block whose header starts with
    /// this text (e.g. `class POWER_TYPE`).
    AfterLastAssignment(String),
    /// Into the list opened on the line that starts with this text: a one-line list gets the item
    /// before its `]`; a multi-line one gets an item line before its closing bracket.
    IntoList(String),
}

/// One change to a MAAS source tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Edit {
    /// A file that does not exist yet.
    NewFile { path: String, content: String },
    /// Lines added to an existing file.
    Insert {
        path: String,
        /// Names the position in known fragments (`@@key@@`).
        key: &'static str,
        position: Position,
        /// Only look after the first line that starts with this (e.g. `def get_power_types`).
        within: Option<&'static str>,
        /// The lines (for `IntoList`: the one item, e.g. `'pp_dli'`).
        lines: Vec<String>,
        /// What the lines are, for people.
        what: String,
    },
}

/// A located change: old lines `start..end` become `lines`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Change {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) lines: Vec<String>,
}

impl Edit {
    pub(crate) fn path(&self) -> &str {
        match self {
            Self::NewFile { path, .. } | Self::Insert { path, .. } => path,
        }
    }

    /// The edit as instructions for a person.
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::NewFile { path, content } => format!("# New file {path}:\n{content}"),
            Self::Insert { path, position, within, lines, what, .. } => {
                let place = match position {
                    Position::Before(l) => format!("before the line `{l}`"),
                    Position::BeforeClose(l) => format!("at the end of the bracket opened by `{l}`"),
                    Position::AfterLastAssignment(l) => format!("after the last constant in `{l}`"),
                    Position::IntoList(l) => format!("as an item of the list `{l}`"),
                };
                let within = within.map(|w| format!(" (inside `{w}`)")).unwrap_or_default();
                format!("# In {path}, {what}, {place}{within}:\n{}\n", lines.join("\n"))
            }
        }
    }

    /// Where this insertion goes in `old` (a whole file), found by structure.
    pub(crate) fn locate(&self, old: &[&str]) -> Result<Change, String> {
        let Self::Insert { position, within, lines, .. } = self else { return Err("not an insertion".into()) };
        let from = match within {
            Some(w) => find(old, 0, w)?,
            None => 0,
        };
        match position {
            Position::Before(l) => {
                Ok(Change { start: find(old, from, l)?, end: find(old, from, l)?, lines: lines.clone() })
            }
            Position::BeforeClose(l) => {
                let open = find(old, from, l)?;
                let close = closing_line(old, open)?;
                Ok(with_comma(old, open, close, lines.clone()))
            }
            Position::AfterLastAssignment(l) => {
                let header = find(old, from, l)?;
                let last = last_assignment(old, header).ok_or_else(|| format!("no constant inside `{l}`"))?;
                Ok(Change { start: last + 1, end: last + 1, lines: lines.clone() })
            }
            Position::IntoList(l) => {
                let open = find(old, from, l)?;
                match one_line_list(old[open], &lines.join(", ")) {
                    Some(new) => Ok(Change { start: open, end: open + 1, lines: vec![new] }),
                    None => {
                        let close = closing_line(old, open)?;
                        Ok(with_comma(old, open, close, self.fragment_lines()))
                    }
                }
            }
        }
    }

    /// The lines this insertion adds at a fragment marker (list items get their indentation).
    pub(crate) fn fragment_lines(&self) -> Vec<String> {
        match self {
            Self::Insert { position: Position::IntoList(_), lines, .. } => {
                lines.iter().map(|item| format!("    {item},")).collect()
            }
            Self::Insert { lines, .. } => lines.clone(),
            Self::NewFile { .. } => Vec::new(),
        }
    }

    /// The change applied to one line of a known fragment (for `IntoList` on a one-line list).
    pub(crate) fn rewrite_line(&self, line: &str) -> Option<String> {
        match self {
            Self::Insert { position: Position::IntoList(_), lines, .. } if !lines.is_empty() => {
                one_line_list(line, &lines.join(", "))
            }
            _ => None,
        }
    }
}

/// The index of the first line at or after `from` whose trimmed text starts with `prefix`.
fn find(lines: &[&str], from: usize, prefix: &str) -> Result<usize, String> {
    (from..lines.len())
        .find(|&i| lines[i].trim().starts_with(prefix.trim()))
        .ok_or_else(|| format!("no line starting with `{}`", prefix.trim()))
}

/// Bracket depth change of one line of Python, ignoring strings and comments.
fn depth_delta(line: &str) -> i32 {
    let mut depth = 0;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in line.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '#' => break,
                '\'' | '"' => quote = Some(c),
                '[' | '{' | '(' => depth += 1,
                ']' | '}' | ')' => depth -= 1,
                _ => {}
            },
        }
    }
    depth
}

/// The line on which the bracket opened on line `open` closes.
fn closing_line(lines: &[&str], open: usize) -> Result<usize, String> {
    let mut depth = 0;
    for (i, line) in lines.iter().enumerate().skip(open) {
        depth += depth_delta(line);
        if depth <= 0 && i > open {
            return Ok(i);
        }
    }
    Err(format!("the bracket opened on line {} is never closed", open + 1))
}

/// Inserting `lines` before line `close`; adds a comma to the previous item if it lacks one.
fn with_comma(old: &[&str], open: usize, close: usize, lines: Vec<String>) -> Change {
    let prev = (open + 1..close).rev().find(|&i| !old[i].trim().is_empty() && !old[i].trim_start().starts_with('#'));
    match prev {
        Some(p) if !old[p].trim_end().ends_with(',') => {
            let mut new = vec![format!("{},", old[p].trim_end())];
            new.extend(old[p + 1..close].iter().map(|l| (*l).to_owned()));
            new.extend(lines);
            Change { start: p, end: close, lines: new }
        }
        _ => Change { start: close, end: close, lines },
    }
}

/// `X = [a, b]` with `item` added before the `]`, if `line` is a whole one-line list.
fn one_line_list(line: &str, item: &str) -> Option<String> {
    let t = line.trim_end();
    if !t.ends_with(']') || depth_delta(t) != 0 {
        return None;
    }
    let body = &t[..t.len() - 1];
    let empty = body.trim_end().ends_with('[');
    Some(format!("{body}{}{item}]", if empty { "" } else { ", " }))
}

/// The last `NAME = ...` line directly inside the block starting at `header`.
fn last_assignment(lines: &[&str], header: usize) -> Option<usize> {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let base = indent(lines[header]);
    let mut body_indent = None;
    let mut last = None;
    for (i, l) in lines.iter().enumerate().skip(header + 1) {
        if l.trim().is_empty() {
            continue;
        }
        if indent(l) <= base {
            break;
        }
        let bi = *body_indent.get_or_insert(indent(l));
        let t = l.trim_start();
        let is_assignment = indent(l) == bi
            && t.split_once(" = ").is_some_and(|(n, _)| n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        if is_assignment {
            last = Some(i);
        }
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    fn insert(position: Position, within: Option<&'static str>, lines: &[&str]) -> Edit {
        Edit::Insert {
            path: "f.py".into(),
            key: "k",
            position,
            within,
            lines: lines.iter().map(|s| (*s).to_owned()).collect(),
            what: String::new(),
        }
    }

    #[test]
    fn positions_are_found_by_structure() {
        let f = [
            "class POWER_TYPE:",
            "    \"\"\"Doc.\"\"\"",
            "    DEFAULT = ''",
            "",
            "    DLI = 'dli'",
            "",
            "def get_power_types():",
            "    return {",
            "        \"dli\": \"DLI [x]\",",
            "        }",
            "QUERY_POWER_TYPES = ['amt', 'ipmi']",
            "L = [",
            "    'a'",
            "]",
        ];
        let c = insert(Position::AfterLastAssignment("class POWER_TYPE".into()), None, &["    X = 'x'"])
            .locate(&f)
            .unwrap();
        assert_eq!((c.start, c.end), (5, 5));
        let c =
            insert(Position::BeforeClose("return {".into()), Some("def get_power_types"), &["        \"x\": \"X\","])
                .locate(&f)
                .unwrap();
        assert_eq!((c.start, c.end), (9, 9));
        let c = insert(Position::IntoList("QUERY_POWER_TYPES = [".into()), None, &["'pp_x'"]).locate(&f).unwrap();
        assert_eq!(c.lines, vec!["QUERY_POWER_TYPES = ['amt', 'ipmi', 'pp_x']"]);
        let c = insert(Position::IntoList("L = [".into()), None, &["'pp_x'"]).locate(&f).unwrap();
        assert_eq!((c.start, c.end, c.lines.clone()), (12, 13, vec!["    'a',".to_owned(), "    'pp_x',".to_owned()]));
        assert!(insert(Position::Before("nothing".into()), None, &[])
            .locate(&f)
            .unwrap_err()
            .contains("no line starting with `nothing`"));
    }
}
