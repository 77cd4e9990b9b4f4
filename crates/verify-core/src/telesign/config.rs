//! Where TeleSign lives and who we are: the base URL, the credentials and
//! the authentication method.

use std::fmt;
use std::time::SystemTime;

use base64::Engine as _;

use super::signing::{self, AuthMethod};
use crate::error::ConfigError;
use crate::{ApiKey, BaseUrl};

/// `now` as an HTTP date (`Wed, 14 Dec 2016 18:20:12 GMT`, always 29
/// bytes), written on the stack: signing allocates nothing for it.
pub(crate) fn http_date(now: SystemTime) -> DateText {
    use std::io::Write as _;
    // An HTTP date covers 1970 to 9999: any other time is brought into
    // that range rather than panicking (a server refuses it anyway).
    let last = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(253_402_300_799);
    let now = now.clamp(SystemTime::UNIX_EPOCH, last);
    let mut text = DateText([b' '; 29]);
    let _ = write!(&mut text.0[..], "{}", httpdate::HttpDate::from(now));
    text
}

/// An HTTP date's 29 bytes.
pub(crate) struct DateText([u8; 29]);

impl std::ops::Deref for DateText {
    type Target = str;

    fn deref(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

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
    /// assert!(Credentials::new("FFFFFFFF-EEEE-DDDD-1234-AB1234567890", " \t").is_err());
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
        if api_key.expose_secret().trim().is_empty() {
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
        check(&self.credentials, self.auth_method)
    }

    /// Signs `request` for `now` and `nonce` (see [`signing::sign`]).
    pub fn authorize(
        &self,
        request: &mut http::Request<Vec<u8>>,
        now: SystemTime,
        nonce: &str,
    ) -> Result<(), ConfigError> {
        authorize(request, &self.credentials, self.auth_method, now, nonce)
    }
}

/// Whether `credentials` can sign with `method`: HMAC needs a base64 key.
/// Shared by both TeleSign APIs' settings.
pub(crate) fn check(credentials: &Credentials, method: AuthMethod) -> Result<(), ConfigError> {
    match method {
        AuthMethod::Hmac if !credentials.can_sign_hmac() => Err(ConfigError::ApiKeyNotBase64),
        _ => Ok(()),
    }
}

/// Signs `request` for `now` and `nonce`. Shared by both TeleSign APIs'
/// settings.
pub(crate) fn authorize(
    request: &mut http::Request<Vec<u8>>,
    credentials: &Credentials,
    method: AuthMethod,
    now: SystemTime,
    nonce: &str,
) -> Result<(), ConfigError> {
    signing::sign(request, credentials, method, &http_date(now), nonce)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn any_time_signs_without_panicking() {
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_481_739_612);
        assert_eq!(&*http_date(at), "Wed, 14 Dec 2016 18:20:12 GMT");
        assert_eq!(
            &*http_date(SystemTime::UNIX_EPOCH - Duration::from_secs(1)),
            "Thu, 01 Jan 1970 00:00:00 GMT"
        );
        let far = SystemTime::UNIX_EPOCH + Duration::from_secs(u64::MAX / 4);
        assert_eq!(&*http_date(far), "Fri, 31 Dec 9999 23:59:59 GMT");
    }
}
