//! What every dotdigital request shares: JSON in, JSON out.

use http::HeaderValue;

/// An unsigned JSON request to `uri` (under the configured base URL).
pub(crate) fn json_request(
    uri: http::Uri,
    method: http::Method,
    body: Vec<u8>,
) -> http::Request<Vec<u8>> {
    let mut request = http::Request::new(body);
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    let headers = request.headers_mut();
    let json = HeaderValue::from_static("application/json");
    headers.insert(http::header::CONTENT_TYPE, json.clone());
    headers.insert(http::header::ACCEPT, json);
    headers.insert(
        http::header::USER_AGENT,
        HeaderValue::from_static(crate::USER_AGENT),
    );
    request
}
