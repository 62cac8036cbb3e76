//! The known fragments of MAAS's files around each insertion point, per generation, used for
//! `maas patch` without `--maas-src`: the patch's context lines are exactly these lines, which
//! were read from MAAS's release branches (see docs/maas.md, "How patches find their place").
//! With `--maas-src` the real files are used instead and these are not consulted.

use super::patch::Original;
use super::target::{Generation, MaasTarget};

/// A fragment: the generations it holds for, the file, its first line's number, its lines.
struct Fragment {
    generations: &'static [Generation],
    path: &'static str,
    first_line: usize,
    lines: &'static [&'static str],
}

const FRAGMENTS: &[Fragment] = &[];

/// The fragment of `path` for `target`.
pub(crate) fn fragment(target: MaasTarget, path: &str) -> Result<Original, String> {
    FRAGMENTS
        .iter()
        .find(|f| f.path == path && f.generations.contains(&target.generation))
        .map(|f| Original { text: f.lines.join("\n") + "\n", first_line: f.first_line })
        .ok_or_else(|| format!("powerplug knows no fragment of {path} for {target}; pass --maas-src with a checkout"))
}
