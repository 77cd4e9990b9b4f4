//! The sans-IO core alone: build + sign, parse, and the full round (build,
//! sign, parse the answer) for each operation, and callback verification.
//!
//! `floor/*` beside `round/*` for the TeleSign SMS, the TeleSign status query
//! and the dotdigital send: the least work that produces the same request
//! and reads the same answer (`verify_benches::floor`, proven equal by
//! `tests/floor_matches.rs`). Before criterion starts, each round and its
//! floor run in alternating runs, and the median of `round/X / floor/X`
//! with its spread is printed and written to
//! `target/verify-benches/floors.json` (the verdict `cargo xtask bench`
//! reports); criterion then measures each floor right after its round.
//!
//! `call/*`: what an adapter does around one successful attempt, without
//! the I/O: plan the call, build, sign with a fresh date and nonce, read the
//! answer ([`verify_core::call`]).
//!
//! Before criterion starts, a counting allocator gives the allocations per
//! call of each round and floor (printed, and written to
//! `target/verify-benches/allocations.json` when run by `cargo bench`).
//! Outside that count the allocator only reads one flag per allocation, for
//! every benchmark alike.
//!
//! TeleSign's official Python SDK, in the same run (`cargo bench` only, not
//! as a test; `VERIFY_BENCH_NO_PYTHON=1` skips it): before criterion starts,
//! the SDK's share of the SMS round (`urlencode`, `generate_telesign_headers`,
//! `json.loads`) alternates with `round/telesign_sms` and `floor/telesign_sms`,
//! and the SDK's whole call with no socket (`RestClient.post`) with
//! `call/telesign_sms`; the median ratios with their spread are printed and
//! written to `target/verify-benches/python.json` ([`python_ratios`]). The
//! SDK is installed (pinned) into `target/telesign-sdk-venv` when missing;
//! without `python3` or the package index the comparison is skipped, saying
//! why.
//!
//! `VERIFY_BENCH_PROFILE=<id>` runs one round or floor in a loop and nothing
//! else, for a profiler (see [`profile`]).
//!
//! Answers are handed to `parse/*`, `round/*` and `floor/*` as owned
//! `http::Response` values prepared outside the timing (a transport moves
//! the response it received into the parser; cloning one in the timed loop
//! would measure the clone).

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use criterion::{BatchSize, Criterion};
use verify_benches::floor;
use verify_benches::python::{Measure, Sdk};
use verify_benches::samples::{self, NONCE, now, response};
use verify_benches::stats::{Spread, over_neighbours, results_path};
use verify_core::dotdigital::{RequestId, ValidateCode};
use verify_core::driver::{Execution, Next, Settings};
use verify_core::telesign::{self, Complete, SendCall};
use verify_core::{Code, Operation, ProviderConfig};

/// The system allocator, counting allocations while [`COUNTING`] is set.
struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCS: AtomicU64 = AtomicU64::new(0);
static REALLOCS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

impl Counting {
    fn count(counter: &AtomicU64, bytes: usize) {
        if COUNTING.load(Ordering::Relaxed) {
            counter.fetch_add(1, Ordering::Relaxed);
            BYTES.fetch_add(bytes as u64, Ordering::Relaxed);
        }
    }
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// counters are atomics and never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        Self::count(&ALLOCS, layout.size());
        // SAFETY: the caller's guarantees for `alloc` hold for `System.alloc`.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        Self::count(&ALLOCS, layout.size());
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        Self::count(&REALLOCS, new_size);
        // SAFETY: `ptr` and `layout` come from this allocator, which is `System`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` and `layout` come from this allocator, which is `System`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

type Answer = http::Response<&'static [u8]>;

/// A round (or floor) over an owned answer, boxed so that library and
/// floor are called the same way.
struct Round<'a> {
    id: String,
    answer: Answer,
    run: Box<dyn Fn(Answer) + 'a>,
}

/// The library's round of `op`: build, sign at the fixed date, parse.
fn library<'a, O: Operation>(
    id: &str,
    config: &'a ProviderConfig,
    op: &'a O,
    answer: Answer,
) -> Round<'a> {
    let run = move |answer: Answer| {
        black_box(samples::build_sign(op, config, now(), NONCE));
        black_box(samples::parse(op, config, answer));
    };
    run(answer.clone());
    assert!(
        samples::parse(op, config, answer.clone()),
        "{id}: the sample answer parses"
    );
    Round {
        id: format!("round/{id}"),
        answer,
        run: Box::new(run),
    }
}

