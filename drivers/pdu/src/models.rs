//! The outlet tables of the PDUs this driver knows, from their vendors' MIBs: which column
//! switches an outlet, which reports it, and how each encodes on and off (APC's rPDU2 inverts
//! rPDU's status values; Raritan reports 7/8; Eaton switches with separate on and off columns
//! that take a delay in seconds). `auto` picks a table from `sysObjectID`'s enterprise number.

use plugin_sdk::snmp::{oid, Oid};

/// How a SET switches an outlet: a column and the value written to it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Command {
    pub(crate) column: &'static str,
    pub(crate) value: i64,
}

/// One vendor's outlet table.
#[derive(Debug)]
pub(crate) struct Table {
    /// The `model` value.
    pub(crate) model: &'static str,
    /// What users call it, in messages.
    pub(crate) label: &'static str,
    /// The status column's MIB name, in messages.
    pub(crate) status_name: &'static str,
    pub(crate) status: &'static str,
    /// Index arcs before the outlet number (Raritan's pduId 1, Eaton's strapping index 0).
    pub(crate) index_prefix: &'static [u32],
    pub(crate) on: Command,
    pub(crate) off: Command,
    pub(crate) status_on: i64,
    pub(crate) status_off: i64,
}

impl Table {
    /// The status variable of outlet `n`.
    pub(crate) fn status_of(&self, n: u32) -> Oid {
        oid(self.status).child(&[self.index_prefix, &[n]].concat())
    }

    /// The status column (for counting outlets).
    pub(crate) fn status_column(&self) -> Oid {
        oid(self.status).child(self.index_prefix)
    }

    /// The variable a SET writes to switch outlet `n`, and the value.
    pub(crate) fn command_of(&self, n: u32, on: bool) -> (Oid, i64) {
        let c = if on { self.on } else { self.off };
        (oid(c.column).child(&[self.index_prefix, &[n]].concat()), c.value)
    }

    /// `Some(on)` for a settled status value, `None` for a pending or unknown one.
    pub(crate) fn decode(&self, v: i64) -> Option<bool> {
        if v == self.status_on {
            Some(true)
        } else if v == self.status_off {
            Some(false)
        } else {
            None
        }
    }
}

const fn cmd(column: &'static str, value: i64) -> Command {
    Command { column, value }
}

/// APC Switched Rack PDU (PowerNet-MIB rPDUOutletControlTable / rPDUOutletStatusTable).
pub(crate) const APC_RPDU: Table = Table {
    model: "apc",
    label: "APC rack PDU (rPDU)",
    status_name: "rPDUOutletStatusOutletState",
    status: ".1.3.6.1.4.1.318.1.1.12.3.5.1.1.4",
    index_prefix: &[],
    on: cmd(".1.3.6.1.4.1.318.1.1.12.3.3.1.1.4", 1),
    off: cmd(".1.3.6.1.4.1.318.1.1.12.3.3.1.1.4", 2),
    status_on: 1,
    status_off: 2,
};

/// APC AP8xxx (rPDU2OutletSwitchedControlTable; the status table reads off 1, on 2).
pub(crate) const APC_RPDU2: Table = Table {
    model: "apc-rpdu2",
    label: "APC rack PDU (rPDU2)",
    status_name: "rPDU2OutletSwitchedStatusState",
    status: ".1.3.6.1.4.1.318.1.1.26.9.2.3.1.5",
    index_prefix: &[],
    on: cmd(".1.3.6.1.4.1.318.1.1.26.9.2.4.1.5", 1),
    off: cmd(".1.3.6.1.4.1.318.1.1.26.9.2.4.1.5", 2),
    status_on: 2,
    status_off: 1,
};

/// APC MasterSwitch (sPDUOutletCtl: one column both switches and reports).
pub(crate) const APC_SPDU: Table = Table {
    model: "apc-spdu",
    label: "APC MasterSwitch (sPDU)",
    status_name: "sPDUOutletCtl",
    status: ".1.3.6.1.4.1.318.1.1.4.4.2.1.3",
    index_prefix: &[],
    on: cmd(".1.3.6.1.4.1.318.1.1.4.4.2.1.3", 1),
    off: cmd(".1.3.6.1.4.1.318.1.1.4.4.2.1.3", 2),
    status_on: 1,
    status_off: 2,
};

