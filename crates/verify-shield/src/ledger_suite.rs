//! The one test suite every ledger store passes (the in-memory one here,
//! the Redis one in `verify-shield-redis`): claims, records, times to live,
//! compare-and-replace, and races between threads.
//!
//! For a store's own tests; it panics on the first rule a store breaks.
//!
//! ```
//! use verify_shield::MemoryLedger;
//! use verify_shield::ledger_suite::{ManualClock, run};
//! run(MemoryLedger::new, &ManualClock::default());
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use verify_core::ledger::{Claim, Failure, Ledger, Millis, Pending, PendingKey, PendingStatus};
use verify_core::neutral::{DeliveryState, Started};

/// The time the suite runs at, and how it lets time pass.
pub trait SuiteClock: Sync {
    /// Now, in milliseconds since the Unix epoch.
    fn now(&self) -> Millis;

    /// Lets `duration` pass (a store that counts time by its own clock
    /// needs it to pass for real).
    fn pass(&self, duration: Duration);
}

/// A clock that moves only when told: for a store that counts time by the
/// `now` it is given (the in-memory one).
#[derive(Debug)]
pub struct ManualClock(AtomicU64);

impl Default for ManualClock {
    fn default() -> Self {
        Self(AtomicU64::new(1_700_000_000_000))
    }
}

impl SuiteClock for ManualClock {
    fn now(&self) -> Millis {
        self.0.load(Ordering::SeqCst)
    }

