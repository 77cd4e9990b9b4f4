//! What every transport shares around an [`Operation`]: the client's
//! settings, which provider to try, when to sign, retry and fail over, and
//! the error a call ends with.
//!
//! This is still sans-IO: a transport supplies the clock readings, the nonce,
//! the jitter and the bytes, and performs the waits. `verify-ureq` and
//! `verify-hyper` are a loop each around [`Call`] and [`Attempts`]:
//!
//! ```text
//! let mut call = Call::new(&settings, &op)?;
//! loop {
//!     let mut attempts = call.attempts()?;                 // validates, builds
//!     let result = loop {
//!         let (request, time_left) = attempts.next_request(Instant::now(), SystemTime::now(), &nonce);
//!         let outcome = send(request, time_left);          // your I/O
//!         match attempts.finish(outcome, Instant::now(), jitter) {
//!             Step::Done(output) => return Ok(output),
//!             Step::Retry(delay) => sleep(delay),
//!             Step::Failed(error) => break error,
//!         }
//!     };
//!     call.fail_over(result)?;                             // Err: the call's final error
//! }
//! ```

use std::fmt;
use std::marker::PhantomData;
use std::time::{Duration, Instant, SystemTime};

use crate::retry::{AttemptFailure, RetryPolicy, may_fail_over, should_retry};
use crate::{
    ConfigError, Idempotency, Operation, Provider, ProviderConfig, ResponseError, Role,
    ValidationError,
};

