//! `GET /v1/verify/{reference_id}`: a transaction's status, and optionally
//! a check of the code the end user typed.

use http::Method;

use super::ReferenceId;
use super::request::{self, check_code};
use super::response::{self, VerifyResponse};
use crate::error::Validator;
use crate::{
    Code, Idempotency, Operation, Provider, ProviderConfig, ResponseError, Role, ValidationError,
};

/// Read the status of a transaction; with a code, check it.
///
/// A typed `verify_code` must be 3 to 7 digits: anything else cannot be the
/// code TeleSign sent, and is refused before a request exists (it would
/// otherwise consume one of the end user's attempts).
///
/// ```
/// use verify_core::telesign::{GetStatus, ReferenceId};
/// use verify_core::Code;
/// let id: ReferenceId = "0123456789ABCDEF0123456789ABCDEF".parse().unwrap();
/// let check = GetStatus::new(id).verify_code(Code::new("12345"));
/// assert!(check.validate().is_ok());
/// ```
#[derive(Clone, Debug)]
pub struct GetStatus {
    /// The transaction.
    pub reference_id: ReferenceId,
    /// The code the end user typed, to check.
    pub verify_code: Option<Code>,
}

impl GetStatus {
    /// A status query without a code check.
    pub fn new(reference_id: ReferenceId) -> Self {
        Self {
            reference_id,
            verify_code: None,
        }
    }

    /// Checks `code` too.
    pub fn verify_code(mut self, code: Code) -> Self {
        self.verify_code = Some(code);
        self
    }

    /// Checks the code's shape (the reference id is valid by construction).
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        check_code(&mut v, self.verify_code.as_ref());
        v.finish()
    }

    /// `/v1/verify/{reference_id}[?verify_code=N]`.
    fn path_and_query(&self) -> String {
        let id = self.reference_id.as_str();
        let mut p = String::with_capacity(64);
        p.push_str("/v1/verify/");
        p.push_str(id);
        if let Some(code) = &self.verify_code {
            // Validated as ASCII digits: nothing to percent-encode.
            p.push_str("?verify_code=");
            p.push_str(code.expose_secret());
        }
        p
    }
}

impl Operation for GetStatus {
    type Output = VerifyResponse;

    fn name(&self) -> &'static str {
        "telesign.status"
    }

    fn provider(&self) -> Option<Provider> {
        Some(Provider::TeleSign)
    }

    /// A plain status query is idempotent. A code check is not: each check
    /// TeleSign receives counts against the end user's attempts, so it is
    /// retried only when the request was never written.
    fn idempotency(&self) -> Idempotency {
        if self.verify_code.is_some() {
            Idempotency::NotIdempotent
        } else {
            Idempotency::Idempotent
        }
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
            &self.path_and_query(),
            Vec::new(),
        ))
    }

    fn parse_response(
        &self,
        provider: Provider,
        response: http::Response<&[u8]>,
    ) -> Result<Self::Output, ResponseError> {
        response::parse(provider, response, response::Kind::Query)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_check_is_not_idempotent() {
        let id: ReferenceId = "0123456789ABCDEF0123456789ABCDEF".parse().unwrap();
        let query = GetStatus::new(id);
        assert_eq!(query.idempotency(), Idempotency::Idempotent);
        let check = query.verify_code(Code::new("12345"));
        assert_eq!(check.idempotency(), Idempotency::NotIdempotent);
    }
}
