//! Supervised plugin workers: `serve` runs every driver call in a child process per plugin
//! file, so a plugin that aborts, crashes or leaks cannot take the bridge down. `protocol` is
//! the line-delimited JSON both sides speak, `child` the worker's loop (run by the `powerplug`
//! binary's hidden worker command), `pool` the host's supervisor.

pub mod child;
pub mod pool;
pub mod protocol;
