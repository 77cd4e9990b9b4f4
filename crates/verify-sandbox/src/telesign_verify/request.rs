//! The Verify API's request rules (PROVIDERS.md §4 and docs/PROTOCOL-DECISIONS.md): a
//! create's and a finalize's JSON body, checked into plain values or refused with the
//! documented status code.
//!
//! The API answers one status per request, so the first broken rule wins, in this order:
//! the body itself and the top-level fields (3110), `verification_policy` (3110),
//! `recipient` (3110 for its shape, then 3302 / 3101 for the phone number, 3309 / 3119 for
//! the email, 3110 for the push token), `security_factor`, `message_template`,
//! `voice_lang`, `device_registration` (3110), `external_id` (3103).

use serde_json::{Map, Value};

use super::process::{Method, NewProcess, Recipient, Step};

/// A refused request: HTTP 400 with this `status`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub code: u16,
    pub description: String,
}

fn refuse<T>(code: u16, description: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal {
        code,
        description: description.into(),
    })
}

fn invalid<T>(detail: impl std::fmt::Display) -> Result<T, Refusal> {
    refuse(3110, format!("Invalid request: {detail}"))
}

/// The longest policy, and the most its fallback times may add up to.
const MAX_METHODS: usize = 3;
const MIN_FALLBACK: u64 = 30;
const MAX_FALLBACK_SUM: u64 = 300;
const MAX_EXTERNAL_ID: usize = 100;
const MAX_EMAIL: usize = 254;
const MAX_PUSH_TOKEN: usize = 4096;
const MAX_TEMPLATE_NAME: usize = 100;

const CREATE_FIELDS: [&str; 7] = [
    "recipient",
    "verification_policy",
    "security_factor",
    "message_template",
    "external_id",
    "voice_lang",
    "device_registration",
];
const RECIPIENT_FIELDS: [&str; 3] = ["phone_number", "email", "push_app_token"];

/// Whether a `Content-Type` names JSON (`application/json`, parameters allowed).
pub(crate) fn is_json_content_type(value: Option<&[u8]>) -> bool {
    let Some(v) = value.and_then(|v| std::str::from_utf8(v).ok()) else {
        return false;
    };
    v.split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}

/// The body as a JSON object: UTF-8, JSON, an object.
fn object(body: &[u8]) -> Result<Map<String, Value>, Refusal> {
    if body.is_empty() {
        return invalid("the body is empty; send the JSON as the request body");
    }
    let Ok(text) = std::str::from_utf8(body) else {
        return invalid("the body is not UTF-8");
    };
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(o)) => Ok(o),
        Ok(_) => invalid("the body is not a JSON object"),
        Err(_) => invalid("the body is not valid JSON"),
    }
}

/// Refuses any key of `obj` not in `known`.
fn only(obj: &Map<String, Value>, known: &[&str], what: &str) -> Result<(), Refusal> {
    match obj.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => invalid(format_args!("unknown {what} '{}'", shorten(k))),
        None => Ok(()),
    }
}

/// A name from the request, cut to 40 characters for an answer.
fn shorten(s: &str) -> String {
    s.chars().take(40).collect()
}

/// A field that may be absent or null; anything else than a string is refused with
/// `code`.
fn opt_str<'a>(
    obj: &'a Map<String, Value>,
    name: &str,
    code: u16,
) -> Result<Option<&'a str>, Refusal> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => refuse(code, format!("Invalid request: {name} must be a string")),
    }
}

/// `phone_number`: 7 to 15 digits, country code first (so no leading 0).
fn phone_ok(p: &str) -> bool {
    p.bytes().all(|b| b.is_ascii_digit()) && (7..=15).contains(&p.len()) && !p.starts_with('0')
}

/// `email`: ASCII `local@domain`, at most 254 characters, the domain dotted labels of
/// letters, digits and hyphens.
fn email_ok(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local.bytes().all(|b| {
            b.is_ascii_graphic()
                && !matches!(
                    b,
                    b'@' | b'('
                        | b')'
                        | b'<'
                        | b'>'
                        | b','
                        | b';'
                        | b':'
                        | b'\\'
                        | b'"'
                        | b'['
                        | b']'
                )
        });
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    e.len() <= MAX_EMAIL && local_ok && domain_ok
}

