//! `cargo xtask bench`: runs the criterion benchmarks and rewrites `BENCHMARKS.md`.

use std::process::Command;

use crate::{root, sh};

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    sh(Command::new("cargo")
        .current_dir(root())
        .args(["bench", "-p", "verify-benches", "--"])
        .args(args))?;
    Ok(())
}
