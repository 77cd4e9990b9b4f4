//! `GET /v1/verify/{reference_id}`: where a transaction's message stands.

use http::Method;

use super::ReferenceId;
use super::request;
use super::response::{self, StatusReport};
use crate::{
    Idempotency, Operation, Provider, ProviderConfig, ResponseError, Role, ValidationError,
};

/// Read the delivery status of a transaction. To check a code the user
/// typed, use [`CheckCode`](super::CheckCode).
///
/// ```
/// use verify_core::telesign::{GetStatus, ReferenceId};
/// let id: ReferenceId = "0123456789ABCDEF0123456789ABCDEF".parse().unwrap();
/// let query = GetStatus::new(id);
/// ```
#[derive(Clone, Debug)]
pub struct GetStatus {
    /// The transaction.
    pub reference_id: ReferenceId,
}

impl GetStatus {
    /// A status query of `reference_id`.
    pub fn new(reference_id: ReferenceId) -> Self {
        Self { reference_id }
    }
}

impl Operation for GetStatus {
    type Output = StatusReport;

    fn name(&self) -> &'static str {
        "telesign.status"
    }

    fn provider(&self) -> Option<Provider> {
        Some(Provider::TeleSign)
    }

    /// Reading a status changes nothing.
    fn idempotency(&self) -> Idempotency {
        Idempotency::Idempotent
    }

    fn to_request(
        &self,
        config: &ProviderConfig,
        _role: Role,
    ) -> Result<http::Request<Vec<u8>>, ValidationError> {
        let config = request::telesign_config(config)?;
        Ok(request::build(
            config,
            Method::GET,
            &["/v1/verify/", self.reference_id.as_str()],
            Vec::new(),
        ))
    }

    fn parse_response(
        &self,
        provider: Provider,
        response: http::Response<&[u8]>,
    ) -> Result<Self::Output, ResponseError> {
        let answer = response::parse(provider, response, response::Kind::Query)?;
        Ok(StatusReport {
            reference_id: answer.reference_id_or(&self.reference_id),
            status: answer.status.into_status(),
            verify: answer.verify.map(response::VerifyAnswer::into_info),
            http_status: answer.http_status,
        })
    }
}
