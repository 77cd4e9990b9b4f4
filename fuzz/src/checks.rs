//! The properties every fuzz target checks, shared with the seed replay test.
//!
//! Each `pub fn <target>(data: &[u8])` decodes the fuzzer's bytes into inputs,
//! runs the core and asserts the target's properties; a violated property is a
//! panic, which both libFuzzer and `cargo test` report. The rules are h11's:
//! any input parses or gives the typed error, never anything else; whatever the
//! core accepts yields a well-formed request, whatever it rejects yields a
//! `ValidationError` naming at least one field.
//!
//! This file is compiled twice: as `verify_fuzz::checks` (by the fuzz targets)
//! and as a module of `crates/verify-core/tests/fuzz_corpus.rs`. It may only
//! use `verify-core` and crates `verify-core` itself depends on.

#![allow(dead_code)]

use std::fmt::Debug;
use std::time::{Duration, SystemTime};

use verify_core::error::Excerpt;
use verify_core::telesign::signing;
use verify_core::{BaseUrl, Operation, Provider, ProviderConfig, Role, ValidationError};

/// A fuzz target's check: any input, and it panics only on a real bug.
pub type Check = fn(&[u8]);

/// Every fuzz target: its name (the file under `fuzz/fuzz_targets/` and the
/// folder under `fuzz/seeds/`) and its check.
pub const TARGETS: &[(&str, Check)] = &[
    ("base_url", base_url),
    ("dotdigital_send_code_request", dotdigital_send_code_request),
    (
        "dotdigital_send_code_response",
        dotdigital_send_code_response,
    ),
    (
        "dotdigital_validate_code_request",
        dotdigital_validate_code_request,
    ),
    (
        "dotdigital_validate_code_response",
        dotdigital_validate_code_response,
    ),
    ("excerpt", excerpt),
    ("neutral_check_request", neutral_check_request),
    ("neutral_response", neutral_response),
    ("neutral_start_request", neutral_start_request),
    ("telesign_call_request", telesign_call_request),
    ("telesign_callback", telesign_callback),
    ("telesign_completion_request", telesign_completion_request),
    ("telesign_send_response", telesign_send_response),
    ("telesign_signing", telesign_signing),
    ("telesign_sms_request", telesign_sms_request),
    ("telesign_status_request", telesign_status_request),
    ("telesign_status_response", telesign_status_response),
    ("verification_id", verification_id),
];

/// The fields of a multi-field input: NUL-separated, each read as lossy
/// UTF-8; missing fields are empty. Seeds stay readable and the fuzzer can
/// still reach every split.
pub struct Fields<'a> {
    parts: Vec<&'a [u8]>,
}

impl<'a> Fields<'a> {
    /// Splits `data` on NUL bytes.
    pub fn new(data: &'a [u8]) -> Self {
        Self {
            parts: data.split(|&b| b == 0).collect(),
        }
    }

    /// Field `i` as bytes (empty when absent).
    pub fn bytes(&self, i: usize) -> &'a [u8] {
        self.parts.get(i).copied().unwrap_or(&[])
    }

    /// Field `i` as text (lossy UTF-8, empty when absent).
    pub fn text(&self, i: usize) -> String {
        String::from_utf8_lossy(self.bytes(i)).into_owned()
    }

    /// Field `i` as a small number (its first byte, 0 when absent).
    pub fn byte(&self, i: usize) -> u8 {
        self.bytes(i).first().copied().unwrap_or(0)
    }
}

/// Encodes fields the way [`Fields`] decodes them (for the seed generator).
pub fn encode_fields(fields: &[&[u8]]) -> Vec<u8> {
    fields.join(&0u8)
}

/// A response from fuzzer bytes: `STATUS\nName: value\n...\n\nBODY`, like
/// HTTP/1.1 without the version. A first line that is not a status gives 200
/// and the whole input as the body; malformed header lines are skipped.
pub fn response(data: &[u8]) -> http::Response<&[u8]> {
    let mut builder = http::Response::builder();
    let mut body: &[u8] = data;
    if let Some(nl) = data.iter().position(|&b| b == b'\n') {
        let (first, rest) = data.split_at(nl);
        let rest = rest.get(1..).unwrap_or(&[]);
        let status = std::str::from_utf8(first)
            .ok()
            .and_then(|s| s.trim().parse::<u16>().ok())
            .and_then(|s| http::StatusCode::from_u16(s).ok());
        if let Some(status) = status {
            builder = builder.status(status);
            body = rest;
            // Headers until an empty line.
            while let Some(nl) = body.iter().position(|&b| b == b'\n') {
                let (line, after) = body.split_at(nl);
                let after = after.get(1..).unwrap_or(&[]);
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                body = after;
                if line.is_empty() {
                    break;
                }
                if let Some(colon) = line.iter().position(|&b| b == b':') {
                    let (name, value) = line.split_at(colon);
                    let value = value.get(1..).unwrap_or(&[]).trim_ascii();
                    if let (Ok(n), Ok(v)) = (
                        http::HeaderName::from_bytes(name.trim_ascii()),
                        http::HeaderValue::from_bytes(value),
                    ) {
                        builder = builder.header(n, v);
                    }
                }
            }
        }
    }
    builder
        .body(body)
        .unwrap_or_else(|_| http::Response::new(body))
}

