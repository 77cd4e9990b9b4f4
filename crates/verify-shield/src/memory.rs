//! The in-memory store: one instance, bounded, the default.
//!
//! It implements the arithmetic of the store contract (see [`Store`]) in
//! plain Rust, with the plan's `now` as its only clock.
//!
//! # Bounds
//!
//! - **Idle keys expire.** A key lives as the contract says after its last
//!   write (a count or a sum: its window; a breaker: window + cool-off + one
//!   day). An expired key reads as absent; it is dropped when its shard
//!   needs room or when it is next read.
//! - **A cap on tracked keys** ([`MemoryStore::with_max_keys`], default
//!   [`MemoryStore::DEFAULT_MAX_KEYS`]). Keys are spread over shards by hash
//!   and the cap is split evenly between them. When a write leaves a shard
//!   above its share, the shard first drops every expired key; when that is
//!   not enough it drops its least recently touched keys (read or written
//!   by a decision), an eighth of its share at once so that a flood of new
//!   keys costs one sort per eighth rather than one scan per key. Forgetting
//!   a live key forgets its counts: a store at its cap under a flood of
//!   distinct numbers forgets the quietest ones first.
//! - Logs are trimmed as the contract says (a count keeps its newest `max`
//!   entries, a breaker's logs their newest 10,000); entries that left the
//!   window are dropped on each write.
//!
//! # Cost
//!
//! A decision never walks a window: each log entry carries the running
//! total of the amounts up to it, so a count is a binary search and a sum
//! (or a spend's retry) a difference of two running totals, whatever the
//! window holds. Dropping what left the window pops a prefix (each entry
//! once). The Redis store keeps the same running totals in its spend logs.
//!
//! # Concurrency
//!
//! Shards are `Mutex<HashMap>`s. A decision locks every shard its plan
//! touches, in ascending order (no deadlock), checks every check, then
//! consumes: decisions are atomic with respect to each other.

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::hash::BuildHasher;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use crate::store::{
    AsyncStore, Breaker, Denial, Limit, Millis, Mode, Plan, Spend, Store, StoreError, Verdict,
};

/// How many entries a breaker's sends and verified logs keep at most.
pub(crate) const BREAKER_LOG_MAX: usize = 10_000;
/// What a breaker key lives beyond its window and cool-off.
pub(crate) const BREAKER_EXTRA_TTL_MS: u64 = 86_400_000;

const SHARDS: usize = 16;

/// A bounded, thread-safe, in-memory [`Store`] (and [`AsyncStore`]).
///
/// ```
/// use verify_shield::{Limit, MemoryStore, Mode, Plan, Store};
/// use verify_core::guard::Rule;
///
/// let store = MemoryStore::new();
/// let cooldown = Limit {
///     rule: Rule::NumberCooldown,
///     key: "nc:15555550100".into(),
///     window_ms: 30_000,
///     max: 1,
///     mode: Mode::Enforce,
///     consume: true,
/// };
/// let plan = |now| Plan { now, limits: vec![cooldown.clone()], ..Plan::default() };
/// assert!(store.decide(&plan(1_000)).unwrap().allowed());
/// let again = store.decide(&plan(11_000)).unwrap();
/// assert_eq!(again.denied[0].retry_after_ms, Some(20_000));
/// ```
pub struct MemoryStore {
    shards: Box<[Mutex<Shard>]>,
    per_shard: usize,
    max_keys: usize,
    hasher: RandomState,
    stamp: AtomicU64,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore")
            .field("max_keys", &self.max_keys)
            .field("tracked_keys", &self.tracked_keys())
            .finish()
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    Log(String),
    Breaker(String),
}

#[derive(Default)]
struct Shard {
    map: HashMap<Key, Entry>,
}

struct Entry {
    expires_at: Millis,
    touched: u64,
    data: Data,
}

enum Data {
    Log(Log),
    Breaker(BreakerState),
}

/// Entries `(t, amount)`, oldest first, each carrying the running total
/// of the amounts up to and including it (`cum`). A window's count and sum
/// are then a binary search and a difference of two running totals: no
/// read or write walks the window, whatever it holds.
#[derive(Default, Clone)]
struct Log {
    entries: VecDeque<LogEntry>,
}

#[derive(Clone, Copy)]
struct LogEntry {
    t: Millis,
    amount: u64,
    /// The amounts of this entry and of every entry before it in the log
    /// (dropped ones included), since the log was last empty. `u128`: no
    /// overflow, however long the log stays busy.
    cum: u128,
}

impl Log {
    /// The index of the first entry in the window (an entry counts while
    /// `t > now - window`; with `now < window` every entry counts).
    fn first_in(&self, now: Millis, window_ms: u64) -> usize {
        match now.checked_sub(window_ms) {
            Some(floor) => self.entries.partition_point(|e| e.t <= floor),
            None => 0,
        }
    }

