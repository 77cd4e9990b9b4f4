//! Create and send a code: `POST /webapi/verify` (seed 000).

use std::time::{Duration, SystemTime};

use crate::response_error::ResponseError;
use crate::validate::ValidationError;
use crate::validate::Validator;
use crate::{Idempotency, Operation, Provider, ProviderConfig, Role};

use super::is_iso_3166_alpha3;
use super::request::json_request;
use super::response::{self, CodeStatus, Parsed, VerifyCode};
use super::{DotdigitalError, DotdigitalErrorKind};

/// The furthest ahead `validUntil` may be.
pub const MAX_VALIDITY: Duration = Duration::from_secs(30 * 60);

/// The placeholder dotdigital replaces with the code in `body`.
pub const CODE_PLACEHOLDER: &str = "{{code}}";

/// Create a code and send it by SMS: `POST /webapi/verify`.
///
/// Answers a [`VerifyCode`] whose `request_id` is what a later
/// [`ValidateCode`](super::ValidateCode) checks the user's code against.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use verify_core::dotdigital::{Config, Credentials, SendCode};
/// use verify_core::{Operation, Role};
///
/// let config = Config::new(Credentials::new("api-user", "secret").unwrap());
/// let now = SystemTime::now();
/// let op = SendCode::new("447700900123", "Example")
///     .body("Your Example code is {{code}}")
///     .valid_until(now + Duration::from_secs(600), now);
/// let request = op.to_request(&config.into(), Role::Primary).unwrap();
/// assert_eq!(request.uri().path(), "/webapi/verify");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendCode {
    to: String,
    from: String,
    country_iso_code: Option<String>,
    body: Option<String>,
    valid_until: Option<(SystemTime, SystemTime)>,
    client_keys: Vec<String>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Body<'a> {
    to: &'a str,
    from: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    country_iso_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    valid_until: Option<Millis>,
}

/// `validUntil`, written into the JSON as it is serialized (no string of
/// its own).
struct Millis(humantime::Rfc3339Timestamp);

impl serde::Serialize for Millis {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl SendCode {
    /// A code for `to` (international digits, e.g. `447700900123`, or a
    /// local number with [`country_iso_code`](Self::country_iso_code)), sent
    /// from `from` (2-15 digits, or 2-11 letters, digits, `-`, `_`, `.`,
    /// spaces).
    pub fn new(to: impl Into<String>, from: impl Into<String>) -> Self {
        Self {
            to: to.into(),
            from: from.into(),
            country_iso_code: None,
            body: None,
            valid_until: None,
            client_keys: Vec::new(),
        }
    }

    /// Adds a client key for the abuse guard (`ip:192.0.2.1`, `user:42`;
    /// repeatable): an opaque string, never sent to the provider.
    pub fn client_key(mut self, key: impl Into<String>) -> Self {
        self.client_keys.push(key.into());
        self
    }

    /// The country of a local-format `to`, as ISO 3166-1 alpha-3 (`GBR`).
    pub fn country_iso_code(mut self, code: impl Into<String>) -> Self {
        self.country_iso_code = Some(code.into());
        self
    }

    /// The message text; must contain `{{code}}` and may contain
    /// `{{validMinutes}}`. dotdigital's default is "Your verification code
    /// is {{code}}".
    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// When the code stops being valid (and delivery stops being tried).
    /// It must be after `now` and at most 30 minutes ahead of it; `now` is
    /// the caller's clock, since the core reads none.
    pub fn valid_until(mut self, until: SystemTime, now: SystemTime) -> Self {
        self.valid_until = Some((until, now));
        self
    }

    /// The destination number as given.
    pub fn to(&self) -> &str {
        &self.to
    }

    /// The sender as given.
    pub fn from(&self) -> &str {
        &self.from
    }

