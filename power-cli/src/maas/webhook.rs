//! MAAS 3.x without patching: the `maas` CLI commands that set a machine's power type to MAAS's
//! built-in `webhook` and point its on, off and query URIs at `powerplug serve`. Credentials
//! are a shell variable placeholder unless the caller asks for the real token.

use power_host::inventory::Node;

/// How the machine authenticates to the bridge.
pub(crate) enum Auth<'a> {
    /// `power_token` (the value, or `None` for the `$POWERPLUG_TOKEN` placeholder).
    Token(Option<&'a str>),
    /// `power_user` and a `$POWERPLUG_PASS` placeholder for `power_pass`.
    Basic(&'a str),
}

/// Checks and normalises the bridge's base URL (no trailing slash).
pub(crate) fn base_url(url: &str) -> Result<String, String> {
    let u = url.trim_end_matches('/');
    let rest = u.strip_prefix("http://").or_else(|| u.strip_prefix("https://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(['/', '?', '#', ' ', '@']) => Ok(u.to_owned()),
        _ => Err(format!(
            "--url expects the bridge's base URL as MAAS reaches it, like http://10.0.0.2:8571 (no path, no credentials), got {url:?}"
        )),
    }
}

/// The command for one node.
pub(crate) fn command(node: &Node, base: &str, system_id: Option<&str>, auth: &Auth<'_>) -> String {
    let sid =
        system_id.or(node.maas_system_id.as_deref()).map_or_else(|| format!("'<system_id of {}>'", node.name), quote);
    let uri = |a: &str| quote(&format!("{base}/v1/nodes/{}/{a}", node.name));
    let mut lines = vec![
        format!(
            "# {} (driver {}{})",
            node.name,
            node.driver,
            node.device.as_ref().map(|d| format!(", device {d}")).unwrap_or_default()
        ),
        format!("maas \"$PROFILE\" machine update {sid} \\"),
        "    power_type=webhook \\".to_owned(),
        format!("    power_parameters_power_on_uri={} \\", uri("on")),
        format!("    power_parameters_power_off_uri={} \\", uri("off")),
        format!("    power_parameters_power_query_uri={} \\", uri("status")),
    ];
    match auth {
        Auth::Token(Some(t)) => lines.push(format!("    power_parameters_power_token={} \\", quote(t))),
        Auth::Token(None) => lines.push("    power_parameters_power_token=\"$POWERPLUG_TOKEN\" \\".to_owned()),
        Auth::Basic(user) => {
            lines.push(format!("    power_parameters_power_user={} \\", quote(user)));
            lines.push("    power_parameters_power_pass=\"$POWERPLUG_PASS\" \\".to_owned());
        }
    }
    let verify = if base.starts_with("https://") { "y" } else { "n" };
    lines.push(format!("    power_parameters_power_verify_ssl={verify}"));
    lines.join("\n") + "\n"
}

/// A POSIX-shell single-quoted word (bare when it needs no quoting).
fn quote(s: &str) -> String {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_./:=@%+,".contains(&b)) {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_quoting() {
        assert_eq!(base_url("http://10.0.0.2:8571/").unwrap(), "http://10.0.0.2:8571");
        assert!(base_url("10.0.0.2:8571").is_err());
        assert!(base_url("http://u:p@h").is_err());
        assert!(base_url("http://h/x").is_err());
        assert_eq!(quote("abc-1"), "abc-1");
        assert_eq!(quote("a b'c"), "'a b'\\''c'");
    }
}
