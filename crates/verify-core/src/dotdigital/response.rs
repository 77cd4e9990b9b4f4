//! dotdigital's answers: the VerifyCode object, its enums, the identifier of
//! a verification, and the parsing of every documented response.

use std::borrow::Cow;
use std::time::SystemTime;

use crate::Provider;
use crate::error::UnexpectedResponse;
use crate::response_error::ResponseError;
use crate::text::Excerpt;
use crate::text::provider_text;

use super::{DotdigitalError, DotdigitalErrorKind, RequestId, ValidationFailure};

crate::code_table::string_enum! {
    /// A VerifyCode's `status`.
    CodeStatus {
        /// `CodeNotVerified`: the code was sent and not (yet) verified; after
        /// a validate, the code given was wrong. The seed's example spelling
        /// `CodeUnverified` reads as this.
        NotVerified = "CodeNotVerified" | "CodeUnverified",
        /// `CodeNotSent`: not sent, the phone number is dead.
        NotSent = "CodeNotSent",
        /// `CodeVerified`: the code given was correct.
        Verified = "CodeVerified",
        /// `CodeLocked`: too many wrong codes; the request is discarded.
        Locked = "CodeLocked",
        /// `CodeExpired`: the code is no longer valid.
        Expired = "CodeExpired",
    }
}

crate::code_table::string_enum! {
    /// A VerifyCode's `numberStatus`.
    NumberStatus {
        /// `On`: the phone is on.
        On = "On",
        /// `Off`: the phone is off.
        Off = "Off",
        /// `Dead`: the number is dead.
        Dead = "Dead",
        /// `NotProvisioned`: not on a mobile network (a landline).
        NotProvisioned = "NotProvisioned",
    }
}

crate::code_table::string_enum! {
    /// A 400 response's `failureCode`.
    FailureCode {
        /// `countryIsoCode` is not a valid country.
        CountryIsoCodeInvalid = "CountryIsoCodeInvalid",
        /// `from` contains characters that are not allowed.
        FromContainsDisallowedCharacters = "FromContainsDisallowedCharacters",
        /// `from` is empty.
        FromEmpty = "FromEmpty",
        /// A numeric `from` is longer than 15 digits.
        FromExceedsMaxNumericLength = "FromExceedsMaxNumericLength",
        /// An alphanumeric `from` is longer than 11 characters.
        FromExceedsMaxTextLength = "FromExceedsMaxTextLength",
        /// `from` is shorter than 2 characters.
        FromUnderMinTextLength = "FromUnderMinTextLength",
        /// `from` is reserved.
        FromReserved = "FromReserved",
        /// The account has not enough credit.
        InsufficientCredit = "InsufficientCredit",
        /// The body is not valid JSON.
        InvalidJson = "InvalidJson",
        /// `to` is empty.
        ToEmpty = "ToEmpty",
        /// `to` is not a valid number.
        ToInvalid = "ToInvalid",
        /// `validUntil` is in the past.
        ValidUntilMinExceeded = "ValidUntilMinExceeded",
        /// `validUntil` is more than 30 minutes ahead.
        ValidUntilMaxExceeded = "ValidUntilMaxExceeded",
        /// Too many codes to one number (or requests on the account) in a
        /// window: try later.
        Throttled = "Throttled",
    }
}

/// dotdigital's VerifyCode object: where one verification stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyCode {
    /// The verification's identifier, to validate codes against.
    pub request_id: RequestId,
    /// The number the code was sent to, in international format.
    pub phone_number: String,
    /// Where the code stands.
    pub status: CodeStatus,
    /// The state of the phone number.
    pub number_status: NumberStatus,
    /// When the request was created; `None` when absent, not an RFC 3339
    /// time, or outside 1970-9999 in UTC (see
    /// [`provider_time`](crate::text::provider_time)).
    pub created: Option<SystemTime>,
    /// When the code was verified, if it was and the time was readable
    /// (read as `created` is).
    pub verified: Option<SystemTime>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawVerifyCode<'a> {
    #[serde(borrow, default, deserialize_with = "crate::json::text")]
    request_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "crate::json::text")]
    phone_number: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "crate::json::text")]
    status: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "crate::json::text")]
    number_status: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "crate::json::lenient_text")]
    created: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "crate::json::lenient_text")]
    verified: Option<Cow<'a, str>>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawFailure {
    #[serde(default)]
    property: Option<String>,
    failure_code: String,
    #[serde(default)]
    details: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum RawFailures {
    Many(Vec<RawFailure>),
    One(RawFailure),
}