/// Encodes a response the way [`response`] decodes it (for the seed generator).
pub fn encode_response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("{status}\n").into_bytes();
    for (n, v) in headers {
        out.extend_from_slice(format!("{n}: {v}\n").as_bytes());
    }
    out.push(b'\n');
    out.extend_from_slice(body);
    out
}

/// A parser must give a value or a typed error for any bytes, the same one
/// twice, and both must format without panicking. Returns the result for
/// operation-specific checks.
pub fn check_parse<O>(
    op: &O,
    provider: Provider,
    data: &[u8],
) -> Result<O::Output, verify_core::ResponseError>
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

/// The fixed date and nonce requests are signed with.
pub const NONCE: &str = "A1592C6F-E384-4CDB-BC42-C3AB970369E9";

/// 2016-12-14T18:20:12Z, the date of TeleSign's published signing vectors.
pub fn date() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_481_739_612)
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

/// A TeleSign customer id and base64 API key that are valid.
pub const TELESIGN_CUSTOMER_ID: &str = "FFFFFFFF-EEEE-DDDD-1234-AB1234567890";
/// The API key of TeleSign's published signing vectors.
pub const TELESIGN_API_KEY: &str =
    "EXAMPLETE8sTgg45yusumoN6BYsBVkh+yRJ5czgsnCehZaOYldPJdmFh6NeX8kunZ2zU1YWaUw/0wV6xfw==";

/// A TeleSign configuration on the loopback sandbox address.
pub fn telesign_config() -> ProviderConfig {
    let credentials =
        verify_core::telesign::Credentials::new(TELESIGN_CUSTOMER_ID, TELESIGN_API_KEY)
            .unwrap_or_else(|e| panic!("{e}"));
    let base = BaseUrl::allow_plain_http("http://127.0.0.1:1").unwrap_or_else(|e| panic!("{e}"));
    verify_core::telesign::Config::new(credentials)
        .with_base_url(base)
        .into()
}

/// A dotdigital configuration on the loopback sandbox address.
pub fn dotdigital_config() -> ProviderConfig {
    let credentials = verify_core::dotdigital::Credentials::new("fuzz-user", "fuzz-password")
        .unwrap_or_else(|e| panic!("{e}"));
    let base = BaseUrl::allow_plain_http("http://127.0.0.1:1").unwrap_or_else(|e| panic!("{e}"));
    verify_core::dotdigital::Config::new(credentials)
        .with_base_url(base)
        .into()
}

fn other_provider_config(p: Provider) -> ProviderConfig {
    match p {
        Provider::TeleSign => dotdigital_config(),
        Provider::Dotdigital => telesign_config(),
    }
}

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

/// Target `base_url`: fields `url, path`.
///
/// Any text is accepted or refused; an accepted base URL is https (unless
/// plain HTTP was allowed), has no trailing slash, and joining a path keeps
/// the base as the prefix.
pub fn base_url(data: &[u8]) {
    let f = Fields::new(data);
    let (url, path) = (f.text(0), f.text(1));
    let strict = BaseUrl::new(&url);
    let lax = BaseUrl::allow_plain_http(&url);
    if let Ok(b) = &strict {
        assert!(b.is_https());
        assert_eq!(
            lax.as_ref().ok(),
            Some(b),
            "allow_plain_http accepts every https URL"
        );
    }
    if let Ok(b) = &lax {
        let s = b.as_str();
        assert!(!s.ends_with('/'), "{s}: trailing slash");
        assert!(s.starts_with(if b.is_https() { "https://" } else { "http://" }));
        assert!(!s.contains('?'), "{s}: a query");
        let after_scheme = s.split_once("://").map_or("", |(_, rest)| rest);
        let authority = after_scheme.split('/').next().unwrap_or("");
        assert!(
            !authority.is_empty() && !authority.contains('@'),
            "{s}: user info"
        );
        assert_eq!(
            BaseUrl::allow_plain_http(s).as_ref(),
            Ok(b),
            "as_str round-trips"
        );
        let joined = b.join("/v1/verify/sms").to_string();
        assert_eq!(joined, format!("{s}/v1/verify/sms"));
        if http::uri::PathAndQuery::try_from(path.as_str()).is_ok() && path.starts_with('/') {
            // Only validated paths are documented to join; others must merely not panic.
            let _ = b.join(&path);
        }
    }
}

/// Target `excerpt`: any bytes give an excerpt of at most `MAX_CHARS`
/// characters (plus an ellipsis), without control characters and without a
/// run of three or more digits.
pub fn excerpt(data: &[u8]) {
    let e = Excerpt::new(data);
    let s = e.as_str();
    assert!(
        s.chars().count() <= Excerpt::MAX_CHARS + 1,
        "{s:?} is too long"
    );
    assert!(
        !s.chars().any(char::is_control),
        "{s:?} has control characters"
    );
    let mut run = 0;
    for c in s.chars() {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        assert!(run < 3, "{s:?} shows a run of digits");
    }
    assert_eq!(format!("{e}"), s);
}

