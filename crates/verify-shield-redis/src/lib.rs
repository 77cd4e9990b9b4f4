//! A Redis store for `verify-shield`: many instances share one guard's
//! counts.
//!
//! [`RedisStore`] implements both [`Store`] (a small pool of blocking
//! connections, for `verify-ureq`) and [`AsyncStore`] (one multiplexed
//! tokio connection, for `verify-hyper`). Every decision is one Lua script
//! (sent with `EVALSHA`, loaded again when the server answers `NOSCRIPT`)
//! that checks every check of the plan and then consumes, atomically, with
//! the arithmetic of `verify-shield`'s store contract, the very arithmetic
//! of its `MemoryStore`.
//!
//! - **Clock**: [`Clock::Server`] (the default) takes `now` from the
//!   server's `TIME`, so instances with skewed clocks agree;
//!   [`Clock::Plan`] takes the plan's `now` (tests, replays).
//! - **Bounded memory**: every key written carries a TTL (`PEXPIRE`), the
//!   life the contract gives it.
//! - **Key prefix**: every key starts with [`RedisStore::with_prefix`]
//!   (default `verify-shield:`).
//! - **Time limit**: connecting, each command and the whole async call are
//!   bounded by [`RedisStore::with_timeout`] (default 1 s): a call never
//!   hangs past it.
//! - **When Redis cannot decide** (unreachable, timed out, refused the
//!   password, a server error), [`OnUnavailable`] says what happens. The
//!   default is [`OnUnavailable::FallBack`] to an in-memory store of this
//!   instance, with a `tracing` warning: sends go on, each instance
//!   counting alone, rather than every code of every user being refused
//!   while Redis is down. [`OnUnavailable::FailClosed`] returns a
//!   [`StoreError`] instead, which the policy turns into a refusal by the
//!   rule `store_unavailable`. After a failure the store skips Redis for
//!   [`RedisStore::with_retry_after`] (default 1 s) so that a down Redis
//!   costs one timeout per period, not one per send.
//!
//! The Redis URL's password never appears in `Debug`, `Display`, logs or
//! errors.
//!
//! [`RedisLedger`] keeps idempotency keys and pending verifications
//! (`verify_core::ledger`) in the same Redis, for every instance; unlike the
//! guard's store it never falls back to memory (see its doc).
//!
//! ```no_run
//! use std::time::Duration;
//! use verify_shield_redis::{OnUnavailable, RedisStore};
//!
//! let store = RedisStore::open("redis://:secret@10.0.0.5:6379/2")?
//!     .with_prefix("otp:")
//!     .with_timeout(Duration::from_millis(300))
//!     .with_on_unavailable(OnUnavailable::FailClosed);
//! println!("{store:?}"); // RedisStore { target: "redis://10.0.0.5:6379/2", .. }
//! # Ok::<(), verify_shield::StoreError>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, Client, Connection, Script, ScriptInvocation};
use verify_shield::{
    AsyncStore, Breaker, Denial, Limit, MemoryStore, Millis, Mode, Plan, Store, StoreError, Verdict,
};

mod ledger;
pub use ledger::RedisLedger;

#[cfg(feature = "test-support")]
mod server;
#[cfg(feature = "test-support")]
pub use server::RedisServer;

const SCRIPT: &str = include_str!("shield.lua");
/// What a breaker key lives beyond its window and cool-off (store.rs).
const BREAKER_EXTRA_TTL_MS: u64 = 86_400_000;
/// Idle blocking connections kept for reuse.
const POOL_MAX: usize = 8;

/// Where a decision's `now` comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Clock {
    /// The Redis server's `TIME`: every instance agrees (the default).
    #[default]
    Server,
    /// The plan's `now` (and `verified`'s and `record`'s): for tests and
    /// replays.
    Plan,
}

/// What a decision does when Redis cannot decide it.
#[derive(Clone)]
pub enum OnUnavailable {
    /// Return a [`StoreError`]; the policy refuses the send with the rule
    /// `store_unavailable`.
    FailClosed,
    /// Decide with this store instead (this instance's own counts), with a
    /// `tracing` warning each time.
    FallBack(Arc<MemoryStore>),
}

impl Default for OnUnavailable {
    /// Falls back to a new in-memory store.
    fn default() -> Self {
        Self::FallBack(Arc::new(MemoryStore::new()))
    }
}

