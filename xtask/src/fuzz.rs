//! `cargo xtask fuzz`: runs the cargo-fuzz targets on this machine's stable toolchain.

use std::process::Command;

use crate::{root, sh};

/// cargo-fuzz needs nightly-only flags (`-Zsanitizer`); `RUSTC_BOOTSTRAP=1` unlocks them
/// on the stable toolchain, which is the only one this project assumes.
///
/// `--seconds N` bounds each target's run by time (exploration, different on
/// every run); `--runs N --seed S` makes each target execute exactly N inputs
/// from a fixed seed, so a CI run repeats a run that already passed here
/// instead of gambling on new inputs (time still caps it at `--seconds`).
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let mut seconds = 30u64;
    let mut runs: Option<u64> = None;
    let mut seed: Option<u64> = None;
    let mut targets = Vec::new();
    let mut it = args.iter();
    let number = |it: &mut std::slice::Iter<'_, String>, flag: &str| {
        it.next()
            .and_then(|s| s.parse::<u64>().ok())
            .ok_or(format!("{flag} needs a number"))
    };
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--seconds" => seconds = number(&mut it, "--seconds")?,
            "--runs" => runs = Some(number(&mut it, "--runs")?),
            "--seed" => seed = Some(number(&mut it, "--seed")?),
            t => targets.push(t.to_owned()),
        }
    }
    ensure_cargo_fuzz()?;
    let fuzz_dir = root().join("fuzz");
    if targets.is_empty() {
        targets = list_targets()?;
    }
    for target in &targets {
        let corpus = fuzz_dir.join("corpus").join(target);
        std::fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
        let seeds = fuzz_dir.join("seeds").join(target);
        let mut cmd = Command::new("cargo");
        cmd.current_dir(root())
            .env("RUSTC_BOOTSTRAP", "1")
            .args(["fuzz", "run", "--sanitizer", "none", target])
            .arg(&corpus);
        if seeds.is_dir() {
            cmd.arg(&seeds);
        }
        cmd.arg("--").arg(format!("-max_total_time={seconds}"));
        if let Some(runs) = runs {
            cmd.arg(format!("-runs={runs}"));
        }
        if let Some(seed) = seed {
            cmd.arg(format!("-seed={seed}"));
        }
        cmd.arg("-rss_limit_mb=4096").arg("-max_len=65536");
        sh(&mut cmd)?;
    }
    Ok(())
}

fn list_targets() -> Result<Vec<String>, String> {
    let dir = root().join("fuzz").join("fuzz_targets");
    let mut targets: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            name.strip_suffix(".rs").map(str::to_owned)
        })
        .collect();
    targets.sort();
    Ok(targets)
}

fn ensure_cargo_fuzz() -> Result<(), String> {
    let installed = Command::new("cargo")
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if installed {
        return Ok(());
    }
    sh(Command::new("cargo").args(["install", "cargo-fuzz", "--locked"]))
}
