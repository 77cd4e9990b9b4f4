//! `PUT /v1/verify/completion/{reference_id}`: tell TeleSign the end user
//! completed the verification.

use http::Method;

use super::ReferenceId;
use super::request;
use super::response::{self, Completed};
use crate::{
    Idempotency, Operation, Provider, ProviderConfig, ResponseError, Role, ValidationError,
};

/// Report that the end user completed the verification (TeleSign answers
/// status 1900 "Verification completed", parsed as `StatusCode::Unknown(1900)`).
///
/// ```
/// use verify_core::telesign::{Complete, ReferenceId};
/// let id: ReferenceId = "0123456789ABCDEF0123456789ABCDEF".parse().unwrap();
/// let done = Complete::new(id);
/// ```
#[derive(Clone, Debug)]
pub struct Complete {
    /// The transaction.
    pub reference_id: ReferenceId,
}

impl Complete {
    /// A completion of `reference_id`.
    pub fn new(reference_id: ReferenceId) -> Self {
        Self { reference_id }
    }
}

impl Operation for Complete {
    type Output = Completed;

    fn name(&self) -> &'static str {
        "telesign.completion"
    }

    fn provider(&self) -> Option<Provider> {
        Some(Provider::TeleSign)
    }

    fn idempotency(&self) -> Idempotency {
        Idempotency::Idempotent
    }

    fn to_request(
        &self,
        config: &ProviderConfig,
        _role: Role,
    ) -> Result<http::Request<Vec<u8>>, ValidationError> {
        let config = request::telesign_config(config)?;
        let path = ["/v1/verify/completion/", self.reference_id.as_str()];
        Ok(request::build(config, Method::PUT, &path, Vec::new()))
    }

    fn parse_response(
        &self,
        provider: Provider,
        response: http::Response<&[u8]>,
    ) -> Result<Self::Output, ResponseError> {
        let answer = response::parse(provider, response, response::Kind::Query)?;
        Ok(Completed {
            reference_id: answer.reference_id_or(&self.reference_id),
            status: answer.status.into_status(),
        })
    }
}
