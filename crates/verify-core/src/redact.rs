//! A view of a built request that is safe to print.
//!
//! A request carries secrets once built and signed: `Authorization` (the
//! Basic header holds the API key or password itself), a one-time code in
//! the body (`verify_code` of a TeleSign send, dotdigital's `code`) or in
//! the query (a TeleSign status check's `verify_code`, as the API requires).
//! Describe a request only through [`redacted`]: the method, the path, the
//! query with every code masked, the headers with `Authorization` masked,
//! and the body's length, never its bytes.

use std::fmt;

/// Query parameters whose value is a one-time code.
const SECRET_PARAMETERS: &[&str] = &["verify_code", "code", "security_factor"];

/// Headers whose value is a credential.
const SECRET_HEADERS: &[&str] = &["authorization", "x-ts-authorization", "proxy-authorization"];

/// A printable, secret-free view of `request` (see the module docs).
///
/// ```
/// use verify_core::redact::redacted;
/// let request = http::Request::get("https://rest-ww.telesign.com/v1/verify/ABC?verify_code=12345")
///     .header("authorization", "Basic c2VjcmV0")
///     .body(Vec::new())
///     .unwrap();
/// let shown = redacted(&request).to_string();
/// assert_eq!(
///     shown,
///     "GET /v1/verify/ABC?verify_code=[redacted] (authorization: [redacted]; body: 0 bytes)"
/// );
/// ```
pub fn redacted<B: AsRef<[u8]>>(request: &http::Request<B>) -> Redacted<'_, B> {
    Redacted(request)
}

/// See [`redacted`].
pub struct Redacted<'a, B>(&'a http::Request<B>);

impl<B: AsRef<[u8]>> Redacted<'_, B> {
    /// The path and the query, with the value of every code parameter
    /// replaced by `[redacted]`.
    pub fn path_and_query(&self) -> String {
        let uri = self.0.uri();
        let mut out = uri.path().to_owned();
        if let Some(query) = uri.query() {
            out.push('?');
            for (i, pair) in query.split('&').enumerate() {
                if i > 0 {
                    out.push('&');
                }
                match pair.split_once('=') {
                    Some((name, _)) if SECRET_PARAMETERS.contains(&name) => {
                        out.push_str(name);
                        out.push_str("=[redacted]");
                    }
                    _ => out.push_str(&crate::text::mask_digit_runs(pair)),
                }
            }
        }
        out
    }
}

impl<B: AsRef<[u8]>> fmt::Display for Redacted<'_, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} (", self.0.method(), self.path_and_query())?;
        for (name, value) in self.0.headers() {
            if SECRET_HEADERS.contains(&name.as_str()) || value.is_sensitive() {
                write!(f, "{name}: [redacted]; ")?;
            }
        }
        write!(f, "body: {} bytes)", self.0.body().as_ref().len())
    }
}

impl<B: AsRef<[u8]>> fmt::Debug for Redacted<'_, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Request");
        d.field("method", self.0.method())
            .field("path", &self.path_and_query());
        for (name, value) in self.0.headers() {
            if SECRET_HEADERS.contains(&name.as_str()) || value.is_sensitive() {
                d.field(name.as_str(), &"[redacted]");
            } else {
                d.field(
                    name.as_str(),
                    &crate::text::provider_text(&String::from_utf8_lossy(value.as_bytes())),
                );
            }
        }
        d.field("body_bytes", &self.0.body().as_ref().len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_code_and_no_credential_shows() {
        let request =
            http::Request::put("https://h.example/v1/x?a=1&verify_code=7654321&code=998877")
                .header("authorization", "TSA C:c2lnbmF0dXJl")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(b"verify_code=7654321".to_vec())
                .unwrap();
        let view = redacted(&request);
        for shown in [view.to_string(), format!("{view:?}")] {
            for secret in ["7654321", "998877", "c2lnbmF0dXJl"] {
                assert!(!shown.contains(secret), "{shown}");
            }
            assert!(shown.contains("/v1/x"), "{shown}");
        }
        assert_eq!(
            view.path_and_query(),
            "/v1/x?a=1&verify_code=[redacted]&code=[redacted]"
        );
    }
}
