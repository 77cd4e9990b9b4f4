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

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client as PooledClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tracing::Instrument;

use verify_core::call::{Attempts, BuildClient, Call, Settings, Step};
pub use verify_core::call::{DEFAULT_MAX_BODY_BYTES, Error, ErrorKind, Timeouts};
pub use verify_core::retry::RetryPolicy;
use verify_core::{Operation, ProviderConfig};

/// How long an idle pooled connection is kept: well under TeleSign's
/// documented ~499 s idle cutoff, so a request never lands on a connection
/// the server is closing.
pub const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(300);

/// The TLS configuration could not be built.
#[derive(Debug, thiserror::Error)]
#[error("TLS setup failed: {0}")]
pub struct BuildError(#[from] rustls::Error);

/// Settings for a [`Client`]: start with [`Client::builder`], finish with
/// `build()`.
pub type Builder = verify_core::call::Builder<Client>;

type Connector = ConnectWithin<hyper_rustls::HttpsConnector<HttpConnector>>;

/// Bounds a whole connection set-up (TCP, then the TLS handshake) by one
/// time limit. A set-up that fails or runs out of time is a connect error:
/// no byte of a request has gone out, so the call may retry or fail over.
/// (The TCP connector's own limit does not cover the TLS handshake.)
#[derive(Clone, Debug)]
struct ConnectWithin<C> {
    inner: C,
    limit: Duration,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl<C> tower_service::Service<http::Uri> for ConnectWithin<C>
where
    C: tower_service::Service<http::Uri>,
    C::Error: Into<BoxError>,
    C::Future: Send + 'static,
{
    type Response = C::Response;
    type Error = BoxError;
    type Future =
        std::pin::Pin<Box<dyn std::future::Future<Output = Result<C::Response, BoxError>> + Send>>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: http::Uri) -> Self::Future {
        let connecting = self.inner.call(uri);
        let limit = self.limit;
        Box::pin(async move {
            match tokio::time::timeout(limit, connecting).await {
                Ok(connected) => connected.map_err(Into::into),
                Err(_) => Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("connecting (TCP and TLS) took longer than {limit:?}"),
                )
                .into()),
            }
        })
    }
}

#[derive(Debug)]
struct Inner {
    pooled: PooledClient<Connector, Full<Bytes>>,
    settings: Settings,
}

/// An async client for one primary provider and an optional backup.
///
/// `Clone + Send + Sync`: clones share the connection pool and settings.
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
}

impl BuildClient for Client {
    type Built = Result<Client, BuildError>;

    /// Builds the client and its connection pool (HTTP/1.1, or HTTP/2 when
    /// the server offers it over ALPN).
    ///
    /// Plain `http://` is allowed only when a configured base URL opted in
    /// with [`verify_core::BaseUrl::allow_plain_http`]; redirects are never
    /// followed.
    fn build(settings: Settings) -> Result<Client, BuildError> {
        // One pool serves both providers: the longer of their connect limits.
        let connect_timeout = std::iter::once(settings.primary())
            .chain(settings.backup())
            .map(|p| settings.timeouts_for(p.provider()).connect)
            .max()
            .unwrap_or_default();
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(connect_timeout));
        http.set_nodelay(true);
        let tls = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())?;
        let tls = if settings.allows_plain_http() {
            tls.https_or_http()
        } else {
            tls.https_only()
        };
        let connector = ConnectWithin {
            inner: tls.enable_http1().enable_http2().wrap_connector(http),
            limit: connect_timeout,
        };
        let pooled = PooledClient::builder(TokioExecutor::new())
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .pool_timer(TokioTimer::new())
            .build(connector);
        Ok(Client {
            inner: Arc::new(Inner { pooled, settings }),
        })
    }
}

impl Client {
    /// A client with default settings for `primary`.
    pub fn new(primary: impl Into<ProviderConfig>) -> Result<Self, BuildError> {
        Self::builder(primary).build()
    }

    /// Settings for a client whose first choice is `primary`.
    pub fn builder(primary: impl Into<ProviderConfig>) -> Builder {
        Builder::new(primary)
    }

