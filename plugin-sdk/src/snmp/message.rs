//! SNMP messages on the wire: PDUs (RFC 3416), the v1/v2c community message (RFC 1157/1901)
//! and the v3 message with its USM security parameters (RFC 3412, 3414), encoded and decoded
//! with [`super::ber`]. Cryptography is [`super::usm`]'s; this file only lays bytes out.

use std::ops::Range;

use super::ber::{self, BerError, Reader, INTEGER, OBJECT_ID, OCTET_STRING, SEQUENCE};
use super::{Oid, Value};

pub(crate) const GET: u8 = 0xa0;
pub(crate) const GET_NEXT: u8 = 0xa1;
pub(crate) const RESPONSE: u8 = 0xa2;
pub(crate) const SET: u8 = 0xa3;
pub(crate) const REPORT: u8 = 0xa8;

/// msgFlags bits.
pub(crate) const FLAG_AUTH: u8 = 0x01;
pub(crate) const FLAG_PRIV: u8 = 0x02;
pub(crate) const FLAG_REPORTABLE: u8 = 0x04;

/// The largest message we accept (msgMaxSize): one UDP datagram.
pub(crate) const MAX_MESSAGE: usize = 65_507;

/// A PDU (every SNMP operation has the same shape).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pdu {
    pub(crate) tag: u8,
    pub(crate) request_id: i32,
    pub(crate) error_status: i64,
    pub(crate) error_index: i64,
    pub(crate) varbinds: Vec<(Oid, Value)>,
}

