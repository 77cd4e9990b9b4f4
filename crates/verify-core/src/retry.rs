//! Pure retry and failover decisions shared by every transport.
//!
//! A transport classifies how an attempt ended ([`AttemptFailure`]) and asks
//! [`should_retry`], [`may_fail_over`] and [`RetryPolicy::delay_before_retry`]
//! what to do next. Nothing here reads a clock or draws random numbers: the
//! jitter is an argument, so every decision is testable.
//!
//! The rules (see `docs/PROTOCOL-DECISIONS.md`, "Retrying"):
//!
//! - [`Idempotency::Idempotent`] operations retry on transport errors and on
//!   failures the provider documents as temporary.
//! - [`Idempotency::SendsMessage`] operations retry only when nothing can
//!   have gone out: the request was never written, or the provider answered
//!   that it did not attempt the send (TeleSign status 500, rate limited,
//!   temporarily unavailable, dotdigital throttled).
//! - [`Idempotency::NotIdempotent`] operations retry only when the request
//!   was never written.

use std::time::Duration;

use crate::{Idempotency, ResponseError};

/// How one attempt failed, as far as retrying is concerned.
#[derive(Clone, Copy, Debug)]
pub enum AttemptFailure<'a> {
    /// The request never left this machine: the connection was refused, the
    /// host was not found, the TLS handshake failed, or connecting timed out.
    NotWritten,
    /// The request may have been written, and no usable answer came back: a
    /// timeout, a reset, a truncated or oversized response.
    MaybeWritten,
    /// The provider answered, with a failure.
    Response(&'a ResponseError),
}

impl AttemptFailure<'_> {
    /// Whether an SMS or call may have gone out because of this attempt of an
    /// operation with the given idempotency.
    pub fn message_may_have_been_sent(&self, idempotency: Idempotency) -> bool {
        match self {
            Self::NotWritten => false,
            Self::MaybeWritten => idempotency == Idempotency::SendsMessage,
            Self::Response(e) => e.message_may_have_been_sent(),
        }
    }
}

/// Whether the provider's answer guarantees that nothing was processed and
/// that the same request may succeed later.
fn refused_temporarily(e: &ResponseError) -> bool {
    if e.message_may_have_been_sent() {
        return false;
    }
    e.is_temporary() || e.is_rate_limited() || e.is_not_attempted()
}

/// Whether an operation with `idempotency` may be attempted again after
/// `failure` (budget and delay aside: see [`RetryPolicy`]).
pub fn should_retry(idempotency: Idempotency, failure: &AttemptFailure<'_>) -> bool {
    match (idempotency, failure) {
        (_, AttemptFailure::NotWritten) => true,
        (Idempotency::Idempotent, AttemptFailure::MaybeWritten) => true,
        (Idempotency::Idempotent, AttemptFailure::Response(e)) => {
            e.is_temporary() || refused_temporarily(e)
        }
        (Idempotency::SendsMessage, AttemptFailure::MaybeWritten) => false,
        (Idempotency::SendsMessage, AttemptFailure::Response(e)) => refused_temporarily(e),
        (Idempotency::NotIdempotent, _) => false,
    }
}

/// Whether a call whose last attempt at the primary provider ended with
/// `failure` may be sent to the backup provider.
///
/// Only operations that any provider can serve fail over (the neutral
/// "start"). The backup is used when the primary guarantees nothing went out,
/// or, if `when_maybe_sent` is set, whatever happened (the user may then
/// receive two codes).
pub fn may_fail_over(
    idempotency: Idempotency,
    failure: &AttemptFailure<'_>,
    when_maybe_sent: bool,
) -> bool {
    when_maybe_sent || !failure.message_may_have_been_sent(idempotency)
}

