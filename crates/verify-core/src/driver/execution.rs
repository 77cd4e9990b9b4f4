//! The sans-IO state machine of one execution of an operation: which
//! provider to try, when to sign, retry and fail over.
//!
//! Each step consumes the state it was given, so the steps can only be
//! taken in order: an attempt cannot be finished twice, and nothing can be
//! sent once the execution has ended.

use std::time::{Duration, Instant, SystemTime};

use super::{Error, ErrorKind, LONGEST_LIMIT, Settings, Timeouts};
use crate::retry::{RetryPolicy, should_retry};
use crate::{ConfigError, Operation, Provider, ProviderConfig, Role};

/// Where the execution stands, between two attempts.
///
/// ```text
/// let mut execution = Execution::new(&settings, &op)?;      // validates, builds
/// loop {
///     let (request, limits, attempt) = execution.attempt(now, date, &nonce); // signs
///     let outcome = send(request, limits);                 // your I/O
///     execution = match attempt.finish(outcome, now, jitter) {
///         Next::Done(output) => return Ok(output),
///         Next::Retry { after, execution, .. } => { sleep(after); execution }
///         Next::FailOver { execution, .. } => execution,
///         Next::Failed(error) => return Err(error),
///     };
/// }
/// ```
#[derive(Debug)]
#[must_use = "an execution does nothing until its attempt is made"]
pub struct Execution<'a, O> {
    op: &'a O,
    settings: &'a Settings,
    /// The providers to try, in order; `at` is the one of the attempts.
    targets: [Option<(&'a ProviderConfig, Role)>; 2],
    at: usize,
    /// The primary's failure, once the execution failed over.
    earlier: Option<Error>,
    /// The unsigned request of the next attempt: built once for the first
    /// attempt at a provider, and again only for a retry.
    request: http::Request<Vec<u8>>,
    timeouts: Timeouts,
    /// Attempts made at this provider.
    attempts: u32,
    /// The end of this provider's time, from its first attempt on.
    deadline: Option<Instant>,
}

/// An attempt whose request is out: finish it with how it ended.
#[derive(Debug)]
#[must_use = "an attempt must be finished with its outcome"]
pub struct Attempt<'a, O> {
    execution: Execution<'a, O>,
    /// What of the request may hold a secret (its secret headers, its URI
    /// and body), to remove from what comes back: read only when an answer
    /// does not parse, which most answers do.
    sent: SecretParts,
    /// When the attempt started, by both clocks: turns a `Retry-After` date
    /// into a delay without reading a clock.
    started: (Instant, SystemTime),
}

/// What to do after an attempt.
#[derive(Debug)]
pub enum Next<'a, O: Operation> {
    /// The call succeeded.
    Done(O::Output),
    /// Wait `after`, then make the next attempt with `execution`.
    Retry {
        /// The pause before the next attempt.
        after: Duration,
        /// The execution, ready for its next attempt.
        execution: Execution<'a, O>,
        /// Why the attempt failed.
        reason: ErrorKind,
    },
    /// The primary provider failed and nothing can have been sent (or the
    /// caller opted in): go on at once with the backup.
    FailOver {
        /// The execution, now at the backup provider.
        execution: Execution<'a, O>,
        /// The primary's failure.
        error: Error,
    },
    /// The call failed.
    Failed(Error),
}

/// What a transport needs to know of an attempt: for limits and logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttemptInfo {
    /// The operation's name (`telesign.sms`).
    pub operation: &'static str,
    /// The provider the attempt goes to.
    pub provider: Provider,
    /// 1 for the first attempt at this provider.
    pub attempt: u32,
}

/// The limits of one attempt: the transport must not exceed them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Connecting (name resolution, TCP, TLS), within `total`.
    pub connect: Duration,
    /// The whole exchange: what is left of the call's time at this provider.
    pub total: Duration,
    /// The longest response body to read; a longer one is
    /// [`ErrorKind::BodyTooLarge`].
    pub max_body_bytes: u64,
}

