//! What every TeleSign request shares: field rules and the request shape.

use http::{HeaderValue, Method, Request, header};

use crate::validate::Validator;
use crate::{Code, ProviderConfig, ValidationError};

use super::Config;

/// `Content-Type` of every POST and PUT.
pub(crate) const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// The shortest and longest phone number accepted, in digits (E.164 allows
/// at most 15 digits, country code included).
pub(crate) const PHONE_DIGITS: std::ops::RangeInclusive<usize> = 7..=15;

/// The TeleSign settings of `config`, or the error naming `provider`.
pub(crate) fn telesign_config(config: &ProviderConfig) -> Result<&Config, ValidationError> {
    match config {
        ProviderConfig::TeleSign(c) => Ok(c),
        other => Err(crate::operation::wrong_provider(
            crate::Provider::TeleSign,
            other.provider(),
        )),
    }
}

/// Builds a request to `path_and_query` (its pieces joined) under the base
/// URL, with the headers every TeleSign call carries.
pub(crate) fn build(
    config: &Config,
    method: Method,
    path_and_query: &[&str],
    body: Vec<u8>,
) -> Request<Vec<u8>> {
    with_uri(config.base_url.join_parts(path_and_query), method, body)
}

/// [`build`] for one of the library's constant paths.
pub(crate) fn build_static(
    config: &Config,
    method: Method,
    path: &'static str,
    body: Vec<u8>,
) -> Request<Vec<u8>> {
    with_uri(config.base_url.join_static(path), method, body)
}

fn with_uri(uri: http::Uri, method: Method, body: Vec<u8>) -> Request<Vec<u8>> {
    let with_body = method == Method::POST || method == Method::PUT;
    let mut request = Request::new(body);
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    // Room for every header a signed request carries, and no more: no
    // growing later. Six (a GET signed with HMAC) fit the map's smallest
    // table; the seventh, `Content-Type`, needs the next size up.
    *request.headers_mut() = http::HeaderMap::with_capacity(if with_body { 7 } else { 6 });
    let headers = request.headers_mut();
    if with_body {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(FORM_CONTENT_TYPE),
        );
    }
    headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
    headers.insert(
        header::USER_AGENT,
        HeaderValue::from_static(crate::USER_AGENT),
    );
    request
}

/// Encodes form fields in the given order, into one buffer sized for the
/// worst case (every byte percent-encoded), so it never grows.
pub(crate) fn encode_form(fields: &[(&'static str, &str)]) -> Vec<u8> {
    let worst: usize = fields.iter().map(|(k, v)| k.len() + 3 * v.len() + 2).sum();
    let mut form = form_urlencoded::Serializer::new(String::with_capacity(worst));
    for (name, value) in fields {
        form.append_pair(name, value);
    }
    form.finish().into_bytes()
}

pub(crate) fn bool_str(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

/// `phone_number`: digits only, country code first, 7 to 15 digits.
pub(crate) fn check_phone(v: &mut Validator, phone: &str) {
    let digits = phone.bytes().all(|b| b.is_ascii_digit());
    if phone.is_empty() {
        v.fail("phone_number", "is required");
    } else if !digits {
        v.fail(
            "phone_number",
            "must be digits only, country code first, without spaces, '+' or other signs",
        );
    } else if !PHONE_DIGITS.contains(&phone.len()) {
        v.fail("phone_number", "must be 7 to 15 digits long (E.164)");
    } else if phone.starts_with('0') {
        // No country code starts with 0: this is a national number.
        v.fail(
            "phone_number",
            "must start with the country code (a national number starting with 0 cannot be routed)",
        );
    }
}

/// `originating_ip`: an IPv4 or IPv6 address.
pub(crate) fn check_ip(v: &mut Validator, ip: Option<&str>) {
    if let Some(ip) = ip {
        v.check(
            ip.parse::<std::net::IpAddr>().is_ok(),
            "originating_ip",
            "must be an IPv4 or IPv6 address",
        );
    }
}

/// `language`: a short language tag such as `en-US`.
pub(crate) fn check_language(v: &mut Validator, language: Option<&str>) {
    if let Some(l) = language {
        v.check(
            !l.is_empty()
                && l.len() <= 20
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "language",
            "must be a language code of 1 to 20 letters, digits, '-' or '_' (such as en-US)",
        );
    }
}

/// A one-time code: 3 to 7 ASCII digits.
pub(crate) fn code_is_valid(code: &Code) -> bool {
    let c = code.expose_secret();
    (3..=7).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_digit())
}

/// `verify_code`: 3 to 7 digits.
pub(crate) fn check_code(v: &mut Validator, code: Option<&Code>) {
    if let Some(code) = code {
        v.check(code_is_valid(code), "verify_code", "must be 3 to 7 digits");
    }
}

/// An optional text field: not empty when given, at most `max` characters.
pub(crate) fn check_text(v: &mut Validator, field: &'static str, value: Option<&str>, max: usize) {
    if let Some(value) = value {
        if value.is_empty() {
            v.fail(field, "must not be empty when given (leave it out instead)");
        } else if value.chars().count() > max {
            v.fail(field, format!("must be at most {max} characters"));
        }
    }
}

/// Adds an optional field to a form.
pub(crate) fn push<'a>(
    fields: &mut Vec<(&'static str, &'a str)>,
    name: &'static str,
    value: Option<&'a str>,
) {
    if let Some(value) = value {
        fields.push((name, value));
    }
}

/// The `is_primary` value to send: the caller's, else `false` for backup
/// traffic, else nothing (TeleSign's default is `true`).
pub(crate) fn is_primary(explicit: Option<bool>, role: crate::Role) -> Option<&'static str> {
    match (explicit, role) {
        (Some(b), _) => Some(bool_str(b)),
        (None, crate::Role::Backup) => Some("false"),
        (None, crate::Role::Primary) => None,
    }
}
