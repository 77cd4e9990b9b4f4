//! TeleSign request authentication: Basic and HMAC-SHA256 ("TSA").
//!
//! Pure functions of the request, the credentials, a date and a nonce; the
//! caller supplies the time and the randomness.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use http::{HeaderName, HeaderValue};
use sha2::Sha256;

use super::Credentials;
use crate::error::ConfigError;

/// The value of the `x-ts-auth-method` header for HMAC signing.
pub const AUTH_METHOD_HMAC: &str = "HMAC-SHA256";

const X_TS_AUTH_METHOD: HeaderName = HeaderName::from_static("x-ts-auth-method");
const X_TS_NONCE: HeaderName = HeaderName::from_static("x-ts-nonce");

/// How requests prove who sends them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AuthMethod {
    /// `Authorization: Basic base64(customer_id:api_key)`. The key travels
    /// with every request.
    Basic,
    /// `Authorization: TSA customer_id:signature` over method, content type,
    /// date, nonce, body and path. The key never leaves the machine. The
    /// official SDKs' default, and ours.
    #[default]
    Hmac,
}

/// The exact text TeleSign's HMAC signature covers.
///
/// `content_type` is empty for GET and DELETE; `body` is only included when it
/// and `content_type` are both non-empty; `resource` is the path alone (no
/// host, no query string). Lines are joined with `\n` on every platform.
pub fn string_to_sign(
    method: &str,
    content_type: &str,
    date: &str,
    nonce: &str,
    body: &[u8],
    resource: &str,
) -> Vec<u8> {
    let mut s = Vec::with_capacity(96 + body.len() + resource.len());
    write_string_to_sign(
        |part| s.extend_from_slice(part),
        method,
        content_type,
        date,
        nonce,
        body,
        resource,
    );
    s
}

/// Hands the string-to-sign to `out` piece by piece: the one definition both
/// [`string_to_sign`] and the streaming signature use.
fn write_string_to_sign(
    mut out: impl FnMut(&[u8]),
    method: &str,
    content_type: &str,
    date: &str,
    nonce: &str,
    body: &[u8],
    resource: &str,
) {
    out(method.as_bytes());
    out(b"\n");
    out(content_type.as_bytes());
    out(b"\n");
    out(date.as_bytes());
    out(b"\nx-ts-auth-method:");
    out(AUTH_METHOD_HMAC.as_bytes());
    out(b"\nx-ts-nonce:");
    out(nonce.as_bytes());
    if !content_type.is_empty() && !body.is_empty() {
        out(b"\n");
        out(body);
    }
    out(b"\n");
    out(resource.as_bytes());
}

/// `base64(HMAC-SHA256(key, message))`: the signature of a request's
/// string-to-sign, or of a callback's raw body.
pub fn hmac_sha256_base64(key: &[u8], message: &[u8]) -> String {
    STANDARD.encode(hmac_sha256(key, message))
}

pub(crate) fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = keyed_mac(key);
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// An HMAC-SHA256 state keyed with `key`.
pub(crate) fn keyed_mac(key: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"))
}

/// `HMAC-SHA256(credentials' decoded key, message)`; `None` when the key is
/// not base64.
pub(crate) fn credentials_hmac(credentials: &Credentials, message: &[u8]) -> Option<[u8; 32]> {
    let mut mac = credentials.mac().ok()?;
    mac.update(message);
    Some(mac.finalize().into_bytes().into())
}

/// The HMAC signature of a request, given its parts (see [`string_to_sign`]).
pub fn hmac_signature(
    credentials: &Credentials,
    method: &str,
    content_type: &str,
    date: &str,
    nonce: &str,
    body: &[u8],
    resource: &str,
) -> Result<String, ConfigError> {
    let mut signature = String::with_capacity(44);
    push_hmac_signature(
        &mut signature,
        credentials,
        [method, content_type, date, nonce],
        body,
        resource,
    )?;
    Ok(signature)
}