impl<'a, O: Operation> Execution<'a, O> {
    /// Plans the call and builds its first request: an operation for a given
    /// provider goes to the settings for that provider (the primary's, else
    /// the backup's); a provider-neutral one to the primary, then the
    /// backup. A validation error ends the call before any I/O.
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
        let (config, _) = targets[0].ok_or_else(|| {
            let provider = settings.primary.provider();
            Error::new(
                ErrorKind::NoProviderFor(provider),
                op.name(),
                None,
                op.idempotency(),
                0,
            )
        })?;
        let request = check_every_target(op, &targets)?;
        Ok(Self {
            op,
            settings,
            targets,
            at: 0,
            earlier: None,
            request,
            timeouts: settings.timeouts_for(config.provider()),
            attempts: 0,
            deadline: None,
        })
    }

    /// Starts the call's clock at `now` (otherwise the first attempt
    /// starts it), so that what runs before the first attempt, the guard's
    /// decision, counts against the overall limit. Returns the time left.
    pub fn begin(&mut self, now: Instant) -> Duration {
        let deadline = *self
            .deadline
            .get_or_insert_with(|| later(now, self.timeouts.overall));
        deadline.saturating_duration_since(now)
    }

    /// The error of a call whose time ran out before its first attempt (the
    /// guard's decision took it all), if it did by `now`.
    pub fn out_of_time(&self, now: Instant) -> Option<Error> {
        let deadline = self.deadline?;
        (now >= deadline && self.attempts == 0).then(|| self.time_ran_out())
    }

    /// A timeout before the first attempt: nothing was written.
    pub fn time_ran_out(&self) -> Error {
        Error::new(
            ErrorKind::Timeout {
                written: false,
                after: self.timeouts.overall,
            },
            self.op.name(),
            Some(self.provider()),
            self.op.idempotency(),
            0,
        )
    }

    fn target(&self) -> (&'a ProviderConfig, Role) {
        // `new` and `fail_over` only ever point `at` to a target.
        self.targets[self.at].unwrap_or((&self.settings.primary, Role::Primary))
    }

    /// The provider of the next attempt.
    pub fn provider(&self) -> Provider {
        self.target().0.provider()
    }

    /// Attempts made so far at this provider.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Starts the next attempt: the request signed for `date` with `nonce`
    /// (both fresh for every attempt: TeleSign refuses a stale date or a
    /// reused nonce), the limits it must keep, and the attempt to finish.
    pub fn attempt(
        mut self,
        now: Instant,
        date: SystemTime,
        nonce: &str,
    ) -> (http::Request<Vec<u8>>, Limits, Attempt<'a, O>) {
        self.attempts = self.attempts.saturating_add(1);
        let deadline = *self
            .deadline
            .get_or_insert_with(|| later(now, self.timeouts.overall));
        let total = deadline.saturating_duration_since(now);
        let limits = Limits {
            connect: self.timeouts.connect.min(total),
            total,
            // The parsers' own cap (docs/PROTOCOL-DECISIONS.md, "Limits").
            max_body_bytes: self
                .settings
                .max_body_bytes
                .min(crate::MAX_BODY_BYTES as u64),
        };
        let mut request = std::mem::take(&mut self.request);
        // `build_checked` made sure these settings can sign: this cannot
        // fail, and an unsigned request would only be refused by the server.
        let _ = self.target().0.authorize(&mut request, date, nonce);
        let attempt = Attempt {
            execution: self,
            sent: secret_parts(&request),
            started: (now, date),
        };
        (request, limits, attempt)
    }
}

impl<O: Operation> Execution<'_, O> {
    /// What the attempt's request (its secret parts, `sent`) carried and the
    /// settings that signed it, to remove from what comes back.
    fn secrets(&self, sent: &http::Request<Vec<u8>>) -> crate::redact::Secrets {
        let mut secrets = secrets_of(sent, self.target().0);
        // An answer may echo the other target's credentials too (one proxy
        // or gateway in front of both): remove them as well.
        for (config, _) in self.targets.iter().flatten() {
            add_credentials(&mut secrets, config);
        }
        secrets
    }
}

impl<'a, O: Operation> Attempt<'a, O> {
    /// The attempt, for logs and limits.
    pub fn info(&self) -> AttemptInfo {
        AttemptInfo {
            operation: self.execution.op.name(),
            provider: self.execution.provider(),
            attempt: self.execution.attempts,
        }
    }

