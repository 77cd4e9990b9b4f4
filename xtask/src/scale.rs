//! `cargo xtask scale [--latency-ms N] [--levels 1,64,512,4096] [--rounds N]`:
//! runs the scaling curve of `benches/src/bin/scale.rs` in release mode
//! (verify-hyper and the fair bare-hyper baseline against the sandbox at
//! 50 ms latency) and rewrites its section of `BENCHMARKS.md` (between the
//! `xtask scale` markers).

use std::time::SystemTime;

use crate::bench::{machine, utc};
use crate::{cargo, root, splice, target_dir};

const START: &str = "<!-- xtask scale: start -->";
const END: &str = "<!-- xtask scale: end -->";

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let started = SystemTime::now();
    let mut cmd = cargo();
    cmd.args([
        "run",
        "--release",
        "-p",
        "verify-benches",
        "--bin",
        "scale",
        "--",
    ])
    .args(args);
    eprintln!("$ {cmd:?}");
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if !status.success() {
        return Err(format!("the scaling run failed ({status})"));
    }
    let report = target_dir().join("verify-benches/scale.md");
    let fresh = std::fs::metadata(&report)
        .and_then(|m| m.modified())
        .is_ok_and(|t| t >= started);
    if !fresh {
        return Err(format!("{} was not written", report.display()));
    }
    let text =
        std::fs::read_to_string(&report).map_err(|e| format!("{}: {e}", report.display()))?;
    splice(
        &root().join("BENCHMARKS.md"),
        START,
        END,
        &format!(
            "{START}\n\nMachine: {}; finished {}.\n\n{}\n{END}",
            machine(),
            utc(SystemTime::now()),
            text.trim_end()
        ),
    )
}
