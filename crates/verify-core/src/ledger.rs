//! The ledger: what a store keeps so that a start with an idempotency key
//! sends at most once, and a verification can be checked by (purpose,
//! phone number) from any instance (docs/PROTOCOL-DECISIONS.md,
//! "Idempotent starts and pending verifications").
//!
//! Sans-IO: this module defines the records, their compact text form and
//! the operations a store performs atomically ([`Ledger`], [`AsyncLedger`]).
//! The driver decides what to claim, keep and close
//! (`Client::start`, `Client::check_pending`); the stores live in
//! `verify-shield` (in memory) and `verify-shield-redis` (Redis).
//!
//! Time is milliseconds since the Unix epoch ([`Millis`]), given by the
//! caller's clock; every record is written with a time to live, after which
//! the store forgets it. No record holds a code or a credential.
//!
//! ```
//! use verify_core::ledger::{Entry, Pending, PendingStatus};
//! let id = "telesign:0123456789ABCDEF0123456789ABCDEF".parse().unwrap();
//! let pending = Pending::new(id, 1_000, 601_000);
//! let text = pending.encode();
//! assert_eq!(Pending::decode(&text).unwrap(), pending);
//! assert_eq!(pending.status, PendingStatus::Pending);
//! assert!(Entry::decode("F").unwrap().is_in_flight());
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::Provider;
use crate::neutral::{DeliveryState, Started, VerificationId};

/// Milliseconds since the Unix epoch.
pub type Millis = u64;

/// How long an idempotency key is remembered by default: 10 minutes.
pub const DEFAULT_IDEMPOTENCY_TTL: Duration = Duration::from_secs(600);

/// How long a pending verification lives by default: 10 minutes (the
/// longest a TeleSign or dotdigital code is documented to stay valid by
/// default is shorter; a check after that answers expired).
pub const DEFAULT_PENDING_TTL: Duration = Duration::from_secs(600);

/// What [`Ledger::claim`] found under an idempotency key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// The key was free (or its record was replaced, see `replace_finished`):
    /// it is now marked in flight for the caller, who sends.
    Claimed,
    /// Another start with the key is still in flight.
    InFlight,
    /// A start with the key succeeded: its verification.
    Done(Started),
    /// A start with the key failed after a message may have gone out.
    Failed(Failure),
}

/// A failed start that may have sent a message, as the ledger keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The provider of the last attempt, when one was chosen.
    pub provider: Option<Provider>,
    /// The attempts made at that provider.
    pub attempts: u32,
    /// What went wrong, as the original error described it (which carries
    /// no secret).
    pub detail: String,
    /// Whether a message may have gone out (always `true` for a kept
    /// failure: a failure with nothing sent is released).
    pub message_may_have_been_sent: bool,
}

/// The record under an idempotency key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// A start is in flight.
    InFlight,
    /// A start succeeded.
    Done(Started),
    /// A start failed and may have sent.
    Failed(Failure),
}

/// A record in the ledger could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unreadable;

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a ledger record could not be read")
    }
}

impl std::error::Error for Unreadable {}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StartedText {
    id: VerificationId,
    d: String,
    m: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    r: Option<VerificationId>,
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FailureText {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    p: Option<Provider>,
    a: u32,
    e: String,
    m: bool,
}

fn delivery_text(d: DeliveryState) -> &'static str {
    match d {
        DeliveryState::Pending => "pending",
        DeliveryState::Sent => "sent",
        DeliveryState::Delivered => "delivered",
        DeliveryState::Failed { temporary: true } => "failed_temporary",
        DeliveryState::Failed { temporary: false } => "failed",
        DeliveryState::NotSent => "not_sent",
        _ => "unknown",
    }
}

fn delivery_of(text: &str) -> DeliveryState {
    match text {
        "pending" => DeliveryState::Pending,
        "sent" => DeliveryState::Sent,
        "delivered" => DeliveryState::Delivered,
        "failed_temporary" => DeliveryState::Failed { temporary: true },
        "failed" => DeliveryState::Failed { temporary: false },
        "not_sent" => DeliveryState::NotSent,
        _ => DeliveryState::Unknown,
    }
}

impl Entry {
    /// The in-flight marker's text: `F` (a store tells an in-flight record
    /// by this first byte).
    pub const IN_FLIGHT: &'static str = "F";

