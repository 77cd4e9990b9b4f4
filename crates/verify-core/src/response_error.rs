//! [`ResponseError`]: the provider's answer is a failure, or could not be
//! understood. One variant per provider; every decision (retry, failover,
//! "may have been sent") goes through its methods.

use crate::dotdigital::DotdigitalError;
use crate::error::RetryAfter;
use crate::error::UnexpectedResponse;
use crate::telesign::TeleSignError;
use crate::telesign_verify::VerifyApiError;

/// The provider's response is a failure, or could not be understood.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// TeleSign answered with error codes or a failed status.
    #[error(transparent)]
    TeleSign(#[from] TeleSignError),
    /// dotdigital answered with validation failures, an authentication error
    /// or another failure status.
    #[error(transparent)]
    Dotdigital(#[from] DotdigitalError),
    /// TeleSign's Verify API answered with a refusal status.
    #[error(transparent)]
    TeleSignVerify(#[from] VerifyApiError),
    /// The body is not the documented JSON.
    #[error(transparent)]
    Unexpected(#[from] UnexpectedResponse),
}

impl ResponseError {
    /// Whether an SMS or call may already have gone out because of this
    /// request. `false` only when the provider guarantees nothing was sent
    /// (or the operation never sends anything).
    pub fn message_may_have_been_sent(&self) -> bool {
        match self {
            Self::TeleSign(e) => e.message_may_have_been_sent(),
            Self::Dotdigital(e) => e.message_may_have_been_sent(),
            Self::TeleSignVerify(e) => e.message_may_have_been_sent(),
            Self::Unexpected(e) => e.message_may_have_been_sent,
        }
    }

    /// Whether the provider documents this failure as temporary: the same
    /// request may succeed later. Whether it is *safe* to repeat also depends
    /// on [`message_may_have_been_sent`](Self::message_may_have_been_sent).
    pub fn is_temporary(&self) -> bool {
        match self {
            Self::TeleSign(e) => e.is_temporary(),
            Self::Dotdigital(e) => e.is_temporary(),
            Self::TeleSignVerify(e) => e.is_temporary(),
            Self::Unexpected(e) => matches!(e.status.as_u16(), 429 | 502 | 503 | 504),
        }
    }

    /// Whether the provider says it did not attempt the request, for no
    /// permanent cause (TeleSign status 500 "Transaction not attempted"
    /// without an error code): the same request may succeed later.
    pub fn is_not_attempted(&self) -> bool {
        match self {
            Self::TeleSign(e) => e.is_not_attempted(),
            Self::Dotdigital(_) | Self::TeleSignVerify(_) | Self::Unexpected(_) => false,
        }
    }

    /// Whether the provider refused because of rate limiting.
    pub fn is_rate_limited(&self) -> bool {
        match self {
            Self::TeleSign(e) => e.is_rate_limited(),
            Self::Dotdigital(e) => e.is_rate_limited(),
            Self::TeleSignVerify(e) => e.is_rate_limited(),
            Self::Unexpected(e) => e.status == http::StatusCode::TOO_MANY_REQUESTS,
        }
    }

    /// The pause the provider asked for with `Retry-After`, if any.
    pub fn retry_after(&self) -> Option<RetryAfter> {
        match self {
            Self::TeleSign(e) => e.retry_after,
            Self::Dotdigital(e) => e.retry_after,
            Self::TeleSignVerify(e) => e.retry_after,
            Self::Unexpected(e) => e.retry_after,
        }
    }

    /// Removes every form of `secrets` (the request's own credentials and
    /// code, see [`Secrets`](crate::redact::Secrets)) from every text the
    /// error keeps from the answer: body excerpts, descriptions, failure
    /// details. The driver does this for every answer it reads.
    pub fn redact(&mut self, secrets: &crate::redact::Secrets) {
        if secrets.is_empty() {
            return;
        }
        match self {
            Self::TeleSign(e) => {
                for x in &mut e.errors {
                    x.description = secrets.scrub(&x.description);
                }
            }
            Self::Dotdigital(e) => match &mut e.kind {
                crate::dotdigital::DotdigitalErrorKind::Validation(failures) => {
                    for f in failures {
                        f.property = secrets.scrub(&f.property);
                        f.failure_code.redact(secrets);
                        f.details = secrets.scrub(&f.details);
                    }
                }
                crate::dotdigital::DotdigitalErrorKind::Unauthorized(text)
                | crate::dotdigital::DotdigitalErrorKind::Status(text) => text.redact(secrets),
                crate::dotdigital::DotdigitalErrorKind::NotSent { .. } => {}
            },
            Self::TeleSignVerify(e) => e.description = secrets.scrub(&e.description),
            Self::Unexpected(e) => e.excerpt.redact(secrets),
        }
    }

    /// The HTTP status of the response.
    pub fn http_status(&self) -> http::StatusCode {
        match self {
            Self::TeleSign(e) => e.http_status,
            Self::Dotdigital(e) => e.http_status,
            Self::TeleSignVerify(e) => e.http_status,
            Self::Unexpected(e) => e.status,
        }
    }
}
