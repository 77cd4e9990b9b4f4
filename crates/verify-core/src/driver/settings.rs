//! A client's settings: providers, failover, time limits, retries, body
//! limit.

use std::time::Duration;

use crate::retry::RetryPolicy;
use crate::{Provider, ProviderConfig};

/// The longest time limit the driver works with: longer settings (up to
/// `Duration::MAX`) mean "no limit" and are treated as this many years, so
/// no clock arithmetic can overflow.
pub const LONGEST_LIMIT: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// Time limits of a call at one provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// Connecting, including DNS and the TLS handshake, per attempt.
    pub connect: Duration,
    /// The whole call at one provider: every attempt and every wait between
    /// them. No call holds its caller longer than this (a backup provider,
    /// when the call fails over, gets its own).
    pub overall: Duration,
}

impl Timeouts {
    /// Defaults that fit a provider: TeleSign (both APIs) answers within
    /// seconds (10 s);
    /// dotdigital documents a 125 s server-side timeout, so 130 s.
    pub fn for_provider(provider: Provider) -> Self {
        let connect = Duration::from_secs(5);
        match provider {
            Provider::TeleSign | Provider::TeleSignVerify => Self {
                connect,
                overall: Duration::from_secs(10),
            },
            Provider::Dotdigital => Self {
                connect,
                overall: Duration::from_secs(130),
            },
        }
    }
}

/// A client's settings: providers, failover, time limits, retries, body limit.
#[derive(Clone, Debug)]
pub struct Settings {
    pub(super) primary: ProviderConfig,
    pub(super) backup: Option<ProviderConfig>,
    pub(super) failover_when_maybe_sent: bool,
    pub(super) timeouts: Option<Timeouts>,
    pub(super) retry_policy: RetryPolicy,
    pub(super) max_body_bytes: u64,
    pub(super) proxy: Option<super::Proxy>,
    pub(super) proxy_from_env: bool,
    pub(super) max_idle_per_host: usize,
    /// The abuse guard of blocking clients, and of async ones.
    pub(super) guard: Option<std::sync::Arc<dyn crate::guard::Guard>>,
    pub(super) async_guard: Option<std::sync::Arc<dyn crate::guard::AsyncGuard>>,
    pub(super) ledger: Option<crate::ledger::SharedLedger>,
}

/// How many idle connections a client keeps per host by default (see
/// [`Settings::max_idle_per_host`]): enough for a burst of concurrent calls
/// to reuse their TLS sessions, small enough that an idle client holds
/// little.
pub const DEFAULT_MAX_IDLE_PER_HOST: usize = 8;

impl Settings {
    /// Defaults for a client whose first choice is `primary`.
    pub fn new(primary: impl Into<ProviderConfig>) -> Self {
        Self {
            primary: primary.into(),
            backup: None,
            failover_when_maybe_sent: false,
            timeouts: None,
            retry_policy: RetryPolicy::default(),
            max_body_bytes: crate::MAX_BODY_BYTES as u64,
            proxy: None,
            proxy_from_env: true,
            max_idle_per_host: DEFAULT_MAX_IDLE_PER_HOST,
            guard: None,
            async_guard: None,
            ledger: None,
        }
    }

    /// The primary provider's settings.
    pub fn primary(&self) -> &ProviderConfig {
        &self.primary
    }

    /// The backup provider's settings, if any.
    pub fn backup(&self) -> Option<&ProviderConfig> {
        self.backup.as_ref()
    }

    /// The time limits for a call at `provider`.
    pub fn timeouts_for(&self, provider: Provider) -> Timeouts {
        self.timeouts
            .unwrap_or_else(|| Timeouts::for_provider(provider))
    }

    /// The longest response body a transport may read.
    pub fn max_body_bytes(&self) -> u64 {
        self.max_body_bytes
    }

    /// The explicit HTTP proxy, if one is set.
    pub fn proxy(&self) -> Option<&super::Proxy> {
        self.proxy.as_ref()
    }

    /// Whether the environment's proxy settings apply (`HTTPS_PROXY`,
    /// `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY` and their lower-case forms, as
    /// curl reads them). On by default; an explicit proxy takes precedence,
    /// and `NO_PROXY` still bypasses it.
    pub fn proxy_from_env(&self) -> bool {
        self.proxy_from_env
    }

    /// The most idle pooled connections a transport keeps per host (default
    /// [`DEFAULT_MAX_IDLE_PER_HOST`]); more are closed when they go idle.
    /// Busy connections are not counted: this bounds what an idle client
    /// holds, not how many calls run at once.
    pub fn max_idle_per_host(&self) -> usize {
        self.max_idle_per_host
    }

    /// The ledger of idempotency keys and pending verifications, if any.
    pub fn ledger(&self) -> Option<&crate::ledger::SharedLedger> {
        self.ledger.as_ref()
    }

    /// Whether a call may fail over when the primary may have sent a
    /// message.
    pub fn failover_when_maybe_sent(&self) -> bool {
        self.failover_when_maybe_sent
    }

    /// How often and how patiently calls are retried.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry_policy
    }

    /// Whether a configured base URL opted into plain `http://` (see
    /// [`BaseUrl::allow_plain_http`](crate::BaseUrl::allow_plain_http)); a
    /// transport refuses plain HTTP otherwise.
    pub fn allows_plain_http(&self) -> bool {
        std::iter::once(&self.primary)
            .chain(&self.backup)
            .any(|c| !c.base_url().is_https())
    }
}
