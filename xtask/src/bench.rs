//! `cargo xtask bench`: runs the benchmarks of `verify-benches` and TeleSign's
//! Python SDK in one run, and rewrites the table in `BENCHMARKS.md` (between
//! its `xtask bench` markers).
//!
//! Every verdict is a ratio of two figures measured in the same run:
//! - `round/X / floor/X`: the core against the least work that writes the
//!   same request and reads the same answer (criterion, `benches/core.rs`),
//!   with the allocations per call of each (`allocations.json`, written by
//!   the core bench's counting allocator);
//! - TeleSign's Python SDK doing its share of the SMS round
//!   (`benches/python/telesign_sdk_round.py`) over `round/telesign_sms` and
//!   `floor/telesign_sms`, and its whole call with no socket over
//!   `call/telesign_sms`, in alternating runs timed by the core bench
//!   (`python.json`): the median of the pairs' ratios;
//! - each adapter against a bare client, in alternating rounds
//!   (`interleaved.json`, written by `benches/interleaved.rs`): the median
//!   ratio with its quartiles and range.
//!
//! Criterion's absolute figures follow, secondary. A run lists only the
//! results it wrote (files modified since it started), so a benchmark that
//! was filtered out or removed never shows a stale figure under this run's
//! date. `--table-only` runs nothing and uses every result there is, saying
//! so in the table. `--no-python` skips the Python SDK
//! (`VERIFY_BENCH_NO_PYTHON=1` for the core bench).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::{cargo, root, sh, splice, target_dir};

const START: &str = "<!-- xtask bench: start -->";
const END: &str = "<!-- xtask bench: end -->";

/// Goals: the Python SDK's round over the core's, at least; the adapters'
/// requests per second over their bare clients', at least.
const PYTHON_GOAL: f64 = 30.0;
/// Each adapter over its fair baseline (issue 23).
const FAIR_GOAL: f64 = 0.97;
/// The operations with a floor.
const FLOORED: [&str; 3] = ["telesign_sms", "telesign_status", "dotdigital_send"];

/// `--table-only` skips running and only rewrites the table from the last
/// results; `--no-python` skips the Python SDK; other arguments go to the
/// benchmarks (e.g. a criterion filter).
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let table_only = args.iter().any(|a| a == "--table-only");
    let no_python = args.iter().any(|a| a == "--no-python");
    let args: Vec<String> = args
        .iter()
        .filter(|a| *a != "--table-only" && *a != "--no-python")
        .cloned()
        .collect();
    // Whole seconds: some file systems keep coarse modification times, and
    // a result written in the second the run started is still this run's.
    let started = whole_seconds(SystemTime::now());
    let load_at_start = load_average();
    if !table_only {
        let mut bench = cargo();
        bench
            .args(["bench", "-p", "verify-benches", "--"])
            .args(&args);
        if no_python {
            bench.env("VERIFY_BENCH_NO_PYTHON", "1");
        }
        sh(&mut bench)?;
    }
    let since = (!table_only).then_some(started);
    let mut results = Results::default();
    let dir = target_dir().join("criterion");
    collect(&dir, since, &mut results.criterion)?;
    let ours = target_dir().join("verify-benches");
    if let Some(v) = read_json(&ours.join("allocations.json"), since)? {
        results.allocations = allocations(&v);
    }
    if let Some(v) = read_json(&ours.join("floors.json"), since)? {
        results.floors = floors(&v);
    }
    if let Some(v) = read_json(&ours.join("interleaved.json"), since)? {
        results.interleaved = interleaved(&v);
    }
    if let Some(v) = read_json(&ours.join("python.json"), since)? {
        results.python = Python::from_json(&v);
    }
    if results.criterion.is_empty() && results.interleaved.is_empty() {
        return Err(if table_only {
            format!("no results under {}", dir.display())
        } else {
            format!(
                "this run wrote no results under {} (did the filter match nothing?)",
                dir.display()
            )
        });
    }
    let mut command = "cargo xtask bench".to_owned();
    if table_only {
        command.push_str(" --table-only");
    }
    if no_python {
        command.push_str(" --no-python");
    }
    for a in &args {
        command.push(' ');
        command.push_str(a);
    }
    let source = if table_only {
        let times = results.criterion.values().map(|e| e.written);
        Source::Existing {
            newest: times.clone().max().unwrap_or(started),
            oldest: times.min().unwrap_or(started),
            regenerated: SystemTime::now(),
        }
    } else {
        Source::ThisRun {
            started,
            load: load_at_start.zip(load_average()),
        }
    };
    let table = render(&results, &command, &machine(), &source);
    eprintln!("{}", verdicts(&results));
    splice(&root().join("BENCHMARKS.md"), START, END, &table)
}

