//! A provider-neutral send written over the public core, the way any
//! application could wrap an operation: it records the provider and role
//! each request was built for, so the failover scenarios can see the order.

use std::sync::{Arc, Mutex};

use verify_core::neutral::Start;
use verify_core::{
    Idempotency, Operation, Provider, ProviderConfig, ResponseError, Role, ValidationError,
};

/// Sends a code to `to` through whichever provider the client picks (the
/// neutral [`Start`]), and returns that provider with the id it gave the
/// verification.
pub(crate) struct AnySend {
    start: Start,
    built: Arc<Mutex<Vec<(Provider, Role)>>>,
}

impl AnySend {
    pub(crate) fn new(to: &str) -> Self {
        Self {
            start: Start::new(to),
            built: Arc::default(),
        }
    }

    /// The provider and role of each request built so far, repeats removed.
    pub(crate) fn built_for(&self) -> Vec<(Provider, Role)> {
        let mut built = self.built.lock().expect("the lock").clone();
        built.dedup();
        built
    }
}

impl Operation for AnySend {
    type Output = (Provider, String);

    fn name(&self) -> &'static str {
        "conformance.any_send"
    }

    fn provider(&self) -> Option<Provider> {
        None
    }

    fn idempotency(&self) -> Idempotency {
        Idempotency::SendsMessage
    }

    fn to_request(
        &self,
        config: &ProviderConfig,
        role: Role,
    ) -> Result<http::Request<Vec<u8>>, ValidationError> {
        self.built
            .lock()
            .expect("the lock")
            .push((config.provider(), role));
        self.start.to_request(config, role)
    }

    fn parse_response(
        &self,
        provider: Provider,
        response: http::Response<&[u8]>,
    ) -> Result<Self::Output, ResponseError> {
        let started = self.start.parse_response(provider, response)?;
        Ok((started.id.provider(), started.id.as_str().to_owned()))
    }
}
