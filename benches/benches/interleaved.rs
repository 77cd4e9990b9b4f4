//! Adapter against two baselines in alternating rounds, against the sandbox
//! on loopback: adapter, bare, fair, adapter, bare, fair, ... each round a
//! fixed number of status queries. Each adapter round is compared with the
//! mean of each baseline's rounds just before and just after it, so a slow
//! drift of the machine (another build, the sandbox's state, the CPU's clock)
//! cancels out; the median of those ratios is the verdict, and its quartiles
//! and extremes are the spread.
//!
//! The baselines (`verify_benches::e2e`): *bare*, the bare client sending a
//! request built once at setup (the adapter is charged with all of the
//! core's per-call work), and *fair*, the bare client plus what a user
//! writes by hand per call (build, date, nonce, read the answer with the
//! floor's code). The fair one is the verdict.
//!
//! Pairs: verify-ureq vs bare ureq (one request at a time), and verify-hyper
//! vs bare hyper at 1, 16 and 64 requests in flight (verify-hyper keeping 64
//! idle connections, as the bare client keeps all of its own). Results go to
//! `target/verify-benches/interleaved.json` for `cargo xtask bench`: two
//! entries per pair, against `bare_*` and against `fair_*`.
//!
//! ```sh
//! cargo bench -p verify-benches --bench interleaved            # every pair
//! cargo bench -p verify-benches --bench interleaved -- hyper/64  # pairs whose name contains it
//! ```
//!
//! Run as a test (`cargo test --benches`), it makes two short rounds per
//! pair and writes nothing.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use verify_benches::e2e::{self, Fixture};
use verify_benches::stats::{Spread, over_neighbours, results_path};

/// Adapter rounds per pair (and as many bare rounds, plus one), after one
/// warm-up round of each.
const ROUNDS: usize = 31;

/// One pair of clients to compare.
struct Pair {
    name: String,
    adapter: String,
    baseline: String,
    fair: String,
    in_flight: u64,
    /// Requests per round.
    requests: u64,
}

#[derive(serde::Serialize)]
struct PairResult {
    name: String,
    adapter: String,
    baseline: String,
    in_flight: u64,
    requests_per_round: u64,
    rounds: usize,
    /// Adapter requests/s over baseline requests/s, per adapter round.
    ratios: Vec<f64>,
    ratio: Spread,
    adapter_rps: Spread,
    baseline_rps: Spread,
}

