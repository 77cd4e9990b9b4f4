//! The ledger in Redis: idempotency keys and pending verifications shared
//! by every instance (see `verify_core::ledger`).

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, Client, Connection, Script, ScriptInvocation};
use verify_core::ledger::{
    AsyncLedger, Claim, Entry, Failure, Ledger, LedgerError, LedgerFuture, Millis, Pending,
    PendingKey, ttl_millis,
};
use verify_core::neutral::Started;

const SCRIPT: &str = include_str!("ledger.lua");
/// Idle blocking connections kept for reuse.
const POOL_MAX: usize = 8;

/// The ledger in Redis: many instances share idempotency keys and pending
/// verifications.
///
/// Every operation is one Lua script call (`EVALSHA`, loaded again on
/// `NOSCRIPT`), atomic on the server: a claim reads the key and, when it is
/// free, writes the in-flight marker with `PX` in the same step (`SET NX
/// PX` with an answer of what was there). Every write carries its time to
/// live; expiry is the server's clock.
///
/// Implements both [`Ledger`] (a small pool of blocking connections, for
/// `verify-ureq`) and [`AsyncLedger`] (one multiplexed tokio connection, for
/// `verify-hyper`). Each call is bounded by
/// [`with_timeout`](Self::with_timeout) (default 1 s). When Redis cannot
/// answer, the call fails with a [`LedgerError`] and the start sends
/// nothing: no instance falls back to a memory of its own, which would send
/// a second message for a key another instance holds.
///
/// The Redis URL's password never appears in `Debug`, `Display` or errors.
///
/// ```no_run
/// use verify_shield_redis::RedisLedger;
/// let ledger = RedisLedger::open("redis://:secret@10.0.0.5:6379/2")?.with_prefix("otp-ledger:");
/// println!("{ledger:?}"); // RedisLedger { target: "redis://10.0.0.5:6379/2", .. }
/// # Ok::<(), verify_core::ledger::LedgerError>(())
/// ```
pub struct RedisLedger {
    client: Client,
    target: String,
    password: Option<String>,
    script: Script,
    prefix: String,
    timeout: Duration,
    pool: Mutex<Vec<Connection>>,
    multiplexed: Mutex<Option<MultiplexedConnection>>,
}

impl fmt::Debug for RedisLedger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisLedger")
            .field("target", &self.target)
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for RedisLedger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.target)
    }
}

