//! HTTP Digest authentication (RFC 7616, MD5, qop=auth) for the DLI REST API: parses a
//! `WWW-Authenticate: Digest` challenge and computes the `Authorization` header for a request,
//! counting `nc` up so one challenge serves several requests.

/// A server's digest challenge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Challenge {
    pub(crate) realm: String,
    pub(crate) nonce: String,
    pub(crate) opaque: Option<String>,
    pub(crate) qop_auth: bool,
}

/// Parses `Digest realm="..", nonce="..", ...`; `None` for other schemes.
pub(crate) fn parse(header: &str) -> Option<Challenge> {
    let rest = header.trim().strip_prefix("Digest")?.trim();
    let mut realm = None;
    let mut nonce = None;
    let mut opaque = None;
    let mut qop_auth = false;
    let mut s = rest;
    while !s.is_empty() {
        let (k, after) = s.split_once('=')?;
        let (v, tail) = match after.strip_prefix('"') {
            Some(q) => {
                let end = q.find('"')?;
                (&q[..end], &q[end + 1..])
            }
            None => {
                let end = after.find(',').unwrap_or(after.len());
                (&after[..end], &after[end..])
            }
        };
        match k.trim().to_ascii_lowercase().as_str() {
            "realm" => realm = Some(v.to_owned()),
            "nonce" => nonce = Some(v.to_owned()),
            "opaque" => opaque = Some(v.to_owned()),
            "qop" => qop_auth = v.split(',').any(|q| q.trim() == "auth"),
            _ => {}
        }
        s = tail.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
    }
    Some(Challenge { realm: realm?, nonce: nonce?, opaque, qop_auth })
}

fn hex(s: &str) -> String {
    format!("{:x}", md5::compute(s))
}

/// The `Authorization` header value for `method uri`, request number `nc`.
pub(crate) fn authorization(
    c: &Challenge,
    user: &str,
    password: &str,
    method: &str,
    uri: &str,
    nc: u32,
    cnonce: &str,
) -> String {
    let ha1 = hex(&format!("{user}:{}:{password}", c.realm));
    let ha2 = hex(&format!("{method}:{uri}"));
    let nc = format!("{nc:08x}");
    let (response, qop) = if c.qop_auth {
        (
            hex(&format!("{ha1}:{}:{nc}:{cnonce}:auth:{ha2}", c.nonce)),
            format!(", qop=auth, nc={nc}, cnonce=\"{cnonce}\""),
        )
    } else {
        (hex(&format!("{ha1}:{}:{ha2}", c.nonce)), String::new())
    };
    let opaque = c.opaque.as_ref().map(|o| format!(", opaque=\"{o}\"")).unwrap_or_default();
    format!(
        "Digest username=\"{user}\", realm=\"{}\", nonce=\"{}\", uri=\"{uri}\", algorithm=MD5, response=\"{response}\"{qop}{opaque}",
        c.realm, c.nonce
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_2617_example() {
        // The worked example of RFC 2617 section 3.5.
        let c = parse(r#"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#).unwrap();
        let h = authorization(&c, "Mufasa", "Circle Of Life", "GET", "/dir/index.html", 1, "0a4f113b");
        assert!(h.contains("response=\"6629fae49393a05397450978507c4ef1\""), "{h}");
        assert!(h.contains("nc=00000001") && h.contains("opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""));
        assert_eq!(parse("Basic realm=\"x\""), None);
    }
}
