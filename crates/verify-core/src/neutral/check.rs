//! Check a code against a verification, at the provider that holds it.

use crate::dotdigital::{CodeStatus, ValidateCode, ValidateOutcome};
use crate::error::provider_text;
use crate::telesign::{CodeState, ErrorCode, GetStatus, TeleSignError};
use crate::{
    Code, Idempotency, Operation, Provider, ProviderConfig, ResponseError, Role, ValidationError,
};

use super::id::VerificationId;
use super::merge;

/// Check the code a user typed: TeleSign `GET /v1/verify/{reference_id}`
/// with `verify_code`, or dotdigital's validate.
///
/// A wrong, expired or exhausted code, or an id the provider no longer
/// knows, is a [`CheckOutcome`], not an error. A code that cannot be right
/// for the provider (TeleSign: not 3 to 7 digits) is refused before a
/// request exists, so it does not use up one of the user's attempts.
///
/// ```
/// use verify_core::neutral::Check;
/// use verify_core::{Code, Operation, Provider};
/// let id = "telesign:0123456789ABCDEF0123456789ABCDEF".parse().unwrap();
/// let check = Check::new(id, Code::new("123456"));
/// assert_eq!(check.provider(), Some(Provider::TeleSign));
/// ```
#[derive(Clone, Debug)]
pub struct Check {
    id: VerificationId,
    code: Code,
}

/// What the provider said about a code.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CheckOutcome {
    /// The code is right (TeleSign VALID, dotdigital CodeVerified).
    Verified,
    /// The code is wrong; the user may try again (INVALID, CodeNotVerified).
    Incorrect,
    /// The code is too old (EXPIRED, CodeExpired).
    Expired,
    /// Too many wrong codes (MAX_ATTEMPTS_EXCEEDED, CodeLocked).
    TooManyAttempts,
    /// The provider does not know the id, or it was already used up
    /// (TeleSign 404 / -10001 on `reference_id`, dotdigital 204).
    NotFoundOrAlreadyUsed,
    /// Anything else the provider answered, described without secrets.
    Unknown(String),
}

impl CheckOutcome {
    /// Whether the user proved they hold the phone.
    pub fn is_verified(&self) -> bool {
        *self == Self::Verified
    }
}

impl From<&CodeState> for CheckOutcome {
    fn from(state: &CodeState) -> Self {
        match state {
            CodeState::Valid => Self::Verified,
            CodeState::Invalid => Self::Incorrect,
            CodeState::Expired => Self::Expired,
            CodeState::MaxAttemptsExceeded => Self::TooManyAttempts,
            other => Self::Unknown(format!(
                "TeleSign code_state {}",
                provider_text(other.as_str())
            )),
        }
    }
}

impl From<&CodeStatus> for CheckOutcome {
    fn from(status: &CodeStatus) -> Self {
        match status {
            CodeStatus::Verified => Self::Verified,
            CodeStatus::NotVerified => Self::Incorrect,
            CodeStatus::Expired => Self::Expired,
            CodeStatus::Locked => Self::TooManyAttempts,
            other => Self::Unknown(format!(
                "dotdigital status {}",
                provider_text(other.as_str())
            )),
        }
    }
}

/// TeleSign's answer for an unknown `reference_id`: HTTP 404, or -10001
/// naming `reference_id` (docs/PROTOCOL-DECISIONS.md).
fn telesign_not_found(e: &TeleSignError) -> bool {
    let invalid_id = e
        .errors
        .iter()
        .any(|x| x.code == ErrorCode::InvalidParameter && x.description.contains("reference_id"));
    let bare_404 = e.http_status == http::StatusCode::NOT_FOUND
        && e.errors
            .iter()
            .all(|x| x.code == ErrorCode::InvalidParameter);
    invalid_id || bare_404
}

impl Check {
    /// Checks `code` against the verification `id`.
    pub fn new(id: VerificationId, code: Code) -> Self {
        Self { id, code }
    }

    /// The verification checked.
    pub fn id(&self) -> &VerificationId {
        &self.id
    }
}

impl Operation for Check {
    type Output = CheckOutcome;

    fn name(&self) -> &'static str {
        "neutral.check"
    }

    fn provider(&self) -> Option<Provider> {
        Some(self.id.provider())
    }

    /// A check uses up one of the user's attempts.
    fn idempotency(&self) -> Idempotency {
        Idempotency::NotIdempotent
    }

    fn to_request(
        &self,
        config: &ProviderConfig,
        role: Role,
    ) -> Result<http::Request<Vec<u8>>, ValidationError> {
        let built = match (&self.id, config) {
            (VerificationId::TeleSign(id), ProviderConfig::TeleSign(_)) => {
                GetStatus::new(id.clone())
                    .verify_code(self.code.clone())
                    .to_request(config, role)
            }
            (VerificationId::Dotdigital(id), ProviderConfig::Dotdigital(_)) => {
                ValidateCode::new(id.clone(), self.code.clone()).to_request(config, role)
            }
            _ => return Err(crate::wrong_provider(self.id.provider(), config.provider())),
        };
        merge(Ok(()), built)
    }

    fn parse_response(
        &self,
        _provider: Provider,
        response: http::Response<&[u8]>,
    ) -> Result<CheckOutcome, ResponseError> {
        match &self.id {
            VerificationId::TeleSign(id) => {
                let op = GetStatus::new(id.clone()).verify_code(self.code.clone());
                match op.parse_response(Provider::TeleSign, response) {
                    Ok(out) => Ok(match out.code_state() {
                        Some(state) => CheckOutcome::from(state),
                        None => CheckOutcome::Unknown("TeleSign sent no code_state".to_owned()),
                    }),
                    Err(ResponseError::TeleSign(e)) if telesign_not_found(&e) => {
                        Ok(CheckOutcome::NotFoundOrAlreadyUsed)
                    }
                    Err(e) => Err(e),
                }
            }
            VerificationId::Dotdigital(id) => {
                let op = ValidateCode::new(id.clone(), self.code.clone());
                Ok(match op.parse_response(Provider::Dotdigital, response)? {
                    ValidateOutcome::Code(code) => CheckOutcome::from(&code.status),
                    ValidateOutcome::UnknownOrDiscarded => CheckOutcome::NotFoundOrAlreadyUsed,
                })
            }
        }
    }
}