    /// Whether a start is in flight.
    pub fn is_in_flight(&self) -> bool {
        matches!(self, Self::InFlight)
    }

    /// The compact text a store holds: `F`, `D{json}` or `X{json}`.
    pub fn encode(&self) -> String {
        let json = match self {
            Self::InFlight => return Self::IN_FLIGHT.to_owned(),
            Self::Done(s) => serde_json::to_string(&StartedText {
                id: s.id.clone(),
                d: delivery_text(s.delivery).to_owned(),
                m: s.message_may_have_been_sent,
                r: s.replaces.clone(),
            }),
            Self::Failed(f) => serde_json::to_string(&FailureText {
                p: f.provider,
                a: f.attempts,
                e: f.detail.clone(),
                m: f.message_may_have_been_sent,
            }),
        };
        let tag = if matches!(self, Self::Done(_)) {
            'D'
        } else {
            'X'
        };
        // Serialising these plain structs cannot fail.
        format!("{tag}{}", json.unwrap_or_default())
    }

    /// Reads [`encode`](Self::encode)'s text.
    pub fn decode(text: &str) -> Result<Self, Unreadable> {
        if text == Self::IN_FLIGHT {
            return Ok(Self::InFlight);
        }
        if let Some(json) = text.strip_prefix('D') {
            let s: StartedText = serde_json::from_str(json).map_err(|_| Unreadable)?;
            return Ok(Self::Done(Started {
                id: s.id,
                delivery: delivery_of(&s.d),
                message_may_have_been_sent: s.m,
                replayed: false,
                replaces: s.r,
            }));
        }
        if let Some(json) = text.strip_prefix('X') {
            let f: FailureText = serde_json::from_str(json).map_err(|_| Unreadable)?;
            return Ok(Self::Failed(Failure {
                provider: f.p,
                attempts: f.a,
                detail: crate::text::provider_text(&f.e),
                message_may_have_been_sent: f.m,
            }));
        }
        Err(Unreadable)
    }

    /// What a claim that found this entry answers.
    pub fn into_claim(self) -> Claim {
        match self {
            Self::InFlight => Claim::InFlight,
            Self::Done(s) => Claim::Done(s),
            Self::Failed(f) => Claim::Failed(f),
        }
    }
}

/// Where a pending verification stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PendingStatus {
    /// Waiting for the right code.
    Pending,
    /// Closed: the right code was given.
    Verified,
    /// Closed: it ran out of time, or the provider no longer takes a code
    /// for it (expired, too many wrong codes, unknown).
    Expired,
}

impl PendingStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Verified => "verified",
            Self::Expired => "expired",
        }
    }
}

/// A verification kept by (purpose, phone number).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    /// The verification at its provider.
    pub id: VerificationId,
    /// When it was started (the first send; a resend keeps it).
    pub started_at: Millis,
    /// How many resends followed the first send.
    pub resends: u32,
    /// How many wrong codes were checked against it.
    pub wrong_codes: u32,
    /// When it stops taking codes.
    pub ends_at: Millis,
    /// Pending, verified or expired.
    pub status: PendingStatus,
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PendingText {
    id: VerificationId,
    s: Millis,
    r: u32,
    w: u32,
    e: Millis,
    st: String,
}

impl Pending {
    /// A verification started at `started_at`, taking codes until `ends_at`.
    pub fn new(id: VerificationId, started_at: Millis, ends_at: Millis) -> Self {
        Self {
            id,
            started_at,
            resends: 0,
            wrong_codes: 0,
            ends_at,
            status: PendingStatus::Pending,
        }
    }

    /// The compact text a store holds (JSON).
    pub fn encode(&self) -> String {
        serde_json::to_string(&PendingText {
            id: self.id.clone(),
            s: self.started_at,
            r: self.resends,
            w: self.wrong_codes,
            e: self.ends_at,
            st: self.status.as_str().to_owned(),
        })
        // Serialising this plain struct cannot fail.
        .unwrap_or_default()
    }