/// Where the table's figures come from.
#[derive(Clone, Copy)]
enum Source {
    /// The benchmarks run by this command, started at this time.
    /// `load`: the 1-minute load average when it started and when it ended
    /// (other processes compete with the benchmarks for the CPUs).
    ThisRun {
        started: SystemTime,
        load: Option<(f64, f64)>,
    },
    /// Results already under `target/` (`--table-only`), written between
    /// `oldest` and `newest`; the table was rewritten at `regenerated`.
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

/// Allocations per call of one round or floor.
#[derive(Clone, Debug, PartialEq)]
struct Allocations {
    id: String,
    allocations: f64,
    reallocations: f64,
    bytes: f64,
}

/// Minimum, quartiles, median and maximum of a set of ratios.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Spread {
    min: f64,
    q1: f64,
    median: f64,
    q3: f64,
    max: f64,
}

/// A round against its floor, in alternating runs.
#[derive(Clone, Debug, Default, PartialEq)]
struct FloorRatio {
    /// `round/X`.
    round: String,
    pairs: u64,
    calls: u64,
    ratio: Spread,
    /// Medians over the runs, in nanoseconds per call.
    round_ns: f64,
    floor_ns: f64,
}

/// An adapter against its bare client, in alternating rounds.
#[derive(Clone, Debug, Default, PartialEq)]
struct Pair {
    adapter: String,
    baseline: String,
    rounds: u64,
    requests_per_round: u64,
    /// Adapter requests/s over the baseline's, per round.
    ratio: Spread,
    adapter_rps: f64,
    baseline_rps: f64,
}

/// One measure of TeleSign's Python SDK against a Rust round, in
/// alternating runs.
#[derive(Clone, Debug, Default, PartialEq)]
struct Versus {
    /// The Rust round: `round/telesign_sms`, `floor/telesign_sms`, `call/telesign_sms`.
    rust: String,
    /// Python's time over Rust's, per pair.
    ratio: Spread,
    /// Medians over the runs, in nanoseconds per round.
    python_ns: f64,
    rust_ns: f64,
}

impl Versus {
    fn from_json(v: &Value) -> Option<Versus> {
        Some(Versus {
            rust: v.get("rust")?.as_str()?.to_owned(),
            ratio: spread(v.get("ratio")?)?,
            python_ns: spread(v.get("python_ns")?)?.median,
            rust_ns: spread(v.get("rust_ns")?)?.median,
        })
    }
}

/// TeleSign's Python SDK against the core (`python.json`, written by the
/// core bench).
#[derive(Clone, Debug, Default, PartialEq)]
enum Python {
    Measured {
        /// The SDK's share of the SMS round over `round/telesign_sms`: the goal.
        share_round: Versus,
        /// The same over `floor/telesign_sms`.
        share_floor: Option<Box<Versus>>,
        /// The SDK's whole call, no socket, over `call/telesign_sms`.
        call: Option<Box<Versus>>,
        pairs: u64,
        sdk: String,
        python: String,
    },
    /// Why it was not measured.
    Skipped(String),
    /// Not run.
    #[default]
    NotRun,
}

impl Python {
    fn from_json(v: &Value) -> Python {
        let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        let versus = |k: &str| v.get(k).and_then(Versus::from_json).map(Box::new);
        if let Some(share_round) = versus("share_round") {
            Python::Measured {
                share_round: *share_round,
                share_floor: versus("share_floor"),
                call: versus("call"),
                pairs: v.get("pairs").and_then(Value::as_u64).unwrap_or_default(),
                sdk: text("sdk").unwrap_or_default(),
                python: text("python").unwrap_or_default(),
            }
        } else if let Some(why) = text("skipped") {
            Python::Skipped(why)
        } else {
            Python::NotRun
        }
    }
}

/// Everything one table shows.
#[derive(Default)]
struct Results {
    criterion: BTreeMap<String, Estimate>,
    allocations: Vec<Allocations>,
    floors: Vec<FloorRatio>,
    interleaved: Vec<Pair>,
    python: Python,
}

