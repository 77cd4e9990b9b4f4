//! TeleSign's Verify API: the create and finalize (and retrieve) request
//! builders, and every parser of its answers (create, retrieve, finalize,
//! callbacks), each checked against the rules of PROVIDERS.md section 4 and
//! docs/PROTOCOL-DECISIONS.md ("TeleSign Verify API"), written out here
//! independently of the core's validator and parser.

use verify_core::telesign::{AuthMethod, ReferenceId, signing};
use verify_core::telesign_verify::StatusCode;
use verify_core::telesign_verify::{
    CreateVerification, Finalization, FinalizeVerification, GetVerification, PolicyStep,
};
use verify_core::{Code, Operation, Provider, ProviderConfig, ResponseError};

use super::callback::decoded_test_key;
use super::input::{Fields, response};
use super::properties::{check_build, check_parse};
use super::settings::{
    NONCE, TELESIGN_API_KEY, TELESIGN_CUSTOMER_ID, date, reference_id, role, telesign_config,
    telesign_credentials, telesign_verify_config,
};

/// The `Date` header [`date`] is signed as.
const DATE: &str = "Wed, 14 Dec 2016 18:20:12 GMT";

/// The largest create body the Verify API takes: 10 KB.
const MAX_BODY: usize = 10 * 1024;

/// The documented methods, as the API spells them.
const METHODS: &[&str] = &[
    "sms", "voice", "email", "whatsapp", "viber", "rcs", "silent", "push",
];

/// The methods that reach a phone number (every one but email and push).
const PHONE_METHODS: &[&str] = &["sms", "voice", "whatsapp", "viber", "rcs", "silent"];

/// The fields a refused create may name: the documented request fields and
/// the whole body.
const CREATE_FIELDS: &[&str] = &[
    "phone_number",
    "email",
    "push_app_token",
    "verification_policy",
    "security_factor",
    "external_id",
    "message_template",
    "body",
];

/// The documented refusals (PROVIDERS.md section 4, "Status codes"): 31xx,
/// 32xx, 3400, 3906, 3116 and 3072 refused, 3204, 3500 and 3041 refused for
/// now; a create refused with any of them sent nothing.
const REFUSAL_CODES: &[i64] = &[
    3101, 3103, 3110, 3119, 3302, 3309, 3400, 3906, 3203, 3116, 3072, 3204, 3500, 3041,
];

fn is_refusal(code: i64) -> bool {
    REFUSAL_CODES.contains(&code)
}

/// Whether `s` is `min..=max` ASCII digits.
fn digits(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// A policy step from a field: `method` or `method:fallback_seconds` (a
/// suffix that is not a `u32` stays part of the method).
fn step(text: &str) -> PolicyStep {
    use verify_core::telesign_verify::Method;
    match text.rsplit_once(':') {
        Some((method, secs)) if secs.parse::<u32>().is_ok() => {
            PolicyStep::with_fallback(Method::parse(method), secs.parse().unwrap_or(0))
        }
        _ => PolicyStep::new(Method::parse(text)),
    }
}

/// The documented spelling of a method name (ASCII case ignored), if any.
fn documented_method(text: &str) -> Option<&'static str> {
    METHODS
        .iter()
        .copied()
        .find(|m| text.eq_ignore_ascii_case(m))
}

