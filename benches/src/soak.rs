//! The soak: many calls through verify-hyper against the in-process sandbox,
//! with faults, checking what must hold however long a client runs.
//!
//! The calls are a fixed mix of TeleSign SMS sends, dotdigital sends,
//! TeleSign status queries, TeleSign code checks and dotdigital code checks,
//! `in_flight` at a time, in batches. In each batch one of the sandbox's
//! fault kinds ([`FAULTS`], in turn) hits 1% of the requests. After each
//! batch the sandbox's outbox is read and emptied, and every send of the
//! batch is checked against it:
//!
//! - a send that succeeded left exactly one message;
//! - a send that failed with "a message may have been sent" left at most one;
//! - a send that failed with "nothing was sent" left none;
//! - no message went to a number no send of the batch used.
//!
//! Every send goes to its own number, so the count is exact. Also checked:
//! every call ended within its time limit plus 1 s; no call failed without a
//! fault to explain it (failed calls never outnumber injected faults, and
//! none failed validation); the process's resident memory (client and
//! sandbox: one process) grew by less than [`Config::max_rss_growth`] after
//! warm-up, with the sandbox's bounded state sized so that warm-up fills it;
//! no file descriptor leaked once client and sandbox are shut down.
//!
//! With [`Config::shield`] (`cargo xtask soak --shield`), the client runs
//! behind the abuse shield (`verify-shield`) on a real Redis that the soak
//! starts on a free loopback port (`verify-shield-redis`), with the
//! per-number and per-block rules of [`shield_rules`]. One send in
//! [`Config::hot_every`] then goes to one of a few *hot* numbers (two
//! blocks of six per provider) instead of its own, so that the limits
//! bind; the outbox's messages to hot numbers are kept for the whole run and
//! checked against every rule (no window of the rule's length, less the
//! most a message can lag its decision, holds more messages than the rule
//! allows). Besides: hot messages are no more than the hot sends that
//! succeeded or may have been sent, and no fewer than those that succeeded;
//! only hot sends are blocked.
//!
//! `cargo xtask soak` runs it in release mode (`src/bin/soak.rs`);
//! `tests/soak.rs` runs 10,000 calls of the same code in `cargo test`.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use verify_core::dotdigital::{self, RequestId, SendCode, ValidateCode};
use verify_core::driver::Timeouts;
use verify_core::telesign::{self, CheckCode, GetStatus, ReferenceId, SendSms};
use verify_core::{BaseUrl, Code};
use verify_hyper::{Error, ErrorKind};
use verify_sandbox::{Fault, Route, Sandbox, SandboxConfig, SandboxProvider};
use verify_shield::{Ms, Rules, Shield, WindowRule};
use verify_shield_redis::RedisServer;
use verify_shield_redis::RedisStore;

/// The fault kinds, one per batch in turn. [`Fault::Delay`] is filled in
/// with [`Config::delay`].
pub const FAULTS: [Fault; 11] = [
    Fault::TeleSignStatus(500),
    Fault::TeleSignStatus(501),
    Fault::TeleSignStatus(503),
    Fault::TeleSignStatus(504),
    Fault::TeleSignStatus(429),
    Fault::Html503,
    Fault::Delay(Duration::ZERO),
    Fault::CloseBeforeProcessing,
    Fault::CloseAfterProcessing,
    Fault::TruncateBody,
    Fault::HugeBody(1_000_000_000),
];

/// How long and how hard to soak.
#[derive(Clone, Debug)]
pub struct Config {
    /// Calls in all.
    pub requests: u64,
    /// Calls at a time.
    pub in_flight: u64,
    /// Calls per batch (the outbox is checked and emptied after each).
    pub batch: u64,
    /// One call in this many injects a fault (100: 1%).
    pub fault_every: u64,
    /// The client's time limits.
    pub timeouts: Timeouts,
    /// How long a delayed request waits before the sandbox processes it:
    /// longer than `timeouts.overall`, so those calls run out of time.
    pub delay: Duration,
    /// Calls before memory and descriptors are taken as the baseline
    /// (rounded up to a whole batch).
    pub warm_up: u64,
    /// The most the resident memory may grow after warm-up, in bytes.
    pub max_rss_growth: u64,
    /// The most descriptors may exceed the count before the run, once
    /// client and sandbox are shut down.
    pub fd_margin: usize,
    /// The abuse shield on a Redis the soak starts, and hot numbers.
    pub shield: bool,
    /// With the shield: one send in this many goes to a hot number.
    pub hot_every: u64,
}

impl Config {
    /// `requests` calls, `in_flight` at a time, with time limits of 1 s to
    /// connect and 2 s per call, and delayed requests held 2.5 s.
    pub fn new(requests: u64, in_flight: u64) -> Config {
        let batch = requests.div_ceil(FAULTS.len() as u64).clamp(1, 10_000);
        let overall = Duration::from_secs(2);
        Config {
            requests,
            in_flight: in_flight.max(1),
            batch,
            fault_every: 100,
            timeouts: Timeouts {
                connect: Duration::from_secs(1),
                overall,
            },
            delay: overall + Duration::from_millis(500),
            warm_up: requests / 10,
            max_rss_growth: 32 << 20,
            fd_margin: 8,
            shield: false,
            hot_every: 50,
        }
    }

    /// The same behind the abuse shield on Redis, with hot numbers.
    pub fn with_shield(mut self) -> Config {
        self.shield = true;
        self
    }

    /// The same with another per-call time limit (delays follow it).
    pub fn with_overall_timeout(mut self, overall: Duration) -> Config {
        self.timeouts.overall = overall;
        self.delay = overall + Duration::from_millis(500);
        self
    }

