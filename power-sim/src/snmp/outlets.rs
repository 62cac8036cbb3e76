//! The simulated relays behind the MIB: one `Unit` per PDU outlet or PoE port, its on/off
//! state, the switches planned for later (lag, reboot, delayed commands) and its faults
//! (stuck, no powered device, PoE fault). MIB-agnostic: `mib.rs` maps OIDs and values onto
//! these operations; time is passed in, so the plan is testable without sleeping.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::args::SnmpArgs;
use super::outlet_range::OutletRange;
use crate::SimError;

/// The command that planned a unit's pending switches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Switch {
    /// Switch on.
    On,
    /// Switch off.
    Off,
    /// Off, then on again after the reboot time.
    Reboot,
}

/// One outlet or PoE port.
#[derive(Debug)]
pub(crate) struct Unit {
    /// The PoE group; 1 for PDU outlets.
    pub(crate) group: u32,
    /// The outlet or port number (from 1).
    pub(crate) index: u32,
    on: bool,
    plan: VecDeque<(Instant, bool)>,
    planned_by: Option<Switch>,
    stuck: bool,
    /// PoE: a powered device is attached (not `--no-device`).
    pub(crate) device: bool,
    /// PoE: the port is faulty (`--fault`).
    pub(crate) fault: bool,
}

impl Unit {
    /// The relay's state now (what the status columns show).
    pub(crate) fn is_on(&self) -> bool {
        self.on
    }

    /// The state the next planned switch sets, if one is pending.
    pub(crate) fn pending(&self) -> Option<bool> {
        self.plan.front().map(|(_, on)| *on)
    }

    /// The command that planned the pending switches, and the time left until the next.
    pub(crate) fn pending_command(&self, now: Instant) -> Option<(Switch, Duration)> {
        let (at, _) = self.plan.front()?;
        Some((self.planned_by?, at.saturating_duration_since(now)))
    }

    /// `1`, `2`, … for outlets; `group.port` for PoE ports.
    pub(crate) fn label(&self, poe: bool) -> String {
        if poe {
            format!("{}.{}", self.group, self.index)
        } else {
            self.index.to_string()
        }
    }
}

/// Every unit of the simulated device, and the timing of its switches.
#[derive(Debug)]
pub(crate) struct Outlets {
    units: Vec<Unit>,
    poe: bool,
    lag: Duration,
    reboot: Duration,
}

