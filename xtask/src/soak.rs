//! `cargo xtask soak [--requests N] [--in-flight N] [--timeout-ms N] [--shield]`:
//! runs the soak of `verify_benches::soak` in release mode (default 1,000,000
//! calls, 256 in flight) and rewrites its section of `BENCHMARKS.md` (between
//! the `xtask soak` markers; `xtask soak-shield` with `--shield`, the soak
//! behind the abuse shield on Redis) with the report, whether the checks held
//! or not.

use std::time::SystemTime;

use crate::bench::{machine, utc};
use crate::{cargo, root, splice, target_dir};

const START: &str = "<!-- xtask soak: start -->";
const END: &str = "<!-- xtask soak: end -->";
const SHIELD_START: &str = "<!-- xtask soak-shield: start -->";
const SHIELD_END: &str = "<!-- xtask soak-shield: end -->";

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let mut it = args.iter();
    let mut shield = false;
    while let Some(a) = it.next() {
        match a.as_str() {
            "--shield" => shield = true,
            "--requests" | "--in-flight" | "--timeout-ms" => {
                it.next()
                    .filter(|v| v.replace('_', "").parse::<u64>().is_ok())
                    .ok_or(format!("{a} needs a number"))?;
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let started = SystemTime::now();
    let mut cmd = cargo();
    cmd.args([
        "run",
        "--release",
        "-p",
        "verify-benches",
        "--bin",
        "soak",
        "--",
    ])
    .args(args);
    eprintln!("$ {cmd:?}");
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    let (report, start, end) = if shield {
        ("soak-shield.md", SHIELD_START, SHIELD_END)
    } else {
        ("soak.md", START, END)
    };
    let report = target_dir().join("verify-benches").join(report);
    let fresh = std::fs::metadata(&report)
        .and_then(|m| m.modified())
        .is_ok_and(|t| t >= started);
    if fresh {
        let text =
            std::fs::read_to_string(&report).map_err(|e| format!("{}: {e}", report.display()))?;
        splice(
            &root().join("BENCHMARKS.md"),
            start,
            end,
            &format!(
                "{start}\n\nMachine: {}; finished {}.\n\n{}\n{end}",
                machine(),
                utc(SystemTime::now()),
                text.trim_end()
            ),
        )?;
    }
    if status.success() {
        Ok(())
    } else {
        Err(format!("the soak failed ({status}); see its report above"))
    }
}