    /// Reads how the attempt ended: the response (any body type), or the
    /// transport's failure. `jitter` is a uniform random number in
    /// `0.0..=1.0` for the backoff.
    pub fn finish<B: AsRef<[u8]>>(
        self,
        outcome: Result<http::Response<B>, ErrorKind>,
        now: Instant,
        jitter: f64,
    ) -> Next<'a, O> {
        let mut execution = self.execution;
        let op = execution.op;
        let (config, role) = execution.target();
        let kind = match outcome {
            Ok(response) => {
                let (parts, body) = response.into_parts();
                let response = http::Response::from_parts(parts, body.as_ref());
                match op.parse_response(config.provider(), response) {
                    Ok(output) => return Next::Done(output),
                    // An answer can echo the request: its credentials and
                    // code never reach the error (docs/PROTOCOL-DECISIONS.md).
                    Err(mut e) => {
                        e.redact(&execution.secrets(&self.sent.0));
                        ErrorKind::Response(e)
                    }
                }
            }
            Err(kind) => kind,
        };
        if let Some(after) = execution.retry_delay(&kind, self.started, now, jitter)
            && let Ok(request) = build_checked(op, config, role)
        {
            // The same operation builds the same request; should it not,
            // the call ends with this attempt's failure.
            execution.request = request;
            return Next::Retry {
                after,
                execution,
                reason: kind,
            };
        }
        let error = Error::new(
            kind,
            op.name(),
            Some(config.provider()),
            op.idempotency(),
            execution.attempts,
        );
        execution.fail_over(error)
    }
}

impl<'a, O: Operation> Execution<'a, O> {
    /// The pause before another attempt at this provider, if one is safe
    /// and in time.
    fn retry_delay(
        &self,
        kind: &ErrorKind,
        (started_at, started_date): (Instant, SystemTime),
        now: Instant,
        jitter: f64,
    ) -> Option<Duration> {
        let failure = kind.attempt_failure()?;
        if !should_retry(self.op.idempotency(), &failure) {
            return None;
        }
        // A `Retry-After` date, counted from this moment by the wall clock:
        // the attempt's start plus the monotonic time since.
        let retry_after = kind.retry_after().map(|asked| {
            let wall_now = started_date
                .checked_add(now.saturating_duration_since(started_at))
                .unwrap_or(started_date);
            asked.delay_from(wall_now)
        });
        let policy: RetryPolicy = self.settings.retry_policy;
        let delay = policy.delay_before_retry(self.attempts, retry_after, jitter)?;
        let time_left = self
            .deadline
            .map_or(Duration::ZERO, |d| d.saturating_duration_since(now));
        (delay < time_left).then_some(delay)
    }

    /// The attempts at this provider are over with `error`: go on at the
    /// backup when the rules allow, else end the call.
    fn fail_over(mut self, error: Error) -> Next<'a, O> {
        let error = match self.earlier.take() {
            Some(primary) => error.with_primary(primary),
            None => error,
        };
        let next = self.at + 1;
        let Some(Some((config, role))) = self.targets.get(next).copied() else {
            return Next::Failed(error);
        };
        if !error.allows_failover(self.settings.failover_when_maybe_sent) {
            return Next::Failed(error);
        }
        let op = self.op;
        match build_checked(op, config, role) {
            Ok(request) => {
                self.at = next;
                self.request = request;
                self.timeouts = self.settings.timeouts_for(config.provider());
                self.attempts = 0;
                self.deadline = None;
                self.earlier = Some(error.clone());
                Next::FailOver {
                    execution: self,
                    error,
                }
            }
            // A backup that cannot take the operation keeps the primary's
            // failure: it says whether a message may already have gone out.
            Err(kind) => Next::Failed(
                Error::new(
                    kind,
                    op.name(),
                    Some(config.provider()),
                    op.idempotency(),
                    0,
                )
                .with_primary(error),
            ),
        }
    }
}

/// The secrets of a signed request and of the settings that signed it (an
/// HMAC key is never sent, but nothing of it may show either).
fn secrets_of(request: &http::Request<Vec<u8>>, config: &ProviderConfig) -> crate::redact::Secrets {
    let mut secrets = crate::redact::Secrets::of_request(request);
    add_credentials(&mut secrets, config);
    secrets
}

