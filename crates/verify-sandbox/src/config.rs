//! How a sandbox is set up: listen address, credentials, limits, determinism.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand::Rng as _;

use crate::clock::Clock;

/// Configuration of a [`Sandbox`](crate::Sandbox).
///
/// [`SandboxConfig::default`] listens on `127.0.0.1:0` with freshly generated random
/// credentials and limits high enough never to get in the way;
/// [`SandboxConfig::deterministic`] also fixes the seed and a manual clock.
///
/// ```
/// use verify_sandbox::SandboxConfig;
///
/// let config = SandboxConfig::deterministic(7)
///     .with_telesign_credentials("CUSTOMER", "c2VjcmV0")
///     .with_dotdigital_credentials("user", "pass");
/// assert_eq!(config.seed, Some(7));
/// ```
#[derive(Clone)]
pub struct SandboxConfig {
    /// Address to listen on; `127.0.0.1:0` picks a free loopback port.
    pub listen: SocketAddr,
    /// The one TeleSign customer id the sandbox knows.
    pub telesign_customer_id: String,
    /// Its API key, base64 as TeleSign issues it (HMAC uses the decoded bytes).
    pub telesign_api_key: String,
    /// The one dotdigital API user the sandbox knows.
    pub dotdigital_username: String,
    /// Its password.
    pub dotdigital_password: String,
    /// `Some(seed)` makes codes and ids a pure function of the seed and request order.
    pub seed: Option<u64>,
    /// The clock of simulated time; `None` means the system clock.
    ///
    /// It drives code expiry (TeleSign `code_state`, dotdigital `validUntil`), eviction, the
    /// rate-limit and throttling windows and the times in answers and in the outbox. It does
    /// not drive the TeleSign HMAC `Date` check (-30010) or the nonce window (-30012): those
    /// always use the system clock, because that is what clients sign with, so advancing a
    /// manual clock by hours never makes a freshly signed request stale.
    pub clock: Option<Clock>,
    /// How long every provider answer is held before it goes out (default none): a
    /// provider tens of milliseconds away, for measuring clients under real latency.
    /// Waiting answers hold a timer, not a thread, so thousands can wait at once. Real
    /// time, whatever [`clock`](Self::clock) says; the `/_sandbox/` routes answer at once.
    pub latency: Duration,
    /// How long a TeleSign code stays valid (default 5 minutes).
    pub telesign_code_ttl: Duration,
    /// How long a code of TeleSign's Verify API stays valid, counted from the create and the
    /// same on every fallback channel (default 300 s, as documented). From then on a finalize
    /// answers 3911 and the process is FAILED.
    pub telesign_verify_code_ttl: Duration,
    /// TeleSign requests per second per account before -40007 (default 1,000,000).
    ///
    /// The Verify API (`/verification`) has a window of its own with the same limit; over
    /// it, HTTP 429 with status 3204.
    ///
    /// The one-second window runs on [`clock`](Self::clock): with a manual clock (as in
    /// [`SandboxConfig::deterministic`]) a limit that was reached resets only when the test
    /// advances the clock by a second, which keeps such tests reproducible.
    pub telesign_rate_limit: u32,
    /// dotdigital requests per second per account before `Throttled` (default 1,000,000).
    /// The window runs on [`clock`](Self::clock), like [`telesign_rate_limit`](Self::telesign_rate_limit)'s.
    pub dotdigital_rate_limit: u32,
    /// dotdigital: at most this many codes to one number within this window (default 10 per 10 minutes).
    /// The window runs on [`clock`](Self::clock): with a manual clock it slides only when the
    /// test advances the clock.
    pub dotdigital_per_number_limit: (u32, Duration),
    /// dotdigital: how long a code is valid when the request has no `validUntil` (default 10 minutes).
    pub dotdigital_default_validity: Duration,
    /// Wrong codes before a verification locks (default 5, both providers).
    pub max_attempts: u32,
    /// Longest TeleSign `template` accepted (default 160; 1600 for accounts allowed long messages).
    pub telesign_template_max_len: usize,
    /// How long an expired verification is still remembered (answering EXPIRED, or a Verify
    /// API process answering FAILED) before eviction (default 10 minutes).
    pub retention: Duration,
    /// Most verifications held at once per provider (and as many Verify API processes); the
    /// oldest are evicted first (default 100,000).
    pub max_verifications: usize,
    /// Messages kept in the outbox; the oldest are dropped first (default 10,000).
    pub outbox_capacity: usize,
    /// Most HMAC nonces remembered for replay detection (default 200,000; each for 15 minutes
    /// of system time, whatever [`clock`](Self::clock) says).
    pub nonce_capacity: usize,
}

impl SandboxConfig {
    /// A configuration for reproducible tests: seeded codes and ids, credentials derived from
    /// the seed, and a manual clock starting at the current time rounded down to the second
    /// (so times survive the outbox's millisecond JSON unchanged).
    ///
    /// Clients keep signing TeleSign HMAC requests with the system time: the `Date` check
    /// and the nonce window ignore the manual clock (see [`clock`](Self::clock)), while code
    /// expiry and the rate-limit windows follow it.
    pub fn deterministic(seed: u64) -> Self {
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(seed ^ 0x5eed_c0de);
        let (customer_id, api_key, user, password) = random_credentials(&mut rng);
        Self {
            telesign_customer_id: customer_id,
            telesign_api_key: api_key,
            dotdigital_username: user,
            dotdigital_password: password,
            seed: Some(seed),
            clock: Some(Clock::manual(whole_seconds_now())),
            ..Self::default()
        }
    }

