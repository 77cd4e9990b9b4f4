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
    phone_number: Option<String>,
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
    /// A [`PendingCheck`] found its verification already closed as
    /// verified: the provider was not asked.
    AlreadyVerified,
}

impl CheckOutcome {
    /// Whether the user proved they hold the phone.
    ///
    /// [`AlreadyVerified`](Self::AlreadyVerified) is not: that code proved
    /// it once, to an earlier check.
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
        Self {
            id,
            code,
            phone_number: None,
        }
    }

    /// The number the code was sent to, for the abuse guard's wrong-code
    /// limit (no provider's check carries it). Without it the guard does
    /// not limit wrong codes for this check. Never sent.
    pub fn phone_number(mut self, phone_number: impl Into<String>) -> Self {
        self.phone_number = Some(phone_number.into());
        self
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

    fn guarded(&self) -> crate::guard::Guarded<'_> {
        match &self.phone_number {
            Some(phone_number) => crate::guard::Guarded::Check { phone_number },
            None => crate::guard::Guarded::Nothing,
        }
    }

    fn code_outcome(&self, output: &CheckOutcome) -> Option<crate::guard::CodeOutcome> {
        match output {
            CheckOutcome::Verified => Some(crate::guard::CodeOutcome::Verified),
            CheckOutcome::Incorrect => Some(crate::guard::CodeOutcome::Wrong),
            _ => None,
        }
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

/// Check a code by (purpose, phone number) instead of by id: the
/// verification kept in the client's ledger by a
/// [`Start::purpose`](super::Start::purpose) (run with the client's
/// `check_pending`).
///
/// A verification already closed answers without asking the provider:
/// [`CheckOutcome::AlreadyVerified`], [`CheckOutcome::Expired`], or
/// [`CheckOutcome::NotFoundOrAlreadyUsed`] when none is kept.
///
/// ```
/// use verify_core::neutral::PendingCheck;
/// use verify_core::Code;
/// let check = PendingCheck::new("login", "15555550100", Code::new("123456"));
/// assert_eq!(check.purpose(), "login");
/// ```
#[derive(Clone, Debug)]
pub struct PendingCheck {
    purpose: String,
    phone_number: String,
    code: Code,
}

impl PendingCheck {
    /// Checks `code` against the verification kept for `purpose` and
    /// `phone_number`.
    pub fn new(purpose: impl Into<String>, phone_number: impl Into<String>, code: Code) -> Self {
        Self {
            purpose: purpose.into(),
            phone_number: phone_number.into(),
            code,
        }
    }

    /// The purpose.
    pub fn purpose(&self) -> &str {
        &self.purpose
    }

    /// The phone number.
    pub fn phone_number(&self) -> &str {
        &self.phone_number
    }

    /// The check of `id` this becomes once the ledger names it.
    pub fn against(&self, id: VerificationId) -> Check {
        Check::new(id, self.code.clone())
    }

    /// The caller's fields, checked before the ledger is read: every
    /// offending one named.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = crate::validate::Validator::new();
        v.check(
            (1..=64).contains(&self.purpose.len())
                && !self
                    .purpose
                    .chars()
                    .any(|c| c.is_control() || c.is_whitespace()),
            "purpose",
            "must be 1 to 64 bytes without spaces or control characters",
        );
        super::start::check_phone(&mut v, &self.phone_number);
        let code = self.code.expose_secret();
        v.check(
            (1..=16).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric()),
            "code",
            "must be 1 to 16 letters or digits",
        );
        v.finish()
    }
}

impl Check {
    /// A check by (purpose, phone number): see [`PendingCheck`].
    pub fn pending(
        purpose: impl Into<String>,
        phone_number: impl Into<String>,
        code: Code,
    ) -> PendingCheck {
        PendingCheck::new(purpose, phone_number, code)
    }
}
