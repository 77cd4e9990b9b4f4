//! `cargo xtask bench`: runs the criterion benchmarks and rewrites the table
//! in `BENCHMARKS.md` (between its `xtask bench` markers) from criterion's
//! `target/criterion/**/new/estimates.json`.
//!
//! A run lists only the results it wrote (files modified since it started),
//! so a benchmark that was filtered out or removed never shows a stale figure
//! under this run's date. `--table-only` runs nothing and lists every result
//! criterion has, saying so in the table with the newest result's time.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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
    // Whole seconds: some file systems keep coarse modification times, and
    // a result written in the second the run started is still this run's.
    let started = whole_seconds(SystemTime::now());
    if !table_only {
        sh(Command::new("cargo")
            .current_dir(root())
            .args(["bench", "-p", "verify-benches", "--"])
            .args(&args))?;
    }
    let dir = root().join("target/criterion");
    let since = (!table_only).then_some(started);
    let mut results = BTreeMap::new();
    collect(&dir, since, &mut results)?;
    if results.is_empty() {
        return Err(if table_only {
            format!("no criterion results under {}", dir.display())
        } else {
            format!(
                "this run wrote no criterion results under {} (did the filter match nothing?)",
                dir.display()
            )
        });
    }
    let mut command = "cargo xtask bench".to_owned();
    if table_only {
        command.push_str(" --table-only");
    }
    for a in &args {
        command.push(' ');
        command.push_str(a);
    }
    let source = if table_only {
        let times = results.values().map(|e| e.written);
        Source::Existing {
            newest: times.clone().max().unwrap_or(started),
            oldest: times.min().unwrap_or(started),
            regenerated: SystemTime::now(),
        }
    } else {
        Source::ThisRun { started }
    };
    let table = render(&results, &command, &machine(), &source);
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

/// Where the table's figures come from.
#[derive(Clone, Copy)]
enum Source {
    /// The benchmarks run by this command, started at this time.
    ThisRun { started: SystemTime },
    /// Results already under `target/criterion` (`--table-only`), written
    /// between `oldest` and `newest`; the table was rewritten at `regenerated`.
    Existing {
        newest: SystemTime,
        oldest: SystemTime,
        regenerated: SystemTime,
    },
}

/// Mean and its 95% bounds, in nanoseconds per iteration, and when
/// criterion wrote them.
#[derive(Clone, Copy)]
struct Estimate {
    mean: f64,
    low: f64,
    high: f64,
    written: SystemTime,
}

fn whole_seconds(t: SystemTime) -> SystemTime {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    UNIX_EPOCH + Duration::from_secs(secs)
}

/// `t` as `YYYY-MM-DD HH:MM UTC`.
fn utc(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (proleptic Gregorian).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rest / 3_600,
        rest % 3_600 / 60
    )
}