impl Outlets {
    /// The units `args` describe; an outlet list naming a unit that does not exist is an error.
    pub(crate) fn from_args(args: &SnmpArgs) -> Result<Self, SimError> {
        let poe = args.model.is_poe();
        let (groups, per_group) = if poe { (args.groups, args.ports) } else { (1, args.outlets) };
        for (flag, list) in
            [("--on", &args.on), ("--stuck", &args.stuck), ("--no-device", &args.no_device), ("--fault", &args.fault)]
        {
            for r in list {
                let group_ok = if poe { r.group.unwrap_or(1) <= groups } else { r.group.is_none() };
                if !group_ok || r.last > per_group {
                    let what = if poe {
                        format!("{groups} group(s) of {per_group} ports")
                    } else {
                        format!("{per_group} outlets")
                    };
                    return Err(SimError::io(
                        format!("{flag} {r}: no such {}", if poe { "port" } else { "outlet" }),
                        std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("the {} has {what}", args.model)),
                    ));
                }
            }
        }
        let listed = |list: &[OutletRange], g: u32, i: u32| list.iter().any(|r| r.contains(g, i));
        let mut units = Vec::new();
        for group in 1..=groups {
            for index in 1..=per_group {
                units.push(Unit {
                    group,
                    index,
                    on: listed(&args.on, group, index),
                    plan: VecDeque::new(),
                    planned_by: None,
                    stuck: listed(&args.stuck, group, index),
                    device: !listed(&args.no_device, group, index),
                    fault: listed(&args.fault, group, index),
                });
            }
        }
        Ok(Self { units, poe, lag: Duration::from_millis(args.lag_ms), reboot: Duration::from_millis(args.reboot_ms) })
    }

    /// All units, group by group, in index order.
    pub(crate) fn units(&self) -> &[Unit] {
        &self.units
    }

    /// Whether the units are PoE ports.
    pub(crate) fn is_poe(&self) -> bool {
        self.poe
    }

    /// Plans `switch` on unit `i` to take effect after `delay` (plus the lag fault), replacing
    /// whatever was pending. A stuck unit accepts the command and does nothing.
    pub(crate) fn command(&mut self, i: usize, switch: Switch, delay: Duration, now: Instant) {
        let (lag, reboot) = (self.lag, self.reboot);
        let Some(u) = self.units.get_mut(i) else { return };
        if u.stuck {
            return;
        }
        let at = now + delay + lag;
        u.plan.clear();
        match switch {
            Switch::On => u.plan.push_back((at, true)),
            Switch::Off => u.plan.push_back((at, false)),
            Switch::Reboot => {
                u.plan.push_back((at, false));
                u.plan.push_back((at + reboot, true));
            }
        }
        u.planned_by = Some(switch);
        self.advance(now);
    }

    /// Drops unit `i`'s pending switches (APC's cancelPendingCommand).
    pub(crate) fn cancel(&mut self, i: usize) {
        if let Some(u) = self.units.get_mut(i).filter(|u| !u.stuck) {
            u.plan.clear();
            u.planned_by = None;
        }
    }

    /// Applies every switch due at `now`; whether any unit changed state.
    pub(crate) fn advance(&mut self, now: Instant) -> bool {
        let mut changed = false;
        for u in &mut self.units {
            while let Some(&(at, on)) = u.plan.front() {
                if at > now {
                    break;
                }
                u.plan.pop_front();
                changed |= u.on != on;
                u.on = on;
            }
            if u.plan.is_empty() {
                u.planned_by = None;
            }
        }
        changed
    }

    /// When the next planned switch is due.
    pub(crate) fn next_due(&self) -> Option<Instant> {
        self.units.iter().filter_map(|u| u.plan.front().map(|(at, _)| *at)).min()
    }

    /// The state file's text: `label on|off`, one line per unit.
    pub(crate) fn state_text(&self) -> String {
        self.units.iter().map(|u| format!("{} {}\n", u.label(self.poe), if u.on { "on" } else { "off" })).collect()
    }

    /// Takes the on/off states of a state file written earlier (a restarted program continues
    /// where the last one stopped); lines for unknown units are ignored.
    pub(crate) fn restore(&mut self, text: &str) {
        let poe = self.poe;
        for line in text.lines() {
            let Some((label, state)) = line.split_once(' ') else { continue };
            if let Some(u) = self.units.iter_mut().find(|u| u.label(poe) == label) {
                u.on = state.trim() == "on";
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::model::SnmpModel;
    use super::*;

    fn outlets(args: SnmpArgs) -> Outlets {
        Outlets::from_args(&args).unwrap()
    }

    #[test]
    fn lists_select_units_and_unknown_ones_are_refused() {
        let o = outlets(SnmpArgs { outlets: 4, on: vec!["2-3".parse().unwrap()], ..SnmpArgs::default() });
        assert_eq!(o.state_text(), "1 off\n2 on\n3 on\n4 off\n");
        let bad = SnmpArgs { outlets: 4, on: vec![OutletRange::one(5)], ..SnmpArgs::default() };
        assert!(Outlets::from_args(&bad).unwrap_err().to_string().contains("--on 5: no such outlet"));
        let port = SnmpArgs { on: vec![OutletRange::port(1, 2)], ..SnmpArgs::default() };
        assert!(Outlets::from_args(&port).is_err(), "a PDU has no group.port");
        let poe = SnmpArgs {
            model: SnmpModel::Poe,
            groups: 2,
            ports: 2,
            on: vec![OutletRange::one(2), OutletRange::port(2, 1)],
            ..SnmpArgs::default()
        };
        assert_eq!(outlets(poe).state_text(), "1.1 off\n1.2 on\n2.1 on\n2.2 off\n");
    }

    #[test]
    fn lag_and_reboot_are_planned_and_applied_when_due() {
        let mut o = outlets(SnmpArgs { outlets: 2, lag_ms: 100, reboot_ms: 1000, ..SnmpArgs::default() });
        let t0 = Instant::now();
        o.command(0, Switch::On, Duration::ZERO, t0);
        assert!(!o.units()[0].is_on() && o.units()[0].pending() == Some(true));
        assert!(o.advance(t0 + Duration::from_millis(100)));
        assert!(o.units()[0].is_on() && o.units()[0].pending().is_none());
        o.command(0, Switch::Reboot, Duration::ZERO, t0 + Duration::from_millis(200));
        o.advance(t0 + Duration::from_millis(300));
        assert!(!o.units()[0].is_on(), "off first");
        assert_eq!(o.units()[0].pending_command(t0 + Duration::from_millis(300)).map(|p| p.0), Some(Switch::Reboot));
        assert_eq!(o.next_due(), Some(t0 + Duration::from_millis(1300)));
        o.advance(t0 + Duration::from_millis(1300));
        assert!(o.units()[0].is_on(), "then on again");
        o.command(1, Switch::On, Duration::from_secs(5), t0);
        o.cancel(1);
        assert!(!o.advance(t0 + Duration::from_secs(6)) && !o.units()[1].is_on(), "cancelled");
    }

    #[test]
    fn a_stuck_unit_ignores_commands_and_a_state_file_restores() {
        let mut o = outlets(SnmpArgs { outlets: 3, stuck: vec![OutletRange::one(2)], ..SnmpArgs::default() });
        let now = Instant::now();
        o.command(1, Switch::On, Duration::ZERO, now);
        o.command(2, Switch::On, Duration::ZERO, now);
        assert_eq!(o.state_text(), "1 off\n2 off\n3 on\n");
        o.restore("1 on\n3 off\n9 on\n");
        assert_eq!(o.state_text(), "1 on\n2 off\n3 off\n");
    }
}