    /// Reads [`encode`](Self::encode)'s text.
    pub fn decode(text: &str) -> Result<Self, Unreadable> {
        let p: PendingText = serde_json::from_str(text).map_err(|_| Unreadable)?;
        let status = match p.st.as_str() {
            "pending" => PendingStatus::Pending,
            "verified" => PendingStatus::Verified,
            "expired" => PendingStatus::Expired,
            _ => return Err(Unreadable),
        };
        Ok(Self {
            id: p.id,
            started_at: p.s,
            resends: p.r,
            wrong_codes: p.w,
            ends_at: p.e,
            status,
        })
    }

    /// Whether it still takes codes at `now`.
    pub fn is_open(&self, now: Millis) -> bool {
        self.status == PendingStatus::Pending && now < self.ends_at
    }
}

/// Where a pending verification is kept: its purpose (`login`) and the
/// phone number (international digits).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PendingKey {
    /// What the verification is for (`login`, `signup`).
    pub purpose: String,
    /// The phone number the code went to.
    pub phone_number: String,
}

impl PendingKey {
    /// The key of `purpose` and `phone_number`.
    pub fn new(purpose: impl Into<String>, phone_number: impl Into<String>) -> Self {
        Self {
            purpose: purpose.into(),
            phone_number: phone_number.into(),
        }
    }

    /// One string for both parts, `{purpose}:{phone_number}`: unambiguous,
    /// the number being digits only (read from the right).
    pub fn joined(&self) -> String {
        format!("{}:{}", self.purpose, self.phone_number)
    }
}

/// A ledger store could not answer (unreachable, full, a script error).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerError {
    /// What failed, with no secret in it (no password of a Redis URL).
    pub detail: String,
}

impl LedgerError {
    /// An error described by `detail`.
    pub fn new(detail: impl Into<String>) -> Self {
        Self {
            detail: detail.into(),
        }
    }
}

impl fmt::Display for LedgerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the ledger failed: {}", self.detail)
    }
}

impl std::error::Error for LedgerError {}

impl From<Unreadable> for LedgerError {
    fn from(e: Unreadable) -> Self {
        Self::new(e.to_string())
    }
}

/// A blocking ledger store: every operation is atomic, and every record is
/// written with a time to live.
///
/// `now` is the caller's wall clock; a store with a clock of its own
/// (Redis) may count time to live by that instead.
pub trait Ledger: Send + Sync {
    /// Claims `key` for one start: when no record is there, writes
    /// [`Entry::InFlight`] for `ttl` and answers [`Claim::Claimed`];
    /// otherwise answers what is there. With `replace_finished`, a
    /// [`Entry::Done`] or [`Entry::Failed`] record is replaced by the claim
    /// too (an explicit resend); an in-flight one never is.
    fn claim(
        &self,
        key: &str,
        ttl: Duration,
        now: Millis,
        replace_finished: bool,
    ) -> Result<Claim, LedgerError>;

    /// Records that the start under `key` succeeded, for `ttl`.
    fn complete(
        &self,
        key: &str,
        started: &Started,
        ttl: Duration,
        now: Millis,
    ) -> Result<(), LedgerError>;

    /// Records that the start under `key` failed after a message may have
    /// gone out, for `ttl`.
    fn fail(
        &self,
        key: &str,
        failure: &Failure,
        ttl: Duration,
        now: Millis,
    ) -> Result<(), LedgerError>;

    /// Forgets `key` (its start failed with nothing sent).
    fn release(&self, key: &str, now: Millis) -> Result<(), LedgerError>;

    /// Keeps `pending` at `at` for `ttl`, replacing what was there.
    fn put_pending(
        &self,
        at: &PendingKey,
        pending: &Pending,
        ttl: Duration,
        now: Millis,
    ) -> Result<(), LedgerError>;

    /// The verification kept at `at`, if any.
    fn pending(&self, at: &PendingKey, now: Millis) -> Result<Option<Pending>, LedgerError>;

    /// Replaces the record at `at` by `new` (for `ttl`) only when it is
    /// still exactly `old`; answers whether it did. Closing, counting a
    /// wrong code and a resend are made of this.
    fn replace_pending(
        &self,
        at: &PendingKey,
        old: &Pending,
        new: &Pending,
        ttl: Duration,
        now: Millis,
    ) -> Result<bool, LedgerError>;
}

/// A boxed future of an [`AsyncLedger`].
pub type LedgerFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, LedgerError>> + Send + 'a>>;

