//! powerplug's integration tests, one binary. Each module is one area; `test.rs` holds the
//! shared `Test` builder and plugin fixtures. Run `cargo build --workspace` first: the tests
//! drive the built `powerplug` and plugin libraries in the target directory.

mod test;

/// A real `powerplug serve` for tests, and a MAAS-like webhook client.
mod bridge;

/// Plugin loading faults the host must survive.
mod host_faults;

/// The command-line contract: exit codes, stdout formats, parameters, secrets.
mod cli_contract;

/// The wake-on-LAN driver against a UDP listener on loopback and Debian's wakeonlan.
mod wol;

/// The DLI driver against the DLI simulator, python-dlipower and wget.
mod dli;

/// The SeaMicro driver through real ipmitool against a loopback BMC.
mod sm15k;

/// The command driver running real programs.
mod command;

/// The example driver of docs/writing-a-driver.md.
mod example_driver;

/// MAAS templates, snippets and patches: Tempita, sh, Python, JSON schemas.
mod maas;

/// Snapshots of every MAAS artifact per driver and target.
mod maas_snapshots;

/// Fleet runs over an inventory: many nodes, many switches, per-node results.
mod fleet;

/// The Kasa driver against the Kasa simulator and python-kasa.
mod kasa;

/// The Home Assistant driver against the Home Assistant simulator and curl.
mod homeassistant;

/// The Shelly driver (Gen1, Gen2) against the Shelly simulator and curl.
mod shelly;

/// The Tasmota driver against the Tasmota simulator and curl.
mod tasmota;

/// The SNMP agent simulator (real snmpd, our MIB model) against Net-SNMP's snmpget/snmpset/snmpwalk.
mod snmp_agent;

/// The pdu driver (APC, Raritan, Eaton, CyberPower) through real snmpd: every model, v1/v2c/v3, every failure.
mod pdu;

/// The poe driver (POWER-ETHERNET-MIB) through real snmpd.
mod poe;

/// Hostile input and misbehaving devices: bounded memory and time, ordering across processes.
mod hardening;

/// The SDK from its packaged crates, a scaffolded driver outside the workspace.
mod sdk;

/// `powerplug serve`: the MAAS webhook bridge, its runtime faults and its inventory.
mod serve;