    /// The running total before the entry at `i` (`i <= len`).
    fn cum_before(&self, i: usize) -> u128 {
        match i.checked_sub(1) {
            Some(prev) => self.entries[prev].cum,
            None => self
                .entries
                .front()
                .map_or(0, |e| e.cum - u128::from(e.amount)),
        }
    }

    fn last_cum(&self) -> u128 {
        self.cum_before(self.entries.len())
    }

    fn count(&self, now: Millis, window_ms: u64) -> u64 {
        (self.entries.len() - self.first_in(now, window_ms)) as u64
    }

    /// The window's sum, saturating at `u64::MAX`.
    fn sum(&self, now: Millis, window_ms: u64) -> u64 {
        let first = self.first_in(now, window_ms);
        let s = self.last_cum() - self.cum_before(first);
        u64::try_from(s).unwrap_or(u64::MAX)
    }

    /// Appends `(now, amount)` in time order, drops entries that left the
    /// window, then keeps the newest `keep` entries.
    fn append(&mut self, now: Millis, window_ms: u64, amount: u64, keep: Option<usize>) {
        if let Some(floor) = now.checked_sub(window_ms) {
            // Oldest first: what left the window is a prefix.
            while self.entries.front().is_some_and(|e| e.t <= floor) {
                self.entries.pop_front();
            }
        }
        let at = self.entries.partition_point(|e| e.t <= now);
        let add = u128::from(amount);
        let cum = self.cum_before(at) + add;
        // Only a clock that went back puts entries after this one; their
        // running totals now include it.
        for later in self.entries.range_mut(at..) {
            later.cum += add;
        }
        self.entries.insert(
            at,
            LogEntry {
                t: now,
                amount,
                cum,
            },
        );
        if let Some(keep) = keep {
            while self.entries.len() > keep {
                self.entries.pop_front();
            }
        }
    }
}

#[derive(Default, Clone)]
struct BreakerState {
    open_until: Option<Millis>,
    probe_until: Option<Millis>,
    sends: Log,
    verified: Log,
}

/// What a breaker check found (before consuming).
enum BreakerFound {
    /// Closed and allowed, or tripped in monitor mode: consume appends a send.
    Closed,
    /// Half-open with no probe running: consume takes the probe.
    HalfOpen,
    /// Open, or half-open with a probe running: consume does nothing.
    Hold,
}

fn breaker_ttl(b: &Breaker) -> u64 {
    b.window_ms
        .saturating_add(b.cool_off_ms)
        .saturating_add(BREAKER_EXTRA_TTL_MS)
}

fn limit_retry(log: Option<&Log>, now: Millis, limit: &Limit) -> Option<u64> {
    if limit.max == 0 {
        return None;
    }
    let log = log?;
    let first = log.first_in(now, limit.window_ms);
    let n = log.entries.len() - first;
    let k = n.checked_sub(limit.max as usize)?;
    let t_k = log.entries.get(first + k)?.t;
    Some(t_k.saturating_add(limit.window_ms).saturating_sub(now))
}

/// Walking the window oldest first, subtracting each amount until `s' +
/// cost <= max`: after entry `j`, `s'` is `last_cum - cum_j`, so the entry
/// sought is the first whose running total reaches `last_cum + cost - max`
/// (running totals never decrease: a binary search).
fn spend_retry(log: Option<&Log>, now: Millis, spend: &Spend) -> Option<u64> {
    if spend.cost > spend.max {
        return None;
    }
    let log = log?;
    let first = log.first_in(now, spend.window_ms);
    let target = (log.last_cum() + u128::from(spend.cost)).saturating_sub(u128::from(spend.max));
    let j = log.entries.partition_point(|e| e.cum < target).max(first);
    let t = log.entries.get(j)?.t;
    Some(t.saturating_add(spend.window_ms).saturating_sub(now))
}

impl MemoryStore {
    /// The default cap on tracked keys.
    pub const DEFAULT_MAX_KEYS: usize = 1_000_000;

    /// A store tracking at most [`Self::DEFAULT_MAX_KEYS`] keys.
    pub fn new() -> Self {
        Self::with_max_keys(Self::DEFAULT_MAX_KEYS)
    }

    /// A store tracking at most `max_keys` keys (at least one). The cap is
    /// split evenly between the store's shards; see the module doc for what
    /// is dropped when a shard is full.
    pub fn with_max_keys(max_keys: usize) -> Self {
        let max_keys = max_keys.max(1);
        let shards = SHARDS.min(max_keys);
        let per_shard = max_keys / shards;
        Self {
            shards: (0..shards).map(|_| Mutex::new(Shard::default())).collect(),
            per_shard,
            max_keys: per_shard * shards,
            hasher: RandomState::new(),
            stamp: AtomicU64::new(0),
        }
    }

    /// The cap on tracked keys (the one asked for, rounded down to a
    /// multiple of the number of shards).
    pub fn max_keys(&self) -> usize {
        self.max_keys
    }

