//! What a transport supplies: one exchange within limits, a way to wait,
//! a clock and randomness. The core does everything else.

use std::future::Future;
use std::time::{Duration, Instant, SystemTime};

use super::{AttemptInfo, Error, ErrorKind, Limits};

/// The clock, the randomness and the observer a client runs with.
///
/// The core reads no clock and draws no random numbers: a transport lends
/// its own (the system clocks and a CSPRNG in production; fixed ones in a
/// test).
pub trait Runtime {
    /// The monotonic clock, for time limits.
    fn now(&self) -> Instant;

    /// The wall clock, for TeleSign's signed `Date`.
    fn date(&self) -> SystemTime;

    /// 16 bytes from a cryptographically secure generator: each attempt's
    /// nonce (a UUID v4 made of them) and its backoff jitter.
    fn random(&self) -> [u8; 16];

    /// Hears what the driver decided (a retry, a failover), for logs and
    /// metrics. Does nothing unless overridden.
    fn note(&self, event: Event<'_>) {
        let _ = event;
    }
}

/// A decision of the driver, as [`Runtime::note`] hears it.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// The attempt `info` failed with `reason` and will be repeated after
    /// `after`.
    Retry {
        /// The attempt that failed.
        info: AttemptInfo,
        /// Why.
        reason: &'a ErrorKind,
        /// The pause before the next attempt.
        after: Duration,
    },
    /// The primary provider failed with `error`; the call goes on at the
    /// backup.
    FailOver {
        /// The primary's failure.
        error: &'a Error,
    },
}

/// A blocking transport: sends one request and returns the whole answer.
///
/// `send` gets the request already validated and signed, and the limits of
/// the attempt. It returns the response with its body (at most
/// `limits.max_body_bytes`), or a failure that says whether the request may
/// have been written: [`ErrorKind::transport`] with `written: false` only
/// when no byte of the request can have left (resolving, connecting, a TLS
/// handshake), [`ErrorKind::Timeout`], [`ErrorKind::BodyTooLarge`], or
/// [`ErrorKind::Config`] for a request it refuses to send. The core decides
/// retries, failover, fresh signatures and the call's time limit from it.
///
/// A transport describes a request only through
/// [`redact::redacted`](crate::redact::redacted): it carries secrets.
pub trait Transport: Runtime {
    /// The response body: any bytes (`Vec<u8>`, `bytes::Bytes`, ...).
    type Body: AsRef<[u8]>;

    /// One HTTP exchange within `limits`.
    fn send(
        &self,
        request: http::Request<Vec<u8>>,
        limits: Limits,
        info: &AttemptInfo,
    ) -> Result<http::Response<Self::Body>, ErrorKind>;

    /// Blocks for `duration` (between attempts).
    fn sleep(&self, duration: Duration);
}

/// An async transport: [`Transport`] with futures.
pub trait AsyncTransport: Runtime + Sync {
    /// The response body: any bytes (`Vec<u8>`, `bytes::Bytes`, ...).
    type Body: AsRef<[u8]> + Send;

    /// One HTTP exchange within `limits` (see [`Transport::send`]).
    fn send(
        &self,
        request: http::Request<Vec<u8>>,
        limits: Limits,
        info: &AttemptInfo,
    ) -> impl Future<Output = Result<http::Response<Self::Body>, ErrorKind>> + Send;

    /// Waits `duration` without blocking a thread.
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send;
}

/// A UUID v4 (lower-case, hyphenated) made of 16 random bytes: the nonce
/// TeleSign's official SDKs send.
pub fn nonce(random: [u8; 16]) -> String {
    let mut b = random;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
}

/// A uniform number in `0.0..1.0` from random bytes, for the backoff.
pub fn jitter(random: [u8; 16]) -> f64 {
    let mut eight = [0u8; 8];
    eight.copy_from_slice(&random[8..]);
    // 53 random bits: every value of the unit interval's f64 grid.
    (u64::from_le_bytes(eight) >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_uuid_v4_text() {
        let n = nonce([0xff; 16]);
        assert_eq!(n, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert_eq!(nonce([0; 16]), "00000000-0000-4000-8000-000000000000");
        assert!((0.0..1.0).contains(&jitter([0xff; 16])));
        assert_eq!(jitter([0; 16]), 0.0);
    }
}