/// How many times to attempt a call and how long to wait in between.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per provider, the first one included (`1` disables retries;
    /// `0` counts as `1`).
    pub max_attempts: u32,
    /// The backoff before the first retry; doubled for every further one.
    pub base_delay: Duration,
    /// The longest wait between two attempts. A `Retry-After` longer than
    /// this ends the retries instead of being cut short.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// Three attempts, 200 ms base, 5 s cap.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// No retries: one attempt per provider.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The wait before attempt `attempt + 1`, after `attempt` attempts (1 for
    /// the first) have failed, or `None` when the budget is spent or the
    /// provider asked for a longer pause than [`max_delay`](Self::max_delay).
    ///
    /// Exponential backoff with full jitter: a uniform share `unit` (in
    /// `0.0..=1.0`, clamped) of `min(max_delay, base_delay * 2^(attempt-1))`.
    /// A `Retry-After` replaces the backoff when it is longer.
    ///
    /// ```
    /// use std::time::Duration;
    /// use verify_core::retry::RetryPolicy;
    /// let p = RetryPolicy { max_attempts: 3, base_delay: Duration::from_millis(100), max_delay: Duration::from_secs(1) };
    /// assert_eq!(p.delay_before_retry(1, None, 1.0), Some(Duration::from_millis(100)));
    /// assert_eq!(p.delay_before_retry(2, None, 0.5), Some(Duration::from_millis(100)));
    /// assert_eq!(p.delay_before_retry(3, None, 1.0), None);
    /// assert_eq!(p.delay_before_retry(1, Some(Duration::from_secs(2)), 0.0), None);
    /// ```
    pub fn delay_before_retry(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        unit: f64,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts.max(1) {
            return None;
        }
        let exponent = attempt.saturating_sub(1).min(31);
        let ceiling = self
            .base_delay
            .saturating_mul(1u32 << exponent)
            .min(self.max_delay);
        let unit = if unit.is_nan() {
            0.0
        } else {
            unit.clamp(0.0, 1.0)
        };
        // `mul_f64` panics when the product does not fit (a ceiling near
        // `Duration::MAX`): the share is at most the ceiling anyway.
        let backoff = Duration::try_from_secs_f64(ceiling.as_secs_f64() * unit)
            .unwrap_or(ceiling)
            .min(ceiling);
        match retry_after {
            Some(asked) if asked > self.max_delay => None,
            Some(asked) => Some(asked.max(backoff)),
            None => Some(backoff),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dotdigital::{DotdigitalError, DotdigitalErrorKind, ValidationFailure};
    use crate::error::UnexpectedResponse;
    use crate::telesign::{ApiError, StatusCode, TeleSignError};
    use crate::text::Excerpt;
    use crate::{Idempotency::*, Provider};

    fn telesign(http: u16, status: Option<i64>, errors: &[i64], sends: bool) -> ResponseError {
        ResponseError::TeleSign(TeleSignError {
            http_status: http::StatusCode::from_u16(http).unwrap(),
            status: status.map(StatusCode::from_code),
            errors: errors.iter().map(|c| ApiError::new(*c, "x")).collect(),
            reference_id: None,
            operation_sends_message: sends,
            retry_after: None,
        })
    }

    fn dotdigital(http: u16, kind: DotdigitalErrorKind, sends: bool) -> ResponseError {
        ResponseError::Dotdigital(DotdigitalError {
            http_status: http::StatusCode::from_u16(http).unwrap(),
            kind,
            operation_sends_message: sends,
            retry_after: None,
        })
    }

    fn throttled() -> DotdigitalErrorKind {
        DotdigitalErrorKind::Validation(vec![ValidationFailure {
            property: "to".into(),
            failure_code: "Throttled".into(),
            details: String::new(),
        }])
    }

    fn unexpected(http: u16, sends: bool) -> ResponseError {
        ResponseError::Unexpected(UnexpectedResponse {
            provider: Provider::TeleSign,
            status: http::StatusCode::from_u16(http).unwrap(),
            reason: "html".into(),
            excerpt: Excerpt::new(b"<html>"),
            message_may_have_been_sent: sends,
            retry_after: None,
        })
    }

    /// Every response case with the expected answer for
    /// (Idempotent, SendsMessage, NotIdempotent). The `sends` flag of the
    /// error follows the operation, as the core's parsers set it.
    #[test]
    fn response_failures() {
        type Case = (&'static str, fn(bool) -> ResponseError, [bool; 3]);
        let cases: &[Case] = &[
            (
                "telesign 500 not attempted",
                |s| telesign(500, Some(500), &[], s),
                [true, true, false],
            ),
            (
                "telesign -90001 unavailable",
                |s| telesign(503, Some(500), &[-90001], s),
                [true, true, false],
            ),
            (
                "telesign -40007 rate limit",
                |s| telesign(429, Some(500), &[-40007], s),
                [true, true, false],
            ),
            (
                "telesign bare 429",
                |s| telesign(429, None, &[], s),
                [true, true, false],
            ),
            (
                "telesign parameter error",
                |s| telesign(400, Some(500), &[-10001], s),
                [false, false, false],
            ),
            (
                "telesign auth error",
                |s| telesign(401, Some(501), &[-30000], s),
                [false, false, false],
            ),
            (
                "telesign 503 carrier temporary",
                |s| telesign(200, Some(503), &[], s),
                [true, false, false],
            ),
            (
                "telesign 504 carrier permanent",
                |s| telesign(200, Some(504), &[], s),
                [false, false, false],
            ),
            (
                "dotdigital throttled",
                |s| dotdigital(400, throttled(), s),
                [true, true, false],
            ),
            (
                "dotdigital 429",
                |s| dotdigital(429, DotdigitalErrorKind::Status(Excerpt::new(b"")), s),
                [true, true, false],
            ),
            (
                "dotdigital 502",
                |s| dotdigital(502, DotdigitalErrorKind::Status(Excerpt::new(b"")), s),
                [true, false, false],
            ),
            (
                "dotdigital 401",
                |s| dotdigital(401, DotdigitalErrorKind::Unauthorized(Excerpt::new(b"")), s),
                [false, false, false],
            ),
            ("html 503", |s| unexpected(503, s), [true, false, false]),
            ("html 500", |s| unexpected(500, s), [false, false, false]),
        ];
        for (name, make, expected) in cases {
            for (idem, want) in [Idempotent, SendsMessage, NotIdempotent]
                .into_iter()
                .zip(expected)
            {
                let e = make(idem == SendsMessage);
                assert_eq!(
                    should_retry(idem, &AttemptFailure::Response(&e)),
                    *want,
                    "{name} / {idem:?}"
                );
            }
        }
    }

    #[test]
    fn transport_failures() {
        for idem in [Idempotent, SendsMessage, NotIdempotent] {
            assert!(should_retry(idem, &AttemptFailure::NotWritten), "{idem:?}");
            assert!(!AttemptFailure::NotWritten.message_may_have_been_sent(idem));
        }
        assert!(should_retry(Idempotent, &AttemptFailure::MaybeWritten));
        assert!(!should_retry(SendsMessage, &AttemptFailure::MaybeWritten));
        assert!(!should_retry(NotIdempotent, &AttemptFailure::MaybeWritten));
        assert!(AttemptFailure::MaybeWritten.message_may_have_been_sent(SendsMessage));
        assert!(!AttemptFailure::MaybeWritten.message_may_have_been_sent(Idempotent));
    }

    #[test]
    fn failover_needs_nothing_sent_or_opt_in() {
        let not_attempted = telesign(500, Some(500), &[], true);
        let delivered_maybe = unexpected(502, true);
        for (failure, nothing_sent) in [
            (AttemptFailure::NotWritten, true),
            (AttemptFailure::MaybeWritten, false),
            (AttemptFailure::Response(&not_attempted), true),
            (AttemptFailure::Response(&delivered_maybe), false),
        ] {
            assert_eq!(
                may_fail_over(SendsMessage, &failure, false),
                nothing_sent,
                "{failure:?}"
            );
            assert!(may_fail_over(SendsMessage, &failure, true), "{failure:?}");
        }
    }

    #[test]
    fn backoff_is_exponential_capped_and_jittered() {
        let p = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        };
        let full: Vec<_> = (1..10)
            .map(|a| p.delay_before_retry(a, None, 1.0).unwrap())
            .collect();
        assert_eq!(full[0], Duration::from_millis(100));
        assert_eq!(full[1], Duration::from_millis(200));
        assert_eq!(full[2], Duration::from_millis(400));
        assert_eq!(full[3], Duration::from_millis(800));
        assert!(full[4..].iter().all(|d| *d == Duration::from_secs(1)));
        assert_eq!(p.delay_before_retry(3, None, 0.0), Some(Duration::ZERO));
        assert_eq!(
            p.delay_before_retry(3, None, 0.25),
            Some(Duration::from_millis(100))
        );
        assert_eq!(
            p.delay_before_retry(3, None, f64::NAN),
            Some(Duration::ZERO)
        );
        assert_eq!(
            p.delay_before_retry(3, None, 7.0),
            Some(Duration::from_millis(400))
        );
        assert_eq!(p.delay_before_retry(10, None, 1.0), None);
        assert_eq!(p.delay_before_retry(u32::MAX - 1, None, 1.0), None);
        let big = RetryPolicy {
            max_attempts: u32::MAX,
            ..p
        };
        assert_eq!(
            big.delay_before_retry(200, None, 1.0),
            Some(Duration::from_secs(1))
        );
    }

    #[test]
    fn retry_after_is_honoured_or_ends_retries() {
        let p = RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
        };
        let secs = Duration::from_secs;
        assert_eq!(p.delay_before_retry(1, Some(secs(1)), 1.0), Some(secs(1)));
        assert_eq!(p.delay_before_retry(1, Some(secs(2)), 0.0), Some(secs(2)));
        assert_eq!(p.delay_before_retry(1, Some(secs(3)), 0.0), None);
        assert_eq!(
            p.delay_before_retry(1, Some(Duration::ZERO), 1.0),
            Some(Duration::from_millis(100))
        );
        assert_eq!(
            RetryPolicy::none().delay_before_retry(1, Some(secs(1)), 1.0),
            None
        );
        let zero = RetryPolicy {
            max_attempts: 0,
            ..p
        };
        assert_eq!(zero.delay_before_retry(1, None, 1.0), None);
    }
}