/// An async ledger store (for an async client): as [`Ledger`].
pub trait AsyncLedger: Send + Sync {
    /// As [`Ledger::claim`].
    fn claim<'a>(
        &'a self,
        key: &'a str,
        ttl: Duration,
        now: Millis,
        replace_finished: bool,
    ) -> LedgerFuture<'a, Claim>;

    /// As [`Ledger::complete`].
    fn complete<'a>(
        &'a self,
        key: &'a str,
        started: &'a Started,
        ttl: Duration,
        now: Millis,
    ) -> LedgerFuture<'a, ()>;

    /// As [`Ledger::fail`].
    fn fail<'a>(
        &'a self,
        key: &'a str,
        failure: &'a Failure,
        ttl: Duration,
        now: Millis,
    ) -> LedgerFuture<'a, ()>;

    /// As [`Ledger::release`].
    fn release<'a>(&'a self, key: &'a str, now: Millis) -> LedgerFuture<'a, ()>;

    /// As [`Ledger::put_pending`].
    fn put_pending<'a>(
        &'a self,
        at: &'a PendingKey,
        pending: &'a Pending,
        ttl: Duration,
        now: Millis,
    ) -> LedgerFuture<'a, ()>;

    /// As [`Ledger::pending`].
    fn pending<'a>(&'a self, at: &'a PendingKey, now: Millis) -> LedgerFuture<'a, Option<Pending>>;

    /// As [`Ledger::replace_pending`].
    fn replace_pending<'a>(
        &'a self,
        at: &'a PendingKey,
        old: &'a Pending,
        new: &'a Pending,
        ttl: Duration,
        now: Millis,
    ) -> LedgerFuture<'a, bool>;
}

/// One store shared by several clients (`Arc<MemoryLedger>`): as the store.
impl<L: Ledger + ?Sized> Ledger for std::sync::Arc<L> {
    fn claim(
        &self,
        key: &str,
        ttl: Duration,
        now: Millis,
        replace_finished: bool,
    ) -> Result<Claim, LedgerError> {
        (**self).claim(key, ttl, now, replace_finished)
    }

    fn complete(
        &self,
        key: &str,
        started: &Started,
        ttl: Duration,
        now: Millis,
    ) -> Result<(), LedgerError> {
        (**self).complete(key, started, ttl, now)
    }

    fn fail(
        &self,
        key: &str,
        failure: &Failure,
        ttl: Duration,
        now: Millis,
    ) -> Result<(), LedgerError> {
        (**self).fail(key, failure, ttl, now)
    }

    fn release(&self, key: &str, now: Millis) -> Result<(), LedgerError> {
        (**self).release(key, now)
    }

    fn put_pending(
        &self,
        at: &PendingKey,
        pending: &Pending,
        ttl: Duration,
        now: Millis,
    ) -> Result<(), LedgerError> {
        (**self).put_pending(at, pending, ttl, now)
    }

    fn pending(&self, at: &PendingKey, now: Millis) -> Result<Option<Pending>, LedgerError> {
        (**self).pending(at, now)
    }

    fn replace_pending(
        &self,
        at: &PendingKey,
        old: &Pending,
        new: &Pending,
        ttl: Duration,
        now: Millis,
    ) -> Result<bool, LedgerError> {
        (**self).replace_pending(at, old, new, ttl, now)
    }
}

/// One store shared by several clients: as the store.
impl<L: AsyncLedger + ?Sized> AsyncLedger for std::sync::Arc<L> {
    fn claim<'a>(
        &'a self,
        key: &'a str,
        ttl: Duration,
        now: Millis,
        replace_finished: bool,
    ) -> LedgerFuture<'a, Claim> {
        (**self).claim(key, ttl, now, replace_finished)
    }

    fn complete<'a>(
        &'a self,
        key: &'a str,
        started: &'a Started,
        ttl: Duration,
        now: Millis,
    ) -> LedgerFuture<'a, ()> {
        (**self).complete(key, started, ttl, now)
    }

    fn fail<'a>(
        &'a self,
        key: &'a str,
        failure: &'a Failure,
        ttl: Duration,
        now: Millis,
    ) -> LedgerFuture<'a, ()> {
        (**self).fail(key, failure, ttl, now)
    }

    fn release<'a>(&'a self, key: &'a str, now: Millis) -> LedgerFuture<'a, ()> {
        (**self).release(key, now)
    }

    fn put_pending<'a>(
        &'a self,
        at: &'a PendingKey,
        pending: &'a Pending,
        ttl: Duration,
        now: Millis,
    ) -> LedgerFuture<'a, ()> {
        (**self).put_pending(at, pending, ttl, now)
    }

    fn pending<'a>(&'a self, at: &'a PendingKey, now: Millis) -> LedgerFuture<'a, Option<Pending>> {
        (**self).pending(at, now)
    }

    fn replace_pending<'a>(
        &'a self,
        at: &'a PendingKey,
        old: &'a Pending,
        new: &'a Pending,
        ttl: Duration,
        now: Millis,
    ) -> LedgerFuture<'a, bool> {
        (**self).replace_pending(at, old, new, ttl, now)
    }
}

