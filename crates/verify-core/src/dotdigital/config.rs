//! Where dotdigital lives and who we are.

use std::fmt;

use base64::Engine as _;
use http::HeaderValue;

use crate::error::ConfigError;
use crate::{BaseUrl, Password};

/// The current documented base URL.
pub const DEFAULT_BASE_URL: &str = "https://services.comapi.com";
/// The base URL of the v1.5 documentation pages.
pub const ALTERNATE_BASE_URL: &str = "https://services-cpaas.dotdigital.com";

/// A dotdigital API user and password.
#[derive(Clone)]
pub struct Credentials {
    username: String,
    password: Password,
    authorization: HeaderValue,
}

impl Credentials {
    /// Checks the credentials and prepares the Basic `Authorization` header.
    pub fn new(
        username: impl Into<String>,
        password: impl Into<Password>,
    ) -> Result<Self, ConfigError> {
        let username = username.into();
        let password = password.into();
        if username.trim().is_empty() {
            return Err(ConfigError::EmptyCredential("username"));
        }
        if username.contains(':') || username.chars().any(char::is_control) {
            return Err(ConfigError::InvalidCredential("username"));
        }
        if password.expose_secret().trim().is_empty() {
            return Err(ConfigError::EmptyCredential("password"));
        }
        let raw = format!("{username}:{}", password.expose_secret());
        let mut authorization = HeaderValue::from_str(&format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        ))
        .map_err(|_| ConfigError::InvalidCredential("password"))?;
        authorization.set_sensitive(true);
        Ok(Self {
            username,
            password,
            authorization,
        })
    }

    /// The API user name.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The password.
    pub fn password(&self) -> &Password {
        &self.password
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &self.password)
            .finish()
    }
}

/// Where dotdigital lives and who we are.
#[derive(Clone, Debug)]
pub struct Config {
    /// The base URL (default [`DEFAULT_BASE_URL`]).
    pub base_url: BaseUrl,
    /// API user and password.
    pub credentials: Credentials,
}

impl Config {
    /// Settings for the default base URL.
    pub fn new(credentials: Credentials) -> Self {
        Self {
            base_url: BaseUrl::new(DEFAULT_BASE_URL)
                .unwrap_or_else(|_| unreachable!("the default base URL is valid")),
            credentials,
        }
    }

    /// The same settings with another base URL.
    pub fn with_base_url(mut self, base_url: BaseUrl) -> Self {
        self.base_url = base_url;
        self
    }

    /// Adds the Basic `Authorization` header.
    pub fn authorize(&self, request: &mut http::Request<Vec<u8>>) {
        request.headers_mut().insert(
            http::header::AUTHORIZATION,
            self.credentials.authorization.clone(),
        );
    }
}
