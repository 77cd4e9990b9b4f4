//! Blocking adapter for the verify libraries over ureq 3 and rustls: the
//! only crate a blocking application depends on.
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
//! ```
//! use verify_ureq::telesign::{CheckCode, CodeCheck, Config, Credentials, SendSms};
//! use verify_ureq::{BaseUrl, Client, Code};
//! # let sandbox = verify_sandbox::Sandbox::spawn(verify_sandbox::SandboxConfig::deterministic(1))?;
//! # let (c, url) = (sandbox.config(), sandbox.base_url());
//! # let (customer_id, api_key) = (c.telesign_customer_id.as_str(), c.telesign_api_key.as_str());
//! // In production: Config::new(credentials) talks HTTPS to TeleSign; here, the sandbox.
//! let config = Config::new(Credentials::new(customer_id, api_key)?)
//!     .with_base_url(BaseUrl::allow_plain_http(&url)?);
//! let client = Client::new(config);
//! let sent = client.execute(&SendSms::new("15555550100"))?;
//! # let typed = sandbox.messages_to("15555550100")[0].code.clone();
//! // `typed` is what the user typed.
//! match client.execute(&CheckCode::new(sent.reference_id, Code::new(typed)))? {
//!     CodeCheck::Valid => println!("verified"),
//!     other => println!("not verified: {other:?}"),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Proxies and logs
//!
//! The client's [`Proxy`], else the environment's `HTTPS_PROXY`,
//! `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (lower-case forms too). A proxy
//! variable set to something this client cannot use (`socks5h://`,
//! `ftp://`, a path, ...) makes every call a [`ConfigError`] naming the
//! variable, before anything is sent: never ignored, never sent direct.
//!
//! Each attempt is described through `tracing`, secrets redacted. ureq and
//! ureq-proto log through the `log` crate: a process-wide logger at `trace`
//! sees every byte of each request from ureq-proto (the `Authorization`
//! header, the code) and the query of a TeleSign code check from ureq. Add
//! [`LOG_FILTER_DIRECTIVES`] to its filter (for `env_logger`:
//! `RUST_LOG=debug,ureq_proto=off,ureq=info,rustls=info`).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod connect;
mod proxy;
mod resolver;

/// The README's examples (the core alone, and the neutral API over this
/// adapter with the sandbox), compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;

use std::io;
use std::time::{Duration, Instant, SystemTime};

pub use verify_core::driver::{
    DEFAULT_MAX_IDLE_PER_HOST, Error, ErrorKind, Proxy, Settings, Timeouts,
};

/// Filter directives (`target=level`, as `env_logger`'s `RUST_LOG` and
/// `tracing_subscriber::EnvFilter` read them) that keep what the HTTP stack
/// logs through the `log` crate free of secrets; add them to a global
/// logger's filter, after your own.
///
/// - `ureq_proto=off`: at `trace`, ureq-proto writes every byte of each
///   request and response as hex (the `Authorization` header, the
///   `verify_code`, the phone number).
/// - `ureq=info`: at `trace`, ureq logs each request's path and query (a
///   TeleSign code check carries `verify_code` there); at `debug`, each
///   request's method, host and its headers except the sensitive ones.
/// - `rustls=info`: the TLS handshake's steps at `debug` and `trace` (no
///   request data; only noise).
///
/// This crate's own `tracing` output (a span per attempt, a line per retry
/// or failover) never carries a secret and needs no filter.
pub const LOG_FILTER_DIRECTIVES: &[&str] = &["ureq_proto=off", "ureq=info", "rustls=info"];
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

use verify_core::driver::{AttemptInfo, BuildClient, Event, Limits, Runtime, Transport};

/// Settings for a [`Client`]: start with [`Client::builder`], finish with
/// `build()`.
pub type Builder = verify_core::driver::Builder<Client>;

/// A blocking client for one primary provider and an optional backup.
///
/// Cloning is cheap and clones share the connection pool.
#[derive(Clone, Debug)]
pub struct Client {
    inner: verify_core::driver::Client<Ureq>,
}

impl BuildClient for Client {
    type Built = Client;

    /// Builds the client and its connection pool.
    ///
    /// Plain `http://` is allowed only when a configured base URL opted in
    /// with [`BaseUrl::allow_plain_http`]; redirects are never followed.
    fn build(settings: Settings) -> Client {
        let config = ureq::Agent::config_builder()
            // The providers put the meaning in error bodies: let them through.
            .http_status_as_error(false)
            .https_only(!settings.allows_plain_http())
            .max_redirects(0)
            .max_redirects_will_error(false)
            .save_redirect_history(false)
            .max_response_header_size(16 * 1024)
            // Well under TeleSign's ~499 s idle cutoff.
            .max_idle_age(POOL_IDLE_TIMEOUT)
            .max_idle_connections_per_host(settings.max_idle_per_host())
            // Two providers at most: room for both.
            .max_idle_connections(settings.max_idle_per_host().saturating_mul(2))
            // The proxy is chosen per provider below, never read by ureq
            // from the environment on its own.
            .proxy(None)
            .build();
        let agent = ureq::Agent::with_parts(
            config,
            connect::MarkingConnector::default(),
            resolver::CachingResolver::default(),
        );
        // A proxy setting that cannot be used (an explicit URL ureq refuses,
        // an environment variable set to a SOCKS or other URL): every
        // request is refused before any I/O, never sent direct.
        let proxies = proxy::Plan::new(&settings);
        Client {
            inner: verify_core::driver::Client::new(settings, Ureq { agent, proxies }),
        }
    }
}

