//! SNMPv3's User-based Security Model (RFC 3414, RFC 7860 for the SHA-2 family, RFC 3826 for
//! AES): passphrase-to-key and key localization, the truncated HMAC that authenticates a
//! message, and the cipher that encrypts its scoped PDU — AES-128 in CFB mode, AES-192/256 with
//! the key extended as draft-blumenthal-aes-usm-04 (what Net-SNMP's `AES192`/`AES256` are), and
//! RFC 3414's DES-CBC for old agents. Keys live only in this module's `Keys`; nothing here logs.

use aes::cipher::{AsyncStreamCipher, KeyIvInit};

use hmac::{Mac, SimpleHmac};
use sha2::Digest;

use super::{AuthProtocol, PrivProtocol};

/// One user's keys, localized to one engine.
pub(crate) struct Keys {
    pub(crate) auth: Option<(AuthProtocol, Vec<u8>)>,
    pub(crate) privacy: Option<(PrivProtocol, Vec<u8>)>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(***)")
    }
}

fn hash(p: AuthProtocol, parts: &[&[u8]]) -> Vec<u8> {
    fn run<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
        let mut d = D::new();
        for p in parts {
            d.update(p);
        }
        d.finalize().to_vec()
    }
    match p {
        AuthProtocol::Md5 => run::<md5::Md5>(parts),
        AuthProtocol::Sha1 => run::<sha1::Sha1>(parts),
        AuthProtocol::Sha224 => run::<sha2::Sha224>(parts),
        AuthProtocol::Sha256 => run::<sha2::Sha256>(parts),
        AuthProtocol::Sha384 => run::<sha2::Sha384>(parts),
        AuthProtocol::Sha512 => run::<sha2::Sha512>(parts),
    }
}

/// RFC 3414 A.2: hash 1 MiB of the passphrase repeated, then localize it to `engine_id`:
/// `H(Ku || engineID || Ku)`.
pub(crate) fn localized_key(p: AuthProtocol, passphrase: &[u8], engine_id: &[u8]) -> Vec<u8> {
    const MIB: usize = 1 << 20;
    let stream: Vec<u8> = passphrase.iter().copied().cycle().take(MIB).collect();
    let ku = hash(p, &[&stream]);
    hash(p, &[&ku, engine_id, &ku])
}

/// The truncated HMAC of `msg` (the whole message with the authentication field zeroed).
pub(crate) fn mac(p: AuthProtocol, key: &[u8], msg: &[u8]) -> Vec<u8> {
    fn run<D: Digest + hmac::digest::core_api::BlockSizeUser>(key: &[u8], msg: &[u8]) -> Vec<u8> {
        let mut m = <SimpleHmac<D> as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
        m.update(msg);
        m.finalize().into_bytes().to_vec()
    }
    let mut full = match p {
        AuthProtocol::Md5 => run::<md5::Md5>(key, msg),
        AuthProtocol::Sha1 => run::<sha1::Sha1>(key, msg),
        AuthProtocol::Sha224 => run::<sha2::Sha224>(key, msg),
        AuthProtocol::Sha256 => run::<sha2::Sha256>(key, msg),
        AuthProtocol::Sha384 => run::<sha2::Sha384>(key, msg),
        AuthProtocol::Sha512 => run::<sha2::Sha512>(key, msg),
    };
    full.truncate(p.mac_len());
    full
}