/// A valid TeleSign reference id, for operations whose response is fuzzed.
pub const REFERENCE_ID: &str = "0123456789ABCDEF0123456789ABCDEF";
/// A valid dotdigital request id.
pub const REQUEST_ID: &str = "0bd57dc3-580c-4c1d-8aee-2ff79bd8633c";

fn role(b: u8) -> Role {
    if b & 1 == 0 {
        Role::Primary
    } else {
        Role::Backup
    }
}

fn reference_id() -> verify_core::telesign::ReferenceId {
    verify_core::telesign::ReferenceId::new(REFERENCE_ID).unwrap_or_else(|e| panic!("{e}"))
}

/// Target `telesign_send_response`: any response to an SMS or voice send
/// (same body, different operations) parses or gives a typed error.
pub fn telesign_send_response(data: &[u8]) {
    use verify_core::telesign::{SendCall, SendSms};
    let sms = check_parse(&SendSms::new("15555550100"), Provider::TeleSign, data);
    let call = check_parse(&SendCall::new("15555550100"), Provider::TeleSign, data);
    assert_eq!(
        sms.is_ok(),
        call.is_ok(),
        "SMS and voice read a send's answer alike"
    );
}

/// Target `telesign_status_response`: any response to a status query or a
/// completion parses or gives a typed error.
pub fn telesign_status_response(data: &[u8]) {
    use verify_core::telesign::{Complete, GetStatus};
    let status = GetStatus::new(reference_id()).verify_code(verify_core::Code::new("12345"));
    let _ = check_parse(&status, Provider::TeleSign, data);
    let _ = check_parse(&Complete::new(reference_id()), Provider::TeleSign, data);
}

