//! # power-host: the runtime both `powerplug power` and `powerplug serve` stand on
//!
//! - [`discover`]: the plugin search path and naming convention;
//! - [`load`]: opening one plugin library (libloading, the epoch, the ABI check, `describe`);
//! - [`registry`]: drivers by name over every loaded plugin, problems as warnings;
//! - [`inventory`]: the inventory file of devices and nodes, validated against driver schemas;
//! - [`files`]: reading files the program did not write (regular files only, size-capped);
//! - [`fleet`]: one action on many nodes (selection, per-node results);
//! - [`inprocess`]: the CLI's executor for fleet runs (blocking pool, bounded jobs);
//! - [`instances`]: one driver call in the loading process (device lock, deadline, cached instances);
//! - [`worker`]: supervised worker processes that run plugin calls for `serve`;
//! - [`scheduler`]: one call at a time per device, joins of identical calls, deadlines;
//! - [`redact`]: the secret registry every log line and message passes through;
//! - [`deadline`]: a deadline for one blocking call (the CLI's `--timeout`).
//! - [`devlock`]: one call at a time per device across processes (advisory lock files);
//!
//! Libraries are typed (`thiserror`); nothing here prints.

pub mod deadline;
pub mod devlock;
pub mod discover;
pub mod files;
pub mod fleet;
pub mod inprocess;
pub mod instances;
pub mod inventory;
pub mod load;
pub mod redact;
pub mod registry;
pub mod scheduler;
pub mod worker;
