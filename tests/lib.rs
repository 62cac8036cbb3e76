//! Nothing: the package exists for its one integration-test binary (`main.rs`). Cargo needs a
//! library or binary target beside it.
