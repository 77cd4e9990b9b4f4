//! The two kinds of failure: the caller's mistake ([`ValidationError`], caught
//! before a request exists) and the provider's bytes ([`ResponseError`]).

use std::fmt;
use std::time::{Duration, SystemTime};

use crate::dotdigital::DotdigitalError;
use crate::telesign::TeleSignError;

/// One field of a request that breaks a documented rule.
///
/// The rule is described in words; the offending value is never repeated, so
/// a rejected code or key cannot leak through the error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name as the provider spells it (`phone_number`, `validUntil`).
    pub field: &'static str,
    /// The rule the value broke, e.g. "must be 3 to 7 digits".
    pub rule: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.rule)
    }
}

/// The caller's input breaks one or more documented rules. Nothing was sent.
///
/// Every offending field is listed, not just the first one found.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ValidationError {
    errors: Vec<FieldError>,
}

impl ValidationError {
    /// An error for a single field.
    pub fn single(field: &'static str, rule: impl Into<String>) -> Self {
        Self {
            errors: vec![FieldError {
                field,
                rule: rule.into(),
            }],
        }
    }

    /// Every field that broke a rule, in the order they were checked.
    pub fn errors(&self) -> &[FieldError] {
        &self.errors
    }

    /// The names of the offending fields.
    pub fn fields(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.errors.iter().map(|e| e.field)
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid request: ")?;
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// Collects field errors so that one call reports all of them at once.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `field` broke `rule`.
    pub fn fail(&mut self, field: &'static str, rule: impl Into<String>) {
        self.errors.push(FieldError {
            field,
            rule: rule.into(),
        });
    }

    /// Records that `field` broke `rule` unless `ok` holds.
    pub fn check(&mut self, ok: bool, field: &'static str, rule: impl Into<String>) {
        if !ok {
            self.fail(field, rule);
        }
    }

    /// `Ok(())` when nothing failed, otherwise every failure at once.
    pub fn finish(self) -> Result<(), ValidationError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationError {
                errors: self.errors,
            })
        }
    }
}

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
    /// A credential is empty.
    #[error("{0} is empty")]
    EmptyCredential(&'static str),
}

/// A short, printable and secret-free excerpt of a response body.
///
/// At most [`Excerpt::MAX_CHARS`] characters; control characters are replaced
/// and every run of three or more digits is masked, so a one-time code or a
/// phone number echoed by a provider or a proxy never reaches a log.
#[derive(Clone, PartialEq, Eq)]
pub struct Excerpt(String);

impl Excerpt {
    /// The longest excerpt kept, in characters.
    pub const MAX_CHARS: usize = 160;

    /// Builds an excerpt from raw body bytes (any bytes, any length).
    pub fn new(body: &[u8]) -> Self {
        // Never look at more than a few times what is kept.
        let head = &body[..body.len().min(Self::MAX_CHARS * 4)];
        Self(
            provider_text(&String::from_utf8_lossy(head))
                .trim()
                .to_owned(),
        )
    }

    /// The excerpt as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Excerpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Excerpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Text a provider sent (a description, an unknown enum value, a body
/// excerpt), made safe to print: at most [`Excerpt::MAX_CHARS`] characters
/// (then `…`), control characters replaced by spaces, and every run of three
/// or more digits masked.
pub fn provider_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(Excerpt::MAX_CHARS + 4));
    for (taken, c) in text.chars().enumerate() {
        if taken == Excerpt::MAX_CHARS {
            out.push('…');
            break;
        }
        out.push(if c.is_control() { ' ' } else { c });
    }
    mask_digit_runs(&out)
}

/// Replaces every run of three or more ASCII digits with `***`, counting
/// digits split by single separators (a space, `-` or `.`) as one run.
///
/// Provider descriptions can echo a parameter's value ("Invalid Request:
/// verify_code Parameter: 1234567", or "12 34 56", "1-2-3-4-5-6"); this keeps
/// codes and numbers out of errors and logs.
///
/// ```
/// use verify_core::error::mask_digit_runs;
/// assert_eq!(mask_digit_runs("code 1234567, 12 34 56 or 1-2-3-4-5-6"), "code ***, *** or ***");
/// assert_eq!(mask_digit_runs("v1 at 12:30, 1-2"), "v1 at 12:30, 1-2");
/// ```
pub fn mask_digit_runs(text: &str) -> String {
    let is_separator = |c: char| matches!(c, ' ' | '-' | '.');
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // A run: digits, each group joined to the next by one separator.
        let start = i;
        let mut end = i;
        let mut digits = 0;
        while end < chars.len() && chars[end].is_ascii_digit() {
            digits += 1;
            end += 1;
            if end + 1 < chars.len() && is_separator(chars[end]) && chars[end + 1].is_ascii_digit()
            {
                end += 1;
            }
        }
        if digits >= 3 {
            out.push_str("***");
        } else {
            out.extend(&chars[start..end]);
        }
        i = end;
    }
    out
}