    fn pass(&self, duration: Duration) {
        let ms = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

/// The system clock, and real waiting: for a store that counts time to
/// live by its own clock (Redis).
#[derive(Debug, Default)]
pub struct SystemClock;

impl SuiteClock for SystemClock {
    fn now(&self) -> Millis {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    fn pass(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// Runs every case against ledgers from `make` (a fresh one per case; they
/// may share one store: the cases use keys of their own).
pub fn run<L: Ledger>(make: impl Fn() -> L, clock: &dyn SuiteClock) {
    claims_answer_what_is_there(&make(), clock);
    a_failure_is_kept_and_a_release_frees(&make(), clock);
    keys_are_apart(&make(), clock);
    every_record_expires(&make(), clock);
    pending_records_are_replaced_only_from_what_is_there(&make(), clock);
    one_thread_of_eight_claims(&make(), clock);
    one_thread_of_eight_replaces(&make(), clock);
}

const LONG: Duration = Duration::from_secs(600);
/// Short enough to wait out, long enough that a record written just now is
/// still there when read back.
const SHORT: Duration = Duration::from_millis(300);

fn started() -> Started {
    Started {
        id: "telesign:0123456789ABCDEF0123456789ABCDEF"
            .parse()
            .expect("an id"),
        delivery: DeliveryState::Sent,
        message_may_have_been_sent: true,
        replayed: false,
        replaces: Some(
            "dotdigital:0bd57dc3-580c-4c1d-8aee-2ff79bd8633c"
                .parse()
                .expect("an id"),
        ),
    }
}

fn failure() -> Failure {
    Failure {
        provider: Some(verify_core::Provider::TeleSign),
        attempts: 1,
        detail: "timed out (the request may have been written)".into(),
        message_may_have_been_sent: true,
    }
}

fn pending(wrong_codes: u32) -> Pending {
    let mut p = Pending::new(started().id, 1_000, 601_000);
    p.wrong_codes = wrong_codes;
    p
}

fn unique(name: &str, clock: &dyn SuiteClock) -> String {
    // A store shared between runs (one Redis) must not see an old key.
    format!("suite:{name}:{}", clock.now())
}

fn claims_answer_what_is_there(l: &dyn Ledger, clock: &dyn SuiteClock) {
    let key = unique("claims", clock);
    let now = clock.now();
    assert_eq!(l.claim(&key, LONG, now, false), Ok(Claim::Claimed));
    assert_eq!(l.claim(&key, LONG, now, false), Ok(Claim::InFlight));
    // An in-flight start is never replaced, not even for a resend.
    assert_eq!(l.claim(&key, LONG, now, true), Ok(Claim::InFlight));
    l.complete(&key, &started(), LONG, now).expect("completed");
    assert_eq!(l.claim(&key, LONG, now, false), Ok(Claim::Done(started())));
    assert_eq!(l.claim(&key, LONG, now, false), Ok(Claim::Done(started())));
    // A resend replaces a finished start with its own claim.
    assert_eq!(l.claim(&key, LONG, now, true), Ok(Claim::Claimed));
    assert_eq!(l.claim(&key, LONG, now, false), Ok(Claim::InFlight));
}

fn a_failure_is_kept_and_a_release_frees(l: &dyn Ledger, clock: &dyn SuiteClock) {
    let key = unique("failure", clock);
    let now = clock.now();
    assert_eq!(l.claim(&key, LONG, now, false), Ok(Claim::Claimed));
    l.fail(&key, &failure(), LONG, now).expect("failed");
    assert_eq!(
        l.claim(&key, LONG, now, false),
        Ok(Claim::Failed(failure()))
    );
    assert_eq!(l.claim(&key, LONG, now, true), Ok(Claim::Claimed));
    l.release(&key, now).expect("released");
    assert_eq!(l.claim(&key, LONG, now, false), Ok(Claim::Claimed));
    l.release(&key, now).expect("released");
    l.release(&key, now)
        .expect("a second release changes nothing");
}

fn keys_are_apart(l: &dyn Ledger, clock: &dyn SuiteClock) {
    let key = unique("apart", clock);
    let other = format!("{key}:other");
    let now = clock.now();
    assert_eq!(l.claim(&key, LONG, now, false), Ok(Claim::Claimed));
    assert_eq!(l.claim(&other, LONG, now, false), Ok(Claim::Claimed));
    // An idempotency key spelled like a pending verification's place is
    // still an idempotency key.
    let at = PendingKey::new(key.clone(), "15555550100");
    assert_eq!(l.pending(&at, now), Ok(None));
    l.put_pending(&at, &pending(0), LONG, now).expect("kept");
    assert_eq!(l.claim(&at.joined(), LONG, now, false), Ok(Claim::Claimed));
    for other in [
        PendingKey::new(format!("{key}x"), "15555550100"),
        PendingKey::new(key.clone(), "15555550101"),
    ] {
        assert_eq!(l.pending(&other, now), Ok(None), "{other:?}");
    }
    assert_eq!(l.pending(&at, now), Ok(Some(pending(0))));
}

fn every_record_expires(l: &dyn Ledger, clock: &dyn SuiteClock) {
    let key = unique("expiry", clock);
    let (claimed, done, failed) = (format!("{key}:c"), format!("{key}:d"), format!("{key}:f"));
    let at = PendingKey::new(key.clone(), "15555550100");
    let now = clock.now();
    assert_eq!(l.claim(&claimed, SHORT, now, false), Ok(Claim::Claimed));
    assert_eq!(l.claim(&done, LONG, now, false), Ok(Claim::Claimed));
    l.complete(&done, &started(), SHORT, now)
        .expect("completed");
    assert_eq!(l.claim(&failed, LONG, now, false), Ok(Claim::Claimed));
    l.fail(&failed, &failure(), SHORT, now).expect("failed");
    l.put_pending(&at, &pending(0), SHORT, now).expect("kept");
    assert_eq!(l.claim(&done, LONG, now, false), Ok(Claim::Done(started())));
    assert_eq!(l.pending(&at, now), Ok(Some(pending(0))));
    clock.pass(SHORT * 3);
    let now = clock.now();
    for key in [&claimed, &done, &failed] {
        assert_eq!(l.claim(key, LONG, now, false), Ok(Claim::Claimed), "{key}");
    }
    assert_eq!(l.pending(&at, now), Ok(None));
    // A replaced record takes the new time to live.
    l.put_pending(&at, &pending(0), LONG, now).expect("kept");
    assert_eq!(
        l.replace_pending(&at, &pending(0), &pending(1), SHORT, now),
        Ok(true)
    );
    clock.pass(SHORT * 3);
    assert_eq!(l.pending(&at, clock.now()), Ok(None));
}

fn pending_records_are_replaced_only_from_what_is_there(l: &dyn Ledger, clock: &dyn SuiteClock) {
    let at = PendingKey::new(unique("cas", clock), "15555550100");
    let now = clock.now();
    assert_eq!(
        l.replace_pending(&at, &pending(0), &pending(1), LONG, now),
        Ok(false),
        "nothing there to replace"
    );
    assert_eq!(l.pending(&at, now), Ok(None));
    l.put_pending(&at, &pending(0), LONG, now).expect("kept");
    assert_eq!(
        l.replace_pending(&at, &pending(5), &pending(6), LONG, now),
        Ok(false)
    );
    assert_eq!(l.pending(&at, now), Ok(Some(pending(0))));
    assert_eq!(
        l.replace_pending(&at, &pending(0), &pending(1), LONG, now),
        Ok(true)
    );
    let mut closed = pending(1);
    closed.status = PendingStatus::Verified;
    assert_eq!(
        l.replace_pending(&at, &pending(1), &closed, LONG, now),
        Ok(true)
    );
    assert_eq!(l.pending(&at, now), Ok(Some(closed)));
    // put replaces whatever is there.
    l.put_pending(&at, &pending(0), LONG, now).expect("kept");
    assert_eq!(l.pending(&at, now), Ok(Some(pending(0))));
}

fn one_thread_of_eight_claims(l: &dyn Ledger, clock: &dyn SuiteClock) {
    let key = unique("race", clock);
    let now = clock.now();
    let claims: Vec<Claim> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..8)
            .map(|_| s.spawn(|| l.claim(&key, LONG, now, false).expect("claimed")))
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().expect("a thread"))
            .collect()
    });
    let won = claims.iter().filter(|c| **c == Claim::Claimed).count();
    assert_eq!(won, 1, "{claims:?}");
    assert!(
        claims
            .iter()
            .all(|c| matches!(c, Claim::Claimed | Claim::InFlight))
    );
}

fn one_thread_of_eight_replaces(l: &dyn Ledger, clock: &dyn SuiteClock) {
    let at = PendingKey::new(unique("cas-race", clock), "15555550100");
    let now = clock.now();
    l.put_pending(&at, &pending(0), LONG, now).expect("kept");
    let replaced: Vec<bool> = std::thread::scope(|s| {
        let threads: Vec<_> = (1..=8)
            .map(|n| {
                let at = &at;
                s.spawn(move || {
                    l.replace_pending(at, &pending(0), &pending(n), LONG, now)
                        .expect("answered")
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().expect("a thread"))
            .collect()
    });
    assert_eq!(replaced.iter().filter(|r| **r).count(), 1, "{replaced:?}");
    let winner = replaced.iter().position(|r| *r).unwrap_or(0) + 1;
    let winner = u32::try_from(winner).unwrap_or(0);
    assert_eq!(l.pending(&at, now), Ok(Some(pending(winner))));
}
