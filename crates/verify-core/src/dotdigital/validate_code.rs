//! Validate a code: `PUT /WebApi/Verify/{requestId}/validate`.

use crate::response_error::ResponseError;
use crate::validate::ValidationError;
use crate::validate::Validator;
use crate::{Code, Idempotency, Operation, Provider, ProviderConfig, Role};

use super::RequestId;
use super::request::json_request;
use super::response::{self, Parsed, VerifyCode};

/// The longest code accepted, in characters.
pub const MAX_CODE_CHARS: usize = 32;

/// Check the code a user typed: `PUT /WebApi/Verify/{requestId}/validate`.
///
/// A request id is single use: dotdigital discards it after the correct
/// code, after too many wrong ones, or on expiry; after that it answers
/// [`ValidateOutcome::UnknownOrDiscarded`].
///
/// ```
/// use verify_core::dotdigital::{Config, Credentials, ValidateCode};
/// use verify_core::{Code, Operation, Role};
///
/// let config = Config::new(Credentials::new("api-user", "secret").unwrap());
/// let id = "0bd57dc3-580c-4c1d-8aee-2ff79bd8633c".parse().unwrap();
/// let op = ValidateCode::new(id, Code::new("123456"));
/// let request = op.to_request(&config.into(), Role::Primary).unwrap();
/// assert_eq!(
///     request.uri().path(),
///     "/WebApi/Verify/0bd57dc3-580c-4c1d-8aee-2ff79bd8633c/validate"
/// );
/// ```
#[derive(Clone, Debug)]
pub struct ValidateCode {
    request_id: RequestId,
    code: Code,
}

/// What dotdigital said about a code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValidateOutcome {
    /// 200: where the verification stands (`CodeVerified`, `CodeNotVerified`
    /// for a wrong code, `CodeLocked`, `CodeExpired`).
    Code(VerifyCode),
    /// 204: the request id is unknown, or was already discarded (verified,
    /// locked or expired before).
    UnknownOrDiscarded,
}

#[derive(serde::Serialize)]
struct Body<'a> {
    code: &'a str,
}

impl ValidateCode {
    /// Checks `code` against the verification `request_id`.
    pub fn new(request_id: RequestId, code: Code) -> Self {
        Self { request_id, code }
    }

    /// The verification checked.
    pub fn request_id(&self) -> &RequestId {
        &self.request_id
    }
}

impl Operation for ValidateCode {
    type Output = ValidateOutcome;

    fn name(&self) -> &'static str {
        "dotdigital.validate"
    }

    fn provider(&self) -> Option<Provider> {
        Some(Provider::Dotdigital)
    }

    fn idempotency(&self) -> Idempotency {
        Idempotency::NotIdempotent
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
        let code = self.code.expose_secret();
        let mut v = Validator::new();
        if code.is_empty() {
            v.fail("code", "must not be empty");
        } else {
            v.check(
                code.chars().count() <= MAX_CODE_CHARS
                    && code.bytes().all(|b| b.is_ascii_alphanumeric()),
                "code",
                "must be 1 to 32 letters or digits, without spaces",
            );
        }
        v.finish()?;
        let body = serde_json::to_vec(&Body { code })
            .map_err(|_| ValidationError::single("code", "cannot be encoded as JSON"))?;
        // The id is a checked GUID: hex digits and hyphens only, path-safe.
        let path = format!("/WebApi/Verify/{}/validate", self.request_id.as_str());
        Ok(json_request(
            config.base_url.join(&path),
            http::Method::PUT,
            body,
        ))
    }

    fn parse_response(
        &self,
        provider: Provider,
        response: http::Response<&[u8]>,
    ) -> Result<ValidateOutcome, ResponseError> {
        Ok(match response::parse(provider, &response, false)? {
            Parsed::Code(code) => ValidateOutcome::Code(code),
            Parsed::NoContent => ValidateOutcome::UnknownOrDiscarded,
        })
    }
}
