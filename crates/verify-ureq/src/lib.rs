//! Blocking adapter for `verify-core` over ureq 3 and rustls.
//!
//! One generic [`Client::execute`] runs any [`Operation`] of the core: it
//! builds the request with [`Operation::to_request`], signs it right before
//! each attempt with [`ProviderConfig::authorize`] (the system clock's date
//! and a nonce from the operating system's CSPRNG), sends it, reads the body
//! up to a limit and hands it to [`Operation::parse_response`]: the same
//! public path any custom transport takes.
//!
//! Calls are retried when that is safe (see [`verify_core::retry`]), and a
//! provider-neutral send fails over to a backup provider when the primary
//! sent nothing.
//!
//! ```no_run
//! use verify_core::telesign::{Config, Credentials};
//! # fn demo<O: verify_core::Operation>(op: O) -> Result<(), verify_ureq::Error> {
//! let config = Config::new(Credentials::new("FFFFFFFF-EEEE-DDDD-1234-AB1234567890", "VGVzdCBLZXk=").unwrap());
//! let client = verify_ureq::Client::new(config);
//! let output = client.execute(&op)?;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod error;

use std::io;
use std::time::{Duration, SystemTime};

pub use error::{Error, ErrorKind};
pub use verify_core::retry::RetryPolicy;
use verify_core::retry::should_retry;
use verify_core::{ConfigError, Operation, Provider, ProviderConfig, Role};

/// The default response body limit: 64 KiB, far above any documented answer.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 64 * 1024;

/// Time limits for one attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// Connecting, including DNS and the TLS handshake.
    pub connect: Duration,
    /// The whole attempt: connect, send, and read the full response.
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

/// Settings for a [`Client`]; start with [`Client::builder`].
#[derive(Clone, Debug)]
pub struct Builder {
    primary: ProviderConfig,
    backup: Option<ProviderConfig>,
    failover_when_maybe_sent: bool,
    timeouts: Option<Timeouts>,
    retry_policy: RetryPolicy,
    max_body_bytes: u64,
}

impl Builder {
    /// A backup provider for provider-neutral sends (and for operations
    /// addressed to its provider). TeleSign as backup is told
    /// `is_primary=false`.
    pub fn backup(mut self, backup: impl Into<ProviderConfig>) -> Self {
        self.backup = Some(backup.into());
        self
    }

    /// Also fail over when the primary may have sent a message (a timeout, a
    /// reset after the request was written). The user may then get two
    /// codes. Off by default.
    pub fn failover_when_maybe_sent(mut self, yes: bool) -> Self {
        self.failover_when_maybe_sent = yes;
        self
    }

    /// The same time limits for every provider, instead of
    /// [`Timeouts::for_provider`].
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = Some(timeouts);
        self
    }

    /// How often and how patiently to retry (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = policy;
        self
    }

    /// The longest response body read (default [`DEFAULT_MAX_BODY_BYTES`]).
    pub fn max_body_bytes(mut self, limit: u64) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Builds the client and its connection pool.
    ///
    /// Plain `http://` is allowed only when a configured base URL opted in
    /// with [`verify_core::BaseUrl::allow_plain_http`]; redirects are never
    /// followed.
    pub fn build(self) -> Client {
        let plain_http = std::iter::once(&self.primary)
            .chain(&self.backup)
            .any(|c| !c.base_url().is_https());
        let config = ureq::Agent::config_builder()
            // The providers put the meaning in error bodies: let them through.
            .http_status_as_error(false)
            .https_only(!plain_http)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .save_redirect_history(false)
            .max_response_header_size(16 * 1024)
            // Well under TeleSign's ~499 s idle cutoff.
            .max_idle_age(Duration::from_secs(300))
            .build();
        Client {
            agent: ureq::Agent::new_with_config(config),
            settings: self,
        }
    }
}

/// A blocking client for one primary provider and an optional backup.
///
/// Cloning is cheap and clones share the connection pool.
#[derive(Clone, Debug)]
pub struct Client {
    agent: ureq::Agent,
    settings: Builder,
}

impl Client {
    /// A client with default settings for `primary`.
    pub fn new(primary: impl Into<ProviderConfig>) -> Self {
        Self::builder(primary).build()
    }

