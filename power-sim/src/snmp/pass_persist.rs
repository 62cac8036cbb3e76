//! Net-SNMP's pass_persist protocol (snmpd.conf(5)), the program side: `PING` → `PONG` (snmpd
//! sends it before every request); `get` + OID → OID, TYPE, VALUE or `NONE`; `getnext` + OID →
//! the next instance or `NONE`; `set` + OID + `TYPE VALUE` → `DONE` or an error word; end of
//! input ends the program. Every reply is flushed. A timer thread applies planned switches (lag,
//! reboot, delays) when they are due, so the state file changes without a request. Records
//! every SET and the state in the state directory (`record.rs`).
//!
//! snmpd gives the program one pipe for stdout *and* stderr: nothing else may write to either.
//! Observed with Net-SNMP 5.9.3: OIDs arrive with a leading dot; before a SET, snmpd GETs the
//! same OID and refuses the SET itself (notWritable) when the GET answers `NONE`; a blank line
//! follows each `set`'s value line; string values arrive quoted (`string "text"`).

use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use super::args::SnmpArgs;
use super::mib::Mib;
use super::oid::{Oid, Value};
use super::outlets::Outlets;
use super::record;
use crate::SimError;

/// The outlets and whether the program is ending, shared with the timer thread.
struct Shared {
    outlets: Outlets,
    stop: bool,
}

/// The state `Shared` is in, and its lock's wake-up.
type Guarded = Arc<(Mutex<Shared>, Condvar)>;

/// Runs the pass_persist program for `args` (its model and `--state-dir`) on `input`/`output`
/// until `input` ends. Starts from the state file when there is one (snmpd restarts a program
/// that died), else from `args` (`--on`).
pub fn pass_persist(args: &SnmpArgs, mut input: impl BufRead, mut output: impl Write) -> Result<(), SimError> {
    let dir = args.state_dir.clone().ok_or_else(|| {
        SimError::io(
            "--pass-persist needs --state-dir",
            io::Error::new(io::ErrorKind::InvalidInput, "no state directory"),
        )
    })?;
    let mut outlets = Outlets::from_args(args)?;
    match record::read_state_text(&dir) {
        Some(text) => outlets.restore(&text),
        None => record::write_state(&dir, &outlets.state_text())?,
    }
    let mib = Mib::new(args.model, &outlets, Duration::from_millis(args.delay_ms));
    let shared: Guarded = Arc::new((Mutex::new(Shared { outlets, stop: false }), Condvar::new()));
    let timer = {
        let (shared, dir) = (Arc::clone(&shared), dir.clone());
        thread::Builder::new()
            .name("pass_persist timer".into())
            .spawn(move || apply_when_due(&shared, &dir))
            .map_err(|e| SimError::io("cannot start the timer thread", e))?
    };
    let result = serve(&mib, &shared, &dir, &mut input, &mut output);
    if let Ok(mut s) = shared.0.lock() {
        s.stop = true;
    }
    shared.1.notify_all();
    let _ = timer.join();
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(SimError::io("pass_persist: cannot talk to snmpd", e)),
        Ok(()) => Ok(()),
    }
}

/// The timer thread: applies switches as they fall due and rewrites the state file.
fn apply_when_due(shared: &Guarded, dir: &Path) {
    let (lock, wake) = &**shared;
    let Ok(mut s) = lock.lock() else { return };
    while !s.stop {
        let now = Instant::now();
        if s.outlets.advance(now) {
            // Nobody to report a failed write to; the next change writes the whole file again.
            let _ = record::write_state(dir, &s.outlets.state_text());
        }
        let wait = s.outlets.next_due().map_or(Duration::from_secs(3600), |at| at.saturating_duration_since(now));
        s = match wake.wait_timeout(s, wait) {
            Ok((s, _)) => s,
            Err(_) => return,
        };
    }
}

