//! The provider-independent failures: a configuration that cannot work, an
//! answer that is not the documented JSON, and the pause a provider asks
//! for. Each provider's own error lives in its module; [`ResponseError`]
//! (in `response_error.rs`) gathers them.

use std::time::{Duration, SystemTime};

use crate::text::Excerpt;

/// A configuration mistake: a base URL or credentials that cannot work.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The base URL is not an absolute `https://` (or opted-in `http://`) URL.
    #[error("invalid base URL: {0}")]
    BaseUrl(String),
    /// A plain `http://` base URL was given without opting in.
    #[error(
        "plain http:// base URL refused: use https://, or opt in with BaseUrl::allow_plain_http (for a local sandbox)"
    )]
    PlainHttp,
    /// HMAC signing was asked for with a TeleSign API key that is not valid
    /// base64 (Basic authentication takes any key).
    #[error(
        "HMAC signing needs the TeleSign API key in base64, exactly as the TeleSign portal shows it; this key is not base64 (Basic authentication sends a key as typed)"
    )]
    ApiKeyNotBase64,
    /// A credential contains characters that cannot go into an HTTP header.
    #[error("{0} contains characters that cannot be sent in an HTTP header")]
    InvalidCredential(&'static str),
    /// The proxy URL cannot work (the reason never repeats the URL, which
    /// can hold a password).
    #[error("invalid proxy: {0}")]
    Proxy(String),
    /// A credential is empty, or only white space.
    #[error("{0} is empty (or only white space)")]
    EmptyCredential(&'static str),
}

/// A response that is not the documented JSON: a proxy's HTML page, an empty
/// 502, truncated JSON, an oversized body.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unexpected response from {provider} (HTTP {status}): {reason}; body starts: {excerpt:?}")]
pub struct UnexpectedResponse {
    /// Which provider the response came from.
    pub provider: crate::Provider,
    /// The HTTP status of the response.
    pub status: http::StatusCode,
    /// Why the body was not understood.
    pub reason: String,
    /// The start of the body, made safe to print.
    pub excerpt: Excerpt,
    /// Whether the request may have sent a message (see
    /// [`ResponseError::message_may_have_been_sent`](crate::ResponseError::message_may_have_been_sent)).
    pub message_may_have_been_sent: bool,
    /// `Retry-After`, when the response carried one.
    pub retry_after: Option<RetryAfter>,
}

/// A provider's `Retry-After`: a delay, or a point in time (the header's two
/// forms). The core reads no clock: turn a date into a delay with
/// [`delay_from`](Self::delay_from) and the current time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RetryAfter {
    /// `Retry-After: 120`: wait this long (at most an hour is kept).
    Delay(Duration),
    /// `Retry-After: Wed, 21 Oct 2015 07:28:00 GMT`: wait until then.
    At(SystemTime),
}

impl RetryAfter {
    /// The longest delay kept from a `Retry-After` header.
    pub const MAX: Duration = Duration::from_secs(3600);

    /// How long to wait, counted from `now`: zero for a date in the past, at
    /// most [`MAX`](Self::MAX).
    pub fn delay_from(self, now: SystemTime) -> Duration {
        match self {
            Self::Delay(d) => d.min(Self::MAX),
            Self::At(at) => at.duration_since(now).unwrap_or_default().min(Self::MAX),
        }
    }
}

/// Why a body longer than [`MAX_BODY_BYTES`](crate::MAX_BODY_BYTES) is
/// refused: one limit, one message, in every parser and callback reader (the
/// driver's own [`BodyTooLarge`](crate::driver::ErrorKind::BodyTooLarge)
/// says the same, since the limit a transport is given never exceeds it).
pub(crate) fn body_too_large() -> String {
    format!(
        "the response body is longer than the {}-byte limit",
        crate::MAX_BODY_BYTES
    )
}

/// Reads a `Retry-After` header in either of its forms: seconds, or an
/// HTTP-date. Anything else is ignored.
pub fn retry_after(headers: &http::HeaderMap) -> Option<RetryAfter> {
    let value = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(RetryAfter::Delay(
            Duration::from_secs(secs).min(RetryAfter::MAX),
        ));
    }
    httpdate::parse_http_date(value).ok().map(RetryAfter::At)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_both_forms() {
        let mut h = http::HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert(http::header::RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(
            retry_after(&h),
            Some(RetryAfter::Delay(Duration::from_secs(7)))
        );
        h.insert(
            http::header::RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        let at = retry_after(&h).unwrap();
        let then = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(at, RetryAfter::At(then));
        assert_eq!(
            at.delay_from(then - Duration::from_secs(5)),
            Duration::from_secs(5)
        );
        assert_eq!(at.delay_from(then + Duration::from_secs(5)), Duration::ZERO);
        assert_eq!(at.delay_from(SystemTime::UNIX_EPOCH), RetryAfter::MAX);
        h.insert(http::header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&h), None);
        h.insert(http::header::RETRY_AFTER, "99999999999".parse().unwrap());
        assert_eq!(retry_after(&h), Some(RetryAfter::Delay(RetryAfter::MAX)));
    }
}
