//! Async adapter for the verify libraries over hyper 1, hyper-util's
//! pooled client, rustls and tokio: the only crate an async application
//! depends on.
//!
//! It re-exports everything an application names (the providers'
//! operations in [`telesign`], [`dotdigital`] and [`neutral`], [`Code`],
//! [`BaseUrl`], the errors), and adds a [`Client`] whose
//! [`execute`](Client::execute) runs any [`Operation`]. Everything but the
//! HTTP exchange is `verify-core`'s driver: each attempt validated, built
//! and signed afresh (the system clock's date, a nonce from the thread-local
//! CSPRNG), retried only when that is safe, failed over to a backup provider
//! only when nothing can have been sent, and held to the call's time limit.
//!
//! A [`Client`] is `Clone + Send + Sync`; clones share one connection pool
//! (HTTP/1.1, or HTTP/2 when the server offers it over ALPN) and carry many
//! calls at once.
//!
//! ```
//! use verify_hyper::telesign::{CheckCode, CodeCheck, Config, Credentials, SendSms};
//! use verify_hyper::{BaseUrl, Client, Code};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let sandbox = verify_sandbox::Sandbox::start(verify_sandbox::SandboxConfig::deterministic(1)).await?;
//! # let (c, url) = (sandbox.config(), sandbox.base_url());
//! # let (customer_id, api_key) = (c.telesign_customer_id.as_str(), c.telesign_api_key.as_str());
//! // In production: Config::new(credentials) talks HTTPS to TeleSign; here, the sandbox.
//! let config = Config::new(Credentials::new(customer_id, api_key)?)
//!     .with_base_url(BaseUrl::allow_plain_http(&url)?);
//! let client = Client::new(config)?;
//! let sent = client.execute(&SendSms::new("15555550100")).await?;
//! # let typed = sandbox.messages_to("15555550100")[0].code.clone();
//! // `typed` is what the user typed.
//! match client.execute(&CheckCode::new(sent.reference_id, Code::new(typed))).await? {
//!     CodeCheck::Valid => println!("verified"),
//!     other => println!("not verified: {other:?}"),
//! }
//! # Ok(()) }
//! ```
//!
//! # Proxies and logs
//!
//! The client's [`Proxy`], else the environment's `HTTPS_PROXY`,
//! `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (lower-case forms too), through
//! a `CONNECT` tunnel. A proxy setting this client cannot use
//! (`socks5h://`, `ftp://`, an `https://` proxy, a path, ...) makes every
//! call a [`ConfigError`] naming the variable, before anything is sent. At
//! most [`Settings::max_idle_per_host`] idle connections are kept per host.
//!
//! Each attempt is described through `tracing`, secrets redacted. h2 and
//! hyper-util log through `tracing` (frame types and flags, pool events,
//! never header values or bodies), rustls its handshake steps through
//! `log`; none carries a secret. [`LOG_FILTER_DIRECTIVES`] keeps that noise
//! out of a global subscriber or logger.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client as PooledClient;
use hyper_util::client::legacy::connect::{HttpConnector, capture_connection};
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tracing::Instrument;

mod proxy;

pub use verify_core::driver::{
    DEFAULT_MAX_IDLE_PER_HOST, Error, ErrorKind, Proxy, Settings, Timeouts,
};

/// Filter directives (`target=level`, as `tracing_subscriber::EnvFilter`
/// and `env_logger`'s `RUST_LOG` read them) that keep the HTTP stack's own
/// logs out of a global subscriber or logger; add them after your own.
///
/// None of these crates logs a request's secrets at any level (h2 leaves
/// header values and data out of its frame logs; hyper logs nothing unless
/// built with `--cfg hyper_unstable_tracing`; rustls logs handshake steps,
/// never application data): the directives hide their `debug` and `trace`
/// noise (connection pool, frames, handshakes), and keep it that way should
/// a future version log more.
///
/// - `h2=info` (`tracing`): every HTTP/2 frame's type and flags;
/// - `hyper=info`, `hyper_util=info` (`tracing`): connection and pool
///   events;
/// - `rustls=info` (`log`): the TLS handshake's steps.
///
/// This crate's own `tracing` output (a span per attempt, a line per retry
/// or failover) never carries a secret and needs no filter.
pub const LOG_FILTER_DIRECTIVES: &[&str] =
    &["h2=info", "hyper=info", "hyper_util=info", "rustls=info"];