/// Target `telesign_sms_request`: fields `phone_number, ucid,
/// originating_ip, language, verify_code, template, sender_id, flags,
/// template_limit, dlt_template_id, dlt_entity_id, transaction_amount,
/// transaction_payee, flags2`.
///
/// `flags`: 1 backup role, 2 sets `originating_ip`, 4 `language`, 8
/// `verify_code`, 16 `template`, 32 `sender_id`, 64 `is_primary` (its value
/// is bit 128; 128 alone means no flags, and is how a seed writes them, as
/// a 0 byte would be a field separator). `flags2`: 1 sets `template_limit` (a decimal number), 2
/// `dlt_template_id`, 4 `dlt_entity_id`, 8 `transaction_amount`, 16
/// `transaction_payee`, 32 `sim_swap_check` (its value is bit 64). A pair
/// given together goes through its builder (`dlt`, `transaction`), a lone
/// half is set on the field.
///
/// - the usual request properties ([`check_build`]), no code in the error
///   text ([`assert_no_secret`]), and `validate()` agrees with `to_request()`;
/// - an accepted request's form body decodes back to exactly the fields
///   given (`template_limit` is never sent; `is_primary` is `false` for a
///   backup unless given);
/// - the rules of the optional fields, checked independently: DLT ids and
///   transaction fields are 1 to 40 characters, the amount and the payee
///   only together, the template limit 1 to 1600 and the template within it;
///   a broken rule is refused naming the field, and an accepted request
///   breaks none.
pub fn telesign_sms_request(data: &[u8]) {
    use verify_core::telesign::SendSms;
    use verify_core::telesign::sms::{TEMPLATE_DEFAULT_MAX, TEMPLATE_LIMIT_MAX};
    let f = Fields::new(data);
    let code = f.text(4);
    let flags = f.byte(7);
    let flags2 = f.byte(13);
    let given = |on: bool, i: usize| on.then(|| f.text(i));
    let template_limit: Option<usize> =
        given(flags2 & 1 != 0, 8).and_then(|t| t.trim().parse().ok());
    let dlt_template_id = given(flags2 & 2 != 0, 9);
    let dlt_entity_id = given(flags2 & 4 != 0, 10);
    let amount = given(flags2 & 8 != 0, 11);
    let payee = given(flags2 & 16 != 0, 12);
    let sim_swap_check = (flags2 & 32 != 0).then_some(flags2 & 64 != 0);
    let ucid = f.text(1).parse::<verify_core::telesign::Ucid>().ok();
    let is_primary = (flags & 64 != 0).then_some(flags & 128 != 0);
    let make = |code: &str| {
        let mut op = SendSms::new(f.text(0));
        if let Some(ucid) = ucid {
            op = op.ucid(ucid);
        }
        if flags & 2 != 0 {
            op = op.originating_ip(f.text(2));
        }
        if flags & 4 != 0 {
            op = op.language(f.text(3));
        }
        if flags & 8 != 0 {
            op = op.verify_code(verify_core::Code::new(code));
        }
        if flags & 16 != 0 {
            op = op.template(f.text(5));
        }
        if let Some(limit) = template_limit {
            op = op.template_limit(limit);
        }
        if flags & 32 != 0 {
            op = op.sender_id(f.text(6));
        }
        if let Some(primary) = is_primary {
            op = op.is_primary(primary);
        }
        match (&dlt_template_id, &dlt_entity_id) {
            (Some(t), Some(e)) => op = op.dlt(t.clone(), e.clone()),
            (t, e) => {
                op.dlt_template_id = t.clone();
                op.dlt_entity_id = e.clone();
            }
        }
        match (&amount, &payee) {
            (Some(a), Some(p)) => op = op.transaction(a.clone(), p.clone()),
            (a, p) => {
                op.transaction_amount = a.clone();
                op.transaction_payee = p.clone();
            }
        }
        if let Some(check) = sim_swap_check {
            op = op.sim_swap_check(check);
        }
        op
    };
    let op = make(&code);
    let role = role(flags);
    let built = check_build(&op, &telesign_config(), role);
    assert_eq!(
        built.is_ok(),
        op.validate().is_ok(),
        "validate() and to_request() agree"
    );

    // The rules of the optional fields, computed here from the inputs.
    let mut broken: Vec<&str> = Vec::new();
    let within = |v: &Option<String>, max: usize| {
        v.as_ref()
            .is_none_or(|s| !s.is_empty() && s.chars().count() <= max)
    };
    for (field, value) in [
        ("dlt_template_id", &dlt_template_id),
        ("dlt_entity_id", &dlt_entity_id),
        ("transaction_amount", &amount),
        ("transaction_payee", &payee),
    ] {
        if !within(value, 40) {
            broken.push(field);
        }
    }
    match (&amount, &payee) {
        (Some(_), None) => broken.push("transaction_payee"),
        (None, Some(_)) => broken.push("transaction_amount"),
        _ => {}
    }
    let limit = template_limit.unwrap_or(TEMPLATE_DEFAULT_MAX);
    let template = (flags & 16 != 0).then(|| f.text(5));
    if !(1..=TEMPLATE_LIMIT_MAX).contains(&limit)
        || template
            .as_ref()
            .is_some_and(|t| t.contains("$$CODE$$") && t.chars().count() > limit)
    {
        broken.push("template");
    }
    match &built {
        Ok(request) => {
            assert!(broken.is_empty(), "accepted, breaking {broken:?}");
            // The body decodes back to exactly the fields given.
            let mut sent: Vec<(String, String)> = serde_urlencoded::from_bytes(request.body())
                .unwrap_or_else(|e| panic!("the form body does not decode: {e}"));
            let bool_str = |b: bool| if b { "true" } else { "false" }.to_owned();
            let optional = [
                ("ucid", ucid.map(|u| u.as_str().to_owned())),
                ("originating_ip", given(flags & 2 != 0, 2)),
                ("language", given(flags & 4 != 0, 3)),
                ("verify_code", (flags & 8 != 0).then(|| code.clone())),
                ("template", template.clone()),
                ("sender_id", given(flags & 32 != 0, 6)),
                (
                    "is_primary",
                    match (is_primary, role) {
                        (Some(b), _) => Some(bool_str(b)),
                        (None, Role::Backup) => Some(bool_str(false)),
                        (None, Role::Primary) => None,
                    },
                ),
                ("dlt_template_id", dlt_template_id.clone()),
                ("dlt_entity_id", dlt_entity_id.clone()),
                ("transaction_amount", amount.clone()),
                ("transaction_payee", payee.clone()),
                ("sim_swap_check", sim_swap_check.map(bool_str)),
            ];
            let mut expected = vec![("phone_number".to_owned(), f.text(0))];
            for (name, value) in optional {
                if let Some(value) = value {
                    expected.push((name.to_owned(), value));
                }
            }
            sent.sort();
            expected.sort();
            // Not compared with `assert_eq!`, whose message would show the code.
            assert!(
                sent == expected,
                "the form body decodes to fields {:?}, not {:?}",
                sent.iter().map(|(k, _)| k).collect::<Vec<_>>(),
                expected.iter().map(|(k, _)| k).collect::<Vec<_>>()
            );
        }
        Err(e) => {
            for field in &broken {
                assert!(e.fields().any(|f| f == *field), "{field} is not named: {e}");
            }
        }
    }
    assert_no_secret(make, &code, &telesign_config(), role);
}

/// Target `telesign_call_request`: fields `phone_number, ucid,
/// originating_ip, language, verify_code, tts_message, flags`.
pub fn telesign_call_request(data: &[u8]) {
    use verify_core::telesign::SendCall;
    let f = Fields::new(data);
    let code = f.text(4);
    let flags = f.byte(6);
    let make = |code: &str| {
        let mut op = SendCall::new(f.text(0));
        if let Ok(ucid) = f.text(1).parse() {
            op = op.ucid(ucid);
        }
        if flags & 2 != 0 {
            op = op.originating_ip(f.text(2));
        }
        if flags & 4 != 0 {
            op = op.language(f.text(3));
        }
        if flags & 8 != 0 {
            op = op.verify_code(verify_core::Code::new(code));
        }
        if flags & 16 != 0 {
            op = op.tts_message(f.text(5));
        }
        op
    };
    let op = make(&code);
    let built = check_build(&op, &telesign_config(), role(flags));
    assert_eq!(
        built.is_ok(),
        op.validate().is_ok(),
        "validate() and to_request() agree"
    );
    assert_no_secret(make, &code, &telesign_config(), role(flags));
}

