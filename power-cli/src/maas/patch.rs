//! Unified diffs (`git apply` / `patch -p1`) from edits: new files against `/dev/null`, and
//! changes to existing files, located by structure in the user's real file (`--maas-src`) or at
//! the `@@key@@` markers of the known fragments in `anchors.rs`. Changes only add lines (or, for
//! a one-line list, replace that line), so hunks are computed exactly; no diff algorithm needed.

use std::collections::BTreeMap;

use super::edit::{Change, Edit, Position};

const CONTEXT: usize = 3;

/// A piece of a known file: its first line's number in the real file and its lines, where a
/// line `@@key@@` marks where edit `key` inserts, and `@@key@@text` a line edit `key` rewrites.
pub(crate) struct Piece {
    pub(crate) first_line: usize,
    pub(crate) lines: Vec<String>,
}

/// What an edited file is known to contain.
pub(crate) enum Original {
    /// The whole file (from `--maas-src`).
    Whole(String),
    /// Known pieces of it.
    Fragment(Vec<Piece>),
}

/// One located piece of an edited file: its first line's number, its lines, the changes to it.
type Located = (usize, Vec<String>, Vec<Change>);

/// A diff of all `edits`. `original(path)` gives what each edited existing file holds.
pub(crate) fn diff(edits: &[Edit], original: &dyn Fn(&str) -> Result<Original, String>) -> Result<String, String> {
    let mut out = String::new();
    let mut by_file: BTreeMap<&str, Vec<&Edit>> = BTreeMap::new();
    for e in edits {
        match e {
            Edit::NewFile { path, content } => out.push_str(&new_file(path, content)),
            Edit::Insert { path, .. } => by_file.entry(path.as_str()).or_default().push(e),
        }
    }
    for (path, edits) in by_file {
        let merged = merge_list_items(&edits);
        let edits: Vec<&Edit> = merged.iter().collect();
        let pieces: Vec<Located> = match original(path)? {
            Original::Whole(text) => {
                let old: Vec<&str> = text.lines().collect();
                let changes = edits
                    .iter()
                    .map(|e| e.locate(&old).map_err(|why| format!("{path}: {why}")))
                    .collect::<Result<_, _>>()?;
                vec![(1, old.iter().map(|l| (*l).to_owned()).collect(), changes)]
            }
            Original::Fragment(pieces) => fragment_changes(path, &pieces, &edits)?,
        };
        out.push_str(&format!("diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n"));
        let mut shift: isize = 0;
        for (first_line, old, changes) in pieces {
            out.push_str(&hunks(&old, first_line, changes, &mut shift));
        }
    }
    Ok(out)
}

/// Several drivers' items for the same list become one edit, so that a one-line list is
/// rewritten once with all of them.
fn merge_list_items(edits: &[&Edit]) -> Vec<Edit> {
    let mut out: Vec<Edit> = Vec::new();
    for e in edits {
        if let Edit::Insert { key, position: Position::IntoList(_), lines, .. } = e {
            let same = out
                .iter_mut()
                .find(|o| matches!(o, Edit::Insert { key: k, position: Position::IntoList(_), .. } if k == key));
            if let Some(Edit::Insert { lines: existing, .. }) = same {
                existing.extend(lines.iter().cloned());
                continue;
            }
        }
        out.push((*e).clone());
    }
    out
}

/// Locates edits at the markers of known pieces.
fn fragment_changes(path: &str, pieces: &[Piece], edits: &[&Edit]) -> Result<Vec<Located>, String> {
    let mut out = Vec::new();
    let mut used = vec![false; edits.len()];
    for piece in pieces {
        let mut old = Vec::new();
        let mut changes = Vec::new();
        for line in &piece.lines {
            let marker = line.strip_prefix("@@").and_then(|r| r.split_once("@@"));
            let Some((key, rest)) = marker else {
                old.push(line.clone());
                continue;
            };
            for (i, e) in edits.iter().enumerate() {
                let Edit::Insert { key: k, .. } = e else { continue };
                if *k != key {
                    continue;
                }
                used[i] = true;
                if rest.is_empty() {
                    changes.push(Change { start: old.len(), end: old.len(), lines: e.fragment_lines() });
                } else {
                    let new = e.rewrite_line(rest).ok_or_else(|| format!("{path}: cannot rewrite `{rest}`"))?;
                    changes.push(Change { start: old.len(), end: old.len() + 1, lines: vec![new] });
                }
            }
            if !rest.is_empty() {
                old.push(rest.to_owned());
            }
        }
        out.push((piece.first_line, old, changes));
    }
    if let Some(i) = used.iter().position(|u| !u) {
        return Err(format!(
            "{path}: powerplug knows no place for {}; pass --maas-src with a checkout",
            edits[i].path()
        ));
    }
    Ok(out)
}

