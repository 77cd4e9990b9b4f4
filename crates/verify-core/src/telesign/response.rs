//! TeleSign's response body, shared by every operation and by callbacks.
//!
//! TeleSign asks clients to decide on the body's `status.code` and
//! `errors[].code`, not on the HTTP status; the HTTP status only matters
//! when the body is not the documented JSON.

use std::borrow::Cow;

use serde::Deserialize;

use super::{ApiError, CodeState, ReferenceId, StatusCode, TeleSignError};
use crate::error::UnexpectedResponse;
use crate::error::retry_after;
use crate::text::Excerpt;
use crate::text::mask_json;
use crate::text::provider_text;
use crate::text::provider_timestamp;
use crate::{Code, Provider, ResponseError};

/// `status`: where the message (or the request) stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    /// `status.code`.
    pub code: StatusCode,
    /// `status.description`, with runs of three or more digits masked.
    pub description: String,
    /// `status.updated_on`: an ISO 8601 timestamp as sent; absent when it
    /// is no time from 1970 to 9999; anything else is masked like every text
    /// from the provider (see [`provider_timestamp`]).
    pub updated_on: Option<String>,
}

/// `verify`: the code check.
#[derive(Clone, Debug)]
pub struct VerifyInfo {
    /// `verify.code_state`.
    pub code_state: CodeState,
    /// `verify.code_entered`, the code that was checked (redacted when
    /// printed); `None` when empty or absent.
    pub code_entered: Option<Code>,
}

/// `status` as read: the code typed, the texts still borrowed from the
/// body, masked and copied only by an operation that returns them
/// ([`StatusAnswer::into_status`]). A code check keeps none of them.
#[derive(Clone, Debug)]
pub(crate) struct StatusAnswer<'a> {
    pub(crate) code: StatusCode,
    description: Option<Cow<'a, str>>,
    updated_on: Option<Cow<'a, str>>,
}

impl StatusAnswer<'_> {
    /// The status to return: the description masked, the time checked.
    pub(crate) fn into_status(self) -> Status {
        Status {
            code: self.code,
            description: provider_text(self.description.as_deref().unwrap_or("")),
            updated_on: self.updated_on.as_deref().and_then(provider_timestamp),
        }
    }
}

/// `verify` as read: the state typed, the code entered still borrowed.
#[derive(Clone, Debug)]
pub(crate) struct VerifyAnswer<'a> {
    pub(crate) code_state: CodeState,
    code_entered: Option<Cow<'a, str>>,
}

impl VerifyAnswer<'_> {
    /// The verify part to return.
    pub(crate) fn into_info(self) -> VerifyInfo {
        VerifyInfo {
            code_state: self.code_state,
            code_entered: self
                .code_entered
                .filter(|c| !c.is_empty())
                .map(|c| Code::new(c.into_owned())),
        }
    }
}

/// A successful TeleSign answer, before each operation takes what it
/// returns from it.
#[derive(Clone, Debug)]
pub(crate) struct Answer<'a> {
    pub(crate) reference_id: Option<ReferenceId>,
    /// Raw: masked only by an operation that keeps it.
    pub(crate) sub_resource: Option<Cow<'a, str>>,
    pub(crate) status: StatusAnswer<'a>,
    pub(crate) verify: Option<VerifyAnswer<'a>>,
    /// Raw: masked only by an operation that keeps it.
    pub(crate) additional_info: Option<serde_json::Value>,
    pub(crate) http_status: http::StatusCode,
}

/// A send TeleSign accepted (SMS or voice): the transaction to check the
/// code against later, and where the message stands.
#[derive(Clone, Debug)]
#[must_use = "the reference id is needed to check the code"]
pub struct Sent {
    /// `reference_id`: the transaction, for the code check.
    pub reference_id: ReferenceId,
    /// `status`: 290 "Message in progress" when all goes well.
    pub status: Status,
    /// `sub_resource` (`sms`, `call`), masked as provider text.
    pub sub_resource: Option<String>,
    /// `additional_info`, with its strings and long numbers masked.
    pub additional_info: Option<serde_json::Value>,
    /// The HTTP status, for information.
    pub http_status: http::StatusCode,
}

/// Where a transaction's message stands ([`GetStatus`](super::GetStatus)).
#[derive(Clone, Debug)]
pub struct StatusReport {
    /// The transaction.
    pub reference_id: ReferenceId,
    /// `status`: the delivery status (see [`StatusCode`]).
    pub status: Status,
    /// `verify`, when TeleSign sent it (`code_state` is `UNKNOWN` until a
    /// code is checked with [`CheckCode`](super::CheckCode)).
    pub verify: Option<VerifyInfo>,
    /// The HTTP status, for information.
    pub http_status: http::StatusCode,
}

