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

mod connect;
mod resolver;

/// The README's examples (the core alone, and the neutral API over this
/// adapter with the sandbox), compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;

use std::io;
use std::time::{Instant, SystemTime};

use verify_core::call::{Attempts, BuildClient, Call, Settings, Step};
pub use verify_core::call::{DEFAULT_MAX_BODY_BYTES, Error, ErrorKind, Timeouts};
pub use verify_core::retry::RetryPolicy;
use verify_core::{ConfigError, Operation, ProviderConfig};

/// Settings for a [`Client`]: start with [`Client::builder`], finish with
/// `build()`.
pub type Builder = verify_core::call::Builder<Client>;

/// A blocking client for one primary provider and an optional backup.
///
/// Cloning is cheap and clones share the connection pool.
#[derive(Clone, Debug)]
pub struct Client {
    agent: ureq::Agent,
    settings: Settings,
}

impl BuildClient for Client {
    type Built = Client;

    /// Builds the client and its connection pool.
    ///
    /// Plain `http://` is allowed only when a configured base URL opted in
    /// with [`verify_core::BaseUrl::allow_plain_http`]; redirects are never
    /// followed.
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
            .build();
        let agent = ureq::Agent::with_parts(
            config,
            connect::MarkingConnector::default(),
            resolver::CachingResolver::default(),
        );
        Client { agent, settings }
    }
}

/// Idle pooled connections are closed after this long, well before
/// TeleSign's documented ~499 s cutoff (a stale keep-alive connection is a
/// known source of failed requests).
pub const POOL_IDLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);

impl Client {
    /// A client with default settings for `primary`.
    pub fn new(primary: impl Into<ProviderConfig>) -> Self {
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
    pub fn execute<O: Operation>(&self, op: &O) -> Result<O::Output, Error> {
        let mut call = Call::new(&self.settings, op)?;
        loop {
            let error = match self.attempt_all(op, call.attempts()?) {
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
    fn attempt_all<O: Operation>(
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
            let _entered = span.enter();
            let outcome = self.send(request, attempts.timeouts(), time_left);
            if let Ok(response) = &outcome {
                span.record("status_code", response.status().as_u16());
            }
            match attempts.finish(outcome, Instant::now(), rand::random::<f64>()) {
                Step::Done(output) => return Ok(output),
                Step::Retry(delay) => {
                    tracing::info!(
                        delay_ms = delay.as_millis() as u64,
                        "attempt failed; retrying"
                    );
                    std::thread::sleep(delay);
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
    fn send(
        &self,
        request: http::Request<Vec<u8>>,
        timeouts: Timeouts,
        time_left: std::time::Duration,
    ) -> Result<http::Response<Vec<u8>>, ErrorKind> {
        // The attempt may take what is left of the call's time.
        let limits = Timeouts {
            connect: timeouts.connect.min(time_left),
            overall: time_left,
        };
        let request = self
            .agent
            .configure_request(request)
            .timeout_connect(Some(limits.connect))
            .timeout_global(Some(limits.overall))
            .build();
        let limit = self.settings.max_body_bytes();
        let mut response = self
            .agent
            .run(request)
            .map_err(|e| map_error(e, limits, limit, false))?;
        let body = response
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(|e| map_error(e, limits, limit, true))?;
        let (parts, _) = response.into_parts();
        Ok(http::Response::from_parts(parts, body))
    }
}

/// Classifies a ureq error: was the request possibly written?
fn map_error(e: ureq::Error, limits: Timeouts, limit: u64, reading_body: bool) -> ErrorKind {
    use ureq::Error as E;
    let written = reading_body || !never_written(&e);
    match e {
        E::Timeout(t) => ErrorKind::Timeout {
            written,
            after: match t {
                ureq::Timeout::Connect | ureq::Timeout::Resolve => limits.connect,
                _ => limits.overall,
            },
        },
        E::BodyExceedsLimit(_) => ErrorKind::BodyTooLarge { limit },
        E::RequireHttpsOnly(_) => ErrorKind::Config(ConfigError::PlainHttp),
        other => ErrorKind::transport(written, &other.to_string()),
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

    #[test]
    fn connect_failures_are_never_written() {
        let t = Timeouts::for_provider(verify_core::Provider::TeleSign);
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
