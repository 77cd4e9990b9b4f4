//! `GET /v1/verify/{reference_id}?verify_code=N`: check the code the end
//! user typed.

use http::Method;

use super::request::{self, check_code};
use super::response;
use super::{CodeState, ErrorCode, ReferenceId, TeleSignError};
use crate::text::provider_text;
use crate::validate::Validator;
use crate::{
    Code, Idempotency, Operation, Provider, ProviderConfig, ResponseError, Role, ValidationError,
};

/// Check the code the end user typed against a transaction.
///
/// A wrong, expired or exhausted code, and a transaction TeleSign does not
/// know, are [`CodeCheck`] outcomes, not errors. A code that cannot be the
/// one TeleSign sent (not 3 to 7 digits) is refused before a request exists:
/// it would otherwise use up one of the end user's attempts.
///
/// ```
/// use verify_core::telesign::{CheckCode, ReferenceId};
/// use verify_core::Code;
/// let id: ReferenceId = "0123456789ABCDEF0123456789ABCDEF".parse().unwrap();
/// assert!(CheckCode::new(id.clone(), Code::new("12345")).validate().is_ok());
/// assert!(CheckCode::new(id, Code::new("12a")).validate().is_err());
/// ```
#[derive(Clone, Debug)]
pub struct CheckCode {
    /// The transaction.
    pub reference_id: ReferenceId,
    /// The code the end user typed (redacted when printed).
    pub code: Code,
}

/// What TeleSign said about a code.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[must_use = "only `Valid` proves the user holds the phone"]
pub enum CodeCheck {
    /// `VALID`: the code is the one sent. It stays valid when checked again.
    Valid,
    /// `INVALID`: the code is wrong; the user may try again.
    Invalid,
    /// `EXPIRED`: the code is too old.
    Expired,
    /// `MAX_ATTEMPTS_EXCEEDED`: too many wrong codes.
    TooManyAttempts,
    /// TeleSign does not know the `reference_id` (never sent, or expired
    /// and forgotten): -10001 naming `reference_id`, with status 500 or
    /// none. A 404 with any other answer (status 501, other errors) is an
    /// error, not this.
    NotFound,
    /// A state this version does not know, described without secrets.
    Unknown(String),
}

impl CodeCheck {
    /// Whether the user proved they hold the phone.
    pub fn is_valid(&self) -> bool {
        *self == Self::Valid
    }
}

impl From<&CodeState> for CodeCheck {
    fn from(state: &CodeState) -> Self {
        match state {
            CodeState::Valid => Self::Valid,
            CodeState::Invalid => Self::Invalid,
            CodeState::Expired => Self::Expired,
            CodeState::MaxAttemptsExceeded => Self::TooManyAttempts,
            other => Self::Unknown(format!("code_state {}", provider_text(other.as_str()))),
        }
    }
}

impl CheckCode {
    /// A check of `code` against `reference_id`.
    pub fn new(reference_id: ReferenceId, code: Code) -> Self {
        Self { reference_id, code }
    }

    /// Checks the code's shape (the reference id is valid by construction).
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        check_code(&mut v, Some(&self.code));
        v.finish()
    }
}

/// Whether a refusal is TeleSign's documented answer for an unknown
/// transaction (docs/PROTOCOL-DECISIONS.md): status 500 (or none), and
/// -10001 errors only, one whose description is about the `reference_id`
/// parameter, at HTTP 404 or 400. Any other refusal stays an error with its
/// codes.
fn not_found(e: &TeleSignError, body: &[u8]) -> bool {
    matches!(e.http_status.as_u16(), 404 | 400)
        && matches!(e.status.map(super::StatusCode::code), None | Some(500))
        && !e.errors.is_empty()
        && e.errors
            .iter()
            .all(|x| x.code == ErrorCode::InvalidParameter)
        // As received: the kept description is shortened and masked.
        && response::error_names_parameter(body, ErrorCode::InvalidParameter.code(), "reference_id")
}

impl Operation for CheckCode {
    type Output = CodeCheck;

    fn name(&self) -> &'static str {
        "telesign.check"
    }

    fn provider(&self) -> Option<Provider> {
        Some(Provider::TeleSign)
    }

    /// Each check TeleSign receives counts against the end user's attempts:
    /// retried only when the request was never written.
    fn idempotency(&self) -> Idempotency {
        Idempotency::NotIdempotent
    }

    fn to_request(
        &self,
        config: &ProviderConfig,
        _role: Role,
    ) -> Result<http::Request<Vec<u8>>, ValidationError> {
        let config = request::telesign_config(config)?;
        self.validate()?;
        Ok(request::build(
            config,
            Method::GET,
            // Validated as digits: nothing to percent-encode.
            &[
                "/v1/verify/",
                self.reference_id.as_str(),
                "?verify_code=",
                self.code.expose_secret(),
            ],
            Vec::new(),
        ))
    }

    fn parse_response(
        &self,
        provider: Provider,
        response: http::Response<&[u8]>,
    ) -> Result<Self::Output, ResponseError> {
        let body = *response.body();
        match response::parse(provider, response, response::Kind::Query) {
            Ok(answer) => Ok(match &answer.verify {
                Some(v) => CodeCheck::from(&v.code_state),
                None => CodeCheck::Unknown("TeleSign sent no code_state".to_owned()),
            }),
            Err(ResponseError::TeleSign(e)) if not_found(&e, body) => Ok(CodeCheck::NotFound),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(status: u16, description: &str) -> Result<CodeCheck, ResponseError> {
        let id: ReferenceId = "0123456789ABCDEF0123456789ABCDEF".parse().unwrap();
        let body = format!(
            r#"{{"status":{{"code":500,"description":"x"}},"errors":[{{"code":-10001,"description":"{description}"}}]}}"#
        );
        let response = http::Response::builder()
            .status(status)
            .body(body.as_bytes())
            .unwrap();
        CheckCode::new(id, Code::new("12345")).parse_response(Provider::TeleSign, response)
    }

    #[test]
    fn only_the_documented_answer_is_not_found() {
        let documented = "Invalid Request: reference_id Parameter: 0123";
        assert!(matches!(checked(404, documented), Ok(CodeCheck::NotFound)));
        assert!(matches!(checked(400, documented), Ok(CodeCheck::NotFound)));
        // Another HTTP status is a refusal with its codes.
        for status in [200, 401, 410, 500, 503] {
            assert!(checked(status, documented).is_err(), "{status}");
        }
        // Naming reference_id elsewhere than as the parameter is not it.
        let elsewhere = "Invalid Request: phone_number Parameter: reference_id";
        assert!(checked(404, elsewhere).is_err());
    }

    #[test]
    fn a_code_check_is_not_idempotent() {
        let id: ReferenceId = "0123456789ABCDEF0123456789ABCDEF".parse().unwrap();
        assert_eq!(
            CheckCode::new(id, Code::new("12345")).idempotency(),
            Idempotency::NotIdempotent
        );
    }
}