    /// Checks every field and returns the JSON body.
    fn body_json(&self) -> Result<Vec<u8>, ValidationError> {
        let mut v = Validator::new();
        let country = self.country_iso_code.as_deref();
        check_to(&mut v, &self.to, country.is_some());
        if let Some(c) = country {
            v.check(
                is_iso_3166_alpha3(c),
                "countryIsoCode",
                "must be an officially assigned ISO 3166-1 alpha-3 country code, e.g. GBR",
            );
        }
        check_from(&mut v, &self.from);
        if let Some(body) = &self.body {
            v.check(
                body.contains(CODE_PLACEHOLDER),
                "body",
                "must contain the {{code}} placeholder",
            );
        }
        let mut valid_until = None;
        if let Some((until, now)) = self.valid_until {
            match check_valid_until(until, now) {
                Ok(text) => valid_until = Some(text),
                Err(rule) => v.fail("validUntil", rule),
            }
        }
        v.finish()?;
        let body = Body {
            to: &self.to,
            from: &self.from,
            country_iso_code: country,
            body: self.body.as_deref(),
            valid_until,
        };
        // Room for every field, escaped, and the keys: the buffer never grows.
        let room =
            96 + 2 * (self.to.len() + self.from.len() + self.body.as_ref().map_or(0, String::len));
        let mut json = Vec::with_capacity(room);
        serde_json::to_writer(&mut json, &body)
            .map_err(|_| ValidationError::single("body", "cannot be encoded as JSON"))?;
        Ok(json)
    }
}

/// `to`: international digits (country code first, no `+` or `00`), or a
/// local number when a country is given.
fn check_to(v: &mut Validator, to: &str, local_allowed: bool) {
    if to.is_empty() {
        v.fail("to", "must not be empty");
    } else if !to.bytes().all(|b| b.is_ascii_digit()) {
        v.fail(
            "to",
            "must be digits only: the country code first, without '+', '00', spaces or punctuation",
        );
    } else if local_allowed {
        v.check(
            (4..=15).contains(&to.len()),
            "to",
            "must be 4 to 15 digits (a local number, with countryIsoCode)",
        );
    } else {
        v.check(
            (7..=15).contains(&to.len()) && !to.starts_with('0'),
            "to",
            "must be an international number: 7 to 15 digits, the country code first \
             (or give countryIsoCode for a local number)",
        );
    }
}

/// `from`: numeric 2-15 digits, or alphanumeric 2-11 of `0-9 a-z A-Z - _ .`
/// and space.
fn check_from(v: &mut Validator, from: &str) {
    const RULE: &str = "must be 2 to 15 digits, or 2 to 11 characters of letters, digits, \
                        hyphen, underscore, full stop and space";
    if from.is_empty() {
        v.fail("from", "must not be empty");
        return;
    }
    let len = from.chars().count();
    if from.bytes().all(|b| b.is_ascii_digit()) {
        v.check((2..=15).contains(&len), "from", RULE);
    } else if !from
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b' '))
    {
        v.fail("from", "contains characters other than letters, digits, hyphen, underscore, full stop and space");
    } else {
        v.check((2..=11).contains(&len), "from", RULE);
    }
}

/// `validUntil` after `now`, at most 30 minutes ahead, formatted as ISO 8601
/// UTC with milliseconds.
fn check_valid_until(until: SystemTime, now: SystemTime) -> Result<Millis, &'static str> {
    // Compare at the precision that is sent: milliseconds.
    let millis = |t: SystemTime| {
        t.duration_since(SystemTime::UNIX_EPOCH)
            .ok()
            .map(|d| d.as_millis())
    };
    let (Some(until_ms), Some(now_ms)) = (millis(until), millis(now)) else {
        return Err("must be after 1970-01-01T00:00:00Z, and so must the current time given");
    };
    if until_ms <= now_ms {
        return Err("must be after the current time");
    }
    if until_ms - now_ms > MAX_VALIDITY.as_millis() {
        return Err("must be at most 30 minutes after the current time");
    }
    // humantime cannot write years past 9999; such a `now` is a broken clock.
    if until_ms >= 253_402_300_800_000 {
        return Err("must be before the year 10000");
    }
    Ok(Millis(humantime::format_rfc3339_millis(until)))
}

impl Operation for SendCode {
    type Output = VerifyCode;