/// A timestamp from the provider (`updated_on`, `submit_timestamp`): kept
/// as sent when it is an ISO 8601 date-time (`2016-12-14T18:20:12Z`, with
/// optional fraction and offset), which cannot carry anything else;
/// otherwise masked like any [`provider_text`].
pub fn provider_timestamp(text: &str) -> String {
    let b = text.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let shaped = b.len() >= 19
        && b.len() <= 40
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b'T' | b't' | b' ')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && b[19..]
            .iter()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'Z' | b'z' | b'+' | b'-' | b':'));
    if shaped {
        text.to_owned()
    } else {
        provider_text(text)
    }
}

/// Masks every string in a JSON value as [`provider_text`] does, and every
/// number of three or more digits (replaced by the string `"***"`): a
/// provider's free-form JSON can carry a code in either form.
pub fn mask_json(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) => Value::String(provider_text(&s)),
        Value::Number(n) => {
            let digits = n.to_string().bytes().filter(u8::is_ascii_digit).count();
            if digits >= 3 {
                Value::String("***".to_owned())
            } else {
                Value::Number(n)
            }
        }
        Value::Array(items) => Value::Array(items.into_iter().map(mask_json).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (provider_text(&k), mask_json(v)))
                .collect(),
        ),
        other => other,
    }
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
    /// [`ResponseError::message_may_have_been_sent`]).
    pub message_may_have_been_sent: bool,
    /// `Retry-After`, when the response carried one.
    pub retry_after: Option<RetryAfter>,
}

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
            Self::Unexpected(e) => matches!(e.status.as_u16(), 429 | 502 | 503 | 504),
        }
    }

    /// Whether the provider refused because of rate limiting.
    pub fn is_rate_limited(&self) -> bool {
        match self {
            Self::TeleSign(e) => e.is_rate_limited(),
            Self::Dotdigital(e) => e.is_rate_limited(),
            Self::Unexpected(e) => e.status == http::StatusCode::TOO_MANY_REQUESTS,
        }
    }

    /// The pause the provider asked for with `Retry-After`, if any.
    pub fn retry_after(&self) -> Option<RetryAfter> {
        match self {
            Self::TeleSign(e) => e.retry_after,
            Self::Dotdigital(e) => e.retry_after,
            Self::Unexpected(e) => e.retry_after,
        }
    }

    /// The HTTP status of the response.
    pub fn http_status(&self) -> http::StatusCode {
        match self {
            Self::TeleSign(e) => e.http_status,
            Self::Dotdigital(e) => e.http_status,
            Self::Unexpected(e) => e.status,
        }
    }
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
    fn validator_reports_every_field() {
        let mut v = Validator::new();
        v.check(false, "phone_number", "must be digits");
        v.check(true, "ucid", "unused");
        v.fail("verify_code", "must be 3 to 7 digits");
        let err = v.finish().unwrap_err();
        assert_eq!(
            err.fields().collect::<Vec<_>>(),
            ["phone_number", "verify_code"]
        );
        assert_eq!(
            err.to_string(),
            "invalid request: phone_number: must be digits; verify_code: must be 3 to 7 digits"
        );
    }

    #[test]
    fn provider_text_is_short_printable_and_masks_digits() {
        let long = format!("Invalid\r\nRequest: {}\u{0}", "x".repeat(1 << 20));
        let text = provider_text(&long);
        assert!(
            text.chars().count() <= Excerpt::MAX_CHARS + 1,
            "{}",
            text.len()
        );
        assert!(text.ends_with('…'));
        assert!(!text.chars().any(char::is_control), "{text:?}");
        assert_eq!(
            provider_text("Invalid Request: verify_code Parameter: 1234567\n"),
            "Invalid Request: verify_code Parameter: *** "
        );
    }

    #[test]
    fn a_huge_telesign_description_stays_short() {
        let body = format!(
            r#"{{"status":{{"code":500,"description":"x"}},"errors":[{{"code":-10001,"description":"{}\n{}"}}]}}"#,
            "a".repeat(1 << 18),
            "b".repeat(1 << 18)
        );
        let op = crate::telesign::SendSms::new("15555550100");
        let response = http::Response::builder()
            .status(400)
            .body(body.as_bytes())
            .unwrap();
        let e =
            crate::Operation::parse_response(&op, crate::Provider::TeleSign, response).unwrap_err();
        assert!(
            matches!(e, ResponseError::TeleSign(_)),
            "the description is read, not refused: {e}"
        );
        let shown = e.to_string();
        assert!(shown.len() < 1000, "{}", shown.len());
        assert!(!shown.contains('\n'));
    }

    #[test]
    fn excerpt_is_short_printable_and_masks_digits() {
        let e = Excerpt::new(b"<html>\r\n<h1>502 Bad Gateway</h1> code 1234567 at 12</html>");
        assert_eq!(
            e.as_str(),
            "<html>  <h1>*** Bad Gateway</h1> code *** at 12</html>"
        );
        let long = vec![b'a'; 10_000_000];
        assert_eq!(
            Excerpt::new(&long).as_str().chars().count(),
            Excerpt::MAX_CHARS + 1
        );
        assert_eq!(
            Excerpt::new(&[0xff, 0xfe, 0x00]).as_str(),
            "\u{fffd}\u{fffd}"
        );
    }

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
