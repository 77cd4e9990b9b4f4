//! `cargo xtask bench`: runs the criterion benchmarks and rewrites the table
//! in `BENCHMARKS.md` (between its `xtask bench` markers) from criterion's
//! `target/criterion/**/new/estimates.json`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::{root, sh};

const START: &str = "<!-- xtask bench: start -->";
const END: &str = "<!-- xtask bench: end -->";

/// `--table-only` skips running and only rewrites the table from the last
/// results; other arguments go to criterion (e.g. a benchmark filter).
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let table_only = args.iter().any(|a| a == "--table-only");
    let args: Vec<String> = args
        .iter()
        .filter(|a| *a != "--table-only")
        .cloned()
        .collect();
    if !table_only {
        sh(Command::new("cargo")
            .current_dir(root())
            .args(["bench", "-p", "verify-benches", "--"])
            .args(&args))?;
    }
    let mut results = BTreeMap::new();
    collect(&root().join("target/criterion"), &mut results)?;
    if results.is_empty() {
        return Err("no criterion results under target/criterion".into());
    }
    let mut command = "cargo xtask bench".to_owned();
    for a in &args {
        command.push(' ');
        command.push_str(a);
    }
    let table = render(&results, &command);
    let path = root().join("BENCHMARKS.md");
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    let new = match (old.find(START), old.find(END)) {
        (Some(a), Some(b)) if a < b => format!("{}{table}{}", &old[..a], &old[b + END.len()..]),
        _ => format!("# Benchmarks\n\n{table}\n"),
    };
    std::fs::write(&path, new).map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!("rewrote {}", path.display());
    Ok(())
}

/// Mean and its 95% bounds, in nanoseconds per iteration.
#[derive(Clone, Copy)]
struct Estimate {
    mean: f64,
    low: f64,
    high: f64,
}

fn collect(dir: &Path, out: &mut BTreeMap<String, Estimate>) -> Result<(), String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        let new = path.join("new");
        if let (Ok(b), Ok(e)) = (
            std::fs::read_to_string(new.join("benchmark.json")),
            std::fs::read_to_string(new.join("estimates.json")),
        ) {
            let b: Value = serde_json::from_str(&b).map_err(|e| e.to_string())?;
            let e: Value = serde_json::from_str(&e).map_err(|e| e.to_string())?;
            let num = |p: &str| e.pointer(p).and_then(Value::as_f64);
            // Criterion reports the slope of time over iterations when it
            // has one (linear sampling), else the mean; so does the table.
            let key = if num("/slope/point_estimate").is_some() {
                "slope"
            } else {
                "mean"
            };
            if let (Some(id), Some(mean), Some(low), Some(high)) = (
                b.get("full_id").and_then(Value::as_str),
                num(&format!("/{key}/point_estimate")),
                num(&format!("/{key}/confidence_interval/lower_bound")),
                num(&format!("/{key}/confidence_interval/upper_bound")),
            ) {
                out.insert(id.to_owned(), Estimate { mean, low, high });
            }
        } else {
            collect(&path, out)?;
        }
    }
    Ok(())
}

fn human(ns: f64) -> String {
    if ns < 1_000.0 {
        format!("{ns:.0} ns")
    } else if ns < 1_000_000.0 {
        format!("{:.2} µs", ns / 1_000.0)
    } else {
        format!("{:.2} ms", ns / 1_000_000.0)
    }
}

fn output(cmd: &str, args: &[&str]) -> String {
    Command::new(cmd)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn render(r: &BTreeMap<String, Estimate>, command: &str) -> String {
    let mut s = String::new();
    s.push_str(START);
    s.push_str("\n\nProduced by `");
    s.push_str(command);
    s.push_str(
        "` (criterion's estimate per iteration, as it prints it, with 95% confidence bounds).\n\n",
    );
    let cpu = output("lscpu", &[])
        .lines()
        .find_map(|l| l.strip_prefix("Model name:").map(|m| m.trim().to_owned()))
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    s.push_str(&format!(
        "Machine: {cpu}, {cores} CPUs (`nproc`), {}; {}; run {}.\n\n",
        output("uname", &["-sr"]),
        output("rustc", &["-V"]),
        output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
    ));

    s.push_str("### Targets\n\n| target | measured | goal | verdict |\n|---|---|---|---|\n");
    let mut target = |name: &str, measured: Option<String>, goal: &str, ok: Option<bool>| {
        let verdict = match ok {
            Some(true) => "met",
            Some(false) => "**missed**",
            None => "not measured",
        };
        s.push_str(&format!(
            "| {name} | {} | {goal} | {verdict} |\n",
            measured.unwrap_or_else(|| "-".into())
        ));
    };
    for (name, id) in [
        (
            "TeleSign SMS round in the core (build, sign, parse)",
            "round/telesign_sms",
        ),
        (
            "dotdigital send round in the core (build, sign, parse)",
            "round/dotdigital_send",
        ),
    ] {
        let e = r.get(id);
        target(
            name,
            e.map(|e| human(e.mean)),
            "< 3 µs",
            e.map(|e| e.mean < 3_000.0),
        );
    }
    for (name, adapter, bare, goal) in [
        (
            "verify-hyper, 64 in flight, vs bare hyper",
            "in_flight/verify_hyper/64",
            "in_flight/bare_hyper/64",
            0.8,
        ),
        (
            "verify-ureq sequential vs bare ureq",
            "sequential/verify_ureq",
            "sequential/bare_ureq",
            0.9,
        ),
    ] {
        let ratio = match (r.get(adapter), r.get(bare)) {
            // Requests per second are the inverse of time per request.
            (Some(a), Some(b)) => Some(b.mean / a.mean),
            _ => None,
        };
        target(
            name,
            ratio.map(|x| format!("{:.0}% of the baseline's requests/s", x * 100.0)),
            &format!(">= {:.0}%", goal * 100.0),
            ratio.map(|x| x >= goal),
        );
    }

    s.push_str("\n### All benchmarks\n\n| benchmark | time | 95% bounds | requests/s |\n|---|---|---|---|\n");
    for (id, e) in r {
        let rps = if id.starts_with("sequential/") || id.starts_with("in_flight/") {
            format!("{:.0}", 1e9 / e.mean)
        } else {
            "-".into()
        };
        s.push_str(&format!(
            "| `{id}` | {} | {} .. {} | {rps} |\n",
            human(e.mean),
            human(e.low),
            human(e.high)
        ));
    }
    s.push('\n');
    s.push_str(END);
    s
}