/// A ledger a client holds: the same store as a blocking and as an async
/// [`Ledger`] (a blocking client uses the first, an async one the second).
#[derive(Clone)]
pub struct SharedLedger {
    pub(crate) blocking: std::sync::Arc<dyn Ledger>,
    pub(crate) nonblocking: std::sync::Arc<dyn AsyncLedger>,
}

impl SharedLedger {
    /// Shares `ledger` between the blocking and the async paths.
    pub fn new<L: Ledger + AsyncLedger + 'static>(ledger: L) -> Self {
        let shared = std::sync::Arc::new(ledger);
        Self {
            blocking: shared.clone(),
            nonblocking: shared,
        }
    }

    /// The blocking face.
    pub fn blocking(&self) -> &dyn Ledger {
        &*self.blocking
    }

    /// The async face.
    pub fn nonblocking(&self) -> &dyn AsyncLedger {
        &*self.nonblocking
    }
}

impl fmt::Debug for SharedLedger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SharedLedger")
    }
}

/// The time to live of `ttl` in whole milliseconds, at least 1 (a store's
/// `PX` refuses 0).
pub fn ttl_millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn started() -> Started {
        Started {
            id: "dotdigital:0bd57dc3-580c-4c1d-8aee-2ff79bd8633c"
                .parse()
                .unwrap(),
            delivery: DeliveryState::Failed { temporary: true },
            message_may_have_been_sent: true,
            replayed: true,
            replaces: Some("telesign:0123456789ABCDEF0123456789ABCDEF".parse().unwrap()),
        }
    }

    #[test]
    fn entries_read_back_as_written_but_never_as_replayed() {
        let done = Entry::Done(started());
        let Entry::Done(back) = Entry::decode(&done.encode()).unwrap() else {
            panic!("not done");
        };
        assert!(!back.replayed);
        assert_eq!(
            Started {
                replayed: true,
                ..back
            },
            started()
        );
        let failed = Entry::Failed(Failure {
            provider: Some(Provider::TeleSign),
            attempts: 2,
            detail: "timed out".into(),
            message_may_have_been_sent: true,
        });
        assert_eq!(Entry::decode(&failed.encode()).unwrap(), failed);
        assert_eq!(Entry::decode("F").unwrap(), Entry::InFlight);
    }

    #[test]
    fn garbage_never_reads_and_never_panics() {
        for text in [
            "",
            "D",
            "X{}",
            "D{\"id\":1}",
            "Fx",
            "Z{}",
            "D{\"id\":{\"provider\":\"telesign\",\"id\":\"x\"},\"d\":\"sent\",\"m\":true}",
        ] {
            assert_eq!(Entry::decode(text), Err(Unreadable), "{text}");
        }
        assert!(Pending::decode("{}").is_err());
        let mut p = Pending::new(started().id, 5, 10);
        p.status = PendingStatus::Verified;
        p.wrong_codes = 3;
        assert_eq!(Pending::decode(&p.encode()).unwrap(), p);
        assert!(Pending::decode(&p.encode().replace("verified", "other")).is_err());
    }

    #[test]
    fn a_pending_verification_is_open_until_it_ends_or_closes() {
        let mut p = Pending::new(started().id, 5, 10);
        assert!(p.is_open(9));
        assert!(!p.is_open(10));
        p.status = PendingStatus::Expired;
        assert!(!p.is_open(6));
    }
}