/// Compares two MACs in constant time.
pub(crate) fn mac_matches(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// RFC 3826's IV: the engine's boots and time (big-endian) and the 64-bit salt.
fn aes_iv(boots: u32, time: u32, salt: &[u8; 8]) -> [u8; 16] {
    let mut iv = [0u8; 16];
    iv[..4].copy_from_slice(&boots.to_be_bytes());
    iv[4..8].copy_from_slice(&time.to_be_bytes());
    iv[8..].copy_from_slice(salt);
    iv
}

fn cfb<C>(key: &[u8], iv: &[u8; 16], data: &mut [u8], encrypt: bool)
where
    C: aes::cipher::BlockCipher
        + aes::cipher::BlockEncrypt
        + aes::cipher::KeyInit
        + aes::cipher::BlockSizeUser<BlockSize = aes::cipher::consts::U16>,
{
    if encrypt {
        cfb_mode::Encryptor::<C>::new_from_slices(key, iv).expect("key and IV lengths match the cipher").encrypt(data);
    } else {
        cfb_mode::Decryptor::<C>::new_from_slices(key, iv).expect("key and IV lengths match the cipher").decrypt(data);
    }
}

/// RFC 3414 8.1.1: DES-CBC with IV = pre-IV (key bytes 8..16) XOR salt, the data padded to 8.
fn des_cbc(key: &[u8], salt: &[u8; 8], data: &mut Vec<u8>, encrypt: bool) {
    use aes::cipher::{BlockDecryptMut, BlockEncryptMut};
    let mut iv = [0u8; 8];
    for (i, b) in iv.iter_mut().enumerate() {
        *b = key[8 + i] ^ salt[i];
    }
    if encrypt {
        data.resize(data.len().div_ceil(8) * 8, 0);
        let mut c = cbc::Encryptor::<des::Des>::new_from_slices(&key[..8], &iv).expect("DES key and IV are 8 bytes");
        for block in data.chunks_exact_mut(8) {
            c.encrypt_block_mut(block.into());
        }
    } else {
        data.truncate(data.len() / 8 * 8);
        let mut c = cbc::Decryptor::<des::Des>::new_from_slices(&key[..8], &iv).expect("DES key and IV are 8 bytes");
        for block in data.chunks_exact_mut(8) {
            c.decrypt_block_mut(block.into());
        }
    }
}

/// The `msgPrivacyParameters` for one message: AES's 64-bit salt is the counter; DES's is the
/// engine's boots and the counter's low 32 bits.
pub(crate) fn salt(p: PrivProtocol, boots: u32, counter: u64) -> [u8; 8] {
    match p {
        PrivProtocol::Des => {
            let mut s = [0u8; 8];
            s[..4].copy_from_slice(&boots.to_be_bytes());
            s[4..].copy_from_slice(&(counter as u32).to_be_bytes());
            s
        }
        _ => counter.to_be_bytes(),
    }
}

/// Encrypts (or decrypts) a scoped PDU in place; DES may grow it to a multiple of 8.
pub(crate) fn crypt(
    p: PrivProtocol,
    key: &[u8],
    boots: u32,
    time: u32,
    salt: &[u8; 8],
    data: &mut Vec<u8>,
    encrypt: bool,
) {
    let iv = aes_iv(boots, time, salt);
    match p {
        PrivProtocol::Aes128 => cfb::<aes::Aes128>(key, &iv, data, encrypt),
        PrivProtocol::Aes192 => cfb::<aes::Aes192>(key, &iv, data, encrypt),
        PrivProtocol::Aes256 => cfb::<aes::Aes256>(key, &iv, data, encrypt),
        PrivProtocol::Des => des_cbc(key, salt, data, encrypt),
    }
}

impl Keys {
    /// Localizes the passphrases to `engine_id`. The privacy key comes from its passphrase
    /// localized with the authentication hash (RFC 3826 3.1.2.1), extended when the cipher needs
    /// more than the hash gives by appending the hash of the key so far (Blumenthal).
    pub(crate) fn localize(
        auth: Option<(AuthProtocol, &[u8])>,
        privacy: Option<(PrivProtocol, &[u8])>,
        engine_id: &[u8],
    ) -> Self {
        let auth_key = auth.map(|(p, pass)| (p, localized_key(p, pass, engine_id)));
        let privacy = match (auth, privacy) {
            (Some((ap, _)), Some((pp, pass))) => {
                let mut key = localized_key(ap, pass, engine_id);
                while key.len() < pp.key_len() {
                    let more = hash(ap, &[&key]);
                    key.extend_from_slice(&more);
                }
                key.truncate(pp.key_len());
                Some((pp, key))
            }
            _ => None,
        };
        Self { auth: auth_key, privacy }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn key_localization_matches_rfc_3414_vectors() {
        // RFC 3414 A.3.1 / A.3.2: passphrase "maplesyrup", engine ID 00..02.
        let engine = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
        assert_eq!(hex(&localized_key(AuthProtocol::Md5, b"maplesyrup", &engine)), "526f5eed9fcce26f8964c2930787d82b");
        assert_eq!(
            hex(&localized_key(AuthProtocol::Sha1, b"maplesyrup", &engine)),
            "6695febc9288e36282235fc7151f128497b38f3f"
        );
        // (SHA-2 keys are checked against Net-SNMP's snmpd in the integration tests.)
    }

    #[test]
    fn aes_cfb_round_trips_without_padding_and_macs_truncate() {
        for p in [PrivProtocol::Aes128, PrivProtocol::Aes192, PrivProtocol::Aes256, PrivProtocol::Des] {
            let key = vec![7u8; p.key_len()];
            let mut data = b"thirteen byte".to_vec();
            let salt = salt(p, 3, 99);
            crypt(p, &key, 3, 1000, &salt, &mut data, true);
            assert_ne!(&data[..13], b"thirteen byte", "{p:?}");
            assert_eq!(
                data.len(),
                if p == PrivProtocol::Des { 16 } else { 13 },
                "{p:?}: CFB keeps the length, CBC pads"
            );
            crypt(p, &key, 3, 1000, &salt, &mut data, false);
            assert_eq!(&data[..13], b"thirteen byte", "{p:?}");
        }
        assert_eq!(salt(PrivProtocol::Des, 3, 0x1_0000_0002), [0, 0, 0, 3, 0, 0, 0, 2]);
        for (p, n) in
            [(AuthProtocol::Md5, 12), (AuthProtocol::Sha1, 12), (AuthProtocol::Sha256, 24), (AuthProtocol::Sha512, 48)]
        {
            assert_eq!(mac(p, b"k", b"m").len(), n, "{p:?}");
        }
        assert!(mac_matches(b"abc", b"abc") && !mac_matches(b"abc", b"abd") && !mac_matches(b"ab", b"abc"));
    }
}
