//! The snmpd.conf of one simulated agent: the listening address, the two communities (from
//! loopback only when the agent listens on loopback), the SNMPv3 users (`createUser` with their
//! passphrases, so the file is private) and their access, sysObjectID/sysDescr, and the
//! `pass_persist` line that hands the model's subtree to our program. Text only; `agent.rs`
//! writes it with mode 0600 and starts snmpd on it.
//!
//! Checked against Net-SNMP 5.9.3: snmpd splits the pass_persist command at white space and
//! honours no quotes (a quoted argument arrives with its quotes, split), so no argument may
//! contain white space or quotes; `createUser` reads its passphrases as quoted words with `\`
//! escapes; passphrases shorter than 8 characters make snmpd log an error.

use std::fmt::Write as _;
use std::io;
use std::net::{IpAddr, SocketAddr};

use super::args::SnmpArgs;
use super::v3_user::V3User;
use crate::SimError;

fn invalid(what: String, why: &str) -> SimError {
    SimError::io(what, io::Error::new(io::ErrorKind::InvalidInput, why.to_owned()))
}

/// A word snmpd.conf takes as it is: printable, no white space, quotes, `\` or `#`.
fn word(what: &str, text: &str) -> Result<(), SimError> {
    let bad = |c: char| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '\\' | '#');
    if text.is_empty() || text.chars().any(bad) {
        // The text itself is not echoed: it may be a community.
        return Err(invalid(format!("{what} cannot go into snmpd.conf"), "it must be one word without quotes"));
    }
    Ok(())
}

/// A passphrase as a quoted word (`"` and `\` escaped), at least 8 characters (the USM
/// minimum snmpd enforces).
fn passphrase(user: &str, which: &str, text: &str) -> Result<String, SimError> {
    if text.chars().count() < 8 {
        return Err(invalid(format!("the {which} passphrase of SNMPv3 user {user}"), "it needs at least 8 characters"));
    }
    if text.chars().any(char::is_control) {
        return Err(invalid(format!("the {which} passphrase of SNMPv3 user {user}"), "it has a control character"));
    }
    Ok(format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\"")))
}

/// The text of snmpd.conf for an agent on `addr` whose pass_persist program is `program`
/// (its path and arguments).
pub(crate) fn snmpd_conf(
    args: &SnmpArgs,
    addr: SocketAddr,
    users: &[V3User],
    program: &[String],
) -> Result<String, SimError> {
    word("the read-write community", &args.community)?;
    word("the read-only community", &args.ro_community)?;
    for part in program {
        word("the pass_persist program argument", part)?;
    }
    let (transport, suffix, source) = match addr.ip() {
        IpAddr::V4(ip) => {
            (format!("udp:{ip}:{}", addr.port()), "", if ip.is_loopback() { "127.0.0.1" } else { "default" })
        }
        IpAddr::V6(ip) => {
            (format!("udp6:[{ip}]:{}", addr.port()), "6", if ip.is_loopback() { "::1" } else { "default" })
        }
    };
    let mut conf = String::from(
        "# snmpd.conf of one powerplug SNMP simulator run (powerplug simulate pdu|poe). Private (0600):\n\
         # it holds the agent's communities and SNMPv3 passphrases.\n",
    );
    let _ = writeln!(conf, "agentaddress {transport}");
    let _ = writeln!(conf, "rwcommunity{suffix} {} {source}", args.community);
    let _ = writeln!(conf, "rocommunity{suffix} {} {source}", args.ro_community);
    for user in users {
        word("the SNMPv3 user name", &user.name)?;
        let mut line = format!("createUser {}", user.name);
        if let Some((protocol, pass)) = &user.auth {
            let _ = write!(line, " {} {}", protocol.name(), passphrase(&user.name, "authentication", pass.expose())?);
            if let Some((privacy, pass)) = &user.privacy {
                let _ = write!(line, " {} {}", privacy.name(), passphrase(&user.name, "privacy", pass.expose())?);
            }
        } else if user.privacy.is_some() {
            return Err(invalid(format!("SNMPv3 user {}", user.name), "privacy needs authentication"));
        }
        let access = if user.read_only { "rouser" } else { "rwuser" };
        let level = match user.security_level() {
            "authPriv" => "priv",
            "authNoPriv" => "auth",
            _ => "noauth",
        };
        let _ = writeln!(conf, "{line}\n{access} {} {level}", user.name);
    }
    let _ = writeln!(conf, "sysobjectid {}", args.model.sys_object_id());
    let _ = writeln!(conf, "sysdescr {}", args.model.sys_descr());
    conf.push_str("dontLogTCPWrappersConnects yes\n");
    let _ = writeln!(conf, "pass_persist {} {}", args.model.subtree(), program.join(" "));
    Ok(conf)
}

#[cfg(test)]
mod tests {
    use super::super::v3_user::{AuthProtocol, PrivProtocol};
    use super::*;

    #[test]
    fn writes_communities_users_and_the_pass_persist_line() {
        let users = [
            V3User::no_auth("plain"),
            V3User::auth("reader", AuthProtocol::Sha256, "authpass1").read_only(),
            V3User::auth_priv("admin", AuthProtocol::Sha, "a \"quoted\" pass", PrivProtocol::Aes, "privpass1"),
        ];
        let program = ["/bin/pp".to_owned(), "--pass-persist".to_owned()];
        let conf = snmpd_conf(&SnmpArgs::default(), "127.0.0.1:1161".parse().unwrap(), &users, &program).unwrap();
        for line in [
            "agentaddress udp:127.0.0.1:1161\n",
            "rwcommunity private 127.0.0.1\n",
            "rocommunity public 127.0.0.1\n",
            "createUser plain\nrwuser plain noauth\n",
            "createUser reader SHA-256 \"authpass1\"\nrouser reader auth\n",
            "createUser admin SHA \"a \\\"quoted\\\" pass\" AES \"privpass1\"\nrwuser admin priv\n",
            "sysobjectid .1.3.6.1.4.1.318.1.3.4.5\n",
            "pass_persist .1.3.6.1.4.1.318.1.1 /bin/pp --pass-persist\n",
        ] {
            assert!(conf.contains(line), "{line:?} missing from\n{conf}");
        }
        let v6 = snmpd_conf(&SnmpArgs::default(), "[::1]:1161".parse().unwrap(), &[], &program).unwrap();
        assert!(v6.contains("agentaddress udp6:[::1]:1161\n") && v6.contains("rwcommunity6 private ::1\n"), "{v6}");
    }

    #[test]
    fn refuses_what_snmpd_would_misread() {
        let addr = "127.0.0.1:1161".parse().unwrap();
        let spaced = ["/tmp/my dir/pp".to_owned()];
        assert!(snmpd_conf(&SnmpArgs::default(), addr, &[], &spaced).is_err());
        let args = SnmpArgs { community: "two words".into(), ..SnmpArgs::default() };
        assert!(snmpd_conf(&args, addr, &[], &[]).is_err());
        let short = [V3User::auth("u", AuthProtocol::Sha, "short")];
        let err = format!("{:?}", snmpd_conf(&SnmpArgs::default(), addr, &short, &[]).unwrap_err());
        assert!(err.contains("at least 8 characters") && !err.contains("short"), "{err}");
    }
}
