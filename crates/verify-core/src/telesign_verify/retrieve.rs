//! `GET /verification/{reference_id}`: where a process stands.

use http::Method as HttpMethod;

use super::request;
use super::response::{self, Verification};
use crate::telesign::ReferenceId;
use crate::text::Excerpt;
use crate::{
    Idempotency, Operation, Provider, ProviderConfig, ResponseError, Role, UnexpectedResponse,
    ValidationError,
};

/// Read a verification process: its state and each method's. The code
/// itself is never returned.
///
/// ```
/// use verify_core::telesign_verify::GetVerification;
/// let get = GetVerification::new("0123456789ABCDEF0123456789ABCDEF".parse().unwrap());
/// ```
#[derive(Clone, Debug)]
pub struct GetVerification {
    /// The process.
    pub reference_id: ReferenceId,
}

impl GetVerification {
    /// A retrieve of `reference_id`.
    pub fn new(reference_id: ReferenceId) -> Self {
        Self { reference_id }
    }
}

impl Operation for GetVerification {
    type Output = Verification;

    fn name(&self) -> &'static str {
        "telesign_verify.retrieve"
    }

    fn provider(&self) -> Option<Provider> {
        Some(Provider::TeleSignVerify)
    }

    fn idempotency(&self) -> Idempotency {
        Idempotency::Idempotent
    }

    fn to_request(
        &self,
        config: &ProviderConfig,
        _role: Role,
    ) -> Result<http::Request<Vec<u8>>, ValidationError> {
        let config = request::verify_config(config)?;
        let path = request::process_path(&self.reference_id, false);
        Ok(request::build(config, HttpMethod::GET, &path, Vec::new()))
    }

    fn parse_response(
        &self,
        provider: Provider,
        response: http::Response<&[u8]>,
    ) -> Result<Self::Output, ResponseError> {
        let answer = response::parse(provider, &response, false)?;
        response::verification(answer, Some(&self.reference_id)).map_err(|reason| {
            ResponseError::Unexpected(UnexpectedResponse {
                provider,
                status: response.status(),
                reason: reason.to_owned(),
                excerpt: Excerpt::new(response.body()),
                message_may_have_been_sent: false,
                retry_after: None,
            })
        })
    }
}