    /// Most verifications the sandbox keeps per provider: small enough that
    /// warm-up fills it, so that its steady size is reached before the
    /// memory baseline.
    fn max_verifications(&self) -> usize {
        usize::try_from(self.warm_up / 20)
            .unwrap_or(usize::MAX)
            .max(64)
    }

    /// Recent verifications the soak checks codes against: well within
    /// what the sandbox keeps.
    fn pool(&self) -> usize {
        (self.max_verifications() / 4).clamp(8, 1024)
    }

    fn sandbox(&self) -> SandboxConfig {
        let mut c = SandboxConfig::default().with_rate_limits(u32::MAX, u32::MAX);
        c.max_verifications = self.max_verifications();
        c.nonce_capacity = usize::try_from(self.warm_up / 2)
            .unwrap_or(usize::MAX)
            .max(64);
        c.outbox_capacity = usize::try_from(self.batch + 16).unwrap_or(usize::MAX);
        c
    }
}

/// What a run measured, and which checks failed.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Calls made.
    pub requests: u64,
    /// Calls at a time.
    pub in_flight: u64,
    /// Calls per kind that succeeded, in [`KIND_NAMES`] order.
    pub ok: [u64; KINDS],
    /// Calls per kind that failed.
    pub failed: [u64; KINDS],
    /// Failures by cause: timeout, transport, body too large, provider
    /// answer, validation or other.
    pub causes: [u64; CAUSES],
    /// Faults injected.
    pub faults: u64,
    /// Sends made, and those that succeeded.
    pub sends: u64,
    /// Sends that succeeded.
    pub sends_ok: u64,
    /// Sends that failed with "a message may have been sent".
    pub sends_maybe: u64,
    /// Of those, how many did leave a message.
    pub sends_maybe_delivered: u64,
    /// Sends that failed with "nothing was sent".
    pub sends_nothing: u64,
    /// Messages found in the outbox.
    pub messages: u64,
    /// Broken "no message twice" rules, all of them counted.
    pub outbox_violations: u64,
    /// The first few broken rules, described.
    pub outbox_examples: Vec<String>,
    /// The per-call time limit.
    pub time_limit: Duration,
    /// Calls that took longer than the time limit plus 1 s.
    pub over_time: u64,
    /// Latency percentiles (p50, p99, p99.9) and the slowest call.
    pub latency: [Duration; 3],
    /// The slowest call.
    pub slowest: Duration,
    /// Time spent making calls (batches, without the outbox checks and
    /// the waits after a batch of delays).
    pub busy: Duration,
    /// The whole run.
    pub wall: Duration,
    /// Resident memory before the run, after warm-up, the most after it,
    /// and at the end, in bytes (client and sandbox).
    pub rss: [u64; 4],
    /// The most resident memory may grow after warm-up.
    pub max_rss_growth: u64,
    /// Open descriptors before the run, after warm-up, the most after it
    /// while the client and sandbox run, and after both shut down.
    pub fds: [usize; 4],
    /// The margin allowed over the count before the run.
    pub fd_margin: usize,
    /// With the shield: what it did and whether its limits held.
    pub shield: Option<ShieldReport>,
}

/// The shield's part of a run.
#[derive(Clone, Debug, Default)]
pub struct ShieldReport {
    /// Sends to hot numbers.
    pub hot_sends: u64,
    /// Of those: succeeded, may have been sent, blocked by the shield.
    pub hot_ok: u64,
    /// Hot sends that failed with "a message may have been sent".
    pub hot_maybe: u64,
    /// Hot sends the shield refused.
    pub hot_blocked: u64,
    /// Calls the shield refused that were not hot sends.
    pub blocked_elsewhere: u64,
    /// The first few of those, described.
    pub blocked_examples: Vec<String>,
    /// Hot sends blocked, by the rule that refused.
    pub blocked_by: BTreeMap<String, u64>,
    /// Messages to hot numbers in the outbox, over the run.
    pub hot_messages: u64,
    /// Per rule: its name, max, window, the most messages seen in one
    /// window (less the lag), and how many windows held too many.
    pub rules: Vec<(String, u32, Duration, u64, u64)>,
    /// The lag allowed between a decision and its message.
    pub lag: Duration,
}

impl ShieldReport {
    fn failures(&self) -> Vec<String> {
        let mut f = Vec::new();
        for (name, max, window, most, broken) in &self.rules {
            if *broken > 0 {
                f.push(format!(
                    "{name}: {broken} windows of {window:?} held more than {max} messages (at most {most})"
                ));
            }
        }
        if self.hot_messages > self.hot_ok + self.hot_maybe || self.hot_messages < self.hot_ok {
            f.push(format!(
                "{} messages to hot numbers for {} hot sends that succeeded and {} that may have been sent",
                self.hot_messages, self.hot_ok, self.hot_maybe
            ));
        }
        if self.blocked_elsewhere > 0 {
            f.push(format!(
                "{} calls blocked that were not hot sends, e.g. {}",
                self.blocked_elsewhere,
                self.blocked_examples.join("; ")
            ));
        }
        f
    }
}

/// The rules the soak's shield enforces: the defaults' per-number and
/// per-block limits (one send per 30 s, 3 per 10 min and 5 per hour per
/// number, 10 per hour per block of 1,000 numbers); the rules that are not
/// about a number (client key, global sends, conversion breakers, number
/// types, wrong codes) off, as the soak's numbers are synthetic.
pub fn shield_rules() -> Rules {
    let d = Rules::default();
    Rules {
        client_key: d.client_key.off(),
        global_sends: d.global_sends.off(),
        wrong_codes: d.wrong_codes.off(),
        number_type: verify_shield::NumberTypeRule {
            enabled: false,
            ..d.number_type.clone()
        },
        conversion_country: verify_shield::BreakerRule {
            enabled: false,
            ..d.conversion_country
        },
        conversion_block: verify_shield::BreakerRule {
            enabled: false,
            ..d.conversion_block
        },
        ..d
    }
}

