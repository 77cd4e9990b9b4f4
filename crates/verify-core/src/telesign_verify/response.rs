//! The Verify API's answers: one JSON shape for create, retrieve, finalize
//! and callbacks, read into typed values.

use std::borrow::Cow;

use serde::Deserialize;

use super::{Method, State, StatusCode, VerifyApiError};
use crate::error::{UnexpectedResponse, retry_after};
use crate::telesign::ReferenceId;
use crate::text::{Excerpt, provider_text, provider_timestamp};
use crate::{Provider, ResponseError};

/// `status`: what the Verify API says of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    /// `status.code`.
    pub code: StatusCode,
    /// `status.description`, made safe to print.
    pub description: String,
}

/// One method of a verification policy, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyStep {
    /// The channel.
    pub method: Method,
    /// Seconds before the next method is tried; `None` for the default
    /// (60 s, 120 s for email).
    pub fallback_time: Option<u32>,
}

impl PolicyStep {
    /// A step with the default fallback time.
    pub fn new(method: Method) -> Self {
        Self {
            method,
            fallback_time: None,
        }
    }

    /// A step that falls back to the next one after `seconds`.
    pub fn with_fallback(method: Method, seconds: u32) -> Self {
        Self {
            method,
            fallback_time: Some(seconds),
        }
    }
}

/// Where one method of the policy stands (`inner_methods`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InnerMethod {
    /// The channel.
    pub method: Method,
    /// `CREATED` (not tried yet), `ONGOING`, `SKIPPED` (left for the next),
    /// or the process's final state.
    pub state: State,
    /// `err_code`, when the method failed.
    pub error_code: Option<i64>,
    /// `err_msg`, made safe to print.
    pub error_message: Option<String>,
    /// `tried_on` (RFC 3339).
    pub tried_on: Option<String>,
    /// `updated_on` (RFC 3339).
    pub updated_on: Option<String>,
    /// `expires_on` (RFC 3339): when the method's code expires.
    pub expires_on: Option<String>,
}

/// A verification process as the Verify API describes it (a retrieve's
/// answer, and the body of a callback).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    /// The process.
    pub reference_id: ReferenceId,
    /// `state`.
    pub state: State,
    /// `verification_policy`, with the fallback times filled in.
    pub policy: Vec<PolicyStep>,
    /// `inner_methods`: one entry per policy method.
    pub inner_methods: Vec<InnerMethod>,
    /// `created_on` (RFC 3339).
    pub created_on: Option<String>,
    /// `updated_on` (RFC 3339).
    pub updated_on: Option<String>,
    /// `external_id`, made safe to print.
    pub external_id: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawBody<'a> {
    #[serde(borrow, deserialize_with = "crate::json::text")]
    reference_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    status: Option<RawStatus<'a>>,
    #[serde(borrow, deserialize_with = "crate::json::text")]
    state: Option<Cow<'a, str>>,
    #[serde(borrow)]
    verification_policy: Option<Vec<RawStep<'a>>>,
    #[serde(borrow)]
    inner_methods: Option<Vec<RawInner<'a>>>,
    created_on: Option<String>,
    updated_on: Option<String>,
    external_id: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawStatus<'a> {
    code: Option<i64>,
    #[serde(borrow, deserialize_with = "crate::json::text")]
    description: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawStep<'a> {
    #[serde(borrow, deserialize_with = "crate::json::text")]
    method: Option<Cow<'a, str>>,
    fallback_time: Option<u32>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawInner<'a> {
    #[serde(borrow, deserialize_with = "crate::json::text")]
    method: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "crate::json::text")]
    state: Option<Cow<'a, str>>,
    err_code: Option<i64>,
    err_msg: Option<String>,
    tried_on: Option<String>,
    updated_on: Option<String>,
    expires_on: Option<String>,
}

/// A successful answer, before each operation takes what it returns.
pub(crate) struct Answer {
    pub(crate) reference_id: Option<ReferenceId>,
    pub(crate) status: Option<Status>,
    pub(crate) state: Option<State>,
    pub(crate) policy: Vec<PolicyStep>,
    pub(crate) inner_methods: Vec<InnerMethod>,
    pub(crate) created_on: Option<String>,
    pub(crate) updated_on: Option<String>,
    pub(crate) external_id: Option<String>,
}

