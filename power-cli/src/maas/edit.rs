//! `Edit`: one change an artifact makes to a MAAS tree — a new file, or lines inserted next to
//! an anchor line found by structure (the line that opens a list, a class, a function). Snippets
//! print edits for people; `patch.rs` applies them to file contents and diffs.

/// Where inserted lines go relative to the anchor line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    /// Right after the anchor line (e.g. after `power_drivers = [`).
    After,
    /// Right before the anchor line.
    Before,
}

/// A line that marks an insertion point, matched on its trimmed text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Anchor {
    /// The trimmed text the anchor line starts with (e.g. `power_drivers = [`).
    pub(crate) starts_with: String,
    /// Only anchors after the first line that starts with this (e.g. `def get_power_types`).
    pub(crate) within: Option<String>,
    pub(crate) place: Place,
}

impl Anchor {
    pub(crate) fn after(starts_with: &str) -> Self {
        Self { starts_with: starts_with.to_owned(), within: None, place: Place::After }
    }

    pub(crate) fn before(starts_with: &str) -> Self {
        Self { starts_with: starts_with.to_owned(), within: None, place: Place::Before }
    }

    #[must_use]
    pub(crate) fn within(mut self, block: &str) -> Self {
        self.within = Some(block.to_owned());
        self
    }

    /// The index of the anchor line in `lines`, if present exactly once in its block.
    pub(crate) fn find(&self, lines: &[&str]) -> Result<usize, String> {
        let start = match &self.within {
            Some(b) => lines
                .iter()
                .position(|l| l.trim_start().starts_with(b.as_str()))
                .ok_or_else(|| format!("no line starting with `{b}`"))?,
            None => 0,
        };
        let hits: Vec<usize> =
            (start..lines.len()).filter(|&i| lines[i].trim().starts_with(&self.starts_with)).collect();
        match hits.as_slice() {
            [one] => Ok(*one),
            [] => Err(format!("no line starting with `{}`", self.starts_with)),
            // Inside a block, the first match is the one that belongs to it.
            [first, ..] if self.within.is_some() => Ok(*first),
            _ => Err(format!("{} lines start with `{}`; cannot tell where to insert", hits.len(), self.starts_with)),
        }
    }
}

/// One change to a MAAS source tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Edit {
    /// A file that does not exist yet.
    NewFile { path: String, content: String },
    /// Lines inserted at an anchor in an existing file.
    Insert {
        path: String,
        anchor: Anchor,
        lines: Vec<String>,
        /// What the lines are, for people ("the entry in JSON_POWER_TYPE_PARAMETERS").
        what: String,
    },
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
            Self::Insert { path, anchor, lines, what } => {
                let place = match anchor.place {
                    Place::After => "after",
                    Place::Before => "before",
                };
                let within = anchor.within.as_ref().map(|w| format!(" (inside `{w}`)")).unwrap_or_default();
                format!(
                    "# In {path}, {what}: add {place} the line `{}`{within}:\n{}\n",
                    anchor.starts_with,
                    lines.join("\n")
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_found_by_structure() {
        let lines = [
            "class A:",
            "    X = 1",
            "def get_power_types():",
            "    return {",
            "    }",
            "def other():",
            "    return {",
        ];
        assert_eq!(Anchor::after("return {").within("def get_power_types").find(&lines), Ok(3));
        assert!(Anchor::after("return {").find(&lines).unwrap_err().contains("2 lines start with"));
        assert!(Anchor::after("nothing = [").find(&lines).unwrap_err().contains("no line starting with `nothing = [`"));
    }
}
