//! The store contract: what a store must count, and the exact arithmetic
//! every store implements alike (the in-memory store in Rust, the Redis
//! store in one Lua script). The policy turns rules and a send into a
//! [`Plan`]; a store decides the whole plan at once and consumes only when
//! nothing enforced refuses.
//!
//! # Arithmetic (every store, to the millisecond)
//!
//! Time is milliseconds since the Unix epoch (`now`). A log holds entries
//! `(t, amount)`; an entry counts while `t > now - window_ms`.
//!
//! - [`Limit`] (count in a sliding window): `n` = entries in the window.
//!   Refused when `n + 1 > max`. `retry_after_ms`: sort the window's
//!   entries oldest first; with `k = n - max` (0-based; `max == 0` gives
//!   no retry, `None`), `t_k + window_ms - now`. When `consume` and the
//!   plan is allowed: append `(now, 1)` and keep only the newest `max`
//!   entries. A key lives `window_ms` after its last write.
//! - [`Spend`] (sum in a sliding window): `s` = sum of the window's
//!   amounts. Refused when `s + cost > max`. `retry_after_ms`: when
//!   `cost > max`, `None`; otherwise walk the entries oldest first,
//!   subtracting each amount, until `s' + cost <= max` at entry `t_i`:
//!   `t_i + window_ms - now`. Consume: append `(now, cost)`. A key lives
//!   `window_ms` after its last write.
//! - [`Breaker`] (conversion breaker over `key`): two logs, sends and
//!   verified, both windowed by `window_ms`, and a state value
//!   `open_until` (absent: closed) and `probe_until` (absent: no probe).
//!   1. `open_until > now`: refused, `retry_after_ms = open_until - now`.
//!   2. `open_until <= now` (half-open): refused while `probe_until > now`
//!      (`retry_after_ms = probe_until - now`); otherwise allowed, and on
//!      consume `probe_until = now + probe_ms`.
//!   3. Closed: with `s` sends and `v` verified in the window, when
//!      `s >= min_sends` and `v * 1000 < s * min_verified_permille`, the
//!      breaker trips: refused, `retry_after_ms = cool_off_ms`, and (only
//!      in [`Mode::Enforce`], even though the plan is refused) `open_until
//!      = now + cool_off_ms` is stored. Otherwise allowed; on consume
//!      append `(now, 1)` to the sends log (keep the newest 10,000).
//!      [`Store::verified`] appends `(now, 1)` to the verified log of each
//!      breaker key (keep the newest 10,000) and, when that breaker is
//!      half-open, closes it: deletes `open_until`, `probe_until` and both
//!      logs. A breaker (all its parts together) lives `window_ms +
//!      cool_off_ms + 86,400,000` after its last write to any part; past
//!      that it reads as closed with empty logs.
//!   4. In a plan allowed with this breaker in [`Mode::Monitor`] (so it is
//!      consumed though it may have refused): closed (tripping or not), the
//!      send is appended; half-open with no probe running, the probe is
//!      taken; open or probing, nothing is written.
//!
//! Every write appends in time order, first dropping the log's entries
//! that left the window (`t <= now - window_ms`). A key's life is pushed
//! to at least `now + life` by each write, never shortened.
//!
//! A plan is refused when any check in [`Mode::Enforce`] refuses; then
//! nothing is consumed (but a tripping breaker stores `open_until`). A
//! check in [`Mode::Monitor`] that would refuse is reported in
//! [`Verdict::monitored`] and does not stop the plan. When the plan is
//! allowed every check with `consume` is consumed, monitored ones too.
//! Denials are reported in plan order: limits, then spends, then breakers.
//!
//! Keys are the strings the policy gives, prefixed by the store's own
//! prefix; the store adds its own suffixes for the parts of a breaker.

use std::fmt;

use verify_core::guard::Rule;

/// Milliseconds since the Unix epoch.
pub type Millis = u64;

/// Whether a rule refuses or only reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Mode {
    /// Refuse the send.
    #[default]
    Enforce,
    /// Decide, log and count; refuse nothing.
    Monitor,
}

