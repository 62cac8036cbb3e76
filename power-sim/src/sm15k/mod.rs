//! The SeaMicro SM15000 BMC simulator: a real IPMI 2.0 (RMCP+, cipher suite 3) BMC on loopback,
//! built on pyghmi (Debian `python3-pyghmi`) and run as a child of Debian's `/usr/bin/python3`,
//! that answers the SeaMicro OEM power command and records each request's bytes. Real
//! `ipmitool` talks to it. The child is killed and reaped when the handle drops.

use std::fs;
use std::io::{BufRead, BufReader};
use std::net::{IpAddr, Ipv4Addr, UdpSocket};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::Duration;

use crate::SimError;

/// The Python BMC, run with `python3 -c`.
const BMC: &str = include_str!("bmc.py");
/// The interpreter that sees Debian's python3-pyghmi.
const PYTHON: &str = "/usr/bin/python3";

/// Arguments of `powerplug simulate sm15k`.
#[derive(Debug, Clone, clap::Args)]
pub struct Sm15kArgs {
    /// Address to listen on.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
    /// UDP port (IPMI's 623 needs root).
    #[arg(long, default_value_t = 10623)]
    pub port: u16,
    /// The BMC user.
    #[arg(long, default_value = "admin")]
    pub user: String,
    /// The BMC password (a test credential; also from the environment).
    #[arg(long, default_value = "admin", env = "POWERPLUG_SIM_SM15K_PASSWORD")]
    pub password: String,
    /// Answer 0xd4 (insufficient privilege) below this session privilege.
    #[arg(long, value_parser = ["CALLBACK", "USER", "OPERATOR", "ADMINISTRATOR"], default_value = "USER")]
    pub min_privilege: String,
    /// Fault: answer every OEM command with this completion code (e.g. 0xc1).
    #[arg(long, default_value = "0")]
    pub fail_code: String,
}

impl Default for Sm15kArgs {
    fn default() -> Self {
        Self {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            user: "admin".into(),
            password: "admin".into(),
            min_privilege: "USER".into(),
            fail_code: "0".into(),
        }
    }
}

/// A running BMC; killed and reaped on drop.
pub struct Sm15kSim {
    child: Child,
    port: u16,
    log: PathBuf,
}

/// One OEM request the BMC received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OemRequest {
    /// The data bytes after netfn/cmd: `00 7d ab <mode> 0 <server>`.
    pub data: Vec<u8>,
    /// The session's privilege level (2 user, 3 operator, 4 administrator).
    pub privilege: u8,
}

fn free_udp_port() -> Result<u16, SimError> {
    let s = UdpSocket::bind("127.0.0.1:0").map_err(|e| SimError::io("cannot pick a free UDP port", e))?;
    s.local_addr().map(|a| a.port()).map_err(|e| SimError::io("cannot pick a free UDP port", e))
}

impl Sm15kSim {
    /// Starts the BMC (port 0 picks a free one) and waits until it listens.
    pub fn start(args: &Sm15kArgs) -> Result<Self, SimError> {
        let port = if args.port == 0 { free_udp_port()? } else { args.port };
        let log = std::env::temp_dir().join(format!("powerplug-sm15k-{}-{port}.log", std::process::id()));
        let _ = fs::remove_file(&log);
        fs::write(&log, "").map_err(|e| SimError::io(format!("cannot create {}", log.display()), e))?;
        let mut child = Command::new(PYTHON)
            .args(["-c", BMC, &args.bind.to_string(), &port.to_string(), &args.user])
            .arg(&log)
            .args([&args.min_privilege, &args.fail_code])
            .env("SM15K_SIM_PASSWORD", &args.password)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| SimError::io(format!("cannot start {PYTHON} (install python3 and python3-pyghmi)"), e))?;
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            let _ = BufReader::new(out).read_line(&mut line);
        }
        if line.trim() != "listening" {
            let _ = child.kill();
            let out = child.wait_with_output().ok();
            let err = out.map(|o| String::from_utf8_lossy(&o.stderr).into_owned()).unwrap_or_default();
            let hint = if err.contains("No module named 'pyghmi'") {
                " (install the Debian package python3-pyghmi)"
            } else {
                ""
            };
            return Err(SimError::io(
                format!("the SM15000 BMC did not start{hint}"),
                std::io::Error::other(err.lines().last().unwrap_or("no output").to_owned()),
            ));
        }
        Ok(Self { child, port, log })
    }

    /// The UDP port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every OEM request received so far.
    pub fn received(&self) -> Vec<OemRequest> {
        fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| {
                let data = l.split("\"data\": [").nth(1)?.split(']').next()?;
                let data = data.split(',').filter_map(|b| b.trim().parse::<u8>().ok()).collect();
                let privilege = l.split("\"privilege\": ").nth(1)?.trim_end_matches('}').trim().parse().ok()?;
                Some(OemRequest { data, privilege })
            })
            .collect()
    }
}

impl Drop for Sm15kSim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_file(&self.log);
    }
}

/// Runs the BMC for `powerplug simulate sm15k`, reporting each OEM request, until interrupted.
pub fn run(args: &Sm15kArgs, events: &mut dyn FnMut(&str)) -> Result<(), SimError> {
    let sim = Sm15kSim::start(args)?;
    events(&format!(
        "SeaMicro SM15000 BMC simulator on udp {}:{} (IPMI 2.0 lanplus, cipher suite 3, user {})",
        args.bind,
        sim.port(),
        args.user
    ));
    let mut seen = 0;
    loop {
        thread::sleep(Duration::from_millis(100));
        let got = sim.received();
        for r in &got[seen..] {
            let hex: Vec<String> = r.data.iter().map(|b| format!("{b:02x}")).collect();
            let what = match r.data.get(3) {
                Some(1) => "power on",
                Some(6) => "power off",
                _ => "unknown mode",
            };
            events(&format!(
                "raw 0x2e 0x01 {} ({what}, server {})",
                hex.join(" "),
                r.data.get(5).copied().unwrap_or(0)
            ));
        }
        seen = got.len();
    }
}