    /// How many keys the store holds now, expired ones not yet dropped
    /// included. Never above [`Self::max_keys`] once a decision returns.
    pub fn tracked_keys(&self) -> usize {
        self.shards.iter().map(|s| lock(s).map.len()).sum()
    }

    fn shard_of(&self, key: &Key) -> usize {
        (self.hasher.hash_one(key) % self.shards.len() as u64) as usize
    }

    fn next_stamp(&self) -> u64 {
        self.stamp.fetch_add(1, Ordering::Relaxed)
    }

    /// Locks the shards of `keys`, in ascending order.
    fn lock_for<'a>(&'a self, keys: &[Key]) -> Locked<'a> {
        let mut idx: Vec<usize> = keys.iter().map(|k| self.shard_of(k)).collect();
        idx.sort_unstable();
        idx.dedup();
        Locked {
            guards: idx
                .into_iter()
                .map(|i| (i, lock(&self.shards[i])))
                .collect(),
        }
    }

    fn decide_plan(&self, plan: &Plan) -> Verdict {
        let now = plan.now;
        let keys = plan_keys(plan);
        let mut locked = self.lock_for(&keys);
        let stamp = self.next_stamp();
        let mut verdict = Verdict::default();
        let mut deny = |mode: Mode, denial: Denial| match mode {
            Mode::Enforce => verdict.denied.push(denial),
            Mode::Monitor => verdict.monitored.push(denial),
        };

        for limit in &plan.limits {
            let key = Key::Log(limit.key.clone());
            let log = locked.read_log(self.shard_of(&key), &key, now, stamp);
            let n = log.map_or(0, |l| l.count(now, limit.window_ms));
            if n.saturating_add(1) > u64::from(limit.max) {
                deny(
                    limit.mode,
                    Denial {
                        rule: limit.rule,
                        key: limit.key.clone(),
                        retry_after_ms: limit_retry(log, now, limit),
                    },
                );
            }
        }
        for spend in &plan.spends {
            let key = Key::Log(spend.key.clone());
            let log = locked.read_log(self.shard_of(&key), &key, now, stamp);
            let s = log.map_or(0, |l| l.sum(now, spend.window_ms));
            if s.saturating_add(spend.cost) > spend.max {
                deny(
                    spend.mode,
                    Denial {
                        rule: spend.rule,
                        key: spend.key.clone(),
                        retry_after_ms: spend_retry(log, now, spend),
                    },
                );
            }
        }
        let mut found = Vec::with_capacity(plan.breakers.len());
        let mut trips = Vec::new();
        for (i, b) in plan.breakers.iter().enumerate() {
            let key = Key::Breaker(b.key.clone());
            let state = locked.read_breaker(self.shard_of(&key), &key, now, stamp);
            let (f, refused) = match state {
                Some(st) if st.open_until.is_some() => {
                    let open = st.open_until.unwrap_or(0);
                    if open > now {
                        (BreakerFound::Hold, Some(open - now))
                    } else {
                        match st.probe_until {
                            Some(p) if p > now => (BreakerFound::Hold, Some(p - now)),
                            _ => (BreakerFound::HalfOpen, None),
                        }
                    }
                }
                _ => {
                    let s = state.map_or(0, |st| st.sends.count(now, b.window_ms));
                    let v = state.map_or(0, |st| st.verified.count(now, b.window_ms));
                    if s >= u64::from(b.min_sends)
                        && v.saturating_mul(1000)
                            < s.saturating_mul(u64::from(b.min_verified_permille))
                    {
                        if b.mode == Mode::Enforce {
                            trips.push(i);
                        }
                        (BreakerFound::Closed, Some(b.cool_off_ms))
                    } else {
                        (BreakerFound::Closed, None)
                    }
                }
            };
            if let Some(retry) = refused {
                deny(
                    b.mode,
                    Denial {
                        rule: b.rule,
                        key: b.key.clone(),
                        retry_after_ms: Some(retry),
                    },
                );
            }
            found.push(f);
        }

        if !verdict.allowed() {
            for i in trips {
                let b = &plan.breakers[i];
                let key = Key::Breaker(b.key.clone());
                let st = locked.write_breaker(self.shard_of(&key), key, now, breaker_ttl(b), stamp);
                st.open_until = Some(now.saturating_add(b.cool_off_ms));
            }
        } else {
            for limit in plan.limits.iter().filter(|l| l.consume) {
                let key = Key::Log(limit.key.clone());
                let log = locked.write_log(self.shard_of(&key), key, now, limit.window_ms, stamp);
                log.append(now, limit.window_ms, 1, Some(limit.max as usize));
            }
            for spend in &plan.spends {
                let key = Key::Log(spend.key.clone());
                let log = locked.write_log(self.shard_of(&key), key, now, spend.window_ms, stamp);
                log.append(now, spend.window_ms, spend.cost, None);
            }
            for (b, f) in plan.breakers.iter().zip(&found) {
                let key = Key::Breaker(b.key.clone());
                match f {
                    BreakerFound::Hold => {}
                    BreakerFound::HalfOpen => {
                        let st = locked.write_breaker(
                            self.shard_of(&key),
                            key,
                            now,
                            breaker_ttl(b),
                            stamp,
                        );
                        st.probe_until = Some(now.saturating_add(b.probe_ms));
                    }
                    BreakerFound::Closed => {
                        let st = locked.write_breaker(
                            self.shard_of(&key),
                            key,
                            now,
                            breaker_ttl(b),
                            stamp,
                        );
                        st.sends.append(now, b.window_ms, 1, Some(BREAKER_LOG_MAX));
                    }
                }
            }
        }
        locked.enforce_cap(self.per_shard, now);
        verdict
    }

    fn verified_now(&self, now: Millis, breakers: &[Breaker]) {
        let keys: Vec<Key> = breakers
            .iter()
            .map(|b| Key::Breaker(b.key.clone()))
            .collect();
        let mut locked = self.lock_for(&keys);
        let stamp = self.next_stamp();
        for (b, key) in breakers.iter().zip(keys) {
            let shard = self.shard_of(&key);
            let st = locked.write_breaker(shard, key.clone(), now, breaker_ttl(b), stamp);
            st.verified
                .append(now, b.window_ms, 1, Some(BREAKER_LOG_MAX));
            if st.open_until.is_some_and(|open| open <= now) {
                locked.remove(shard, &key);
            }
        }
        locked.enforce_cap(self.per_shard, now);
    }

    fn record_now(&self, now: Millis, limit: &Limit) {
        let key = Key::Log(limit.key.clone());
        let mut locked = self.lock_for(std::slice::from_ref(&key));
        let stamp = self.next_stamp();
        let log = locked.write_log(self.shard_of(&key), key, now, limit.window_ms, stamp);
        log.append(now, limit.window_ms, 1, Some(limit.max as usize));
        locked.enforce_cap(self.per_shard, now);
    }
}