/// Target `telesign_status_request`: fields `reference_id, verify_code,
/// flags`. A refused id is a `ValidationError` naming `reference_id`.
pub fn telesign_status_request(data: &[u8]) {
    use verify_core::telesign::{GetStatus, ReferenceId};
    let f = Fields::new(data);
    let (id, code) = (f.text(0), f.text(1));
    let id = match ReferenceId::new(&id) {
        Ok(id) => id,
        Err(e) => {
            assert!(e.fields().eq(["reference_id"]), "{e}");
            return;
        }
    };
    let with_code = f.byte(2) & 2 != 0;
    let make = |code: &str| {
        let op = GetStatus::new(id.clone());
        if with_code {
            op.verify_code(verify_core::Code::new(code))
        } else {
            op
        }
    };
    if let Ok(request) = check_build(&make(&code), &telesign_config(), role(f.byte(2))) {
        assert_eq!(request.method(), http::Method::GET);
    }
    assert_no_secret(make, &code, &telesign_config(), role(f.byte(2)));
}

/// Target `telesign_completion_request`: field `reference_id`.
pub fn telesign_completion_request(data: &[u8]) {
    use verify_core::telesign::{Complete, ReferenceId};
    let f = Fields::new(data);
    match ReferenceId::new(&f.text(0)) {
        Ok(id) => {
            let request = check_build(&Complete::new(id), &telesign_config(), Role::Primary)
                .unwrap_or_else(|e| panic!("a valid reference id is refused: {e}"));
            assert_eq!(request.method(), http::Method::PUT);
        }
        Err(e) => assert!(e.fields().eq(["reference_id"]), "{e}"),
    }
}