fn policy(obj: &Map<String, Value>) -> Result<Vec<Step>, Refusal> {
    let entries = match obj.get("verification_policy") {
        // The account's routing, which for the sandbox's account is SMS.
        None | Some(Value::Null) => {
            return Ok(vec![Step {
                method: Method::Sms,
                fallback_time: Method::Sms.default_fallback(),
            }]);
        }
        Some(Value::Array(a)) => a,
        Some(_) => return invalid("verification_policy must be an array"),
    };
    if entries.is_empty() || entries.len() > MAX_METHODS {
        return invalid("verification_policy must have 1 to 3 methods");
    }
    let mut steps = Vec::with_capacity(entries.len());
    let mut sum = 0u64;
    for (i, entry) in entries.iter().enumerate() {
        let Value::Object(e) = entry else {
            return invalid("each verification_policy entry must be an object");
        };
        only(e, &["method", "fallback_time"], "verification_policy key")?;
        let method = match e.get("method") {
            Some(Value::String(m)) => match Method::parse(m) {
                Some(m) => m,
                None => return invalid(format_args!("unknown method '{}'", shorten(m))),
            },
            _ => return invalid("each verification_policy entry needs a method"),
        };
        if !method.sends_code() && i > 0 {
            return invalid("silent and push may only be the first method");
        }
        if steps.iter().any(|s: &Step| s.method == method) {
            return invalid(format_args!("method '{}' is listed twice", method.as_str()));
        }
        let fallback = match e.get("fallback_time") {
            None | Some(Value::Null) => u64::from(method.default_fallback()),
            Some(v) => match v.as_u64() {
                Some(n) if n >= MIN_FALLBACK => n,
                _ => {
                    return invalid("fallback_time must be a whole number of seconds, at least 30");
                }
            },
        };
        sum = sum.saturating_add(fallback);
        if sum > MAX_FALLBACK_SUM {
            return invalid("the fallback times may add up to at most 300 seconds");
        }
        steps.push(Step {
            method,
            // At most 300, checked just above.
            fallback_time: u32::try_from(fallback).unwrap_or(u32::MAX),
        });
    }
    Ok(steps)
}

fn recipient(obj: &Map<String, Value>, steps: &[Step]) -> Result<Recipient, Refusal> {
    let empty = Map::new();
    let r = match obj.get("recipient") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(r)) => r,
        Some(_) => return invalid("recipient must be an object"),
    };
    only(r, &RECIPIENT_FIELDS, "recipient key")?;
    let uses = |f: fn(Method) -> bool| steps.iter().any(|s| f(s.method));
    let phone = opt_str(r, "phone_number", 3101)?.filter(|p| !p.is_empty());
    match phone {
        None if uses(Method::needs_phone) => return refuse(3302, "Missing phone number"),
        Some(p) if !phone_ok(p) => return refuse(3101, "Invalid phone number"),
        _ => {}
    }
    let email = opt_str(r, "email", 3119)?.filter(|e| !e.is_empty());
    match email {
        None if uses(|m| m == Method::Email) => return refuse(3309, "Missing email"),
        Some(e) if !email_ok(e) => return refuse(3119, "Invalid email"),
        _ => {}
    }
    let push = opt_str(r, "push_app_token", 3110)?;
    let uses_push = uses(|m| m == Method::Push);
    match push {
        None if uses_push => return invalid("push needs recipient.push_app_token"),
        Some(_) if !uses_push => return invalid("push_app_token is only for the push method"),
        Some(t)
            if t.is_empty()
                || t.len() > MAX_PUSH_TOKEN
                || !t.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            return invalid("push_app_token must be 1 to 4096 printable ASCII characters");
        }
        _ => {}
    }
    Ok(Recipient {
        echo: Value::Object(r.clone()),
        phone_number: phone.map(str::to_owned),
        email: email.map(str::to_owned),
        push_app_token: push.map(str::to_owned),
    })
}