/// Reads any Verify API body; the error is a short, secret-free reason.
pub(crate) fn parse_body(bytes: &[u8]) -> Result<Answer, String> {
    if bytes.len() > crate::MAX_BODY_BYTES {
        return Err(crate::error::body_too_large());
    }
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        None => return Err("empty body".to_owned()),
        Some(b'{') => {}
        Some(_) => return Err("not a JSON object".to_owned()),
    }
    let raw: RawBody = serde_json::from_slice(bytes).map_err(|e| {
        use serde_json::error::Category;
        let what = match e.classify() {
            Category::Eof => "truncated JSON",
            Category::Syntax => "invalid JSON",
            Category::Data => "a field has an unexpected type, or a key is given twice",
            Category::Io => "unreadable body",
        };
        format!("{what} (line {}, column {})", e.line(), e.column())
    })?;
    let reference_id = match raw.reference_id.as_deref() {
        None | Some("") => None,
        Some(id) => {
            Some(ReferenceId::new(id).map_err(|_| "reference_id is not 32 hexadecimal digits")?)
        }
    };
    let status = match raw.status {
        None => None,
        Some(RawStatus { code: None, .. }) => return Err("status has no code".to_owned()),
        Some(RawStatus {
            code: Some(code),
            description,
        }) => Some(Status {
            code: StatusCode::from_code(code),
            description: provider_text(description.as_deref().unwrap_or("")),
        }),
    };
    let method = |m: Option<Cow<'_, str>>| Method::parse(m.as_deref().unwrap_or(""));
    let policy = raw
        .verification_policy
        .unwrap_or_default()
        .into_iter()
        .map(|s| PolicyStep {
            method: method(s.method),
            fallback_time: s.fallback_time,
        })
        .collect();
    let inner_methods = raw
        .inner_methods
        .unwrap_or_default()
        .into_iter()
        .map(|m| InnerMethod {
            method: method(m.method),
            state: State::parse(m.state.as_deref().unwrap_or("")),
            error_code: m.err_code,
            error_message: m.err_msg.as_deref().map(provider_text),
            tried_on: m.tried_on.as_deref().and_then(provider_timestamp),
            updated_on: m.updated_on.as_deref().and_then(provider_timestamp),
            expires_on: m.expires_on.as_deref().and_then(provider_timestamp),
        })
        .collect();
    Ok(Answer {
        reference_id,
        status,
        state: raw.state.as_deref().map(State::parse),
        policy,
        inner_methods,
        created_on: raw.created_on.as_deref().and_then(provider_timestamp),
        updated_on: raw.updated_on.as_deref().and_then(provider_timestamp),
        external_id: raw.external_id.as_deref().map(provider_text),
    })
}

/// Reads the response of a Verify API operation: a success, a typed
/// refusal, or an unexpected answer. `sends` tells whether the operation
/// can send a message (a create).
pub(crate) fn parse(
    provider: Provider,
    response: &http::Response<&[u8]>,
    sends: bool,
) -> Result<Answer, ResponseError> {
    let http_status = response.status();
    let bytes = *response.body();
    // A rate limit refuses before anything is processed.
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
    if provider != Provider::TeleSignVerify {
        return Err(unexpected(format!(
            "a Verify API operation was handed a response from {provider}"
        )));
    }
    let answer = parse_body(bytes).map_err(unexpected)?;
    let refusal = answer
        .status
        .as_ref()
        .filter(|s| !http_status.is_success() || s.code.proves_nothing_sent());
    if let Some(status) = refusal {
        return Err(ResponseError::TeleSignVerify(VerifyApiError {
            http_status,
            status: status.code,
            description: status.description.clone(),
            reference_id: answer.reference_id,
            operation_sends_message: sends,
            retry_after: retry_after(response.headers()),
        }));
    }
    if !http_status.is_success() {
        return Err(unexpected(
            "a failure status without a status.code".to_owned(),
        ));
    }
    Ok(answer)
}

/// Whether the body's `status.description`, as received (not shortened or
/// masked), contains `needle`.
pub(crate) fn description_mentions(bytes: &[u8], needle: &str) -> bool {
    serde_json::from_slice::<RawBody>(bytes).is_ok_and(|raw| {
        raw.status
            .and_then(|s| s.description)
            .is_some_and(|d| d.contains(needle))
    })
}

/// The answer as a [`Verification`], requiring its reference id and state
/// (`asked`, the id the request named, when the answer omits it).
pub(crate) fn verification(
    answer: Answer,
    asked: Option<&ReferenceId>,
) -> Result<Verification, String> {
    let reference_id = answer
        .reference_id
        .or_else(|| asked.cloned())
        .ok_or("no reference_id")?;
    let state = answer.state.ok_or("no state")?;
    Ok(Verification {
        reference_id,
        state,
        policy: answer.policy,
        inner_methods: answer.inner_methods,
        created_on: answer.created_on,
        updated_on: answer.updated_on,
        external_id: answer.external_id,
    })
}
