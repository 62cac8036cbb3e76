//! The MIB model: for each `SnmpModel`, which objects exist at which OIDs (PowerNet-MIB rPDU,
//! rPDU2 and sPDU, PDU2-MIB, EATON-EPDU-MIB, CPS-MIB, POWER-ETHERNET-MIB), what a GET of each
//! answers and what a SET of each does to the `Outlets`. Written from the MIBs' documented
//! values (see docs of each table below), independently of the drivers that read them. The
//! protocol around it is `pass_persist.rs`.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::time::{Duration, Instant};

use super::model::SnmpModel;
use super::oid::{Oid, Value};
use super::outlets::{Outlets, Switch};

/// What a written value asks of an outlet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    /// Switch now (after the lag fault).
    Now(Switch),
    /// Switch after `--delay-ms` (APC's delayed commands).
    Delayed(Switch),
    /// Drop the pending command.
    Cancel,
}

use Action::{Cancel, Delayed, Now};
use Switch::{Off, On, Reboot};

/// PowerNet-MIB rPDUOutletControlOutletCommand.
const RPDU_COMMANDS: &[(i64, Action)] = &[
    (1, Now(On)),
    (2, Now(Off)),
    (3, Now(Reboot)),
    (4, Delayed(On)),
    (5, Delayed(Off)),
    (6, Delayed(Reboot)),
    (7, Cancel),
];
/// PowerNet-MIB rPDU2OutletSwitchedControlCommand (4 is outletUnknown, read-only).
const RPDU2_COMMANDS: &[(i64, Action)] = &[
    (1, Now(On)),
    (2, Now(Off)),
    (3, Now(Reboot)),
    (5, Delayed(On)),
    (6, Delayed(Off)),
    (7, Delayed(Reboot)),
    (8, Cancel),
];
/// PowerNet-MIB sPDUOutletCtl (4 is outletUnknown, read-only).
const SPDU_COMMANDS: &[(i64, Action)] =
    &[(1, Now(On)), (2, Now(Off)), (3, Now(Reboot)), (5, Delayed(On)), (6, Delayed(Off)), (7, Delayed(Reboot))];
/// PDU2-MIB switchingOperation.
const RARITAN_COMMANDS: &[(i64, Action)] = &[(0, Now(Off)), (1, Now(On)), (2, Now(Reboot))];
/// CPS-MIB ePDUOutletControlOutletCommand.
const CPS_COMMANDS: &[(i64, Action)] = &[(1, Now(On)), (2, Now(Off)), (3, Now(Reboot))];
/// POWER-ETHERNET-MIB pethPsePortAdminEnable (TruthValue).
const POE_ADMIN: &[(i64, Action)] = &[(1, Now(On)), (2, Now(Off))];

/// pethMainPsePower of every group, in watts.
const PSE_POWER_WATTS: u32 = 370;
/// What one powered device draws, in watts (pethMainPseConsumptionPower).
const PORT_WATTS: u32 = 7;

/// What an object is and does.
#[derive(Debug, Clone, Copy)]
enum Object {
    /// INTEGER: the number of outlets.
    Count,
    /// DisplayString `Outlet N`.
    Name,
    /// PoE pethPsePortType: `Gi<group>/0/<port>`.
    PortType,
    /// Read-only state: `on` when on, else `off`.
    State { on: i64, off: i64 },
    /// Read-write command column: a SET of a value in `commands` acts; a GET reads the state.
    Command { commands: &'static [(i64, Action)], on: i64, off: i64 },
    /// APC command pending: 1 pending, 2 none.
    Pending,
    /// Eaton outletControlStatus: off 0, on 1, pendingOff 2, pendingOn 3.
    EatonStatus,
    /// Eaton outletControl{Off,On,Reboot}Cmd: SET the delay in seconds (0 now, -1 cancels);
    /// GET the seconds left of this command, -1 when none is pending.
    EatonCommand(Switch),
    /// PoE pethPsePortDetectionStatus: disabled 1, searching 2, deliveringPower 3, fault 4.
    Detection,
    /// A constant INTEGER in every row.
    Integer(i64),
    /// pethMainPsePower (Gauge32, watts), per group.
    MainPower,
    /// pethMainPseOperStatus: on 1, per group.
    MainOperStatus,
    /// pethMainPseConsumptionPower (Gauge32, watts), per group.
    MainConsumption,
}

/// How a column is indexed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Index {
    /// The OID itself (a scalar, `.0` or a fixed index included).
    Scalar,
    /// One row per outlet (`.N`) or PoE port (`.G.P`).
    Unit,
    /// One row per PoE group (`.G`).
    Group,
}