/// An email address as the rules define it: `local@domain.tld` in printable
/// ASCII, at most 254 characters; the local part 1 to 64 characters without
/// `@()<>,;:\"[]`; the domain two or more labels of 1 to 63 letters, digits
/// and hyphens, no label starting or ending with a hyphen.
fn is_email(e: &str) -> bool {
    let Some(at) = e.find('@') else {
        return false;
    };
    let (local, domain) = (&e[..at], &e[at + 1..]);
    let labels: Vec<&str> = domain.split('.').collect();
    e.len() <= 254
        && (1..=64).contains(&local.len())
        && local
            .bytes()
            .all(|b| (0x21..=0x7e).contains(&b) && !b"@()<>,;:\\\"[]".contains(&b))
        && labels.len() >= 2
        && labels.iter().all(|l| {
            (1..=63).contains(&l.len())
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

/// Fails when a secret shows in `text_for(secret)` because of the secret:
/// the same input with a same-shaped secret (every digit and letter changed)
/// must not show the changed one. A secret that happens to spell part of a
/// fixed text ("at most 100", a reference id) is no false alarm.
fn assert_hidden(text_for: impl Fn(&str) -> String, secret: &str, what: &str) {
    if secret.is_empty() || !text_for(secret).contains(secret) {
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
    let shown = text_for(&other);
    assert!(
        shown.contains(secret) || !shown.contains(&other),
        "the code shows in {what}"
    );
}

/// Both ways of authenticating a Verify API request, with the test
/// credentials.
fn auth_configs() -> [(AuthMethod, ProviderConfig); 2] {
    [AuthMethod::Hmac, AuthMethod::Basic].map(|auth| {
        let config = match telesign_verify_config() {
            ProviderConfig::TeleSignVerify(c) => c,
            _ => unreachable!("telesign_verify_config is a Verify API configuration"),
        };
        (auth, config.with_auth_method(auth).into())
    })
}

/// Signs `request` with each authentication method and checks the
/// `Authorization` header against an independent computation: `TSA
/// {customer_id}:{HMAC over the exact body}` or `Basic base64(id:key)`.
/// Returns the signed requests.
fn assert_signs(request: &http::Request<Vec<u8>>) -> Vec<http::Request<Vec<u8>>> {
    let mut signed = Vec::new();
    for (auth, config) in auth_configs() {
        let mut r = request.clone();
        config
            .authorize(&mut r, date(), NONCE)
            .unwrap_or_else(|e| panic!("{auth:?}: the test settings sign: {e}"));
        let header = r
            .headers()
            .get(http::header::AUTHORIZATION)
            .unwrap_or_else(|| panic!("{auth:?}: no Authorization header"));
        let content_type = r
            .headers()
            .get(http::header::CONTENT_TYPE)
            .map_or("", |v| v.to_str().unwrap_or(""));
        let expected = match auth {
            AuthMethod::Hmac => {
                let sig = signing::hmac_signature(
                    &telesign_credentials(),
                    r.method().as_str(),
                    content_type,
                    DATE,
                    NONCE,
                    r.body(),
                    r.uri().path(),
                )
                .unwrap_or_else(|e| panic!("the test key signs: {e}"));
                format!("TSA {TELESIGN_CUSTOMER_ID}:{sig}")
            }
            AuthMethod::Basic => {
                signing::basic_authorization(TELESIGN_CUSTOMER_ID, TELESIGN_API_KEY)
            }
        };
        assert!(
            header.as_bytes() == expected.as_bytes(),
            "{auth:?}: not the expected Authorization"
        );
        assert!(header.is_sensitive(), "Authorization is marked sensitive");
        signed.push(r);
    }
    signed
}

/// Everything a request shows besides its body and its `Authorization`:
/// method, URI, the other headers, and the redacted view.
fn shown_outside_body(request: &http::Request<Vec<u8>>) -> String {
    let view = verify_core::redact::redacted(request);
    let mut out = format!("{} {}\n{view}\n{view:?}\n", request.method(), request.uri());
    for (name, value) in request.headers() {
        if name != http::header::AUTHORIZATION {
            out.push_str(&format!(
                "{name}: {}\n",
                String::from_utf8_lossy(value.as_bytes())
            ));
        }
    }
    out
}

/// Target `telesign_verify_create_request`: fields `phone_number, email,
/// push_app_token, security_factor, external_id, message_template, flags,
/// step...` (flags: 1 backup role, 2 sets `phone_number`, 4 `email`, 8
/// `push_app_token`, 16 `security_factor`, 32 `external_id`, 64
/// `message_template`; 128 alone means none, as a 0 byte would be a field
/// separator). Each field after `flags`, up to 4, is a policy step:
/// `method` or `method:seconds` (its fallback time).
///
/// - the usual request properties ([`check_build`]), and the classic API's
///   settings are refused too, naming `provider`;
/// - `to_request` succeeds exactly when every rule below holds (written out
///   here, not the core's validator), `validate()` agrees (except the body
///   size, which only `to_request` checks), and a refusal names only
///   documented fields, each once, every broken rule's field among them:
///   - `verification_policy`: at most 3 documented methods (any ASCII case),
///     none twice, `silent` and `push` only first; fallback times at least
///     30 s and 300 s in all (absent: 60 s, 120 s for email);
///   - `phone_number` (empty is absent): required without a policy or with a
///     phone method; 7 to 15 digits, no leading 0;
///   - `email` (empty is absent): required with `email`; `local@domain.tld`;
///   - `push_app_token`: given, 1 to 4096 printable ASCII characters, with
///     `push`; absent otherwise;
///   - `security_factor` 3 to 10 digits; `external_id` 1 to 100 printable
///     ASCII characters; `message_template` 1 to 100 of `a-z` and `_`;
///   - `body`: the JSON of the fields at most 10 KB;
/// - an accepted request is `POST /verification`, `Content-Type:
///   application/json`, a body of at most 10 KB that parses to exactly the
///   given fields, and signs with HMAC (over that body) and Basic;
/// - the code (`security_factor`) shows nowhere but the body: not in the
///   error text, the operation's `Debug`, the URI, the headers or
///   [`redacted`](verify_core::redact::redacted).
pub fn telesign_verify_create_request(data: &[u8]) {
    let f = Fields::new(data);
    let flags = f.byte(6);
    let given = |bit: u8, i: usize| (flags & bit != 0).then(|| f.text(i));
    let phone = given(2, 0);
    let email = given(4, 1);
    let token = given(8, 2);
    let code = given(16, 3);
    let external_id = given(32, 4);
    let template = given(64, 5);
    let steps: Vec<String> = (7..f.len().min(11)).map(|i| f.text(i)).collect();
    let role = role(flags);

    let make = |code: &str| {
        let mut op = CreateVerification::new();
        if let Some(p) = &phone {
            op = op.phone_number(p.clone());
        }
        if let Some(e) = &email {
            op = op.email(e.clone());
        }
        if let Some(t) = &token {
            op = op.push_app_token(t.clone());
        }
        for s in &steps {
            op = op.then(step(s));
        }
        if flags & 16 != 0 {
            op = op.security_factor(Code::new(code));
        }
        if let Some(x) = &external_id {
            op = op.external_id(x.clone());
        }
        if let Some(t) = &template {
            op = op.message_template(t.clone());
        }
        op
    };
    let code_text = code.clone().unwrap_or_default();
    let op = make(&code_text);
    let config = telesign_verify_config();
    let built = check_build(&op, &config, role);
    let classic = op
        .to_request(&telesign_config(), role)
        .err()
        .unwrap_or_else(|| panic!("the Verify API create accepted the classic API's settings"));
    assert!(classic.fields().any(|f| f == "provider"), "{classic}");

    // The rules, computed here from the inputs.
    let policy: Vec<(Option<&str>, Option<u32>)> = steps
        .iter()
        .map(|s| match s.rsplit_once(':') {
            Some((m, secs)) if secs.parse::<u32>().is_ok() => {
                (documented_method(m), secs.parse().ok())
            }
            _ => (documented_method(s), None),
        })
        .collect();
    let names: Vec<&str> = policy.iter().filter_map(|(m, _)| *m).collect();
    let uses = |m: &str| names.contains(&m);
    let total: u64 = policy
        .iter()
        .map(|(m, t)| u64::from(t.unwrap_or(if *m == Some("email") { 120 } else { 60 })))
        .sum();
    let policy_ok = policy.len() <= 3
        && names.len() == policy.len()
        && names
            .iter()
            .enumerate()
            .all(|(i, m)| !names[..i].contains(m))
        && names.iter().skip(1).all(|m| *m != "silent" && *m != "push")
        && policy.iter().all(|(_, t)| t.is_none_or(|t| t >= 30))
        && total <= 300;
    let phone = phone.clone().filter(|p| !p.is_empty());
    let email = email.clone().filter(|e| !e.is_empty());
    let needs_phone = policy.is_empty() || PHONE_METHODS.iter().any(|m| uses(m));
    let phone_ok = match &phone {
        None => !needs_phone,
        Some(p) => digits(p, 7, 15) && !p.starts_with('0'),
    };
    let email_ok = match &email {
        None => !uses("email"),
        Some(e) => is_email(e),
    };
    let token_ok = if uses("push") {
        token.as_ref().is_some_and(|t| {
            !t.is_empty() && t.len() <= 4096 && t.bytes().all(|b| b.is_ascii_graphic())
        })
    } else {
        token.is_none()
    };
    let code_ok = code.as_ref().is_none_or(|c| digits(c, 3, 10));
    let external_id_ok = external_id.as_ref().is_none_or(|x| {
        (1..=100).contains(&x.len()) && x.bytes().all(|b| (0x20..=0x7e).contains(&b))
    });
    let template_ok = template.as_ref().is_none_or(|t| {
        (1..=100).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
    });
    let mut broken: Vec<&str> = [
        ("verification_policy", policy_ok),
        ("phone_number", phone_ok),
        ("email", email_ok),
        ("push_app_token", token_ok),
        ("security_factor", code_ok),
        ("external_id", external_id_ok),
        ("message_template", template_ok),
    ]
    .into_iter()
    .filter_map(|(field, ok)| (!ok).then_some(field))
    .collect();

    // The body the request must carry: exactly the given fields.
    let mut recipient = serde_json::Map::new();
    if let Some(p) = &phone {
        recipient.insert("phone_number".into(), p.clone().into());
    }
    if let Some(e) = &email {
        recipient.insert("email".into(), e.clone().into());
    }
    if let Some(t) = &token {
        recipient.insert("push_app_token".into(), t.clone().into());
    }
    let mut expected = serde_json::Map::new();
    expected.insert("recipient".into(), recipient.into());
    if !policy.is_empty() {
        let steps: Vec<serde_json::Value> = policy
            .iter()
            .map(|(m, t)| {
                let mut s = serde_json::Map::new();
                s.insert("method".into(), m.unwrap_or("").into());
                if let Some(t) = t {
                    s.insert("fallback_time".into(), (*t).into());
                }
                s.into()
            })
            .collect();
        expected.insert("verification_policy".into(), steps.into());
    }
    if let Some(c) = &code {
        expected.insert("security_factor".into(), c.clone().into());
    }
    if let Some(x) = &external_id {
        expected.insert("external_id".into(), x.clone().into());
    }
    if let Some(t) = &template {
        expected.insert(
            "message_template".into(),
            serde_json::json!({ "name": t.clone() }),
        );
    }
    let expected = serde_json::Value::Object(expected);
    // The compact JSON's length does not depend on the order of the keys.
    let expected_len = serde_json::to_vec(&expected).map_or(usize::MAX, |b| b.len());
    if broken.is_empty() && expected_len > MAX_BODY {
        broken.push("body");
    }

    let validated = op.validate();
    match &built {
        Ok(request) => {
            assert!(broken.is_empty(), "accepted, breaking {broken:?}");
            assert!(
                validated.is_ok(),
                "validate() refuses what to_request() sends"
            );
            assert_eq!(request.method(), http::Method::POST);
            assert_eq!(
                request.uri().to_string(),
                format!("{}/verification", config.base_url())
            );
            assert_eq!(
                request
                    .headers()
                    .get(http::header::CONTENT_TYPE)
                    .map(|v| v.as_bytes()),
                Some(&b"application/json"[..])
            );
            assert!(request.body().len() <= MAX_BODY, "a body over 10 KB");
            let sent: serde_json::Value = serde_json::from_slice(request.body())
                .unwrap_or_else(|e| panic!("the body is not JSON: {e}"));
            // Not compared with `assert_eq!`, whose message would show the code.
            assert!(
                sent == expected,
                "the body holds other fields than the ones given"
            );
            assert_signs(request);
        }
        Err(e) => {
            assert!(
                !broken.is_empty(),
                "refused, breaking no rule: {}",
                e.fields().collect::<Vec<_>>().join(", ")
            );
            let fields: Vec<&str> = e.fields().collect();
            for (i, field) in fields.iter().enumerate() {
                assert!(CREATE_FIELDS.contains(field), "{field} is not documented");
                assert!(!fields[..i].contains(field), "{field} named twice");
            }
            for field in &broken {
                assert!(fields.contains(field), "{field} is not named");
            }
            match &validated {
                Ok(()) => assert!(fields == ["body"], "validate() accepts what is refused"),
                Err(v) => assert!(v == e, "validate() and to_request() name other fields"),
            }
        }
    }

    if let Some(code) = &code {
        let text_for = |code: &str| {
            let op = make(code);
            let mut out = format!("{op:?}\n");
            match op.to_request(&config, role) {
                Ok(request) => {
                    for signed in assert_signs(&request) {
                        out.push_str(&shown_outside_body(&signed));
                    }
                }
                Err(e) => out.push_str(&format!("{e}\n{e:?}\n")),
            }
            out
        };
        assert_hidden(text_for, code, "the create's error, Debug, URI or headers");
    }
}

/// Target `telesign_verify_finalize_request`: fields `reference_id, code,
/// flags` (flags: 1 backup role).
///
/// - the id is accepted exactly when it is 32 hexadecimal digits, and a
///   refusal names only `reference_id`;
/// - a valid id's retrieve is always built: `GET /verification/{id}`, no
///   body and no content type, signed with HMAC and Basic;
/// - its finalize is accepted exactly when the code is 3 to 10 ASCII digits
///   (a refusal names only `security_factor`), `validate()` agrees, and an
///   accepted one is `PATCH /verification/{id}/state`, `Content-Type:
///   application/json`, the body exactly
///   `{"action":"finalize","security_factor":"<code>"}`, signed with HMAC
///   (over that body) and Basic;
/// - the code shows nowhere but the body: not in the error text, the
///   operation's `Debug`, the URI, the headers or the redacted view.
pub fn telesign_verify_finalize_request(data: &[u8]) {
    let f = Fields::new(data);
    let (text, code, flags) = (f.text(0), f.text(1), f.byte(2));
    let id_ok = text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit());
    let id = match ReferenceId::new(&text) {
        Ok(id) => {
            assert!(id_ok, "{text:?} is accepted as a reference id");
            id
        }
        Err(e) => {
            assert!(!id_ok, "{text:?} is refused: {e}");
            assert!(e.fields().eq(["reference_id"]), "{e}");
            return;
        }
    };
    let config = telesign_verify_config();
    let base = config.base_url().as_str();
    let role = role(flags);

    let get = check_build(&GetVerification::new(id), &config, role)
        .unwrap_or_else(|e| panic!("a valid reference id is refused: {e}"));
    assert_eq!(get.method(), http::Method::GET);
    assert_eq!(
        get.uri().to_string(),
        format!("{base}/verification/{}", id.as_str())
    );
    assert!(get.body().is_empty(), "a retrieve has no body");
    assert!(
        !get.headers().contains_key(http::header::CONTENT_TYPE),
        "a retrieve has no content type"
    );
    assert_signs(&get);

    let make = |code: &str| FinalizeVerification::new(id, Code::new(code));
    let op = make(&code);
    let built = check_build(&op, &config, role);
    assert_eq!(
        built.is_ok(),
        op.validate().is_ok(),
        "validate() and to_request() agree"
    );
    assert_eq!(
        built.is_ok(),
        digits(&code, 3, 10),
        "a code is 3 to 10 digits"
    );
    match &built {
        Ok(request) => {
            assert_eq!(request.method(), http::Method::PATCH);
            assert_eq!(
                request.uri().to_string(),
                format!("{base}/verification/{}/state", id.as_str())
            );
            assert_eq!(
                request
                    .headers()
                    .get(http::header::CONTENT_TYPE)
                    .map(|v| v.as_bytes()),
                Some(&b"application/json"[..])
            );
            // Not compared with `assert_eq!`, whose message would show the code.
            let expected = format!(r#"{{"action":"finalize","security_factor":"{code}"}}"#);
            assert!(
                request.body() == expected.as_bytes(),
                "the body is not {{\"action\":\"finalize\",\"security_factor\":..}}"
            );
            assert_signs(request);
        }
        Err(e) => assert!(e.fields().eq(["security_factor"]), "{e}"),
    }
    let text_for = |code: &str| {
        let op = make(code);
        let mut out = format!("{op:?}\n");
        match op.to_request(&config, role) {
            Ok(request) => {
                for signed in assert_signs(&request) {
                    out.push_str(&shown_outside_body(&signed));
                }
            }
            Err(e) => out.push_str(&format!("{e}\n{e:?}\n")),
        }
        out
    };
    assert_hidden(
        text_for,
        &code,
        "the finalize's error, Debug, URI or headers",
    );
}

/// A Verify API body of the documented shape (PROVIDERS.md section 4): a
/// JSON object whose known fields have their documented types (each at most
/// once; `null` is absent; other keys are ignored).
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct DocBody {
    reference_id: Option<String>,
    status: Option<DocStatus>,
    state: Option<String>,
    verification_policy: Option<Vec<DocStep>>,
    inner_methods: Option<Vec<DocInner>>,
    created_on: Option<String>,
    updated_on: Option<String>,
    external_id: Option<String>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct DocStatus {
    code: Option<i64>,
    description: Option<String>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
#[allow(dead_code)]
struct DocStep {
    method: Option<String>,
    fallback_time: Option<u32>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
#[allow(dead_code)]
struct DocInner {
    method: Option<String>,
    state: Option<String>,
    err_code: Option<i64>,
    err_msg: Option<String>,
    tried_on: Option<String>,
    updated_on: Option<String>,
    expires_on: Option<String>,
}

/// What a body says, when it is the documented JSON.
struct Documented {
    /// `status.code`, when there is a `status`.
    code: Option<i64>,
    /// `status.description`, as sent.
    description: String,
    /// `reference_id`, when given and not empty.
    reference_id: Option<String>,
    /// Whether `state` is given.
    has_state: bool,
}

/// Reads `body` as the documented JSON: at most `MAX_BODY_BYTES`, a JSON
/// object of [`DocBody`]'s shape, a `reference_id` absent, empty or 32
/// hexadecimal digits, and a `status` (if any) with its `code`.
fn documented(body: &[u8]) -> Option<Documented> {
    if body.len() > verify_core::MAX_BODY_BYTES {
        return None;
    }
    let first = body
        .iter()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))?;
    if *first != b'{' {
        return None;
    }
    let doc: DocBody = serde_json::from_slice(body).ok()?;
    let reference_id = doc.reference_id.filter(|r| !r.is_empty());
    if reference_id
        .as_ref()
        .is_some_and(|r| r.len() != 32 || !r.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return None;
    }
    let (code, description) = match doc.status {
        None => (None, String::new()),
        Some(DocStatus { code: None, .. }) => return None,
        Some(DocStatus { code, description }) => (code, description.unwrap_or_default()),
    };
    Some(Documented {
        code,
        description,
        reference_id,
        has_state: doc.state.is_some(),
    })
}

/// Every maximal run of three or more ASCII digits in `bytes`.
fn digit_runs(bytes: &[u8]) -> Vec<String> {
    bytes
        .split(|b| !b.is_ascii_digit())
        .filter(|run| run.len() >= 3)
        .map(|run| String::from_utf8_lossy(run).into_owned())
        .collect()
}

/// `text` with the numbers an error shows on purpose taken out: the
/// `\u{..}` escapes of `Debug`, JSON error positions (`line N, column M`)
/// and every `known` value (HTTP status, status code, reference id,
/// `Retry-After`, size limits).
fn without_known_numbers(text: &str, known: &[String]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("\\u{") {
        out.push_str(&rest[..i]);
        rest = &rest[i + 3..];
        rest = rest.trim_start_matches(|c: char| c.is_ascii_hexdigit());
        out.push('#');
    }
    out.push_str(rest);
    for word in ["line ", "column "] {
        let mut next = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(i) = rest.find(word) {
            next.push_str(&rest[..i + word.len()]);
            rest = rest[i + word.len()..].trim_start_matches(|c: char| c.is_ascii_digit());
            next.push('#');
        }
        next.push_str(rest);
        out = next;
    }
    let mut known: Vec<&String> = known.iter().filter(|k| !k.is_empty()).collect();
    known.sort_by_key(|k| std::cmp::Reverse(k.len()));
    for k in known {
        out = out.replace(k.as_str(), "#");
    }
    out
}

/// Whether `text` holds a run of three or more ASCII digits.
fn has_digit_run(text: &str) -> bool {
    text.as_bytes()
        .split(|b| !b.is_ascii_digit())
        .any(|run| run.len() >= 3)
}

/// No run of three or more digits of `body` shows in the error's `Display`
/// or `Debug`, but for what an error shows on purpose (see
/// [`without_known_numbers`]); a description and an excerpt hold no run of
/// three digits at all.
fn assert_masked(e: &ResponseError, status: http::StatusCode, body: &[u8]) {
    let mut known = vec![
        status.as_u16().to_string(),
        verify_core::MAX_BODY_BYTES.to_string(),
    ];
    match e {
        ResponseError::TeleSignVerify(v) => {
            assert!(
                !has_digit_run(&v.description),
                "a description shows digits: {:?}",
                v.description
            );
            known.push(v.status.code().to_string());
            known.extend(v.reference_id.as_ref().map(|r| r.as_str().to_owned()));
            known.extend(v.retry_after.map(|r| format!("{r:?}")));
        }
        ResponseError::Unexpected(u) => {
            assert!(
                !has_digit_run(u.excerpt.as_str()),
                "an excerpt shows digits: {:?}",
                u.excerpt
            );
            known.extend(u.retry_after.map(|r| format!("{r:?}")));
        }
        other => panic!("a Verify API answer gave another provider's error: {other}"),
    }
    let shown = without_known_numbers(&format!("{e}\n{e:?}"), &known);
    for run in digit_runs(body) {
        assert!(
            !shown.contains(&run),
            "{run} from the body shows in {shown}"
        );
    }
}

/// Target `telesign_verify_response`: any response (`STATUS\nheaders\n\n
/// body`, see [`response`]) read as the answer to a create, a retrieve and a
/// finalize, and its body as a callback.
///
/// - parsing never panics and gives a value or a typed error
///   ([`check_parse`]);
/// - whether each succeeds, and with what, follows the documented rules,
///   computed here ([`documented`]): a documented `status.code` that is a
///   refusal, or any `status.code` on a non-2xx answer, is a Verify API
///   error with that code; a body that is not the documented JSON, or a
///   non-2xx answer without a `status.code`, is an unexpected answer;
///   a create needs `reference_id`, `status` and `state`, a retrieve
///   `state` (the id asked for stands in for a missing one);
/// - a create error's `message_may_have_been_sent()` is `false` exactly when
///   the status code is a documented refusal, or the answer is HTTP 429
///   without the documented JSON (and its `status.code`);
/// - retrieve and finalize errors never say a message was sent;
/// - finalize outcomes: on a 2xx, 3900 `Verified`, 3904 `WrongCode`, 3909
///   `Rejected`, 3911 `NotFoundOrFinished`, another code `Unknown`; a
///   refusal or a non-2xx answer is `NotFoundOrFinished` for 3911, 3110 at
///   HTTP 404, or 3110 naming `reference_id`, else an error (404 alone
///   proves nothing);
/// - a callback (`parse_report`) reads what a retrieve reads, needs `state`,
///   and `parse_callback` with the body correctly signed reads the same;
/// - no run of three or more digits of the body shows in an error's
///   `Display` or `Debug` ([`assert_masked`]).
pub fn telesign_verify_response(data: &[u8]) {
    use verify_core::telesign_verify::callback::{parse_callback, parse_report};
    let answer = response(data);
    let status = answer.status();
    let http = status.as_u16();
    let body = *answer.body();
    let success = (200..300).contains(&http);
    let doc = documented(body);
    let code = doc.as_ref().and_then(|d| d.code);
    // Whether the answer is a Verify API error with its status code.
    let refused = code.is_some_and(|c| !success || is_refusal(c));
    let p = Provider::TeleSignVerify;

    // Create.
    let create = check_parse(&CreateVerification::sms("15555550100"), p, data);
    match &create {
        Ok(created) => {
            let d = doc
                .as_ref()
                .unwrap_or_else(|| panic!("read an undocumented body"));
            assert!(success && !refused, "a create read a refusal");
            assert_eq!(
                Some(created.reference_id.as_str()),
                d.reference_id.as_deref()
            );
            assert_eq!(Some(created.status.code), d.code.map(StatusCode::from_code));
            assert!(d.has_state);
        }
        Err(e) => {
            let sent = !(code.is_some_and(is_refusal) || (code.is_none() && http == 429));
            assert_eq!(
                e.message_may_have_been_sent(),
                sent,
                "may a message have been sent? {e}"
            );
            assert_error_kind(e, &doc, refused);
            if let Some(d) = doc.as_ref().filter(|_| success && !refused) {
                assert!(
                    d.reference_id.is_none() || d.code.is_none() || !d.has_state,
                    "a create with reference_id, status and state is refused: {e}"
                );
            }
            assert_masked(e, status, body);
        }
    }
    let wrong =
        CreateVerification::sms("15555550100").parse_response(Provider::TeleSign, response(data));
    assert!(
        matches!(wrong, Err(ResponseError::Unexpected(_))),
        "a Verify API create read another provider's answer"
    );

    // Retrieve.
    let retrieve = check_parse(&GetVerification::new(reference_id()), p, data);
    match &retrieve {
        Ok(v) => {
            let d = doc
                .as_ref()
                .unwrap_or_else(|| panic!("read an undocumented body"));
            assert!(success && !refused, "a retrieve read a refusal");
            assert!(d.has_state);
            let id = d
                .reference_id
                .as_deref()
                .unwrap_or(super::settings::REFERENCE_ID);
            assert_eq!(v.reference_id.as_str(), id);
        }
        Err(e) => {
            assert!(
                !e.message_may_have_been_sent(),
                "a retrieve sent a message: {e}"
            );
            assert_error_kind(e, &doc, refused);
            if doc.is_some() && success && !refused {
                assert!(!doc.as_ref().is_some_and(|d| d.has_state), "{e}");
            }
            assert_masked(e, status, body);
        }
    }

    // Finalize.
    let finalize = FinalizeVerification::new(reference_id(), Code::new("123456"));
    let finalized = check_parse(&finalize, p, data);
    let not_found = refused
        && (code == Some(3911)
            || (code == Some(3110)
                && (http == 404
                    || doc
                        .as_ref()
                        .is_some_and(|d| d.description.contains("reference_id")))));
    let expected = match (&doc, code) {
        (None, _) => None,
        (Some(_), Some(_)) if refused => not_found.then_some(Finalization::NotFoundOrFinished),
        (Some(_), _) if !success => None,
        (Some(_), Some(3900)) => Some(Finalization::Verified),
        (Some(_), Some(3904)) => Some(Finalization::WrongCode),
        (Some(_), Some(3909)) => Some(Finalization::Rejected),
        (Some(_), Some(3911)) => Some(Finalization::NotFoundOrFinished),
        (Some(_), _) => Some(Finalization::Unknown(String::new())),
    };
    match (&finalized, &expected) {
        (Ok(Finalization::Unknown(text)), Some(Finalization::Unknown(_))) => {
            assert!(!text.is_empty());
            assert!(
                !has_digit_run(&without_known_numbers(
                    text,
                    &[
                        code.map(|c| c.to_string()).unwrap_or_default(),
                        code.map(|c| StatusCode::from_code(c).to_string())
                            .unwrap_or_default(),
                    ]
                )),
                "{text}"
            );
        }
        (Ok(outcome), Some(expected)) => assert_eq!(outcome, expected),
        (Ok(outcome), None) => panic!("a finalize read {outcome:?} where it must refuse"),
        (Err(e), Some(expected)) => panic!("a finalize refused ({e}) instead of {expected:?}"),
        (Err(e), None) => {
            assert!(
                !e.message_may_have_been_sent(),
                "a finalize sent a message: {e}"
            );
            assert_error_kind(e, &doc, refused);
            assert_masked(e, status, body);
        }
    }

    // Callbacks.
    let report = parse_report(body);
    match &report {
        Ok(v) => {
            let d = doc
                .as_ref()
                .unwrap_or_else(|| panic!("a callback read an undocumented body"));
            assert!(d.has_state, "a callback without state");
            assert_eq!(Some(v.reference_id.as_str()), d.reference_id.as_deref());
        }
        Err(e) => {
            assert!(
                !doc.as_ref()
                    .is_some_and(|d| d.has_state && d.reference_id.is_some()),
                "a callback with reference_id and state is refused: {e}"
            );
            let shown = without_known_numbers(
                &format!("{e}\n{e:?}"),
                &[verify_core::MAX_BODY_BYTES.to_string()],
            );
            for run in digit_runs(body) {
                assert!(
                    !shown.contains(&run),
                    "{run} from the body shows in {shown}"
                );
            }
        }
    }
    // A callback reads what a retrieve of the same process reads.
    if let (Ok(v), Some(d)) = (&retrieve, &doc)
        && d.reference_id.is_some()
    {
        let r = report
            .as_ref()
            .unwrap_or_else(|e| panic!("a retrieve reads what a callback refuses: {e}"));
        assert_eq!(r, v, "a callback and a retrieve read other processes");
    }
    if body.len() <= verify_core::MAX_BODY_BYTES {
        let sig = signing::hmac_sha256_base64(&decoded_test_key(), body);
        let mut request = http::Request::new(body);
        request.headers_mut().insert(
            http::header::AUTHORIZATION,
            http::HeaderValue::from_str(&format!("TSA {TELESIGN_CUSTOMER_ID}:{sig}"))
                .unwrap_or_else(|e| panic!("{e}")),
        );
        let signed = parse_callback(&telesign_credentials(), &request);
        assert_eq!(
            format!("{signed:?}"),
            format!("{report:?}"),
            "a signed callback reads as its body"
        );
    }
    let unsigned = parse_callback(&telesign_credentials(), &http::Request::new(body));
    assert!(unsigned.is_err(), "an unsigned callback is read");
}

/// A refusal (a status code that is a refusal, or any on a non-2xx) is a
/// Verify API error with that code; anything else that fails is an
/// unexpected answer.
fn assert_error_kind(e: &ResponseError, doc: &Option<Documented>, refused: bool) {
    match e {
        ResponseError::TeleSignVerify(v) => {
            assert!(refused, "a Verify API error without a refusal: {e}");
            assert_eq!(
                Some(v.status),
                doc.as_ref().and_then(|d| d.code).map(StatusCode::from_code)
            );
        }
        ResponseError::Unexpected(_) => assert!(!refused, "a refusal read as unexpected: {e}"),
        other => panic!("a Verify API answer gave another provider's error: {other}"),
    }
}
