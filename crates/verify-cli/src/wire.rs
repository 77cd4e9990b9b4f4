//! The exact HTTP/1.1 bytes of a request, for `--print-request`.

use http::{Method, Request, header};

/// Renders `request` as it goes on the wire over HTTP/1.1: the request line
/// (method, path and query, version), every header, a blank line, the body.
///
/// Lines end with CRLF as on the wire. `host` and `content-length` are added
/// when the request does not carry them, with the values every HTTP/1.1
/// client sends (TeleSign signs neither). Header values are written as bytes,
/// unchanged.
pub fn render(request: &Request<Vec<u8>>) -> Vec<u8> {
    let uri = request.uri();
    let target = uri.path_and_query().map_or("/", |p| p.as_str());
    let body = request.body();
    let mut out = Vec::with_capacity(256 + body.len());
    out.extend_from_slice(request.method().as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(target.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\n");
    let headers = request.headers();
    if !headers.contains_key(header::HOST)
        && let Some(authority) = uri.authority()
    {
        line(&mut out, "host", authority.as_str().as_bytes());
    }
    for (name, value) in headers {
        line(&mut out, name.as_str(), value.as_bytes());
    }
    let sends_length = !body.is_empty()
        || matches!(
            *request.method(),
            Method::POST | Method::PUT | Method::PATCH
        );
    if sends_length && !headers.contains_key(header::CONTENT_LENGTH) {
        line(
            &mut out,
            "content-length",
            body.len().to_string().as_bytes(),
        );
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

fn line(out: &mut Vec<u8>, name: &str, value: &[u8]) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(value);
    out.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_line_headers_blank_line_body() {
        let request = Request::post("http://127.0.0.1:8080/v1/verify/sms?x=1")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("date", "Wed, 14 Dec 2016 18:20:12 GMT")
            .body(b"phone_number=15555550100".to_vec())
            .unwrap();
        assert_eq!(
            String::from_utf8(render(&request)).unwrap(),
            "POST /v1/verify/sms?x=1 HTTP/1.1\r\n\
             host: 127.0.0.1:8080\r\n\
             content-type: application/x-www-form-urlencoded\r\n\
             date: Wed, 14 Dec 2016 18:20:12 GMT\r\n\
             content-length: 24\r\n\
             \r\n\
             phone_number=15555550100"
        );
    }

    #[test]
    fn get_without_body_has_no_length() {
        let request = Request::get("https://example.com/v1/verify/abc")
            .body(Vec::new())
            .unwrap();
        assert_eq!(
            render(&request),
            b"GET /v1/verify/abc HTTP/1.1\r\nhost: example.com\r\n\r\n"
        );
    }

    #[test]
    fn empty_put_says_zero_length() {
        let request = Request::put("https://example.com/v1/verify/completion/abc")
            .body(Vec::new())
            .unwrap();
        let text = String::from_utf8(render(&request)).unwrap();
        assert!(text.ends_with("content-length: 0\r\n\r\n"), "{text}");
    }
}