/// The per-number and per-block rules the soak checks the outbox against.
fn checked_rules(r: &Rules) -> [(&'static str, bool, WindowRule); 4] {
    [
        ("number cooldown", false, r.number_cooldown),
        ("number, short window", false, r.number_short),
        ("number, long window", false, r.number_long),
        ("number block", true, r.number_block),
    ]
}

fn ms(w: Ms) -> Duration {
    Duration::from_millis(w.0)
}

/// Kinds of call.
pub const KINDS: usize = 5;
/// The kinds' names.
pub const KIND_NAMES: [&str; KINDS] = [
    "TeleSign SMS send",
    "dotdigital send",
    "TeleSign status query",
    "TeleSign code check",
    "dotdigital code check",
];
/// Failure causes.
pub const CAUSES: usize = 7;
/// The causes' names.
pub const CAUSE_NAMES: [&str; CAUSES] = [
    "timeout",
    "connection",
    "body too large",
    "provider answer",
    "validation",
    "other",
    "blocked by the shield",
];
/// The cause index of a refusal by the shield.
const BLOCKED: usize = 6;

/// `90 s`, `10 min`, `1 h`.
fn humantime_short(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 && s.is_multiple_of(3600) {
        format!("{} h", s / 3600)
    } else if s >= 60 && s.is_multiple_of(60) {
        format!("{} min", s / 60)
    } else {
        format!("{:.0} s", d.as_secs_f64())
    }
}

impl Report {
    /// Calls per second while calls were being made.
    pub fn requests_per_second(&self) -> f64 {
        self.requests as f64 / self.busy.as_secs_f64().max(1e-9)
    }

    /// Every check that failed, described; empty when the run passed.
    pub fn failures(&self) -> Vec<String> {
        let mut f = Vec::new();
        if self.outbox_violations > 0 {
            f.push(format!(
                "{} sends broke the one-message rule, e.g. {}",
                self.outbox_violations,
                self.outbox_examples.join("; ")
            ));
        }
        let done: u64 = self.ok.iter().sum::<u64>() + self.failed.iter().sum::<u64>();
        if done != self.requests {
            f.push(format!("{done} calls ended of {} made", self.requests));
        }
        if self.over_time > 0 {
            f.push(format!(
                "{} calls took longer than {:?} + 1 s (slowest {:?})",
                self.over_time, self.time_limit, self.slowest
            ));
        }
        // Refusals by the shield are checked on their own (below).
        let failed = self.failed.iter().sum::<u64>() - self.causes[BLOCKED];
        if failed > self.faults {
            f.push(format!(
                "{failed} calls failed, more than the {} faults injected",
                self.faults
            ));
        }
        if self.causes[4] > 0 {
            f.push(format!("{} calls failed validation", self.causes[4]));
        }
        let growth = self.rss[2].saturating_sub(self.rss[1]);
        if growth >= self.max_rss_growth {
            f.push(format!(
                "resident memory grew by {} MB after warm-up (limit {} MB)",
                growth >> 20,
                self.max_rss_growth >> 20
            ));
        }
        if self.fds[3] > self.fds[0] + self.fd_margin {
            f.push(format!(
                "{} descriptors open after shutdown, {} before the run",
                self.fds[3], self.fds[0]
            ));
        }
        if let Some(shield) = &self.shield {
            f.extend(shield.failures());
        }
        f
    }

    /// The report as Markdown, for `BENCHMARKS.md`.
    pub fn markdown(&self) -> String {
        let mb = |b: u64| format!("{:.1} MB", b as f64 / f64::from(1 << 20));
        let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1e3);
        let verdict = |ok: bool| if ok { "held" } else { "**broken**" };
        let failures = self.failures();
        let failed = self.failed.iter().sum::<u64>() - self.causes[BLOCKED];
        let mut s = String::new();
        s.push_str(&format!(
            "{} calls, {} in flight: {:.0} calls/s while calling ({:.1} s busy, {:.1} s in all); \
             latency p50 {}, p99 {}, p99.9 {}, slowest {}.\n\n",
            self.requests,
            self.in_flight,
            self.requests_per_second(),
            self.busy.as_secs_f64(),
            self.wall.as_secs_f64(),
            ms(self.latency[0]),
            ms(self.latency[1]),
            ms(self.latency[2]),
            ms(self.slowest),
        ));
        s.push_str("| check | measured | verdict |\n|---|---|---|\n");
        s.push_str(&format!(
            "| no message sent twice | {} sends: {} succeeded (one message each), {} \"may have been sent\" ({} left a message), {} \"nothing sent\"; {} messages; {} broken | {} |\n",
            self.sends,
            self.sends_ok,
            self.sends_maybe,
            self.sends_maybe_delivered,
            self.sends_nothing,
            self.messages,
            self.outbox_violations,
            verdict(self.outbox_violations == 0),
        ));
        s.push_str(&format!(
            "| every call within its limit + 1 s | limit {}, slowest {}, {} over | {} |\n",
            ms(self.time_limit),
            ms(self.slowest),
            self.over_time,
            verdict(self.over_time == 0),
        ));
        s.push_str(&format!(
            "| failures only from faults | {} faults injected, {} calls failed ({}) | {} |\n",
            self.faults,
            failed,
            CAUSE_NAMES
                .iter()
                .zip(self.causes)
                .take(BLOCKED)
                .filter(|(_, n)| *n > 0)
                .map(|(c, n)| format!("{n} {c}"))
                .collect::<Vec<_>>()
                .join(", "),
            verdict(failed <= self.faults && self.causes[4] == 0),
        ));
        let growth = self.rss[2].saturating_sub(self.rss[1]);
        s.push_str(&format!(
            "| memory flat after warm-up | resident {} before, {} after warm-up, at most {} after it (+{}), {} at the end | {} |\n",
            mb(self.rss[0]),
            mb(self.rss[1]),
            mb(self.rss[2]),
            mb(growth),
            mb(self.rss[3]),
            verdict(growth < self.max_rss_growth),
        ));
        s.push_str(&format!(
            "| no descriptor leak | {} before, {} after warm-up, at most {} while running, {} after shutdown | {} |\n",
            self.fds[0],
            self.fds[1],
            self.fds[2],
            self.fds[3],
            verdict(self.fds[3] <= self.fds[0] + self.fd_margin),
        ));
        if let Some(sh) = &self.shield {
            s.push_str(&format!(
                "| only hot sends blocked | {} hot sends ({} succeeded, {} \"may have been sent\", {} blocked by the shield: {}); {} other calls blocked | {} |\n",
                sh.hot_sends,
                sh.hot_ok,
                sh.hot_maybe,
                sh.hot_blocked,
                sh.blocked_by
                    .iter()
                    .map(|(rule, n)| format!("{n} {rule}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                sh.blocked_elsewhere,
                verdict(sh.blocked_elsewhere == 0),
            ));
            let hot_ok =
                sh.hot_messages <= sh.hot_ok + sh.hot_maybe && sh.hot_messages >= sh.hot_ok;
            s.push_str(&format!(
                "| hot numbers: no message twice | {} messages to hot numbers, between {} and {} | {} |\n",
                sh.hot_messages,
                sh.hot_ok,
                sh.hot_ok + sh.hot_maybe,
                verdict(hot_ok),
            ));
            for (name, max, window, most, broken) in &sh.rules {
                s.push_str(&format!(
                    "| limit held: {name} (at most {max} per {}) | at most {most} messages in any {} window of a hot {}; {broken} over | {} |\n",
                    humantime_short(*window),
                    humantime_short(window.saturating_sub(sh.lag)),
                    if name.contains("block") { "block" } else { "number" },
                    verdict(*broken == 0),
                ));
            }
        }
        s.push_str("\n| calls | succeeded | failed |\n|---|---|---|\n");
        for (i, name) in KIND_NAMES.iter().enumerate() {
            s.push_str(&format!(
                "| {name} | {} | {} |\n",
                self.ok[i], self.failed[i]
            ));
        }
        if !failures.is_empty() {
            s.push_str("\nBroken:\n");
            for f in failures {
                s.push_str(&format!("- {f}\n"));
            }
        }
        s
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.markdown())
    }
}

/// Latencies in microseconds, log-linear: exact below 64 µs, then 32
/// buckets per power of two (within about 3%). Fixed size, lock-free.
struct Histogram {
    buckets: Vec<AtomicU64>,
}

impl Histogram {
    const SUB_BITS: u32 = 5;
    const SUB: u64 = 1 << Self::SUB_BITS;

    fn new() -> Histogram {
        Histogram {
            buckets: (0..64 * Self::SUB).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    fn index(micros: u64) -> usize {
        if micros < 2 * Self::SUB {
            return micros as usize;
        }
        let shift = 63 - micros.leading_zeros() - Self::SUB_BITS;
        (u64::from(shift) * Self::SUB + (micros >> shift)) as usize
    }

    /// The largest value of bucket `i`.
    fn upper(i: usize) -> u64 {
        let i = i as u64;
        if i < 2 * Self::SUB {
            return i;
        }
        let shift = i / Self::SUB - 1;
        let mantissa = i % Self::SUB + Self::SUB;
        ((mantissa + 1) << shift) - 1
    }

    fn record(&self, d: Duration) {
        let micros = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        let i = Self::index(micros).min(self.buckets.len() - 1);
        self.buckets[i].fetch_add(1, Ordering::Relaxed);
    }

    /// The `q` quantile (0..=1), rounded up to its bucket's largest value.
    fn quantile(&self, q: f64) -> Duration {
        let counts: Vec<u64> = self
            .buckets
            .iter()
            .map(|b| b.load(Ordering::Relaxed))
            .collect();
        let total: u64 = counts.iter().sum();
        let rank = ((q * total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, c) in counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Duration::from_micros(Self::upper(i));
            }
        }
        Duration::ZERO
    }
}

/// The process's resident memory, in bytes.
pub fn resident_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// The process's open file descriptors.
pub fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count())
}