impl fmt::Debug for OnUnavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::FailClosed => f.write_str("FailClosed"),
            Self::FallBack(_) => f.write_str("FallBack(MemoryStore)"),
        }
    }
}

/// The guard's store in Redis. See the crate doc.
pub struct RedisStore {
    client: Client,
    /// `redis://HOST:PORT/DB`, without user or password.
    target: String,
    /// To scrub from error texts, should a library ever echo it.
    password: Option<String>,
    script: Script,
    prefix: String,
    clock: Clock,
    timeout: Duration,
    retry_after: Duration,
    on_unavailable: OnUnavailable,
    pool: Mutex<Vec<Connection>>,
    multiplexed: Mutex<Option<MultiplexedConnection>>,
    down_until: Mutex<Option<Instant>>,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("target", &self.target)
            .field("prefix", &self.prefix)
            .field("clock", &self.clock)
            .field("timeout", &self.timeout)
            .field("on_unavailable", &self.on_unavailable)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.target)
    }
}

/// One script call.
enum Op<'a> {
    Decide(&'a Plan),
    Verified(Millis, &'a [Breaker]),
    Record(Millis, &'a Limit),
}

impl RedisStore {
    /// A store on the Redis at `url` (`redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]`).
    /// Nothing is connected yet: the first decision connects.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        let client = Client::open(url).map_err(|_| StoreError {
            detail: "not a Redis URL (redis://[[USER]:PASSWORD@]HOST[:PORT][/DB])".into(),
        })?;
        let info = client.get_connection_info();
        let target = format!("redis://{}/{}", info.addr(), info.redis_settings().db());
        let password = info
            .redis_settings()
            .password()
            .filter(|p| !p.is_empty())
            .map(str::to_owned);
        Ok(Self {
            client,
            target,
            password,
            script: Script::new(SCRIPT),
            prefix: "verify-shield:".into(),
            clock: Clock::Server,
            timeout: Duration::from_secs(1),
            retry_after: Duration::from_secs(1),
            on_unavailable: OnUnavailable::default(),
            pool: Mutex::new(Vec::new()),
            multiplexed: Mutex::new(None),
            down_until: Mutex::new(None),
        })
    }

    /// Every key starts with `prefix` (default `verify-shield:`).
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Where `now` comes from (default [`Clock::Server`]).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The bound on connecting, on each command and on a whole async call
    /// (default 1 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long Redis is skipped after it failed (default 1 s; zero: try
    /// it on every call).
    pub fn with_retry_after(mut self, retry_after: Duration) -> Self {
        self.retry_after = retry_after;
        self
    }

    /// What a decision does when Redis cannot decide (default: fall back
    /// to a new in-memory store, with a warning).
    pub fn with_on_unavailable(mut self, on_unavailable: OnUnavailable) -> Self {
        self.on_unavailable = on_unavailable;
        self
    }

    /// `redis://HOST:PORT/DB`, without user or password.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    fn key(&self, key: &str) -> String {
        format!("{}{}", self.prefix, key)
    }

    fn invocation(&self, op: &Op<'_>) -> ScriptInvocation<'_> {
        let mut inv = self.script.prepare_invoke();
        inv.key(self.key("seq"));
        let (name, now) = match op {
            Op::Decide(plan) => ("decide", plan.now),
            Op::Verified(now, _) => ("verified", *now),
            Op::Record(now, _) => ("record", *now),
        };
        inv.arg(name)
            .arg(if self.clock == Clock::Server {
                "1"
            } else {
                "0"
            })
            .arg(now);
        let flag = |b: bool| if b { "1" } else { "0" };
        match op {
            Op::Decide(plan) => {
                inv.arg(plan.limits.len())
                    .arg(plan.spends.len())
                    .arg(plan.breakers.len());
                for l in &plan.limits {
                    inv.key(self.key(&l.key))
                        .arg(l.window_ms)
                        .arg(l.max)
                        .arg(flag(l.mode == Mode::Enforce))
                        .arg(flag(l.consume));
                }
                for s in &plan.spends {
                    inv.key(self.key(&s.key))
                        .arg(s.window_ms)
                        .arg(s.max)
                        .arg(s.cost)
                        .arg(flag(s.mode == Mode::Enforce));
                }
                for b in &plan.breakers {
                    self.breaker_keys(&mut inv, b);
                    inv.arg(b.window_ms)
                        .arg(b.min_sends)
                        .arg(b.min_verified_permille)
                        .arg(b.cool_off_ms)
                        .arg(b.probe_ms)
                        .arg(flag(b.mode == Mode::Enforce))
                        .arg(breaker_ttl(b));
                }
            }
            Op::Verified(_, breakers) => {
                inv.arg(breakers.len());
                for b in *breakers {
                    self.breaker_keys(&mut inv, b);
                    inv.arg(b.window_ms).arg(breaker_ttl(b));
                }
            }
            Op::Record(_, limit) => {
                inv.key(self.key(&limit.key))
                    .arg(limit.window_ms)
                    .arg(limit.max);
            }
        }
        inv
    }

    fn breaker_keys(&self, inv: &mut ScriptInvocation<'_>, b: &Breaker) {
        let base = self.key(&b.key);
        inv.key(format!("{base}:sends"))
            .key(format!("{base}:verified"))
            .key(format!("{base}:state"));
    }

    /// The error's text, the password scrubbed should it appear.
    fn scrub(&self, what: &str, error: &dyn fmt::Display) -> StoreError {
        let mut detail = format!("{what} on {}: {error}", self.target);
        if let Some(p) = &self.password {
            detail = detail.replace(p.as_str(), "[redacted]");
        }
        StoreError { detail }
    }

    fn is_down(&self) -> bool {
        let mut down = lock(&self.down_until);
        match *down {
            Some(until) if Instant::now() < until => true,
            Some(_) => {
                *down = None;
                false
            }
            None => false,
        }
    }

    fn mark_down(&self) {
        if let Some(until) = Instant::now().checked_add(self.retry_after) {
            *lock(&self.down_until) = Some(until);
        }
    }

    fn blocking_call(&self, op: &Op<'_>) -> Result<Vec<i64>, StoreError> {
        if self.is_down() {
            return Err(StoreError {
                detail: format!(
                    "Redis at {} failed less than {} ms ago",
                    self.target,
                    self.retry_after.as_millis()
                ),
            });
        }
        let pooled = lock(&self.pool).pop();
        let mut con = match pooled {
            Some(con) => con,
            None => self.connect().inspect_err(|_| self.mark_down())?,
        };
        match self.invocation(op).invoke::<Vec<i64>>(&mut con) {
            Ok(out) => {
                let mut pool = lock(&self.pool);
                if pool.len() < POOL_MAX {
                    pool.push(con);
                }
                Ok(out)
            }
            Err(e) => {
                self.mark_down();
                Err(self.scrub("Redis failed", &e))
            }
        }
    }

    fn connect(&self) -> Result<Connection, StoreError> {
        let timeout = self.timeout.max(Duration::from_millis(1));
        let con = self
            .client
            .get_connection_with_timeout(timeout)
            .map_err(|e| self.scrub("cannot connect to Redis", &e))?;
        con.set_read_timeout(Some(timeout))
            .and_then(|()| con.set_write_timeout(Some(timeout)))
            .map_err(|e| self.scrub("cannot set Redis timeouts", &e))?;
        Ok(con)
    }

    async fn async_call(&self, op: &Op<'_>) -> Result<Vec<i64>, StoreError> {
        if self.is_down() {
            return Err(StoreError {
                detail: format!(
                    "Redis at {} failed less than {} ms ago",
                    self.target,
                    self.retry_after.as_millis()
                ),
            });
        }
        let timeout = self.timeout.max(Duration::from_millis(1));
        let run = async {
            let existing = lock(&self.multiplexed).clone();
            let mut con = match existing {
                Some(con) => con,
                None => {
                    let config = AsyncConnectionConfig::new()
                        .set_connection_timeout(Some(timeout))
                        .set_response_timeout(Some(timeout));
                    let con = self
                        .client
                        .get_multiplexed_async_connection_with_config(&config)
                        .await
                        .map_err(|e| self.scrub("cannot connect to Redis", &e))?;
                    *lock(&self.multiplexed) = Some(con.clone());
                    con
                }
            };
            let inv = self.invocation(op);
            inv.invoke_async::<Vec<i64>>(&mut con)
                .await
                .map_err(|e| self.scrub("Redis failed", &e))
        };
        let out = match tokio::time::timeout(timeout, run).await {
            Ok(out) => out,
            Err(_) => Err(StoreError {
                detail: format!(
                    "Redis at {} did not answer within {} ms",
                    self.target,
                    timeout.as_millis()
                ),
            }),
        };
        if out.is_err() {
            *lock(&self.multiplexed) = None;
            self.mark_down();
        }
        out
    }

    /// The fallback's answer, or the error when failing closed.
    fn unavailable<T>(
        &self,
        error: StoreError,
        fallback: impl FnOnce(&MemoryStore) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match &self.on_unavailable {
            OnUnavailable::FailClosed => {
                tracing::warn!(store = %self.target, error = %error, "the guard's Redis store is unavailable: failing closed");
                Err(error)
            }
            OnUnavailable::FallBack(memory) => {
                tracing::warn!(store = %self.target, error = %error, "the guard's Redis store is unavailable: deciding with this instance's in-memory store");
                fallback(memory)
            }
        }
    }
}