/// Which columns a model serves: base OID, index, object.
fn layout(model: SnmpModel) -> Vec<(&'static str, Index, Object)> {
    use Index::{Group, Scalar, Unit};
    let rpdu = [
        // PowerNet-MIB rPDUOutletDevNumCntrlOutlets, rPDUOutletControlTable, rPDUOutletStatusTable.
        (".1.3.6.1.4.1.318.1.1.12.3.1.3.0", Scalar, Object::Count),
        (".1.3.6.1.4.1.318.1.1.12.3.3.1.1.2", Unit, Object::Name),
        (".1.3.6.1.4.1.318.1.1.12.3.3.1.1.4", Unit, Object::Command { commands: RPDU_COMMANDS, on: 1, off: 2 }),
        (".1.3.6.1.4.1.318.1.1.12.3.5.1.1.2", Unit, Object::Name),
        (".1.3.6.1.4.1.318.1.1.12.3.5.1.1.4", Unit, Object::State { on: 1, off: 2 }),
        (".1.3.6.1.4.1.318.1.1.12.3.5.1.1.5", Unit, Object::Pending),
    ];
    let spdu = [
        // PowerNet-MIB sPDUOutletControlTableSize and sPDUOutletControlTable (MasterSwitch).
        (".1.3.6.1.4.1.318.1.1.4.4.1.0", Scalar, Object::Count),
        (".1.3.6.1.4.1.318.1.1.4.4.2.1.2", Unit, Object::Pending),
        (".1.3.6.1.4.1.318.1.1.4.4.2.1.3", Unit, Object::Command { commands: SPDU_COMMANDS, on: 1, off: 2 }),
        (".1.3.6.1.4.1.318.1.1.4.4.2.1.4", Unit, Object::Name),
    ];
    match model {
        SnmpModel::Apc => rpdu.into_iter().chain(spdu).collect(),
        SnmpModel::ApcSpdu => spdu.into(),
        SnmpModel::ApcRpdu2 => vec![
            // rPDU2OutletSwitchedStatusTable (state off 1, on 2) and ...ControlTable.
            (".1.3.6.1.4.1.318.1.1.26.9.2.3.1.3", Unit, Object::Name),
            (".1.3.6.1.4.1.318.1.1.26.9.2.3.1.5", Unit, Object::State { on: 2, off: 1 }),
            (".1.3.6.1.4.1.318.1.1.26.9.2.4.1.5", Unit, Object::Command { commands: RPDU2_COMMANDS, on: 1, off: 2 }),
        ],
        SnmpModel::Raritan => vec![
            // PDU2-MIB outletCount.1, outletName.1.N, switchingOperation.1.N, outletSwitchingState.1.N.
            (".1.3.6.1.4.1.13742.6.3.2.2.1.4.1", Scalar, Object::Count),
            (".1.3.6.1.4.1.13742.6.3.5.3.1.3.1", Unit, Object::Name),
            (".1.3.6.1.4.1.13742.6.4.1.2.1.2.1", Unit, Object::Command { commands: RARITAN_COMMANDS, on: 1, off: 0 }),
            (".1.3.6.1.4.1.13742.6.4.1.2.1.3.1", Unit, Object::State { on: 7, off: 8 }),
        ],
        SnmpModel::Eaton => vec![
            // EATON-EPDU-MIB outletName.0.N and outletControlTable (.2 status, .3 off, .4 on, .5 reboot).
            (".1.3.6.1.4.1.534.6.6.7.6.1.1.3.0", Unit, Object::Name),
            (".1.3.6.1.4.1.534.6.6.7.6.6.1.2.0", Unit, Object::EatonStatus),
            (".1.3.6.1.4.1.534.6.6.7.6.6.1.3.0", Unit, Object::EatonCommand(Off)),
            (".1.3.6.1.4.1.534.6.6.7.6.6.1.4.0", Unit, Object::EatonCommand(On)),
            (".1.3.6.1.4.1.534.6.6.7.6.6.1.5.0", Unit, Object::EatonCommand(Reboot)),
        ],
        SnmpModel::Cyberpower => vec![
            // CPS-MIB ePDUOutletControlTable and ePDUOutletStatusTable.
            (".1.3.6.1.4.1.3808.1.1.3.3.3.1.1.2", Unit, Object::Name),
            (".1.3.6.1.4.1.3808.1.1.3.3.3.1.1.4", Unit, Object::Command { commands: CPS_COMMANDS, on: 1, off: 2 }),
            (".1.3.6.1.4.1.3808.1.1.3.3.5.1.1.4", Unit, Object::State { on: 1, off: 2 }),
        ],
        SnmpModel::Poe => vec![
            // POWER-ETHERNET-MIB pethPsePortTable (.G.P) and pethMainPseTable (.G).
            (".1.3.6.1.2.1.105.1.1.1.3", Unit, Object::Command { commands: POE_ADMIN, on: 1, off: 2 }),
            (".1.3.6.1.2.1.105.1.1.1.6", Unit, Object::Detection),
            (".1.3.6.1.2.1.105.1.1.1.7", Unit, Object::Integer(3)),
            (".1.3.6.1.2.1.105.1.1.1.9", Unit, Object::PortType),
            (".1.3.6.1.2.1.105.1.3.1.1.2", Group, Object::MainPower),
            (".1.3.6.1.2.1.105.1.3.1.1.3", Group, Object::MainOperStatus),
            (".1.3.6.1.2.1.105.1.3.1.1.4", Group, Object::MainConsumption),
        ],
    }
}