pub use verify_core::retry::RetryPolicy;
pub use verify_core::{
    ApiKey, BaseUrl, Code, ConfigError, FieldError, Idempotency, MAX_BODY_BYTES, Operation,
    Password, Provider, ProviderConfig, ResponseError, RetryAfter, Role, UnexpectedResponse,
    ValidationError, dotdigital, guard, ledger, neutral, redact, telesign, telesign_verify,
};
/// The abuse shield (`verify-shield`): give a [`shield::Shield`] to
/// [`Builder::guard`](verify_core::driver::Builder::guard) and every send
/// and code check passes it first.
pub use verify_shield as shield;

use verify_core::driver::{AsyncTransport, AttemptInfo, BuildClient, Event, Limits, Runtime};

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
pub type Builder = verify_core::driver::Builder<Client>;

type Connector = ConnectWithin<hyper_rustls::HttpsConnector<proxy::ProxyConnector>>;

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

/// An async client for one primary provider and an optional backup.
///
/// `Clone + Send + Sync`: clones share the connection pool and settings.
#[derive(Clone, Debug)]
pub struct Client {
    /// Shared: a clone (one per task, per call) copies no settings.
    inner: std::sync::Arc<verify_core::driver::AsyncClient<Hyper>>,
}

impl BuildClient for Client {
    type Built = Result<Client, BuildError>;