/// Arguments that are not flags (and not a flag's value) filter pairs by name.
fn filters(args: &[String]) -> Vec<String> {
    const BOOLEAN: &[&str] = &[
        "--bench",
        "--test",
        "--verbose",
        "--quiet",
        "--noplot",
        "--list",
        "--exact",
        "--discard-baseline",
    ];
    let mut out = Vec::new();
    let mut skip = false;
    for a in args {
        if skip {
            skip = false;
        } else if a.starts_with('-') {
            skip = !BOOLEAN.contains(&a.as_str()) && !a.contains('=');
        } else {
            out.push(a.clone());
        }
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bench = args.iter().any(|a| a == "--bench");
    let filters = filters(&args);
    let scale = if bench { 1 } else { 50 };
    let mut pairs = vec![Pair {
        name: "interleaved/verify_ureq".into(),
        adapter: "verify_ureq".into(),
        baseline: "bare_ureq".into(),
        fair: "fair_ureq".into(),
        in_flight: 1,
        requests: 4_000 / scale,
    }];
    for (n, requests) in [(1u64, 4_000u64), (16, 20_000), (64, 20_000)] {
        pairs.push(Pair {
            name: format!("interleaved/verify_hyper/{n}"),
            adapter: format!("verify_hyper/{n}"),
            baseline: format!("bare_hyper/{n}"),
            fair: format!("fair_hyper/{n}"),
            in_flight: n,
            requests: requests / scale,
        });
    }
    pairs.retain(|p| filters.is_empty() || filters.iter().any(|f| p.name.contains(f.as_str())));
    if args.iter().any(|a| a == "--list") {
        for p in &pairs {
            println!("{}: benchmark", p.name);
        }
        return;
    }
    if pairs.is_empty() {
        return;
    }
    let rounds = if bench { ROUNDS } else { 2 };

    let f: Arc<Fixture> = Arc::new(e2e::fixture());
    let rt = e2e::runtime();
    let op = Arc::new(f.status_query());
    let agent = e2e::bare_ureq();
    let ureq_client = f.ureq_client();
    let bare = e2e::bare_hyper();
    let hyper_client = f.hyper_client_pooled(64);

    let mut results = Vec::new();
    for p in &pairs {
        let n = p.requests;
        let run_adapter = || -> Duration {
            if p.adapter == "verify_ureq" {
                let start = Instant::now();
                for _ in 0..n {
                    e2e::verify_ureq_status(&ureq_client, &op);
                }
                start.elapsed()
            } else {
                e2e::verify_hyper_concurrent(&rt, &hyper_client, &op, n, p.in_flight)
            }
        };
        let run_bare = || -> Duration {
            if p.baseline == "bare_ureq" {
                let start = Instant::now();
                for _ in 0..n {
                    black_box(e2e::bare_ureq_get(&agent, &f));
                }
                start.elapsed()
            } else {
                e2e::bare_hyper_concurrent(&rt, &bare, &f, n, p.in_flight)
            }
        };
        let run_fair = || -> Duration {
            if p.fair == "fair_ureq" {
                let start = Instant::now();
                for _ in 0..n {
                    e2e::fair_ureq_get(&agent, &f);
                }
                start.elapsed()
            } else {
                e2e::fair_hyper_concurrent(&rt, &bare, &f, n, p.in_flight)
            }
        };
        // Warm-up: connections, caches, the sandbox's state.
        run_adapter();
        run_bare();
        run_fair();
        let (mut adapter, mut baseline, mut fair) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..rounds {
            adapter.push(run_adapter().as_secs_f64());
            baseline.push(run_bare().as_secs_f64());
            fair.push(run_fair().as_secs_f64());
        }
        // A final round of each baseline, so that every adapter round has
        // one after it.
        baseline.push(run_bare().as_secs_f64());
        fair.push(run_fair().as_secs_f64());
        let rps = |secs: &[f64]| Spread::of(&secs.iter().map(|s| n as f64 / s).collect::<Vec<_>>());
        for (suffix, name, times) in [("", &p.baseline, &baseline), ("/fair", &p.fair, &fair)] {
            // Requests per second: the inverse of the times' ratio.
            let ratios: Vec<f64> = over_neighbours(&adapter, times)
                .into_iter()
                .map(|r| 1.0 / r)
                .collect();
            let r = PairResult {
                name: format!("{}{suffix}", p.name),
                adapter: p.adapter.clone(),
                baseline: name.clone(),
                in_flight: p.in_flight,
                requests_per_round: n,
                rounds,
                ratio: Spread::of(&ratios),
                ratios,
                adapter_rps: rps(&adapter),
                baseline_rps: rps(times),
            };
            report(&r);
            results.push(r);
        }
    }
    drop(rt);
    if let Ok(f) = Arc::try_unwrap(f) {
        f.sandbox.shutdown_blocking();
    }
    if bench {
        let path = results_path("interleaved.json");
        let json = serde_json::json!({ "rounds": rounds, "pairs": results });
        std::fs::write(&path, serde_json::to_string_pretty(&json).expect("JSON"))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        println!("wrote {}", path.display());
    }
}

fn report(r: &PairResult) {
    println!(
        "{:<32} {} / {}: median {:.1}% (IQR {:.1}%..{:.1}%, range {:.1}%..{:.1}%) over {} rounds of {} requests; {:.0} vs {:.0} requests/s",
        r.name,
        r.adapter,
        r.baseline,
        r.ratio.median * 100.0,
        r.ratio.q1 * 100.0,
        r.ratio.q3 * 100.0,
        r.ratio.min * 100.0,
        r.ratio.max * 100.0,
        r.rounds,
        r.requests_per_round,
        r.adapter_rps.median,
        r.baseline_rps.median,
    );
}