/// What a send must have left in the outbox.
const NOT_A_SEND: u8 = 0;
const EXACTLY_ONE: u8 = 1;
const AT_MOST_ONE: u8 = 2;
const NONE: u8 = 3;

/// A small deterministic mix of `n` (splitmix64).
fn mix(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A bounded ring of recent verifications to check codes against.
struct Pool<T> {
    items: Mutex<VecDeque<(T, String)>>,
    capacity: usize,
}

impl<T: Clone> Pool<T> {
    fn new(capacity: usize) -> Self {
        Pool {
            items: Mutex::new(VecDeque::with_capacity(capacity)),
            capacity,
        }
    }

    fn push(&self, id: T, code: String) {
        let mut items = self.items.lock().unwrap_or_else(|e| e.into_inner());
        if items.len() >= self.capacity {
            items.pop_front();
        }
        items.push_back((id, code));
    }

    fn pick(&self, n: u64) -> Option<(T, String)> {
        let items = self.items.lock().unwrap_or_else(|e| e.into_inner());
        if items.is_empty() {
            return None;
        }
        items.get((n % items.len() as u64) as usize).cloned()
    }
}

/// One call of the mix (30% TeleSign SMS, 20% dotdigital sends, 25%
/// TeleSign status queries, 15% TeleSign code checks, 10% dotdigital code
/// checks; one check in five with a wrong code).
enum Plan {
    Sms,
    DotdigitalSend,
    Status(ReferenceId),
    Check(ReferenceId, String),
    DotdigitalCheck(RequestId, String),
}

/// What the workers share.
struct Shared {
    client: verify_hyper::Client,
    sandbox: Sandbox,
    config: Config,
    fault: Mutex<Fault>,
    next: AtomicU64,
    batch_start: AtomicU64,
    batch_end: AtomicU64,
    /// Per call of the batch: what its send must have left ([`EXACTLY_ONE`]...).
    expect: Vec<AtomicU8>,
    telesign: Pool<ReferenceId>,
    dotdigital: Pool<RequestId>,
    histogram: Histogram,
    ok: [AtomicU64; KINDS],
    failed: [AtomicU64; KINDS],
    causes: [AtomicU64; CAUSES],
    faults: AtomicU64,
    over_time: AtomicU64,
    slowest: AtomicU64,
    /// Hot sends: made, succeeded, may have been sent, blocked; other
    /// calls blocked.
    hot: [AtomicU64; 5],
    /// The first few calls blocked that were not hot sends, described.
    blocked_examples: Mutex<Vec<String>>,
    /// Hot sends blocked, by the rule that refused.
    blocked_by: Mutex<BTreeMap<String, u64>>,
}

/// TeleSign numbers are `1`, the call's number plus one in 7 digits and
/// `000`; dotdigital numbers `44` and the same: every call its own number
/// and its own block (the number without its last 3 digits), so that the
/// shield's per-number and per-block limits bind only on hot numbers (and
/// no number is all zeros, which the shield refuses).
fn telesign_number(n: u64) -> String {
    format!("1{:07}000", n + 1)
}

fn dotdigital_number(n: u64) -> String {
    format!("44{:07}000", n + 1)
}

/// The call a number of [`telesign_number`] or [`dotdigital_number`] (its
/// digits after the country code) was made for.
fn call_of(digits: &str) -> Option<u64> {
    let v: u64 = digits.parse().ok()?;
    (v.is_multiple_of(1000) && v > 0).then(|| v / 1000 - 1)
}

/// Hot numbers: two blocks per provider (`1555999B00I`, `44799999B00I`),
/// one of six numbers (where the block's limit binds first) and one of two
/// (where the numbers' limits do), apart from every call's own number below
/// 5,559,989 calls.
fn hot_number(provider: usize, n: u64) -> String {
    let block = (mix(n) >> 8) % 2;
    let i = (mix(n) >> 16) % if block == 0 { 6 } else { 2 };
    match provider {
        0 => format!("1555999{block}{i:03}"),
        _ => format!("44799999{block}{i:03}"),
    }
}

fn is_hot(to: &str) -> bool {
    to.starts_with("1555999") && to.len() == 11 || to.starts_with("44799999") && to.len() == 12
}

/// The code a TeleSign SMS of call `n` sends.
fn code_for(n: u64) -> String {
    format!("{:05}", mix(n) % 100_000)
}

/// Why a call failed, as an index into [`CAUSE_NAMES`].
fn cause(e: &Error) -> usize {
    match e.kind() {
        ErrorKind::Timeout { .. } => 0,
        ErrorKind::Transport { .. } => 1,
        ErrorKind::BodyTooLarge { .. } => 2,
        ErrorKind::Response(_) => 3,
        ErrorKind::Validation(_) => 4,
        ErrorKind::Blocked(_) => BLOCKED,
        _ => 5,
    }
}

impl Shared {
    /// What call `n` does: its kind decides, but a check needs a
    /// verification to check, and until there is one the call sends.
    fn plan(&self, n: u64) -> Plan {
        let wrong = |code: String| {
            if n.is_multiple_of(5) {
                "000".to_owned()
            } else {
                code
            }
        };
        match mix(n) % 100 {
            0..30 => Plan::Sms,
            30..50 => Plan::DotdigitalSend,
            50..75 => match self.telesign.pick(n) {
                Some((id, _)) => Plan::Status(id),
                None => Plan::Sms,
            },
            75..90 => match self.telesign.pick(n) {
                Some((id, code)) => Plan::Check(id, wrong(code)),
                None => Plan::Sms,
            },
            _ => match self.dotdigital.pick(n) {
                Some((id, code)) => Plan::DotdigitalCheck(id, wrong(code)),
                None => Plan::DotdigitalSend,
            },
        }
    }

    /// Whether send `n` goes to a hot number.
    fn hot(&self, n: u64) -> bool {
        self.config.shield && mix(n ^ 0x5EED).is_multiple_of(self.config.hot_every)
    }

    /// Runs call `n`; the kind of call it was, whether it was a hot send,
    /// and whether it succeeded.
    async fn call(&self, n: u64) -> (usize, bool, Result<(), Error>) {
        let slot = (n - self.batch_start.load(Ordering::Relaxed)) as usize;
        let expect = |outcome: &Result<(), Error>| {
            let e = match outcome {
                Ok(()) => EXACTLY_ONE,
                Err(e) if e.message_may_have_been_sent() => AT_MOST_ONE,
                Err(_) => NONE,
            };
            self.expect[slot].store(e, Ordering::Relaxed);
        };
        // A hot send's messages are checked over the run, not per call:
        // its slot stays "no send".
        let hot_outcome = |outcome: &Result<(), Error>| {
            let i = match outcome {
                Ok(()) => 1,
                Err(e) if e.message_may_have_been_sent() => 2,
                Err(e) if let Some(b) = e.blocked() => {
                    *self
                        .blocked_by
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .entry(b.rule.to_string())
                        .or_default() += 1;
                    3
                }
                Err(_) => return,
            };
            self.hot[i].fetch_add(1, Ordering::Relaxed);
        };
        let plan = self.plan(n);
        let hot = matches!(plan, Plan::Sms | Plan::DotdigitalSend) && self.hot(n);
        if hot {
            self.hot[0].fetch_add(1, Ordering::Relaxed);
        }
        match plan {
            Plan::Sms if hot => {
                let op = SendSms::new(hot_number(0, n))
                    .verify_code(Code::new(code_for(n)))
                    .template("Your code is $$CODE$$");
                let outcome = self.client.execute(&op).await.map(drop);
                hot_outcome(&outcome);
                (0, true, outcome)
            }
            Plan::DotdigitalSend if hot => {
                let op = SendCode::new(hot_number(1, n), "Soak").body("Your code is {{code}}");
                let outcome = self.client.execute(&op).await.map(drop);
                hot_outcome(&outcome);
                (1, true, outcome)
            }
            Plan::Sms => {
                let code = code_for(n);
                let op = SendSms::new(telesign_number(n))
                    .verify_code(Code::new(code.clone()))
                    .template("Your code is $$CODE$$");
                let outcome = self.client.execute(&op).await.map(|r| {
                    self.telesign.push(r.reference_id, code);
                });
                expect(&outcome);
                (0, false, outcome)
            }
            Plan::DotdigitalSend => {
                let op = SendCode::new(dotdigital_number(n), "Soak").body("Your code is {{code}}");
                let outcome = self.client.execute(&op).await.map(drop);
                expect(&outcome);
                (1, false, outcome)
            }
            Plan::Status(id) => (
                2,
                false,
                self.client.execute(&GetStatus::new(id)).await.map(drop),
            ),
            Plan::Check(id, code) => {
                let op = CheckCode::new(id, Code::new(code));
                (3, false, self.client.execute(&op).await.map(drop))
            }
            Plan::DotdigitalCheck(id, code) => {
                let op = ValidateCode::new(id, Code::new(code));
                (4, false, self.client.execute(&op).await.map(drop))
            }
        }
    }

    async fn worker(self: Arc<Self>) {
        let limit = self.config.timeouts.overall + Duration::from_secs(1);
        loop {
            let n = self.next.fetch_add(1, Ordering::Relaxed);
            if n >= self.batch_end.load(Ordering::Relaxed) {
                return;
            }
            if n % self.config.fault_every == self.config.fault_every / 2 {
                let fault = *self.fault.lock().unwrap_or_else(|e| e.into_inner());
                if self.sandbox.try_inject(Route::Any, fault, 1).is_ok() {
                    self.faults.fetch_add(1, Ordering::Relaxed);
                }
            }
            let start = Instant::now();
            let (kind, hot, outcome) = self.call(n).await;
            let took = start.elapsed();
            self.histogram.record(took);
            let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
            self.slowest.fetch_max(micros, Ordering::Relaxed);
            if took > limit {
                self.over_time.fetch_add(1, Ordering::Relaxed);
            }
            match outcome {
                Ok(()) => self.ok[kind].fetch_add(1, Ordering::Relaxed),
                Err(e) => {
                    if e.blocked().is_some() && !hot {
                        self.hot[4].fetch_add(1, Ordering::Relaxed);
                        let mut ex = self
                            .blocked_examples
                            .lock()
                            .unwrap_or_else(|e| e.into_inner());
                        if ex.len() < 3 {
                            ex.push(format!("call {n} ({}): {e}", KIND_NAMES[kind]));
                        }
                    }
                    self.causes[cause(&e)].fetch_add(1, Ordering::Relaxed);
                    self.failed[kind].fetch_add(1, Ordering::Relaxed)
                }
            };
        }
    }
}

/// Reads and empties the outbox, and checks the batch's sends against it.
fn check_outbox(
    shared: &Shared,
    start: u64,
    end: u64,
    received: &mut [u8],
    report: &mut Report,
    hot: &mut BTreeMap<String, Vec<SystemTime>>,
) {
    let messages = shared.sandbox.messages();
    shared.sandbox.clear_messages();
    received.fill(0);
    fn violation(report: &mut Report, text: String) {
        report.outbox_violations += 1;
        if report.outbox_examples.len() < 5 {
            report.outbox_examples.push(text);
        }
    }
    for m in &messages {
        report.messages += 1;
        if shared.config.shield && is_hot(&m.to) {
            hot.entry(m.to.clone()).or_default().push(m.at);
            continue;
        }
        let digits = match m.provider {
            SandboxProvider::Telesign => m.to.strip_prefix('1'),
            SandboxProvider::Dotdigital => m.to.strip_prefix("44"),
            // The soak sends nothing through the Verify API.
            _ => None,
        };
        let call = digits.and_then(call_of);
        match call {
            Some(n) if (start..end).contains(&n) => {
                let slot = (n - start) as usize;
                received[slot] = received[slot].saturating_add(1);
                if m.provider == SandboxProvider::Dotdigital
                    && let Ok(id) = RequestId::new(m.verification_id.clone())
                {
                    shared.dotdigital.push(id, m.code.clone());
                }
            }
            _ => violation(
                report,
                format!("a message to {} matches no send of the batch", m.to),
            ),
        }
    }
    for (slot, got) in received.iter().enumerate() {
        let n = start + slot as u64;
        let want = shared.expect[slot].load(Ordering::Relaxed);
        let ok = match want {
            NOT_A_SEND => *got == 0,
            EXACTLY_ONE => *got == 1,
            AT_MOST_ONE => *got <= 1,
            _ => *got == 0,
        };
        match want {
            EXACTLY_ONE => {
                report.sends += 1;
                report.sends_ok += 1;
            }
            AT_MOST_ONE => {
                report.sends += 1;
                report.sends_maybe += 1;
                report.sends_maybe_delivered += u64::from(*got > 0);
            }
            NONE => {
                report.sends += 1;
                report.sends_nothing += 1;
            }
            _ => {}
        }
        if !ok {
            let what = [
                "no send",
                "a successful send",
                "a \"may have been sent\" failure",
                "a \"nothing sent\" failure",
            ];
            violation(
                report,
                format!(
                    "call {n} ({}) left {got} messages",
                    what[usize::from(want.min(3))]
                ),
            );
        }
    }
}

/// The clients' settings for `sandbox`: TeleSign (HMAC) first, dotdigital
/// as backup (the dotdigital operations go there).
fn client(
    sandbox: &Sandbox,
    timeouts: Timeouts,
    redis: Option<&RedisServer>,
) -> verify_hyper::Client {
    let c = sandbox.config();
    let base = BaseUrl::allow_plain_http(&sandbox.base_url()).expect("a loopback URL");
    let telesign = telesign::Config::new(
        telesign::Credentials::new(c.telesign_customer_id.clone(), c.telesign_api_key.clone())
            .expect("sandbox credentials"),
    )
    .with_base_url(base.clone());
    let dotdigital = dotdigital::Config::new(
        dotdigital::Credentials::new(c.dotdigital_username.clone(), c.dotdigital_password.clone())
            .expect("sandbox credentials"),
    )
    .with_base_url(base);
    let builder = verify_hyper::Client::builder(telesign)
        .backup(dotdigital)
        .timeouts(timeouts);
    match redis {
        Some(server) => {
            let store = RedisStore::open(&server.url()).expect("a Redis URL");
            builder
                .guard(Arc::new(Shield::new(shield_rules(), store)))
                .build()
                .expect("a client")
        }
        None => builder.build().expect("a client"),
    }
}

/// Runs the soak; `progress` is told after each batch (calls done so far).
pub fn run(config: &Config, mut progress: impl FnMut(u64, &Report)) -> Report {
    let mut report = Report {
        requests: config.requests,
        in_flight: config.in_flight,
        time_limit: config.timeouts.overall,
        max_rss_growth: config.max_rss_growth,
        fd_margin: config.fd_margin,
        ..Report::default()
    };
    let began = Instant::now();
    let fds_before = open_fds();
    let rss_before = resident_bytes();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let sandbox = Sandbox::spawn(config.sandbox()).expect("the sandbox starts");
    let redis = config
        .shield
        .then(|| RedisServer::start().expect("redis-server, for the shield's store"));
    let client = {
        let _guard = rt.enter();
        client(&sandbox, config.timeouts, redis.as_ref())
    };
    let mut hot = BTreeMap::new();
    let batch = usize::try_from(config.batch).expect("a batch fits in memory");
    let shared = Arc::new(Shared {
        client,
        sandbox,
        config: config.clone(),
        fault: Mutex::new(FAULTS[0]),
        next: AtomicU64::new(0),
        batch_start: AtomicU64::new(0),
        batch_end: AtomicU64::new(0),
        expect: (0..batch).map(|_| AtomicU8::new(NOT_A_SEND)).collect(),
        telesign: Pool::new(config.pool()),
        dotdigital: Pool::new(config.pool()),
        histogram: Histogram::new(),
        ok: Default::default(),
        failed: Default::default(),
        causes: Default::default(),
        faults: AtomicU64::new(0),
        over_time: AtomicU64::new(0),
        slowest: AtomicU64::new(0),
        hot: Default::default(),
        blocked_examples: Mutex::new(Vec::new()),
        blocked_by: Mutex::new(BTreeMap::new()),
    });
    let mut received = vec![0u8; batch];
    let (mut rss_warm, mut rss_max, mut fds_warm, mut fds_max) = (0, 0, 0, 0);
    let mut warm = false;
    let mut start = 0;
    let mut index = 0;
    while start < config.requests {
        let end = (start + config.batch).min(config.requests);
        let fault = match FAULTS[index % FAULTS.len()] {
            Fault::Delay(_) => Fault::Delay(config.delay),
            f => f,
        };
        *shared.fault.lock().unwrap_or_else(|e| e.into_inner()) = fault;
        shared.sandbox.clear_faults();
        for e in &shared.expect {
            e.store(NOT_A_SEND, Ordering::Relaxed);
        }
        shared.batch_start.store(start, Ordering::Relaxed);
        shared.batch_end.store(end, Ordering::Relaxed);
        shared.next.store(start, Ordering::Relaxed);
        let batch_began = Instant::now();
        rt.block_on(async {
            let mut tasks = tokio::task::JoinSet::new();
            for _ in 0..config.in_flight {
                tasks.spawn(shared.clone().worker());
            }
            while let Some(done) = tasks.join_next().await {
                done.expect("a soak task panicked");
            }
        });
        report.busy += batch_began.elapsed();
        shared.sandbox.clear_faults();
        if matches!(fault, Fault::Delay(_)) {
            // A request still held by the sandbox is processed when its
            // delay ends: wait for it before reading the outbox.
            std::thread::sleep(config.delay + Duration::from_millis(250));
        }
        check_outbox(
            &shared,
            start,
            end,
            &mut received[..(end - start) as usize],
            &mut report,
            &mut hot,
        );
        let (rss, fds) = (resident_bytes(), open_fds());
        if warm {
            rss_max = rss_max.max(rss);
            fds_max = fds_max.max(fds);
        } else if end >= config.warm_up {
            warm = true;
            (rss_warm, rss_max, fds_warm, fds_max) = (rss, rss, fds, fds);
        }
        start = end;
        index += 1;
        fill(&mut report, &shared);
        progress(end, &report);
    }
    fill(&mut report, &shared);
    if config.shield {
        report.shield = Some(shield_report(config, &shared, &hot));
    }
    let rss_end = resident_bytes();
    // Shut everything down: what stays open then has leaked.
    drop(rt);
    match Arc::try_unwrap(shared) {
        Ok(s) => {
            drop(s.client);
            s.sandbox.shutdown_blocking();
        }
        Err(_) => panic!("a soak task outlived its runtime"),
    }
    std::thread::sleep(Duration::from_millis(200));
    report.rss = [rss_before, rss_warm, rss_max, rss_end];
    report.fds = [fds_before, fds_warm, fds_max, open_fds()];
    drop(redis);
    report.wall = began.elapsed();
    report
}

/// Checks the messages to hot numbers against the shield's rules.
fn shield_report(
    config: &Config,
    shared: &Shared,
    hot: &BTreeMap<String, Vec<SystemTime>>,
) -> ShieldReport {
    let counts = shared.hot.each_ref().map(|c| c.load(Ordering::Relaxed));
    // A message lags its decision by the call's time at most (and a
    // delayed request by the sandbox's delay).
    let lag = config.delay.max(config.timeouts.overall) + Duration::from_secs(1);
    let mut blocks: BTreeMap<String, Vec<SystemTime>> = BTreeMap::new();
    for (to, times) in hot {
        blocks
            .entry(to[..to.len() - 3].to_owned())
            .or_default()
            .extend(times);
    }
    let rules = checked_rules(&shield_rules())
        .into_iter()
        .filter(|(_, _, rule)| rule.enabled)
        .map(|(name, per_block, rule)| {
            let window = ms(rule.window);
            let span = window.saturating_sub(lag);
            let groups = if per_block { &blocks } else { hot };
            let (mut most, mut broken) = (0u64, 0u64);
            for times in groups.values() {
                let mut t = times.clone();
                t.sort_unstable();
                let mut lo = 0;
                for hi in 0..t.len() {
                    while t[hi].duration_since(t[lo]).unwrap_or_default() >= span {
                        lo += 1;
                    }
                    let inside = (hi - lo + 1) as u64;
                    most = most.max(inside);
                    broken += u64::from(inside > u64::from(rule.max));
                }
            }
            (name.to_owned(), rule.max, window, most, broken)
        })
        .collect();
    ShieldReport {
        hot_sends: counts[0],
        hot_ok: counts[1],
        hot_maybe: counts[2],
        hot_blocked: counts[3],
        blocked_elsewhere: counts[4],
        blocked_by: shared
            .blocked_by
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone(),
        blocked_examples: shared
            .blocked_examples
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone(),
        hot_messages: hot.values().map(|v| v.len() as u64).sum(),
        rules,
        lag,
    }
}

/// Copies the shared counters into the report.
fn fill(report: &mut Report, shared: &Shared) {
    let load = |a: &[AtomicU64; KINDS]| a.each_ref().map(|c| c.load(Ordering::Relaxed));
    report.ok = load(&shared.ok);
    report.failed = load(&shared.failed);
    report.causes = shared.causes.each_ref().map(|c| c.load(Ordering::Relaxed));
    report.faults = shared.faults.load(Ordering::Relaxed);
    report.over_time = shared.over_time.load(Ordering::Relaxed);
    report.slowest = Duration::from_micros(shared.slowest.load(Ordering::Relaxed));
    report.latency = [0.5, 0.99, 0.999].map(|q| shared.histogram.quantile(q));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_contiguous_and_close() {
        let mut last = 0;
        for v in [0u64, 1, 63, 64, 65, 127, 128, 1_000, 65_535, 1 << 30] {
            let i = Histogram::index(v);
            assert!(i >= last, "{v}");
            last = i;
            let upper = Histogram::upper(i);
            assert!(upper >= v, "{v}: {upper}");
            assert!(upper - v <= v / 32, "{v}: {upper}");
        }
        for i in 64..Histogram::index(1 << 30) {
            assert_eq!(Histogram::index(Histogram::upper(i)), i);
            assert_eq!(Histogram::index(Histogram::upper(i) + 1), i + 1);
        }
        let h = Histogram::new();
        for ms in 1..=1_000u64 {
            h.record(Duration::from_millis(ms));
        }
        let p50 = h.quantile(0.5).as_millis();
        assert!((500..=516).contains(&p50), "{p50}");
        assert_eq!(
            h.quantile(1.0),
            Duration::from_micros(Histogram::upper(Histogram::index(1_000_000)))
        );
    }

    #[test]
    fn the_mix_of_calls_is_stable() {
        let kinds = (0..10_000)
            .map(|n| mix(n) % 100)
            .filter(|r| *r < 30)
            .count();
        assert!((2_800..3_200).contains(&kinds), "{kinds}");
        assert_eq!(telesign_number(42), "10000043000");
        assert_eq!(dotdigital_number(42), "440000043000");
        assert_eq!(call_of("0000043000"), Some(42));
        assert_eq!(call_of("0000043001"), None);
        assert_eq!(call_of("0000000000"), None);
        for n in 0..100 {
            assert!(is_hot(&hot_number(0, n)) && is_hot(&hot_number(1, n)));
            assert!(!is_hot(&telesign_number(n)) && !is_hot(&dotdigital_number(n)));
        }
    }

    #[test]
    fn a_report_names_every_broken_check() {
        let mut r = Report {
            requests: 2,
            ok: [1, 0, 0, 0, 0],
            failed: [1, 0, 0, 0, 0],
            faults: 0,
            over_time: 1,
            rss: [0, 10 << 20, 50 << 20, 0],
            max_rss_growth: 32 << 20,
            fds: [10, 12, 12, 30],
            fd_margin: 8,
            outbox_violations: 1,
            outbox_examples: vec!["x".into()],
            ..Report::default()
        };
        assert_eq!(r.failures().len(), 5, "{:?}", r.failures());
        r.faults = 1;
        r.over_time = 0;
        r.rss[2] = 20 << 20;
        r.fds[3] = 18;
        r.outbox_violations = 0;
        assert!(r.failures().is_empty(), "{:?}", r.failures());
        assert!(r.markdown().contains("| no message sent twice |"));
    }
}
