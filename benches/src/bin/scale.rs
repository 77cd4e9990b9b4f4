//! `scale [--latency-ms N] [--levels 1,64,512,4096] [--rounds N]`: the
//! scaling curve. verify-hyper against the sandbox holding every answer for
//! `--latency-ms` (50 by default), at each level of calls in flight, in
//! alternating rounds with bare hyper doing the same work (the fair baseline
//! of `verify_benches::e2e`: build the request, date it, draw a nonce, read
//! the answer with the floor's code): fair, verify, fair, verify, ..., fair.
//!
//! Per level and client: calls per second over the ideal (in flight /
//! latency), each verify round over the mean of the fair rounds around it,
//! the latency each call adds above the sandbox's (p50, p99 over every call
//! of the level's rounds), and the client's memory per call in flight,
//! counted by this binary's global allocator: the peak of live heap bytes
//! during a round above the live bytes when it began (connections already
//! pooled), over the calls in flight; and what the pool holds per
//! connection (live bytes after the warm-up round, which opens the
//! connections, above those before it).
//!
//! The sandbox runs in a child process (this binary with `--serve`), so the
//! allocator counts the client alone. Both clients keep every connection
//! they open (verify-hyper's `max_idle_per_host` set to the level; its
//! default, 8, would close and reopen most connections at high levels).
//! Each connection is a file descriptor on both sides: at 4,096 in flight
//! the client holds two pools of 4,096; the soft limit is checked first.
//!
//! Prints a Markdown report and writes it to `target/verify-benches/scale.md`;
//! `cargo xtask scale` builds it in release mode and puts it in
//! `BENCHMARKS.md`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{BufRead, BufReader, Write as _};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use verify_benches::e2e::{self, BareHyper};
use verify_benches::floor;
use verify_benches::stats::{Spread, over_neighbours, results_path};
use verify_core::BaseUrl;
use verify_core::telesign::{self, AuthMethod, GetStatus, ReferenceId};
use verify_sandbox::SandboxConfig;

/// Counts live heap bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to the system allocator unchanged; the
// counters only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size >= layout.size() {
            grew(new_size - layout.size());
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        // SAFETY: the caller's contract, passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// What the child sandbox tells the parent.
struct Remote {
    base_url: String,
    customer_id: String,
    api_key: String,
    reference_id: String,
}

/// `--serve LATENCY_MS`: the sandbox, with one verification to query;
/// prints `base_url customer_id api_key reference_id` and serves until its
/// standard input closes.
fn serve(latency_ms: u64) -> ExitCode {
    let mut config = SandboxConfig::deterministic(7);
    config.latency = Duration::from_millis(latency_ms);
    let f = e2e::fixture_with(config);
    let c = f.sandbox.config();
    println!(
        "{} {} {} {}",
        f.sandbox.base_url(),
        c.telesign_customer_id,
        c.telesign_api_key,
        f.reference_id()
    );
    let _ = std::io::stdout().flush();
    let mut sink = String::new();
    while std::io::stdin().read_line(&mut sink).is_ok_and(|n| n > 0) {}
    f.sandbox.shutdown_blocking();
    ExitCode::SUCCESS
}

/// One client's side of a level.
#[derive(Default)]
struct Side {
    /// Seconds per round.
    secs: Vec<f64>,
    /// Microseconds each call took.
    latencies: Vec<u64>,
    /// Peak live bytes above the round's start, per round.
    peak: Vec<f64>,
    /// Live bytes the warm-up left (the pool's connections).
    pool: f64,
}

/// `calls` calls of `call`, `in_flight` at a time; each call's duration (µs).
fn run_round<F, Fut>(
    rt: &tokio::runtime::Runtime,
    calls: u64,
    in_flight: u64,
    call: F,
    side: &mut Side,
) where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let (secs, latencies) = rt.block_on(async move {
        let start = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for t in 0..in_flight {
            let share = calls / in_flight + u64::from(t < calls % in_flight);
            let call = call.clone();
            tasks.spawn(async move {
                let mut took = Vec::with_capacity(share as usize);
                for _ in 0..share {
                    let at = Instant::now();
                    call().await;
                    took.push(at.elapsed().as_micros() as u64);
                }
                took
            });
        }
        let mut all = Vec::with_capacity(calls as usize);
        while let Some(done) = tasks.join_next().await {
            all.extend(done.expect("a call panicked"));
        }
        (start.elapsed().as_secs_f64(), all)
    });
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    side.secs.push(secs);
    side.peak.push(peak as f64);
    side.latencies.extend(latencies);
}

