//! Where the Verify API lives: its own base URL, TeleSign's credentials.

use std::time::SystemTime;

use crate::BaseUrl;
use crate::error::ConfigError;
use crate::telesign::{AuthMethod, Credentials};

/// The Verify API's documented base URL.
pub const DEFAULT_BASE_URL: &str = "https://verify.telesign.com";

/// Where the Verify API lives and how to authenticate to it: the same
/// credentials and schemes as TeleSign's classic API.
#[derive(Clone, Debug)]
pub struct Config {
    /// The base URL (default [`DEFAULT_BASE_URL`]).
    pub base_url: BaseUrl,
    /// Customer id and API key.
    pub credentials: Credentials,
    /// Basic or HMAC (default HMAC, over the exact JSON bytes sent).
    pub auth_method: AuthMethod,
}

impl Config {
    /// Settings for the default base URL, signing with HMAC.
    pub fn new(credentials: Credentials) -> Self {
        Self {
            base_url: BaseUrl::new(DEFAULT_BASE_URL)
                .unwrap_or_else(|_| unreachable!("the default base URL is valid")),
            credentials,
            auth_method: AuthMethod::Hmac,
        }
    }

    /// The same settings with another base URL.
    pub fn with_base_url(mut self, base_url: BaseUrl) -> Self {
        self.base_url = base_url;
        self
    }

    /// The same settings with another authentication method.
    pub fn with_auth_method(mut self, auth_method: AuthMethod) -> Self {
        self.auth_method = auth_method;
        self
    }

    /// Whether these settings can sign a request: HMAC needs a base64 key.
    pub fn check(&self) -> Result<(), ConfigError> {
        crate::telesign::check_signing(&self.credentials, self.auth_method)
    }

    /// Signs `request` for `now` and `nonce` (see [`crate::telesign::signing::sign`]).
    pub fn authorize(
        &self,
        request: &mut http::Request<Vec<u8>>,
        now: SystemTime,
        nonce: &str,
    ) -> Result<(), ConfigError> {
        crate::telesign::authorize_request(request, &self.credentials, self.auth_method, now, nonce)
    }
}