/// A create's body, checked.
pub(crate) fn create(body: &[u8]) -> Result<NewProcess, Refusal> {
    let obj = object(body)?;
    only(&obj, &CREATE_FIELDS, "field")?;
    let steps = policy(&obj)?;
    let recipient = recipient(&obj, &steps)?;
    let security_factor = opt_str(&obj, "security_factor", 3110)?;
    if let Some(s) = security_factor
        && !(s.bytes().all(|b| b.is_ascii_digit()) && (3..=10).contains(&s.len()))
    {
        return invalid("security_factor must be 3 to 10 digits");
    }
    match obj.get("message_template") {
        None | Some(Value::Null) => {}
        Some(Value::Object(t)) => {
            only(t, &["name"], "message_template key")?;
            let name_ok = matches!(t.get("name"), Some(Value::String(n))
                if !n.is_empty() && n.len() <= MAX_TEMPLATE_NAME
                    && n.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
            if !name_ok {
                return invalid("message_template.name must be lowercase letters and underscores");
            }
        }
        Some(_) => return invalid("message_template must be an object"),
    }
    let voice_lang = opt_str(&obj, "voice_lang", 3110)?;
    if let Some(l) = voice_lang
        && !((2..=20).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    {
        return invalid("voice_lang must be a language tag such as en-US");
    }
    match opt_str(&obj, "device_registration", 3110)? {
        None => {}
        Some("stamp") if steps.iter().any(|s| s.method == Method::Push) => {}
        Some(_) => return invalid("device_registration is \"stamp\", with the push method only"),
    }
    let external_id = opt_str(&obj, "external_id", 3103)?;
    if let Some(e) = external_id
        && !(e.len() <= MAX_EXTERNAL_ID && e.bytes().all(|b| (0x20..0x7f).contains(&b)))
    {
        return refuse(3103, "Invalid external_id");
    }
    Ok(NewProcess {
        recipient,
        policy: steps,
        security_factor: security_factor.map(str::to_owned),
        external_id: external_id.map(str::to_owned),
        voice_lang: voice_lang.unwrap_or("en-US").to_owned(),
    })
}

/// A finalize's body, checked: the code the user typed.
pub(crate) fn finalize(body: &[u8]) -> Result<String, Refusal> {
    let obj = object(body)?;
    only(&obj, &["action", "security_factor"], "field")?;
    match obj.get("action") {
        Some(Value::String(a)) if a == "finalize" => {}
        _ => return invalid("action must be \"finalize\""),
    }
    match obj.get("security_factor") {
        Some(Value::String(s))
            if s.bytes().all(|b| b.is_ascii_digit()) && (3..=10).contains(&s.len()) =>
        {
            Ok(s.clone())
        }
        _ => invalid("security_factor must be the code the user typed: 3 to 10 digits"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(body: &str) -> u16 {
        match create(body.as_bytes()) {
            Ok(_) => 200,
            Err(r) => r.code,
        }
    }

    #[test]
    fn rules_and_their_codes() {
        let phone = r#""recipient":{"phone_number":"15555550100"}"#;
        assert_eq!(code(&format!("{{{phone}}}")), 200);
        assert_eq!(code(""), 3110);
        assert_eq!(code("[]"), 3110);
        assert_eq!(code(&format!("{{{phone},\"extra\":1}}")), 3110);
        assert_eq!(code(r#"{"recipient":{}}"#), 3302);
        assert_eq!(code(r#"{"recipient":{"phone_number":"0155555501"}}"#), 3101);
        assert_eq!(code(r#"{"recipient":{"phone_number":15555550100}}"#), 3101);
        assert_eq!(
            code(r#"{"recipient":{"phone_number":"15555550100","fax":"1"}}"#),
            3110
        );
        assert_eq!(
            code(r#"{"recipient":{},"verification_policy":[{"method":"email"}]}"#),
            3309
        );
        assert_eq!(
            code(
                r#"{"recipient":{"email":"not-an-address"},"verification_policy":[{"method":"email"}]}"#
            ),
            3119
        );
        assert_eq!(
            code(&format!(
                "{{{phone},\"external_id\":\"{}\"}}",
                "x".repeat(101)
            )),
            3103
        );
        assert_eq!(code(&format!("{{{phone},\"external_id\":\"é\"}}")), 3103);
        assert_eq!(
            code(&format!(
                "{{{phone},\"external_id\":\"{}\"}}",
                "x".repeat(100)
            )),
            200
        );
        for (policy, want) in [
            (r#"[]"#, 3110),
            (
                r#"[{"method":"sms"},{"method":"voice"},{"method":"viber"},{"method":"rcs"}]"#,
                3110,
            ),
            (r#"[{"method":"sms","fallback_time":29}]"#, 3110),
            (r#"[{"method":"sms","fallback_time":30}]"#, 200),
            (r#"[{"method":"sms","fallback_time":30.5}]"#, 3110),
            (
                r#"[{"method":"sms","fallback_time":200},{"method":"voice","fallback_time":101}]"#,
                3110,
            ),
            (
                r#"[{"method":"sms","fallback_time":200},{"method":"voice","fallback_time":100}]"#,
                200,
            ),
            (r#"[{"method":"sms"},{"method":"silent"}]"#, 3110),
            (r#"[{"method":"silent"},{"method":"sms"}]"#, 200),
            (r#"[{"method":"sms"},{"method":"sms"}]"#, 3110),
            (r#"[{"method":"fax"}]"#, 3110),
            (r#"[{"method":"sms","priority":1}]"#, 3110),
        ] {
            assert_eq!(
                code(&format!("{{{phone},\"verification_policy\":{policy}}}")),
                want,
                "{policy}"
            );
        }
        for (sf, want) in [
            ("\"12\"", 3110),
            ("\"123\"", 200),
            ("\"1234567890\"", 200),
            ("\"12345678901\"", 3110),
            ("123456", 3110),
            ("\"12a456\"", 3110),
        ] {
            assert_eq!(
                code(&format!("{{{phone},\"security_factor\":{sf}}}")),
                want,
                "{sf}"
            );
        }
        for (t, want) in [
            (r#"{"name":"login_code"}"#, 200),
            (r#"{"name":"Login"}"#, 3110),
            (r#"{"name":""}"#, 3110),
            (r#"{"id":"x"}"#, 3110),
        ] {
            assert_eq!(
                code(&format!("{{{phone},\"message_template\":{t}}}")),
                want,
                "{t}"
            );
        }
    }

    #[test]
    fn push_and_silent() {
        let push = r#"{"recipient":{"phone_number":"15555550100","push_app_token":"tok"},"verification_policy":[{"method":"push"},{"method":"sms"}],"device_registration":"stamp"}"#;
        assert_eq!(code(push), 200);
        assert_eq!(
            code(r#"{"recipient":{},"verification_policy":[{"method":"push"}]}"#),
            3110
        );
        assert_eq!(
            code(r#"{"recipient":{"phone_number":"15555550100","push_app_token":"tok"}}"#),
            3110
        );
        assert_eq!(
            code(r#"{"recipient":{"phone_number":"15555550100"},"device_registration":"stamp"}"#),
            3110
        );
        assert_eq!(
            code(r#"{"recipient":{},"verification_policy":[{"method":"silent"}]}"#),
            3302
        );
    }

    #[test]
    fn finalize_body() {
        assert_eq!(
            finalize(br#"{"action":"finalize","security_factor":"123456"}"#),
            Ok("123456".into())
        );
        for bad in [
            &b""[..],
            b"{",
            br#"{"action":"cancel","security_factor":"123456"}"#,
            br#"{"action":"finalize"}"#,
            br#"{"action":"finalize","security_factor":"12"}"#,
            br#"{"action":"finalize","security_factor":"123456","x":1}"#,
        ] {
            assert_eq!(
                finalize(bad).map_err(|r| r.code),
                Err(3110),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn emails() {
        for ok in ["a@example.com", "first.last+tag@sub.example.co.uk"] {
            assert!(email_ok(ok), "{ok}");
        }
        for bad in [
            "",
            "a",
            "a@",
            "@example.com",
            "a@example",
            "a b@example.com",
            "a@exa_mple.com",
            "a@@example.com",
            "a@-x.com",
        ] {
            assert!(!email_ok(bad), "{bad}");
        }
    }

    #[test]
    fn content_types() {
        assert!(is_json_content_type(Some(b"application/json")));
        assert!(is_json_content_type(Some(
            b"Application/JSON; charset=utf-8"
        )));
        assert!(!is_json_content_type(Some(
            b"application/x-www-form-urlencoded"
        )));
        assert!(!is_json_content_type(Some(b"")));
        assert!(!is_json_content_type(None));
    }
}
