//! The shared state behind a running sandbox: one mutex, O(1) amortized work per request.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use rand::rngs::StdRng;
use rand::{Rng as _, RngCore as _, SeedableRng as _};

use crate::auth::{NonceCache, TeleSignAccount};
use crate::clock::Clock;
use crate::config::SandboxConfig;
use crate::fault::{Fault, Faults, Route};
use crate::outbox::{Outbox, OutboxMessage};
use crate::telesign_verify::process::Processes;

/// What the HTTP layer needs besides the request.
pub(crate) struct Shared {
    pub config: SandboxConfig,
    pub clock: Clock,
    pub telesign: TeleSignAccount,
    inner: Mutex<Inner>,
}

pub(crate) struct Inner {
    pub rng: StdRng,
    pub outbox: Outbox,
    pub faults: Faults,
    pub nonces: NonceCache,
    pub telesign: Store<TeleSignVerification>,
    pub dotdigital: Store<DotdigitalVerification>,
    /// TeleSign Verify API processes.
    pub telesign_verify: Processes,
    pub per_number: PerNumber,
    pub telesign_rate: RateWindow,
    pub dotdigital_rate: RateWindow,
    /// The Verify API's own window, with the same per-account limit as the classic API's.
    pub telesign_verify_rate: RateWindow,
}

/// A TeleSign verification as the server remembers it.
#[derive(Debug)]
pub(crate) struct TeleSignVerification {
    pub code: String,
    pub created: SystemTime,
    pub wrong_attempts: u32,
    /// The right code was entered once: it stays VALID and wrong codes no longer count.
    pub verified: bool,
    pub channel: &'static str,
    pub delivery_status: u16,
}

/// A dotdigital verification as the server remembers it.
#[derive(Debug)]
pub(crate) struct DotdigitalVerification {
    pub code: String,
    pub phone_number: String,
    pub created: SystemTime,
    pub valid_until: SystemTime,
    pub wrong_attempts: u32,
}

/// Verifications by id, with an insertion-ordered queue for eviction.
pub(crate) struct Store<V> {
    pub map: HashMap<String, V>,
    order: VecDeque<(String, SystemTime)>,
}