/// One script call: the operation, its key, and its arguments.
struct Call<'a> {
    op: &'static str,
    key: String,
    value: &'a str,
    ttl: u64,
    extra: &'a str,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl RedisLedger {
    /// A ledger on the Redis at `url`
    /// (`redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]`). Nothing is connected
    /// yet: the first call connects.
    pub fn open(url: &str) -> Result<Self, LedgerError> {
        let client = Client::open(url).map_err(|_| {
            LedgerError::new("not a Redis URL (redis://[[USER]:PASSWORD@]HOST[:PORT][/DB])")
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
            prefix: "verify-ledger:".into(),
            timeout: Duration::from_secs(1),
            pool: Mutex::new(Vec::new()),
            multiplexed: Mutex::new(None),
        })
    }

    /// Every key starts with `prefix` (default `verify-ledger:`), then `k:`
    /// and the idempotency key, or `p:` and `{purpose}:{phone_number}`.
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The bound on connecting, on each command and on a whole async call
    /// (default 1 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
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

    fn key_of(&self, key: &str) -> String {
        format!("{}k:{key}", self.prefix)
    }

    fn pending_of(&self, at: &PendingKey) -> String {
        format!("{}p:{}", self.prefix, at.joined())
    }

    fn invocation(&self, call: &Call<'_>) -> ScriptInvocation<'_> {
        let mut inv = self.script.prepare_invoke();
        inv.key(call.key.as_str())
            .arg(call.op)
            .arg(call.value)
            .arg(call.ttl)
            .arg(call.extra);
        inv
    }

    /// The error's text, the password scrubbed should it appear.
    fn scrub(&self, what: &str, error: &dyn fmt::Display) -> LedgerError {
        let mut detail = format!("{what} on {}: {error}", self.target);
        if let Some(p) = &self.password {
            detail = detail.replace(p.as_str(), "[redacted]");
        }
        LedgerError::new(detail)
    }

    fn timeout(&self) -> Duration {
        self.timeout.max(Duration::from_millis(1))
    }

    fn connect(&self) -> Result<Connection, LedgerError> {
        let timeout = self.timeout();
        let con = self
            .client
            .get_connection_with_timeout(timeout)
            .map_err(|e| self.scrub("cannot connect to Redis", &e))?;
        con.set_read_timeout(Some(timeout))
            .and_then(|()| con.set_write_timeout(Some(timeout)))
            .map_err(|e| self.scrub("cannot set Redis timeouts", &e))?;
        Ok(con)
    }

    fn blocking(&self, call: Call<'_>) -> Result<Option<String>, LedgerError> {
        let pooled = lock(&self.pool).pop();
        let mut con = match pooled {
            Some(con) => con,
            None => self.connect()?,
        };
        let out = self
            .invocation(&call)
            .invoke::<Option<String>>(&mut con)
            .map_err(|e| self.scrub("Redis failed", &e))?;
        let mut pool = lock(&self.pool);
        if pool.len() < POOL_MAX {
            pool.push(con);
        }
        Ok(out)
    }

    async fn nonblocking(&self, call: Call<'_>) -> Result<Option<String>, LedgerError> {
        let timeout = self.timeout();
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
            self.invocation(&call)
                .invoke_async::<Option<String>>(&mut con)
                .await
                .map_err(|e| self.scrub("Redis failed", &e))
        };
        let out = match tokio::time::timeout(timeout, run).await {
            Ok(out) => out,
            Err(_) => Err(LedgerError::new(format!(
                "Redis at {} did not answer within {} ms",
                self.target,
                timeout.as_millis()
            ))),
        };
        if out.is_err() {
            *lock(&self.multiplexed) = None;
        }
        out
    }

    fn claim_call(&self, key: &str, ttl: Duration, replace_finished: bool) -> Call<'static> {
        Call {
            op: "claim",
            key: self.key_of(key),
            value: Entry::IN_FLIGHT,
            ttl: ttl_millis(ttl),
            extra: if replace_finished { "1" } else { "0" },
        }
    }

    fn put<'a>(&self, key: String, value: &'a str, ttl: Duration) -> Call<'a> {
        Call {
            op: "put",
            key,
            value,
            ttl: ttl_millis(ttl),
            extra: "",
        }
    }

    fn simple(&self, op: &'static str, key: String) -> Call<'static> {
        Call {
            op,
            key,
            value: "",
            ttl: 1,
            extra: "",
        }
    }
}

fn claim_of(found: Option<String>) -> Result<Claim, LedgerError> {
    match found {
        None => Ok(Claim::Claimed),
        Some(text) => Ok(Entry::decode(&text)?.into_claim()),
    }
}

fn pending_of(found: Option<String>) -> Result<Option<Pending>, LedgerError> {
    Ok(found.as_deref().map(Pending::decode).transpose()?)
}

impl Ledger for RedisLedger {
    fn claim(
        &self,
        key: &str,
        ttl: Duration,
        _now: Millis,
        replace_finished: bool,
    ) -> Result<Claim, LedgerError> {
        claim_of(self.blocking(self.claim_call(key, ttl, replace_finished))?)
    }

    fn complete(
        &self,
        key: &str,
        started: &Started,
        ttl: Duration,
        _now: Millis,
    ) -> Result<(), LedgerError> {
        let text = Entry::Done(started.clone()).encode();
        self.blocking(self.put(self.key_of(key), &text, ttl))
            .map(drop)
    }

    fn fail(
        &self,
        key: &str,
        failure: &Failure,
        ttl: Duration,
        _now: Millis,
    ) -> Result<(), LedgerError> {
        let text = Entry::Failed(failure.clone()).encode();
        self.blocking(self.put(self.key_of(key), &text, ttl))
            .map(drop)
    }