/// Idle pooled connections are closed after this long, well before
/// TeleSign's documented ~499 s cutoff (a stale keep-alive connection is a
/// known source of failed requests).
pub const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(300);

impl Client {
    /// A client with default settings for `primary`.
    pub fn new(primary: impl Into<ProviderConfig>) -> Self {
        Self::builder(primary).build()
    }

    /// Settings for a client whose first choice is `primary`.
    pub fn builder(primary: impl Into<ProviderConfig>) -> Builder {
        Builder::new(primary)
    }

    /// A client with finished settings (see [`Settings::builder`]).
    pub fn with_settings(settings: Settings) -> Self {
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
    pub fn execute<O: Operation>(&self, op: &O) -> Result<O::Output, Error> {
        self.inner.execute(op)
    }

    /// Starts a verification: as [`execute`](Self::execute), and with the
    /// ledger ([`Builder::ledger`](verify_core::driver::Builder::ledger))
    /// when the start carries an idempotency key or a purpose: within the
    /// key's time to live a start sends at most once, a repeated one
    /// answering the first's verification (`replayed`), its failure that
    /// may have sent ([`ErrorKind::Replayed`]), or, while it is in flight
    /// past this call's time limit, [`ErrorKind::InProgress`].
    ///
    /// ```
    /// use verify_ureq::neutral::{PendingCheck, Start};
    /// use verify_ureq::{BaseUrl, Client, Code, telesign};
    /// use verify_sandbox::{Sandbox, SandboxConfig};
    ///
    /// let sb = Sandbox::spawn(SandboxConfig::deterministic(1))?;
    /// let c = sb.config();
    /// let config = telesign::Config::new(telesign::Credentials::new(
    ///     c.telesign_customer_id.clone(),
    ///     c.telesign_api_key.clone(),
    /// )?)
    /// .with_base_url(BaseUrl::allow_plain_http(&sb.base_url())?);
    /// let client = Client::builder(config)
    ///     .ledger(verify_shield::MemoryLedger::new())
    ///     .build();
    /// let start = Start::new("15555550100").idempotency_key("login:42:s1").purpose("login");
    /// let first = client.start(&start)?;
    /// let again = client.start(&start)?; // a double click
    /// assert!(again.replayed && again.id == first.id);
    /// assert_eq!(sb.messages_to("15555550100").len(), 1);
    ///
    /// let code = sb.messages_to("15555550100")[0].code.clone();
    /// let outcome = client.check_pending(&PendingCheck::new("login", "15555550100", Code::new(code)))?;
    /// assert!(outcome.is_verified());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn start(&self, start: &neutral::Start) -> Result<neutral::Started, Error> {
        self.inner.start(start)
    }

    /// Checks a code by (purpose, phone number), through the ledger: a
    /// verification already closed answers without asking the provider
    /// ([`neutral::CheckOutcome::AlreadyVerified`]).
    pub fn check_pending(
        &self,
        check: &neutral::PendingCheck,
    ) -> Result<neutral::CheckOutcome, Error> {
        self.inner.check_pending(check)
    }
}

/// The transport: ureq's agent, the system clocks, the thread-local CSPRNG
/// (ChaCha, seeded and reseeded from the operating system) and `tracing`.
#[derive(Clone, Debug)]
struct Ureq {
    agent: ureq::Agent,
    proxies: Result<proxy::Plan, ConfigError>,
}

impl Runtime for Ureq {
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
        log_event(&event);
    }
}

impl Transport for Ureq {
    type Body = Vec<u8>;