fn plan_keys(plan: &Plan) -> Vec<Key> {
    plan.limits
        .iter()
        .map(|l| Key::Log(l.key.clone()))
        .chain(plan.spends.iter().map(|s| Key::Log(s.key.clone())))
        .chain(plan.breakers.iter().map(|b| Key::Breaker(b.key.clone())))
        .collect()
}

/// A poisoned shard is still consistent (every write completes before it
/// can panic, and nothing in a decision panics): take it.
fn lock(m: &Mutex<Shard>) -> MutexGuard<'_, Shard> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

struct Locked<'a> {
    guards: Vec<(usize, MutexGuard<'a, Shard>)>,
}

impl Locked<'_> {
    fn shard(&mut self, idx: usize) -> &mut Shard {
        let pos = self.guards.iter().position(|(i, _)| *i == idx).unwrap_or(0);
        &mut self.guards[pos].1
    }

    /// The live entry of `key`, touched; an expired one is dropped.
    fn live(&mut self, idx: usize, key: &Key, now: Millis, stamp: u64) -> Option<&mut Entry> {
        let shard = self.shard(idx);
        if shard.map.get(key).is_some_and(|e| e.expires_at <= now) {
            shard.map.remove(key);
            return None;
        }
        let entry = shard.map.get_mut(key)?;
        entry.touched = stamp;
        Some(entry)
    }

    fn read_log(&mut self, idx: usize, key: &Key, now: Millis, stamp: u64) -> Option<&Log> {
        match self.live(idx, key, now, stamp) {
            Some(Entry {
                data: Data::Log(log),
                ..
            }) => Some(log),
            _ => None,
        }
    }

    fn read_breaker(
        &mut self,
        idx: usize,
        key: &Key,
        now: Millis,
        stamp: u64,
    ) -> Option<&BreakerState> {
        match self.live(idx, key, now, stamp) {
            Some(Entry {
                data: Data::Breaker(st),
                ..
            }) => Some(st),
            _ => None,
        }
    }

    /// The entry of `key` for a write: created when absent or expired, its
    /// expiry pushed to at least `now + ttl`.
    fn write_entry(
        &mut self,
        idx: usize,
        key: Key,
        now: Millis,
        ttl: u64,
        stamp: u64,
        fresh: fn() -> Data,
    ) -> &mut Entry {
        let shard = self.shard(idx);
        let entry = shard.map.entry(key).or_insert_with(|| Entry {
            expires_at: 0,
            touched: stamp,
            data: fresh(),
        });
        if entry.expires_at <= now {
            entry.data = fresh();
        }
        entry.expires_at = entry.expires_at.max(now.saturating_add(ttl));
        entry.touched = stamp;
        entry
    }

    fn write_log(&mut self, idx: usize, key: Key, now: Millis, ttl: u64, stamp: u64) -> &mut Log {
        let entry = self.write_entry(idx, key, now, ttl, stamp, || Data::Log(Log::default()));
        if !matches!(entry.data, Data::Log(_)) {
            entry.data = Data::Log(Log::default());
        }
        match &mut entry.data {
            Data::Log(log) => log,
            Data::Breaker(_) => unreachable!("replaced just above"),
        }
    }

    fn write_breaker(
        &mut self,
        idx: usize,
        key: Key,
        now: Millis,
        ttl: u64,
        stamp: u64,
    ) -> &mut BreakerState {
        let entry = self.write_entry(idx, key, now, ttl, stamp, || {
            Data::Breaker(BreakerState::default())
        });
        if !matches!(entry.data, Data::Breaker(_)) {
            entry.data = Data::Breaker(BreakerState::default());
        }
        match &mut entry.data {
            Data::Breaker(st) => st,
            Data::Log(_) => unreachable!("replaced just above"),
        }
    }

    fn remove(&mut self, idx: usize, key: &Key) {
        self.shard(idx).map.remove(key);
    }

    /// Brings every locked shard back to at most `cap` keys: expired keys
    /// first, then the least recently touched, an eighth of `cap` at once.
    fn enforce_cap(&mut self, cap: usize, now: Millis) {
        for (_, shard) in &mut self.guards {
            if shard.map.len() <= cap {
                continue;
            }
            shard.map.retain(|_, e| e.expires_at > now);
            if shard.map.len() <= cap {
                continue;
            }
            let target = cap - cap / 8;
            let drop = shard.map.len() - target;
            let mut stamps: Vec<u64> = shard.map.values().map(|e| e.touched).collect();
            let (_, nth, _) = stamps.select_nth_unstable(drop - 1);
            let cutoff = *nth;
            // Keys touched by one operation share its stamp: the cut may
            // drop a few more than `drop`, never fewer.
            shard.map.retain(|_, e| e.touched > cutoff);
        }
    }
}