/// The parts of a signed request [`Secrets::of_request`] reads (its secret
/// headers, its URI, its body), copied: the request itself goes to the
/// transport, and its secrets are worked out only for an answer that must
/// be cleaned of them.
///
/// [`Secrets::of_request`]: crate::redact::Secrets::of_request
fn secret_parts(request: &http::Request<Vec<u8>>) -> SecretParts {
    let mut sent = http::Request::new(request.body().clone());
    *sent.uri_mut() = request.uri().clone();
    for (name, value) in request.headers() {
        if crate::redact::is_secret_header(name, value) {
            sent.headers_mut().append(name.clone(), value.clone());
        }
    }
    SecretParts(sent)
}

/// [`secret_parts`]'s copy: never printed (an [`Attempt`]'s `Debug` shows
/// no secret).
struct SecretParts(http::Request<Vec<u8>>);

impl std::fmt::Debug for SecretParts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretParts([redacted])")
    }
}

/// The credentials of `config`.
fn add_credentials(secrets: &mut crate::redact::Secrets, config: &ProviderConfig) {
    // Each pair also as `user:secret`, whose base64 is its Basic token.
    let (user, secret) = match config {
        ProviderConfig::TeleSign(c) => (
            c.credentials.customer_id(),
            c.credentials.api_key().expose_secret(),
        ),
        ProviderConfig::TeleSignVerify(c) => (
            c.credentials.customer_id(),
            c.credentials.api_key().expose_secret(),
        ),
        ProviderConfig::Dotdigital(c) => (
            c.credentials.username(),
            c.credentials.password().expose_secret(),
        ),
    };
    secrets.add(secret);
    secrets.add(user);
    secrets.add(&format!("{user}:{secret}"));
}

/// Validates `op` for every target it may reach and builds the first
/// target's request: a backup whose rules the operation breaks (or whose
/// settings cannot sign) ends the call before anything is sent, naming every
/// offending field and the provider it offends (docs/PROTOCOL-DECISIONS.md,
/// "Retrying", on failover).
fn check_every_target<O: Operation>(
    op: &O,
    targets: &[Option<(&ProviderConfig, Role)>; 2],
) -> Result<http::Request<Vec<u8>>, Error> {
    type Built = (Provider, Result<http::Request<Vec<u8>>, ErrorKind>);
    let mut built: Vec<Built> = Vec::new();
    for &(config, role) in targets.iter().flatten() {
        let result = build_checked(op, config, role);
        // A single target that builds (the usual call): nothing to merge,
        // and no list to allocate.
        if built.is_empty()
            && targets[1].is_none()
            && let Ok(request) = result
        {
            return Ok(request);
        }
        built.push((config.provider(), result));
    }
    let error = |kind, provider| Error::new(kind, op.name(), provider, op.idempotency(), 0);
    // A configuration that cannot work comes first: nothing to validate
    // against.
    for (provider, result) in &built {
        if let Err(kind @ (ErrorKind::Config(_) | ErrorKind::NoProviderFor(_))) = result {
            return Err(error(kind.clone(), Some(*provider)));
        }
    }
    let checks: Vec<(Provider, Option<&crate::ValidationError>)> = built
        .iter()
        .map(|(provider, result)| match result {
            Err(ErrorKind::Validation(e)) => (*provider, Some(e)),
            _ => (*provider, None),
        })
        .collect();
    let offended: Vec<Provider> = checks.iter().filter_map(|(p, e)| e.map(|_| *p)).collect();
    if let Some(merged) = crate::ValidationError::for_providers(&checks) {
        let provider = match offended.as_slice() {
            [only] => Some(*only),
            _ => None,
        };
        return Err(error(ErrorKind::Validation(merged), provider));
    }
    let mut built = built.into_iter();
    match built.next() {
        Some((_, Ok(request))) => Ok(request),
        Some((provider, Err(kind))) => Err(error(kind, Some(provider))),
        None => Err(error(ErrorKind::NoProviderFor(Provider::TeleSign), None)),
    }
}

/// `now + limit`, saturating at [`LONGEST_LIMIT`] (an `Instant` cannot hold
/// `Duration::MAX` from now).
fn later(now: Instant, limit: Duration) -> Instant {
    let limit = limit.min(LONGEST_LIMIT);
    now.checked_add(limit)
        .or_else(|| now.checked_add(Duration::from_secs(24 * 3600)))
        .unwrap_or(now)
}

/// Validates `op` and builds its unsigned request for `config`, refusing
/// settings that cannot sign and a URL outside the configured base URL
/// (credentials go nowhere else).
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
