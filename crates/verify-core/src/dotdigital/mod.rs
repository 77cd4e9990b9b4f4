//! dotdigital CPaaS Verify: create and send a code, validate it.
//!
//! Specification: seed 000 and `PROVIDERS.md` section 2.
//!
//! [`SendCode`] creates a code and sends it (`POST /webapi/verify`);
//! [`ValidateCode`] checks the code the user typed
//! (`PUT /WebApi/Verify/{requestId}/validate`). Both are [`Operation`]s:
//! build the request with `to_request`, add the Basic `Authorization` header
//! with [`Config::authorize`], send it, and read the answer with
//! `parse_response`.
//!
//! [`Operation`]: crate::Operation

mod country;
mod response;
mod validate;
mod verify;

pub use country::{ISO_3166_ALPHA3, is_iso_3166_alpha3};
pub use response::{CodeStatus, FailureCode, MAX_BODY_BYTES, NumberStatus, RequestId, VerifyCode};
pub use validate::{MAX_CODE_CHARS, ValidateCode, ValidateOutcome};
pub use verify::{CODE_PLACEHOLDER, MAX_VALIDITY, SendCode};

use std::fmt;

use base64::Engine as _;
use http::HeaderValue;

use crate::error::{ConfigError, Excerpt};
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
        if username.is_empty() {
            return Err(ConfigError::EmptyCredential("username"));
        }
        if username.contains(':') || username.chars().any(char::is_control) {
            return Err(ConfigError::InvalidCredential("username"));
        }
        if password.expose_secret().is_empty() {
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

/// One entry of a 400 response's array.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationFailure {
    /// The property the failure applies to; empty for the whole payload.
    pub property: String,
    /// The machine-readable failure code.
    pub failure_code: FailureCode,
    /// A human-readable description, with every run of three or more digits
    /// masked (it can echo a submitted value).
    pub details: String,
}

/// What went wrong, by dotdigital's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DotdigitalErrorKind {
    /// 400: the request broke the provider's rules.
    Validation(Vec<ValidationFailure>),
    /// 401: authentication failed; the server's text, made safe.
    Unauthorized(Excerpt),
    /// Another failure status with a body that is not documented.
    Status(Excerpt),
}

/// dotdigital refused or failed the request.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct DotdigitalError {
    /// The HTTP status.
    pub http_status: http::StatusCode,
    /// What went wrong.
    pub kind: DotdigitalErrorKind,
    /// Whether the operation can send a message at all.
    pub operation_sends_message: bool,
    /// `Retry-After`, when the response carried one.
    pub retry_after: Option<crate::error::RetryAfter>,
}

impl DotdigitalError {
    /// Whether a message may have gone out: never after a 400 or 401 (the
    /// request was refused before processing).
    pub fn message_may_have_been_sent(&self) -> bool {
        self.operation_sends_message
            && !matches!(
                self.kind,
                DotdigitalErrorKind::Validation(_) | DotdigitalErrorKind::Unauthorized(_)
            )
            && self.http_status != http::StatusCode::TOO_MANY_REQUESTS
    }

    /// Whether the failure is documented as temporary (throttled, 429, 502-504).
    pub fn is_temporary(&self) -> bool {
        self.is_rate_limited() || matches!(self.http_status.as_u16(), 502..=504)
    }

    /// Whether dotdigital refused because of throttling.
    pub fn is_rate_limited(&self) -> bool {
        self.http_status == http::StatusCode::TOO_MANY_REQUESTS
            || matches!(&self.kind, DotdigitalErrorKind::Validation(f)
                if f.iter().any(|f| f.failure_code == FailureCode::Throttled))
    }
}

impl fmt::Display for DotdigitalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "dotdigital refused the request (HTTP {})",
            self.http_status.as_u16()
        )?;
        match &self.kind {
            DotdigitalErrorKind::Validation(failures) => {
                for (i, v) in failures.iter().enumerate() {
                    f.write_str(if i == 0 { ": " } else { "; " })?;
                    write!(f, "{} {}", v.property, v.failure_code)?;
                }
            }
            DotdigitalErrorKind::Unauthorized(text) => write!(f, ": unauthorized: {text}")?,
            DotdigitalErrorKind::Status(text) => write!(f, ": {text}")?,
        }
        if self.operation_sends_message {
            f.write_str(if self.message_may_have_been_sent() {
                " [a message may have been sent]"
            } else {
                " [no message was sent]"
            })?;
        }
        Ok(())
    }
}

/// `User-Agent` of every request.
const USER_AGENT: &str = concat!("verify-rs/", env!("CARGO_PKG_VERSION"));

/// An unsigned JSON request to `path` under the configured base URL.
fn json_request(
    config: &Config,
    method: http::Method,
    path: &str,
    body: Vec<u8>,
) -> http::Request<Vec<u8>> {
    let mut request = http::Request::new(body);
    *request.method_mut() = method;
    *request.uri_mut() = config.base_url.join(path);
    let headers = request.headers_mut();
    let json = HeaderValue::from_static("application/json");
    headers.insert(http::header::CONTENT_TYPE, json.clone());
    headers.insert(http::header::ACCEPT, json);
    headers.insert(
        http::header::USER_AGENT,
        HeaderValue::from_static(USER_AGENT),
    );
    request
}
