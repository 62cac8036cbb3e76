//! Unified diffs (`git apply` / `patch -p1`) from edits: new files against `/dev/null`, and
//! insertions against a file's text — the user's real file with `--maas-src`, or the known
//! fragment of it from `anchors.rs` otherwise. Insert-only, so hunks are computed exactly from
//! the anchor positions; no general diff algorithm is needed.

use std::collections::BTreeMap;

use super::edit::{Edit, Place};

const CONTEXT: usize = 3;

/// The original text of a file and the line number its first line has in the real file
/// (1 for a whole file; the fragment's position for a known fragment).
pub(crate) struct Original {
    pub(crate) text: String,
    pub(crate) first_line: usize,
}

/// A diff of all `edits`. `original(path)` gives each edited existing file's text.
pub(crate) fn diff(edits: &[Edit], original: &dyn Fn(&str) -> Result<Original, String>) -> Result<String, String> {
    let mut out = String::new();
    let mut inserts: BTreeMap<&str, Vec<&Edit>> = BTreeMap::new();
    for e in edits {
        match e {
            Edit::NewFile { path, content } => out.push_str(&new_file(path, content)),
            Edit::Insert { path, .. } => inserts.entry(path.as_str()).or_default().push(e),
        }
    }
    for (path, edits) in inserts {
        let orig = original(path)?;
        out.push_str(&modify(path, &orig, &edits)?);
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

fn modify(path: &str, orig: &Original, edits: &[&Edit]) -> Result<String, String> {
    let old: Vec<&str> = orig.text.lines().collect();
    // (position in old lines, lines inserted there), in order.
    let mut points: Vec<(usize, Vec<String>)> = Vec::new();
    for e in edits {
        let Edit::Insert { anchor, lines, .. } = e else { continue };
        let at = anchor.find(&old).map_err(|why| format!("{path}: {why}"))?;
        let pos = if anchor.place == Place::After { at + 1 } else { at };
        match points.iter_mut().find(|(p, _)| *p == pos) {
            Some((_, existing)) => existing.extend(lines.iter().cloned()),
            None => points.push((pos, lines.clone())),
        }
    }
    points.sort_by_key(|(p, _)| *p);
    // Group insertion points whose context windows touch.
    let mut groups: Vec<Vec<(usize, Vec<String>)>> = Vec::new();
    for pt in points {
        match groups.last_mut() {
            Some(g) if pt.0 <= g.last().map_or(0, |l| l.0) + 2 * CONTEXT => g.push(pt),
            _ => groups.push(vec![pt]),
        }
    }
    let mut s = format!("diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n");
    let mut added_before = 0usize;
    for g in groups {
        let first = g[0].0;
        let last = g[g.len() - 1].0;
        let start = first.saturating_sub(CONTEXT);
        let end = (last + CONTEXT).min(old.len());
        let added: usize = g.iter().map(|(_, l)| l.len()).sum();
        let old_len = end - start;
        let old_start = if old_len == 0 { start } else { start + 1 };
        let base = orig.first_line - 1;
        s.push_str(&format!(
            "@@ -{},{} +{},{} @@\n",
            old_start + base,
            old_len,
            old_start + base + added_before,
            old_len + added
        ));
        let mut next = g.iter().peekable();
        for i in start..=end {
            while let Some((p, lines)) = next.peek() {
                if *p != i {
                    break;
                }
                for l in lines {
                    s.push_str(&format!("+{l}\n"));
                }
                next.next();
            }
            if let Some(line) = old.get(i).filter(|_| i < end) {
                s.push_str(&format!(" {line}\n"));
            }
        }
        added_before += added;
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maas::edit::Anchor;

    #[test]
    fn insertions_become_hunks_with_context() {
        let edits = vec![
            Edit::Insert {
                path: "r.py".into(),
                anchor: Anchor::before("power_drivers = ["),
                lines: vec!["from x import Y".into()],
                what: String::new(),
            },
            Edit::Insert {
                path: "r.py".into(),
                anchor: Anchor::after("power_drivers = ["),
                lines: vec!["    Y(),".into()],
                what: String::new(),
            },
            Edit::NewFile { path: "x.py".into(), content: "a\nb\n".into() },
        ];
        let text = "import a\nimport b\n\npower_drivers = [\n    A(),\n    B(),\n]\n";
        let d = diff(&edits, &|_| Ok(Original { text: text.into(), first_line: 1 })).unwrap();
        assert!(d.contains("--- /dev/null\n+++ b/x.py\n@@ -0,0 +1,2 @@\n+a\n+b\n"), "{d}");
        assert!(
            d.contains("@@ -1,7 +1,9 @@\n import a\n import b\n \n+from x import Y\n power_drivers = [\n+    Y(),\n     A(),\n     B(),\n ]\n"),
            "{d}"
        );
    }
}