/// Reads every benchmark under `dir` into `out`; with `since`, only those
/// whose estimates were written at or after it.
fn collect(
    dir: &Path,
    since: Option<SystemTime>,
    out: &mut BTreeMap<String, Estimate>,
) -> Result<(), String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        let new = path.join("new");
        let estimates = new.join("estimates.json");
        if let (Ok(b), Ok(e)) = (
            std::fs::read_to_string(new.join("benchmark.json")),
            std::fs::read_to_string(&estimates),
        ) {
            let written = std::fs::metadata(&estimates)
                .and_then(|m| m.modified())
                .map_err(|e| format!("{}: {e}", estimates.display()))?;
            if since.is_some_and(|since| written < since) {
                continue;
            }
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
                out.insert(
                    id.to_owned(),
                    Estimate {
                        mean,
                        low,
                        high,
                        written,
                    },
                );
            }
        } else {
            collect(&path, since, out)?;
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

/// A ratio as a percentage with one decimal, rounded down: 0.898 is
/// "89.8%", and 0.8996 is "89.9%", never a "90.0%" beside a missed 90% goal.
fn percent(ratio: f64) -> String {
    format!("{:.1}%", (ratio * 1_000.0).floor() / 10.0)
}

fn output(cmd: &str, args: &[&str]) -> String {
    Command::new(cmd)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// This machine, for the table: CPU, cores, kernel, compiler.
fn machine() -> String {
    let cpu = output("lscpu", &[])
        .lines()
        .find_map(|l| l.strip_prefix("Model name:").map(|m| m.trim().to_owned()))
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    format!(
        "{cpu}, {cores} CPUs (`nproc`), {}; {}",
        output("uname", &["-sr"]),
        output("rustc", &["-V"]),
    )
}

fn render(r: &BTreeMap<String, Estimate>, command: &str, machine: &str, source: &Source) -> String {
    let mut s = String::new();
    s.push_str(START);
    s.push_str("\n\n");
    let estimate =
        "criterion's estimate per iteration, as it prints it, with 95% confidence bounds";
    match *source {
        Source::ThisRun { started } => {
            s.push_str(&format!(
                "Produced by `{command}` ({estimate}); only the results this run wrote are listed.\n\n\
                 Machine: {machine}; run {}.\n\n",
                utc(started)
            ));
        }
        Source::Existing {
            newest,
            oldest,
            regenerated,
        } => {
            let when = if utc(oldest) == utc(newest) {
                format!("written {}", utc(newest))
            } else {
                format!(
                    "the newest written {}, the oldest {}",
                    utc(newest),
                    utc(oldest)
                )
            };
            s.push_str(&format!(
                "Regenerated by `{command}` from the existing results under `target/criterion` \
                 ({when}), without running the benchmarks ({estimate}).\n\n\
                 Machine: {machine}; table regenerated {}.\n\n",
                utc(regenerated)
            ));
        }
    }

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
            ratio.map(|x| format!("{} of the baseline's requests/s", percent(x))),
            &format!(">= {:.0}%", goal * 100.0),
            // The verdict compares the unrounded ratio.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn estimate(mean: f64) -> Estimate {
        Estimate {
            mean,
            low: mean,
            high: mean,
            written: at(1_481_739_612),
        }
    }

    fn row<'a>(table: &'a str, name: &str) -> &'a str {
        table
            .lines()
            .find(|l| l.starts_with(&format!("| {name} |")))
            .unwrap_or_else(|| panic!("no row {name} in\n{table}"))
    }

    #[test]
    fn utc_formats_a_known_date() {
        assert_eq!(utc(at(1_481_739_612)), "2016-12-14 18:20 UTC");
        assert_eq!(utc(at(0)), "1970-01-01 00:00 UTC");
        assert_eq!(utc(at(951_782_400)), "2000-02-29 00:00 UTC");
    }

    #[test]
    fn ratios_show_one_decimal_and_the_verdict_uses_the_exact_value() {
        let mut r = BTreeMap::new();
        r.insert("sequential/bare_ureq".to_owned(), estimate(100.0));
        r.insert("sequential/verify_ureq".to_owned(), estimate(100.0 / 0.898));
        r.insert("in_flight/bare_hyper/64".to_owned(), estimate(100.0));
        r.insert(
            "in_flight/verify_hyper/64".to_owned(),
            estimate(100.0 / 0.8),
        );
        let table = render(
            &r,
            "cargo xtask bench",
            "m",
            &Source::ThisRun { started: at(0) },
        );
        let ureq = row(&table, "verify-ureq sequential vs bare ureq");
        assert!(ureq.contains("| 89.8% of the baseline"), "{ureq}");
        assert!(ureq.ends_with("| **missed** |"), "{ureq}");
        let hyper = row(&table, "verify-hyper, 64 in flight, vs bare hyper");
        assert!(hyper.contains("| 80.0% of the baseline"), "{hyper}");
        assert!(hyper.ends_with("| met |"), "{hyper}");

        // Just under the goal: rounded to one decimal it would read 90.0%.
        r.insert(
            "sequential/verify_ureq".to_owned(),
            estimate(100.0 / 0.8996),
        );
        let table = render(
            &r,
            "cargo xtask bench",
            "m",
            &Source::ThisRun { started: at(0) },
        );
        let ureq = row(&table, "verify-ureq sequential vs bare ureq");
        assert!(ureq.contains("| 89.9% of the baseline"), "{ureq}");
        assert!(ureq.ends_with("| **missed** |"), "{ureq}");
        assert_eq!(percent(0.9), "90.0%");
        assert_eq!(percent(1.234), "123.4%");
    }

    #[test]
    fn the_header_says_where_the_figures_come_from() {
        let mut r = BTreeMap::new();
        r.insert("round/telesign_sms".to_owned(), estimate(2_000.0));
        let run = render(
            &r,
            "cargo xtask bench",
            "m",
            &Source::ThisRun {
                started: at(1_481_739_612),
            },
        );
        assert!(run.contains("Produced by `cargo xtask bench`"), "{run}");
        assert!(run.contains("only the results this run wrote are listed"));
        assert!(run.contains("run 2016-12-14 18:20 UTC."), "{run}");
        assert!(!run.contains("Regenerated"));

        let existing = render(
            &r,
            "cargo xtask bench --table-only",
            "m",
            &Source::Existing {
                newest: at(1_481_739_612),
                oldest: at(1_481_000_000),
                regenerated: at(1_500_000_000),
            },
        );
        assert!(
            existing.contains(
                "Regenerated by `cargo xtask bench --table-only` from the existing results"
            ),
            "{existing}"
        );
        assert!(
            existing.contains("the newest written 2016-12-14 18:20 UTC"),
            "{existing}"
        );
        assert!(existing.contains("without running the benchmarks"));
        assert!(!existing.contains("Produced by"));
    }

    /// A criterion result directory `<dir>/<name>/new/` written at `time`.
    fn write_result(dir: &Path, name: &str, mean: f64, time: SystemTime) {
        let new = dir.join(name).join("new");
        std::fs::create_dir_all(&new).unwrap();
        std::fs::write(
            new.join("benchmark.json"),
            format!(r#"{{"full_id":"{name}"}}"#),
        )
        .unwrap();
        let estimates = new.join("estimates.json");
        std::fs::write(
            &estimates,
            format!(
                r#"{{"mean":{{"point_estimate":{mean},"confidence_interval":{{"lower_bound":{mean},"upper_bound":{mean}}}}}}}"#
            ),
        )
        .unwrap();
        std::fs::File::options()
            .write(true)
            .open(&estimates)
            .unwrap()
            .set_modified(time)
            .unwrap();
    }

    #[test]
    fn a_run_reads_only_the_results_it_wrote() {
        let dir = std::env::temp_dir().join(format!(
            "xtask-bench-{}-{}",
            std::process::id(),
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        let started = at(1_700_000_000);
        write_result(&dir.join("round"), "fresh", 1.0, started);
        write_result(&dir.join("round"), "stale", 2.0, at(1_600_000_000));
        let mut this_run = BTreeMap::new();
        collect(&dir, Some(started), &mut this_run).unwrap();
        let mut all = BTreeMap::new();
        collect(&dir, None, &mut all).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(this_run.keys().collect::<Vec<_>>(), ["fresh"]);
        assert_eq!(all.keys().collect::<Vec<_>>(), ["fresh", "stale"]);
        assert_eq!(all["stale"].written, at(1_600_000_000));
    }
}
