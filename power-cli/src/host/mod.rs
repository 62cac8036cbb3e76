//! The plugin host: where plugins are looked for (`discover`), how one library is opened and
//! checked (`load`), and the registry of drivers they provide (`registry`). It does not run
//! actions; `commands/power.rs` does, through `registry::Registry::open`.

pub(crate) mod discover;
pub(crate) mod load;
pub(crate) mod registry;