fn percentile(sorted: &[u64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize] as f64
}

fn soft_fd_limit() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut latency_ms = 50u64;
    let mut levels = vec![1u64, 64, 512, 4096];
    let mut rounds = 7usize;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let value = it.next().cloned().unwrap_or_default();
        match a.as_str() {
            "--serve" => return serve(value.parse().unwrap_or(50)),
            "--latency-ms" => latency_ms = value.parse().unwrap_or(50),
            "--rounds" => rounds = value.parse().unwrap_or(7).max(1),
            "--levels" => {
                levels = value
                    .split(',')
                    .filter_map(|v| v.trim().parse().ok())
                    .collect()
            }
            _ => {
                eprintln!("usage: scale [--latency-ms N] [--levels 1,64,512,4096] [--rounds N]");
                return ExitCode::from(2);
            }
        }
    }
    let most = levels.iter().copied().max().unwrap_or(1);
    if let Some(limit) = soft_fd_limit()
        && limit < 2 * most + 64
    {
        eprintln!(
            "scale: the soft limit on open files is {limit}; {} calls in flight need about {} \
             (two pools, plus the sandbox's side in its own process): raise it (`ulimit -n`)",
            most,
            2 * most + 64
        );
        return ExitCode::FAILURE;
    }

    let mut child = Command::new(std::env::current_exe().expect("this binary"))
        .args(["--serve", &latency_ms.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the sandbox starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("a pipe"))
        .read_line(&mut line)
        .expect("the sandbox's address");
    let words: Vec<&str> = line.split_whitespace().collect();
    let [base_url, customer_id, api_key, reference_id] = words[..] else {
        eprintln!("scale: the sandbox said {line:?}");
        let _ = child.kill();
        let _ = child.wait();
        return ExitCode::FAILURE;
    };
    let remote = Arc::new(Remote {
        base_url: base_url.into(),
        customer_id: customer_id.into(),
        api_key: api_key.into(),
        reference_id: reference_id.into(),
    });
    let latency = Duration::from_millis(latency_ms);
    let report = measure(&remote, latency, &levels, rounds);
    drop(child.stdin.take());
    let _ = child.wait();
    println!("{report}");
    let path = results_path("scale.md");
    if let Err(e) = std::fs::write(&path, &report) {
        eprintln!("{}: {e}", path.display());
    }
    ExitCode::SUCCESS
}

