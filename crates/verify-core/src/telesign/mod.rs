//! TeleSign Verify: send an SMS or voice code, check it, complete it, and
//! read delivery-report callbacks.
//!
//! Specification: TeleSign's Verify API (seeds 001 and 002) and
//! `PROVIDERS.md` section 1.

mod call;
pub mod callback;
mod codes;
mod completion;
mod reference_id;
mod request;
pub mod response;
pub mod signing;
pub mod sms;
mod status;
mod ucid;

use std::fmt;
use std::time::SystemTime;

use base64::Engine as _;

pub use call::SendCall;
pub use codes::{ErrorCode, StatusCode};
pub use completion::Complete;
pub use reference_id::ReferenceId;
pub use response::{CodeState, Status, VerifyInfo, VerifyResponse};
pub use signing::AuthMethod;
pub use sms::SendSms;
pub use status::GetStatus;
pub use ucid::Ucid;

use crate::error::{ConfigError, provider_text};
use crate::{ApiKey, BaseUrl};

/// TeleSign's documented default base URL.
pub const DEFAULT_BASE_URL: &str = "https://rest-ww.telesign.com";

/// A TeleSign customer id and API key.
///
/// The key is base64-decoded when the credentials are built. HMAC signing
/// needs the decoded key: a key that is not base64 is refused when a request
/// is to be signed with HMAC ([`ConfigError::ApiKeyNotBase64`], before
/// anything is sent), not reported as "Invalid Signature" by the server.
/// Basic authentication sends the key as typed, so any key works with it.
#[derive(Clone)]
pub struct Credentials {
    customer_id: String,
    api_key: ApiKey,
    /// HMAC-SHA256 keyed with the decoded key, cloned for each signature
    /// (saves hashing the key's pads every time); `None` when the key is
    /// not base64 (Basic authentication only).
    mac: Option<hmac::Hmac<sha2::Sha256>>,
    /// The Basic `Authorization` value, encoded once (marked sensitive).
    basic: http::HeaderValue,
}

impl Credentials {
    /// Checks and decodes the credentials.
    ///
    /// ```
    /// use verify_core::telesign::Credentials;
    /// assert!(Credentials::new("FFFFFFFF-EEEE-DDDD-1234-AB1234567890", "VGVzdCBLZXk=").is_ok());
    /// // Not base64: fine for Basic authentication, refused for HMAC signing.
    /// let basic_only = Credentials::new("FFFFFFFF-EEEE-DDDD-1234-AB1234567890", "not base64!").unwrap();
    /// assert!(!basic_only.can_sign_hmac());
    /// assert!(Credentials::new("FFFFFFFF-EEEE-DDDD-1234-AB1234567890", "").is_err());
    /// ```
    pub fn new(
        customer_id: impl Into<String>,
        api_key: impl Into<ApiKey>,
    ) -> Result<Self, ConfigError> {
        let customer_id = customer_id.into();
        let api_key = api_key.into();
        if customer_id.is_empty() {
            return Err(ConfigError::EmptyCredential("customer_id"));
        }
        if !customer_id
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b':')
        {
            return Err(ConfigError::InvalidCredential("customer_id"));
        }
        if api_key.expose_secret().is_empty() {
            return Err(ConfigError::EmptyCredential("api_key"));
        }
        let decoded_key = base64::engine::general_purpose::GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            base64::engine::GeneralPurposeConfig::new()
                .with_decode_allow_trailing_bits(true)
                .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
        )
        .decode(api_key.expose_secret().trim())
        .ok();
        let mut basic = http::HeaderValue::from_str(&signing::basic_authorization(
            &customer_id,
            api_key.expose_secret(),
        ))
        .map_err(|_| ConfigError::InvalidCredential("api_key"))?;
        basic.set_sensitive(true);
        Ok(Self {
            customer_id,
            api_key,
            mac: decoded_key.as_deref().map(signing::keyed_mac),
            basic,
        })
    }

    /// The customer id.
    pub fn customer_id(&self) -> &str {
        &self.customer_id
    }

    /// The API key as given (base64 text).
    pub fn api_key(&self) -> &ApiKey {
        &self.api_key
    }

    /// Whether the key is base64, as HMAC signing needs.
    pub fn can_sign_hmac(&self) -> bool {
        self.mac.is_some()
    }

    /// A fresh HMAC-SHA256 state keyed with the decoded API key.
    pub(crate) fn mac(&self) -> Result<hmac::Hmac<sha2::Sha256>, ConfigError> {
        self.mac.clone().ok_or(ConfigError::ApiKeyNotBase64)
    }

    /// The Basic `Authorization` header value.
    pub(crate) fn basic_header(&self) -> http::HeaderValue {
        self.basic.clone()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("customer_id", &self.customer_id)
            .field("api_key", &self.api_key)
            .finish()
    }
}

/// Where TeleSign lives and how to authenticate to it.
#[derive(Clone, Debug)]
pub struct Config {
    /// The base URL (default [`DEFAULT_BASE_URL`]).
    pub base_url: BaseUrl,
    /// Customer id and API key.
    pub credentials: Credentials,
    /// Basic or HMAC (default HMAC).
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
        match self.auth_method {
            AuthMethod::Hmac if !self.credentials.can_sign_hmac() => {
                Err(ConfigError::ApiKeyNotBase64)
            }
            _ => Ok(()),
        }
    }

    /// Signs `request` for `now` and `nonce` (see [`signing::sign`]).
    pub fn authorize(
        &self,
        request: &mut http::Request<Vec<u8>>,
        now: SystemTime,
        nonce: &str,
    ) -> Result<(), ConfigError> {
        let date = httpdate::fmt_http_date(now);
        signing::sign(request, &self.credentials, self.auth_method, &date, nonce)
    }
}