    /// Settings for a client whose first choice is `primary`.
    pub fn builder(primary: impl Into<ProviderConfig>) -> Builder {
        Builder {
            primary: primary.into(),
            backup: None,
            failover_when_maybe_sent: false,
            timeouts: None,
            retry_policy: RetryPolicy::default(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }

    /// Runs `op` and returns its typed result.
    ///
    /// An operation for a given provider goes to the configured settings for
    /// that provider (the primary's, else the backup's). A provider-neutral
    /// operation goes to the primary, then to the backup when the primary
    /// failed and the failover rules allow it.
    pub fn execute<O: Operation>(&self, op: &O) -> Result<O::Output, Error> {
        let s = &self.settings;
        let mut targets: Vec<(&ProviderConfig, Role)> = Vec::with_capacity(2);
        targets.push((&s.primary, Role::Primary));
        targets.extend(s.backup.iter().map(|b| (b, Role::Backup)));
        if let Some(wanted) = op.provider() {
            targets.retain(|(c, _)| c.provider() == wanted);
            targets.truncate(1);
            if targets.is_empty() {
                return Err(Error::new(
                    ErrorKind::NoProviderFor(wanted),
                    op.name(),
                    Some(wanted),
                    op.idempotency(),
                    0,
                ));
            }
        }
        let mut earlier: Option<Error> = None;
        let count = targets.len();
        for (i, (config, role)) in targets.into_iter().enumerate() {
            let mut err = match self.execute_on(op, config, role) {
                Ok(output) => return Ok(output),
                Err(err) => err,
            };
            if let Some(primary) = earlier.take() {
                err = err.with_primary(primary);
            }
            if i + 1 == count || !err.allows_failover(s.failover_when_maybe_sent) {
                return Err(err);
            }
            tracing::warn!(
                operation = op.name(),
                provider = %config.provider(),
                may_have_sent = err.message_may_have_been_sent(),
                "primary provider failed; failing over to the backup"
            );
            earlier = Some(err);
        }
        // `targets` is never empty, so the loop always returns.
        Err(earlier.unwrap_or_else(|| {
            Error::new(
                ErrorKind::NoProviderFor(s.primary.provider()),
                op.name(),
                None,
                op.idempotency(),
                0,
            )
        }))
    }

    /// Attempts `op` at one provider, retrying while the rules allow.
    fn execute_on<O: Operation>(
        &self,
        op: &O,
        config: &ProviderConfig,
        role: Role,
    ) -> Result<O::Output, Error> {
        let provider = config.provider();
        let idempotency = op.idempotency();
        let fail =
            |kind, attempts| Error::new(kind, op.name(), Some(provider), idempotency, attempts);
        let request = op
            .to_request(config, role)
            .map_err(|e| fail(ErrorKind::Validation(e), 0))?;
        if !under_base_url(request.uri(), config) {
            return Err(fail(ErrorKind::Config(outside_base_url()), 0));
        }
        let timeouts = self
            .settings
            .timeouts
            .unwrap_or_else(|| Timeouts::for_provider(provider));
        let mut attempt = 0;
        loop {
            attempt += 1;
            let span = tracing::info_span!(
                "verify",
                operation = op.name(),
                provider = %provider,
                attempt,
                status_code = tracing::field::Empty,
            );
            let entered = span.enter();
            let mut signed = request.clone();
            let nonce = uuid::Uuid::new_v4().to_string();
            config.authorize(&mut signed, SystemTime::now(), &nonce);
            let kind = match self.send(signed, timeouts) {
                Ok(response) => {
                    span.record("status_code", response.status().as_u16());
                    let (parts, body) = response.into_parts();
                    let response = http::Response::from_parts(parts, body.as_slice());
                    match op.parse_response(provider, response) {
                        Ok(output) => return Ok(output),
                        Err(e) => ErrorKind::Response(e),
                    }
                }
                Err(kind) => kind,
            };
            let delay = kind.attempt_failure().and_then(|failure| {
                if !should_retry(idempotency, &failure) {
                    return None;
                }
                self.settings.retry_policy.delay_before_retry(
                    attempt,
                    kind.retry_after(),
                    rand::random::<f64>(),
                )
            });
            let Some(delay) = delay else {
                tracing::info!(error = %kind, "attempt failed; not retrying");
                return Err(fail(kind, attempt));
            };
            tracing::info!(error = %kind, delay_ms = delay.as_millis() as u64, "attempt failed; retrying");
            drop(entered);
            std::thread::sleep(delay);
        }
    }

    /// One HTTP exchange: the response with its whole body, or why not.
    fn send(
        &self,
        request: http::Request<Vec<u8>>,
        timeouts: Timeouts,
    ) -> Result<http::Response<Vec<u8>>, ErrorKind> {
        let request = self
            .agent
            .configure_request(request)
            .timeout_connect(Some(timeouts.connect))
            .timeout_global(Some(timeouts.overall))
            .build();
        let limit = self.settings.max_body_bytes;
        let mut response = self
            .agent
            .run(request)
            .map_err(|e| map_error(e, timeouts, limit, false))?;
        let body = response
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(|e| map_error(e, timeouts, limit, true))?;
        let (parts, _) = response.into_parts();
        Ok(http::Response::from_parts(parts, body))
    }
}

/// Whether `uri` lies under the configured base URL: credentials go nowhere
/// else, and a plain `http://` URI only where the base URL opted in.
pub(crate) fn under_base_url(uri: &http::Uri, config: &ProviderConfig) -> bool {
    let uri = uri.to_string();
    let base = config.base_url().as_str();
    uri.strip_prefix(base)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?']))
}

fn outside_base_url() -> ConfigError {
    ConfigError::BaseUrl("the operation built a URL outside the configured base URL".into())
}

/// Classifies a ureq error: was the request possibly written?
fn map_error(e: ureq::Error, timeouts: Timeouts, limit: u64, reading_body: bool) -> ErrorKind {
    use ureq::Error as E;
    let written = reading_body || !never_written(&e);
    match e {
        E::Timeout(t) => ErrorKind::Timeout {
            written,
            after: match t {
                ureq::Timeout::Connect | ureq::Timeout::Resolve => timeouts.connect,
                _ => timeouts.overall,
            },
        },
        E::BodyExceedsLimit(_) => ErrorKind::BodyTooLarge { limit },
        E::RequireHttpsOnly(_) => ErrorKind::Config(ConfigError::PlainHttp),
        other => ErrorKind::Transport {
            written,
            detail: verify_core::error::mask_digit_runs(&other.to_string()),
        },
    }
}

/// Whether a ureq error can only happen before any byte of the request was
/// written: resolving, connecting, the TLS handshake.
fn never_written(e: &ureq::Error) -> bool {
    use ureq::Error as E;
    match e {
        E::Timeout(t) => matches!(t, ureq::Timeout::Resolve | ureq::Timeout::Connect),
        E::HostNotFound
        | E::ConnectionFailed
        | E::BadUri(_)
        | E::Http(_)
        | E::Tls(_)
        | E::Rustls(_)
        | E::RequireHttpsOnly(_)
        | E::TlsRequired => true,
        // TLS refuses to carry application data before the handshake is
        // done, so a TLS failure means no byte of the request went out.
        E::Io(io) if io.get_ref().is_some_and(|e| e.is::<rustls::Error>()) => true,
        E::Io(io) => matches!(
            io.kind(),
            io::ErrorKind::ConnectionRefused
                | io::ErrorKind::HostUnreachable
                | io::ErrorKind::NetworkUnreachable
                | io::ErrorKind::NetworkDown
                | io::ErrorKind::AddrNotAvailable
                | io::ErrorKind::AddrInUse
        ),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_failures_are_never_written() {
        let t = Timeouts::for_provider(Provider::TeleSign);
        for e in [
            ureq::Error::HostNotFound,
            ureq::Error::ConnectionFailed,
            ureq::Error::Timeout(ureq::Timeout::Connect),
            ureq::Error::Timeout(ureq::Timeout::Resolve),
            ureq::Error::Io(io::Error::from(io::ErrorKind::ConnectionRefused)),
            ureq::Error::Io(io::Error::new(
                io::ErrorKind::InvalidData,
                rustls::Error::DecryptError,
            )),
        ] {
            let kind = map_error(e, t, 10, false);
            assert!(
                matches!(
                    kind.attempt_failure(),
                    Some(verify_core::retry::AttemptFailure::NotWritten)
                ),
                "{kind}"
            );
        }
        for e in [
            ureq::Error::Timeout(ureq::Timeout::Global),
            ureq::Error::Timeout(ureq::Timeout::RecvResponse),
            ureq::Error::Io(io::Error::from(io::ErrorKind::ConnectionReset)),
            ureq::Error::Io(io::Error::from(io::ErrorKind::UnexpectedEof)),
            ureq::Error::BodyExceedsLimit(10),
        ] {
            let kind = map_error(e, t, 10, false);
            assert!(
                matches!(
                    kind.attempt_failure(),
                    Some(verify_core::retry::AttemptFailure::MaybeWritten)
                ),
                "{kind}"
            );
        }
        // Any failure while reading the body: the request was written.
        let kind = map_error(ureq::Error::ConnectionFailed, t, 10, true);
        assert!(matches!(
            kind.attempt_failure(),
            Some(verify_core::retry::AttemptFailure::MaybeWritten)
        ));
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
