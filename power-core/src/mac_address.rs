//! `MacAddress`: parses the four common MAC notations (colon, hyphen, Cisco dotted, bare hex;
//! any case) into six bytes and prints the canonical `aa:bb:cc:dd:ee:ff`. Also parses the 4- or
//! 6-byte SecureOn passwords wake-on-LAN uses, which share the notations.

use std::fmt;
use std::str::FromStr;

/// A 48-bit Ethernet MAC address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MacAddress(pub [u8; 6]);

/// The text is not a MAC address (or SecureOn password) in an accepted notation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct MacParseError {
    reason: &'static str,
}

/// Parses `n` bytes written as `xx:xx:..`, `xx-xx-..`, dotted groups of four hex digits
/// (`xxxx.xxxx..`) or `2n` bare hex digits.
pub fn parse_hex_bytes(text: &str, n: usize) -> Result<Vec<u8>, MacParseError> {
    let t = text.trim();
    let digits: String = if t.contains(':') || t.contains('-') {
        let sep = if t.contains(':') { ':' } else { '-' };
        let groups: Vec<&str> = t.split(sep).collect();
        if groups.len() != n || groups.iter().any(|g| g.len() != 2) {
            return Err(MacParseError { reason: "wrong number of two-digit groups" });
        }
        groups.concat()
    } else if t.contains('.') {
        let groups: Vec<&str> = t.split('.').collect();
        if groups.len() * 2 != n || groups.iter().any(|g| g.len() != 4) {
            return Err(MacParseError { reason: "wrong number of four-digit groups" });
        }
        groups.concat()
    } else {
        t.to_owned()
    };
    if digits.len() != 2 * n {
        return Err(MacParseError { reason: "wrong number of hex digits" });
    }
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(MacParseError { reason: "not a hexadecimal digit" });
    }
    Ok((0..n).map(|i| u8::from_str_radix(&digits[2 * i..2 * i + 2], 16).unwrap_or_default()).collect())
}

impl FromStr for MacAddress {
    type Err = MacParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = parse_hex_bytes(s, 6)?;
        let mut out = [0u8; 6];
        out.copy_from_slice(&bytes);
        Ok(Self(out))
    }
}

impl fmt::Display for MacAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        write!(f, "{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{g:02x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notation_gives_the_same_bytes() {
        for text in ["aa:BB:cc:dd:ee:01", "AA-bb-CC-dd-EE-01", "aabb.ccdd.ee01", "AABBCCDDEE01"] {
            let mac: MacAddress = text.parse().unwrap();
            assert_eq!(mac.0, [0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x01], "{text}");
            assert_eq!(mac.to_string(), "aa:bb:cc:dd:ee:01");
        }
    }

    #[test]
    fn rejects_near_misses() {
        for text in [
            "",
            "aa:bb:cc:dd:ee",
            "aa:bb:cc:dd:ee:f",
            "aa:bb-cc:dd:ee:ff",
            "gg:bb:cc:dd:ee:ff",
            "aabb.ccdd.eef",
            "aabbccddeef",
            "aa:bb:cc:dd:ee:ff:00",
        ] {
            assert!(text.parse::<MacAddress>().is_err(), "{text}");
        }
        assert_eq!(parse_hex_bytes("01:02:03:04", 4).unwrap(), [1, 2, 3, 4]);
        assert_eq!(parse_hex_bytes("0102.0304", 4).unwrap(), [1, 2, 3, 4]);
    }
}
