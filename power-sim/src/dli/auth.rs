//! Authentication as the DLI switch does it: HTTP Basic and the `DLILPC` session cookie on the
//! legacy interface (the challenge login's password field is md5(challenge‖user‖password‖
//! challenge)), and HTTP Digest (MD5, qop=auth) on the REST API.

use base64::Engine;

use super::Switch;
use crate::http::Request;

/// Whether `req` carries valid Basic credentials.
pub(crate) fn basic_ok(sw: &Switch, req: &Request) -> bool {
    let Some(v) = req.header("Authorization").and_then(|h| h.strip_prefix("Basic ")) else { return false };
    let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(v.trim()) else { return false };
    let text = String::from_utf8_lossy(&raw);
    text.split_once(':').is_some_and(|(u, p)| u == sw.args.user && p == sw.args.password)
}

/// Whether `req` carries a live session cookie.
pub(crate) fn cookie_ok(sw: &Switch, req: &Request) -> bool {
    let Some(cookies) = req.header("Cookie") else { return false };
    cookies.split(';').any(|c| {
        let c = c.trim();
        c.strip_prefix("DLILPC=").is_some_and(|v| {
            let v = v.trim_matches('"');
            !v.is_empty() && sw.sessions.iter().any(|s| s == v)
        })
    })
}

/// The challenge login's expected password field.
pub(crate) fn login_hash(challenge: &str, user: &str, password: &str) -> String {
    format!("{:x}", md5::compute(format!("{challenge}{user}{password}{challenge}")))
}

/// The `WWW-Authenticate` header of a digest challenge (registers the nonce).
pub(crate) fn digest_challenge(sw: &mut Switch) -> String {
    let nonce = sw.token();
    sw.nonces.push(nonce.clone());
    format!("Digest realm=\"DLI\", qop=\"auth\", nonce=\"{nonce}\", opaque=\"5ccc069c403ebaf9\", algorithm=MD5")
}

/// Digest parameters from an `Authorization: Digest ...` header.
pub(crate) fn digest_params(header: &str) -> Vec<(String, String)> {
    let Some(rest) = header.strip_prefix("Digest ") else { return Vec::new() };
    let mut out = Vec::new();
    let mut s = rest.trim();
    while !s.is_empty() {
        let Some((k, after)) = s.split_once('=') else { break };
        let (v, tail) = if let Some(q) = after.strip_prefix('"') {
            let end = q.find('"').unwrap_or(q.len());
            (&q[..end], q.get(end + 1..).unwrap_or(""))
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        out.push((k.trim().to_owned(), v.to_owned()));
        s = tail.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
    }
    out
}

/// Whether `req` carries a valid digest answer to one of our nonces.
pub(crate) fn digest_ok(sw: &Switch, req: &Request) -> bool {
    let Some(h) = req.header("Authorization") else { return false };
    let p = digest_params(h);
    let get = |k: &str| p.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str()).unwrap_or("");
    if get("username") != sw.args.user || !sw.nonces.iter().any(|n| n == get("nonce")) || get("qop") != "auth" {
        return false;
    }
    let uri = get("uri");
    let path = uri.split('?').next().unwrap_or(uri);
    if path != req.path {
        return false;
    }
    let ha1 = format!("{:x}", md5::compute(format!("{}:{}:{}", sw.args.user, get("realm"), sw.args.password)));
    let ha2 = format!("{:x}", md5::compute(format!("{}:{uri}", req.method)));
    let want =
        format!("{:x}", md5::compute(format!("{ha1}:{}:{}:{}:auth:{ha2}", get("nonce"), get("nc"), get("cnonce"))));
    get("response") == want
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_hash_matches_the_vendor_vectors() {
        assert_eq!(login_hash("ul6mN5phOsZCho7", "admin", "4321"), "bdea564501aca856a4d0035d33552ccd");
        assert_eq!(login_hash("XyZ123", "admin", "1234"), "4e1bbda18b1a5dbe5f575d692d55513e");
    }

    #[test]
    fn digest_header_parsing() {
        let p = digest_params(r#"Digest username="admin", realm="DLI", nc=00000001, qop=auth, uri="/a,b""#);
        assert_eq!(p[0], ("username".into(), "admin".into()));
        assert_eq!(p[2], ("nc".into(), "00000001".into()));
        assert_eq!(p[4], ("uri".into(), "/a,b".into()));
    }
}