/// TeleSign's answer to a completion ([`Complete`](super::Complete)).
#[derive(Clone, Debug)]
pub struct Completed {
    /// The transaction.
    pub reference_id: ReferenceId,
    /// `status`: 1900 "Verification completed" (a code this version parses
    /// as `StatusCode::Unknown(1900)`).
    pub status: Status,
}

impl Answer<'_> {
    /// The answer's reference id, or the one the request was about.
    pub(crate) fn reference_id_or(&self, asked: &ReferenceId) -> ReferenceId {
        self.reference_id.unwrap_or(*asked)
    }
}

/// Which rule decides failure (docs/PROTOCOL-DECISIONS.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// SMS or call: a 5xx status code other than 599, or a final "not
    /// sent" status (207-233), is a failed send; a reference id is required.
    Send,
    /// Status or completion: only 500 and 501 are failures of the request.
    Query,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawBody<'a> {
    #[serde(borrow, deserialize_with = "crate::json::text")]
    reference_id: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "crate::json::text")]
    resource_uri: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "crate::json::text")]
    sub_resource: Option<Cow<'a, str>>,
    #[serde(borrow)]
    errors: Option<Vec<RawError<'a>>>,
    #[serde(borrow)]
    status: Option<RawStatus<'a>>,
    #[serde(borrow)]
    verify: Option<RawVerify<'a>>,
    additional_info: Option<serde_json::Value>,
    #[serde(borrow, deserialize_with = "crate::json::text")]
    submit_timestamp: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawError<'a> {
    code: Option<i64>,
    #[serde(borrow, deserialize_with = "crate::json::text")]
    description: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawStatus<'a> {
    code: Option<i64>,
    #[serde(borrow, deserialize_with = "crate::json::text")]
    description: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "crate::json::text")]
    updated_on: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawVerify<'a> {
    #[serde(borrow, deserialize_with = "crate::json::text")]
    code_state: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "crate::json::text")]
    code_entered: Option<Cow<'a, str>>,
}

/// A body in typed form, before the success/failure decision. The fields
/// few callers keep stay borrowed and unmasked until one takes them
/// ([`Body::text`]): the common answers cost no work for them.
pub(crate) struct Body<'a> {
    pub(crate) reference_id: Option<Cow<'a, str>>,
    pub(crate) resource_uri: Option<Cow<'a, str>>,
    pub(crate) sub_resource: Option<Cow<'a, str>>,
    pub(crate) errors: Vec<ApiError>,
    pub(crate) status: Option<StatusAnswer<'a>>,
    pub(crate) verify: Option<VerifyAnswer<'a>>,
    pub(crate) additional_info: Option<serde_json::Value>,
    pub(crate) submit_timestamp: Option<Cow<'a, str>>,
}

impl Body<'_> {
    /// The reference id, checked; `Ok(None)` when absent or empty.
    pub(crate) fn checked_reference_id(&self) -> Result<Option<ReferenceId>, &'static str> {
        match self.reference_id.as_deref() {
            None | Some("") => Ok(None),
            Some(id) => ReferenceId::new(id)
                .map(Some)
                .map_err(|_| "reference_id is not 32 hexadecimal digits"),
        }
    }

    /// A raw text field, made safe to keep (see [`provider_text`]).
    pub(crate) fn text(field: Option<&Cow<'_, str>>) -> Option<String> {
        field.map(|t| provider_text(t))
    }

    /// A raw timestamp field, made safe to keep (see [`provider_timestamp`]).
    pub(crate) fn timestamp(field: Option<&Cow<'_, str>>) -> Option<String> {
        field.and_then(|t| provider_timestamp(t))
    }

    /// `additional_info`, masked (see [`mask_json`]).
    pub(crate) fn additional_info(&mut self) -> Option<serde_json::Value> {
        self.additional_info.take().map(mask_json)
    }
}

/// Whether an entry of the body's `errors` has `code` and a description
/// that, as received (not shortened or masked), is about `parameter`.
pub(crate) fn error_names_parameter(bytes: &[u8], code: i64, parameter: &str) -> bool {
    // TeleSign's form: "Invalid Request: reference_id Parameter: <value>".
    let named = format!("Invalid Request: {parameter} Parameter");
    serde_json::from_slice::<RawBody>(bytes).is_ok_and(|raw| {
        raw.errors.unwrap_or_default().iter().any(|e| {
            e.code == Some(code)
                && e.description
                    .as_deref()
                    .is_some_and(|d| d.trim_start().starts_with(&named))
        })
    })
}