/// A VerifyCode time: `None` when absent, unreadable or outside 1970-9999
/// in UTC (see [`provider_time`](crate::text::provider_time)).
fn time(value: Option<Cow<'_, str>>) -> Option<SystemTime> {
    value.and_then(|s| crate::text::provider_time(&s))
}

/// A successful answer: a VerifyCode, or 204 No Content.
#[derive(Debug)]
pub(crate) enum Parsed {
    Code(VerifyCode),
    NoContent,
}

/// Reads any dotdigital response. `sends_message`: whether the operation can
/// send an SMS (create and send) or not (validate).
pub(crate) fn parse(
    provider: Provider,
    response: &http::Response<&[u8]>,
    sends_message: bool,
) -> Result<Parsed, ResponseError> {
    let status = response.status();
    let body: &[u8] = response.body();
    let retry_after = crate::error::retry_after(response.headers());
    let unexpected = |reason: &str| {
        ResponseError::Unexpected(UnexpectedResponse {
            provider,
            status,
            reason: reason.to_owned(),
            excerpt: Excerpt::new(body),
            message_may_have_been_sent: sends_message,
            retry_after,
        })
    };
    if provider != Provider::Dotdigital {
        return Err(unexpected(&format!(
            "a dotdigital operation was handed a response from {provider}"
        )));
    }
    if body.len() > crate::MAX_BODY_BYTES {
        return Err(unexpected(&crate::error::body_too_large()));
    }
    let error = |kind| {
        ResponseError::Dotdigital(DotdigitalError {
            http_status: status,
            kind,
            operation_sends_message: sends_message,
            retry_after,
        })
    };
    match status.as_u16() {
        204 => Ok(Parsed::NoContent),
        200..=299 => {
            if body.trim_ascii().is_empty() {
                return Err(unexpected("a success status without a VerifyCode body"));
            }
            let raw: RawVerifyCode = serde_json::from_slice(body).map_err(|e| {
                unexpected(&format!("not a VerifyCode object ({})", json_problem(&e)))
            })?;
            let (Some(request_id), Some(phone_number), Some(code_status), Some(number_status)) = (
                raw.request_id,
                raw.phone_number,
                raw.status,
                raw.number_status,
            ) else {
                return Err(unexpected(
                    "a VerifyCode needs requestId, phoneNumber, status and numberStatus",
                ));
            };
            let request_id = RequestId::new(&*request_id)
                .map_err(|_| unexpected("the VerifyCode's requestId is not a GUID"))?;
            Ok(Parsed::Code(VerifyCode {
                request_id,
                phone_number: phone_number.into_owned(),
                status: CodeStatus::parse(&code_status),
                number_status: NumberStatus::parse(&number_status),
                created: time(raw.created),
                verified: time(raw.verified),
            }))
        }
        400 => {
            let raw: RawFailures = serde_json::from_slice(body).map_err(|e| {
                unexpected(&format!(
                    "not an array of ValidationFailure objects ({})",
                    json_problem(&e)
                ))
            })?;
            let raw = match raw {
                RawFailures::Many(v) => v,
                RawFailures::One(f) => vec![f],
            };
            let failures = raw
                .into_iter()
                .map(|f| ValidationFailure {
                    property: provider_text(f.property.as_deref().unwrap_or_default()),
                    failure_code: FailureCode::parse(&f.failure_code),
                    details: provider_text(f.details.as_deref().unwrap_or_default()),
                })
                .collect();
            Err(error(DotdigitalErrorKind::Validation(failures)))
        }
        401 => Err(error(DotdigitalErrorKind::Unauthorized(Excerpt::new(body)))),
        _ => Err(error(DotdigitalErrorKind::Status(Excerpt::new(body)))),
    }
}