impl Pdu {
    pub(crate) fn encode(&self) -> Vec<u8> {
        let vbs: Vec<Vec<u8>> =
            self.varbinds.iter().map(|(o, v)| ber::sequence(SEQUENCE, &[ber::oid(o), ber::value(v)])).collect();
        ber::sequence(
            self.tag,
            &[
                ber::integer(INTEGER, i64::from(self.request_id)),
                ber::integer(INTEGER, self.error_status),
                ber::integer(INTEGER, self.error_index),
                ber::sequence(SEQUENCE, &vbs),
            ],
        )
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, BerError> {
        let (tag, content) = r.any()?;
        if !matches!(tag, GET | GET_NEXT | RESPONSE | SET | REPORT) {
            return Err(BerError("not a PDU an agent answers with"));
        }
        let mut p = Reader::new(content);
        let request_id = i32::try_from(p.integer()?).map_err(|_| BerError("a request-id out of range"))?;
        let error_status = p.integer()?;
        let error_index = p.integer()?;
        let mut list = p.nested(SEQUENCE, "a varbind list was expected")?;
        let mut varbinds = Vec::new();
        while !list.is_empty() {
            let mut vb = list.nested(SEQUENCE, "a varbind was expected")?;
            let name = ber::decode_oid(vb.expect(OBJECT_ID, "a varbind's name was expected")?)?;
            let (t, c) = vb.any()?;
            varbinds.push((name, ber::decode_value(t, c)?));
        }
        Ok(Self { tag, request_id, error_status, error_index, varbinds })
    }
}

/// A v1 (`version` 0) or v2c (1) message.
pub(crate) fn community_message(version: i64, community: &[u8], pdu: &Pdu) -> Vec<u8> {
    ber::sequence(SEQUENCE, &[ber::integer(INTEGER, version), ber::octets(community), pdu.encode()])
}

/// Decodes a v1/v2c message: its version and PDU (the community is not needed back).
pub(crate) fn parse_community_message(data: &[u8]) -> Result<(i64, Pdu), BerError> {
    let mut msg = Reader::new(data).nested(SEQUENCE, "not an SNMP message")?;
    let version = msg.integer()?;
    msg.octets()?;
    Ok((version, Pdu::decode(&mut msg)?))
}

/// USM security parameters (RFC 3414 2.4).
#[derive(Debug, Clone, Default)]
pub(crate) struct UsmParams {
    pub(crate) engine_id: Vec<u8>,
    pub(crate) boots: u32,
    pub(crate) time: u32,
    pub(crate) user: Vec<u8>,
    pub(crate) auth: Vec<u8>,
    pub(crate) privacy: Vec<u8>,
}

/// msgData: a plaintext scoped PDU or an encrypted one.
pub(crate) enum Data<'a> {
    Plain(&'a [u8]),
    Encrypted(&'a [u8]),
}

/// A v3 message (msgVersion 3, USM), with the MAC field as `usm.auth` (zeros to be filled).
pub(crate) fn v3_message(msg_id: i32, flags: u8, usm: &UsmParams, data: Data<'_>) -> Vec<u8> {
    let header = ber::sequence(
        SEQUENCE,
        &[
            ber::integer(INTEGER, i64::from(msg_id)),
            ber::integer(INTEGER, MAX_MESSAGE as i64),
            ber::octets(&[flags]),
            ber::integer(INTEGER, 3),
        ],
    );
    let sec = ber::sequence(
        SEQUENCE,
        &[
            ber::octets(&usm.engine_id),
            ber::integer(INTEGER, i64::from(usm.boots)),
            ber::integer(INTEGER, i64::from(usm.time)),
            ber::octets(&usm.user),
            ber::octets(&usm.auth),
            ber::octets(&usm.privacy),
        ],
    );
    let data = match data {
        Data::Plain(scoped) => scoped.to_vec(),
        Data::Encrypted(bytes) => ber::octets(bytes),
    };
    ber::sequence(SEQUENCE, &[ber::integer(INTEGER, 3), header, ber::octets(&sec), data])
}

/// A scoped PDU (contextEngineID, empty contextName, PDU).
pub(crate) fn scoped_pdu(context_engine: &[u8], pdu: &Pdu) -> Vec<u8> {
    ber::sequence(SEQUENCE, &[ber::octets(context_engine), ber::octets(b""), pdu.encode()])
}

/// Decodes a (decrypted) scoped PDU.
pub(crate) fn parse_scoped(data: &[u8]) -> Result<Pdu, BerError> {
    let mut s = Reader::new(data).nested(SEQUENCE, "not a scoped PDU (wrong privacy key?)")?;
    s.octets()?;
    s.octets()?;
    Pdu::decode(&mut s)
}

/// A decoded v3 message, before authentication and decryption.
pub(crate) struct V3Message<'a> {
    pub(crate) msg_id: i32,
    pub(crate) flags: u8,
    pub(crate) usm: UsmParams,
    /// Where the MAC sits in the message (to zero it and check it).
    pub(crate) auth_range: Range<usize>,
    pub(crate) data: Data<'a>,
}

pub(crate) fn parse_v3(data: &[u8]) -> Result<V3Message<'_>, BerError> {
    let mut msg = Reader::new(data).nested(SEQUENCE, "not an SNMP message")?;
    if msg.integer()? != 3 {
        return Err(BerError("not an SNMPv3 message"));
    }
    let mut header = msg.nested(SEQUENCE, "a v3 header was expected")?;
    let msg_id = i32::try_from(header.integer()?).map_err(|_| BerError("a msgID out of range"))?;
    header.integer()?;
    let flags = *header.octets()?.first().ok_or(BerError("empty msgFlags"))?;
    if header.integer()? != 3 {
        return Err(BerError("a security model other than USM"));
    }
    let mut sec = Reader::new(msg.octets()?).nested(SEQUENCE, "USM parameters were expected")?;
    let u32_of = |v: i64| u32::try_from(v).map_err(|_| BerError("engine boots or time out of range"));
    let engine_id = sec.octets()?.to_vec();
    let boots = u32_of(sec.integer()?)?;
    let time = u32_of(sec.integer()?)?;
    let user = sec.octets()?.to_vec();
    let auth = sec.octets()?;
    let offset = auth.as_ptr() as usize - data.as_ptr() as usize;
    let auth_range = offset..offset + auth.len();
    let privacy = sec.octets()?.to_vec();
    let usm = UsmParams { engine_id, boots, time, user, auth: auth.to_vec(), privacy };
    let (tag, content, whole) = msg.any_whole()?;
    let data = match tag {
        OCTET_STRING => Data::Encrypted(content),
        SEQUENCE => Data::Plain(whole),
        _ => return Err(BerError("msgData is neither a scoped PDU nor an encrypted one")),
    };
    Ok(V3Message { msg_id, flags, usm, auth_range, data })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snmp::oid::oid;

    #[test]
    fn messages_round_trip_and_the_mac_is_located() {
        let pdu = Pdu {
            tag: SET,
            request_id: -5,
            error_status: 0,
            error_index: 0,
            varbinds: vec![(oid(".1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.3"), Value::Integer(1))],
        };
        let m = community_message(1, b"private", &pdu);
        assert_eq!(parse_community_message(&m).unwrap(), (1, pdu.clone()));
        let usm = UsmParams {
            engine_id: vec![0x80, 0, 1],
            boots: 3,
            time: 99,
            user: b"u".to_vec(),
            auth: vec![0; 12],
            privacy: vec![],
        };
        let m = v3_message(42, FLAG_AUTH | FLAG_REPORTABLE, &usm, Data::Plain(&scoped_pdu(&[0x80, 0, 1], &pdu)));
        let p = parse_v3(&m).unwrap();
        assert_eq!((p.msg_id, p.flags, p.usm.boots, p.usm.time), (42, 5, 3, 99));
        assert_eq!(&m[p.auth_range.clone()], &[0u8; 12]);
        let Data::Plain(scoped) = p.data else { panic!("plain") };
        assert_eq!(parse_scoped(scoped).unwrap(), pdu);
        // Every truncation of a valid message is refused, never a panic.
        for n in 0..m.len() {
            assert!(parse_v3(&m[..n]).is_err(), "{n}");
        }
    }
}