/// A count in a sliding window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limit {
    /// The rule this check stands for.
    pub rule: Rule,
    /// The key counted (`n:15555550100`, `b:15555550`, ...).
    pub key: String,
    /// The window.
    pub window_ms: u64,
    /// At most this many entries in the window, this send included.
    pub max: u32,
    /// Enforce or monitor.
    pub mode: Mode,
    /// Whether an allowed plan appends to this log (`false` for a check
    /// that only looks, such as the wrong-code limit before a check).
    pub consume: bool,
}

/// A sum in a sliding window (spend).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spend {
    /// The rule this check stands for.
    pub rule: Rule,
    /// The key summed.
    pub key: String,
    /// The window.
    pub window_ms: u64,
    /// At most this much in the window, this send included.
    pub max: u64,
    /// This send's amount.
    pub cost: u64,
    /// Enforce or monitor.
    pub mode: Mode,
}

/// A conversion breaker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Breaker {
    /// The rule this check stands for.
    pub rule: Rule,
    /// The breaker's key (`cc:GB`, `cb:44790090`).
    pub key: String,
    /// The rolling window of sends and verified codes.
    pub window_ms: u64,
    /// Fewer sends than this in the window never trip it.
    pub min_sends: u32,
    /// Trips below this share of verified sends, in thousandths.
    pub min_verified_permille: u32,
    /// How long it stays open once tripped.
    pub cool_off_ms: u64,
    /// How long one half-open send holds the probe.
    pub probe_ms: u64,
    /// Enforce or monitor.
    pub mode: Mode,
}

/// Everything one decision checks, and then consumes when allowed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// The decision's time. A store with a clock of its own (Redis:
    /// `TIME`) may be set to use that instead.
    pub now: Millis,
    /// Counts in sliding windows.
    pub limits: Vec<Limit>,
    /// Sums in sliding windows.
    pub spends: Vec<Spend>,
    /// Conversion breakers.
    pub breakers: Vec<Breaker>,
}

/// A check that refused (or would have, in monitor mode).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Denial {
    /// The rule.
    pub rule: Rule,
    /// The key that refused.
    pub key: String,
    /// When it may allow again, when known.
    pub retry_after_ms: Option<u64>,
}

/// A store's decision on a [`Plan`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Enforced checks that refused; empty when the plan was allowed.
    pub denied: Vec<Denial>,
    /// Monitored checks that would have refused.
    pub monitored: Vec<Denial>,
}

impl Verdict {
    /// Whether the plan was allowed (and consumed).
    pub fn allowed(&self) -> bool {
        self.denied.is_empty()
    }
}

/// A store could not decide (Redis unreachable, a script error).
#[derive(Clone, Debug)]
pub struct StoreError {
    /// What failed, with no secret in it (no password of a Redis URL).
    pub detail: String,
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the guard's store failed: {}", self.detail)
    }
}

impl std::error::Error for StoreError {}

/// A blocking store.
pub trait Store: Send + Sync {
    /// Decides `plan` atomically (see the module's arithmetic), consuming
    /// when allowed.
    fn decide(&self, plan: &Plan) -> Result<Verdict, StoreError>;

    /// A verified code for these breakers (the module's arithmetic).
    fn verified(&self, now: Millis, breakers: &[Breaker]) -> Result<(), StoreError>;

    /// Appends `(now, 1)` to `limit`'s log, whatever its count (a wrong
    /// code), keeping the newest `limit.max` entries.
    fn record(&self, now: Millis, limit: &Limit) -> Result<(), StoreError>;
}

/// An async store (for `verify-hyper`).
pub trait AsyncStore: Send + Sync {
    /// As [`Store::decide`].
    fn decide<'a>(
        &'a self,
        plan: &'a Plan,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<Verdict, StoreError>> + Send + 'a>>;

    /// As [`Store::verified`].
    fn verified<'a>(
        &'a self,
        now: Millis,
        breakers: &'a [Breaker],
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<(), StoreError>> + Send + 'a>>;

    /// As [`Store::record`].
    fn record<'a>(
        &'a self,
        now: Millis,
        limit: &'a Limit,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<(), StoreError>> + Send + 'a>>;
}