    fn send(
        &self,
        request: http::Request<Vec<u8>>,
        limits: Limits,
        info: &AttemptInfo,
    ) -> Result<http::Response<Vec<u8>>, ErrorKind> {
        let span = tracing::info_span!(
            "verify",
            operation = info.operation,
            provider = %info.provider,
            attempt = info.attempt,
            request = %verify_core::redact::redacted(&request),
            status_code = tracing::field::Empty,
        );
        let _entered = span.enter();
        let proxy = match &self.proxies {
            Ok(plan) => plan.for_uri(request.uri()),
            Err(e) => return Err(ErrorKind::Config(e.clone())),
        };
        let request = self
            .agent
            .configure_request(request)
            .proxy(proxy)
            .timeout_connect(Some(limits.connect))
            .timeout_global(Some(limits.total))
            .build();
        let limit = limits.max_body_bytes;
        let mut response = self
            .agent
            .run(request)
            .map_err(|e| map_error(e, limits, false))?;
        span.record("status_code", response.status().as_u16());
        let body = response
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(|e| map_error(e, limits, true))?;
        let (parts, _) = response.into_parts();
        Ok(http::Response::from_parts(parts, body))
    }

    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// Logs a decision of the driver: no secrets (the errors mask them).
fn log_event(event: &Event<'_>) {
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

/// Classifies a ureq error: was the request possibly written? The phase
/// decides, not the timer: a timeout while setting up the connection
/// (marked by [`connect::mark`]) wrote nothing, whichever limit ran out.
fn map_error(e: ureq::Error, limits: Limits, reading_body: bool) -> ErrorKind {
    use ureq::Error as E;
    let written = reading_body || !never_written(&e);
    match e {
        E::Io(io)
            if !written
                && io.kind() == io::ErrorKind::TimedOut
                && io
                    .get_ref()
                    .is_some_and(|e| e.is::<connect::ConnectFailed>()) =>
        {
            ErrorKind::Timeout {
                written: false,
                after: limits.connect,
            }
        }
        // The proxy's answer to the `CONNECT`, its status kept (digit
        // masking would hide it): nothing reached the provider.
        E::ConnectProxyFailed(reason) => ErrorKind::Transport {
            written,
            detail: match proxy_status(&reason) {
                Some(status) => format!("the proxy refused the CONNECT tunnel: HTTP {status}"),
                None => "the proxy did not open the CONNECT tunnel (no readable answer)".into(),
            },
        },
        E::Timeout(t) => ErrorKind::Timeout {
            written,
            after: match t {
                ureq::Timeout::Connect | ureq::Timeout::Resolve => limits.connect,
                _ => limits.total,
            },
        },
        E::BodyExceedsLimit(_) => ErrorKind::BodyTooLarge {
            limit: limits.max_body_bytes,
        },
        E::RequireHttpsOnly(_) => ErrorKind::Config(ConfigError::PlainHttp),
        other => ErrorKind::transport(written, &other.to_string()),
    }
}

/// The status code in ureq's "proxy server responded 407/407".
fn proxy_status(reason: &str) -> Option<u16> {
    reason
        .strip_prefix("proxy server responded ")?
        .split('/')
        .next()?
        .parse()
        .ok()
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
        | E::TlsRequired
        // The proxy refused the CONNECT (any non-2xx answer): the request
        // never reached the provider.
        | E::ConnectProxyFailed(_)
        | E::InvalidProxyUrl => true,
        // Any I/O failure while setting up the connection (TCP, the TLS
        // handshake): nothing was sent on it.
        E::Io(io)
            if io
                .get_ref()
                .is_some_and(|e| e.is::<connect::ConnectFailed>()) =>
        {
            true
        }
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
        let t = Limits {
            connect: Duration::from_secs(5),
            total: Duration::from_secs(10),
            max_body_bytes: 10,
        };
        for e in [
            ureq::Error::HostNotFound,
            ureq::Error::ConnectionFailed,
            ureq::Error::Timeout(ureq::Timeout::Connect),
            ureq::Error::Timeout(ureq::Timeout::Resolve),
            ureq::Error::Io(io::Error::from(io::ErrorKind::ConnectionRefused)),
            // Whatever failed while connecting, the TLS handshake included.
            connect::marked(io::Error::new(
                io::ErrorKind::InvalidData,
                rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
            )),
            connect::marked(io::Error::new(
                io::ErrorKind::InvalidData,
                rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType),
            )),
            connect::marked(io::Error::from(io::ErrorKind::ConnectionReset)),
            ureq::Error::Rustls(rustls::Error::General("no usable configuration".into())),
        ] {
            let kind = map_error(e, t, false);
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
            // TLS failures on an established connection: the request may
            // be out.
            ureq::Error::Io(io::Error::new(
                io::ErrorKind::InvalidData,
                rustls::Error::DecryptError,
            )),
            ureq::Error::Io(io::Error::new(
                io::ErrorKind::InvalidData,
                rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType),
            )),
        ] {
            let kind = map_error(e, t, false);
            assert!(
                matches!(
                    kind.attempt_failure(),
                    Some(verify_core::retry::AttemptFailure::MaybeWritten)
                ),
                "{kind}"
            );
        }
        // Any failure while reading the body: the request was written.
        let kind = map_error(ureq::Error::ConnectionFailed, t, true);
        assert!(matches!(
            kind.attempt_failure(),
            Some(verify_core::retry::AttemptFailure::MaybeWritten)
        ));
    }

    #[test]
    fn idle_connections_close_before_telesign_drops_them() {
        assert!(POOL_IDLE_TIMEOUT < std::time::Duration::from_secs(499));
    }
}
