//! TeleSign delivery-report callbacks: the signature check and the report
//! parser, against bodies signed independently of the core.

use verify_core::telesign::signing;

use super::input::Fields;
use super::settings::{TELESIGN_API_KEY, TELESIGN_CUSTOMER_ID, telesign_credentials};

/// Target `telesign_callback`: fields `header_mode, header_value, body`.
///
/// Signature checking and parsing never panic; the body signed with the
/// right key is always accepted (in every documented header form) and any
/// other signature refused; `parse_callback` succeeds exactly when both
/// steps do.
pub fn telesign_callback(data: &[u8]) {
    use verify_core::telesign::callback::{self, CallbackRejection, X_TS_AUTHORIZATION};
    let f = Fields::new(data);
    let (mode, value, body) = (f.byte(0), f.bytes(1), f.bytes(2));
    let credentials = telesign_credentials();

    // Whatever header the fuzzer sends.
    let mut headers = http::HeaderMap::new();
    if let Ok(v) = http::HeaderValue::from_bytes(value) {
        let name = if mode & 1 == 0 {
            http::header::AUTHORIZATION.as_str()
        } else {
            X_TS_AUTHORIZATION
        };
        headers.insert(name, v);
    }
    let verdict = callback::verify_signature(&credentials, &headers, body);
    let mut request = http::Request::new(body);
    *request.headers_mut() = headers;
    let parsed = callback::parse_callback(&credentials, &request);
    let report = callback::parse_report(body);
    match (&verdict, &parsed) {
        (Ok(()), Ok(_)) => assert!(report.is_ok()),
        (Ok(()), Err(e)) => {
            assert!(matches!(e, CallbackRejection::MalformedBody { .. }), "{e}");
            assert!(report.is_err());
        }
        (Err(v), Err(p)) => assert_eq!(v, p, "parse_callback reports the signature problem"),
        (Err(_), Ok(_)) => panic!("parse_callback accepted an unauthenticated body"),
    }
    if let Err(e) = &parsed {
        let _ = format!("{e} {e:?}");
    }
    if let Ok(r) = &parsed {
        let _ = format!("{r} {r:?}");
    }

    // The body, correctly signed, in every documented form.
    if body.len() > verify_core::MAX_BODY_BYTES {
        return;
    }
    let good = signing::hmac_sha256_base64(&decoded_test_key(), body);
    for (name, value) in [
        (
            http::header::AUTHORIZATION.as_str(),
            format!("TSA {TELESIGN_CUSTOMER_ID}:{good}"),
        ),
        (
            X_TS_AUTHORIZATION,
            format!("TSA {TELESIGN_CUSTOMER_ID}:{good}"),
        ),
        (http::header::AUTHORIZATION.as_str(), good.clone()),
    ] {
        let mut h = http::HeaderMap::new();
        h.insert(
            name,
            http::HeaderValue::from_str(&value).unwrap_or_else(|e| panic!("{e}")),
        );
        assert_eq!(
            callback::verify_signature(&credentials, &h, body),
            Ok(()),
            "{name}: {value}"
        );
    }
    // A signature of other bytes is refused.
    let mut other = body.to_vec();
    other.push(b' ');
    let bad = signing::hmac_sha256_base64(&decoded_test_key(), &other);
    let mut h = http::HeaderMap::new();
    h.insert(
        http::header::AUTHORIZATION,
        http::HeaderValue::from_str(&format!("TSA {TELESIGN_CUSTOMER_ID}:{bad}"))
            .unwrap_or_else(|e| panic!("{e}")),
    );
    assert_eq!(
        callback::verify_signature(&credentials, &h, body),
        Err(CallbackRejection::BadSignature)
    );
}

/// The HMAC key behind [`TELESIGN_API_KEY`] (its base64 decoding), computed
/// independently of the core.
pub fn decoded_test_key() -> Vec<u8> {
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    for c in TELESIGN_API_KEY.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}
