//! `cargo xtask <task>`: the project's automation, in Rust rather than shell.
//!
//! - `cargo xtask ci`: exactly what CI runs (`.ci/run`).
//! - `cargo xtask fuzz [--seconds N] [--runs N --seed S] [TARGET...]`: every cargo-fuzz target (or the named ones), for N seconds each or N inputs from a fixed seed.
//! - `cargo xtask bench [--table-only] [--no-python]`: the benchmarks and TeleSign's Python SDK in one run, then rewrites the table in `BENCHMARKS.md` (`--table-only`: from the existing results, without running).
//! - `cargo xtask soak [--requests N] [--in-flight N] [--timeout-ms N] [--shield]`: the soak (release build; `--shield`: behind the abuse shield on a Redis it starts, with hot numbers), then rewrites its section of `BENCHMARKS.md`.
//! - `cargo xtask scale [--latency-ms N] [--levels 1,64,512,4096] [--rounds N]`: the scaling curve at 50 ms provider latency (release build), then rewrites its section of `BENCHMARKS.md`.
//! - `cargo xtask fuzz-seeds`: regenerates `fuzz/seeds/` from the JSON test vectors.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

mod bench;
mod fuzz;
mod scale;
mod seeds;
mod soak;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("fuzz-seeds") => seeds::run(&args[1..]),
        Some("soak") => soak::run(&args[1..]),
        Some("scale") => scale::run(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask ci | fuzz [--seconds N] [--runs N --seed S] [TARGET...] | bench [--table-only] [--no-python] [CRITERION ARGS...] | soak [--requests N] [--in-flight N] [--timeout-ms N] [--shield] | scale [--latency-ms N] [--levels 1,64,512,4096] [--rounds N] | fuzz-seeds"
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

/// Cargo's target directory: `CARGO_TARGET_DIR`, else `target/` in the workspace.
pub(crate) fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// Replaces what lies between the `start` and `end` markers of the file at
/// `path` with `section` (which carries the markers); appends it when the
/// markers are missing.
pub(crate) fn splice(path: &Path, start: &str, end: &str, section: &str) -> Result<(), String> {
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let new = match (old.find(start), old.find(end)) {
        (Some(a), Some(b)) if a < b => format!("{}{section}{}", &old[..a], &old[b + end.len()..]),
        _ => format!("{}\n{section}\n", old.trim_end()),
    };
    std::fs::write(path, new).map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!("rewrote {}", path.display());
    Ok(())
}

/// `cargo`, in the workspace root, without the variables `cargo run` set for
/// xtask itself (`CARGO_PKG_*`, `CARGO_MANIFEST_*`): ring's build script
/// watches some of them, so a value different from a plain shell's rebuilds
/// ring and everything above it, and then again on the next plain `cargo`.
pub(crate) fn cargo() -> Command {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(root());
    for (key, _) in std::env::vars_os() {
        if let Some(key) = key.to_str()
            && (key.starts_with("CARGO_PKG_")
                || key.starts_with("CARGO_MANIFEST_")
                || matches!(
                    key,
                    "CARGO_CRATE_NAME" | "CARGO_BIN_NAME" | "CARGO_PRIMARY_PACKAGE"
                ))
        {
            cmd.env_remove(key);
        }
    }
    cmd
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splice_replaces_between_markers_or_appends() {
        let path = std::env::temp_dir().join(format!("xtask-splice-{}.md", std::process::id()));
        std::fs::write(&path, "# T\n\n<!-- a -->\nold\n<!-- b -->\n\nafter\n").unwrap();
        splice(
            &path,
            "<!-- a -->",
            "<!-- b -->",
            "<!-- a -->\nnew\n<!-- b -->",
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "# T\n\n<!-- a -->\nnew\n<!-- b -->\n\nafter\n"
        );
        splice(
            &path,
            "<!-- c -->",
            "<!-- d -->",
            "<!-- c -->\nx\n<!-- d -->",
        )
        .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert!(
            text.ends_with("after\n<!-- c -->\nx\n<!-- d -->\n"),
            "{text}"
        );
    }
}
