//! `SnmpModel`: the devices the agent can be (which MIB tables it serves) and what snmpd says
//! about each (sysObjectID, sysDescr) and hands to the pass_persist program (the subtree). The
//! tables themselves are in `mib.rs`.

use std::fmt;

/// The MIB the agent serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SnmpModel {
    /// APC Switched Rack PDU (PowerNet-MIB rPDU, and the old sPDU table on the same outlets).
    Apc,
    /// APC AP8xxx (PowerNet-MIB rPDU2 only; status off 1, on 2).
    ApcRpdu2,
    /// APC MasterSwitch (PowerNet-MIB sPDU only).
    ApcSpdu,
    /// Raritan PX2/PX3 (PDU2-MIB, pdu 1; state on 7, off 8).
    Raritan,
    /// Eaton ePDU (EATON-EPDU-MIB, unit 0; on/off/reboot command columns with a delay).
    Eaton,
    /// CyberPower ePDU (CPS-MIB).
    Cyberpower,
    /// A PoE switch (POWER-ETHERNET-MIB, RFC 3621).
    Poe,
}

impl SnmpModel {
    /// The `--model` spelling.
    pub fn name(self) -> &'static str {
        match self {
            Self::Apc => "apc",
            Self::ApcRpdu2 => "apc-rpdu2",
            Self::ApcSpdu => "apc-spdu",
            Self::Raritan => "raritan",
            Self::Eaton => "eaton",
            Self::Cyberpower => "cyberpower",
            Self::Poe => "poe",
        }
    }

    /// The agent's sysObjectID.0.
    pub fn sys_object_id(self) -> &'static str {
        match self {
            Self::Apc => ".1.3.6.1.4.1.318.1.3.4.5",
            Self::ApcRpdu2 => ".1.3.6.1.4.1.318.1.3.4.6",
            Self::ApcSpdu => ".1.3.6.1.4.1.318.1.3.4.1",
            Self::Raritan => ".1.3.6.1.4.1.13742.6",
            Self::Eaton => ".1.3.6.1.4.1.534.6.6.7",
            Self::Cyberpower => ".1.3.6.1.4.1.3808.1.1.3",
            Self::Poe => ".1.3.6.1.4.1.8072.3.2.10",
        }
    }

    /// The agent's sysDescr.0.
    pub fn sys_descr(self) -> &'static str {
        match self {
            Self::Apc => "APC Switched Rack PDU (powerplug simulator)",
            Self::ApcRpdu2 => "APC AP8xxx Rack PDU rPDU2 (powerplug simulator)",
            Self::ApcSpdu => "APC MasterSwitch (powerplug simulator)",
            Self::Raritan => "Raritan PX2 PDU (powerplug simulator)",
            Self::Eaton => "Eaton ePDU (powerplug simulator)",
            Self::Cyberpower => "CyberPower ePDU (powerplug simulator)",
            Self::Poe => "PoE switch (powerplug simulator)",
        }
    }

    /// The subtree snmpd passes to the pass_persist program.
    pub fn subtree(self) -> &'static str {
        match self {
            Self::Apc | Self::ApcRpdu2 | Self::ApcSpdu => ".1.3.6.1.4.1.318.1.1",
            Self::Raritan => ".1.3.6.1.4.1.13742.6",
            Self::Eaton => ".1.3.6.1.4.1.534.6.6.7",
            Self::Cyberpower => ".1.3.6.1.4.1.3808.1.1.3",
            Self::Poe => ".1.3.6.1.2.1.105",
        }
    }

    /// Whether the model is a PoE switch (ports `group.port`) rather than a PDU (outlets).
    pub fn is_poe(self) -> bool {
        self == Self::Poe
    }
}

impl fmt::Display for SnmpModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
