//! The subcommands, one file each: `drivers list|show`, `power`, `plugin check`, `maas`.

pub(crate) mod drivers;
pub(crate) mod maas;
pub(crate) mod plugin;
pub(crate) mod power;