/// Appends the base64 HMAC signature to `out`, feeding the string-to-sign
/// to the MAC in pieces (no copy of the body).
fn push_hmac_signature(
    out: &mut String,
    credentials: &Credentials,
    [method, content_type, date, nonce]: [&str; 4],
    body: &[u8],
    resource: &str,
) -> Result<(), ConfigError> {
    let mut mac = credentials.mac()?;
    write_string_to_sign(
        |part| mac.update(part),
        method,
        content_type,
        date,
        nonce,
        body,
        resource,
    );
    STANDARD.encode_string(mac.finalize().into_bytes(), out);
    Ok(())
}

/// `Basic base64(customer_id ":" api_key)`, with the key as typed (not decoded).
pub fn basic_authorization(customer_id: &str, api_key: &str) -> String {
    let mut raw = String::with_capacity(customer_id.len() + api_key.len() + 1);
    raw.push_str(customer_id);
    raw.push(':');
    raw.push_str(api_key);
    format!("Basic {}", STANDARD.encode(raw))
}

/// Signs `request` in place: sets `Authorization`, `Date`, and for HMAC
/// `x-ts-auth-method` and `x-ts-nonce`.
///
/// `date` is an RFC 1123 date such as `Wed, 14 Dec 2016 18:20:12 GMT` and
/// `nonce` a fresh random string (a UUID v4 is customary). A retried request
/// must be signed again with a new date and nonce.
///
/// HMAC needs a base64 key: with another, the request is left unsigned and
/// the error is [`ConfigError::ApiKeyNotBase64`].
pub fn sign(
    request: &mut http::Request<Vec<u8>>,
    credentials: &Credentials,
    method: AuthMethod,
    date: &str,
    nonce: &str,
) -> Result<(), ConfigError> {
    let headers = request.headers();
    let content_type = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let authorization = match method {
        AuthMethod::Basic => Some(credentials.basic_header()),
        AuthMethod::Hmac => {
            let mut value = String::with_capacity(credentials.customer_id().len() + 49);
            value.push_str("TSA ");
            value.push_str(credentials.customer_id());
            value.push(':');
            push_hmac_signature(
                &mut value,
                credentials,
                [request.method().as_str(), content_type, date, nonce],
                request.body(),
                request.uri().path(),
            )?;
            HeaderValue::try_from(value).ok().map(|mut v| {
                v.set_sensitive(true);
                v
            })
        }
    };
    let headers = request.headers_mut();
    // Credentials are checked for header-safe characters when built, and the
    // date and nonce are the caller's; an unusable value is dropped rather
    // than panicking, and the server then answers with a typed error.
    if let Some(v) = authorization {
        headers.insert(http::header::AUTHORIZATION, v);
    }
    if let Ok(v) = HeaderValue::from_str(date) {
        headers.insert(http::header::DATE, v);
    }
    if method == AuthMethod::Hmac {
        headers.insert(X_TS_AUTH_METHOD, HeaderValue::from_static(AUTH_METHOD_HMAC));
        if let Ok(v) = HeaderValue::from_str(nonce) {
            headers.insert(X_TS_NONCE, v);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_streamed_signature_is_the_signature_of_the_string_to_sign() {
        let creds = Credentials::new("C", "VGVzdCBLZXk=").unwrap();
        for (ct, body) in [
            ("application/x-www-form-urlencoded", &b"a=b"[..]),
            ("", &b""[..]),
        ] {
            let text = string_to_sign("POST", ct, "D", "N", body, "/v1/x");
            assert_eq!(
                hmac_signature(&creds, "POST", ct, "D", "N", body, "/v1/x").unwrap(),
                STANDARD.encode(credentials_hmac(&creds, &text).unwrap())
            );
        }
    }

    #[test]
    fn string_to_sign_layout() {
        let s = string_to_sign(
            "POST",
            "application/x-www-form-urlencoded",
            "D",
            "N",
            b"a=b",
            "/v1/x",
        );
        assert_eq!(
            String::from_utf8(s).unwrap(),
            "POST\napplication/x-www-form-urlencoded\nD\nx-ts-auth-method:HMAC-SHA256\nx-ts-nonce:N\na=b\n/v1/x"
        );
        let s = string_to_sign("GET", "", "D", "N", b"ignored", "/v1/x");
        assert_eq!(
            String::from_utf8(s).unwrap(),
            "GET\n\nD\nx-ts-auth-method:HMAC-SHA256\nx-ts-nonce:N\n/v1/x"
        );
    }
}
