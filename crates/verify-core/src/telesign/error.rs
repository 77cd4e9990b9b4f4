//! TeleSign's failures: the `errors` array and the status that refused or
//! failed a request, and whether a message may have gone out.

use std::fmt;

use super::{ErrorCode, ReferenceId, StatusCode};

use crate::text::provider_text;

/// One entry of a TeleSign `errors` array.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// The error code.
    pub code: ErrorCode,
    /// TeleSign's description, with every run of three or more digits masked
    /// (descriptions can echo a submitted code or phone number).
    pub description: String,
}

impl ApiError {
    /// Builds an entry, masking digit runs in the description.
    pub fn new(code: i64, description: &str) -> Self {
        Self {
            code: ErrorCode::from_code(code),
            description: provider_text(description),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.code(), self.description)
    }
}

/// TeleSign refused or failed the request, as its body codes say.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct TeleSignError {
    /// The HTTP status (for information: decisions use the body codes).
    pub http_status: http::StatusCode,
    /// `status.code`, when the body had one.
    pub status: Option<StatusCode>,
    /// The `errors` array.
    pub errors: Vec<ApiError>,
    /// `reference_id`, when the body had a valid one (32 hexadecimal
    /// digits; anything else is dropped rather than kept as raw text).
    pub reference_id: Option<ReferenceId>,
    /// Whether the operation can send a message at all.
    pub operation_sends_message: bool,
    /// `Retry-After`, when the response carried one.
    pub retry_after: Option<crate::error::RetryAfter>,
}

impl TeleSignError {
    /// Whether a message may have gone out (docs/PROTOCOL-DECISIONS.md,
    /// "Whether a message may have gone out"):
    ///
    /// - `false` when the operation never sends one;
    /// - a `status.code` other than 500 "Transaction not attempted" and 501
    ///   "Not authorized" decides by itself: TeleSign attempted the send,
    ///   whatever error codes come with it;
    /// - with status 500, 501 or none, an error code that names a refusal
    ///   before any send (authentication, parameters, rate limit, system
    ///   unavailable) proves nothing went out, as do status 500 and 501
    ///   themselves, and HTTP 429 without a status;
    /// - anything else: `true`.
    pub fn message_may_have_been_sent(&self) -> bool {
        if !self.operation_sends_message {
            return false;
        }
        match self.status {
            Some(StatusCode::TransactionNotAttempted | StatusCode::NotAuthorized) => false,
            Some(other) => other.message_may_have_been_sent(),
            None => {
                let refused = self.errors.iter().any(|e| e.code.is_refusal());
                !refused && self.http_status != http::StatusCode::TOO_MANY_REQUESTS
            }
        }
    }

    /// Whether TeleSign documents the failure as temporary (status 503/505,
    /// -90001 system unavailable, -40007 rate limited, HTTP 429).
    pub fn is_temporary(&self) -> bool {
        self.status.is_some_and(StatusCode::is_temporary)
            || self.errors.iter().any(|e| e.code.is_temporary())
            || self.http_status == http::StatusCode::TOO_MANY_REQUESTS
    }

    /// Status 500 "Transaction not attempted" without an error code that
    /// names a permanent cause (parameters, authentication).
    pub fn is_not_attempted(&self) -> bool {
        self.status == Some(StatusCode::TransactionNotAttempted) && self.errors.is_empty()
    }

    /// Whether TeleSign refused because of rate limiting (-40007 or HTTP 429).
    pub fn is_rate_limited(&self) -> bool {
        self.http_status == http::StatusCode::TOO_MANY_REQUESTS
            || self
                .errors
                .iter()
                .any(|e| e.code == ErrorCode::RateLimitExceeded)
    }

    /// Whether authentication failed (-30000 .. -30015): check the customer
    /// id, the key and the machine's clock.
    pub fn is_authentication(&self) -> bool {
        self.errors.iter().any(|e| e.code.is_authentication())
    }
}

impl fmt::Display for TeleSignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A 5xx status without errors is a send TeleSign attempted and the
        // carrier or gateway failed, not a refusal of the request.
        let attempted = self.errors.is_empty()
            && self.status.is_some_and(|s| {
                !matches!(
                    s,
                    StatusCode::TransactionNotAttempted | StatusCode::NotAuthorized
                )
            });
        let what = if attempted {
            "TeleSign reported a failed send"
        } else {
            "TeleSign refused the request"
        };
        write!(f, "{what} (HTTP {}", self.http_status.as_u16())?;
        if let Some(s) = self.status {
            write!(f, ", status {s}")?;
        }
        f.write_str(")")?;
        for (i, e) in self.errors.iter().enumerate() {
            f.write_str(if i == 0 { ": " } else { "; " })?;
            write!(f, "{e}")?;
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

#[cfg(test)]
mod display_tests {
    use super::*;

    fn error(status: i64, errors: &[(i64, &str)]) -> TeleSignError {
        TeleSignError {
            http_status: http::StatusCode::OK,
            status: Some(StatusCode::from_code(status)),
            errors: errors.iter().map(|(c, d)| ApiError::new(*c, d)).collect(),
            reference_id: None,
            operation_sends_message: true,
            retry_after: None,
        }
    }

    #[test]
    fn says_whether_the_send_was_refused_or_attempted_and_never_echoes_a_code() {
        let refused = error(
            500,
            &[(-10001, "Invalid Request: verify_code Parameter: 1234567")],
        );
        assert_eq!(
            refused.to_string(),
            "TeleSign refused the request (HTTP 200, status 500 Transaction not attempted): \
             -10001: Invalid Request: verify_code Parameter: *** [no message was sent]"
        );
        let attempted = error(504, &[]);
        assert_eq!(
            attempted.to_string(),
            "TeleSign reported a failed send (HTTP 200, status 504 Carrier rejected - permanent error) \
             [a message may have been sent]"
        );
    }
}