/// One entry of a TeleSign `errors` array.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// The error code.
    pub code: ErrorCode,
    /// TeleSign's description, with every run of three or more digits masked
    /// (descriptions can echo a submitted code or phone number).
    pub description: String,
}

impl ApiError {
    /// Builds an entry, masking digit runs in the description.
    pub fn new(code: i64, description: &str) -> Self {
        Self {
            code: ErrorCode::from_code(code),
            description: provider_text(description),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.code(), self.description)
    }
}

/// TeleSign refused or failed the request, as its body codes say.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct TeleSignError {
    /// The HTTP status (for information: decisions use the body codes).
    pub http_status: http::StatusCode,
    /// `status.code`, when the body had one.
    pub status: Option<StatusCode>,
    /// The `errors` array.
    pub errors: Vec<ApiError>,
    /// `reference_id`, when the body had a valid one (32 hexadecimal
    /// digits; anything else is dropped rather than kept as raw text).
    pub reference_id: Option<ReferenceId>,
    /// Whether the operation can send a message at all.
    pub operation_sends_message: bool,
    /// `Retry-After`, when the response carried one.
    pub retry_after: Option<crate::error::RetryAfter>,
}

impl TeleSignError {
    /// Whether a message may have gone out (docs/PROTOCOL-DECISIONS.md,
    /// "Whether a message may have gone out"):
    ///
    /// - `false` when the operation never sends one;
    /// - a `status.code` other than 500 "Transaction not attempted" and 501
    ///   "Not authorized" decides by itself: TeleSign attempted the send,
    ///   whatever error codes come with it;
    /// - with status 500, 501 or none, an error code that names a refusal
    ///   before any send (authentication, parameters, rate limit, system
    ///   unavailable) proves nothing went out, as do status 500 and 501
    ///   themselves, and HTTP 429 without a status;
    /// - anything else: `true`.
    pub fn message_may_have_been_sent(&self) -> bool {
        if !self.operation_sends_message {
            return false;
        }
        match self.status {
            Some(StatusCode::TransactionNotAttempted | StatusCode::NotAuthorized) => false,
            Some(other) => other.message_may_have_been_sent(),
            None => {
                let refused = self.errors.iter().any(|e| e.code.is_refusal());
                !refused && self.http_status != http::StatusCode::TOO_MANY_REQUESTS
            }
        }
    }

    /// Whether TeleSign documents the failure as temporary (status 503/505,
    /// -90001 system unavailable, -40007 rate limited, HTTP 429).
    pub fn is_temporary(&self) -> bool {
        self.status.is_some_and(StatusCode::is_temporary)
            || self.errors.iter().any(|e| e.code.is_temporary())
            || self.http_status == http::StatusCode::TOO_MANY_REQUESTS
    }

    /// Whether TeleSign refused because of rate limiting (-40007 or HTTP 429).
    pub fn is_rate_limited(&self) -> bool {
        self.http_status == http::StatusCode::TOO_MANY_REQUESTS
            || self
                .errors
                .iter()
                .any(|e| e.code == ErrorCode::RateLimitExceeded)
    }

    /// Whether authentication failed (-30000 .. -30015): check the customer
    /// id, the key and the machine's clock.
    pub fn is_authentication(&self) -> bool {
        self.errors.iter().any(|e| e.code.is_authentication())
    }
}

impl fmt::Display for TeleSignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A 5xx status without errors is a send TeleSign attempted and the
        // carrier or gateway failed, not a refusal of the request.
        let attempted = self.errors.is_empty()
            && self.status.is_some_and(|s| {
                !matches!(
                    s,
                    StatusCode::TransactionNotAttempted | StatusCode::NotAuthorized
                )
            });
        let what = if attempted {
            "TeleSign reported a failed send"
        } else {
            "TeleSign refused the request"
        };
        write!(f, "{what} (HTTP {}", self.http_status.as_u16())?;
        if let Some(s) = self.status {
            write!(f, ", status {s}")?;
        }
        f.write_str(")")?;
        for (i, e) in self.errors.iter().enumerate() {
            f.write_str(if i == 0 { ": " } else { "; " })?;
            write!(f, "{e}")?;
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

#[cfg(test)]
mod display_tests {
    use super::*;

    fn error(status: i64, errors: &[(i64, &str)]) -> TeleSignError {
        TeleSignError {
            http_status: http::StatusCode::OK,
            status: Some(StatusCode::from_code(status)),
            errors: errors.iter().map(|(c, d)| ApiError::new(*c, d)).collect(),
            reference_id: None,
            operation_sends_message: true,
            retry_after: None,
        }
    }

    #[test]
    fn says_whether_the_send_was_refused_or_attempted_and_never_echoes_a_code() {
        let refused = error(
            500,
            &[(-10001, "Invalid Request: verify_code Parameter: 1234567")],
        );
        assert_eq!(
            refused.to_string(),
            "TeleSign refused the request (HTTP 200, status 500 Transaction not attempted): \
             -10001: Invalid Request: verify_code Parameter: *** [no message was sent]"
        );
        let attempted = error(504, &[]);
        assert_eq!(
            attempted.to_string(),
            "TeleSign reported a failed send (HTTP 200, status 504 Carrier rejected - permanent error) \
             [a message may have been sent]"
        );
    }
}