impl Store for MemoryStore {
    fn decide(&self, plan: &Plan) -> Result<Verdict, StoreError> {
        Ok(self.decide_plan(plan))
    }

    fn verified(&self, now: Millis, breakers: &[Breaker]) -> Result<(), StoreError> {
        self.verified_now(now, breakers);
        Ok(())
    }

    fn record(&self, now: Millis, limit: &Limit) -> Result<(), StoreError> {
        self.record_now(now, limit);
        Ok(())
    }
}

impl AsyncStore for MemoryStore {
    fn decide<'a>(
        &'a self,
        plan: &'a Plan,
    ) -> Pin<Box<dyn Future<Output = Result<Verdict, StoreError>> + Send + 'a>> {
        let verdict = self.decide_plan(plan);
        Box::pin(std::future::ready(Ok(verdict)))
    }

    fn verified<'a>(
        &'a self,
        now: Millis,
        breakers: &'a [Breaker],
    ) -> Pin<Box<dyn Future<Output = Result<(), StoreError>> + Send + 'a>> {
        self.verified_now(now, breakers);
        Box::pin(std::future::ready(Ok(())))
    }

    fn record<'a>(
        &'a self,
        now: Millis,
        limit: &'a Limit,
    ) -> Pin<Box<dyn Future<Output = Result<(), StoreError>> + Send + 'a>> {
        self.record_now(now, limit);
        Box::pin(std::future::ready(Ok(())))
    }
}

#[cfg(test)]
// `&[x.clone()]` reads better than `from_ref` in a plan of several checks.
#[allow(clippy::cloned_ref_to_slice_refs)]
mod tests {
    use super::*;
    use verify_core::guard::Rule;

    fn limit(key: &str, window_ms: u64, max: u32) -> Limit {
        Limit {
            rule: Rule::NumberShortWindow,
            key: key.into(),
            window_ms,
            max,
            mode: Mode::Enforce,
            consume: true,
        }
    }

    fn spend(key: &str, max: u64, cost: u64) -> Spend {
        Spend {
            rule: Rule::GlobalSpend,
            key: key.into(),
            window_ms: 1_000,
            max,
            cost,
            mode: Mode::Enforce,
        }
    }

    fn breaker(key: &str) -> Breaker {
        Breaker {
            rule: Rule::ConversionCountry,
            key: key.into(),
            window_ms: 10_000,
            min_sends: 4,
            min_verified_permille: 500,
            cool_off_ms: 5_000,
            probe_ms: 1_000,
            mode: Mode::Enforce,
        }
    }

    fn plan(now: Millis, limits: &[Limit], spends: &[Spend], breakers: &[Breaker]) -> Plan {
        Plan {
            now,
            limits: limits.to_vec(),
            spends: spends.to_vec(),
            breakers: breakers.to_vec(),
        }
    }

    fn retry(v: &Verdict) -> Vec<Option<u64>> {
        v.denied.iter().map(|d| d.retry_after_ms).collect()
    }

