//! The properties every request builder and every parser shares, whatever
//! the operation: parsing is total and deterministic, building gives a
//! well-formed request or a `ValidationError` naming fields, another
//! provider's configuration is refused, and no error text shows a secret.

use std::fmt::Debug;

use verify_core::{Operation, Provider, ProviderConfig, ResponseError, Role, ValidationError};

use super::input::response;
use super::settings::{NONCE, date, other_provider_config};

/// A parser must give a value or a typed error for any bytes, the same one
/// twice, and both must format without panicking. Returns the result for
/// operation-specific checks.
pub fn check_parse<O>(op: &O, provider: Provider, data: &[u8]) -> Result<O::Output, ResponseError>
where
    O: Operation,
    O::Output: Debug,
{
    let first = op.parse_response(provider, response(data));
    let second = op.parse_response(provider, response(data));
    assert_eq!(
        format!("{first:?}"),
        format!("{second:?}"),
        "parsing is not deterministic"
    );
    if let Err(e) = &first {
        let shown = e.to_string();
        assert!(!shown.is_empty());
        // The accessors a transport's retry policy relies on must not panic.
        let _ = (
            e.is_temporary(),
            e.is_rate_limited(),
            e.retry_after(),
            e.http_status(),
        );
        let _ = e.message_may_have_been_sent();
    }
    first
}

/// Whatever `to_request` accepts must be a well-formed request under the
/// configured base URL that signs cleanly; whatever it rejects must be a
/// `ValidationError` naming at least one field (see [`assert_no_secret`] for
/// the secrecy of its text).
pub fn check_build<O: Operation>(
    op: &O,
    config: &ProviderConfig,
    role: Role,
) -> Result<http::Request<Vec<u8>>, ValidationError> {
    let built = op.to_request(config, role);
    match &built {
        Ok(request) => {
            let mut request = request.clone();
            assert_well_formed(&request, config);
            config
                .authorize(&mut request, date(), NONCE)
                .unwrap_or_else(|e| panic!("the test settings sign: {e}"));
            assert!(
                request.headers().contains_key(http::header::AUTHORIZATION),
                "a signed request has an Authorization header"
            );
        }
        Err(e) => {
            assert!(!e.errors().is_empty(), "a ValidationError names a field");
            for f in e.errors() {
                assert!(!f.field.is_empty() && !f.rule.is_empty(), "{f:?}");
            }
        }
    }
    // The same operation for the other provider is refused, naming `provider`.
    if let Some(p) = op.provider() {
        let other = other_provider_config(p);
        let e = op
            .to_request(&other, role)
            .err()
            .unwrap_or_else(|| panic!("a {p} operation accepted another provider's config"));
        assert!(e.fields().any(|f| f == "provider"), "{e}");
    }
    built
}

/// A built request: a method with the right body, an absolute URI under the
/// base URL, a body matching its content type.
pub fn assert_well_formed(request: &http::Request<Vec<u8>>, config: &ProviderConfig) {
    let uri = request.uri().to_string();
    assert!(
        uri.starts_with(config.base_url().as_str()),
        "{uri} is not under {}",
        config.base_url()
    );
    let rest = &uri[config.base_url().as_str().len()..];
    assert!(rest.starts_with('/'), "{uri}: the path must start with /");
    assert!(request.uri().scheme().is_some() && request.uri().authority().is_some());
    let content_type = request.headers().get(http::header::CONTENT_TYPE).map(|v| {
        v.to_str()
            .unwrap_or_else(|_| panic!("non-ASCII content type"))
            .to_owned()
    });
    let body = request.body();
    match request.method().as_str() {
        "GET" | "DELETE" => assert!(
            body.is_empty(),
            "a {} request has no body",
            request.method()
        ),
        "POST" | "PUT" | "PATCH" => {}
        m => panic!("unexpected method {m}"),
    }
    if !body.is_empty() {
        let ct = content_type.unwrap_or_else(|| panic!("a body without a content type"));
        if ct.starts_with("application/json") {
            assert!(
                serde_json::from_slice::<serde_json::Value>(body).is_ok(),
                "the JSON body does not parse"
            );
        } else if ct.starts_with("application/x-www-form-urlencoded") {
            assert!(
                serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).is_ok(),
                "the form body does not parse"
            );
            assert!(
                body.iter().all(|b| b.is_ascii_graphic()),
                "a form body is percent-encoded ASCII"
            );
        } else {
            panic!("unexpected content type {ct}");
        }
    }
}

/// Fails when the error text of `make(secret)` shows the secret.
///
/// An occurrence only counts when it follows the value: the same operation
/// built with a same-shaped secret (every digit and letter changed) must not
/// show the original any more. This keeps a secret that happens to spell part
/// of a fixed rule ("must be 1 to 32 letters") from being a false alarm.
pub fn assert_no_secret<O: Operation>(
    make: impl Fn(&str) -> O,
    secret: &str,
    config: &ProviderConfig,
    role: Role,
) {
    if secret.chars().count() < 4 {
        return;
    }
    let text = |op: &O| {
        op.to_request(config, role)
            .err()
            .map(|e| format!("{e} {e:?}"))
            .unwrap_or_default()
    };
    if !text(&make(secret)).contains(secret) {
        return;
    }
    let other: String = secret
        .chars()
        .map(|c| match c {
            '0'..='8' | 'a'..='y' | 'A'..='Y' => char::from(c as u8 + 1),
            '9' => '0',
            'z' => 'a',
            'Z' => 'A',
            c => c,
        })
        .collect();
    let shown = text(&make(&other));
    assert!(
        shown.is_empty() || shown.contains(secret) || !shown.contains(&other),
        "a secret leaked into {shown:?}"
    );
}
