//! `PATCH /verification/{reference_id}/state`: finalize a process with the
//! code the user typed.

use http::Method as HttpMethod;
use serde::Serialize;

use super::StatusCode;
use super::request::{self, check_security_factor};
use super::response;
use crate::telesign::ReferenceId;
use crate::validate::Validator;
use crate::{
    Code, Idempotency, Operation, Provider, ProviderConfig, ResponseError, Role, ValidationError,
};

/// Finalize a process with the code the user typed. Mandatory: TeleSign
/// bills the next fallback channel of a process that is not finalized.
///
/// A wrong code, a process that is rejected, finished or unknown are
/// [`Finalization`] outcomes, not errors. A code that cannot be right (not 3
/// to 10 digits) is refused before a request exists: it would use up one of
/// the process's attempts.
///
/// ```
/// use verify_core::telesign_verify::FinalizeVerification;
/// use verify_core::Code;
/// let id = "0123456789ABCDEF0123456789ABCDEF".parse().unwrap();
/// assert!(FinalizeVerification::new(id, Code::new("123456")).validate().is_ok());
/// ```
#[derive(Clone, Debug)]
pub struct FinalizeVerification {
    /// The process.
    pub reference_id: ReferenceId,
    /// The code the user typed (redacted when printed).
    pub code: Code,
}

/// What finalizing said.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[must_use = "only `Verified` proves the user holds the channel"]
pub enum Finalization {
    /// 3900: the right code; the process is `VERIFIED`.
    Verified,
    /// 3904: a wrong code; the user may try again.
    WrongCode,
    /// 3909: a wrong code and no attempt left; the process is `REJECTED`.
    Rejected,
    /// The process is unknown (3110 at HTTP 404, or 3110 naming the
    /// reference id), already finished, or its code expired (3911). Another
    /// refusal at HTTP 404 (3400, 3204) is an error, not this.
    NotFoundOrFinished,
    /// An answer this version does not know, described without secrets.
    Unknown(String),
}

impl Finalization {
    /// Whether the user proved they hold the channel.
    pub fn is_verified(&self) -> bool {
        *self == Self::Verified
    }
}

#[derive(Serialize)]
struct Body<'a> {
    action: &'static str,
    security_factor: &'a str,
}

impl FinalizeVerification {
    /// A finalize of `reference_id` with `code`.
    pub fn new(reference_id: ReferenceId, code: Code) -> Self {
        Self { reference_id, code }
    }

    /// Checks the code's shape (the reference id is valid by construction).
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        check_security_factor(&mut v, &self.code);
        v.finish()
    }
}

impl Operation for FinalizeVerification {
    type Output = Finalization;

    fn name(&self) -> &'static str {
        "telesign_verify.finalize"
    }

    fn provider(&self) -> Option<Provider> {
        Some(Provider::TeleSignVerify)
    }

    /// Each finalize uses up one of the process's attempts: retried only
    /// when the request was never written.
    fn idempotency(&self) -> Idempotency {
        Idempotency::NotIdempotent
    }

    fn to_request(
        &self,
        config: &ProviderConfig,
        _role: Role,
    ) -> Result<http::Request<Vec<u8>>, ValidationError> {
        let config = request::verify_config(config)?;
        self.validate()?;
        let body = serde_json::to_vec(&Body {
            action: "finalize",
            security_factor: self.code.expose_secret(),
        })
        .unwrap_or_default();
        let path = request::process_path(&self.reference_id, true);
        Ok(request::build(config, HttpMethod::PATCH, &path, body))
    }

    fn parse_response(
        &self,
        provider: Provider,
        response: http::Response<&[u8]>,
    ) -> Result<Self::Output, ResponseError> {
        let body = *response.body();
        match response::parse(provider, &response, false) {
            Ok(answer) => Ok(match answer.status.map(|s| s.code) {
                Some(StatusCode::Verified) => Finalization::Verified,
                Some(StatusCode::WrongCode) => Finalization::WrongCode,
                Some(StatusCode::Rejected) => Finalization::Rejected,
                Some(StatusCode::AlreadyFinished) => Finalization::NotFoundOrFinished,
                Some(other) => Finalization::Unknown(format!("status {other}")),
                None => Finalization::Unknown("no status".to_owned()),
            }),
            // Only the documented answers (docs/PROTOCOL-DECISIONS.md): 3911,
            // or 3110 at HTTP 404, or 3110 naming the reference id. Any
            // other refusal, at 404 too (3400, 3204), stays an error.
            Err(ResponseError::TeleSignVerify(e))
                if e.status == StatusCode::AlreadyFinished
                    || (e.status == StatusCode::InvalidRequest
                        && (e.http_status == http::StatusCode::NOT_FOUND
                            // As received: the kept copy is shortened.
                            || response::description_mentions(body, "reference_id"))) =>
            {
                Ok(Finalization::NotFoundOrFinished)
            }
            Err(e) => Err(e),
        }
    }
}