    #[test]
    fn a_cooldown_refuses_until_its_window_has_passed() {
        let s = MemoryStore::new();
        let l = limit("nc:1", 30_000, 1);
        assert!(
            s.decide_plan(&plan(100_000, &[l.clone()], &[], &[]))
                .allowed()
        );
        let v = s.decide_plan(&plan(110_000, &[l.clone()], &[], &[]));
        assert_eq!(v.denied.len(), 1);
        assert_eq!(v.denied[0].rule, Rule::NumberShortWindow);
        assert_eq!(v.denied[0].key, "nc:1");
        assert_eq!(retry(&v), [Some(20_000)]);
        // t > now - window: at exactly now = t + window the entry is gone.
        let v = s.decide_plan(&plan(129_999, &[l.clone()], &[], &[]));
        assert_eq!(retry(&v), [Some(1)]);
        assert!(s.decide_plan(&plan(130_000, &[l], &[], &[])).allowed());
    }

    #[test]
    fn a_window_retries_when_enough_entries_have_left_it() {
        let s = MemoryStore::new();
        let l = limit("ns:1", 1_000, 3);
        for now in [10_000, 10_100, 10_200] {
            assert!(s.decide_plan(&plan(now, &[l.clone()], &[], &[])).allowed());
        }
        // n = 3, max = 3: k = 0, the oldest entry frees a place.
        let v = s.decide_plan(&plan(10_500, &[l.clone()], &[], &[]));
        assert_eq!(retry(&v), [Some(10_000 + 1_000 - 10_500)]);
        // A smaller max on the same log: k = n - max = 2.
        let v = s.decide_plan(&plan(10_500, &[limit("ns:1", 1_000, 1)], &[], &[]));
        assert_eq!(retry(&v), [Some(10_200 + 1_000 - 10_500)]);
        // max == 0: never, so no retry.
        let v = s.decide_plan(&plan(10_500, &[limit("ns:2", 1_000, 0)], &[], &[]));
        assert_eq!(retry(&v), [None]);
        assert!(s.decide_plan(&plan(11_000, &[l], &[], &[])).allowed());
    }

    #[test]
    fn a_denied_plan_consumes_nothing() {
        let s = MemoryStore::new();
        let free = limit("a", 1_000, 5);
        let full = limit("b", 1_000, 1);
        assert!(s.decide_plan(&plan(0, &[full.clone()], &[], &[])).allowed());
        for now in 1..=10 {
            let v = s.decide_plan(&plan(
                now,
                &[free.clone(), full.clone()],
                &[spend("c", 10, 3)],
                &[],
            ));
            assert!(!v.allowed());
        }
        // Neither `a` nor `c` counted the refused plans.
        let v = s.decide_plan(&plan(20, &[limit("a", 1_000, 1)], &[spend("c", 3, 3)], &[]));
        assert!(v.allowed(), "{v:?}");
    }

    #[test]
    fn a_check_that_only_looks_consumes_nothing_and_record_appends_whatever_the_count() {
        let s = MemoryStore::new();
        let mut look = limit("w:1", 1_000, 2);
        look.consume = false;
        for now in 0..5 {
            assert!(
                s.decide_plan(&plan(now, &[look.clone()], &[], &[]))
                    .allowed()
            );
        }
        for now in 10..15 {
            s.record_now(now, &look);
        }
        let v = s.decide_plan(&plan(20, &[look.clone()], &[], &[]));
        // record keeps the newest `max` entries: 13 and 14; k = 0.
        assert_eq!(retry(&v), [Some(13 + 1_000 - 20)]);
    }

    #[test]
    fn a_spend_sums_its_window_and_retries_when_enough_has_left_it() {
        let s = MemoryStore::new();
        assert!(
            s.decide_plan(&plan(0, &[], &[spend("g", 10, 4)], &[]))
                .allowed()
        );
        assert!(
            s.decide_plan(&plan(100, &[], &[spend("g", 10, 3)], &[]))
                .allowed()
        );
        assert!(
            s.decide_plan(&plan(200, &[], &[spend("g", 10, 3)], &[]))
                .allowed()
        );
        // s = 10; cost 5 needs 5 freed: 4 (t=0) then 3 (t=100).
        let v = s.decide_plan(&plan(300, &[], &[spend("g", 10, 5)], &[]));
        assert_eq!(retry(&v), [Some(100 + 1_000 - 300)]);
        // cost above max: never.
        let v = s.decide_plan(&plan(300, &[], &[spend("g", 10, 11)], &[]));
        assert_eq!(retry(&v), [None]);
        // Exactly max is allowed.
        assert!(
            s.decide_plan(&plan(1_000, &[], &[spend("g", 10, 4)], &[]))
                .allowed()
        );
    }

