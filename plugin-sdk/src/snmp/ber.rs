//! BER, as much as SNMP needs (X.690 definite lengths only): encoding of INTEGER, OCTET STRING,
//! NULL, OBJECT IDENTIFIER, SEQUENCE and SNMP's application types, and a bounds-checked reader
//! that never allocates more than the datagram it reads and refuses indefinite or overlong
//! lengths, so a hostile agent's reply cannot make it read past its input.

use super::{Oid, Value};

pub(crate) const INTEGER: u8 = 0x02;
pub(crate) const OCTET_STRING: u8 = 0x04;
pub(crate) const NULL: u8 = 0x05;
pub(crate) const OBJECT_ID: u8 = 0x06;
pub(crate) const SEQUENCE: u8 = 0x30;
const IP_ADDRESS: u8 = 0x40;
const COUNTER32: u8 = 0x41;
const GAUGE32: u8 = 0x42;
const TIMETICKS: u8 = 0x43;
const OPAQUE: u8 = 0x44;
const COUNTER64: u8 = 0x46;
const NO_SUCH_OBJECT: u8 = 0x80;
const NO_SUCH_INSTANCE: u8 = 0x81;
const END_OF_MIB_VIEW: u8 = 0x82;

/// A reply that is not valid BER (or not what SNMP puts there).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed BER: {0}")]
pub(crate) struct BerError(pub(crate) &'static str);

/// `tag`, the definite length of `content`, then `content`.
pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes = (n as u64).to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (8 - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// A SEQUENCE (or a PDU, with its context tag) of already encoded parts.
pub(crate) fn sequence(tag: u8, parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(tag, &parts.concat())
}

/// INTEGER (or an application integer type's tag) in minimal two's complement.
pub(crate) fn integer(tag: u8, v: i64) -> Vec<u8> {
    let bytes = v.to_be_bytes();
    let mut start = 0;
    while start < 7 {
        let (b, next) = (bytes[start], bytes[start + 1]);
        if (b == 0 && next & 0x80 == 0) || (b == 0xff && next & 0x80 != 0) {
            start += 1;
        } else {
            break;
        }
    }
    tlv(tag, &bytes[start..])
}

/// An unsigned application value (Counter32, Gauge32, TimeTicks, Counter64).
fn unsigned(tag: u8, v: u64) -> Vec<u8> {
    let bytes = v.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count().min(7);
    let mut content = Vec::with_capacity(9);
    if bytes[skip] & 0x80 != 0 {
        content.push(0);
    }
    content.extend_from_slice(&bytes[skip..]);
    tlv(tag, &content)
}

pub(crate) fn octets(v: &[u8]) -> Vec<u8> {
    tlv(OCTET_STRING, v)
}

pub(crate) fn oid(oid: &Oid) -> Vec<u8> {
    let arcs = oid.arcs();
    let mut content = Vec::with_capacity(arcs.len() + 4);
    let (first, rest) = match arcs {
        [a, b, rest @ ..] => (a * 40 + b, rest),
        [a] => (a * 40, &[][..]),
        [] => (0, &[][..]),
    };
    for arc in std::iter::once(&first).chain(rest) {
        let mut groups = [0u8; 5];
        let mut n = 0;
        let mut v = *arc;
        loop {
            groups[n] = (v & 0x7f) as u8;
            n += 1;
            v >>= 7;
            if v == 0 {
                break;
            }
        }
        for i in (0..n).rev() {
            content.push(groups[i] | if i > 0 { 0x80 } else { 0 });
        }
    }
    tlv(OBJECT_ID, &content)
}

pub(crate) fn value(v: &Value) -> Vec<u8> {
    match v {
        Value::Integer(i) => integer(INTEGER, *i),
        Value::OctetString(s) => octets(s),
        Value::Null => tlv(NULL, &[]),
        Value::ObjectId(o) => oid(o),
        Value::IpAddress(a) => tlv(IP_ADDRESS, a),
        Value::Counter32(n) => unsigned(COUNTER32, u64::from(*n)),
        Value::Gauge32(n) => unsigned(GAUGE32, u64::from(*n)),
        Value::TimeTicks(n) => unsigned(TIMETICKS, u64::from(*n)),
        Value::Opaque(s) => tlv(OPAQUE, s),
        Value::Counter64(n) => unsigned(COUNTER64, *n),
        Value::NoSuchObject => tlv(NO_SUCH_OBJECT, &[]),
        Value::NoSuchInstance => tlv(NO_SUCH_INSTANCE, &[]),
        Value::EndOfMibView => tlv(END_OF_MIB_VIEW, &[]),
    }
}

/// Reads TLVs out of one buffer.
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// The next TLV's tag and content.
    pub(crate) fn any(&mut self) -> Result<(u8, &'a [u8]), BerError> {
        self.any_whole().map(|(tag, content, _)| (tag, content))
    }

    /// The next TLV's tag, content, and the whole TLV (header included).
    pub(crate) fn any_whole(&mut self) -> Result<(u8, &'a [u8], &'a [u8]), BerError> {
        let start = self.pos;
        let rest = &self.data[self.pos..];
        let (&tag, rest) = rest.split_first().ok_or(BerError("truncated: a value was expected"))?;
        let (&first, mut rest) = rest.split_first().ok_or(BerError("truncated length"))?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 || rest.len() < n {
                return Err(BerError("indefinite, overlong or truncated length"));
            }
            let len = rest[..n].iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            rest = &rest[n..];
            len
        };
        if rest.len() < len {
            return Err(BerError("a length runs past the end of the message"));
        }
        let header = self.data.len() - self.pos - rest.len();
        let content = &rest[..len];
        self.pos += header + len;
        Ok((tag, content, &self.data[start..self.pos]))
    }

    /// The next TLV, which must carry `tag`.
    pub(crate) fn expect(&mut self, tag: u8, what: &'static str) -> Result<&'a [u8], BerError> {
        match self.any()? {
            (t, content) if t == tag => Ok(content),
            _ => Err(BerError(what)),
        }
    }

    pub(crate) fn integer(&mut self) -> Result<i64, BerError> {
        decode_signed(self.expect(INTEGER, "an INTEGER was expected")?)
    }

    pub(crate) fn octets(&mut self) -> Result<&'a [u8], BerError> {
        self.expect(OCTET_STRING, "an OCTET STRING was expected")
    }

    /// A nested reader over the next TLV's content, which must carry `tag`.
    pub(crate) fn nested(&mut self, tag: u8, what: &'static str) -> Result<Reader<'a>, BerError> {
        self.expect(tag, what).map(Reader::new)
    }
}

fn decode_signed(c: &[u8]) -> Result<i64, BerError> {
    if c.is_empty() || c.len() > 8 {
        return Err(BerError("an INTEGER of 0 or more than 8 bytes"));
    }
    let init = if c[0] & 0x80 != 0 { -1i64 } else { 0 };
    Ok(c.iter().fold(init, |acc, b| (acc << 8) | i64::from(*b)))
}

fn decode_unsigned(c: &[u8], max_bytes: usize) -> Result<u64, BerError> {
    let c = if c.len() > 1 && c[0] == 0 { &c[1..] } else { c };
    if c.is_empty() || c.len() > max_bytes {
        return Err(BerError("an unsigned value out of range"));
    }
    Ok(c.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
}

pub(crate) fn decode_oid(c: &[u8]) -> Result<Oid, BerError> {
    if c.is_empty() || c.len() > 512 {
        return Err(BerError("an OBJECT IDENTIFIER of 0 or more than 512 bytes"));
    }
    let mut arcs = Vec::with_capacity(c.len() + 1);
    let mut v: u64 = 0;
    for (i, b) in c.iter().enumerate() {
        v = (v << 7) | u64::from(b & 0x7f);
        if v > u64::from(u32::MAX) {
            return Err(BerError("an OBJECT IDENTIFIER arc above 2^32"));
        }
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let (a, b) = if v < 80 { (v / 40, v % 40) } else { (2, v - 80) };
                arcs.extend([a as u32, b as u32]);
            } else {
                arcs.push(v as u32);
            }
            v = 0;
        } else if i == c.len() - 1 {
            return Err(BerError("a truncated OBJECT IDENTIFIER"));
        }
    }
    Ok(Oid::from_arcs(arcs))
}

