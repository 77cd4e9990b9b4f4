//! dotdigital's failures: validation failures, authentication, other
//! statuses, and whether a message may have gone out.

use std::fmt;

use super::{FailureCode, NumberStatus, RequestId};
use crate::text::Excerpt;

/// One entry of a 400 response's array.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationFailure {
    /// The property the failure applies to; empty for the whole payload.
    pub property: String,
    /// The machine-readable failure code.
    pub failure_code: FailureCode,
    /// A human-readable description, with every run of three or more digits
    /// masked (it can echo a submitted value).
    pub details: String,
}

/// What went wrong, by dotdigital's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DotdigitalErrorKind {
    /// 400: the request broke the provider's rules.
    Validation(Vec<ValidationFailure>),
    /// 401: authentication failed; the server's text, made safe.
    Unauthorized(Excerpt),
    /// Another failure status with a body that is not documented.
    Status(Excerpt),
    /// A create answered with a VerifyCode whose status is `CodeNotSent`
    /// (the number is dead): dotdigital will not send this code, so the
    /// send failed with nothing sent (docs/PROTOCOL-DECISIONS.md).
    NotSent {
        /// The `requestId` dotdigital gave the unsent code.
        request_id: RequestId,
        /// The VerifyCode's `numberStatus`.
        number_status: NumberStatus,
    },
}

/// dotdigital refused or failed the request.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct DotdigitalError {
    /// The HTTP status.
    pub http_status: http::StatusCode,
    /// What went wrong.
    pub kind: DotdigitalErrorKind,
    /// Whether the operation can send a message at all.
    pub operation_sends_message: bool,
    /// `Retry-After`, when the response carried one.
    pub retry_after: Option<crate::error::RetryAfter>,
}

impl DotdigitalError {
    /// Whether a message may have gone out: never after a 400 or 401 (the
    /// request was refused before processing), nor after `CodeNotSent`.
    pub fn message_may_have_been_sent(&self) -> bool {
        self.operation_sends_message
            && !matches!(
                self.kind,
                DotdigitalErrorKind::Validation(_)
                    | DotdigitalErrorKind::Unauthorized(_)
                    | DotdigitalErrorKind::NotSent { .. }
            )
            && self.http_status != http::StatusCode::TOO_MANY_REQUESTS
    }

    /// Whether the failure is documented as temporary (throttled, 429, 502-504).
    pub fn is_temporary(&self) -> bool {
        self.is_rate_limited() || matches!(self.http_status.as_u16(), 502..=504)
    }

    /// Whether dotdigital refused because of throttling.
    pub fn is_rate_limited(&self) -> bool {
        self.http_status == http::StatusCode::TOO_MANY_REQUESTS
            || matches!(&self.kind, DotdigitalErrorKind::Validation(f)
                if f.iter().any(|f| f.failure_code == FailureCode::Throttled))
    }
}

impl fmt::Display for DotdigitalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            DotdigitalErrorKind::NotSent { .. } => "dotdigital did not send the code",
            _ => "dotdigital refused the request",
        };
        write!(f, "{what} (HTTP {})", self.http_status.as_u16())?;
        match &self.kind {
            DotdigitalErrorKind::Validation(failures) => {
                for (i, v) in failures.iter().enumerate() {
                    f.write_str(if i == 0 { ": " } else { "; " })?;
                    write!(f, "{} {}", v.property, v.failure_code)?;
                }
            }
            DotdigitalErrorKind::Unauthorized(text) => write!(f, ": unauthorized: {text}")?,
            DotdigitalErrorKind::Status(text) => write!(f, ": {text}")?,
            DotdigitalErrorKind::NotSent {
                request_id,
                number_status,
            } => write!(
                f,
                ": CodeNotSent for request {request_id} (number status {})",
                crate::text::provider_text(number_status.as_str())
            )?,
        }
        if self.operation_sends_message {
            f.write_str(if self.message_may_have_been_sent() {
                " [a message may have been sent]"
            } else {
                " [no message was sent]"
            })?;
        }
        Ok(())
    }
}
