//! The Verify API's failures, and whether a message may have gone out.

use std::fmt;

use super::StatusCode;
use crate::RetryAfter;
use crate::telesign::ReferenceId;

/// The Verify API refused or failed a request, as its `status` says.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct VerifyApiError {
    /// The HTTP status.
    pub http_status: http::StatusCode,
    /// `status.code`.
    pub status: StatusCode,
    /// `status.description`, made safe to print (digit runs masked).
    pub description: String,
    /// `reference_id`, when the body had a valid one.
    pub reference_id: Option<ReferenceId>,
    /// Whether the operation can send a message at all.
    pub operation_sends_message: bool,
    /// `Retry-After`, when the response carried one.
    pub retry_after: Option<RetryAfter>,
}

impl VerifyApiError {
    /// Whether a message may have gone out: `false` when the operation
    /// never sends one or when the code is a documented refusal (every
    /// 31xx, 32xx, 3400, 3906, 3116, 3204, 3500, 3041, 3072 answer sent
    /// nothing); `true` otherwise.
    pub fn message_may_have_been_sent(&self) -> bool {
        self.operation_sends_message && !self.status.proves_nothing_sent()
    }

    /// Whether the refusal is documented as temporary (3204, 3500, 3041).
    pub fn is_temporary(&self) -> bool {
        self.status.class() == super::StatusClass::Temporary
    }

    /// Whether the Verify API refused because of rate limiting (3204).
    pub fn is_rate_limited(&self) -> bool {
        self.status == StatusCode::RateLimited
            || self.http_status == http::StatusCode::TOO_MANY_REQUESTS
    }
}

impl fmt::Display for VerifyApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the TeleSign Verify API refused the request (HTTP {}, status {}): {}",
            self.http_status.as_u16(),
            self.status,
            self.description
        )?;
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