fn serve(mib: &Mib, shared: &Guarded, dir: &Path, input: &mut impl BufRead, out: &mut impl Write) -> io::Result<()> {
    let mut next_line = || -> io::Result<Option<String>> {
        let mut line = String::new();
        Ok((input.read_line(&mut line)? > 0).then(|| line.trim_end_matches(['\r', '\n']).to_owned()))
    };
    while let Some(command) = next_line()? {
        let reply = match command.trim() {
            "" => continue,
            "PING" => "PONG\n".to_owned(),
            "get" | "getnext" => {
                let Some(oid) = next_line()? else { break };
                let found = locked(shared, dir, |outlets, now| {
                    let oid = Oid::parse(&oid)?;
                    if command.trim() == "get" {
                        mib.get(outlets, &oid, now).map(|v| (oid, v))
                    } else {
                        mib.get_next(outlets, &oid, now)
                    }
                });
                found.map_or_else(|| "NONE\n".to_owned(), |(oid, v)| varbind(&oid, &v))
            }
            "set" => {
                let Some(oid_text) = next_line()? else { break };
                let Some(value) = next_line()? else { break };
                let reply = locked(shared, dir, |outlets, now| match Oid::parse(&oid_text) {
                    Some(oid) => mib.set(outlets, &oid, &value, now),
                    None => super::mib::SetReply::NotWritable,
                });
                shared.1.notify_all();
                let line = format!("SET {} {} -> {}", oid_text.trim(), value.trim(), reply.text());
                record::append_set(dir, &line).map_err(io::Error::other)?;
                format!("{}\n", reply.text())
            }
            // Not a pass_persist command: answer as for an unknown OID so snmpd stays in step.
            _ => "NONE\n".to_owned(),
        };
        out.write_all(reply.as_bytes())?;
        out.flush()?;
    }
    Ok(())
}

/// Runs `f` on the outlets brought up to date, and rewrites the state file if `f` or the
/// time that passed changed it.
fn locked<T>(shared: &Guarded, dir: &Path, f: impl FnOnce(&mut Outlets, Instant) -> T) -> T {
    // A poisoned lock means the timer thread panicked; serve the model as it was.
    let mut s = shared.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let now = Instant::now();
    let before = s.outlets.state_text();
    s.outlets.advance(now);
    let result = f(&mut s.outlets, now);
    let after = s.outlets.state_text();
    if after != before {
        let _ = record::write_state(dir, &after);
    }
    result
}

fn varbind(oid: &Oid, value: &Value) -> String {
    format!("{oid}\n{}\n{}\n", value.type_name(), value.text())
}

