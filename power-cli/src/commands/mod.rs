//! The subcommands, one file each: `drivers list|show`, `power`, `plugin check`.

pub(crate) mod drivers;
pub(crate) mod plugin;
pub(crate) mod power;