/// Reads a TeleSign JSON body; the error is a short, secret-free reason.
pub(crate) fn parse_body(bytes: &[u8]) -> Result<Body<'_>, String> {
    if bytes.len() > crate::MAX_BODY_BYTES {
        return Err(crate::error::body_too_large());
    }
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    match first {
        None => return Err("empty body".to_owned()),
        Some(b'{') => {}
        Some(_) => return Err("not a JSON object".to_owned()),
    }
    let raw: RawBody = serde_json::from_slice(bytes).map_err(|e| {
        use serde_json::error::Category;
        let what = match e.classify() {
            Category::Eof => "truncated JSON",
            Category::Syntax => "invalid JSON",
            Category::Data => "a field has an unexpected type",
            Category::Io => "unreadable body",
        };
        format!("{what} (line {}, column {})", e.line(), e.column())
    })?;
    let mut errors = Vec::new();
    for e in raw.errors.unwrap_or_default() {
        let Some(code) = e.code else {
            return Err("an entry of errors has no code".to_owned());
        };
        errors.push(ApiError::new(code, e.description.as_deref().unwrap_or("")));
    }
    let status = match raw.status {
        None => None,
        Some(RawStatus { code: None, .. }) => return Err("status has no code".to_owned()),
        Some(RawStatus {
            code: Some(code),
            description,
            updated_on,
        }) => Some(StatusAnswer {
            code: StatusCode::from_code(code),
            description,
            updated_on,
        }),
    };
    let verify = raw.verify.map(|v| VerifyAnswer {
        code_state: match v.code_state.as_deref() {
            None | Some("") => CodeState::NotChecked,
            Some(s) => CodeState::parse(s),
        },
        code_entered: v.code_entered,
    });
    Ok(Body {
        reference_id: raw.reference_id,
        resource_uri: raw.resource_uri,
        sub_resource: raw.sub_resource,
        errors,
        status,
        verify,
        additional_info: raw.additional_info,
        submit_timestamp: raw.submit_timestamp,
    })
}

/// Reads the answer to a send: [`parse`] with the reference id required.
pub(crate) fn parse_send(
    provider: Provider,
    response: http::Response<&[u8]>,
) -> Result<Sent, ResponseError> {
    let status = response.status();
    let answer = parse(provider, response, Kind::Send)?;
    let Some(reference_id) = answer.reference_id else {
        // `parse` refuses a send's answer without one; kept as an error
        // rather than a panic all the same.
        return Err(ResponseError::Unexpected(UnexpectedResponse {
            provider,
            status,
            reason: "no reference_id in a send's answer".to_owned(),
            excerpt: Excerpt::new(b""),
            message_may_have_been_sent: true,
            retry_after: None,
        }));
    };
    Ok(Sent {
        reference_id,
        status: answer.status.into_status(),
        sub_resource: answer.sub_resource.as_deref().map(provider_text),
        additional_info: answer.additional_info.map(mask_json),
        http_status: answer.http_status,
    })
}

/// Reads the response of a TeleSign operation.
pub(crate) fn parse(
    provider: Provider,
    response: http::Response<&[u8]>,
    kind: Kind,
) -> Result<Answer<'_>, ResponseError> {
    let sends = kind == Kind::Send;
    let http_status = response.status();
    let bytes = *response.body();
    // HTTP 429 without the documented body is a refusal: rate limiting
    // happens before anything is processed (docs/PROTOCOL-DECISIONS.md).
    let refused = http_status == http::StatusCode::TOO_MANY_REQUESTS;
    let unexpected = |reason: String| {
        ResponseError::Unexpected(UnexpectedResponse {
            provider,
            status: http_status,
            reason,
            excerpt: Excerpt::new(bytes),
            message_may_have_been_sent: sends && !refused,
            retry_after: retry_after(response.headers()),
        })
    };
    if provider != Provider::TeleSign {
        return Err(unexpected(format!(
            "a TeleSign operation was handed a response from {provider}"
        )));
    }
    let body = parse_body(bytes).map_err(unexpected)?;
    let status_code = body.status.as_ref().map(|s| s.code);
    let failed_status = status_code.is_some_and(|c| match kind {
        // A final "not sent" answer to a send is a failed send with nothing
        // sent (docs/PROTOCOL-DECISIONS.md).
        Kind::Send => c.is_failure() || c.is_not_sent(),
        Kind::Query => matches!(c.code(), 500 | 501),
    });
    if !body.errors.is_empty() || failed_status {
        return Err(ResponseError::TeleSign(TeleSignError {
            http_status,
            status: status_code,
            reference_id: body.checked_reference_id().ok().flatten(),
            errors: body.errors,
            operation_sends_message: sends,
            retry_after: retry_after(response.headers()),
        }));
    }
    let reference_id = body.checked_reference_id();
    let Some(status) = body.status else {
        return Err(unexpected("neither status.code nor errors".to_owned()));
    };
    let reference_id = reference_id.map_err(|r| unexpected(r.to_owned()))?;
    if sends && reference_id.is_none() {
        return Err(unexpected("no reference_id in a send's answer".to_owned()));
    }
    Ok(Answer {
        reference_id,
        sub_resource: body.sub_resource,
        status,
        verify: body.verify,
        additional_info: body.additional_info,
        http_status,
    })
}
