//! Every client's builder: settings first, then the transport's own set-up.

use std::fmt;
use std::marker::PhantomData;

use super::{Settings, Timeouts};
use crate::ProviderConfig;
use crate::retry::RetryPolicy;

/// Implemented by a transport's client so that [`Builder`] can build it.
pub trait BuildClient: Sized {
    /// What [`Builder::build`] returns: the client, or a result when
    /// building can fail.
    type Built;

    /// Builds the client from finished settings.
    fn build(settings: Settings) -> Self::Built;
}

/// Settings for a client `C`; every transport's `Client::builder` returns one.
pub struct Builder<C> {
    settings: Settings,
    client: PhantomData<fn() -> C>,
}

impl<C> Clone for Builder<C> {
    fn clone(&self) -> Self {
        Self {
            settings: self.settings.clone(),
            client: PhantomData,
        }
    }
}

impl<C> fmt::Debug for Builder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Builder").field(&self.settings).finish()
    }
}

impl<C: BuildClient> Builder<C> {
    /// Default settings for a client whose first choice is `primary`.
    pub fn new(primary: impl Into<ProviderConfig>) -> Self {
        Self {
            settings: Settings::new(primary),
            client: PhantomData,
        }
    }

    /// A backup provider for provider-neutral sends (and for operations
    /// addressed to its provider). TeleSign as backup is told
    /// `is_primary=false`.
    pub fn backup(mut self, backup: impl Into<ProviderConfig>) -> Self {
        self.settings.backup = Some(backup.into());
        self
    }

    /// Also fail over when the primary may have sent a message (a timeout, a
    /// reset after the request was written). The user may then get two
    /// codes. Off by default.
    pub fn failover_when_maybe_sent(mut self, yes: bool) -> Self {
        self.settings.failover_when_maybe_sent = yes;
        self
    }

    /// The same time limits for every provider, instead of
    /// [`Timeouts::for_provider`].
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.settings.timeouts = Some(timeouts);
        self
    }

    /// How often and how patiently to retry (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.settings.retry_policy = policy;
        self
    }

    /// The longest response body read (default and most
    /// [`MAX_BODY_BYTES`](crate::MAX_BODY_BYTES): the parsers refuse a
    /// longer body whatever the setting, so a larger limit counts as that).
    pub fn max_body_bytes(mut self, limit: u64) -> Self {
        self.settings.max_body_bytes = limit.min(crate::MAX_BODY_BYTES as u64);
        self
    }

    /// Send every request through this HTTP proxy (HTTPS through a
    /// `CONNECT` tunnel). `NO_PROXY` in the environment still bypasses it,
    /// unless [`proxy_from_env`](Self::proxy_from_env) is off.
    pub fn proxy(mut self, proxy: super::Proxy) -> Self {
        self.settings.proxy = Some(proxy);
        self
    }

    /// Whether to read the proxy settings of the environment (on by
    /// default): `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY` and
    /// their lower-case forms.
    pub fn proxy_from_env(mut self, yes: bool) -> Self {
        self.settings.proxy_from_env = yes;
        self
    }

    /// The most idle pooled connections kept per host (default
    /// [`DEFAULT_MAX_IDLE_PER_HOST`](super::DEFAULT_MAX_IDLE_PER_HOST)).
    pub fn max_idle_per_host(mut self, connections: usize) -> Self {
        self.settings.max_idle_per_host = connections;
        self
    }

    /// Consult `guard` (an abuse shield) before every send and code check,
    /// blocking and async clients alike: one decision per logical send,
    /// before the first byte; a refusal is [`ErrorKind::Blocked`](super::ErrorKind::Blocked).
    pub fn guard<G>(mut self, guard: std::sync::Arc<G>) -> Self
    where
        G: crate::guard::Guard + crate::guard::AsyncGuard + 'static,
    {
        self.settings.guard = Some(guard.clone());
        self.settings.async_guard = Some(guard);
        self
    }

    /// A guard for blocking clients only (see [`guard`](Self::guard)).
    pub fn blocking_guard(mut self, guard: std::sync::Arc<dyn crate::guard::Guard>) -> Self {
        self.settings.guard = Some(guard);
        self
    }

    /// A guard for async clients only (see [`guard`](Self::guard)).
    pub fn async_guard(mut self, guard: std::sync::Arc<dyn crate::guard::AsyncGuard>) -> Self {
        self.settings.async_guard = Some(guard);
        self
    }

    /// The ledger that keeps idempotency keys and pending verifications
    /// (`verify_shield::MemoryLedger` for one instance,
    /// `verify_shield_redis::RedisLedger` for many): needed by a
    /// [`Start`](crate::neutral::Start) with an idempotency key or a
    /// purpose, and by a [`PendingCheck`](crate::neutral::PendingCheck).
    pub fn ledger<L>(mut self, ledger: L) -> Self
    where
        L: crate::ledger::Ledger + crate::ledger::AsyncLedger + 'static,
    {
        self.settings.ledger = Some(crate::ledger::SharedLedger::new(ledger));
        self
    }

    /// The settings so far.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Builds the client.
    pub fn build(self) -> C::Built {
        C::build(self.settings)
    }
}

/// Settings alone, for a client built by hand around a custom transport:
/// `Settings::builder(primary).backup(b).build()` gives the [`Settings`].
impl BuildClient for Settings {
    type Built = Settings;

    fn build(settings: Settings) -> Settings {
        settings
    }
}

impl Settings {
    /// Settings built step by step (see [`Builder`]).
    pub fn builder(primary: impl Into<ProviderConfig>) -> Builder<Settings> {
        Builder::new(primary)
    }
}
