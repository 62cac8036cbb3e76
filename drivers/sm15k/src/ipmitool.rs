//! The ipmitool command line for the SeaMicro OEM power command and the reading of its failures.
//! Numbers are written in canonical decimal (ipmitool parses raw bytes with base 0, so `010`
//! would be octal 8); the password goes in the child's environment (`-E`), never argv.

use plugin_sdk::DriverError;

/// The server number from `12` or the SeaMicro form `12/0`: 0 to 255.
pub fn server_id(text: &str) -> Result<u8, DriverError> {
    let mut parts = text.trim().split('/');
    let head = parts.next().unwrap_or("");
    let tail = parts.next();
    let bad = || {
        DriverError::invalid_parameter(format!(
            "`system_id` {text:?} is not a SeaMicro server number; expected a number from 0 to 255, optionally as N/0 (e.g. 12 or 12/0)"
        ))
    };
    let digits = |s: &str| !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(head) || parts.next().is_some() || tail.is_some_and(|t| !digits(t)) {
        return Err(bad());
    }
    head.parse::<u8>().map_err(|_| bad())
}

/// Session options.
pub struct Session {
    pub host: String,
    pub port: Option<u16>,
    pub user: String,
    pub privilege: String,
    pub cipher_suite: u8,
    pub retries: u8,
}

/// The arguments of `ipmitool ... raw 0x2E 1 0x00 0x7d 0xab <mode> 0 <server>`.
pub fn args(s: &Session, mode: u8, server: u8) -> Vec<String> {
    let mut a: Vec<String> = vec!["-v".into(), "-I".into(), "lanplus".into(), "-H".into(), s.host.clone()];
    if let Some(p) = s.port {
        a.extend(["-p".into(), p.to_string()]);
    }
    a.extend(["-U".into(), s.user.clone(), "-E".into(), "-L".into(), s.privilege.clone()]);
    a.extend([
        "-C".into(),
        s.cipher_suite.to_string(),
        "-R".into(),
        s.retries.max(1).to_string(),
        "-N".into(),
        "1".into(),
    ]);
    a.extend(["raw", "0x2E", "1", "0x00", "0x7d", "0xab"].map(String::from));
    a.extend([mode.to_string(), "0".into(), server.to_string()]);
    a
}

/// The error a failed ipmitool run means. `what` names the BMC.
pub fn failure(stderr: &str, what: &str) -> DriverError {
    let code = stderr.split("rsp=0x").nth(1).map(|r| r.chars().take(2).collect::<String>().to_ascii_lowercase());
    match code.as_deref() {
        Some("d4") => DriverError::authentication(format!(
            "{what} refused the command: insufficient privilege level (completion code 0xd4); try privilege=ADMINISTRATOR"
        )),
        Some("c1") => DriverError::device(format!(
            "{what} does not support the SeaMicro OEM power command (completion code 0xc1, invalid command): is it an SM15000 chassis?"
        )),
        Some("cc") => DriverError::device(format!(
            "{what} rejected the command's data (completion code 0xcc): is the server number right for this chassis?"
        )),
        Some(c) => DriverError::device(format!("{what} answered the OEM power command with completion code 0x{c}")),
        None if stderr.contains("RAKP 2 HMAC is invalid") || stderr.contains("unauthorized name") || stderr.contains("Invalid user name") => {
            DriverError::authentication(format!("{what} rejected the user name or password (RAKP authentication failed)"))
        }
        None if stderr.contains("Unable to establish") || stderr.contains("No response") => DriverError::unreachable(format!(
            "no IPMI session with {what}: it did not answer (check power_address, the port and that IPMI over LAN is enabled)"
        )),
        None => {
            let last = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("no message");
            DriverError::device(format!("ipmitool failed talking to {what}: {last}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_ids() {
        assert_eq!(server_id("12").unwrap(), 12);
        assert_eq!(server_id("12/0").unwrap(), 12);
        assert_eq!(server_id("010").unwrap(), 10, "decimal, never octal");
        for bad in ["", "256", "-1", "0x1f", "a/0", "/0", "12/abc", "12/", "12/0/1", "0012"] {
            assert!(server_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn numbers_are_canonical_decimal() {
        let s = Session {
            host: "::1".into(),
            port: Some(10623),
            user: "admin".into(),
            privilege: "OPERATOR".into(),
            cipher_suite: 3,
            retries: 1,
        };
        let a = args(&s, 6, server_id("08").unwrap());
        assert_eq!(a[a.len() - 3..], ["6", "0", "8"]);
        assert!(!a.iter().any(|x| x == "-P"));
    }

    #[test]
    fn failures_are_read() {
        let d4 = "Unable to send RAW command (channel=0x0 netfn=0x2e lun=0x0 cmd=0x1 rsp=0xd4): Insufficient privilege level";
        assert!(failure(d4, "x").message().contains("privilege=ADMINISTRATOR"));
        assert!(failure("> RAKP 2 HMAC is invalid\nError: Unable to establish IPMI v2 / RMCP+ session", "x")
            .message()
            .contains("password"));
        assert!(failure("Error: Unable to establish IPMI v2 / RMCP+ session", "x")
            .message()
            .contains("did not answer"));
    }
}