    fn release(&self, key: &str, _now: Millis) -> Result<(), LedgerError> {
        self.blocking(self.simple("del", self.key_of(key)))
            .map(drop)
    }

    fn put_pending(
        &self,
        at: &PendingKey,
        pending: &Pending,
        ttl: Duration,
        _now: Millis,
    ) -> Result<(), LedgerError> {
        let text = pending.encode();
        self.blocking(self.put(self.pending_of(at), &text, ttl))
            .map(drop)
    }

    fn pending(&self, at: &PendingKey, _now: Millis) -> Result<Option<Pending>, LedgerError> {
        pending_of(self.blocking(self.simple("get", self.pending_of(at)))?)
    }

    fn replace_pending(
        &self,
        at: &PendingKey,
        old: &Pending,
        new: &Pending,
        ttl: Duration,
        _now: Millis,
    ) -> Result<bool, LedgerError> {
        let (old, new) = (old.encode(), new.encode());
        let out = self.blocking(Call {
            op: "replace",
            key: self.pending_of(at),
            value: &old,
            ttl: ttl_millis(ttl),
            extra: &new,
        })?;
        Ok(out.as_deref() == Some("1"))
    }
}

impl AsyncLedger for RedisLedger {
    fn claim<'a>(
        &'a self,
        key: &'a str,
        ttl: Duration,
        _now: Millis,
        replace_finished: bool,
    ) -> LedgerFuture<'a, Claim> {
        Box::pin(async move {
            claim_of(
                self.nonblocking(self.claim_call(key, ttl, replace_finished))
                    .await?,
            )
        })
    }

    fn complete<'a>(
        &'a self,
        key: &'a str,
        started: &'a Started,
        ttl: Duration,
        _now: Millis,
    ) -> LedgerFuture<'a, ()> {
        Box::pin(async move {
            let text = Entry::Done(started.clone()).encode();
            self.nonblocking(self.put(self.key_of(key), &text, ttl))
                .await
                .map(drop)
        })
    }

    fn fail<'a>(
        &'a self,
        key: &'a str,
        failure: &'a Failure,
        ttl: Duration,
        _now: Millis,
    ) -> LedgerFuture<'a, ()> {
        Box::pin(async move {
            let text = Entry::Failed(failure.clone()).encode();
            self.nonblocking(self.put(self.key_of(key), &text, ttl))
                .await
                .map(drop)
        })
    }

    fn release<'a>(&'a self, key: &'a str, _now: Millis) -> LedgerFuture<'a, ()> {
        Box::pin(async move {
            self.nonblocking(self.simple("del", self.key_of(key)))
                .await
                .map(drop)
        })
    }

    fn put_pending<'a>(
        &'a self,
        at: &'a PendingKey,
        pending: &'a Pending,
        ttl: Duration,
        _now: Millis,
    ) -> LedgerFuture<'a, ()> {
        Box::pin(async move {
            let text = pending.encode();
            self.nonblocking(self.put(self.pending_of(at), &text, ttl))
                .await
                .map(drop)
        })
    }

    fn pending<'a>(
        &'a self,
        at: &'a PendingKey,
        _now: Millis,
    ) -> LedgerFuture<'a, Option<Pending>> {
        Box::pin(async move {
            pending_of(
                self.nonblocking(self.simple("get", self.pending_of(at)))
                    .await?,
            )
        })
    }

    fn replace_pending<'a>(
        &'a self,
        at: &'a PendingKey,
        old: &'a Pending,
        new: &'a Pending,
        ttl: Duration,
        _now: Millis,
    ) -> LedgerFuture<'a, bool> {
        Box::pin(async move {
            let (old, new) = (old.encode(), new.encode());
            let out = self
                .nonblocking(Call {
                    op: "replace",
                    key: self.pending_of(at),
                    value: &old,
                    ttl: ttl_millis(ttl),
                    extra: &new,
                })
                .await?;
            Ok(out.as_deref() == Some("1"))
        })
    }
}