/// What is wrong with a JSON body, without echoing any of its values.
fn json_problem(e: &serde_json::Error) -> String {
    let what = match e.classify() {
        serde_json::error::Category::Io => "unreadable",
        serde_json::error::Category::Syntax => "invalid JSON",
        serde_json::error::Category::Data => "missing fields or wrong types",
        serde_json::error::Category::Eof => "truncated JSON",
    };
    format!("{what} at line {} column {}", e.line(), e.column())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_honour_their_offset() {
        let parse_time = crate::text::provider_time;
        let utc = parse_time("2024-05-01T10:00:00Z").unwrap();
        assert_eq!(parse_time("2024-05-01T10:00:00").unwrap(), utc);
        assert_eq!(parse_time("2024-05-01T12:00:00+02:00").unwrap(), utc);
        assert_eq!(parse_time("2024-05-01T08:30:00-01:30").unwrap(), utc);
        assert_eq!(
            parse_time("2024-05-01T12:00:00.250+02:00").unwrap(),
            utc + std::time::Duration::from_millis(250)
        );
        for bad in [
            "2024-05-01T10:00:00+24:00",
            "2024-05-01T10:00:00+02:60",
            "x+02:00",
            "",
            "é+02:00",
            "9999-12-31T23:59:59-00:01",
            "1970-01-01T00:00:00+00:01",
            "1969-12-31T23:59:59Z",
            "2024-02-30T10:00:00Z",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn guid_shapes() {
        for ok in [
            "0bd57dc3-580c-4c1d-8aee-2ff79bd8633c",
            "0BD57DC3-580C-4C1D-8AEE-2FF79BD8633C",
            "00000000-0000-0000-0000-000000000000",
        ] {
            assert!(RequestId::new(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "0bd57dc3580c4c1d8aee2ff79bd8633c",
            "{0bd57dc3-580c-4c1d-8aee-2ff79bd8633c}",
            "0bd57dc3-580c-4c1d-8aee-2ff79bd8633c-",
            "0bd57dc3-580c-4c1d-8aee-2ff79bd8633g",
            "0bd57dc3-580c-4c1d-8aee-2ff79bd8633",
            "0bd57dc3-580c-4c1d-8aee/2ff79bd8633c",
            "0bd57dc3-580c-4c1d-8aee-2ff79bd8633c\n",
            "０bd57dc3-580c-4c1d-8aee-2ff79bd8633c",
        ] {
            assert!(RequestId::new(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn request_id_serde_checks_shape() {
        let id: RequestId =
            serde_json::from_str("\"0bd57dc3-580c-4c1d-8aee-2ff79bd8633c\"").unwrap();
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            "\"0bd57dc3-580c-4c1d-8aee-2ff79bd8633c\""
        );
        assert!(serde_json::from_str::<RequestId>("\"../x\"").is_err());
    }

    #[test]
    fn enums_round_trip_and_keep_unknowns() {
        for s in CodeStatus::ALL {
            assert_eq!(&CodeStatus::parse(s.as_str()), s);
        }
        for s in NumberStatus::ALL {
            assert_eq!(&NumberStatus::parse(s.as_str()), s);
        }
        for s in FailureCode::ALL {
            assert_eq!(&FailureCode::parse(s.as_str()), s);
        }
        assert_eq!(FailureCode::ALL.len(), 14);
        assert_eq!(CodeStatus::parse("CodeUnverified"), CodeStatus::NotVerified);
        assert_eq!(CodeStatus::parse("codeverified"), CodeStatus::Verified);
        assert_eq!(
            CodeStatus::parse("CodeResent"),
            CodeStatus::Unknown("CodeResent".into())
        );
        assert_eq!(NumberStatus::parse("Roaming").as_str(), "Roaming");
    }
}
