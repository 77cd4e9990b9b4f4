//! The properties the fuzz targets check, one function per target.
//!
//! The checks live in `src/checks/`, which `crates/verify-core/tests/fuzz_corpus.rs`
//! also includes (with `#[path]`), so a plain `cargo test` replays the committed
//! seeds through exactly the code the fuzzer runs.
#![forbid(unsafe_code)]

pub mod checks;
