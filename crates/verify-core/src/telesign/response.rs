//! TeleSign's response body, shared by every operation and by callbacks.
//!
//! TeleSign asks clients to decide on the body's `status.code` and
//! `errors[].code`, not on the HTTP status; the HTTP status only matters
//! when the body is not the documented JSON.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;

use super::{ApiError, ReferenceId, StatusCode, TeleSignError};
use crate::error::{
    Excerpt, UnexpectedResponse, mask_json, provider_text, provider_timestamp, retry_after,
};
use crate::{Code, Provider, ResponseError};

/// The largest body the parsers read; a longer one is refused unread.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// `status`: where the message (or the request) stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    /// `status.code`.
    pub code: StatusCode,
    /// `status.description`, with runs of three or more digits masked.
    pub description: String,
    /// `status.updated_on`: an ISO 8601 timestamp as sent; anything else
    /// is masked like every text from the provider.
    pub updated_on: Option<String>,
}

/// `verify.code_state`: what TeleSign thinks of the code checked.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CodeState {
    /// `VALID`: the code entered is the code sent.
    Valid,
    /// `INVALID`: the code entered is wrong.
    Invalid,
    /// `EXPIRED`: the code is too old.
    Expired,
    /// `MAX_ATTEMPTS_EXCEEDED`: too many wrong codes.
    MaxAttemptsExceeded,
    /// `UNKNOWN`: no code has been checked (the documented literal).
    NotChecked,
    /// A state this version does not know (digit runs masked).
    Unknown(String),
}

impl CodeState {
    /// Parses TeleSign's string; never fails.
    pub fn parse(s: &str) -> Self {
        let is = |lit: &str| s.eq_ignore_ascii_case(lit);
        if is("VALID") {
            Self::Valid
        } else if is("INVALID") {
            Self::Invalid
        } else if is("EXPIRED") {
            Self::Expired
        } else if is("MAX_ATTEMPTS_EXCEEDED") {
            Self::MaxAttemptsExceeded
        } else if is("UNKNOWN") {
            Self::NotChecked
        } else {
            Self::Unknown(provider_text(s))
        }
    }

    /// TeleSign's spelling.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Valid => "VALID",
            Self::Invalid => "INVALID",
            Self::Expired => "EXPIRED",
            Self::MaxAttemptsExceeded => "MAX_ATTEMPTS_EXCEEDED",
            Self::NotChecked => "UNKNOWN",
            Self::Unknown(s) => s,
        }
    }

    /// Whether the state will not change any more (valid, expired, locked).
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::Valid | Self::Expired | Self::MaxAttemptsExceeded
        )
    }
}

impl fmt::Display for CodeState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
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

/// A successful TeleSign answer.
///
/// For a send (SMS, call), `reference_id` and `status` are always present.
#[derive(Clone, Debug)]
pub struct VerifyResponse {
    /// `reference_id`: the transaction, for later status checks.
    pub reference_id: Option<ReferenceId>,
    /// `resource_uri`, with digit runs masked (provider text).
    pub resource_uri: Option<String>,
    /// `sub_resource`, with digit runs masked (provider text).
    pub sub_resource: Option<String>,
    /// `errors`: empty on success (warnings would appear here).
    pub errors: Vec<ApiError>,
    /// `status`.
    pub status: Option<Status>,
    /// `verify`.
    pub verify: Option<VerifyInfo>,
    /// `additional_info`, kept as JSON with its strings and long numbers
    /// masked (see [`mask_json`](crate::error::mask_json)).
    pub additional_info: Option<serde_json::Value>,
    /// The HTTP status, for information.
    pub http_status: http::StatusCode,
}

impl VerifyResponse {
    /// `status.code`, when present.
    pub fn status_code(&self) -> Option<StatusCode> {
        self.status.as_ref().map(|s| s.code)
    }

    /// `verify.code_state`, when present.
    pub fn code_state(&self) -> Option<&CodeState> {
        self.verify.as_ref().map(|v| &v.code_state)
    }
}