/// The call driver around one successful attempt of `op` (`call/<id>`): plan
/// the call, build, sign with the current date, read the answer.
fn driver_call<'a, O: Operation>(
    id: &str,
    settings: &'a Settings,
    op: &'a O,
    answer: Answer,
) -> Round<'a> {
    let name = id.to_owned();
    let run = move |answer: Answer| {
        let execution = Execution::new(settings, op).expect("a valid operation");
        let (request, _, attempt) = execution.attempt(Instant::now(), SystemTime::now(), NONCE);
        black_box(request);
        match attempt.finish(Ok(answer), Instant::now(), 0.5) {
            Next::Done(output) => {
                black_box(output);
            }
            _ => panic!("{name}: the sample answer is a success"),
        }
    };
    run(answer.clone());
    Round {
        id: format!("call/{id}"),
        answer,
        run: Box::new(run),
    }
}

/// The library's operations and, for three of them, their floors.
struct Samples {
    ts: ProviderConfig,
    dd: ProviderConfig,
    ts_settings: Settings,
    sms: telesign::SendSms,
    call: SendCall,
    status: telesign::CheckCode,
    complete: Complete,
    send: verify_core::dotdigital::SendCode,
    validate: ValidateCode,
    floor_ts: floor::TeleSign,
    floor_dd: floor::Dotdigital,
}

impl Samples {
    fn new() -> Self {
        Samples {
            ts_settings: Settings::builder(samples::telesign_config()).build(),
            ts: samples::telesign_config(),
            dd: samples::dotdigital_config(),
            sms: samples::telesign_sms(),
            call: SendCall::new(samples::SMS_PHONE).verify_code(Code::new(samples::CODE)),
            status: samples::telesign_status(),
            complete: Complete::new(samples::reference_id()),
            send: samples::dotdigital_send(),
            validate: ValidateCode::new(
                RequestId::new(samples::REQUEST_ID).expect("valid id"),
                Code::new("123456"),
            ),
            floor_ts: floor::TeleSign::new(
                samples::CUSTOMER_ID,
                samples::API_KEY,
                "https://rest-ww.telesign.com",
            ),
            floor_dd: floor::Dotdigital::new(
                samples::DD_USER,
                samples::DD_PASSWORD,
                "https://services.comapi.com",
            ),
        }
    }

    /// `round/X` then `floor/X` for the three floored operations.
    fn floored(&self) -> Vec<Round<'_>> {
        let ts = &self.floor_ts;
        let dd = &self.floor_dd;
        vec![
            library(
                "telesign_sms",
                &self.ts,
                &self.sms,
                response(200, samples::SEND_OK),
            ),
            Round {
                id: "floor/telesign_sms".into(),
                answer: response(200, samples::SEND_OK),
                run: Box::new(move |answer: Answer| {
                    black_box(ts.sms(&floor_sms(), now(), NONCE));
                    black_box(floor::TeleSign::answer(answer.body()));
                }),
            },
            library(
                "telesign_status",
                &self.ts,
                &self.status,
                response(200, samples::STATUS_OK),
            ),
            Round {
                id: "floor/telesign_status".into(),
                answer: response(200, samples::STATUS_OK),
                run: Box::new(move |answer: Answer| {
                    black_box(ts.status(&floor_status(), now(), NONCE));
                    black_box(floor::TeleSign::answer(answer.body()));
                }),
            },
            library(
                "dotdigital_send",
                &self.dd,
                &self.send,
                response(202, samples::DD_CODE),
            ),
            Round {
                id: "floor/dotdigital_send".into(),
                answer: response(202, samples::DD_CODE),
                run: Box::new(move |answer: Answer| {
                    black_box(dd.send(&floor_send()));
                    black_box(floor::Dotdigital::answer(answer.body()));
                }),
            },
        ]
    }
}

