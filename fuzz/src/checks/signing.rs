//! TeleSign request signing: the string-to-sign, credentials from any
//! strings, and HMAC and Basic `Authorization` headers checked against an
//! independent computation.

use verify_core::telesign::signing;

use super::input::Fields;

/// Target `telesign_signing`: fields `method, content_type, date, nonce,
/// body, resource, customer_id, api_key`.
///
/// - the string-to-sign has exactly the documented layout;
/// - credentials from any strings are accepted or refused, never a panic, and
///   their `Debug` never shows the key;
/// - signing any request with accepted credentials sets an `Authorization`
///   header equal to the independently computed one, and the documented
///   `Date`/`x-ts-*` headers whenever the values can be headers at all.
pub fn telesign_signing(data: &[u8]) {
    let f = Fields::new(data);
    let (method, content_type, date, nonce) = (f.text(0), f.text(1), f.text(2), f.text(3));
    let (body, resource) = (f.bytes(4), f.text(5));
    let (customer_id, api_key) = (f.text(6), f.text(7));

    let s = signing::string_to_sign(&method, &content_type, &date, &nonce, body, &resource);
    let head = format!(
        "{method}\n{content_type}\n{date}\nx-ts-auth-method:HMAC-SHA256\nx-ts-nonce:{nonce}"
    );
    assert!(s.starts_with(head.as_bytes()), "string-to-sign head");
    let tail = format!("\n{resource}");
    assert!(s.ends_with(tail.as_bytes()), "string-to-sign tail");
    let with_body = !content_type.is_empty() && !body.is_empty();
    let expected_len = head.len() + tail.len() + if with_body { body.len() + 1 } else { 0 };
    assert_eq!(
        s.len(),
        expected_len,
        "the body is included iff content type and body are set"
    );

    let sig = signing::hmac_sha256_base64(api_key.as_bytes(), &s);
    assert_eq!(sig.len(), 44, "base64 of 32 bytes");

    let Ok(credentials) =
        verify_core::telesign::Credentials::new(customer_id.clone(), api_key.clone())
    else {
        return;
    };
    assert_eq!(credentials.customer_id(), customer_id);
    // The Debug text is fully determined by the customer id: whatever the
    // key, none of it can show. (A substring test misfires on short keys
    // such as "ntia", which "Credentials" contains.)
    let shown = format!("{credentials:?}");
    assert_eq!(
        shown,
        format!("Credentials {{ customer_id: {customer_id:?}, api_key: ApiKey([redacted]) }}"),
        "the API key must never show in Debug"
    );

    let Ok(method) = http::Method::from_bytes(method.as_bytes()) else {
        return;
    };
    let Ok(path) = http::uri::PathAndQuery::try_from(resource.as_str()) else {
        return;
    };
    let uri = format!("https://example.invalid{path}");
    let Ok(uri) = uri.parse::<http::Uri>() else {
        return;
    };
    let mut request = http::Request::new(body.to_vec());
    *request.method_mut() = method.clone();
    *request.uri_mut() = uri;
    let header_ct = http::HeaderValue::from_str(&content_type).ok();
    if let Some(ct) = &header_ct {
        request
            .headers_mut()
            .insert(http::header::CONTENT_TYPE, ct.clone());
    }

    for auth in [signing::AuthMethod::Hmac, signing::AuthMethod::Basic] {
        let mut signed = request.clone();
        let outcome = signing::sign(&mut signed, &credentials, auth, &date, &nonce);
        if auth == signing::AuthMethod::Hmac && !credentials.can_sign_hmac() {
            // A key that is not base64 is for Basic only: HMAC refuses it
            // with a typed error and leaves the request unsigned.
            assert!(outcome.is_err(), "HMAC with a key that is not base64");
            assert!(!signed.headers().contains_key(http::header::AUTHORIZATION));
            continue;
        }
        assert!(outcome.is_ok(), "{auth:?}: {outcome:?}");
        let authorization = signed
            .headers()
            .get(http::header::AUTHORIZATION)
            .unwrap_or_else(|| panic!("{auth:?}: no Authorization header"));
        assert!(
            authorization.is_sensitive(),
            "Authorization is marked sensitive"
        );
        let expected = match auth {
            signing::AuthMethod::Hmac => {
                let ct = header_ct
                    .as_ref()
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                let sig = signing::hmac_signature(
                    &credentials,
                    method.as_str(),
                    ct,
                    &date,
                    &nonce,
                    body,
                    signed.uri().path(),
                )
                .unwrap_or_else(|e| panic!("a base64 key signs: {e}"));
                format!("TSA {customer_id}:{sig}")
            }
            signing::AuthMethod::Basic => signing::basic_authorization(&customer_id, &api_key),
        };
        assert_eq!(authorization.as_bytes(), expected.as_bytes(), "{auth:?}");
        let header = |name: &str| signed.headers().get(name).map(|v| v.as_bytes().to_vec());
        if http::HeaderValue::from_str(&date).is_ok() {
            assert_eq!(header("date"), Some(date.as_bytes().to_vec()));
        }
        match auth {
            signing::AuthMethod::Hmac => {
                assert_eq!(header("x-ts-auth-method"), Some(b"HMAC-SHA256".to_vec()));
                if http::HeaderValue::from_str(&nonce).is_ok() {
                    assert_eq!(header("x-ts-nonce"), Some(nonce.as_bytes().to_vec()));
                }
            }
            signing::AuthMethod::Basic => {
                assert_eq!(header("x-ts-nonce"), None, "Basic sends no nonce");
            }
        }
    }
}
