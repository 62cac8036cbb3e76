//! The magic packet: 6 x 0xFF, the MAC 16 times, then the optional SecureOn bytes; and parsing
//! of SecureOn passwords (4 or 6 bytes, written like a MAC). Pure functions, no I/O.

use plugin_sdk::MacAddress;

/// The formats a SecureOn password may be written in.
pub const SECUREON_FORMATS: &str = "4 or 6 bytes written like a MAC address: aa:bb:cc:dd[:ee:ff], \
     aa-bb-cc-dd[-ee-ff], aabb.ccdd[.eeff] or 8/12 hex digits";

/// Builds the UDP payload (102 bytes, or 106/108 with SecureOn).
pub fn packet(mac: MacAddress, secureon: Option<&[u8]>) -> Vec<u8> {
    let mut p = Vec::with_capacity(108);
    p.extend_from_slice(&[0xFF; 6]);
    for _ in 0..16 {
        p.extend_from_slice(&mac.0);
    }
    if let Some(s) = secureon {
        p.extend_from_slice(s);
    }
    p
}

/// Parses a SecureOn password of 6 or 4 bytes; `None` when it is neither.
pub fn parse_secureon(text: &str) -> Option<Vec<u8>> {
    plugin_sdk::parse_hex_bytes(text, 6).or_else(|_| plugin_sdk::parse_hex_bytes(text, 4)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packet_layout() {
        let mac: MacAddress = "01:02:03:0a:0b:0c".parse().unwrap();
        let p = packet(mac, None);
        assert_eq!(p.len(), 102);
        assert_eq!(&p[..6], &[0xFF; 6]);
        assert!(p[6..].chunks(6).all(|c| c == mac.0));
        assert_eq!(packet(mac, Some(&[1, 2, 3, 4])).len(), 106);
        assert_eq!(&packet(mac, Some(&[1, 2, 3, 4, 5, 6]))[102..], &[1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn secureon_notations() {
        for t in ["01:02:03:04", "01-02-03-04", "0102.0304", "01020304"] {
            assert_eq!(parse_secureon(t), Some(vec![1, 2, 3, 4]), "{t}");
        }
        assert_eq!(parse_secureon("0102.0304.0506"), Some(vec![1, 2, 3, 4, 5, 6]));
        for t in ["", "01:02:03", "0102030405", "zz:02:03:04"] {
            assert_eq!(parse_secureon(t), None, "{t}");
        }
    }
}