/// The command line snmpd runs for the pass_persist program of `args`: `exe simulate pdu
/// --pass-persist --state-dir DIR` and the model's options (never communities or passphrases).
pub(crate) fn command_line(exe: &Path, args: &SnmpArgs, state_dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = vec![exe.display().to_string(), "simulate".into(), "pdu".into(), "--pass-persist".into()];
    let dir: PathBuf = state_dir.to_path_buf();
    v.extend(["--state-dir".into(), dir.display().to_string(), "--model".into(), args.model.name().into()]);
    for (flag, n) in [("--outlets", args.outlets), ("--groups", args.groups), ("--ports", args.ports)] {
        v.extend([flag.to_owned(), n.to_string()]);
    }
    for (flag, list) in
        [("--on", &args.on), ("--stuck", &args.stuck), ("--no-device", &args.no_device), ("--fault", &args.fault)]
    {
        if !list.is_empty() {
            v.extend([flag.to_owned(), list.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")]);
        }
    }
    for (flag, ms) in [("--lag-ms", args.lag_ms), ("--reboot-ms", args.reboot_ms), ("--delay-ms", args.delay_ms)] {
        v.extend([flag.to_owned(), ms.to_string()]);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::super::model::SnmpModel;
    use super::super::outlet_range::OutletRange;
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("powerplug-pp-unit-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn talk(args: &SnmpArgs, input: &str) -> String {
        let mut out = Vec::new();
        pass_persist(args, input.as_bytes(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn answers_the_protocol_and_records_sets_and_state() {
        let d = dir("protocol");
        let args =
            SnmpArgs { outlets: 3, on: vec![OutletRange::one(3)], state_dir: Some(d.clone()), ..SnmpArgs::default() };
        let input = "PING\nget\n.1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.3\nPING\ngetnext\n.1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.3\n\
                     get\n.1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.9\nset\n.1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.1\ninteger 1\n\n\
                     set\n.1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.1\ninteger 1\n\ngetnext\n.1.3.6.1.4.1.318.1.1.12.3.5.1.1.5.3\n";
        let out = talk(&args, input);
        assert_eq!(
            out,
            "PONG\n.1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.3\ninteger\n1\nPONG\n.1.3.6.1.4.1.318.1.1.12.3.5.1.1.5.1\ninteger\n2\n\
             NONE\nDONE\nnot-writable\nNONE\n"
        );
        assert_eq!(std::fs::read_to_string(d.join("state")).unwrap(), "1 on\n2 off\n3 on\n");
        assert_eq!(
            record::read_sets(&d),
            [
                "SET .1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.1 integer 1 -> DONE",
                "SET .1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.1 integer 1 -> not-writable"
            ]
        );
        // A restarted program continues from the state file, not from --on.
        let out = talk(&args, "get\n.1.3.6.1.4.1.318.1.1.4.4.2.1.3.1\n");
        assert_eq!(out, ".1.3.6.1.4.1.318.1.1.4.4.2.1.3.1\ninteger\n1\n");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn the_timer_applies_a_reboot_without_a_request() {
        let d = dir("timer");
        let args = SnmpArgs {
            model: SnmpModel::Raritan,
            outlets: 2,
            on: vec![OutletRange::one(1)],
            reboot_ms: 150,
            state_dir: Some(d.clone()),
            ..SnmpArgs::default()
        };
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let d2 = d.clone();
        let watcher = thread::spawn(move || {
            let mut seen: Vec<String> = Vec::new();
            let end = Instant::now() + Duration::from_secs(3);
            let done = |seen: &[String]| seen.len() >= 2 && seen.last().map(String::as_str) == Some("1 on\n2 off\n");
            while Instant::now() < end && !done(&seen) {
                if let Some(t) = record::read_state_text(&d2) {
                    if seen.last() != Some(&t) {
                        seen.push(t);
                    }
                }
                thread::sleep(Duration::from_millis(5));
            }
            let _ = tx.send(());
            seen
        });
        // Keep the input open until the watcher saw the outlet come back.
        struct Blocking(Vec<u8>, usize, std::sync::mpsc::Receiver<()>);
        impl io::Read for Blocking {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.1 < self.0.len() {
                    let n = buf.len().min(self.0.len() - self.1);
                    buf[..n].copy_from_slice(&self.0[self.1..self.1 + n]);
                    self.1 += n;
                    return Ok(n);
                }
                let _ = self.2.recv_timeout(Duration::from_secs(3));
                Ok(0)
            }
        }
        let input =
            io::BufReader::new(Blocking(b"set\n.1.3.6.1.4.1.13742.6.4.1.2.1.2.1.1\ninteger 2\n".to_vec(), 0, rx));
        let mut out = Vec::new();
        pass_persist(&args, input, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "DONE\n");
        let seen = watcher.join().unwrap();
        assert!(seen.ends_with(&["1 off\n2 off\n".to_owned(), "1 on\n2 off\n".to_owned()]), "off, then on: {seen:?}");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn the_command_line_carries_the_model_and_no_credentials() {
        let args = SnmpArgs {
            model: SnmpModel::Poe,
            on: vec![OutletRange::port(1, 2), "3-4".parse().unwrap()],
            community: "sekrit-community".into(),
            ..SnmpArgs::default()
        };
        let line = command_line(Path::new("/usr/bin/powerplug"), &args, Path::new("/tmp/s")).join(" ");
        assert!(line.starts_with("/usr/bin/powerplug simulate pdu --pass-persist --state-dir /tmp/s --model poe"));
        assert!(line.contains(" --on 1.2,3-4 "), "{line}");
        assert!(!line.contains("sekrit"), "{line}");
    }
}