/// The default response body limit: 64 KiB, far above any documented answer.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 64 * 1024;

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
    /// Defaults that fit a provider: TeleSign answers within seconds (10 s);
    /// dotdigital documents a 125 s server-side timeout, so 130 s.
    pub fn for_provider(provider: Provider) -> Self {
        let connect = Duration::from_secs(5);
        match provider {
            Provider::TeleSign => Self {
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
    primary: ProviderConfig,
    backup: Option<ProviderConfig>,
    failover_when_maybe_sent: bool,
    timeouts: Option<Timeouts>,
    retry_policy: RetryPolicy,
    max_body_bytes: u64,
}

impl Settings {
    /// Defaults for a client whose first choice is `primary`.
    pub fn new(primary: impl Into<ProviderConfig>) -> Self {
        Self {
            primary: primary.into(),
            backup: None,
            failover_when_maybe_sent: false,
            timeouts: None,
            retry_policy: RetryPolicy::default(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
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

    /// Whether a configured base URL opted into plain `http://` (see
    /// [`BaseUrl::allow_plain_http`](crate::BaseUrl::allow_plain_http)); a
    /// transport refuses plain HTTP otherwise.
    pub fn allows_plain_http(&self) -> bool {
        std::iter::once(&self.primary)
            .chain(&self.backup)
            .any(|c| !c.base_url().is_https())
    }
}

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

    /// The longest response body read (default [`DEFAULT_MAX_BODY_BYTES`]).
    pub fn max_body_bytes(mut self, limit: u64) -> Self {
        self.settings.max_body_bytes = limit;
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

/// One call of an operation: which provider to try, and whether to fail
/// over to the backup after the primary failed.
#[derive(Debug)]
pub struct Call<'a, O> {
    op: &'a O,
    settings: &'a Settings,
    targets: [Option<(&'a ProviderConfig, Role)>; 2],
    next: usize,
    earlier: Option<Error>,
}

impl<'a, O: Operation> Call<'a, O> {
    /// Plans the call: an operation for a given provider goes to the settings
    /// for that provider (the primary's, else the backup's); a
    /// provider-neutral one to the primary, then the backup.
    pub fn new(settings: &'a Settings, op: &'a O) -> Result<Self, Error> {
        let all = std::iter::once((&settings.primary, Role::Primary))
            .chain(settings.backup.iter().map(|b| (b, Role::Backup)));
        let targets = match op.provider() {
            Some(wanted) => {
                let Some(target) = all.clone().find(|(c, _)| c.provider() == wanted) else {
                    return Err(Error::new(
                        ErrorKind::NoProviderFor(wanted),
                        op.name(),
                        Some(wanted),
                        op.idempotency(),
                        0,
                    ));
                };
                [Some(target), None]
            }
            None => {
                let mut all = all;
                [all.next(), all.next()]
            }
        };
        Ok(Self {
            op,
            settings,
            targets,
            next: 0,
            earlier: None,
        })
    }

    /// The attempts at the next provider: validates the operation and builds
    /// its request. A validation error ends the call before any I/O.
    pub fn attempts(&mut self) -> Result<Attempts<'a, O>, Error> {
        let op = self.op;
        let Some((config, role)) = self.targets.get(self.next).copied().flatten() else {
            // Only reachable when a caller ignores `fail_over`'s error.
            return Err(self.earlier.take().unwrap_or_else(|| {
                Error::new(
                    ErrorKind::NoProviderFor(self.settings.primary.provider()),
                    op.name(),
                    None,
                    op.idempotency(),
                    0,
                )
            }));
        };
        self.next += 1;
        let provider = config.provider();
        let request = build_checked(op, config, role).map_err(|kind| {
            let error = Error::new(kind, op.name(), Some(provider), op.idempotency(), 0);
            // A backup that cannot take the operation keeps the primary's
            // failure: it says whether a message may already have gone out.
            match self.earlier.take() {
                Some(primary) => error.with_primary(primary),
                None => error,
            }
        })?;
        Ok(Attempts {
            op,
            config,
            role,
            request: Some(request),
            timeouts: self.settings.timeouts_for(provider),
            policy: self.settings.retry_policy,
            attempt: 0,
            deadline: None,
            started: None,
        })
    }

    /// Takes the failure of the attempts at one provider. `Ok(())`: go on
    /// with [`attempts`](Self::attempts) at the backup. `Err`: the call's
    /// final error (keeping the primary's error when the backup failed too).
    pub fn fail_over(&mut self, error: Error) -> Result<(), Error> {
        let error = match self.earlier.take() {
            Some(primary) => error.with_primary(primary),
            None => error,
        };
        let has_next = self.targets.get(self.next).copied().flatten().is_some();
        if has_next && error.allows_failover(self.settings.failover_when_maybe_sent) {
            self.earlier = Some(error);
            Ok(())
        } else {
            Err(error)
        }
    }
}

/// Validates `op` and builds its unsigned request for `config`, refusing a
/// URL outside the configured base URL (credentials go nowhere else).
fn build_checked<O: Operation>(
    op: &O,
    config: &ProviderConfig,
    role: Role,
) -> Result<http::Request<Vec<u8>>, ErrorKind> {
    let request = op.to_request(config, role).map_err(ErrorKind::Validation)?;
    config.check().map_err(ErrorKind::Config)?;
    if !config.base_url().contains(request.uri()) {
        return Err(ErrorKind::Config(ConfigError::BaseUrl(
            "the operation built a URL outside the configured base URL".into(),
        )));
    }
    Ok(request)
}

/// The longest time limit the driver works with: longer settings (up to
/// `Duration::MAX`) mean "no limit" and are treated as this many years, so
/// no clock arithmetic can overflow.
pub const LONGEST_LIMIT: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// `now + limit`, saturating at [`LONGEST_LIMIT`] (an `Instant` cannot hold
/// `Duration::MAX` from now).
fn later(now: Instant, limit: Duration) -> Instant {
    let limit = limit.min(LONGEST_LIMIT);
    now.checked_add(limit)
        .or_else(|| now.checked_add(Duration::from_secs(24 * 3600)))
        .unwrap_or(now)
}

/// What to do after an attempt.
#[derive(Debug)]
pub enum Step<T> {
    /// The call succeeded.
    Done(T),
    /// Wait this long, then make the next attempt.
    Retry(Duration),
    /// The attempts at this provider are over.
    Failed(Error),
}

/// The attempts of a call at one provider: signs each one afresh, reads each
/// outcome, and decides whether another attempt is safe and in time.
#[derive(Debug)]
pub struct Attempts<'a, O> {
    op: &'a O,
    config: &'a ProviderConfig,
    role: Role,
    /// The unsigned request of the next attempt: built for the first one,
    /// and built again only when a retry is decided (most calls make a
    /// single attempt, so none is copied ahead of need).
    request: Option<http::Request<Vec<u8>>>,
    timeouts: Timeouts,
    policy: RetryPolicy,
    attempt: u32,
    deadline: Option<Instant>,
    /// When the last attempt started, by both clocks: turns a `Retry-After`
    /// date into a delay without reading a clock.
    started: Option<(Instant, SystemTime)>,
}

impl<O: Operation> Attempts<'_, O> {
    /// The provider these attempts go to.
    pub fn provider(&self) -> Provider {
        self.config.provider()
    }

    /// The number of the attempt last started (1 for the first).
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The time limits at this provider.
    pub fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    /// The request for the next attempt, signed for `date` with `nonce`
    /// (both fresh for every attempt: TeleSign refuses a stale date or a
    /// reused nonce), and how long the attempt may take.
    pub fn next_request(
        &mut self,
        now: Instant,
        date: SystemTime,
        nonce: &str,
    ) -> (http::Request<Vec<u8>>, Duration) {
        self.attempt = self.attempt.saturating_add(1);
        self.started = Some((now, date));
        let deadline = *self
            .deadline
            .get_or_insert_with(|| later(now, self.timeouts.overall));
        // Prepared by `Call::attempts` or by `finish` deciding a retry;
        // built here only if a caller asks twice without `finish` (an
        // unbuildable request becomes an empty one, which no transport can
        // send).
        let mut request = match self.request.take() {
            Some(request) => request,
            None => build_checked(self.op, self.config, self.role).unwrap_or_default(),
        };
        // `build_checked` made sure these settings can sign: this cannot
        // fail, and an unsigned request would only be refused by the server.
        let _ = self.config.authorize(&mut request, date, nonce);
        (request, deadline.saturating_duration_since(now))
    }

    /// Reads how the attempt ended: the response (any body type), or the
    /// transport's failure. `jitter` is a uniform random number in
    /// `0.0..=1.0` for the backoff.
    pub fn finish<B: AsRef<[u8]>>(
        &mut self,
        outcome: Result<http::Response<B>, ErrorKind>,
        now: Instant,
        jitter: f64,
    ) -> Step<O::Output> {
        let kind = match outcome {
            Ok(response) => {
                let (parts, body) = response.into_parts();
                let response = http::Response::from_parts(parts, body.as_ref());
                match self.op.parse_response(self.provider(), response) {
                    Ok(output) => return Step::Done(output),
                    Err(e) => ErrorKind::Response(e),
                }
            }
            Err(kind) => kind,
        };
        let time_left = self
            .deadline
            .map_or(Duration::ZERO, |d| d.saturating_duration_since(now));
        let idempotency = self.op.idempotency();
        // The provider's date, counted from this moment by the wall clock
        // as the attempt's start plus the monotonic time since.
        let retry_after = kind.retry_after().map(|asked| {
            let wall_now = self.started.map_or(SystemTime::UNIX_EPOCH, |(at, date)| {
                date.checked_add(now.saturating_duration_since(at))
                    .unwrap_or(date)
            });
            asked.delay_from(wall_now)
        });
        let delay = kind.attempt_failure().and_then(|failure| {
            if !should_retry(idempotency, &failure) {
                return None;
            }
            self.policy
                .delay_before_retry(self.attempt, retry_after, jitter)
        });
        if let Some(delay) = delay.filter(|d| *d < time_left) {
            // The same operation builds the same request; should it not,
            // the call ends with this attempt's failure.
            if let Ok(request) = build_checked(self.op, self.config, self.role) {
                self.request = Some(request);
                return Step::Retry(delay);
            }
        }
        Step::Failed(Error::new(
            kind,
            self.op.name(),
            Some(self.provider()),
            idempotency,
            self.attempt,
        ))
    }
}

/// Why a call failed.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The operation's fields break documented rules. Nothing was sent.
    Validation(ValidationError),
    /// The provider answered with a failure, or with something unreadable.
    Response(ResponseError),
    /// The connection failed.
    Transport {
        /// Whether the request may have been written before it failed
        /// (`false`: refused, host not found, TLS handshake failed).
        written: bool,
        /// What happened, with digit runs masked (a URL can carry a code).
        detail: String,
    },
    /// No complete answer came within the time limit.
    Timeout {
        /// Whether the request may have been written (`false` when
        /// connecting timed out).
        written: bool,
        /// The limit that ran out.
        after: Duration,
    },
    /// The response body is longer than the configured limit; the rest was
    /// not read.
    BodyTooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// The client cannot send this request (for example plain `http://`).
    Config(ConfigError),
    /// The operation is for a provider this client has no settings for.
    NoProviderFor(Provider),
}

impl ErrorKind {
    /// A transport failure; `detail` is shortened, and has its control
    /// characters replaced and its digit runs masked.
    pub fn transport(written: bool, detail: &str) -> Self {
        Self::Transport {
            written,
            detail: crate::error::provider_text(detail),
        }
    }

    /// How the attempt failed, for the retry rules; `None` when no request
    /// was ever attempted.
    pub fn attempt_failure(&self) -> Option<AttemptFailure<'_>> {
        match self {
            Self::Validation(_) | Self::Config(_) | Self::NoProviderFor(_) => None,
            Self::Response(e) => Some(AttemptFailure::Response(e)),
            Self::Transport { written: false, .. } | Self::Timeout { written: false, .. } => {
                Some(AttemptFailure::NotWritten)
            }
            Self::Transport { .. } | Self::Timeout { .. } | Self::BodyTooLarge { .. } => {
                Some(AttemptFailure::MaybeWritten)
            }
        }
    }

    /// The `Retry-After` pause the provider asked for, if any.
    pub fn retry_after(&self) -> Option<crate::error::RetryAfter> {
        match self {
            Self::Response(e) => e.retry_after(),
            _ => None,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Validation(e) => write!(f, "{e}"),
            Self::Response(e) => write!(f, "{e}"),
            Self::Transport { written, detail } => write!(
                f,
                "connection failed {}: {detail}",
                if *written {
                    "after the request may have been written"
                } else {
                    "before the request was written"
                }
            ),
            Self::Timeout { written, after } => write!(
                f,
                "timed out after {} ms {}",
                after.as_millis(),
                if *written {
                    "(the request may have been written)"
                } else {
                    "while connecting"
                }
            ),
            Self::BodyTooLarge { limit } => {
                write!(f, "the response body is longer than the {limit}-byte limit")
            }
            Self::Config(e) => write!(f, "{e}"),
            Self::NoProviderFor(p) => write!(f, "no {p} settings configured for this operation"),
        }
    }
}

/// A failed call: what went wrong, where, after how many attempts, and
/// whether a message may already have been sent.
///
/// When the call failed over, [`primary`](Self::primary) keeps the primary
/// provider's error.
#[derive(Clone, Debug)]
pub struct Error {
    /// Boxed: the error path is rare, and a small `Result` keeps the
    /// success path cheap.
    kind: Box<ErrorKind>,
    operation: &'static str,
    provider: Option<Provider>,
    idempotency: Idempotency,
    attempts: u32,
    primary: Option<Box<Error>>,
}

impl Error {
    fn new(
        kind: ErrorKind,
        operation: &'static str,
        provider: Option<Provider>,
        idempotency: Idempotency,
        attempts: u32,
    ) -> Self {
        Self {
            kind: Box::new(kind),
            operation,
            provider,
            idempotency,
            attempts,
            primary: None,
        }
    }

    fn with_primary(mut self, primary: Error) -> Self {
        self.primary = Some(Box::new(primary));
        self
    }

    /// Why the call failed (at the last provider tried).
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// Consumes the error, giving its kind.
    pub fn into_kind(self) -> ErrorKind {
        *self.kind
    }

    /// The operation's name (`telesign.sms`).
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The provider of the last attempt, when one was chosen.
    pub fn provider(&self) -> Option<Provider> {
        self.provider
    }

    /// How many requests were attempted at that provider (0 when the call
    /// failed before any I/O).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The primary provider's error, when the call failed over to the backup
    /// and the backup failed too.
    pub fn primary(&self) -> Option<&Error> {
        self.primary.as_deref()
    }

    /// The provider's answer, when the failure is one.
    pub fn response(&self) -> Option<&ResponseError> {
        match self.kind.as_ref() {
            ErrorKind::Response(e) => Some(e),
            _ => None,
        }
    }

    /// Whether an SMS or call may have gone out because of this call, at
    /// this provider or at the primary before a failover. `false` only when
    /// nothing can have been sent: the operation never sends, the request
    /// never left, or the provider guarantees it did not attempt the send.
    pub fn message_may_have_been_sent(&self) -> bool {
        let here = self
            .kind
            .attempt_failure()
            .is_some_and(|f| f.message_may_have_been_sent(self.idempotency));
        here || self
            .primary
            .as_ref()
            .is_some_and(|p| p.message_may_have_been_sent())
    }

    /// Whether this call, at the primary, allows sending through the backup.
    fn allows_failover(&self, when_maybe_sent: bool) -> bool {
        self.kind
            .attempt_failure()
            .is_some_and(|f| may_fail_over(self.idempotency, &f, when_maybe_sent))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.operation)?;
        if let Some(p) = self.provider {
            write!(f, " via {p}")?;
        }
        if self.attempts > 1 {
            write!(f, " failed after {} attempts: {}", self.attempts, self.kind)?;
        } else {
            write!(f, " failed: {}", self.kind)?;
        }
        if let Some(primary) = &self.primary {
            write!(f, "; before that, the primary provider failed: {primary}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self.kind.as_ref() {
            ErrorKind::Validation(e) => Some(e),
            ErrorKind::Response(e) => Some(e),
            ErrorKind::Config(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dotdigital::{self, RequestId, ValidateCode};
    use crate::neutral::Start;
    use crate::telesign::{self, GetStatus, ReferenceId, SendSms};
    use crate::{BaseUrl, Code};

    const REF: &str = "0123456789ABCDEF0123456789ABCDEF";

    type Outcome = Result<http::Response<Vec<u8>>, ErrorKind>;

    fn telesign_config() -> ProviderConfig {
        let creds = telesign::Credentials::new("CUSTOMER", "VGVzdCBLZXk=").unwrap();
        telesign::Config::new(creds).into()
    }

    fn dotdigital_config() -> ProviderConfig {
        let creds = dotdigital::Credentials::new("user", "password").unwrap();
        dotdigital::Config::new(creds)
            .with_base_url(BaseUrl::allow_plain_http("http://127.0.0.1:9").unwrap())
            .into()
    }

    fn fast(settings: Settings) -> Settings {
        Settings {
            retry_policy: RetryPolicy {
                max_attempts: 5,
                base_delay: Duration::from_millis(10),
                max_delay: Duration::from_millis(100),
            },
            timeouts: Some(Timeouts {
                connect: Duration::from_secs(1),
                overall: Duration::from_secs(2),
            }),
            ..settings
        }
    }

    fn status_body(status: i64, errors: &str) -> Vec<u8> {
        format!(
            r#"{{"reference_id":"{REF}","status":{{"code":{status},"description":"x"}},"errors":[{errors}]}}"#
        )
        .into_bytes()
    }

    fn response(status: u16, body: Vec<u8>) -> Outcome {
        Ok(http::Response::builder().status(status).body(body).unwrap())
    }

    #[test]
    fn every_attempt_is_signed_afresh() {
        let settings = fast(Settings::new(telesign_config()));
        let op = GetStatus::new(REF.parse::<ReferenceId>().unwrap());
        let mut call = Call::new(&settings, &op).unwrap();
        let mut attempts = call.attempts().unwrap();
        let t0 = Instant::now();
        let (first, left) = attempts.next_request(t0, SystemTime::UNIX_EPOCH, "nonce-1");
        assert_eq!(left, Duration::from_secs(2));
        let unavailable = response(
            503,
            status_body(500, r#"{"code":-90001,"description":"x"}"#),
        );
        let Step::Retry(delay) = attempts.finish(unavailable, t0, 1.0) else {
            panic!("a temporary failure of a status query is retried");
        };
        assert_eq!(delay, Duration::from_millis(10));
        let later = SystemTime::UNIX_EPOCH + Duration::from_secs(1);
        let (second, _) = attempts.next_request(t0 + delay, later, "nonce-2");
        for name in ["authorization", "date", "x-ts-nonce"] {
            assert_ne!(first.headers()[name], second.headers()[name], "{name}");
        }
        assert_eq!(attempts.attempt(), 2);
        let ok = response(200, status_body(200, ""));
        assert!(matches!(attempts.finish(ok, t0, 0.0), Step::Done(_)));
    }

    /// A status query that counts its builds and can be built only
    /// `buildable` times.
    struct Counted {
        inner: GetStatus,
        builds: std::cell::Cell<u32>,
        buildable: u32,
    }

    impl Operation for Counted {
        type Output = telesign::VerifyResponse;
        fn name(&self) -> &'static str {
            "counted"
        }
        fn provider(&self) -> Option<Provider> {
            self.inner.provider()
        }
        fn idempotency(&self) -> Idempotency {
            self.inner.idempotency()
        }
        fn to_request(
            &self,
            config: &ProviderConfig,
            role: Role,
        ) -> Result<http::Request<Vec<u8>>, ValidationError> {
            self.builds.set(self.builds.get() + 1);
            if self.builds.get() > self.buildable {
                return Err(ValidationError::single("x", "changed its mind"));
            }
            self.inner.to_request(config, role)
        }
        fn parse_response(
            &self,
            provider: Provider,
            response: http::Response<&[u8]>,
        ) -> Result<Self::Output, ResponseError> {
            self.inner.parse_response(provider, response)
        }
    }

    #[test]
    fn the_request_is_built_again_only_for_a_retry() {
        let settings = fast(Settings::new(telesign_config()));
        let unavailable = || {
            response(
                503,
                status_body(500, r#"{"code":-90001,"description":"x"}"#),
            )
        };
        let op = Counted {
            inner: GetStatus::new(REF.parse::<ReferenceId>().unwrap()),
            builds: Default::default(),
            buildable: u32::MAX,
        };
        let mut call = Call::new(&settings, &op).unwrap();
        let mut attempts = call.attempts().unwrap();
        let t0 = Instant::now();
        attempts.next_request(t0, SystemTime::UNIX_EPOCH, "n1");
        assert_eq!(op.builds.get(), 1, "the first attempt uses the first build");
        let step = attempts.finish(unavailable(), t0, 0.0);
        assert!(matches!(step, Step::Retry(_)));
        let (again, _) = attempts.next_request(t0, SystemTime::UNIX_EPOCH, "n2");
        assert_eq!(op.builds.get(), 2);
        assert_eq!(again.headers()["x-ts-nonce"], "n2");
        assert!(matches!(
            attempts.finish(response(200, status_body(200, "")), t0, 0.0),
            Step::Done(_)
        ));

        // An operation that cannot be built again ends the call with the
        // attempt's own failure, not a retry.
        let fickle = Counted { buildable: 1, ..op };
        fickle.builds.set(0);
        let mut call = Call::new(&settings, &fickle).unwrap();
        let mut attempts = call.attempts().unwrap();
        attempts.next_request(t0, SystemTime::UNIX_EPOCH, "n1");
        let Step::Failed(err) = attempts.finish(unavailable(), t0, 0.0) else {
            panic!("no retry without a request");
        };
        assert!(matches!(err.kind(), ErrorKind::Response(_)), "{err}");
        assert_eq!(err.attempts(), 1);
    }

    #[test]
    fn a_backup_that_cannot_take_the_operation_keeps_the_primarys_failure() {
        // dotdigital generates its own codes: a neutral start with the
        // caller's code cannot fail over to it.
        let settings = Builder::<NoClient>::new(telesign_config())
            .backup(dotdigital_config())
            .failover_when_maybe_sent(true)
            .build();
        let start = Start::new("15555550100").code(Code::new("12345"));
        let mut call = Call::new(&settings, &start).unwrap();
        let mut primary = call.attempts().unwrap();
        let t0 = Instant::now();
        primary.next_request(t0, SystemTime::UNIX_EPOCH, "n");
        let reset: Outcome = Err(ErrorKind::transport(true, "connection reset"));
        let Step::Failed(err) = primary.finish(reset, t0, 0.0) else {
            panic!("a written send is not retried");
        };
        assert!(err.message_may_have_been_sent());
        call.fail_over(err).expect("the caller opted in");
        let err = call.attempts().unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Validation(_)), "{err}");
        assert!(
            err.message_may_have_been_sent(),
            "the primary may have sent: {err}"
        );
        assert!(err.primary().is_some());
    }

    #[test]
    fn no_retry_once_the_call_is_out_of_time() {
        let settings = fast(Settings::new(telesign_config()));
        let op = GetStatus::new(REF.parse::<ReferenceId>().unwrap());
        let mut call = Call::new(&settings, &op).unwrap();
        let mut attempts = call.attempts().unwrap();
        let t0 = Instant::now();
        let (_, left) = attempts.next_request(t0, SystemTime::UNIX_EPOCH, "n");
        let timeout: Outcome = Err(ErrorKind::Timeout {
            written: true,
            after: left,
        });
        let Step::Failed(err) = attempts.finish(timeout, t0 + left, 0.0) else {
            panic!("no time is left for another attempt");
        };
        assert_eq!(err.attempts(), 1);
        assert!(
            !err.message_may_have_been_sent(),
            "a status query sends nothing"
        );
    }

    #[test]
    fn a_send_that_may_have_gone_out_is_never_retried() {
        let settings = fast(Settings::new(telesign_config()));
        let op = SendSms::new("15555550100");
        let mut call = Call::new(&settings, &op).unwrap();
        let mut attempts = call.attempts().unwrap();
        let t0 = Instant::now();
        attempts.next_request(t0, SystemTime::UNIX_EPOCH, "n");
        let reset: Outcome = Err(ErrorKind::transport(true, "connection reset"));
        let Step::Failed(err) = attempts.finish(reset, t0, 0.0) else {
            panic!("a written send is not retried");
        };
        assert!(err.message_may_have_been_sent());
        assert!(call.fail_over(err).is_err(), "no backup configured");
    }

    #[test]
    fn operations_go_to_their_provider_and_neutral_sends_fail_over() {
        let only_telesign = Settings::new(telesign_config());
        let validate = ValidateCode::new(
            "0bd57dc3-580c-4c1d-8aee-2ff79bd8633c"
                .parse::<RequestId>()
                .unwrap(),
            Code::new("123456"),
        );
        let err = Call::new(&only_telesign, &validate).unwrap_err();
        assert!(matches!(
            err.kind(),
            ErrorKind::NoProviderFor(Provider::Dotdigital)
        ));
        assert_eq!(err.attempts(), 0);

        let both = Builder::<NoClient>::new(telesign_config())
            .backup(dotdigital_config())
            .build();
        assert!(both.allows_plain_http());
        let start = Start::new("15555550100");
        let mut call = Call::new(&both, &start).unwrap();
        let mut primary = call.attempts().unwrap();
        assert_eq!(primary.provider(), Provider::TeleSign);
        let t0 = Instant::now();
        primary.next_request(t0, SystemTime::UNIX_EPOCH, "n");
        let refused: Outcome = Err(ErrorKind::transport(false, "connection refused"));
        let mut step = primary.finish(refused, t0, 0.0);
        while let Step::Retry(_) = step {
            primary.next_request(t0, SystemTime::UNIX_EPOCH, "n");
            step = primary.finish::<Vec<u8>>(
                Err(ErrorKind::transport(false, "connection refused")),
                t0,
                0.0,
            );
        }
        let Step::Failed(err) = step else {
            panic!("retries run out")
        };
        assert_eq!(err.attempts(), RetryPolicy::default().max_attempts);
        call.fail_over(err).expect("nothing was sent: fail over");
        let backup = call.attempts().unwrap();
        assert_eq!(backup.provider(), Provider::Dotdigital);
        let err = Error::new(
            ErrorKind::transport(true, "reset"),
            "neutral.start",
            Some(Provider::Dotdigital),
            Idempotency::SendsMessage,
            1,
        );
        let err = call.fail_over(err).unwrap_err();
        assert_eq!(
            err.primary().and_then(Error::provider),
            Some(Provider::TeleSign)
        );
        assert!(err.message_may_have_been_sent());
    }

    /// A client type that is just its settings, to exercise [`Builder`].
    struct NoClient;

    impl BuildClient for NoClient {
        type Built = Settings;
        fn build(settings: Settings) -> Settings {
            settings
        }
    }

    #[test]
    fn default_timeouts_fit_the_providers() {
        assert_eq!(
            Timeouts::for_provider(Provider::TeleSign).overall,
            Duration::from_secs(10)
        );
        assert!(Timeouts::for_provider(Provider::Dotdigital).overall >= Duration::from_secs(130));
    }
}