/// Which rule decides failure (docs/PROTOCOL-DECISIONS.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// SMS or call: a 5xx status code other than 599 is a failed send; a
    /// reference id is required.
    Send,
    /// Status or completion: only 500 and 501 are failures of the request.
    Query,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawBody<'a> {
    #[serde(borrow)]
    reference_id: Option<Cow<'a, str>>,
    resource_uri: Option<String>,
    sub_resource: Option<String>,
    #[serde(borrow)]
    errors: Option<Vec<RawError<'a>>>,
    #[serde(borrow)]
    status: Option<RawStatus<'a>>,
    #[serde(borrow)]
    verify: Option<RawVerify<'a>>,
    additional_info: Option<serde_json::Value>,
    submit_timestamp: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawError<'a> {
    code: Option<i64>,
    #[serde(borrow)]
    description: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawStatus<'a> {
    code: Option<i64>,
    #[serde(borrow)]
    description: Option<Cow<'a, str>>,
    updated_on: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawVerify<'a> {
    #[serde(borrow)]
    code_state: Option<Cow<'a, str>>,
    code_entered: Option<String>,
}

/// A body in typed form, before the success/failure decision.
pub(crate) struct Body {
    pub(crate) reference_id: Option<String>,
    pub(crate) resource_uri: Option<String>,
    pub(crate) sub_resource: Option<String>,
    pub(crate) errors: Vec<ApiError>,
    pub(crate) status: Option<Status>,
    pub(crate) verify: Option<VerifyInfo>,
    pub(crate) additional_info: Option<serde_json::Value>,
    pub(crate) submit_timestamp: Option<String>,
}

impl Body {
    /// The reference id, checked; `Ok(None)` when absent or empty.
    pub(crate) fn checked_reference_id(&self) -> Result<Option<ReferenceId>, &'static str> {
        match self.reference_id.as_deref() {
            None | Some("") => Ok(None),
            Some(id) => ReferenceId::new(id)
                .map(Some)
                .map_err(|_| "reference_id is not 32 hexadecimal digits"),
        }
    }
}

/// Reads a TeleSign JSON body; the error is a short, secret-free reason.
pub(crate) fn parse_body(bytes: &[u8]) -> Result<Body, String> {
    if bytes.len() > MAX_BODY_BYTES {
        return Err(format!("body too large (over {MAX_BODY_BYTES} bytes)"));
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
        }) => Some(Status {
            code: StatusCode::from_code(code),
            description: provider_text(description.as_deref().unwrap_or("")),
            updated_on: updated_on.as_deref().map(provider_timestamp),
        }),
    };
    let verify = match raw.verify {
        None => None,
        Some(v) => Some(VerifyInfo {
            code_state: match v.code_state.as_deref() {
                None | Some("") => CodeState::NotChecked,
                Some(s) => CodeState::parse(s),
            },
            code_entered: v.code_entered.filter(|c| !c.is_empty()).map(Code::new),
        }),
    };
    Ok(Body {
        reference_id: raw.reference_id.map(Cow::into_owned),
        resource_uri: raw.resource_uri.as_deref().map(provider_text),
        sub_resource: raw.sub_resource.as_deref().map(provider_text),
        errors,
        status,
        verify,
        additional_info: raw.additional_info.map(mask_json),
        submit_timestamp: raw.submit_timestamp.as_deref().map(provider_timestamp),
    })
}

/// Reads the response of a TeleSign operation.
pub(crate) fn parse(
    provider: Provider,
    response: http::Response<&[u8]>,
    kind: Kind,
) -> Result<VerifyResponse, ResponseError> {
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
        Kind::Send => c.is_failure(),
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
    if body.status.is_none() {
        return Err(unexpected("neither status.code nor errors".to_owned()));
    }
    let reference_id = body
        .checked_reference_id()
        .map_err(|r| unexpected(r.to_owned()))?;
    if sends && reference_id.is_none() {
        return Err(unexpected("no reference_id in a send's answer".to_owned()));
    }
    Ok(VerifyResponse {
        reference_id,
        resource_uri: body.resource_uri,
        sub_resource: body.sub_resource,
        errors: body.errors,
        status: body.status,
        verify: body.verify,
        additional_info: body.additional_info,
        http_status,
    })
}