    #[test]
    fn a_breaker_trips_holds_probes_and_closes_on_a_verified_code() {
        let s = MemoryStore::new();
        let b = breaker("cc:GB");
        let d = |now| s.decide_plan(&plan(now, &[], &[], &[b.clone()]));
        // 4 sends, 1 verified: 250‰ < 500‰ once min_sends is reached.
        for now in 0..4 {
            assert!(d(now).allowed());
        }
        s.verified_now(4, &[b.clone()]);
        let v = d(10);
        assert_eq!(retry(&v), [Some(5_000)]);
        // Open: refused until open_until.
        assert_eq!(retry(&d(3_010)), [Some(2_000)]);
        // Half-open: one probe at a time.
        assert!(d(5_010).allowed());
        assert_eq!(retry(&d(5_500)), [Some(510)]);
        assert!(d(6_010).allowed());
        // A verified code while half-open closes it and clears both logs.
        s.verified_now(6_100, &[b.clone()]);
        for now in 6_200..6_204 {
            assert!(d(now).allowed());
        }
        // The fifth send sees 4 sends, 0 verified: trips again.
        assert_eq!(retry(&d(6_300)), [Some(5_000)]);
    }

    #[test]
    fn a_verified_code_while_open_does_not_close_it() {
        let s = MemoryStore::new();
        let b = breaker("cb:1");
        for now in 0..4 {
            assert!(s.decide_plan(&plan(now, &[], &[], &[b.clone()])).allowed());
        }
        assert!(!s.decide_plan(&plan(5, &[], &[], &[b.clone()])).allowed());
        s.verified_now(6, &[b.clone()]);
        let v = s.decide_plan(&plan(7, &[], &[], &[b.clone()]));
        assert_eq!(retry(&v), [Some(4_998)]);
    }

    #[test]
    fn a_monitored_check_reports_and_counts_but_refuses_nothing() {
        let s = MemoryStore::new();
        let mut l = limit("n:1", 1_000, 1);
        l.mode = Mode::Monitor;
        let mut b = breaker("cc:XX");
        b.mode = Mode::Monitor;
        for now in 0..4 {
            assert!(
                s.decide_plan(&plan(now, &[l.clone()], &[], &[b.clone()]))
                    .allowed()
            );
        }
        let v = s.decide_plan(&plan(4, &[l.clone()], &[], &[b.clone()]));
        assert!(v.allowed());
        assert_eq!(v.monitored.len(), 2);
        assert_eq!(v.monitored[0].retry_after_ms, Some(3 + 1_000 - 4));
        assert_eq!(v.monitored[1].retry_after_ms, Some(5_000));
        // A monitored trip is not stored: the same breaker enforced is
        // closed and trips on its own count.
        let mut enforced = b.clone();
        enforced.mode = Mode::Enforce;
        let v = s.decide_plan(&plan(5, &[], &[], &[enforced.clone()]));
        assert_eq!(retry(&v), [Some(5_000)]);
        let v = s.decide_plan(&plan(6, &[], &[], &[enforced]));
        assert_eq!(retry(&v), [Some(4_999)]);
    }

    #[test]
    fn idle_keys_expire() {
        let s = MemoryStore::with_max_keys(16);
        let l = limit("n:1", 1_000, 1);
        assert!(s.decide_plan(&plan(0, &[l.clone()], &[], &[])).allowed());
        assert_eq!(s.tracked_keys(), 1);
        // Many new keys after its window: the expired one goes first.
        for i in 0..64 {
            let k = limit(&format!("n:x{i}"), 1_000_000, 1);
            assert!(s.decide_plan(&plan(2_000 + i, &[k], &[], &[])).allowed());
        }
        assert!(s.tracked_keys() <= 16);
    }

    #[test]
    fn memory_stays_flat_while_a_million_numbers_pass() {
        let cap = 20_000;
        let s = MemoryStore::with_max_keys(cap);
        let hour = 3_600_000;
        let mut high = 0;
        for i in 0..1_000_000u64 {
            let number = 15_550_000_000 + i;
            let p = plan(
                1_000 + i,
                &[
                    limit(&format!("n:{number}"), hour, 3),
                    limit(&format!("b:{}", number / 1000), hour, 10),
                ],
                &[],
                &[],
            );
            let v = s.decide_plan(&p);
            // Each block takes ten numbers, then refuses.
            assert_eq!(v.allowed(), number % 1000 < 10, "{number}");
            if i % 10_000 == 0 {
                high = high.max(s.tracked_keys());
            }
        }
        assert!(high <= cap && s.tracked_keys() <= cap, "{high}");
        assert!(s.tracked_keys() > cap / 2);
    }

