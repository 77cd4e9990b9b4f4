//! Async adapter for `verify-core` over hyper 1, hyper-util's pooled client,
//! rustls and tokio.
//!
//! One generic [`Client::execute`] runs any [`Operation`] of the core: it
//! builds the request with [`Operation::to_request`], signs it right before
//! each attempt with [`ProviderConfig::authorize`] (the system clock's date
//! and a nonce from the operating system's CSPRNG), sends it, reads the body
//! up to a limit and hands it to [`Operation::parse_response`]: the same
//! public path any custom transport takes.
//!
//! A [`Client`] is `Clone + Send + Sync`; clones share one connection pool
//! (HTTP/1.1, or HTTP/2 when the server offers it over ALPN) and carry many
//! calls at once. Calls are retried when that is safe (see
//! [`verify_core::retry`]), and a provider-neutral send fails over to a
//! backup provider when the primary sent nothing.
//!
//! ```no_run
//! use verify_core::telesign::{Config, Credentials};
//! # async fn demo<O: verify_core::Operation>(op: O) -> Result<(), Box<dyn std::error::Error>> {
//! let config = Config::new(Credentials::new("FFFFFFFF-EEEE-DDDD-1234-AB1234567890", "VGVzdCBLZXk=")?);
//! let client = verify_hyper::Client::new(config)?;
//! let output = client.execute(&op).await?;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod error;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client as PooledClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tracing::Instrument;

pub use error::{Error, ErrorKind};
pub use verify_core::retry::RetryPolicy;
use verify_core::retry::should_retry;
use verify_core::{ConfigError, Operation, Provider, ProviderConfig, Role};

/// The default response body limit: 64 KiB, far above any documented answer.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 64 * 1024;

/// How long an idle pooled connection is kept: well under TeleSign's
/// documented ~499 s idle cutoff, so a request never lands on a connection
/// the server is closing.
pub const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(300);

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

/// The TLS setup failed (it cannot with the bundled ring provider and roots,
/// but rustls reports it as fallible).
#[derive(Debug, thiserror::Error)]
#[error("TLS setup failed: {0}")]
pub struct BuildError(#[from] rustls::Error);

/// Settings for a [`Client`]; start with [`Client::builder`].
#[derive(Clone, Debug)]
pub struct Builder {
    primary: ProviderConfig,
    backup: Option<ProviderConfig>,
    failover_when_maybe_sent: bool,
    timeouts: Option<Timeouts>,
    retry_policy: RetryPolicy,
    max_body_bytes: u64,
    allow_plain_http: bool,
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

    /// Lets the connector speak plain `http://` (a sandbox on loopback).
    /// Off by default: the connector then refuses anything but HTTPS, and
    /// the base URLs must also have opted in with
    /// [`verify_core::BaseUrl::allow_plain_http`].
    pub fn allow_plain_http(mut self, yes: bool) -> Self {
        self.allow_plain_http = yes;
        self
    }

    /// Builds the client and its connection pool.
    ///
    /// Must be called inside a tokio runtime only when the client is used;
    /// building needs none.
    pub fn build(self) -> Result<Client, BuildError> {
        let connect_timeout = self.timeouts.map_or(Duration::from_secs(5), |t| t.connect);
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(connect_timeout));
        http.set_nodelay(true);
        let tls = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())?;
        let tls = if self.allow_plain_http {
            tls.https_or_http()
        } else {
            tls.https_only()
        };
        let connector = tls.enable_http1().enable_http2().wrap_connector(http);
        let pooled = PooledClient::builder(TokioExecutor::new())
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .pool_timer(TokioTimer::new())
            .build(connector);
        Ok(Client {
            inner: Arc::new(Inner {
                pooled,
                settings: self,
            }),
        })
    }
}

type Connector = hyper_rustls::HttpsConnector<HttpConnector>;

#[derive(Debug)]
struct Inner {
    pooled: PooledClient<Connector, Full<Bytes>>,
    settings: Builder,
}

/// An async client for one primary provider and an optional backup.
///
/// `Clone + Send + Sync`: clones share the connection pool and settings.
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
}