    /// Sets the listen address.
    pub fn with_listen(mut self, listen: SocketAddr) -> Self {
        self.listen = listen;
        self
    }

    /// Sets the TeleSign customer id and (base64) API key.
    pub fn with_telesign_credentials(
        mut self,
        customer_id: impl Into<String>,
        api_key: impl Into<String>,
    ) -> Self {
        self.telesign_customer_id = customer_id.into();
        self.telesign_api_key = api_key.into();
        self
    }

    /// Sets the dotdigital API user and password.
    pub fn with_dotdigital_credentials(
        mut self,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        self.dotdigital_username = username.into();
        self.dotdigital_password = password.into();
        self
    }

    /// Sets the seed for codes and ids.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Sets the clock.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Sets the TeleSign code lifetime.
    pub fn with_telesign_code_ttl(mut self, ttl: Duration) -> Self {
        self.telesign_code_ttl = ttl;
        self
    }

    /// Sets the lifetime of a Verify API code.
    pub fn with_telesign_verify_code_ttl(mut self, ttl: Duration) -> Self {
        self.telesign_verify_code_ttl = ttl;
        self
    }

    /// Sets the per-account rate limits (requests per second) of both providers.
    pub fn with_rate_limits(mut self, telesign: u32, dotdigital: u32) -> Self {
        self.telesign_rate_limit = telesign;
        self.dotdigital_rate_limit = dotdigital;
        self
    }

    /// Sets the dotdigital per-number limit: `count` codes per `window`.
    pub fn with_dotdigital_per_number_limit(mut self, count: u32, window: Duration) -> Self {
        self.dotdigital_per_number_limit = (count, window);
        self
    }
}

fn whole_seconds_now() -> std::time::SystemTime {
    let now = std::time::SystemTime::now();
    let secs = now
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    std::time::UNIX_EPOCH + Duration::from_secs(secs)
}

fn random_credentials(rng: &mut impl rand::RngCore) -> (String, String, String, String) {
    let mut id = [0u8; 16];
    rng.fill_bytes(&mut id);
    let id = uuid::Builder::from_random_bytes(id)
        .into_uuid()
        .to_string()
        .to_uppercase();
    let mut key = [0u8; 64];
    rng.fill_bytes(&mut key);
    let key = STANDARD.encode(key);
    let user = format!("sandbox_{:08x}@apiconnector.com", rng.random::<u32>());
    let password: String = (0..20)
        .map(|_| {
            const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
            char::from(ALPHABET[rng.random_range(0..ALPHABET.len())])
        })
        .collect();
    (id, key, user, password)
}

impl Default for SandboxConfig {
    fn default() -> Self {
        let (customer_id, api_key, user, password) = random_credentials(&mut rand::rng());
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            telesign_customer_id: customer_id,
            telesign_api_key: api_key,
            dotdigital_username: user,
            dotdigital_password: password,
            seed: None,
            clock: None,
            latency: Duration::ZERO,
            telesign_code_ttl: Duration::from_secs(5 * 60),
            telesign_verify_code_ttl: Duration::from_secs(300),
            telesign_rate_limit: 1_000_000,
            dotdigital_rate_limit: 1_000_000,
            dotdigital_per_number_limit: (10, Duration::from_secs(10 * 60)),
            dotdigital_default_validity: Duration::from_secs(10 * 60),
            max_attempts: 5,
            telesign_template_max_len: 160,
            retention: Duration::from_secs(10 * 60),
            max_verifications: 100_000,
            outbox_capacity: 10_000,
            nonce_capacity: 200_000,
        }
    }
}

impl fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("listen", &self.listen)
            .field("telesign_customer_id", &self.telesign_customer_id)
            .field("telesign_api_key", &"[redacted]")
            .field("dotdigital_username", &self.dotdigital_username)
            .field("dotdigital_password", &"[redacted]")
            .field("seed", &self.seed)
            .field("clock", &self.clock)
            .field("latency", &self.latency)
            .field("telesign_code_ttl", &self.telesign_code_ttl)
            .field("telesign_verify_code_ttl", &self.telesign_verify_code_ttl)
            .field("telesign_rate_limit", &self.telesign_rate_limit)
            .field("dotdigital_rate_limit", &self.dotdigital_rate_limit)
            .field(
                "dotdigital_per_number_limit",
                &self.dotdigital_per_number_limit,
            )
            .field(
                "dotdigital_default_validity",
                &self.dotdigital_default_validity,
            )
            .field("max_attempts", &self.max_attempts)
            .field("telesign_template_max_len", &self.telesign_template_max_len)
            .field("retention", &self.retention)
            .field("max_verifications", &self.max_verifications)
            .field("outbox_capacity", &self.outbox_capacity)
            .field("nonce_capacity", &self.nonce_capacity)
            .finish()
    }
}