fn new_file(path: &str, content: &str) -> String {
    let lines: Vec<&str> = content.lines().collect();
    let mut s = format!("diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n");
    s.push_str(&format!("@@ -0,0 +1,{} @@\n", lines.len()));
    for l in lines {
        s.push('+');
        s.push_str(l);
        s.push('\n');
    }
    s
}

/// The hunks for `changes` to `old`, whose first line is line `first_line` of the real file.
/// `shift` carries the lines added by earlier hunks of the same file.
fn hunks(old: &[String], first_line: usize, mut changes: Vec<Change>, shift: &mut isize) -> String {
    changes.sort_by_key(|c| (c.start, c.end));
    let mut groups: Vec<Vec<Change>> = Vec::new();
    for c in changes {
        match groups.last_mut() {
            Some(g) if c.start <= g.last().map_or(0, |l| l.end) + 2 * CONTEXT => g.push(c),
            _ => groups.push(vec![c]),
        }
    }
    let mut s = String::new();
    for g in groups {
        let start = g[0].start.saturating_sub(CONTEXT);
        let end = (g[g.len() - 1].end + CONTEXT).min(old.len());
        let mut body = String::new();
        let mut i = start;
        let mut new_len = 0usize;
        for c in &g {
            for l in &old[i..c.start] {
                body.push_str(&format!(" {l}\n"));
                new_len += 1;
            }
            for l in &old[c.start..c.end] {
                body.push_str(&format!("-{l}\n"));
            }
            for l in &c.lines {
                body.push_str(&format!("+{l}\n"));
                new_len += 1;
            }
            i = c.end;
        }
        for l in &old[i..end] {
            body.push_str(&format!(" {l}\n"));
            new_len += 1;
        }
        let old_len = end - start;
        let old_start = first_line + start - usize::from(old_len == 0);
        let new_start = (old_start as isize + *shift).max(0) as usize;
        s.push_str(&format!("@@ -{old_start},{old_len} +{new_start},{new_len} @@\n{body}"));
        *shift += new_len as isize - old_len as isize;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maas::edit::Position;

    fn ins(key: &'static str, position: Position, lines: &[&str]) -> Edit {
        Edit::Insert {
            path: "r.py".into(),
            key,
            position,
            within: None,
            lines: lines.iter().map(|s| (*s).to_owned()).collect(),
            what: String::new(),
        }
    }

    #[test]
    fn whole_files_and_fragments_give_the_same_hunks() {
        let edits = vec![
            ins("import", Position::Before("power_drivers = [".into()), &["from x import Y"]),
            ins("entry", Position::BeforeClose("power_drivers = [".into()), &["    Y(),"]),
            Edit::NewFile { path: "x.py".into(), content: "a\nb\n".into() },
        ];
        let text = "import a\n\npower_drivers = [\n    A(),\n    B(),\n]\nfor d in power_drivers:\n    pass\n";
        let d = diff(&edits, &|_| Ok(Original::Whole(text.into()))).unwrap();
        assert!(d.contains("--- /dev/null\n+++ b/x.py\n@@ -0,0 +1,2 @@\n+a\n+b\n"), "{d}");
        let want = "@@ -1,8 +1,10 @@\n import a\n \n+from x import Y\n power_drivers = [\n     A(),\n     B(),\n+    Y(),\n ]\n for d in power_drivers:\n     pass\n";
        assert!(d.contains(want), "{d}");
        let pieces = || {
            Ok(Original::Fragment(vec![Piece {
                first_line: 1,
                lines: [
                    "import a",
                    "",
                    "@@import@@",
                    "power_drivers = [",
                    "    A(),",
                    "    B(),",
                    "@@entry@@",
                    "]",
                    "for d in power_drivers:",
                    "    pass",
                ]
                .map(String::from)
                .to_vec(),
            }]))
        };
        assert_eq!(diff(&edits, &|_| pieces()).unwrap(), d);
    }

    #[test]
    fn one_line_lists_are_rewritten() {
        let edits = vec![ins("query", Position::IntoList("Q = [".into()), &["'pp_x'"])];
        let pieces = |_: &str| {
            Ok(Original::Fragment(vec![Piece {
                first_line: 64,
                lines: vec!["@@query@@Q = ['amt']".into(), "".into()],
            }]))
        };
        let d = diff(&edits, &pieces).unwrap();
        assert!(d.contains("@@ -64,2 +64,2 @@\n-Q = ['amt']\n+Q = ['amt', 'pp_x']\n \n"), "{d}");
    }
}