/// Target `telesign_callback`: fields `header_mode, header_value, body`.
///
/// Signature checking and parsing never panic; the body signed with the
/// right key is always accepted (in every documented header form) and any
/// other signature refused; `parse_callback` succeeds exactly when both
/// steps do.
pub fn telesign_callback(data: &[u8]) {
    use verify_core::telesign::Credentials;
    use verify_core::telesign::callback::{self, CallbackRejection, X_TS_AUTHORIZATION};
    let f = Fields::new(data);
    let (mode, value, body) = (f.byte(0), f.bytes(1), f.bytes(2));
    let credentials =
        Credentials::new(TELESIGN_CUSTOMER_ID, TELESIGN_API_KEY).unwrap_or_else(|e| panic!("{e}"));

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
    if body.len() > verify_core::telesign::response::MAX_BODY_BYTES {
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
fn decoded_test_key() -> Vec<u8> {
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

/// Target `dotdigital_send_code_response`.
pub fn dotdigital_send_code_response(data: &[u8]) {
    let op = verify_core::dotdigital::SendCode::new("447700900123", "Example");
    let _ = check_parse(&op, Provider::Dotdigital, data);
}

/// Target `dotdigital_validate_code_response`.
pub fn dotdigital_validate_code_response(data: &[u8]) {
    let id = verify_core::dotdigital::RequestId::new(REQUEST_ID).unwrap_or_else(|e| panic!("{e}"));
    let op = verify_core::dotdigital::ValidateCode::new(id, verify_core::Code::new("123456"));
    let _ = check_parse(&op, Provider::Dotdigital, data);
}

/// Target `dotdigital_send_code_request`: fields `to, from,
/// country_iso_code, body, valid_until_offset, flags` where the offset is a
/// signed number of seconds from a fixed `now`.
pub fn dotdigital_send_code_request(data: &[u8]) {
    use verify_core::dotdigital::SendCode;
    let f = Fields::new(data);
    let flags = f.byte(5);
    let mut op = SendCode::new(f.text(0), f.text(1));
    if flags & 2 != 0 {
        op = op.country_iso_code(f.text(2));
    }
    if flags & 4 != 0 {
        op = op.body(f.text(3));
    }
    if flags & 8 != 0 {
        let offset: i64 = f.text(4).trim().parse().unwrap_or(0);
        let now = date();
        let until = if offset >= 0 {
            now.checked_add(Duration::from_secs(offset.unsigned_abs()))
        } else {
            now.checked_sub(Duration::from_secs(offset.unsigned_abs()))
        };
        if let Some(until) = until {
            op = op.valid_until(until, now);
        }
    }
    let _ = check_build(&op, &dotdigital_config(), role(flags));
}

/// Target `dotdigital_validate_code_request`: fields `request_id, code`.
pub fn dotdigital_validate_code_request(data: &[u8]) {
    use verify_core::dotdigital::{RequestId, ValidateCode};
    let f = Fields::new(data);
    let code = f.text(1);
    let id = match RequestId::new(f.text(0)) {
        Ok(id) => id,
        Err(e) => {
            assert!(e.fields().eq(["requestId"]), "{e}");
            return;
        }
    };
    let make = |code: &str| ValidateCode::new(id.clone(), verify_core::Code::new(code));
    let _ = check_build(&make(&code), &dotdigital_config(), Role::Primary);
    assert_no_secret(make, &code, &dotdigital_config(), Role::Primary);
}

/// The fields a neutral `Start` error may name (its documented vocabulary).
const NEUTRAL_START_FIELDS: &[&str] = &["phone_number", "code", "template", "sender"];

/// Target `neutral_start_request`: fields `phone_number, code, template,
/// sender, flags` (flags: 2 sets the code, 4 the template, 8 the sender).
///
/// Built for TeleSign and dotdigital, as primary and as backup:
/// - the usual request properties ([`check_build`]) and no code in the error
///   text ([`assert_no_secret`]);
/// - an error names each field once, only in neutral words;
/// - an accepted start is exactly the provider operation's request, and a
///   request the provider operation refuses is refused;
/// - a phone number that is not 7 to 15 digits (no leading 0), a template
///   without `{code}`, and a code for dotdigital are refused naming the field.
pub fn neutral_start_request(data: &[u8]) {
    use verify_core::neutral::{CODE_PLACEHOLDER, Start};
    let f = Fields::new(data);
    let (phone, code, template, sender) = (f.text(0), f.text(1), f.text(2), f.text(3));
    let flags = f.byte(4);
    let make = |code: &str| {
        let mut op = Start::new(phone.clone());
        if flags & 2 != 0 {
            op = op.code(verify_core::Code::new(code));
        }
        if flags & 4 != 0 {
            op = op.template(template.clone());
        }
        if flags & 8 != 0 {
            op = op.sender(sender.clone());
        }
        op
    };
    let op = make(&code);
    let phone_ok = (7..=15).contains(&phone.len())
        && phone.bytes().all(|b| b.is_ascii_digit())
        && !phone.starts_with('0');
    let template_ok = flags & 4 == 0 || template.contains(CODE_PLACEHOLDER);
    for config in [telesign_config(), dotdigital_config()] {
        let dotdigital = config.provider() == Provider::Dotdigital;
        for role in [Role::Primary, Role::Backup] {
            let built = check_build(&op, &config, role);
            let direct = if dotdigital {
                op.dotdigital().to_request(&config, role)
            } else {
                op.telesign().to_request(&config, role)
            };
            match &built {
                Ok(request) => {
                    let direct = direct.unwrap_or_else(|e| {
                        panic!("neutral start accepted what the provider refuses: {e}")
                    });
                    assert_eq!(request.method(), direct.method());
                    assert_eq!(request.uri(), direct.uri());
                    assert_eq!(request.headers(), direct.headers());
                    assert_eq!(request.body(), direct.body());
                }
                Err(e) => {
                    let fields: Vec<&str> = e.fields().collect();
                    for (i, field) in fields.iter().enumerate() {
                        assert!(
                            NEUTRAL_START_FIELDS.contains(field),
                            "{field} is not a neutral field: {e}"
                        );
                        assert!(!fields[..i].contains(field), "{field} named twice: {e}");
                    }
                    assert!(
                        phone_ok || fields.contains(&"phone_number"),
                        "a refused phone number is not named: {e}"
                    );
                    assert!(
                        template_ok || fields.contains(&"template"),
                        "a refused template is not named: {e}"
                    );
                }
            }
            if !phone_ok || !template_ok || (dotdigital && flags & 2 != 0) {
                assert!(built.is_err(), "an invalid start was accepted");
            }
            if dotdigital && flags & 2 != 0 {
                let e = built.as_ref().err().unwrap_or_else(|| unreachable!());
                assert!(e.fields().any(|f| f == "code"), "{e}");
            }
            assert_no_secret(make, &code, &config, role);
        }
    }
}

/// Target `neutral_response`: any response, read as the answer to a neutral
/// `Start` and a neutral `Check` at either provider, gives a value or a
/// typed error ([`check_parse`]), and agrees with the provider operation it
/// wraps: a start at a provider yields an id of that provider, and the
/// neutral operation fails only where the provider's own parse does (or, for
/// a TeleSign start, where the answer has no `reference_id`).
pub fn neutral_response(data: &[u8]) {
    use verify_core::dotdigital::{RequestId, ValidateCode};
    use verify_core::neutral::{Check, CheckOutcome, Start};
    use verify_core::telesign::GetStatus;
    let code = verify_core::Code::new("123456");

    let start = Start::new("447700900123").sender("Example");
    for provider in [Provider::TeleSign, Provider::Dotdigital] {
        let neutral = check_parse(&start, provider, data);
        let direct_ok = match provider {
            Provider::TeleSign => start
                .telesign()
                .parse_response(provider, response(data))
                .is_ok(),
            Provider::Dotdigital => start
                .dotdigital()
                .parse_response(provider, response(data))
                .is_ok(),
        };
        match &neutral {
            Ok(started) => {
                assert!(direct_ok, "neutral start read what {provider} refuses");
                assert_eq!(started.id.provider(), provider);
                if provider == Provider::Dotdigital {
                    assert!(started.message_may_have_been_sent);
                }
            }
            Err(_) if provider == Provider::Dotdigital => {
                assert!(!direct_ok, "neutral start refused what dotdigital reads");
            }
            Err(_) => {}
        }
    }

    let ts_id = reference_id();
    let check = Check::new(ts_id.clone().into(), code.clone());
    let neutral = check_parse(&check, Provider::TeleSign, data);
    let direct = GetStatus::new(ts_id)
        .verify_code(code.clone())
        .parse_response(Provider::TeleSign, response(data));
    if direct.is_ok() {
        assert!(neutral.is_ok(), "neutral check refused what TeleSign reads");
    }
    if let Ok(CheckOutcome::Unknown(text)) = &neutral {
        assert!(!text.is_empty());
    }

    let dd_id = RequestId::new(REQUEST_ID).unwrap_or_else(|e| panic!("{e}"));
    let check = Check::new(dd_id.clone().into(), code.clone());
    let neutral = check_parse(&check, Provider::Dotdigital, data);
    let direct =
        ValidateCode::new(dd_id, code).parse_response(Provider::Dotdigital, response(data));
    assert_eq!(
        neutral.is_ok(),
        direct.is_ok(),
        "neutral check and dotdigital disagree"
    );
}

/// Whether `s` is a TeleSign reference id (32 hexadecimal digits), computed
/// independently of the core.
fn is_reference_id(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether `s` is a dotdigital request id (a GUID, 8-4-4-4-12 hexadecimal
/// digits), computed independently of the core.
fn is_request_id(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whether `provider:id` names a verification, computed independently.
fn is_verification_id(provider: &str, id: &str) -> bool {
    match provider {
        "telesign" => is_reference_id(id),
        "dotdigital" => is_request_id(id),
        _ => false,
    }
}

/// The fields a refused `VerificationId` may name.
const VERIFICATION_ID_FIELDS: &[&str] = &["verification_id", "reference_id", "requestId"];

/// Target `verification_id`: the input (lossy UTF-8) parsed as the text
/// form `provider:id`, and the same bytes read as its JSON form.
///
/// - the text parses exactly when it is `telesign:<32 hex digits>` or
///   `dotdigital:<GUID>`; a refusal is a `ValidationError` naming the id;
/// - whatever parses (either way) prints back as `provider:id`, serializes
///   as `{"provider":..,"id":..}`, and both forms parse back to an equal id;
///   the text form prints back to exactly the input (letter case is kept);
/// - a JSON object of exactly `provider` and `id` strings reads as the
///   same id as its text form, or is refused where the text form is.
pub fn verification_id(data: &[u8]) {
    use verify_core::neutral::VerificationId;

    fn round_trip(id: &VerificationId) {
        let shown = id.to_string();
        assert_eq!(shown, format!("{}:{}", id.provider(), id.as_str()));
        assert!(is_verification_id(&id.provider().to_string(), id.as_str()));
        let again: VerificationId = shown
            .parse()
            .unwrap_or_else(|e| panic!("{shown} does not parse back: {e}"));
        assert_eq!(&again, id, "Display round-trip");
        let json = serde_json::to_string(id).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            json,
            format!(
                r#"{{"provider":"{}","id":"{}"}}"#,
                id.provider(),
                id.as_str()
            )
        );
        let again: VerificationId = serde_json::from_str(&json)
            .unwrap_or_else(|e| panic!("{json} does not deserialize back: {e}"));
        assert_eq!(&again, id, "serde round-trip");
    }

    let text = String::from_utf8_lossy(data);
    let parsed = text.parse::<VerificationId>();
    let expected = text
        .split_once(':')
        .is_some_and(|(p, id)| is_verification_id(p, id));
    match &parsed {
        Ok(id) => {
            assert!(expected, "{text:?} parsed");
            assert_eq!(id.to_string(), text, "printing gives back the input");
            round_trip(id);
        }
        Err(e) => {
            assert!(!expected, "{text:?} is refused: {e}");
            assert!(!e.errors().is_empty(), "a ValidationError names a field");
            for field in e.fields() {
                assert!(VERIFICATION_ID_FIELDS.contains(&field), "{field}: {e}");
            }
            let _ = format!("{e} {e:?}");
        }
    }

    let from_json = serde_json::from_slice::<VerificationId>(data);
    if let Ok(id) = &from_json {
        round_trip(id);
    }
    if let Err(e) = &from_json {
        let _ = format!("{e}");
    }
    // The documented JSON form reads exactly as its text form, and a key
    // given twice is refused (two readers must never see two different ids).
    let pairs = json_object_pairs(data);
    if let Some(pairs) = &pairs {
        let mut keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
        keys.sort_unstable();
        if keys.windows(2).any(|w| w[0] == w[1]) {
            assert!(
                from_json.is_err(),
                "a duplicate key is refused: {from_json:?}"
            );
        }
    }
    let documented = match pairs.as_deref() {
        Some(
            [
                (k1, serde_json::Value::String(p)),
                (k2, serde_json::Value::String(id)),
            ],
        ) if k1 == "provider" && k2 == "id" => Some(format!("{p}:{id}")),
        Some(
            [
                (k1, serde_json::Value::String(id)),
                (k2, serde_json::Value::String(p)),
            ],
        ) if k1 == "id" && k2 == "provider" => Some(format!("{p}:{id}")),
        _ => None,
    };
    if let Some(as_text) = documented {
        match (&from_json, &as_text.parse::<VerificationId>()) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "JSON and text forms differ"),
            (Err(_), Err(_)) => {}
            (a, b) => panic!("JSON {a:?} but text {b:?}"),
        }
    }
}

/// Every key of a JSON object with its value, in order and duplicates kept
/// (a `serde_json::Value` keeps only the last of a duplicate key); `None`
/// when `data` is not a JSON object.
fn json_object_pairs(data: &[u8]) -> Option<Vec<(String, serde_json::Value)>> {
    struct Pairs(Vec<(String, serde_json::Value)>);
    impl<'de> serde::Deserialize<'de> for Pairs {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct Visitor;
            impl<'de> serde::de::Visitor<'de> for Visitor {
                type Value = Pairs;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("a JSON object")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<Pairs, A::Error> {
                    let mut pairs = Vec::new();
                    while let Some(entry) = map.next_entry()? {
                        pairs.push(entry);
                    }
                    Ok(Pairs(pairs))
                }
            }
            d.deserialize_map(Visitor)
        }
    }
    serde_json::from_slice::<Pairs>(data).ok().map(|p| p.0)
}

/// Target `neutral_check_request`: fields `id, code, flags` where `id` is a
/// `VerificationId` in its text form (`telesign:<reference_id>`,
/// `dotdigital:<requestId>`). An id that does not parse is replaced by a
/// fixed valid one (TeleSign's, or dotdigital's with flag 2) so the code is
/// still exercised; flag 1 is the backup role.
///
/// Built with the configuration of the id's provider:
/// - the usual request properties ([`check_build`], which also has another
///   provider's configuration refused naming `provider`) and no code in the
///   error text ([`assert_no_secret`]);
/// - the code is accepted exactly when it can be right for the provider
///   (TeleSign: 3 to 7 digits; dotdigital: 1 to 32 ASCII letters or digits),
///   and a refusal names only `code`;
/// - an accepted check is exactly the provider operation's request: TeleSign
///   `GET /v1/verify/{reference_id}?verify_code={code}`, dotdigital
///   `PUT /WebApi/Verify/{requestId}/validate` with `{"code": ..}`.
pub fn neutral_check_request(data: &[u8]) {
    use verify_core::dotdigital::{RequestId, ValidateCode};
    use verify_core::neutral::{Check, VerificationId};
    use verify_core::telesign::GetStatus;
    let f = Fields::new(data);
    let (text, code, flags) = (f.text(0), f.text(1), f.byte(2));
    let id: VerificationId = match text.parse() {
        Ok(id) => id,
        Err(_) if flags & 2 == 0 => reference_id().into(),
        Err(_) => RequestId::new(REQUEST_ID)
            .unwrap_or_else(|e| panic!("{e}"))
            .into(),
    };
    let make = |code: &str| Check::new(id.clone(), verify_core::Code::new(code));
    let op = make(&code);
    assert_eq!(op.provider(), Some(id.provider()));
    assert_eq!(op.id(), &id);
    let (config, code_ok) = match id.provider() {
        Provider::TeleSign => (
            telesign_config(),
            (3..=7).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit()),
        ),
        Provider::Dotdigital => (
            dotdigital_config(),
            (1..=32).contains(&code.chars().count())
                && code.bytes().all(|b| b.is_ascii_alphanumeric()),
        ),
    };
    let role = role(flags);
    let built = check_build(&op, &config, role);
    let direct = match &id {
        VerificationId::TeleSign(r) => GetStatus::new(r.clone())
            .verify_code(verify_core::Code::new(&code))
            .to_request(&config, role),
        VerificationId::Dotdigital(r) => {
            ValidateCode::new(r.clone(), verify_core::Code::new(&code)).to_request(&config, role)
        }
    };
    assert_eq!(
        built.is_ok(),
        code_ok,
        "the code's rule for {}",
        id.provider()
    );
    match &built {
        Ok(request) => {
            let direct = direct
                .unwrap_or_else(|e| panic!("the check accepted what the provider refuses: {e}"));
            assert_eq!(request.method(), direct.method());
            assert_eq!(request.uri(), direct.uri());
            assert_eq!(request.headers(), direct.headers());
            assert!(request.body() == direct.body(), "the bodies differ");
            let base = config.base_url().as_str();
            let uri = request.uri().to_string();
            match &id {
                VerificationId::TeleSign(r) => {
                    assert_eq!(request.method(), http::Method::GET);
                    assert!(
                        uri == format!("{base}/v1/verify/{}?verify_code={code}", r.as_str()),
                        "not the status query of {}",
                        r.as_str()
                    );
                    assert!(request.body().is_empty());
                }
                VerificationId::Dotdigital(r) => {
                    assert_eq!(request.method(), http::Method::PUT);
                    assert_eq!(uri, format!("{base}/WebApi/Verify/{}/validate", r.as_str()));
                    let body: serde_json::Value = serde_json::from_slice(request.body())
                        .unwrap_or_else(|e| panic!("the JSON body does not parse: {e}"));
                    assert!(
                        body == serde_json::json!({ "code": code }),
                        "the body is not {{\"code\": ..}}"
                    );
                }
            }
        }
        Err(e) => {
            assert!(
                direct.is_err(),
                "the check refused what the provider accepts"
            );
            assert!(e.fields().eq(["code"]), "{e}");
        }
    }
    assert_no_secret(make, &code, &config, role);
}
