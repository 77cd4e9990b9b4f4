//! Check a code against a verification, at the provider that holds it.

use crate::dotdigital::{CodeStatus, ValidateCode, ValidateOutcome};
use crate::telesign::{CheckCode, CodeCheck};
use crate::telesign_verify::{Finalization, FinalizeVerification};
use crate::text::provider_text;
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

impl From<CodeCheck> for CheckOutcome {
    fn from(check: CodeCheck) -> Self {
        match check {
            CodeCheck::Valid => Self::Verified,
            CodeCheck::Invalid => Self::Incorrect,
            CodeCheck::Expired => Self::Expired,
            CodeCheck::TooManyAttempts => Self::TooManyAttempts,
            CodeCheck::NotFound => Self::NotFoundOrAlreadyUsed,
            CodeCheck::Unknown(what) => Self::Unknown(format!("TeleSign {what}")),
        }
    }
}

impl From<Finalization> for CheckOutcome {
    fn from(f: Finalization) -> Self {
        match f {
            Finalization::Verified => Self::Verified,
            Finalization::WrongCode => Self::Incorrect,
            Finalization::Rejected => Self::TooManyAttempts,
            Finalization::NotFoundOrFinished => Self::NotFoundOrAlreadyUsed,
            Finalization::Unknown(what) => Self::Unknown(format!("TeleSign Verify API {what}")),
        }
    }
}

impl From<ValidateOutcome> for CheckOutcome {
    fn from(outcome: ValidateOutcome) -> Self {
        let code = match outcome {
            ValidateOutcome::Code(code) => code,
            ValidateOutcome::UnknownOrDiscarded => return Self::NotFoundOrAlreadyUsed,
        };
        match code.status {
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
                CheckCode::new(*id, self.code.clone()).to_request(config, role)
            }
            (VerificationId::TeleSignVerify(id), ProviderConfig::TeleSignVerify(_)) => {
                FinalizeVerification::new(*id, self.code.clone()).to_request(config, role)
            }
            (VerificationId::Dotdigital(id), ProviderConfig::Dotdigital(_)) => {
                ValidateCode::new(*id, self.code.clone()).to_request(config, role)
            }
            _ => {
                return Err(crate::operation::wrong_provider(
                    self.id.provider(),
                    config.provider(),
                ));
            }
        };
        merge(Ok(()), built)
    }

    fn parse_response(
        &self,
        _provider: Provider,
        response: http::Response<&[u8]>,
    ) -> Result<CheckOutcome, ResponseError> {
        match &self.id {
            VerificationId::TeleSign(id) => CheckCode::new(*id, self.code.clone())
                .parse_response(Provider::TeleSign, response)
                .map(CheckOutcome::from),
            VerificationId::TeleSignVerify(id) => FinalizeVerification::new(*id, self.code.clone())
                .parse_response(Provider::TeleSignVerify, response)
                .map(CheckOutcome::from),
            VerificationId::Dotdigital(id) => ValidateCode::new(*id, self.code.clone())
                .parse_response(Provider::Dotdigital, response)
                .map(CheckOutcome::from),
        }
    }
}