    /// Builds the client and its connection pool (HTTP/1.1, or HTTP/2 when
    /// the server offers it over ALPN).
    ///
    /// Plain `http://` is allowed only when a configured base URL opted in
    /// with [`BaseUrl::allow_plain_http`]; redirects are never followed.
    fn build(settings: Settings) -> Result<Client, BuildError> {
        // One pool serves both providers: the longer of their connect limits.
        let connect_timeout = std::iter::once(settings.primary())
            .chain(settings.backup())
            .map(|p| settings.timeouts_for(p.provider()).connect)
            .max()
            .unwrap_or_default()
            .min(verify_core::driver::LONGEST_LIMIT);
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
        // A proxy setting that cannot be used: every request is refused
        // before any I/O, never sent direct.
        let (matcher, refused) = match proxy::matcher(&settings) {
            Ok(matcher) => (matcher, None),
            Err(e) => (
                hyper_util::client::proxy::matcher::Matcher::builder().build(),
                Some(e),
            ),
        };
        let http = proxy::ProxyConnector {
            http,
            matcher: std::sync::Arc::new(matcher),
        };
        let connector = ConnectWithin {
            inner: tls.enable_http1().enable_http2().wrap_connector(http),
            limit: connect_timeout,
        };
        let pooled = PooledClient::builder(TokioExecutor::new())
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .pool_max_idle_per_host(settings.max_idle_per_host())
            .pool_timer(TokioTimer::new())
            .build(connector);
        Ok(Client {
            inner: std::sync::Arc::new(verify_core::driver::AsyncClient::new(
                settings,
                Hyper { pooled, refused },
            )),
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

    /// A client with finished settings (see [`Settings::builder`]).
    pub fn with_settings(settings: Settings) -> Result<Self, BuildError> {
        <Self as BuildClient>::build(settings)
    }

    /// The client's settings.
    pub fn settings(&self) -> &Settings {
        self.inner.settings()
    }

    /// Runs `op` and returns its typed result.
    ///
    /// An operation for a given provider goes to the configured settings for
    /// that provider (the primary's, else the backup's). A provider-neutral
    /// operation goes to the primary, then to the backup when the primary
    /// failed and the failover rules allow it. Each attempt is signed right
    /// before it is sent, with the system clock's date and a fresh nonce.
    pub async fn execute<O: Operation + Sync>(&self, op: &O) -> Result<O::Output, Error>
    where
        O::Output: Send,
    {
        self.inner.execute(op).await
    }

    /// Starts a verification: as [`execute`](Self::execute), and with the
    /// ledger ([`Builder::ledger`](verify_core::driver::Builder::ledger))
    /// when the start carries an idempotency key or a purpose: within the
    /// key's time to live a start sends at most once, a repeated one
    /// answering the first's verification (`replayed`), its failure that
    /// may have sent ([`ErrorKind::Replayed`]), or, while it is in flight
    /// past this call's time limit, [`ErrorKind::InProgress`].
    pub async fn start(&self, start: &neutral::Start) -> Result<neutral::Started, Error> {
        self.inner.start(start).await
    }

    /// Checks a code by (purpose, phone number), through the ledger: a
    /// verification already closed answers without asking the provider
    /// ([`neutral::CheckOutcome::AlreadyVerified`]).
    pub async fn check_pending(
        &self,
        check: &neutral::PendingCheck,
    ) -> Result<neutral::CheckOutcome, Error> {
        self.inner.check_pending(check).await
    }
}

/// The transport: hyper-util's pool, tokio's timers, the system clocks, the
/// thread-local CSPRNG (ChaCha, seeded and reseeded from the operating
/// system) and `tracing`.
#[derive(Clone, Debug)]
struct Hyper {
    pooled: PooledClient<Connector, Full<Bytes>>,
    /// Why every request is refused (an unusable proxy setting), if so.
    refused: Option<verify_core::ConfigError>,
}

impl Runtime for Hyper {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn date(&self) -> SystemTime {
        SystemTime::now()
    }

    fn random(&self) -> [u8; 16] {
        rand::random()
    }

    fn note(&self, event: Event<'_>) {
        match event {
            Event::Retry {
                info,
                reason,
                after,
            } => tracing::info!(
                operation = info.operation,
                provider = %info.provider,
                attempt = info.attempt,
                delay_ms = after.as_millis() as u64,
                error = %reason,
                "attempt failed; retrying"
            ),
            Event::FailOver { error } => tracing::warn!(
                operation = error.operation(),
                provider = ?error.provider(),
                may_have_sent = error.message_may_have_been_sent(),
                "primary provider failed; failing over to the backup"
            ),
            _ => {}
        }
    }
}

impl AsyncTransport for Hyper {
    type Body = Bytes;

    // Not an `async fn`: the request goes to hyper-util's (lazy) response
    // future before anything is awaited, so the call's future holds no copy
    // of it (an `async fn` keeps its arguments for as long as it runs), and
    // the exchange is returned as it is, not awaited inside another future
    // that would hold it twice.
    fn send(
        &self,
        request: http::Request<Vec<u8>>,
        limits: Limits,
        info: &AttemptInfo,
    ) -> impl std::future::Future<Output = Result<http::Response<Bytes>, ErrorKind>> + Send {
        let span = tracing::info_span!(
            "verify",
            operation = info.operation,
            provider = %info.provider,
            attempt = info.attempt,
            request = %verify_core::redact::redacted(&request),
            status_code = tracing::field::Empty,
        );
        self.exchange(request, limits, span.clone())
            .instrument(span)
    }

    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

impl Hyper {
    /// One HTTP exchange within `limits`: the response with its whole
    /// body, or why not; its status code recorded in `span`. Nothing starts
    /// before the future is polled: hyper-util's response future is lazy,
    /// and the time limit starts at the first poll.
    fn exchange(
        &self,
        request: http::Request<Vec<u8>>,
        limits: Limits,
        span: tracing::Span,
    ) -> impl std::future::Future<Output = Result<http::Response<Bytes>, ErrorKind>> + Send + 'static
    {
        let limit = limits.max_body_bytes;
        let time_left = limits.total;
        let started = match &self.refused {
            Some(e) => Err(ErrorKind::Config(e.clone())),
            None => {
                let mut request = request.map(|body| Full::new(Bytes::from(body)));
                // Set once the request has a connection (pooled or new):
                // before that, no byte of it can have been written.
                let connection = capture_connection(&mut request);
                Ok((self.pooled.request(request), connection))
            }
        };
        async move {
            let (responding, connection) = started?;
            let exchange = async {
                let response = responding.await.map_err(|e| request_failed(&e))?;
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
            let outcome = match tokio::time::timeout(time_left, exchange).await {
                Ok(result) => result,
                // The phase decides, not the timer: when the time left ran
                // out while connecting (TCP, TLS, a proxy's `CONNECT`),
                // nothing was written (docs/PROTOCOL-DECISIONS.md: "never
                // written").
                Err(_) => Err(ErrorKind::Timeout {
                    written: connection.connection_metadata().is_some(),
                    after: time_left,
                }),
            };
            if let Ok(response) = &outcome {
                span.record("status_code", response.status().as_u16());
            }
            outcome
        }
    }
}

/// A failed request: a connect error (refused, the TLS handshake, the
/// proxy's `CONNECT`) wrote nothing.
fn request_failed(e: &hyper_util::client::legacy::Error) -> ErrorKind {
    let chain = error_chain(e);
    if e.is_connect() {
        // hyper-util keeps no status of a refused tunnel but 407: say what
        // it knows without the digit masking of the detail.
        if chain.contains("tunnel error: proxy authorization required") {
            return ErrorKind::Transport {
                written: false,
                detail:
                    "the proxy refused the CONNECT tunnel: HTTP 407 (proxy authentication required)"
                        .into(),
            };
        }
        if chain.contains("tunnel error: unsuccessful") {
            return ErrorKind::Transport {
                written: false,
                detail: "the proxy refused the CONNECT tunnel (an answer other than 2xx)".into(),
            };
        }
    }
    ErrorKind::transport(!e.is_connect(), &chain)
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
}
