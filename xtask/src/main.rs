//! `cargo xtask <task>`: the project's automation, in Rust rather than shell.
//!
//! - `cargo xtask ci`: exactly what CI runs (`.ci/run`).
//! - `cargo xtask fuzz [--seconds N] [--runs N --seed S] [TARGET...]`: every cargo-fuzz target (or the named ones), for N seconds each or N inputs from a fixed seed.
//! - `cargo xtask bench [--table-only]`: the criterion benchmarks, then rewrites the table in `BENCHMARKS.md` (`--table-only`: from the existing results, without running).
//! - `cargo xtask fuzz-seeds`: regenerates `fuzz/seeds/` from the JSON test vectors.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

mod bench;
mod fuzz;
mod seeds;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("fuzz-seeds") => seeds::run(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask ci | fuzz [--seconds N] [--runs N --seed S] [TARGET...] | bench [--table-only] [CRITERION ARGS...] | fuzz-seeds"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the parent of this crate's directory).
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Runs a command to completion, failing on a non-zero exit.
pub(crate) fn sh(cmd: &mut Command) -> Result<(), String> {
    eprintln!("$ {cmd:?}");
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed: {status}"))
    }
}

/// CI is `.ci/run`; running the same script keeps the two from drifting apart.
fn ci() -> Result<(), String> {
    sh(Command::new("bash")
        .arg(root().join(".ci/run"))
        .current_dir(root()))
}