    fn name(&self) -> &'static str {
        "dotdigital.send"
    }

    /// A local-format `to` (with `country_iso_code`) is not an international
    /// number: the guard refuses it as invalid.
    fn guarded(&self) -> crate::guard::Guarded<'_> {
        crate::guard::Guarded::Send(crate::guard::SendFacts {
            phone_number: &self.to,
            client_keys: &self.client_keys,
            segments: crate::guard::billed_segments(self.body.as_deref(), super::CODE_PLACEHOLDER),
        })
    }

    fn provider(&self) -> Option<Provider> {
        Some(Provider::Dotdigital)
    }

    fn idempotency(&self) -> Idempotency {
        Idempotency::SendsMessage
    }

    fn to_request(
        &self,
        config: &ProviderConfig,
        _role: Role,
    ) -> Result<http::Request<Vec<u8>>, ValidationError> {
        let ProviderConfig::Dotdigital(config) = config else {
            return Err(crate::operation::wrong_provider(
                Provider::Dotdigital,
                config.provider(),
            ));
        };
        let body = self.body_json()?;
        Ok(json_request(
            config.base_url.join_static("/webapi/verify"),
            http::Method::POST,
            body,
        ))
    }

    fn parse_response(
        &self,
        provider: Provider,
        response: http::Response<&[u8]>,
    ) -> Result<VerifyCode, ResponseError> {
        match response::parse(provider, &response, true)? {
            // A VerifyCode that says the code was not sent is a failed send
            // with nothing sent (docs/PROTOCOL-DECISIONS.md, dotdigital).
            Parsed::Code(code) if code.status == CodeStatus::NotSent => {
                Err(ResponseError::Dotdigital(DotdigitalError {
                    http_status: response.status(),
                    kind: DotdigitalErrorKind::NotSent {
                        request_id: code.request_id,
                        number_status: code.number_status,
                    },
                    operation_sends_message: true,
                    retry_after: crate::error::retry_after(response.headers()),
                }))
            }
            Parsed::Code(code) => Ok(code),
            Parsed::NoContent => Err(ResponseError::Unexpected(
                crate::error::UnexpectedResponse {
                    provider: Provider::Dotdigital,
                    status: response.status(),
                    reason: "204 No Content where a VerifyCode was expected".to_owned(),
                    excerpt: crate::text::Excerpt::new(response.body()),
                    message_may_have_been_sent: true,
                    retry_after: crate::error::retry_after(response.headers()),
                },
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn valid_until_window() {
        let now = at(1_445_433_686) + Duration::from_millis(419);
        assert_eq!(
            check_valid_until(now + Duration::from_secs(1800), now)
                .unwrap()
                .0
                .to_string(),
            "2015-10-21T13:51:26.419Z"
        );
        assert!(check_valid_until(now + Duration::from_millis(1_800_001), now).is_err());
        assert!(check_valid_until(now, now).is_err());
        assert!(check_valid_until(now - Duration::from_secs(1), now).is_err());
        assert!(check_valid_until(now + Duration::from_micros(500), now).is_err());
        let before_epoch = SystemTime::UNIX_EPOCH - Duration::from_secs(10);
        assert!(check_valid_until(before_epoch + Duration::from_secs(5), before_epoch).is_err());
        let far = at(253_402_300_800);
        assert!(check_valid_until(far + Duration::from_secs(5), far).is_err());
    }

    #[test]
    fn from_rules() {
        let ok = |s: &str| {
            let mut v = Validator::new();
            check_from(&mut v, s);
            v.finish().is_ok()
        };
        for good in [
            "12",
            "123456789012345",
            "Ab",
            "MAYFLOWER",
            "a-b_c.d e",
            "Example 123",
        ] {
            assert!(ok(good), "{good}");
        }
        for bad in [
            "",
            "1",
            "1234567890123456",
            "A",
            "ExampleShop1",
            "Shop!",
            "Café",
            "a\nb",
        ] {
            assert!(!ok(bad), "{bad:?}");
        }
    }

    #[test]
    fn to_rules() {
        let ok = |s: &str, local: bool| {
            let mut v = Validator::new();
            check_to(&mut v, s, local);
            v.finish().is_ok()
        };
        assert!(ok("447700900123", false));
        assert!(!ok("07700900123", false));
        assert!(ok("07700900123", true));
        assert!(!ok("+447700900123", false));
        assert!(!ok("", true));
        assert!(!ok("4477009001231234", false));
        assert!(!ok("44 7700 900123", false));
    }
}