pub(crate) fn decode_value(tag: u8, c: &[u8]) -> Result<Value, BerError> {
    let u32_of = |c| decode_unsigned(c, 4).map(|v| v as u32);
    Ok(match tag {
        INTEGER => Value::Integer(decode_signed(c)?),
        OCTET_STRING => Value::OctetString(c.to_vec()),
        NULL => Value::Null,
        OBJECT_ID => Value::ObjectId(decode_oid(c)?),
        IP_ADDRESS => Value::IpAddress(c.try_into().map_err(|_| BerError("an IpAddress that is not 4 bytes"))?),
        COUNTER32 => Value::Counter32(u32_of(c)?),
        GAUGE32 => Value::Gauge32(u32_of(c)?),
        TIMETICKS => Value::TimeTicks(u32_of(c)?),
        OPAQUE => Value::Opaque(c.to_vec()),
        COUNTER64 => Value::Counter64(decode_unsigned(c, 8)?),
        NO_SUCH_OBJECT => Value::NoSuchObject,
        NO_SUCH_INSTANCE => Value::NoSuchInstance,
        END_OF_MIB_VIEW => Value::EndOfMibView,
        _ => return Err(BerError("a value of a type SNMP does not define")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_and_oids_round_trip_in_their_known_encodings() {
        assert_eq!(integer(INTEGER, 0), [2, 1, 0]);
        assert_eq!(integer(INTEGER, 128), [2, 2, 0, 128]);
        assert_eq!(integer(INTEGER, -1), [2, 1, 0xff]);
        assert_eq!(integer(INTEGER, -129), [2, 2, 0xff, 0x7f]);
        assert_eq!(unsigned(GAUGE32, 0xffff_ffff), [0x42, 5, 0, 0xff, 0xff, 0xff, 0xff]);
        for v in [0i64, 1, -1, 127, 128, -128, -129, 65535, i64::from(i32::MIN), i64::MAX, i64::MIN] {
            let e = integer(INTEGER, v);
            assert_eq!(Reader::new(&e).integer().unwrap(), v, "{v}");
        }
        // sysObjectID of an APC rPDU: .1.3.6.1.4.1.318.1.3.4.5 (318 = 0x82 0x3e).
        let o: Oid = ".1.3.6.1.4.1.318.1.3.4.5".parse().unwrap();
        let e = oid(&o);
        assert_eq!(e, [6, 11, 0x2b, 6, 1, 4, 1, 0x82, 0x3e, 1, 3, 4, 5]);
        let (tag, c) = Reader::new(&e).any().unwrap();
        assert_eq!((tag, decode_oid(c).unwrap()), (OBJECT_ID, o));
        let big: Oid = "1.3.4294967295".parse().unwrap();
        assert_eq!(decode_oid(Reader::new(&oid(&big)).any().unwrap().1).unwrap(), big);
    }

    #[test]
    fn long_lengths_encode_and_hostile_lengths_are_refused() {
        let long = tlv(OCTET_STRING, &[7; 300]);
        assert_eq!(&long[..4], &[4, 0x82, 1, 44]);
        assert_eq!(Reader::new(&long).octets().unwrap().len(), 300);
        for bad in
            [&[4u8, 0x80][..], &[4, 0x85, 1, 1, 1, 1, 1], &[4, 0x84, 0xff, 0xff, 0xff, 0xff, 0], &[4, 5, 1], &[4]]
        {
            assert!(Reader::new(bad).any().is_err(), "{bad:?}");
        }
        assert!(decode_oid(&[0x2b, 0x82]).is_err(), "truncated arc");
        assert!(decode_oid(&[0x2b, 0x9f, 0xff, 0xff, 0xff, 0x7f]).is_err(), "arc above 2^32");
        assert!(decode_value(0x47, &[]).is_err());
    }
}