impl Samples {
    /// The library's halves of the floored rounds, for the allocation table:
    /// `build_sign/X` (validate, build, sign) and `parse/X`.
    fn halves(&self) -> Vec<Round<'_>> {
        fn halves<'a, O: Operation>(
            id: &str,
            config: &'a ProviderConfig,
            op: &'a O,
            answer: Answer,
        ) -> [Round<'a>; 2] {
            [
                Round {
                    id: format!("build_sign/{id}"),
                    answer: answer.clone(),
                    run: Box::new(move |_| {
                        black_box(samples::build_sign(op, config, now(), NONCE));
                    }),
                },
                Round {
                    id: format!("parse/{id}"),
                    answer,
                    run: Box::new(move |answer| {
                        black_box(samples::parse(op, config, answer));
                    }),
                },
            ]
        }
        let mut v = Vec::new();
        v.extend(halves(
            "telesign_sms",
            &self.ts,
            &self.sms,
            response(200, samples::SEND_OK),
        ));
        v.extend(halves(
            "telesign_status",
            &self.ts,
            &self.status,
            response(200, samples::STATUS_OK),
        ));
        v.extend(halves(
            "dotdigital_send",
            &self.dd,
            &self.send,
            response(202, samples::DD_CODE),
        ));
        v
    }
}

fn floor_sms() -> floor::Sms<'static> {
    floor::Sms {
        phone_number: samples::SMS_PHONE,
        ucid: samples::SMS_UCID,
        verify_code: samples::CODE,
        template: samples::SMS_TEMPLATE,
    }
}

fn floor_status() -> floor::Status<'static> {
    floor::Status {
        reference_id: samples::REFERENCE_ID,
        verify_code: samples::CODE,
    }
}

fn floor_send() -> floor::DotdigitalSend<'static> {
    floor::DotdigitalSend {
        to: samples::DD_TO,
        from: samples::DD_FROM,
        body: samples::DD_BODY,
        valid_until: now() + samples::DD_VALIDITY,
    }
}

/// Allocations of one call of `round`, averaged over `calls` calls (the
/// answers are cloned before counting starts).
fn allocations(round: &Round<'_>, calls: usize) -> (f64, f64, f64) {
    let answers: Vec<Answer> = (0..calls).map(|_| round.answer.clone()).collect();
    ALLOCS.store(0, Ordering::Relaxed);
    REALLOCS.store(0, Ordering::Relaxed);
    BYTES.store(0, Ordering::Relaxed);
    COUNTING.store(true, Ordering::SeqCst);
    for answer in answers {
        (round.run)(answer);
    }
    COUNTING.store(false, Ordering::SeqCst);
    let per = |c: &AtomicU64| c.load(Ordering::Relaxed) as f64 / calls as f64;
    (per(&ALLOCS), per(&REALLOCS), per(&BYTES))
}

/// Nanoseconds per call of `calls` calls of `round`; the answers are cloned
/// a few hundred at a time, outside the timing (as criterion's small batches).
fn time_calls(round: &Round<'_>, calls: usize) -> f64 {
    let mut took = Duration::ZERO;
    let mut done = 0;
    // One buffer for every batch, so that none is freed inside the timing.
    let mut answers: Vec<Answer> = Vec::with_capacity(256);
    while done < calls {
        let n = (calls - done).min(256);
        answers.extend((0..n).map(|_| round.answer.clone()));
        let start = Instant::now();
        for answer in answers.drain(..) {
            (round.run)(answer);
        }
        took += start.elapsed();
        done += n;
    }
    took.as_nanos() as f64 / calls.max(1) as f64
}