impl Client {
    /// A client with default settings for `primary`.
    pub fn new(primary: impl Into<ProviderConfig>) -> Result<Self, BuildError> {
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
            allow_plain_http: false,
        }
    }

    /// Runs `op` and returns its typed result.
    ///
    /// An operation for a given provider goes to the configured settings for
    /// that provider (the primary's, else the backup's). A provider-neutral
    /// operation goes to the primary, then to the backup when the primary
    /// failed and the failover rules allow it.
    pub async fn execute<O: Operation>(&self, op: &O) -> Result<O::Output, Error> {
        let s = &self.inner.settings;
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
            let mut err = match self.execute_on(op, config, role).await {
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
    async fn execute_on<O: Operation>(
        &self,
        op: &O,
        config: &ProviderConfig,
        role: Role,
    ) -> Result<O::Output, Error> {
        let settings = &self.inner.settings;
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
        if request.uri().scheme_str() != Some("https") && !settings.allow_plain_http {
            return Err(fail(ErrorKind::Config(ConfigError::PlainHttp), 0));
        }
        let timeouts = settings
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
            let mut signed = request.clone();
            let nonce = uuid::Uuid::new_v4().to_string();
            config.authorize(&mut signed, SystemTime::now(), &nonce);
            let kind = async {
                let kind = match self.send(signed, timeouts).await {
                    Ok(response) => {
                        tracing::Span::current().record("status_code", response.status().as_u16());
                        let (parts, body) = response.into_parts();
                        let response = http::Response::from_parts(parts, &body[..]);
                        match op.parse_response(provider, response) {
                            Ok(output) => return Ok(output),
                            Err(e) => ErrorKind::Response(e),
                        }
                    }
                    Err(kind) => kind,
                };
                Err(kind)
            }
            .instrument(span.clone())
            .await;
            let kind = match kind {
                Ok(output) => return Ok(output),
                Err(kind) => kind,
            };
            let delay = kind.attempt_failure().and_then(|failure| {
                if !should_retry(idempotency, &failure) {
                    return None;
                }
                settings.retry_policy.delay_before_retry(
                    attempt,
                    kind.retry_after(),
                    rand::random::<f64>(),
                )
            });
            let entered = span.enter();
            let Some(delay) = delay else {
                tracing::info!(error = %kind, "attempt failed; not retrying");
                return Err(fail(kind, attempt));
            };
            tracing::info!(error = %kind, delay_ms = delay.as_millis() as u64, "attempt failed; retrying");
            drop(entered);
            tokio::time::sleep(delay).await;
        }
    }

    /// One HTTP exchange within the overall time limit: the response with
    /// its whole body, or why not.
    async fn send(
        &self,
        request: http::Request<Vec<u8>>,
        timeouts: Timeouts,
    ) -> Result<http::Response<Bytes>, ErrorKind> {
        let limit = self.inner.settings.max_body_bytes;
        let exchange = async {
            let request = request.map(|body| Full::new(Bytes::from(body)));
            let response =
                self.inner
                    .pooled
                    .request(request)
                    .await
                    .map_err(|e| ErrorKind::Transport {
                        written: !e.is_connect(),
                        detail: verify_core::error::mask_digit_runs(&error_chain(&e)),
                    })?;
            let (parts, body) = response.into_parts();
            if let Some(length) = parts
                .headers
                .get(http::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok())
                && length > limit
            {
                return Err(ErrorKind::BodyTooLarge { limit });
            }
            let cap = usize::try_from(limit).unwrap_or(usize::MAX);
            let body = Limited::new(body, cap).collect().await.map_err(|e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    ErrorKind::BodyTooLarge { limit }
                } else {
                    ErrorKind::Transport {
                        written: true,
                        detail: verify_core::error::mask_digit_runs(&e.to_string()),
                    }
                }
            })?;
            Ok(http::Response::from_parts(parts, body.to_bytes()))
        };
        match tokio::time::timeout(timeouts.overall, exchange).await {
            Ok(result) => result,
            Err(_) => Err(ErrorKind::Timeout {
                written: true,
                after: timeouts.overall,
            }),
        }
    }
}

/// An error and its sources on one line.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Whether `uri` lies under the configured base URL: credentials go nowhere
/// else.
fn under_base_url(uri: &http::Uri, config: &ProviderConfig) -> bool {
    let uri = uri.to_string();
    let base = config.base_url().as_str();
    uri.strip_prefix(base)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?']))
}

fn outside_base_url() -> ConfigError {
    ConfigError::BaseUrl("the operation built a URL outside the configured base URL".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync_clone<T: Send + Sync + Clone + 'static>() {}

    #[test]
    fn client_is_shareable() {
        assert_send_sync_clone::<Client>();
    }

    #[test]
    fn default_timeouts_fit_the_providers() {
        assert_eq!(
            Timeouts::for_provider(Provider::TeleSign).overall,
            Duration::from_secs(10)
        );
        assert!(Timeouts::for_provider(Provider::Dotdigital).overall >= Duration::from_secs(130));
        assert!(POOL_IDLE_TIMEOUT < Duration::from_secs(499));
    }
}