    #[test]
    fn the_least_recently_touched_keys_go_first() {
        let s = MemoryStore::with_max_keys(160);
        let keep = limit("keep", 1_000_000, 2);
        assert!(s.decide_plan(&plan(0, &[keep.clone()], &[], &[])).allowed());
        let other = limit("other", 1_000_000, 1);
        assert!(
            s.decide_plan(&plan(0, &[other.clone()], &[], &[]))
                .allowed()
        );
        for i in 0..2_000 {
            // `keep` is read by every decision (it is in every plan).
            let k = limit(&format!("k{i}"), 1_000_000, 5);
            let mut look = keep.clone();
            look.consume = false;
            assert!(s.decide_plan(&plan(1 + i, &[look, k], &[], &[])).allowed());
        }
        assert!(s.tracked_keys() <= 160);
        // `keep` still holds its entry (one more fits, then it refuses);
        // `other`, never touched since, was forgotten.
        assert!(
            s.decide_plan(&plan(3_000, &[keep.clone()], &[], &[]))
                .allowed()
        );
        assert!(!s.decide_plan(&plan(3_001, &[keep], &[], &[])).allowed());
        assert!(s.decide_plan(&plan(3_002, &[other], &[], &[])).allowed());
    }

    #[test]
    fn twelve_threads_one_number_one_allowed() {
        let s = std::sync::Arc::new(MemoryStore::new());
        let allowed = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..12 {
                scope.spawn(|| {
                    let p = plan(0, &[limit("nc:1", 30_000, 1)], &[], &[]);
                    if s.decide_plan(&p).allowed() {
                        allowed.fetch_add(1, Ordering::Relaxed);
                    }
                });
            }
        });
        assert_eq!(allowed.load(Ordering::Relaxed), 1);
    }

    /// The contract's arithmetic read literally: walk the window, oldest
    /// first (what the store did before it kept running totals).
    mod walk {
        use super::*;

        pub(super) fn in_window(log: &[(Millis, u64)], now: Millis, w: u64) -> Vec<(Millis, u64)> {
            log.iter()
                .copied()
                .filter(|e| now < w || e.0 > now - w)
                .collect()
        }

        pub(super) fn limit_retry(log: &[(Millis, u64)], now: Millis, l: &Limit) -> Option<u64> {
            if l.max == 0 {
                return None;
            }
            let e = in_window(log, now, l.window_ms);
            let k = e.len().checked_sub(l.max as usize)?;
            Some((e[k].0 + l.window_ms).saturating_sub(now))
        }

        pub(super) fn spend_retry(log: &[(Millis, u64)], now: Millis, sp: &Spend) -> Option<u64> {
            if sp.cost > sp.max {
                return None;
            }
            let e = in_window(log, now, sp.window_ms);
            let mut s: u64 = e.iter().map(|x| x.1).sum();
            for (t, amount) in e {
                s -= amount;
                if s + sp.cost <= sp.max {
                    return Some((t + sp.window_ms).saturating_sub(now));
                }
            }
            None
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Running totals give what walking the window gives: counts,
        /// sums and both retries, with the clock going back now and then
        /// (an entry written before later ones) and windows of any length.
        #[test]
        fn running_totals_agree_with_walking_the_window(
            ops in proptest::collection::vec(
                (0usize..6, 0u64..40, proptest::option::of(1usize..300), 0u64..3, 1u64..4_000),
                1..600,
            ),
        ) {
            const DT: [i64; 6] = [0, 1, 3, 17, -5, 250];
            let mut log = Log::default();
            let mut plain: Vec<(Millis, u64)> = Vec::new();
            let mut now: Millis = 100_000;
            for (dt, amount, keep, window_pick, max) in ops {
                now = now.checked_add_signed(DT[dt]).unwrap();
                let window = [1_000, 30_000, 200_000][window_pick as usize];
                log.append(now, window, amount, keep);
                plain.retain(|e| now < window || e.0 > now - window);
                let at = plain.partition_point(|e| e.0 <= now);
                plain.insert(at, (now, amount));
                if let Some(keep) = keep {
                    let drop = plain.len().saturating_sub(keep);
                    plain.drain(..drop);
                }
                let got: Vec<(Millis, u64)> = log.entries.iter().map(|e| (e.t, e.amount)).collect();
                proptest::prop_assert_eq!(&got, &plain);
                // Read at a later time, with each window.
                let read = now + max % 700;
                for w in [1_000, 30_000, 200_000] {
                    let e = walk::in_window(&plain, read, w);
                    proptest::prop_assert_eq!(log.count(read, w), e.len() as u64);
                    proptest::prop_assert_eq!(log.sum(read, w), e.iter().map(|x| x.1).sum::<u64>());
                    let mut l = limit("l", w, (max % 40) as u32);
                    proptest::prop_assert_eq!(
                        limit_retry(Some(&log), read, &l),
                        walk::limit_retry(&plain, read, &l)
                    );
                    l.max = 1;
                    proptest::prop_assert_eq!(
                        limit_retry(Some(&log), read, &l),
                        walk::limit_retry(&plain, read, &l)
                    );
                    let mut sp = spend("s", max, 1 + max % 50);
                    sp.window_ms = w;
                    // Only a refused spend asks for its retry.
                    if log.sum(read, w) + sp.cost > sp.max {
                        proptest::prop_assert_eq!(
                            spend_retry(Some(&log), read, &sp),
                            walk::spend_retry(&plain, read, &sp)
                        );
                    }
                }
            }
        }
    }
}
