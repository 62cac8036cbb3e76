//! The `dli` driver end to end against the DLI simulator (filled in by the DLI work).
