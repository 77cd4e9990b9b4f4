//! The ledger in memory: idempotency keys and pending verifications for one
//! instance (see `verify_core::ledger`; Redis for many:
//! `verify-shield-redis`).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use verify_core::ledger::{
    AsyncLedger, Claim, Entry, Failure, Ledger, LedgerError, LedgerFuture, Millis, Pending,
    PendingKey, ttl_millis,
};
use verify_core::neutral::Started;

/// How many records a [`MemoryLedger`] holds by default.
pub const DEFAULT_LEDGER_CAPACITY: usize = 100_000;

/// The ledger in memory, for one instance: bounded, every record with a
/// time to live (counted on the caller's clock, the `now` of each call).
///
/// When full (after forgetting what has expired), a new record is refused
/// with a [`LedgerError`]: the start then fails with nothing sent, rather
/// than forgetting a live key and sending twice.
///
/// ```
/// use verify_shield::MemoryLedger;
/// # fn demo(primary: verify_core::ProviderConfig) {
/// let settings = verify_core::driver::Settings::builder(primary)
///     .ledger(MemoryLedger::new())
///     .build();
/// # }
/// ```
#[derive(Debug)]
pub struct MemoryLedger {
    records: Mutex<HashMap<String, (String, Millis)>>,
    capacity: usize,
}

impl Default for MemoryLedger {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryLedger {
    /// A ledger of at most [`DEFAULT_LEDGER_CAPACITY`] records.
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_LEDGER_CAPACITY)
    }

    /// A ledger of at most `capacity` records.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            records: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    /// How many records it holds (expired ones included until they are
    /// forgotten).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether it holds no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (String, Millis)>> {
        // A panic elsewhere leaves the map whole: every change is one insert
        // or remove.
        self.records.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// One atomic step on the record at `key`, as it stands at `now`.
    fn with<R>(
        &self,
        key: String,
        now: Millis,
        step: impl FnOnce(Option<&str>) -> (Write, R),
    ) -> Result<R, LedgerError> {
        let mut records = self.lock();
        let current = records
            .get(&key)
            .filter(|(_, expires)| *expires > now)
            .map(|(text, _)| text.as_str());
        let (write, answer) = step(current);
        match write {
            Write::Keep => {}
            Write::Remove => {
                records.remove(&key);
            }
            Write::Put(text, ttl) => {
                if !records.contains_key(&key) && records.len() >= self.capacity {
                    records.retain(|_, (_, expires)| *expires > now);
                    if records.len() >= self.capacity {
                        return Err(LedgerError::new("the in-memory ledger is full"));
                    }
                }
                let expires = now.saturating_add(ttl_millis(ttl));
                records.insert(key, (text, expires));
            }
        }
        Ok(answer)
    }
}

enum Write {
    Keep,
    Remove,
    Put(String, Duration),
}

fn key_of(key: &str) -> String {
    format!("k:{key}")
}

fn pending_of(at: &PendingKey) -> String {
    format!("p:{}", at.joined())
}

impl Ledger for MemoryLedger {
    fn claim(
        &self,
        key: &str,
        ttl: Duration,
        now: Millis,
        replace_finished: bool,
    ) -> Result<Claim, LedgerError> {
        self.with(key_of(key), now, |current| {
            let claimed = (
                Write::Put(Entry::InFlight.encode(), ttl),
                Ok(Claim::Claimed),
            );
            match current.map(Entry::decode) {
                None => claimed,
                Some(Ok(Entry::InFlight)) => (Write::Keep, Ok(Claim::InFlight)),
                Some(Ok(_)) if replace_finished => claimed,
                Some(Ok(entry)) => (Write::Keep, Ok(entry.into_claim())),
                Some(Err(e)) => (Write::Keep, Err(LedgerError::from(e))),
            }
        })?
    }

    fn complete(
        &self,
        key: &str,
        started: &Started,
        ttl: Duration,
        now: Millis,
    ) -> Result<(), LedgerError> {
        let text = Entry::Done(started.clone()).encode();
        self.with(key_of(key), now, |_| (Write::Put(text, ttl), ()))
    }

    fn fail(
        &self,
        key: &str,
        failure: &Failure,
        ttl: Duration,
        now: Millis,
    ) -> Result<(), LedgerError> {
        let text = Entry::Failed(failure.clone()).encode();
        self.with(key_of(key), now, |_| (Write::Put(text, ttl), ()))
    }