fn breaker_ttl(b: &Breaker) -> u64 {
    b.window_ms
        .saturating_add(b.cool_off_ms)
        .saturating_add(BREAKER_EXTRA_TTL_MS)
}

/// The script's `{refused, retry}` pairs, in plan order, as a verdict.
fn verdict(plan: &Plan, out: &[i64]) -> Result<Verdict, StoreError> {
    let checks = plan
        .limits
        .iter()
        .map(|l| (l.rule, &l.key, l.mode))
        .chain(plan.spends.iter().map(|s| (s.rule, &s.key, s.mode)))
        .chain(plan.breakers.iter().map(|b| (b.rule, &b.key, b.mode)));
    let count = plan.limits.len() + plan.spends.len() + plan.breakers.len();
    if out.len() != count * 2 {
        return Err(StoreError {
            detail: format!(
                "the Redis script answered {} values for {count} checks",
                out.len()
            ),
        });
    }
    let mut v = Verdict::default();
    for ((rule, key, mode), pair) in checks.zip(out.chunks_exact(2)) {
        if pair[0] == 0 {
            continue;
        }
        let denial = Denial {
            rule,
            key: key.clone(),
            retry_after_ms: u64::try_from(pair[1]).ok(),
        };
        match mode {
            Mode::Enforce => v.denied.push(denial),
            Mode::Monitor => v.monitored.push(denial),
        }
    }
    Ok(v)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

impl Store for RedisStore {
    fn decide(&self, plan: &Plan) -> Result<Verdict, StoreError> {
        match self
            .blocking_call(&Op::Decide(plan))
            .and_then(|out| verdict(plan, &out))
        {
            Ok(v) => Ok(v),
            Err(e) => self.unavailable(e, |m| Store::decide(m, plan)),
        }
    }

    fn verified(&self, now: Millis, breakers: &[Breaker]) -> Result<(), StoreError> {
        match self.blocking_call(&Op::Verified(now, breakers)) {
            Ok(_) => Ok(()),
            Err(e) => self.unavailable(e, |m| Store::verified(m, now, breakers)),
        }
    }

    fn record(&self, now: Millis, limit: &Limit) -> Result<(), StoreError> {
        match self.blocking_call(&Op::Record(now, limit)) {
            Ok(_) => Ok(()),
            Err(e) => self.unavailable(e, |m| Store::record(m, now, limit)),
        }
    }
}

impl AsyncStore for RedisStore {
    fn decide<'a>(&'a self, plan: &'a Plan) -> BoxFuture<'a, Verdict> {
        Box::pin(async move {
            match self
                .async_call(&Op::Decide(plan))
                .await
                .and_then(|out| verdict(plan, &out))
            {
                Ok(v) => Ok(v),
                Err(e) => self.unavailable(e, |m| Store::decide(m, plan)),
            }
        })
    }

    fn verified<'a>(&'a self, now: Millis, breakers: &'a [Breaker]) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            match self.async_call(&Op::Verified(now, breakers)).await {
                Ok(_) => Ok(()),
                Err(e) => self.unavailable(e, |m| Store::verified(m, now, breakers)),
            }
        })
    }

    fn record<'a>(&'a self, now: Millis, limit: &'a Limit) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            match self.async_call(&Op::Record(now, limit)).await {
                Ok(_) => Ok(()),
                Err(e) => self.unavailable(e, |m| Store::record(m, now, limit)),
            }
        })
    }
}