/// One instance: the object and the unit (or group number) it belongs to.
#[derive(Debug, Clone, Copy)]
struct Cell {
    object: Object,
    row: usize,
}

/// The answer to a SET, as pass_persist spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetReply {
    /// Done.
    Done,
    /// A read-only object or an instance that does not exist.
    NotWritable,
    /// The value is not of the object's type.
    WrongType,
    /// The value is not one the object accepts.
    WrongValue,
}

impl SetReply {
    /// The reply line.
    pub(crate) fn text(self) -> &'static str {
        match self {
            Self::Done => "DONE",
            Self::NotWritable => "not-writable",
            Self::WrongType => "wrong-type",
            Self::WrongValue => "wrong-value",
        }
    }
}

/// Every instance a model serves, in OID order.
#[derive(Debug)]
pub(crate) struct Mib {
    objects: BTreeMap<Oid, Cell>,
    delay: Duration,
}

impl Mib {
    /// The instances of `model` over `outlets`; `delay` is the APC delayed commands' delay.
    pub(crate) fn new(model: SnmpModel, outlets: &Outlets, delay: Duration) -> Self {
        let mut objects = BTreeMap::new();
        for (base, index, object) in layout(model) {
            let Some(base) = Oid::parse(base) else { continue };
            match index {
                Index::Scalar => {
                    objects.insert(base, Cell { object, row: 0 });
                }
                Index::Unit => {
                    for (row, u) in outlets.units().iter().enumerate() {
                        let oid =
                            if outlets.is_poe() { base.child(&[u.group, u.index]) } else { base.child(&[u.index]) };
                        objects.insert(oid, Cell { object, row });
                    }
                }
                Index::Group => {
                    let mut groups: Vec<u32> = outlets.units().iter().map(|u| u.group).collect();
                    groups.dedup();
                    for g in groups {
                        objects.insert(base.child(&[g]), Cell { object, row: g as usize });
                    }
                }
            }
        }
        Self { objects, delay }
    }

    /// GET: the value at `oid`, if that instance exists.
    pub(crate) fn get(&self, outlets: &Outlets, oid: &Oid, now: Instant) -> Option<Value> {
        self.objects.get(oid).map(|cell| read(*cell, outlets, now))
    }