    fn release(&self, key: &str, now: Millis) -> Result<(), LedgerError> {
        self.with(key_of(key), now, |_| (Write::Remove, ()))
    }

    fn put_pending(
        &self,
        at: &PendingKey,
        pending: &Pending,
        ttl: Duration,
        now: Millis,
    ) -> Result<(), LedgerError> {
        let text = pending.encode();
        self.with(pending_of(at), now, |_| (Write::Put(text, ttl), ()))
    }

    fn pending(&self, at: &PendingKey, now: Millis) -> Result<Option<Pending>, LedgerError> {
        self.with(pending_of(at), now, |current| {
            (Write::Keep, current.map(Pending::decode).transpose())
        })?
        .map_err(LedgerError::from)
    }

    fn replace_pending(
        &self,
        at: &PendingKey,
        old: &Pending,
        new: &Pending,
        ttl: Duration,
        now: Millis,
    ) -> Result<bool, LedgerError> {
        let (old, new) = (old.encode(), new.encode());
        self.with(pending_of(at), now, |current| {
            if current == Some(old.as_str()) {
                (Write::Put(new, ttl), true)
            } else {
                (Write::Keep, false)
            }
        })
    }
}

impl AsyncLedger for MemoryLedger {
    fn claim<'a>(
        &'a self,
        key: &'a str,
        ttl: Duration,
        now: Millis,
        replace_finished: bool,
    ) -> LedgerFuture<'a, Claim> {
        Box::pin(std::future::ready(Ledger::claim(
            self,
            key,
            ttl,
            now,
            replace_finished,
        )))
    }

    fn complete<'a>(
        &'a self,
        key: &'a str,
        started: &'a Started,
        ttl: Duration,
        now: Millis,
    ) -> LedgerFuture<'a, ()> {
        Box::pin(std::future::ready(Ledger::complete(
            self, key, started, ttl, now,
        )))
    }

    fn fail<'a>(
        &'a self,
        key: &'a str,
        failure: &'a Failure,
        ttl: Duration,
        now: Millis,
    ) -> LedgerFuture<'a, ()> {
        Box::pin(std::future::ready(Ledger::fail(
            self, key, failure, ttl, now,
        )))
    }

    fn release<'a>(&'a self, key: &'a str, now: Millis) -> LedgerFuture<'a, ()> {
        Box::pin(std::future::ready(Ledger::release(self, key, now)))
    }

    fn put_pending<'a>(
        &'a self,
        at: &'a PendingKey,
        pending: &'a Pending,
        ttl: Duration,
        now: Millis,
    ) -> LedgerFuture<'a, ()> {
        Box::pin(std::future::ready(Ledger::put_pending(
            self, at, pending, ttl, now,
        )))
    }

    fn pending<'a>(&'a self, at: &'a PendingKey, now: Millis) -> LedgerFuture<'a, Option<Pending>> {
        Box::pin(std::future::ready(Ledger::pending(self, at, now)))
    }

    fn replace_pending<'a>(
        &'a self,
        at: &'a PendingKey,
        old: &'a Pending,
        new: &'a Pending,
        ttl: Duration,
        now: Millis,
    ) -> LedgerFuture<'a, bool> {
        Box::pin(std::future::ready(Ledger::replace_pending(
            self, at, old, new, ttl, now,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger_suite::{ManualClock, run};

    #[test]
    fn the_memory_ledger_passes_the_shared_suite() {
        let clock = ManualClock::default();
        run(MemoryLedger::new, &clock);
    }

    #[test]
    fn a_full_ledger_refuses_rather_than_forgets_a_live_key() {
        let ledger = MemoryLedger::with_capacity(2);
        let ttl = Duration::from_secs(10);
        assert_eq!(
            Ledger::claim(&ledger, "a", ttl, 0, false),
            Ok(Claim::Claimed)
        );
        assert_eq!(
            Ledger::claim(&ledger, "b", ttl, 0, false),
            Ok(Claim::Claimed)
        );
        assert!(Ledger::claim(&ledger, "c", ttl, 0, false).is_err());
        assert_eq!(
            Ledger::claim(&ledger, "a", ttl, 0, false),
            Ok(Claim::InFlight)
        );
        // Once "a" and "b" have expired, room is made for "c".
        assert_eq!(
            Ledger::claim(&ledger, "c", ttl, 10_000, false),
            Ok(Claim::Claimed)
        );
        assert_eq!(ledger.len(), 1);
    }
}