    /// Runs `op` and returns its typed result.
    ///
    /// An operation for a given provider goes to the configured settings for
    /// that provider (the primary's, else the backup's). A provider-neutral
    /// operation goes to the primary, then to the backup when the primary
    /// failed and the failover rules allow it. Each attempt is signed right
    /// before it is sent, with the system clock's date and a fresh nonce from
    /// the operating system's CSPRNG.
    pub async fn execute<O: Operation>(&self, op: &O) -> Result<O::Output, Error> {
        let mut call = Call::new(&self.inner.settings, op)?;
        loop {
            let error = match self.attempt_all(op, call.attempts()?).await {
                Ok(output) => return Ok(output),
                Err(error) => error,
            };
            call.fail_over(error.clone())?;
            tracing::warn!(
                operation = op.name(),
                provider = ?error.provider(),
                may_have_sent = error.message_may_have_been_sent(),
                "primary provider failed; failing over to the backup"
            );
        }
    }

    /// Attempts `op` at one provider, retrying while the rules allow.
    async fn attempt_all<O: Operation>(
        &self,
        op: &O,
        mut attempts: Attempts<'_, O>,
    ) -> Result<O::Output, Error> {
        loop {
            let nonce = nonce();
            let (request, time_left) =
                attempts.next_request(Instant::now(), SystemTime::now(), &nonce);
            let span = tracing::info_span!(
                "verify",
                operation = op.name(),
                provider = %attempts.provider(),
                attempt = attempts.attempt(),
                request = %verify_core::redact::redacted(&request),
                status_code = tracing::field::Empty,
            );
            let outcome = self.send(request, time_left).instrument(span.clone()).await;
            if let Ok(response) = &outcome {
                span.record("status_code", response.status().as_u16());
            }
            let _entered = span.enter();
            match attempts.finish(outcome, Instant::now(), rand::random::<f64>()) {
                Step::Done(output) => return Ok(output),
                Step::Retry(delay) => {
                    tracing::info!(
                        delay_ms = delay.as_millis() as u64,
                        "attempt failed; retrying"
                    );
                    drop(_entered);
                    tokio::time::sleep(delay).await;
                }
                Step::Failed(error) => {
                    tracing::info!(error = %error.kind(), "attempt failed; not retrying");
                    return Err(error);
                }
            }
        }
    }

    /// One HTTP exchange within `time_left`: the response with its whole
    /// body, or why not.
    async fn send(
        &self,
        request: http::Request<Vec<u8>>,
        time_left: Duration,
    ) -> Result<http::Response<Bytes>, ErrorKind> {
        let limit = self.inner.settings.max_body_bytes();
        let exchange = async {
            let request = request.map(|body| Full::new(Bytes::from(body)));
            let response = self
                .inner
                .pooled
                .request(request)
                .await
                .map_err(|e| ErrorKind::transport(!e.is_connect(), &error_chain(&e)))?;
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
                    ErrorKind::transport(true, &e.to_string())
                }
            })?;
            Ok(http::Response::from_parts(parts, body.to_bytes()))
        };
        match tokio::time::timeout(time_left, exchange).await {
            Ok(result) => result,
            Err(_) => Err(ErrorKind::Timeout {
                written: true,
                after: time_left,
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

/// A fresh UUID v4 nonce from the thread-local CSPRNG (ChaCha, seeded and
/// periodically reseeded from the operating system), without a system call
/// per request.
fn nonce() -> String {
    uuid::Builder::from_random_bytes(rand::random())
        .into_uuid()
        .to_string()
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
    fn idle_connections_close_before_telesign_drops_them() {
        assert!(POOL_IDLE_TIMEOUT < std::time::Duration::from_secs(499));
    }

    #[test]
    fn nonces_are_fresh_uuid_v4() {
        let (a, b) = (nonce(), nonce());
        assert_ne!(a, b);
        for n in [a, b] {
            let id = uuid::Uuid::parse_str(&n).expect("a UUID");
            assert_eq!(id.get_version(), Some(uuid::Version::Random));
        }
    }
}