    /// GETNEXT: the first instance after `oid` and its value.
    pub(crate) fn get_next(&self, outlets: &Outlets, oid: &Oid, now: Instant) -> Option<(Oid, Value)> {
        let (next, cell) = self.objects.range((Bound::Excluded(oid), Bound::Unbounded)).next()?;
        Some((next.clone(), read(*cell, outlets, now)))
    }

    /// SET `oid` to `value` (pass_persist's `TYPE VALUE` line, e.g. `integer 2`).
    pub(crate) fn set(&self, outlets: &mut Outlets, oid: &Oid, value: &str, now: Instant) -> SetReply {
        let Some(cell) = self.objects.get(oid) else { return SetReply::NotWritable };
        let (kind, text) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
        let writable = matches!(cell.object, Object::Command { .. } | Object::EatonCommand(_));
        if !writable {
            return SetReply::NotWritable;
        }
        if kind != "integer" {
            return SetReply::WrongType;
        }
        let Ok(n) = text.trim().parse::<i64>() else { return SetReply::WrongValue };
        match cell.object {
            Object::Command { commands, .. } => {
                let Some(&(_, action)) = commands.iter().find(|(v, _)| *v == n) else { return SetReply::WrongValue };
                match action {
                    Now(s) => outlets.command(cell.row, s, Duration::ZERO, now),
                    Delayed(s) => outlets.command(cell.row, s, self.delay, now),
                    Cancel => outlets.cancel(cell.row),
                }
            }
            Object::EatonCommand(s) => match n {
                -1 => outlets.cancel(cell.row),
                0..=99_999 => outlets.command(cell.row, s, Duration::from_secs(n.unsigned_abs()), now),
                _ => return SetReply::WrongValue,
            },
            _ => return SetReply::NotWritable,
        }
        SetReply::Done
    }
}

