//! The subcommands, one file each: `drivers list|show`, `power`, `plugin check`, `maas`,
//! `inventory check`, `serve` (and its hidden worker).

pub(crate) mod docs;
pub(crate) mod drivers;
pub(crate) mod fleet;
pub(crate) mod inventory;
pub(crate) mod maas;
pub(crate) mod plugin;
pub(crate) mod power;
pub(crate) mod serve;
