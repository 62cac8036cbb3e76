//! Who may call the bridge: Bearer tokens (MAAS's `power_token`) and Basic users (MAAS's
//! `power_user`/`power_pass`), from files and the environment. Comparisons run in constant
//! time over the candidate list; a failed check says nothing about which part was wrong.

use std::path::Path;

use base64::Engine;
use power_host::files;

/// The accepted credentials.
#[derive(Clone, Default)]
pub struct Credentials {
    tokens: Vec<String>,
    basic: Vec<(String, String)>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({} tokens, {} basic users)", self.tokens.len(), self.basic.len())
    }
}

/// What the `Authorization` header proved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Accepted: as which Basic user, or `token`.
    Allowed(String),
    /// No or wrong credentials.
    Denied,
}

impl Credentials {
    /// Reads `--token-file` (one token per line), `--basic-file` (`user:password` lines) and the
    /// token from the environment. Blank lines and `#` comments are skipped. A file readable by
    /// others (mode `o+r`) is refused.
    pub fn load(token_file: Option<&Path>, basic_file: Option<&Path>, env_token: Option<&str>) -> Result<Self, String> {
        let mut c = Self::default();
        if let Some(p) = token_file {
            for (n, line) in lines(p, "--token-file")? {
                if line.len() < 16 {
                    return Err(format!(
                        "--token-file {} line {n}: a token must be at least 16 characters",
                        p.display()
                    ));
                }
                c.tokens.push(line);
            }
        }
        if let Some(t) = env_token.filter(|t| !t.is_empty()) {
            if t.len() < 16 {
                return Err("POWERPLUG_SERVE_TOKEN must be at least 16 characters".into());
            }
            c.tokens.push(t.to_owned());
        }
        if let Some(p) = basic_file {
            for (n, line) in lines(p, "--basic-file")? {
                match line.split_once(':') {
                    Some((u, pw)) if !u.is_empty() && !pw.is_empty() => c.basic.push((u.to_owned(), pw.to_owned())),
                    _ => {
                        return Err(format!("--basic-file {} line {n}: expected user:password", p.display()));
                    }
                }
            }
        }
        Ok(c)
    }

    /// Whether no credential is configured.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty() && self.basic.is_empty()
    }

    /// Every secret value, for redaction.
    pub fn secrets(&self) -> Vec<String> {
        let mut v = self.tokens.clone();
        v.extend(self.basic.iter().map(|(_, p)| p.clone()));
        v
    }

    /// The first token (for `maas webhook --show-token`).
    pub fn first_token(&self) -> Option<&str> {
        self.tokens.first().map(String::as_str)
    }

    /// Checks an `Authorization` header value.
    pub fn check(&self, header: Option<&[u8]>) -> Verdict {
        let Some(h) = header.and_then(|h| std::str::from_utf8(h).ok()) else { return Verdict::Denied };
        let (scheme, rest) = h.trim().split_once(' ').unwrap_or((h, ""));
        let rest = rest.trim();
        if scheme.eq_ignore_ascii_case("bearer") {
            let mut ok = false;
            for t in &self.tokens {
                ok |= ct_eq(t.as_bytes(), rest.as_bytes());
            }
            return if ok { Verdict::Allowed("token".into()) } else { Verdict::Denied };
        }
        if scheme.eq_ignore_ascii_case("basic") {
            let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(rest) else { return Verdict::Denied };
            let Some((user, pass)) = std::str::from_utf8(&raw).ok().and_then(|s| s.split_once(':')) else {
                return Verdict::Denied;
            };
            let mut who = None;
            for (u, p) in &self.basic {
                if ct_eq(u.as_bytes(), user.as_bytes()) & ct_eq(p.as_bytes(), pass.as_bytes()) {
                    who = Some(u.clone());
                }
            }
            return who.map_or(Verdict::Denied, Verdict::Allowed);
        }
        Verdict::Denied
    }
}

fn lines(path: &Path, flag: &str) -> Result<Vec<(usize, String)>, String> {
    let t = files::read_text(path, 1024 * 1024).map_err(|e| format!("{flag}: {e}"))?;
    if t.mode & 0o004 != 0 {
        return Err(format!(
            "{flag} {} is readable by every user (mode {:04o}); `chmod o-r` it (0640 or 0600)",
            path.display(),
            t.mode
        ));
    }
    Ok(t.text
        .lines()
        .enumerate()
        .map(|(n, l)| (n + 1, l.trim().to_owned()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .collect())
}

/// Compares in time that depends only on the lengths, never on where the bytes differ.
fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = u8::from(a.len() != b.len());
    for i in 0..a.len().max(b.len()) {
        diff |= a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0xff);
    }
    diff == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_and_basic() {
        let c = Credentials { tokens: vec!["t0ken-t0ken-t0ken".into()], basic: vec![("maas".into(), "pw:x".into())] };
        assert_eq!(c.check(Some(b"Bearer t0ken-t0ken-t0ken")), Verdict::Allowed("token".into()));
        assert_eq!(c.check(Some(b"bearer t0ken-t0ken-t0keN")), Verdict::Denied);
        assert_eq!(c.check(Some(b"Bearer t0ken-t0ken-t0ke")), Verdict::Denied);
        let b = base64::engine::general_purpose::STANDARD.encode("maas:pw:x");
        assert_eq!(c.check(Some(format!("Basic {b}").as_bytes())), Verdict::Allowed("maas".into()));
        let b = base64::engine::general_purpose::STANDARD.encode("maas:pw");
        assert_eq!(c.check(Some(format!("Basic {b}").as_bytes())), Verdict::Denied);
        assert_eq!(c.check(None), Verdict::Denied);
        assert_eq!(c.check(Some(b"Digest x")), Verdict::Denied);
        assert!(ct_eq(b"", b"") && !ct_eq(b"a", b"") && !ct_eq(b"ab", b"ac"));
    }
}