/// `round/X / floor/X` for each pair of `rounds` (a round, then its floor),
/// in alternating runs: round, floor, round, floor, ..., each round run
/// over the mean of the floor runs just before and after it, so that the
/// machine's drift (other processes, clock changes) cancels out. Prints the
/// median and spread; with `write`, also to `target/verify-benches/floors.json`.
fn floor_ratios(rounds: &[Round<'_>], pairs: usize, calls: usize, write: bool) {
    println!("round / floor, median of {pairs} alternating runs of {calls} calls each:");
    let mut out = Vec::new();
    for pair in rounds.chunks(2) {
        let [round, floor] = pair else { continue };
        time_calls(round, calls / 10);
        time_calls(floor, calls / 10);
        let mut floors = vec![time_calls(floor, calls)];
        let mut rounds_ns = Vec::new();
        for _ in 0..pairs {
            rounds_ns.push(time_calls(round, calls));
            floors.push(time_calls(floor, calls));
        }
        let ratios = over_neighbours(&rounds_ns, &floors);
        let (ratio, round_ns, floor_ns) = (
            Spread::of(&ratios),
            Spread::of(&rounds_ns),
            Spread::of(&floors),
        );
        println!(
            "{:<24} {:.2}x (IQR {:.2}..{:.2}, range {:.2}..{:.2}); {:.0} ns vs {:.0} ns",
            round.id,
            ratio.median,
            ratio.q1,
            ratio.q3,
            ratio.min,
            ratio.max,
            round_ns.median,
            floor_ns.median
        );
        out.push(serde_json::json!({
            "round": round.id, "floor": floor.id, "pairs": pairs, "calls": calls,
            "ratio": ratio, "round_ns": round_ns, "floor_ns": floor_ns,
        }));
    }
    if write {
        let path = results_path("floors.json");
        let json = serde_json::json!({ "ratios": out });
        std::fs::write(&path, serde_json::to_string_pretty(&json).expect("JSON"))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        println!("wrote {}", path.display());
    }
}

/// Prints the allocations per call of every round and floor (and of the
/// library's halves of each round); with `write`,
/// also to `target/verify-benches/allocations.json`.
fn allocation_table(rounds: &[&Round<'_>], write: bool) {
    const CALLS: usize = 1_000;
    println!("allocations per call ({CALLS} calls each; reallocations counted apart):");
    println!(
        "{:<28} {:>12} {:>14} {:>14}",
        "", "allocations", "reallocations", "bytes"
    );
    let mut rows = Vec::new();
    for r in rounds {
        let (allocs, reallocs, bytes) = allocations(r, CALLS);
        println!(
            "{:<28} {:>12.1} {:>14.1} {:>14.0}",
            r.id, allocs, reallocs, bytes
        );
        rows.push(serde_json::json!({
            "id": r.id, "allocations": allocs, "reallocations": reallocs, "bytes": bytes,
        }));
    }
    if write {
        let path = results_path("allocations.json");
        let json = serde_json::json!({ "calls": CALLS, "rows": rows });
        std::fs::write(&path, serde_json::to_string_pretty(&json).expect("JSON"))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        println!("wrote {}", path.display());
    }
}

fn bench_round(c: &mut Criterion, r: &Round<'_>) {
    c.bench_function(&r.id, |b| {
        b.iter_batched(|| r.answer.clone(), &r.run, BatchSize::SmallInput)
    });
}

/// Registers `build_sign/<name>` and `parse/<name>`.
fn bench_parts<O: Operation>(
    c: &mut Criterion,
    name: &str,
    config: &ProviderConfig,
    op: &O,
    answer: &Answer,
) {
    c.bench_function(&format!("build_sign/{name}"), |b| {
        b.iter(|| black_box(samples::build_sign(op, config, now(), NONCE)))
    });
    c.bench_function(&format!("parse/{name}"), |b| {
        b.iter_batched(
            || answer.clone(),
            |answer| black_box(samples::parse(op, config, answer)),
            BatchSize::SmallInput,
        )
    });
}

fn operations(c: &mut Criterion, s: &Samples, floored: &[Round<'_>], calls: &[Round<'_>]) {
    // round/X and floor/X side by side.
    for r in floored {
        bench_round(c, r);
    }
    let sms_ok = response(200, samples::SEND_OK);
    let status_ok = response(200, samples::STATUS_OK);
    bench_parts(c, "telesign_sms", &s.ts, &s.sms, &sms_ok);
    bench_round(c, &calls[0]);
    bench_parts(c, "telesign_status", &s.ts, &s.status, &status_ok);
    bench_round(c, &calls[1]);
    bench_parts(
        c,
        "dotdigital_send",
        &s.dd,
        &s.send,
        &response(202, samples::DD_CODE),
    );
    for round in [
        library("telesign_call", &s.ts, &s.call, sms_ok.clone()),
        library(
            "telesign_completion",
            &s.ts,
            &s.complete,
            response(200, samples::COMPLETE_OK),
        ),
        library(
            "dotdigital_validate",
            &s.dd,
            &s.validate,
            response(200, samples::DD_VERIFIED),
        ),
    ] {
        bench_round(c, &round);
    }
    bench_parts(c, "telesign_call", &s.ts, &s.call, &sms_ok);
    bench_parts(
        c,
        "telesign_completion",
        &s.ts,
        &s.complete,
        &response(200, samples::COMPLETE_OK),
    );
    bench_parts(
        c,
        "dotdigital_validate",
        &s.dd,
        &s.validate,
        &response(200, samples::DD_VERIFIED),
    );
}

const REPORT: &[u8] = br#"{"reference_id":"0123456789ABCDEF0123456789ABCDEF","submit_timestamp":"2016-12-14T18:20:12Z","status":{"code":200,"description":"Delivered to handset","updated_on":"2016-12-14T18:20:15Z"},"errors":[],"verify":{"code_state":"UNKNOWN","code_entered":""}}"#;
const REPORT_SIGNATURE: &str = "5ZGkeiXZjyu3YnBQQromx4D0pk2Z3S7SmLYSlI3wQ2c=";

fn callback(c: &mut Criterion) {
    let credentials = telesign::Credentials::new(samples::CUSTOMER_ID, samples::API_KEY)
        .expect("valid credentials");
    let request = http::Request::post("/callback")
        .header(
            "authorization",
            format!("TSA {}:{REPORT_SIGNATURE}", samples::CUSTOMER_ID),
        )
        .header("content-type", "application/json")
        .body(REPORT)
        .expect("a valid request");
    assert!(telesign::callback::parse_callback(&credentials, &request).is_ok());
    c.bench_function("callback/verify_and_parse", |b| {
        b.iter(|| black_box(telesign::callback::parse_callback(&credentials, &request).is_ok()))
    });
    c.bench_function("callback/verify_signature", |b| {
        b.iter(|| {
            black_box(
                telesign::callback::verify_signature(&credentials, request.headers(), REPORT)
                    .is_ok(),
            )
        })
    });
}

/// The Python SDK's goal: its share of the SMS round over `round/telesign_sms`.
const PYTHON_GOAL: f64 = 30.0;

/// One comparison with the Python SDK: its `measure` against a Rust round.
struct Versus<'r, 'a> {
    measure: Measure,
    python_rounds: u32,
    rust: &'r Round<'a>,
    /// A key of `python.json`.
    key: &'static str,
    /// The least ratio wanted, if any.
    goal: Option<f64>,
}

/// TeleSign's Python SDK against the library, in alternating runs: each
/// Rust round, then each Python measure, then each Rust round again, and so
/// on, `pairs` times; each Python run is divided by the mean of the Rust
/// runs just before and after it. Prints the medians with their spread and
/// writes them to `target/verify-benches/python.json` (or why the SDK was
/// skipped).
fn python_ratios(versus: &[Versus<'_, '_>], pairs: usize, rust_calls: usize) {
    let path = results_path("python.json");
    let write = |json: serde_json::Value| {
        std::fs::write(&path, serde_json::to_string_pretty(&json).expect("JSON"))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        println!("wrote {}", path.display());
    };
    let skip = |why: String| {
        println!("TeleSign's Python SDK: SKIPPED, {why}");
        write(serde_json::json!({ "skipped": why }));
    };
    if std::env::var_os("VERIFY_BENCH_NO_PYTHON").is_some() {
        return skip("VERIFY_BENCH_NO_PYTHON is set".into());
    }
    let mut sdk = match Sdk::start() {
        Ok(sdk) => sdk,
        Err(why) => return skip(why),
    };
    let time_rust = |rust: &mut Vec<Vec<f64>>| {
        for (i, v) in versus.iter().enumerate() {
            rust[i].push(time_calls(v.rust, rust_calls));
        }
    };
    let mut rust = vec![Vec::new(); versus.len()];
    let mut python = vec![Vec::new(); versus.len()];
    for v in versus {
        time_calls(v.rust, rust_calls / 10);
    }
    time_rust(&mut rust);
    for _ in 0..pairs {
        // A measure compared with two Rust rounds is timed once per pair.
        let (mut share, mut call) = (None, None);
        for (i, v) in versus.iter().enumerate() {
            let timed = match v.measure {
                Measure::Share => &mut share,
                Measure::Call => &mut call,
            };
            let ns = match *timed {
                Some(ns) => ns,
                None => match sdk.time(v.measure, v.python_rounds) {
                    Ok(ns) => ns,
                    Err(why) => return skip(why),
                },
            };
            *timed = Some(ns);
            python[i].push(ns);
        }
        time_rust(&mut rust);
    }
    println!(
        "TeleSign's Python SDK {} (Python {}) against the library, median of {pairs} alternating runs:",
        sdk.sdk, sdk.python
    );
    let mut out = serde_json::Map::new();
    for (i, v) in versus.iter().enumerate() {
        let ratios = over_neighbours(&python[i], &rust[i]);
        let (ratio, python_ns, rust_ns) = (
            Spread::of(&ratios),
            Spread::of(&python[i]),
            Spread::of(&rust[i]),
        );
        let what = match v.measure {
            Measure::Share => "python share",
            Measure::Call => "python call",
        };
        let goal = v.goal.map_or(String::new(), |goal| {
            let verdict = if ratio.median >= goal {
                "met"
            } else {
                "MISSED"
            };
            format!("; goal >= {goal:.0}x: {verdict}")
        });
        println!(
            "{:<36} {:.1}x (IQR {:.1}..{:.1}, range {:.1}..{:.1}); {:.0} ns vs {:.0} ns{goal}",
            format!("{what} / {}", v.rust.id),
            ratio.median,
            ratio.q1,
            ratio.q3,
            ratio.min,
            ratio.max,
            python_ns.median,
            rust_ns.median,
        );
        out.insert(
            v.key.into(),
            serde_json::json!({
                "rust": v.rust.id, "python_rounds": v.python_rounds, "rust_calls": rust_calls,
                "ratios": ratios, "ratio": ratio, "python_ns": python_ns, "rust_ns": rust_ns,
            }),
        );
    }
    out.insert("sdk".into(), sdk.sdk.clone().into());
    out.insert("python".into(), sdk.python.clone().into());
    out.insert("pairs".into(), pairs.into());
    out.insert("goal".into(), PYTHON_GOAL.into());
    write(serde_json::Value::Object(out));
}

/// `VERIFY_BENCH_PROFILE=round/telesign_sms` (or any round or floor id):
/// runs only that, `VERIFY_BENCH_CALLS` times (default 100,000), for a
/// profiler (`valgrind --tool=callgrind`, `heaptrack`, `perf record`), and
/// prints the time per call.
fn profile(rounds: &[&Round<'_>], id: &str) {
    let calls: usize = std::env::var("VERIFY_BENCH_CALLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let round = rounds
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no round or floor {id}"));
    println!(
        "{id}: {calls} calls, {:.1} ns per call",
        time_calls(round, calls)
    );
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let s = Samples::new();
    let floored = s.floored();
    let halves = s.halves();
    let calls = [
        driver_call(
            "telesign_sms",
            &s.ts_settings,
            &s.sms,
            response(200, samples::SEND_OK),
        ),
        driver_call(
            "telesign_status",
            &s.ts_settings,
            &s.status,
            response(200, samples::STATUS_OK),
        ),
    ];
    let all: Vec<&Round<'_>> = floored.iter().chain(&halves).chain(&calls).collect();
    if let Ok(id) = std::env::var("VERIFY_BENCH_PROFILE") {
        return profile(&all, &id);
    }
    allocation_table(&all, bench);
    if bench {
        floor_ratios(&floored, 31, 10_000, true);
        python_ratios(
            &[
                Versus {
                    measure: Measure::Share,
                    python_rounds: 20_000,
                    rust: &floored[0],
                    key: "share_round",
                    goal: Some(PYTHON_GOAL),
                },
                Versus {
                    measure: Measure::Share,
                    python_rounds: 20_000,
                    rust: &floored[1],
                    key: "share_floor",
                    goal: None,
                },
                Versus {
                    measure: Measure::Call,
                    python_rounds: 300,
                    rust: &calls[0],
                    key: "call",
                    goal: None,
                },
            ],
            9,
            20_000,
        );
    } else {
        floor_ratios(&floored, 2, 100, false);
    }
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    operations(&mut c, &s, &floored, &calls);
    callback(&mut c);
    c.final_summary();
}