fn measure(remote: &Arc<Remote>, latency: Duration, levels: &[u64], rounds: usize) -> String {
    let rt = e2e::runtime();
    let credentials =
        telesign::Credentials::new(remote.customer_id.clone(), remote.api_key.clone())
            .expect("sandbox credentials");
    let config = telesign::Config::new(credentials)
        .with_base_url(BaseUrl::allow_plain_http(&remote.base_url).expect("a loopback URL"))
        .with_auth_method(AuthMethod::Basic);
    let op = Arc::new(GetStatus::new(
        ReferenceId::new(&remote.reference_id).expect("a reference id"),
    ));
    let fair = Arc::new(floor::TeleSignBasic::new(
        &remote.customer_id,
        &remote.api_key,
        &remote.base_url,
    ));
    let lat_us = latency.as_micros() as f64;
    let mut rows = String::new();
    for &n in levels {
        // Fresh clients per level: each pool holds the level's connections.
        let verify = verify_hyper::Client::builder(config.clone())
            .max_idle_per_host(n as usize)
            .build()
            .expect("a client");
        let bare: BareHyper = e2e::bare_hyper();
        let calls = (n * 8).max(40);
        let verify_call = {
            let (client, op) = (verify.clone(), op.clone());
            move || {
                let (client, op) = (client.clone(), op.clone());
                async move {
                    std::hint::black_box(client.execute(&*op).await.expect("a status"));
                }
            }
        };
        let fair_call = {
            let (client, fair, remote) = (bare.clone(), fair.clone(), remote.clone());
            move || {
                let (client, fair, remote) = (client.clone(), fair.clone(), remote.clone());
                async move { fair_status(&client, &fair, &remote.reference_id).await }
            }
        };
        let (mut v, mut f) = (Side::default(), Side::default());
        // Warm-up: one round each opens the pool's connections.
        for (side, verify_side) in [(&mut v, true), (&mut f, false)] {
            let before = LIVE.load(Ordering::Relaxed);
            let mut scratch = Side::default();
            if verify_side {
                run_round(&rt, n, n, verify_call.clone(), &mut scratch);
            } else {
                run_round(&rt, n, n, fair_call.clone(), &mut scratch);
            }
            side.pool = LIVE.load(Ordering::Relaxed).saturating_sub(before) as f64;
        }
        for _ in 0..rounds {
            run_round(&rt, calls, n, fair_call.clone(), &mut f);
            run_round(&rt, calls, n, verify_call.clone(), &mut v);
        }
        run_round(&rt, calls, n, fair_call.clone(), &mut f);
        let ratio = Spread::of(
            &over_neighbours(&v.secs, &f.secs)
                .into_iter()
                .map(|r| 1.0 / r)
                .collect::<Vec<_>>(),
        );
        let ideal = n as f64 / latency.as_secs_f64();
        for (name, side) in [("verify-hyper", &mut v), ("bare hyper (fair)", &mut f)] {
            side.latencies.sort_unstable();
            let rps = Spread::of(
                &side
                    .secs
                    .iter()
                    .map(|s| calls as f64 / s)
                    .collect::<Vec<_>>(),
            );
            let added = |q| (percentile(&side.latencies, q) - lat_us).max(0.0) / 1_000.0;
            let peak = Spread::of(&side.peak).median / n as f64;
            rows.push_str(&format!(
                "| {n} | {name} | {:.0} | {:.0} | {:.1}% | {} | {:.2} ms | {:.2} ms | {:.1} KB | {:.1} KB |\n",
                rps.median,
                ideal,
                rps.median / ideal * 100.0,
                if name == "verify-hyper" {
                    format!(
                        "{:.1}% (IQR {:.1}% .. {:.1}%)",
                        ratio.median * 100.0,
                        ratio.q1 * 100.0,
                        ratio.q3 * 100.0
                    )
                } else {
                    "-".into()
                },
                added(0.5),
                added(0.99),
                peak / 1024.0,
                side.pool / n as f64 / 1024.0,
            ));
        }
        eprintln!("scale: {n} in flight done");
        drop((verify, bare));
    }
    format!(
        "`cargo xtask scale` (`benches/src/bin/scale.rs`): TeleSign status queries against the sandbox \
         in a child process holding every answer {} ms; at each level, {rounds} verify-hyper rounds \
         alternating with {} fair-baseline rounds of 8 × the level's calls (at least 40), after one \
         warm-up round each.\n\n\
         | in flight | client | calls/s (median round) | ideal | of ideal | verify over fair (median round) | added latency p50 | added p99 | heap per call in flight (peak) | pooled heap per connection |\n\
         |---|---|---|---|---|---|---|---|---|---|\n{rows}",
        latency.as_millis(),
        rounds + 1,
    )
}

/// The fair baseline: the request built and dated, a nonce drawn, sent
/// through bare hyper, the answer read with the floor's struct.
async fn fair_status(client: &BareHyper, fair: &floor::TeleSignBasic, reference_id: &str) {
    let nonce = verify_core::driver::nonce(rand::random());
    std::hint::black_box(&nonce);
    let request = fair
        .status(reference_id, SystemTime::now())
        .map(|b| Full::new(Bytes::from(b)));
    let response = client.request(request).await.expect("the sandbox answers");
    assert!(response.status().is_success());
    let body = response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes();
    let answer = floor::TeleSign::answer(&body);
    assert!(answer.status.code < 400);
    std::hint::black_box(answer);
}