/// The JSON at `path`, if it exists and (with `since`) was written at or after it.
fn read_json(path: &Path, since: Option<SystemTime>) -> Result<Option<Value>, String> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(None);
    };
    let written = meta
        .modified()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if since.is_some_and(|since| written < since) {
        return Ok(None);
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn allocations(v: &Value) -> Vec<Allocations> {
    let rows = v.get("rows").and_then(Value::as_array);
    rows.into_iter()
        .flatten()
        .filter_map(|r| {
            let num = |k: &str| r.get(k).and_then(Value::as_f64);
            Some(Allocations {
                id: r.get("id")?.as_str()?.to_owned(),
                allocations: num("allocations")?,
                reallocations: num("reallocations")?,
                bytes: num("bytes")?,
            })
        })
        .collect()
}

fn spread(v: &Value) -> Option<Spread> {
    let num = |k: &str| v.get(k).and_then(Value::as_f64);
    Some(Spread {
        min: num("min")?,
        q1: num("q1")?,
        median: num("median")?,
        q3: num("q3")?,
        max: num("max")?,
    })
}

fn floors(v: &Value) -> Vec<FloorRatio> {
    let ratios = v.get("ratios").and_then(Value::as_array);
    ratios
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let int = |k: &str| p.get(k).and_then(Value::as_u64);
            Some(FloorRatio {
                round: p.get("round")?.as_str()?.to_owned(),
                pairs: int("pairs")?,
                calls: int("calls")?,
                ratio: spread(p.get("ratio")?)?,
                round_ns: spread(p.get("round_ns")?)?.median,
                floor_ns: spread(p.get("floor_ns")?)?.median,
            })
        })
        .collect()
}

fn interleaved(v: &Value) -> Vec<Pair> {
    let pairs = v.get("pairs").and_then(Value::as_array);
    pairs
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let text = |k: &str| p.get(k).and_then(Value::as_str).map(str::to_owned);
            let int = |k: &str| p.get(k).and_then(Value::as_u64);
            Some(Pair {
                adapter: text("adapter")?,
                baseline: text("baseline")?,
                rounds: int("rounds")?,
                requests_per_round: int("requests_per_round")?,
                ratio: spread(p.get("ratio")?)?,
                adapter_rps: spread(p.get("adapter_rps")?)?.median,
                baseline_rps: spread(p.get("baseline_rps")?)?.median,
            })
        })
        .collect()
}

fn whole_seconds(t: SystemTime) -> SystemTime {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    UNIX_EPOCH + Duration::from_secs(secs)
}

/// `t` as `YYYY-MM-DD HH:MM UTC`.
pub(crate) fn utc(t: SystemTime) -> String {
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

/// A factor with two decimals, rounded down: 29.999 is "29.99×".
fn times(ratio: f64) -> String {
    format!("{:.2}×", (ratio * 100.0).floor() / 100.0)
}

fn output(cmd: &str, args: &[&str]) -> String {
    Command::new(cmd)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// This machine, for the table: CPU, cores, memory, kernel, compiler.
pub(crate) fn machine() -> String {
    let cpu = output("lscpu", &[])
        .lines()
        .find_map(|l| l.strip_prefix("Model name:").map(|m| m.trim().to_owned()))
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or_else(String::new, |kb| {
            format!(", {:.0} GB", kb as f64 / 1024.0 / 1024.0)
        });
    format!(
        "{cpu}, {cores} CPUs (`nproc`){memory}, {}; {}",
        output("uname", &["-sr"]),
        output("rustc", &["-V"]),
    )
}

/// The 1-minute load average, from `/proc/loadavg`.
fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// "met", "**missed**", and a warning when `low` (named `low_name`: the
/// lower quartile, the lowest pair) is below the goal.
fn verdict(measured: Option<f64>, goal: f64, low: Option<f64>, low_name: &str) -> String {
    match measured {
        None => "not measured".into(),
        Some(m) if m < goal => "**missed**".into(),
        Some(_) if low.is_some_and(|q| q < goal) => {
            format!("met by the median; {low_name} is below")
        }
        Some(_) => "met".into(),
    }
}

/// The pair of `adapter` against the baseline whose name starts with
/// `baseline` (`bare_`, `fair_`); results without a fair baseline name
/// theirs `bare...`.
fn pair<'a>(r: &'a Results, adapter: &str, baseline: &str) -> Option<&'a Pair> {
    r.interleaved
        .iter()
        .find(|p| p.adapter == adapter && p.baseline.starts_with(baseline))
}

