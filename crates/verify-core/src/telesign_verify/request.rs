//! What every Verify API request shares: the settings, the request shape,
//! and the field rules.

use http::{HeaderValue, Method as HttpMethod, Request, header};

use super::Config;
use crate::telesign::ReferenceId;
use crate::validate::Validator;
use crate::{Code, ProviderConfig, ValidationError};

/// The largest body the Verify API takes: 10 KB (413/3116 above it).
pub const MAX_PAYLOAD_BYTES: usize = 10 * 1024;

/// The Verify API settings of `config`, or the error naming `provider`.
pub(crate) fn verify_config(config: &ProviderConfig) -> Result<&Config, ValidationError> {
    match config {
        ProviderConfig::TeleSignVerify(c) => Ok(c),
        other => Err(crate::operation::wrong_provider(
            crate::Provider::TeleSignVerify,
            other.provider(),
        )),
    }
}

/// A request with the headers every Verify API call carries: JSON in and
/// out (a GET carries no body and no content type, as the official SDKs
/// send it).
pub(crate) fn build(
    config: &Config,
    method: HttpMethod,
    path: &str,
    body: Vec<u8>,
) -> Request<Vec<u8>> {
    let with_body = !body.is_empty();
    let mut request = Request::new(body);
    *request.method_mut() = method;
    *request.uri_mut() = config.base_url.join(path);
    *request.headers_mut() = http::HeaderMap::with_capacity(8);
    let headers = request.headers_mut();
    let json = HeaderValue::from_static("application/json");
    if with_body {
        headers.insert(header::CONTENT_TYPE, json.clone());
    }
    headers.insert(header::ACCEPT, json);
    headers.insert(
        header::USER_AGENT,
        HeaderValue::from_static(crate::USER_AGENT),
    );
    request
}

/// `/verification/{reference_id}[/state]`.
pub(crate) fn process_path(reference_id: &ReferenceId, state: bool) -> String {
    let mut p = String::with_capacity(48);
    p.push_str("/verification/");
    p.push_str(reference_id.as_str());
    if state {
        p.push_str("/state");
    }
    p
}

/// `security_factor`: the code, 3 to 10 digits.
pub(crate) fn check_security_factor(v: &mut Validator, code: &Code) {
    let c = code.expose_secret();
    v.check(
        (3..=10).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_digit()),
        "security_factor",
        "must be 3 to 10 digits",
    );
}
