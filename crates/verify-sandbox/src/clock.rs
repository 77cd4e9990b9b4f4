//! The sandbox's notion of "now": the system clock, or a manual clock tests move by hand.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

/// A clock shared between a test and the sandbox.
///
/// Cloning is cheap and every clone sees the same time. [`Clock::system`] follows the
/// wall clock; [`Clock::manual`] stands still until [`Clock::advance`] or [`Clock::set`].
///
/// It is the sandbox's simulated time (code expiry, rate windows, timestamps). TeleSign's
/// HMAC `Date` check and nonce window always use the system clock, which clients sign with.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use verify_sandbox::Clock;
///
/// let clock = Clock::manual(SystemTime::UNIX_EPOCH);
/// clock.advance(Duration::from_secs(60));
/// assert_eq!(clock.now(), SystemTime::UNIX_EPOCH + Duration::from_secs(60));
/// ```
#[derive(Clone, Debug)]
pub struct Clock {
    inner: Option<Arc<Mutex<SystemTime>>>,
}

impl Clock {
    /// The system's wall clock.
    pub fn system() -> Self {
        Self { inner: None }
    }

    /// A clock that starts at `start` and only moves when told to.
    pub fn manual(start: SystemTime) -> Self {
        Self {
            inner: Some(Arc::new(Mutex::new(start))),
        }
    }

    /// Whether this is a manual clock.
    pub fn is_manual(&self) -> bool {
        self.inner.is_some()
    }

    /// The current time.
    pub fn now(&self) -> SystemTime {
        match &self.inner {
            None => SystemTime::now(),
            Some(t) => *t.lock().unwrap_or_else(PoisonError::into_inner),
        }
    }

    /// Moves a manual clock forward by `by`; the system clock ignores this.
    pub fn advance(&self, by: Duration) {
        if let Some(t) = &self.inner {
            let mut g = t.lock().unwrap_or_else(PoisonError::into_inner);
            *g = g.checked_add(by).unwrap_or(*g);
        }
    }

    /// Sets a manual clock to `at`; the system clock ignores this.
    pub fn set(&self, at: SystemTime) {
        if let Some(t) = &self.inner {
            *t.lock().unwrap_or_else(PoisonError::into_inner) = at;
        }
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}