fn ratio_with_spread(p: &Pair) -> String {
    format!(
        "{} (IQR {} .. {}, range {} .. {})",
        percent(p.ratio.median),
        percent(p.ratio.q1),
        percent(p.ratio.q3),
        percent(p.ratio.min),
        percent(p.ratio.max),
    )
}

/// The verdicts, for the table and the terminal.
fn verdicts(r: &Results) -> String {
    let mut s = String::from("| what | measured | goal | verdict |\n|---|---|---|---|\n");
    let versus = |v: &Versus, pairs: u64| {
        format!(
            "{} (median of {pairs} alternating runs, IQR {} .. {}, range {} .. {}; {} / {} per round)",
            times(v.ratio.median),
            times(v.ratio.q1),
            times(v.ratio.q3),
            times(v.ratio.min),
            times(v.ratio.max),
            human(v.python_ns),
            human(v.rust_ns)
        )
    };
    let (measured, verdict_text) = match &r.python {
        Python::Measured {
            share_round, pairs, ..
        } => (
            versus(share_round, *pairs),
            verdict(
                Some(share_round.ratio.median),
                PYTHON_GOAL,
                Some(share_round.ratio.q1),
                "the lower quartile",
            ),
        ),
        Python::Skipped(why) => (
            format!("skipped: {why}"),
            verdict(None, PYTHON_GOAL, None, ""),
        ),
        Python::NotRun => ("-".into(), verdict(None, PYTHON_GOAL, None, "")),
    };
    let sdk = match &r.python {
        Python::Measured { sdk, .. } => format!(" {sdk}"),
        _ => String::new(),
    };
    s.push_str(&format!(
        "| TeleSign's Python SDK{sdk} over the core, its share of the SMS round (`python share / round/telesign_sms`) | {measured} | >= {PYTHON_GOAL:.0}× | {verdict_text} |\n",
    ));
    if let Python::Measured {
        share_floor,
        call,
        pairs,
        ..
    } = &r.python
    {
        if let Some(f) = share_floor {
            s.push_str(&format!(
                "| the same over the floor (`python share / floor/telesign_sms`): the most that code doing this work with these crates reaches | {} | - | reported |\n",
                versus(f, *pairs)
            ));
        }
        if let Some(c) = call {
            s.push_str(&format!(
                "| TeleSign's Python SDK, its whole call with no socket, over the core's call (`python call / call/telesign_sms`) | {} | - | reported |\n",
                versus(c, *pairs)
            ));
        }
    }
    for op in FLOORED {
        let f = r.floors.iter().find(|f| f.round == format!("round/{op}"));
        s.push_str(&format!(
            "| the core over its floor, `round/{op} / floor/{op}`, median of alternating runs | {} | - | reported |\n",
            f.map_or_else(
                || "-".into(),
                |f| format!(
                    "{} (IQR {} .. {}, range {} .. {})",
                    times(f.ratio.median),
                    times(f.ratio.q1),
                    times(f.ratio.q3),
                    times(f.ratio.min),
                    times(f.ratio.max)
                )
            ),
        ));
    }
    // The bare baselines send a request built once (the adapter is charged
    // with all of the core's per-call work): reported. The fair baselines do
    // what a user writes by hand per call: the verdict.
    for (name, adapter, baseline, goal) in [
        (
            "verify-ureq over bare ureq, one request at a time",
            "verify_ureq",
        ),
        (
            "verify-hyper over bare hyper, 1 in flight",
            "verify_hyper/1",
        ),
        (
            "verify-hyper over bare hyper, 16 in flight",
            "verify_hyper/16",
        ),
        (
            "verify-hyper over bare hyper, 64 in flight",
            "verify_hyper/64",
        ),
    ]
    .into_iter()
    .flat_map(|(name, adapter): (&str, &str)| {
        [
            (name.to_owned(), adapter, "bare_", None),
            (
                format!("{name}, the bare client doing the floor's work per call (fair baseline)"),
                adapter,
                "fair_",
                Some(FAIR_GOAL),
            ),
        ]
    }) {
        let p = pair(r, adapter, baseline);
        s.push_str(&format!(
            "| {name}: requests/s, median of interleaved rounds | {} | {} | {} |\n",
            p.map_or_else(|| "-".into(), ratio_with_spread),
            goal.map_or_else(|| "-".into(), |g| format!(">= {:.0}%", g * 100.0)),
            match goal {
                Some(g) => verdict(
                    p.map(|p| p.ratio.median),
                    g,
                    p.map(|p| p.ratio.q1),
                    "the lower quartile"
                ),
                None => "reported".into(),
            }
        ));
    }
    s
}