/// Raritan PX2/PX3 (PDU2-MIB switchingOperation / outletSwitchingState, pduId 1).
pub(crate) const RARITAN: Table = Table {
    model: "raritan",
    label: "Raritan PDU (PDU2-MIB)",
    status_name: "outletSwitchingState",
    status: ".1.3.6.1.4.1.13742.6.4.1.2.1.3",
    index_prefix: &[1],
    on: cmd(".1.3.6.1.4.1.13742.6.4.1.2.1.2", 1),
    off: cmd(".1.3.6.1.4.1.13742.6.4.1.2.1.2", 0),
    status_on: 7,
    status_off: 8,
};

/// Eaton G3/G4 ePDU (EATON-EPDU-MIB outletControlTable, strapping index 0; the on and off
/// columns take a delay in seconds, 0 = now).
pub(crate) const EATON: Table = Table {
    model: "eaton",
    label: "Eaton ePDU",
    status_name: "outletControlStatus",
    status: ".1.3.6.1.4.1.534.6.6.7.6.6.1.2",
    index_prefix: &[0],
    on: cmd(".1.3.6.1.4.1.534.6.6.7.6.6.1.4", 0),
    off: cmd(".1.3.6.1.4.1.534.6.6.7.6.6.1.3", 0),
    status_on: 1,
    status_off: 0,
};

/// CyberPower switched PDU (CPS-MIB ePDUOutletControlTable / ePDUOutletStatusTable).
pub(crate) const CYBERPOWER: Table = Table {
    model: "cyberpower",
    label: "CyberPower PDU",
    status_name: "ePDUOutletStatusOutletState",
    status: ".1.3.6.1.4.1.3808.1.1.3.3.5.1.1.4",
    index_prefix: &[],
    on: cmd(".1.3.6.1.4.1.3808.1.1.3.3.3.1.1.4", 1),
    off: cmd(".1.3.6.1.4.1.3808.1.1.3.3.3.1.1.4", 2),
    status_on: 1,
    status_off: 2,
};

/// Every table, as `model` names them.
pub(crate) const TABLES: [&Table; 6] = [&APC_RPDU, &APC_RPDU2, &APC_SPDU, &RARITAN, &EATON, &CYBERPOWER];

/// The `model` choices: `auto` and every table.
pub(crate) const CHOICES: [(&str, &str); 7] = [
    ("auto", "from sysObjectID"),
    ("apc", "APC rPDU"),
    ("apc-rpdu2", "APC rPDU2 (AP8xxx)"),
    ("apc-spdu", "APC MasterSwitch (sPDU)"),
    ("raritan", "Raritan PX2/PX3"),
    ("eaton", "Eaton ePDU"),
    ("cyberpower", "CyberPower"),
];

/// `sysObjectID.0`.
pub(crate) const SYS_OBJECT_ID: &str = ".1.3.6.1.2.1.1.2.0";

/// The candidate tables for a `sysObjectID`, in the order to probe them: APC's three
/// generations newest first (one enterprise number covers them all), one table otherwise.
pub(crate) fn candidates(sys_object_id: &Oid) -> &'static [&'static Table] {
    match sys_object_id.arcs() {
        [1, 3, 6, 1, 4, 1, 318, ..] => &[&APC_RPDU2, &APC_RPDU, &APC_SPDU],
        [1, 3, 6, 1, 4, 1, 13742, ..] => &[&RARITAN],
        [1, 3, 6, 1, 4, 1, 534, ..] => &[&EATON],
        [1, 3, 6, 1, 4, 1, 3808, ..] => &[&CYBERPOWER],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_index_and_decode_like_their_mibs() {
        assert_eq!(RARITAN.status_of(3).to_string(), ".1.3.6.1.4.1.13742.6.4.1.2.1.3.1.3");
        assert_eq!(EATON.command_of(3, true), (oid(".1.3.6.1.4.1.534.6.6.7.6.6.1.4.0.3"), 0));
        assert_eq!(EATON.command_of(3, false).0.to_string(), ".1.3.6.1.4.1.534.6.6.7.6.6.1.3.0.3");
        assert_eq!(
            (APC_RPDU2.decode(2), APC_RPDU2.decode(1), APC_RPDU.decode(1)),
            (Some(true), Some(false), Some(true))
        );
        assert_eq!((EATON.decode(3), RARITAN.decode(7), APC_SPDU.decode(4)), (None, Some(true), None));
        assert_eq!(candidates(&oid(".1.3.6.1.4.1.318.1.3.4.5")).len(), 3);
        assert_eq!(candidates(&oid(".1.3.6.1.4.1.13742.6")).first().map(|t| t.model), Some("raritan"));
        assert!(candidates(&oid(".1.3.6.1.4.1.8072.3.2.10")).is_empty());
        for t in TABLES {
            assert!(CHOICES.iter().any(|(m, _)| *m == t.model), "{}", t.model);
        }
    }
}