impl<V> Store<V> {
    pub fn new() -> Self {
        Self {
            map: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    /// Inserts `v`, first evicting what is older than `keep` and what exceeds `max`.
    pub fn insert(&mut self, id: String, v: V, now: SystemTime, keep: Duration, max: usize) {
        self.evict(now, keep);
        while self.order.len() >= max.max(1) {
            if let Some((old, _)) = self.order.pop_front() {
                self.map.remove(&old);
            }
        }
        self.order.push_back((id.clone(), now));
        self.map.insert(id, v);
    }

    /// Drops entries created more than `keep` ago.
    pub fn evict(&mut self, now: SystemTime, keep: Duration) {
        while let Some((id, created)) = self.order.front() {
            if now.duration_since(*created).is_ok_and(|age| age > keep) {
                self.map.remove(id);
                self.order.pop_front();
            } else {
                break;
            }
        }
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }
}

/// Recent sends per dotdigital number (each list holds at most `limit` times).
pub(crate) struct PerNumber {
    recent: HashMap<String, VecDeque<SystemTime>>,
    order: VecDeque<(String, SystemTime)>,
}

impl PerNumber {
    /// Records a send to `number` unless it already had `limit` sends within `window`.
    pub fn try_record(
        &mut self,
        number: &str,
        now: SystemTime,
        (limit, window): (u32, Duration),
        max: usize,
    ) -> bool {
        let in_window = |t: &SystemTime| now.duration_since(*t).map_or(true, |age| age < window);
        // Forget numbers whose latest send left the window, and bound the total.
        while let Some((n, t)) = self.order.front() {
            let stale = !in_window(t);
            if !stale && self.order.len() < max.max(1) {
                break;
            }
            if let Some(q) = self.recent.get_mut(n) {
                while q.front().is_some_and(|f| f <= t) {
                    q.pop_front();
                }
                if q.is_empty() {
                    self.recent.remove(n);
                }
            }
            self.order.pop_front();
        }
        let q = self.recent.entry(number.to_owned()).or_default();
        while q.front().is_some_and(|t| !in_window(t)) {
            q.pop_front();
        }
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        if q.len() >= limit {
            if q.is_empty() {
                self.recent.remove(number);
            }
            return false;
        }
        q.push_back(now);
        while q.len() > limit {
            q.pop_front();
        }
        self.order.push_back((number.to_owned(), now));
        true
    }

    pub fn len(&self) -> usize {
        self.recent.len()
    }
}

/// A fixed one-second window counter.
#[derive(Default)]
pub(crate) struct RateWindow {
    start: Option<SystemTime>,
    count: u32,
}

impl RateWindow {
    /// Counts a request; false when it is over `per_second`.
    pub fn admit(&mut self, now: SystemTime, per_second: u32) -> bool {
        let fresh = match self.start {
            None => true,
            Some(s) => now
                .duration_since(s)
                .map_or(true, |d| d >= Duration::from_secs(1)),
        };
        if fresh {
            self.start = Some(now);
            self.count = 0;
        }
        self.count = self.count.saturating_add(1);
        self.count <= per_second
    }
}

impl Inner {
    /// A TeleSign reference id: 32 upper-case hex digits.
    pub fn reference_id(&mut self) -> String {
        let mut b = [0u8; 16];
        self.rng.fill_bytes(&mut b);
        b.iter().map(|x| format!("{x:02X}")).collect()
    }

    /// A dotdigital request id: a GUID.
    pub fn request_id(&mut self) -> String {
        let mut b = [0u8; 16];
        self.rng.fill_bytes(&mut b);
        uuid::Builder::from_random_bytes(b).into_uuid().to_string()
    }

    /// Settles what has come due by `now` (the Verify API's fallbacks and expiries), so
    /// that the outbox shows every message sent by then, oldest first. `keep` is
    /// [`Shared::telesign_verify_keep`].
    pub fn settle(&mut self, now: SystemTime, keep: Duration) {
        self.telesign_verify.settle(now, keep, &mut self.outbox);
    }

    /// `digits` random decimal digits.
    pub fn digits(&mut self, digits: usize) -> String {
        (0..digits)
            .map(|_| char::from(b'0' + self.rng.random_range(0..10u8)))
            .collect()
    }
}

impl Shared {
    pub(crate) fn new(config: SandboxConfig) -> Self {
        let clock = config.clock.clone().unwrap_or_default();
        let rng = match config.seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::from_os_rng(),
        };
        let telesign = TeleSignAccount::new(
            config.telesign_customer_id.clone(),
            config.telesign_api_key.clone(),
        );
        let inner = Inner {
            rng,
            outbox: Outbox::new(config.outbox_capacity),
            faults: Faults::default(),
            nonces: NonceCache::new(config.nonce_capacity),
            telesign: Store::new(),
            dotdigital: Store::new(),
            telesign_verify: Processes::new(),
            per_number: PerNumber {
                recent: HashMap::new(),
                order: VecDeque::new(),
            },
            telesign_rate: RateWindow::default(),
            dotdigital_rate: RateWindow::default(),
            telesign_verify_rate: RateWindow::default(),
        };
        Self {
            config,
            clock,
            telesign,
            inner: Mutex::new(inner),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn now(&self) -> SystemTime {
        self.clock.now()
    }

    pub(crate) fn take_fault(&self, route: Route) -> Option<Fault> {
        self.lock().faults.take(route)
    }

    /// The lock, with what has come due by now settled (see [`Inner::settle`]).
    pub(crate) fn settled(&self) -> MutexGuard<'_, Inner> {
        let now = self.now();
        let mut g = self.lock();
        g.settle(now, self.telesign_verify_keep());
        g
    }

    pub(crate) fn messages(&self) -> Vec<OutboxMessage> {
        self.settled().outbox.all()
    }

    pub(crate) fn messages_to(&self, to: &str) -> Vec<OutboxMessage> {
        self.settled().outbox.to(to)
    }

    /// Empties the outbox, after settling: a fallback due before the call is not sent after it.
    pub(crate) fn clear_messages(&self) {
        self.settled().outbox.clear();
    }

    /// How long a TeleSign verification is kept: its lifetime plus the retention period.
    pub(crate) fn telesign_keep(&self) -> Duration {
        self.config
            .telesign_code_ttl
            .saturating_add(self.config.retention)
    }

    /// How long a Verify API process is kept: its code's lifetime plus the retention period
    /// (its fallbacks all fall within the 300 s the policy may add up to).
    pub(crate) fn telesign_verify_keep(&self) -> Duration {
        self.config
            .telesign_verify_code_ttl
            .max(Duration::from_secs(300))
            .saturating_add(self.config.retention)
    }

    /// How long a dotdigital verification is kept at most.
    pub(crate) fn dotdigital_keep(&self) -> Duration {
        crate::dotdigital::MAX_VALIDITY
            .max(self.config.dotdigital_default_validity)
            .saturating_add(self.config.retention)
    }

    /// Counts of what the sandbox holds (for tests of its bounds).
    pub(crate) fn stats(&self) -> crate::SandboxStats {
        let now = self.now();
        let mut g = self.settled();
        let (tk, dk) = (self.telesign_keep(), self.dotdigital_keep());
        g.telesign.evict(now, tk);
        g.dotdigital.evict(now, dk);
        crate::SandboxStats {
            telesign_verifications: g.telesign.len(),
            dotdigital_verifications: g.dotdigital.len(),
            telesign_verify_processes: g.telesign_verify.len(),
            outbox_messages: g.outbox.all().len(),
            nonces: g.nonces.len(),
            throttled_numbers: g.per_number.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_number_limit_slides() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let w = Duration::from_secs(60);
        let mut p = PerNumber {
            recent: HashMap::new(),
            order: VecDeque::new(),
        };
        assert!(p.try_record("1", t0, (2, w), 100));
        assert!(p.try_record("1", t0, (2, w), 100));
        assert!(!p.try_record("1", t0 + Duration::from_secs(59), (2, w), 100));
        assert!(p.try_record("2", t0, (2, w), 100));
        assert!(p.try_record("2", t0 + w / 2, (2, w), 100));
        assert!(p.try_record("1", t0 + w, (2, w), 100));
        // "1" and the second send to "2" are still within the window.
        assert_eq!(p.len(), 2);
        assert!(p.try_record("3", t0 + w * 3, (2, w), 100));
        assert_eq!(p.len(), 1);
    }

    #[test]
    fn rate_window() {
        let t0 = SystemTime::UNIX_EPOCH;
        let mut r = RateWindow::default();
        assert!(r.admit(t0, 2));
        assert!(r.admit(t0, 2));
        assert!(!r.admit(t0 + Duration::from_millis(999), 2));
        assert!(r.admit(t0 + Duration::from_secs(1), 2));
    }

    #[test]
    fn store_evicts_by_age_and_count() {
        let t0 = SystemTime::UNIX_EPOCH;
        let mut s = Store::new();
        for n in 0..5 {
            s.insert(n.to_string(), n, t0, Duration::from_secs(10), 3);
        }
        assert_eq!(s.len(), 3);
        assert!(s.map.contains_key("4") && !s.map.contains_key("1"));
        s.evict(t0 + Duration::from_secs(11), Duration::from_secs(10));
        assert_eq!(s.len(), 0);
    }
}