fn render(r: &Results, command: &str, machine: &str, source: &Source) -> String {
    let mut s = String::new();
    s.push_str(START);
    s.push_str("\n\n");
    match *source {
        Source::ThisRun { started, load } => {
            let load = load.map_or_else(String::new, |(a, b)| {
                format!(
                    " Load average (1 min; other processes share the CPUs): {a:.1} when the run \
                     started, {b:.1} when it ended."
                )
            });
            s.push_str(&format!(
                "Produced by `{command}`; only the results this run wrote are listed.\n\n\
                 Machine: {machine}; run {}.{load}\n\n",
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
                "Regenerated by `{command}` from the existing results under `target/` \
                 ({when}), without running the benchmarks.\n\n\
                 Machine: {machine}; table regenerated {}.\n\n",
                utc(regenerated)
            ));
        }
    }

    s.push_str("### Verdicts\n\n");
    s.push_str(&verdicts(r));

    s.push_str(
        "\n### The core against its floors\n\n\
         `round/X`: the library validates, builds, signs (at a fixed date, with a fixed nonce) and \
         parses; `floor/X`: the least work that writes the same request and reads the same answer \
         (`benches/src/floor.rs`, proven equal by `benches/tests/floor_matches.rs`). The ratio is \
         the median over alternating runs of the two (the core bench, before criterion: round, \
         floor, round, floor, ..., each round run over the mean of the floor runs around it), \
         with its quartiles and range; the times are those runs' medians (criterion's estimates \
         are listed below). Allocations per call are counted by the core bench's allocator \
         (reallocations apart); in brackets, the round's two halves: `build_sign/X` (validate, \
         build, sign) + `parse/X`.\n\n\
         | operation | round / floor | quartiles | range | round | floor | allocations: round / floor | reallocations: round / floor | bytes allocated: round / floor |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    for op in FLOORED {
        let ratio = r.floors.iter().find(|f| f.round == format!("round/{op}"));
        let alloc = |id: String| r.allocations.iter().find(|a| a.id == id);
        let (ra, fa) = (alloc(format!("round/{op}")), alloc(format!("floor/{op}")));
        let (build, parse) = (
            alloc(format!("build_sign/{op}")),
            alloc(format!("parse/{op}")),
        );
        // The round's figure, then its halves when known: "21.0 (14.0 + 7.0) / 10.0".
        let both = |f: fn(&Allocations) -> f64, digits: usize| match (ra, fa) {
            (Some(a), Some(b)) => {
                let halves = match (build, parse) {
                    (Some(x), Some(y)) => format!(" ({:.digits$} + {:.digits$})", f(x), f(y)),
                    _ => String::new(),
                };
                format!("{:.digits$}{halves} / {:.digits$}", f(a), f(b))
            }
            _ => "-".into(),
        };
        let dash = || "-".to_owned();
        s.push_str(&format!(
            "| {op} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            ratio.map_or_else(dash, |f| times(f.ratio.median)),
            ratio.map_or_else(dash, |f| format!(
                "{} .. {}",
                times(f.ratio.q1),
                times(f.ratio.q3)
            )),
            ratio.map_or_else(dash, |f| format!(
                "{} .. {}",
                times(f.ratio.min),
                times(f.ratio.max)
            )),
            ratio.map_or_else(dash, |f| human(f.round_ns)),
            ratio.map_or_else(dash, |f| human(f.floor_ns)),
            both(|a| a.allocations, 1),
            both(|a| a.reallocations, 1),
            both(|a| a.bytes, 0),
        ));
    }
    if let Some(f) = r.floors.first() {
        s.push_str(&format!(
            "\n{} alternating runs of {} calls each per operation.\n",
            f.pairs, f.calls
        ));
    }

    s.push_str(
        "\n### Adapters against bare clients, interleaved\n\n\
         TeleSign status queries against the sandbox on loopback (`benches/benches/interleaved.rs`): \
         adapter and two baselines in alternating rounds of a fixed number of requests (adapter, bare, \
         fair, ...); each adapter round's requests per second over the mean of the baseline's rounds \
         before and after it. `bare_*`: the bare client sends a request built once at setup, so the \
         adapter is charged with all of the core's work per call. `fair_*` (the verdict): the bare \
         client plus what a user writes by hand per call (build the request, date it, draw a nonce, \
         read the answer with the floor's code: `benches/src/floor.rs`, `TeleSignBasic`). \
         verify-hyper keeps 64 idle connections (its default is 8), as the bare client keeps all of its own.\n\n\
         | adapter / baseline | median | quartiles | range | rounds × requests | adapter requests/s | baseline requests/s |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for p in &r.interleaved {
        s.push_str(&format!(
            "| {} / {} | {} | {} .. {} | {} .. {} | {} × {} | {:.0} | {:.0} |\n",
            p.adapter,
            p.baseline,
            percent(p.ratio.median),
            percent(p.ratio.q1),
            percent(p.ratio.q3),
            percent(p.ratio.min),
            percent(p.ratio.max),
            p.rounds,
            p.requests_per_round,
            p.adapter_rps,
            p.baseline_rps,
        ));
    }

    if let Python::Measured { sdk, python, .. } = &r.python {
        s.push_str(&format!(
            "\nTeleSign's Python SDK {sdk} on Python {python} (`benches/python/telesign_sdk_round.py`, run by \
             the core bench as a worker). Its share of the SMS round: urlencode, \
             `RestClient.generate_telesign_headers` at the same date and nonce, checked to give the \
             library's signature, `json.loads` of the answer; 20,000 rounds a run. Its whole call: \
             `RestClient.post(\"/v1/verify/sms\", ...)` (what `VerifyClient.sms` does) with a fresh date \
             and nonce and a transport adapter that answers at once; 300 calls a run. Each Python run \
             is divided by the mean of the Rust runs (20,000 calls) just before and after it; the \
             verdict is the median.\n",
        ));
    }

    s.push_str(
        "\n### All benchmarks\n\n\
         Criterion's estimate per iteration, as it prints it, with 95% confidence bounds: \
         absolute figures of this machine, secondary to the ratios above.\n\n\
         | benchmark | time | 95% bounds | requests/s |\n|---|---|---|---|\n",
    );
    for (id, e) in &r.criterion {
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
            .find(|l| l.starts_with(&format!("| {name}")))
            .unwrap_or_else(|| panic!("no row {name} in\n{table}"))
    }

    fn pair(adapter: &str, median: f64, q1: f64) -> Pair {
        fair(adapter, "bare", median, q1)
    }

    fn fair(adapter: &str, baseline: &str, median: f64, q1: f64) -> Pair {
        Pair {
            adapter: adapter.into(),
            baseline: baseline.into(),
            rounds: 21,
            requests_per_round: 1_000,
            ratio: Spread {
                min: q1 - 0.05,
                q1,
                median,
                q3: median + 0.01,
                max: median + 0.05,
            },
            adapter_rps: 900.0,
            baseline_rps: 1_000.0,
        }
    }

    fn table(r: &Results) -> String {
        render(
            r,
            "cargo xtask bench",
            "m",
            &Source::ThisRun {
                started: at(0),
                load: None,
            },
        )
    }

    #[test]
    fn utc_formats_a_known_date() {
        assert_eq!(utc(at(1_481_739_612)), "2016-12-14 18:20 UTC");
        assert_eq!(utc(at(0)), "1970-01-01 00:00 UTC");
        assert_eq!(utc(at(951_782_400)), "2000-02-29 00:00 UTC");
    }

    #[test]
    fn interleaved_verdicts_use_the_exact_median_and_flag_a_low_quartile() {
        let mut r = Results::default();
        r.interleaved.push(pair("verify_ureq", 0.9, 0.85));
        r.interleaved
            .push(fair("verify_ureq", "fair_ureq", 0.9696, 0.93));
        r.interleaved.push(pair("verify_hyper/64", 0.91, 0.89));
        r.interleaved
            .push(fair("verify_hyper/64", "fair_hyper/64", 0.98, 0.96));
        r.interleaved
            .push(fair("verify_hyper/16", "fair_hyper/16", 0.99, 0.98));
        let t = table(&r);
        let bare = row(&t, "verify-ureq over bare ureq, one request at a time:");
        assert!(bare.ends_with("| - | reported |"), "{bare}");
        let ureq = row(
            &t,
            "verify-ureq over bare ureq, one request at a time, the bare",
        );
        // Rounded to one decimal it would read 97.0%.
        assert!(ureq.contains("| 96.9% (IQR 93.0% .."), "{ureq}");
        assert!(ureq.ends_with("| >= 97% | **missed** |"), "{ureq}");
        let hyper = row(&t, "verify-hyper over bare hyper, 64 in flight, the bare");
        assert!(
            hyper.ends_with("| >= 97% | met by the median; the lower quartile is below |"),
            "{hyper}"
        );
        let sixteen = row(&t, "verify-hyper over bare hyper, 16 in flight, the bare");
        assert!(sixteen.ends_with("| >= 97% | met |"), "{sixteen}");
        let one = row(&t, "verify-hyper over bare hyper, 1 in flight, the bare");
        assert!(one.contains("| - | >= 97% | not measured |"), "{one}");
        assert!(
            t.contains("| verify_hyper/64 / bare | 91.0% | 89.0% .. 92.0% |"),
            "{t}"
        );
        assert_eq!(percent(0.9), "90.0%");
        assert_eq!(percent(1.234), "123.4%");
    }

    #[test]
    fn the_python_ratio_is_measured_skipped_or_missing() {
        let json = |median: f64, q1: f64| {
            let spread =
                |m: f64| serde_json::json!({"min": m, "q1": m, "median": m, "q3": m, "max": m});
            serde_json::json!({
                "sdk": "4.1.1", "python": "3.11", "pairs": 9,
                "share_round": {
                    "rust": "round/telesign_sms",
                    "ratio": {"min": 25.0, "q1": q1, "median": median, "q3": 33.0, "max": 35.0},
                    "python_ns": spread(60_000.0), "rust_ns": spread(2_000.0),
                },
                "call": {
                    "rust": "call/telesign_sms",
                    "ratio": spread(200.0), "python_ns": spread(1_000_000.0), "rust_ns": spread(5_000.0),
                },
            })
        };
        let mut r = Results {
            python: Python::from_json(&json(29.999, 29.0)),
            ..Results::default()
        };
        let t = table(&r);
        let py = row(&t, "TeleSign's Python SDK 4.1.1 over the core").to_owned();
        assert!(
            py.contains(
                "| 29.99× (median of 9 alternating runs, IQR 29.00× .. 33.00×, range 25.00× .. 35.00×; 60.00 µs / 2.00 µs per round) | >= 30× | **missed** |"
            ),
            "{py}"
        );
        let call = row(&t, "TeleSign's Python SDK, its whole call").to_owned();
        assert!(call.contains("| 200.00× (median of 9"), "{call}");
        assert!(!t.contains("the same over the floor"), "{t}");
        r.python = Python::from_json(&json(31.0, 29.0));
        let py = row(&table(&r), "TeleSign's Python SDK 4.1.1").to_owned();
        assert!(
            py.ends_with("| met by the median; the lower quartile is below |"),
            "{py}"
        );
        r.python = Python::from_json(&json(31.0, 30.5));
        assert!(row(&table(&r), "TeleSign's Python SDK 4.1.1").ends_with("| met |"));
        r.python = Python::from_json(&serde_json::json!({"skipped": "no python3"}));
        assert_eq!(r.python, Python::Skipped("no python3".into()));
        let py = row(&table(&r), "TeleSign's Python SDK").to_owned();
        assert!(py.contains("| skipped: no python3 |"), "{py}");
        assert!(py.ends_with("| not measured |"), "{py}");
        assert_eq!(Python::from_json(&serde_json::json!({})), Python::NotRun);
    }

    #[test]
    fn the_floor_table_shows_ratios_and_allocations() {
        let mut r = Results::default();
        r.floors.push(FloorRatio {
            round: "round/telesign_sms".into(),
            pairs: 31,
            calls: 10_000,
            ratio: Spread {
                min: 2.0,
                q1: 2.4,
                median: 2.5,
                q3: 2.6,
                max: 3.0,
            },
            round_ns: 2_500.0,
            floor_ns: 1_000.0,
        });
        for (id, n) in [
            ("round/telesign_sms", 20.0),
            ("floor/telesign_sms", 8.0),
            ("build_sign/telesign_sms", 12.0),
            ("parse/telesign_sms", 8.0),
        ] {
            r.allocations.push(Allocations {
                id: id.into(),
                allocations: n,
                reallocations: 1.0,
                bytes: n * 100.0,
            });
        }
        let t = table(&r);
        assert_eq!(
            row(&t, "telesign_sms |"),
            "| telesign_sms | 2.50× | 2.40× .. 2.60× | 2.00× .. 3.00× | 2.50 µs | 1.00 µs | 20.0 (12.0 + 8.0) / 8.0 | 1.0 (1.0 + 1.0) / 1.0 | 2000 (1200 + 800) / 800 |"
        );
        assert_eq!(
            row(&t, "dotdigital_send |"),
            "| dotdigital_send | - | - | - | - | - | - | - | - |"
        );
        assert!(t.contains("31 alternating runs of 10000 calls each"), "{t}");
        assert!(
            row(&t, "the core over its floor, `round/telesign_sms")
                .contains("| 2.50× (IQR 2.40× .. 2.60×, range 2.00× .. 3.00×) | - | reported |"),
            "{t}"
        );
        let v: Value = serde_json::from_str(
            r#"{"ratios":[{"round":"round/telesign_sms","floor":"floor/telesign_sms","pairs":31,"calls":10000,
            "ratio":{"min":2.0,"q1":2.4,"median":2.5,"q3":2.6,"max":3.0},
            "round_ns":{"min":1,"q1":1,"median":2500,"q3":1,"max":1},
            "floor_ns":{"min":1,"q1":1,"median":1000,"q3":1,"max":1}}]}"#,
        )
        .unwrap();
        assert_eq!(floors(&v), r.floors);
    }

    #[test]
    fn result_files_are_read() {
        let v: Value = serde_json::from_str(
            r#"{"rounds":21,"pairs":[{"name":"interleaved/verify_ureq","adapter":"verify_ureq","baseline":"bare_ureq",
            "in_flight":1,"requests_per_round":2500,"rounds":21,"ratios":[0.9],
            "ratio":{"min":0.8,"q1":0.85,"median":0.9,"q3":0.95,"max":1.0},
            "adapter_rps":{"min":1,"q1":1,"median":900,"q3":1,"max":1},
            "baseline_rps":{"min":1,"q1":1,"median":1000,"q3":1,"max":1}}]}"#,
        )
        .unwrap();
        let pairs = interleaved(&v);
        assert_eq!(pairs.len(), 1);
        assert_eq!(pairs[0].ratio.median, 0.9);
        assert_eq!(
            (pairs[0].adapter_rps, pairs[0].baseline_rps),
            (900.0, 1000.0)
        );
        let v: Value = serde_json::from_str(
            r#"{"calls":1000,"rows":[{"id":"round/x","allocations":3.0,"reallocations":0.5,"bytes":120.0}]}"#,
        )
        .unwrap();
        assert_eq!(
            allocations(&v),
            [Allocations {
                id: "round/x".into(),
                allocations: 3.0,
                reallocations: 0.5,
                bytes: 120.0
            }]
        );
    }

    #[test]
    fn the_header_says_where_the_figures_come_from() {
        let mut r = Results::default();
        r.criterion
            .insert("round/telesign_sms".to_owned(), estimate(2_000.0));
        let run = render(
            &r,
            "cargo xtask bench",
            "m",
            &Source::ThisRun {
                started: at(1_481_739_612),
                load: Some((0.52, 2.0)),
            },
        );
        assert!(run.contains("Produced by `cargo xtask bench`"), "{run}");
        assert!(run.contains("only the results this run wrote are listed"));
        assert!(
            run.contains("run 2016-12-14 18:20 UTC. Load average"),
            "{run}"
        );
        assert!(run.contains("0.5 when the run started, 2.0 when it ended."));
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
        let stale_json = dir.join("stale.json");
        std::fs::write(&stale_json, "{}").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&stale_json)
            .unwrap()
            .set_modified(at(1_600_000_000))
            .unwrap();
        let mut this_run = BTreeMap::new();
        collect(&dir, Some(started), &mut this_run).unwrap();
        let mut all = BTreeMap::new();
        collect(&dir, None, &mut all).unwrap();
        let json_this_run = read_json(&stale_json, Some(started)).unwrap();
        let json_any = read_json(&stale_json, None).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(this_run.keys().collect::<Vec<_>>(), ["fresh"]);
        assert_eq!(all.keys().collect::<Vec<_>>(), ["fresh", "stale"]);
        assert_eq!(all["stale"].written, at(1_600_000_000));
        assert_eq!(json_this_run, None);
        assert_eq!(json_any, Some(serde_json::json!({})));
    }
}