fn read(cell: Cell, outlets: &Outlets, now: Instant) -> Value {
    let units = outlets.units();
    let unit = units.get(cell.row);
    let on = unit.is_some_and(|u| u.is_on());
    let pick = |yes: i64, no: i64| Value::Integer(if on { yes } else { no });
    match cell.object {
        Object::Count => Value::Integer(units.len() as i64),
        Object::Name => Value::Text(format!("Outlet {}", unit.map_or(0, |u| u.index))),
        Object::PortType => Value::Text(unit.map_or_else(String::new, |u| format!("Gi{}/0/{}", u.group, u.index))),
        Object::State { on: yes, off: no } | Object::Command { on: yes, off: no, .. } => pick(yes, no),
        Object::Pending => Value::Integer(if unit.and_then(|u| u.pending()).is_some() { 1 } else { 2 }),
        Object::EatonStatus => Value::Integer(match unit.and_then(|u| u.pending()) {
            Some(false) => 2,
            Some(true) => 3,
            None => i64::from(on),
        }),
        Object::EatonCommand(kind) => Value::Integer(match unit.and_then(|u| u.pending_command(now)) {
            Some((planned, left)) if planned == kind => left.as_millis().div_ceil(1000) as i64,
            _ => -1,
        }),
        Object::Detection => Value::Integer(match unit {
            Some(u) if !u.is_on() => 1,
            Some(u) if u.fault => 4,
            Some(u) if !u.device => 2,
            Some(_) => 3,
            None => 6,
        }),
        Object::Integer(n) => Value::Integer(n),
        Object::MainPower => Value::Gauge(PSE_POWER_WATTS),
        Object::MainOperStatus => Value::Integer(1),
        Object::MainConsumption => {
            let group = cell.row as u32;
            let delivering =
                units.iter().filter(|u| u.group == group && u.is_on() && u.device && !u.fault).count() as u32;
            Value::Gauge(delivering * PORT_WATTS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::args::SnmpArgs;
    use super::super::outlet_range::OutletRange;
    use super::*;

    fn setup(args: SnmpArgs) -> (Mib, Outlets) {
        let outlets = Outlets::from_args(&args).unwrap();
        (Mib::new(args.model, &outlets, Duration::from_millis(args.delay_ms)), outlets)
    }

    fn oid(text: &str) -> Oid {
        Oid::parse(text).unwrap()
    }

    fn int(n: i64) -> Option<Value> {
        Some(Value::Integer(n))
    }

    #[test]
    fn apc_serves_rpdu_and_spdu_on_the_same_outlets() {
        let (mib, mut o) = setup(SnmpArgs { outlets: 4, on: vec![OutletRange::one(2)], ..SnmpArgs::default() });
        let now = Instant::now();
        assert_eq!(mib.get(&o, &oid(".1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.2"), now), int(1));
        assert_eq!(mib.get(&o, &oid(".1.3.6.1.4.1.318.1.1.4.4.2.1.3.1"), now), int(2));
        assert_eq!(mib.get(&o, &oid(".1.3.6.1.4.1.318.1.1.12.3.1.3.0"), now), int(4));
        let ctl = oid(".1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.1");
        assert_eq!(mib.set(&mut o, &ctl, "integer 1", now), SetReply::Done);
        assert_eq!(mib.get(&o, &oid(".1.3.6.1.4.1.318.1.1.4.4.2.1.3.1"), now), int(1), "one state, two tables");
        assert_eq!(mib.set(&mut o, &ctl, "integer 8", now), SetReply::WrongValue);
        assert_eq!(mib.set(&mut o, &ctl, "string \"1\"", now), SetReply::WrongType);
        let status = oid(".1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.1");
        assert_eq!(mib.set(&mut o, &status, "integer 2", now), SetReply::NotWritable);
        assert_eq!(
            mib.set(&mut o, &oid(".1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.5"), "integer 1", now),
            SetReply::NotWritable
        );
        assert_eq!(mib.set(&mut o, &oid(".1.3.6.1.4.1.318.1.1.4.4.2.1.3.3"), "integer 4", now), SetReply::WrongValue);
    }

    #[test]
    fn getnext_walks_in_numeric_order_and_ends() {
        let (mib, o) = setup(SnmpArgs { outlets: 10, ..SnmpArgs::default() });
        let now = Instant::now();
        let mut at = oid(".1.3.6.1.4.1.318.1.1.12.3.5.1.1.4");
        let mut seen = Vec::new();
        while let Some((next, _)) = mib.get_next(&o, &at, now) {
            if !next.to_string().starts_with(".1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.") {
                break;
            }
            seen.push(next.to_string().rsplit('.').next().unwrap().to_owned());
            at = next;
        }
        assert_eq!(seen, ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);
        let first = mib.get_next(&o, &oid(".1"), now).unwrap().0;
        assert_eq!(first.to_string(), ".1.3.6.1.4.1.318.1.1.4.4.1.0", "sPDU sorts before rPDU");
        assert!(mib.get_next(&o, &oid(".1.3.6.1.4.1.318.1.1.12.3.5.1.1.5.10"), now).is_none());
    }

    #[test]
    fn rpdu2_raritan_and_cyberpower_values() {
        let now = Instant::now();
        let (mib, mut o) = setup(SnmpArgs { model: SnmpModel::ApcRpdu2, ..SnmpArgs::default() });
        let status = oid(".1.3.6.1.4.1.318.1.1.26.9.2.3.1.5.3");
        assert_eq!(mib.get(&o, &status, now), int(1), "rPDU2: off is 1");
        assert_eq!(mib.set(&mut o, &oid(".1.3.6.1.4.1.318.1.1.26.9.2.4.1.5.3"), "integer 1", now), SetReply::Done);
        assert_eq!(mib.get(&o, &status, now), int(2), "rPDU2: on is 2");
        assert_eq!(
            mib.set(&mut o, &oid(".1.3.6.1.4.1.318.1.1.26.9.2.4.1.5.3"), "integer 4", now),
            SetReply::WrongValue
        );

        let (mib, mut o) = setup(SnmpArgs { model: SnmpModel::Raritan, ..SnmpArgs::default() });
        let op = oid(".1.3.6.1.4.1.13742.6.4.1.2.1.2.1.5");
        let state = oid(".1.3.6.1.4.1.13742.6.4.1.2.1.3.1.5");
        assert_eq!((mib.get(&o, &op, now), mib.get(&o, &state, now)), (int(0), int(8)));
        assert_eq!(mib.set(&mut o, &op, "integer 1", now), SetReply::Done);
        assert_eq!((mib.get(&o, &op, now), mib.get(&o, &state, now)), (int(1), int(7)));

        let (mib, o) = setup(SnmpArgs { model: SnmpModel::Cyberpower, ..SnmpArgs::default() });
        assert_eq!(mib.get(&o, &oid(".1.3.6.1.4.1.3808.1.1.3.3.5.1.1.4.8"), now), int(2));
        let name = mib.get(&o, &oid(".1.3.6.1.4.1.3808.1.1.3.3.3.1.1.2.8"), now);
        assert_eq!(name, Some(Value::Text("Outlet 8".into())));
    }

    #[test]
    fn eaton_commands_carry_a_delay_and_show_pending() {
        let (mib, mut o) = setup(SnmpArgs { model: SnmpModel::Eaton, ..SnmpArgs::default() });
        let t0 = Instant::now();
        let status = oid(".1.3.6.1.4.1.534.6.6.7.6.6.1.2.0.2");
        let on_cmd = oid(".1.3.6.1.4.1.534.6.6.7.6.6.1.4.0.2");
        assert_eq!((mib.get(&o, &status, t0), mib.get(&o, &on_cmd, t0)), (int(0), int(-1)));
        assert_eq!(mib.set(&mut o, &on_cmd, "integer 5", t0), SetReply::Done);
        assert_eq!((mib.get(&o, &status, t0), mib.get(&o, &on_cmd, t0)), (int(3), int(5)));
        let off_cmd = oid(".1.3.6.1.4.1.534.6.6.7.6.6.1.3.0.2");
        assert_eq!(mib.get(&o, &off_cmd, t0), int(-1), "only the column that was written counts down");
        o.advance(t0 + Duration::from_secs(5));
        assert_eq!(mib.get(&o, &status, t0 + Duration::from_secs(5)), int(1));
        assert_eq!(mib.set(&mut o, &off_cmd, "integer 0", t0), SetReply::Done);
        assert_eq!(mib.get(&o, &status, t0), int(0));
        assert_eq!(mib.set(&mut o, &status, "integer 1", t0), SetReply::NotWritable);
        assert_eq!(mib.set(&mut o, &off_cmd, "integer -2", t0), SetReply::WrongValue);
    }

    #[test]
    fn poe_detection_follows_admin_state_and_faults() {
        let args = SnmpArgs {
            model: SnmpModel::Poe,
            groups: 2,
            ports: 4,
            on: vec!["1-4".parse().unwrap()],
            no_device: vec![OutletRange::one(2)],
            fault: vec![OutletRange::one(3)],
            ..SnmpArgs::default()
        };
        let (mib, mut o) = setup(args);
        let now = Instant::now();
        let detection = |o: &Outlets, p: u32| mib.get(o, &oid(&format!(".1.3.6.1.2.1.105.1.1.1.6.1.{p}")), now);
        assert_eq!([1, 2, 3].map(|p| detection(&o, p)), [int(3), int(2), int(4)]);
        assert_eq!(mib.get(&o, &oid(".1.3.6.1.2.1.105.1.1.1.6.2.1"), now), int(1), "group 2 is off");
        assert_eq!(mib.get(&o, &oid(".1.3.6.1.2.1.105.1.3.1.1.4.1"), now), Some(Value::Gauge(2 * PORT_WATTS)));
        assert_eq!(mib.set(&mut o, &oid(".1.3.6.1.2.1.105.1.1.1.3.1.1"), "integer 2", now), SetReply::Done);
        assert_eq!(detection(&o, 1), int(1));
        let t = mib.get(&o, &oid(".1.3.6.1.2.1.105.1.1.1.9.2.4"), now);
        assert_eq!(t, Some(Value::Text("Gi2/0/4".into())));
        let (next, _) = mib.get_next(&o, &oid(".1.3.6.1.2.1.105.1.1.1.3.1.4"), now).unwrap();
        assert_eq!(next.to_string(), ".1.3.6.1.2.1.105.1.1.1.3.2.1");
    }
}
