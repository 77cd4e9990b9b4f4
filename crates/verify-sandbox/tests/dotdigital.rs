//! The dotdigital side over real sockets.

mod common;

use std::time::Duration;

use common::{dd, iso, send};
use serde_json::json;
use verify_sandbox::{Sandbox, SandboxConfig};

fn sandbox() -> Sandbox {
    Sandbox::spawn(SandboxConfig::deterministic(2)).unwrap()
}

fn create(sb: &Sandbox, to: &str) -> (String, String) {
    let r = dd(
        sb,
        "POST",
        "/webapi/verify",
        &json!({"to": to, "from": "ACME"}),
    );
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
    let j = r.json();
    assert_eq!(j["status"], "CodeNotVerified");
    assert_eq!(j["numberStatus"], "On");
    assert_eq!(j["phoneNumber"], to);
    let id = j["requestId"].as_str().unwrap().to_owned();
    let code = sb.messages_to(to).last().unwrap().code.clone();
    (id, code)
}

fn validate(sb: &Sandbox, id: &str, code: &str) -> common::Raw {
    dd(
        sb,
        "PUT",
        &format!("/WebApi/Verify/{id}/validate"),
        &json!({"code": code}),
    )
}

fn wrong(code: &str) -> &'static str {
    if code == "111111" { "222222" } else { "111111" }
}

#[test]
fn create_validate_single_use() {
    let sb = sandbox();
    let (id, code) = create(&sb, "447700900123");
    assert_eq!(code.len(), 6);
    assert!(code.bytes().all(|b| b.is_ascii_digit()));
    let m = &sb.messages_to("447700900123")[0];
    assert_eq!(m.text, format!("Your verification code is {code}"));
    assert_eq!(m.sender.as_deref(), Some("ACME"));
    assert_eq!(m.verification_id, id);
    assert!(uuid::Uuid::parse_str(&id).is_ok());

    let r = validate(&sb, &id, wrong(&code));
    assert_eq!(
        (r.status, r.json()["status"].as_str().unwrap()),
        (200, "CodeNotVerified")
    );
    let r = validate(&sb, &id, &code);
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["status"], "CodeVerified");
    assert!(r.json()["verified"].is_string());
    let again = validate(&sb, &id, &code);
    assert_eq!(again.status, 204);
    assert!(again.body.is_empty());
    assert_eq!(
        validate(&sb, "0bd57dc3-580c-4c1d-8aee-2ff79bd8633c", "123456").status,
        204
    );
}

#[test]
fn paths_are_case_insensitive() {
    let sb = sandbox();
    let r = dd(
        &sb,
        "POST",
        "/WEBAPI/VERIFY",
        &json!({"to": "447700900123", "from": "ACME"}),
    );
    assert_eq!(r.status, 202);
    let id = r.json()["requestId"].as_str().unwrap().to_owned();
    let code = sb.messages()[0].code.clone();
    let r = dd(
        &sb,
        "PUT",
        &format!("/webapi/verify/{}/VALIDATE", id.to_uppercase()),
        &json!({"code": code}),
    );
    assert_eq!(r.json()["status"], "CodeVerified");
}

#[test]
fn five_wrong_codes_lock() {
    let sb = sandbox();
    let (id, code) = create(&sb, "447700900123");
    for _ in 0..4 {
        assert_eq!(
            validate(&sb, &id, wrong(&code)).json()["status"],
            "CodeNotVerified"
        );
    }
    assert_eq!(
        validate(&sb, &id, wrong(&code)).json()["status"],
        "CodeLocked"
    );
    assert_eq!(validate(&sb, &id, &code).status, 204);
}

#[test]
fn expiry_follows_valid_until() {
    let sb = sandbox();
    let now = sb.clock().now();
    let body = json!({"to": "447700900123", "from": "ACME", "validUntil": iso(now + Duration::from_secs(120)),
        "body": "Code {{code}}, valid {{validMinutes}} min"});
    let r = dd(&sb, "POST", "/webapi/verify", &body);
    assert_eq!(r.status, 202);
    let id = r.json()["requestId"].as_str().unwrap().to_owned();
    let m = &sb.messages()[0];
    assert_eq!(m.text, format!("Code {}, valid 2 min", m.code));
    sb.clock().advance(Duration::from_secs(121));
    let r = validate(&sb, &id, &m.code);
    assert_eq!(r.json()["status"], "CodeExpired");
    assert_eq!(validate(&sb, &id, &m.code).status, 204);
}

#[test]
fn validation_failures_are_listed_together() {
    let sb = sandbox();
    let now = sb.clock().now();
    let r = dd(
        &sb,
        "POST",
        "/webapi/verify",
        &json!({"to": "", "from": "bad!chars", "body": "no placeholder",
        "validUntil": iso(now + Duration::from_secs(31 * 60))}),
    );
    assert_eq!(r.status, 400);
    let codes: Vec<(String, String)> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["property"].as_str().unwrap().into(),
                f["failureCode"].as_str().unwrap().into(),
            )
        })
        .collect();
    for want in [
        ("to", "ToEmpty"),
        ("from", "FromContainsDisallowedCharacters"),
        ("validUntil", "ValidUntilMaxExceeded"),
    ] {
        assert!(
            codes.contains(&(want.0.into(), want.1.into())),
            "{want:?} not in {codes:?}"
        );
    }
    let cases = [
        (
            json!({"to": "4479790802150000", "from": "ACME"}),
            "ToInvalid",
        ),
        (json!({"to": "447700900123"}), "FromEmpty"),
        (
            json!({"to": "447700900123", "from": "1234567890123456"}),
            "FromExceedsMaxNumericLength",
        ),
        (
            json!({"to": "447700900123", "from": "ABCDEFGHIJKL"}),
            "FromExceedsMaxTextLength",
        ),
        (
            json!({"to": "447700900123", "from": "A"}),
            "FromUnderMinTextLength",
        ),
        (
            json!({"to": "07700900123", "from": "ACME", "countryIsoCode": "GB"}),
            "CountryIsoCodeInvalid",
        ),
        (
            json!({"to": "447700900123", "from": "ACME", "validUntil": iso(now - Duration::from_secs(1))}),
            "ValidUntilMinExceeded",
        ),
    ];
    for (body, code) in cases {
        let r = dd(&sb, "POST", "/webapi/verify", &body);
        assert_eq!(r.status, 400, "{body}");
        assert_eq!(r.json()[0]["failureCode"], code, "{body}");
    }
    let c = sb.config();
    let auth = {
        use base64::Engine as _;
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!(
                "{}:{}",
                c.dotdigital_username, c.dotdigital_password
            ))
        )
    };
    let r = send(
        sb.local_addr(),
        "POST",
        "/webapi/verify",
        &[("Authorization", auth)],
        b"{not json",
    );
    assert_eq!(r.json()[0]["failureCode"], "InvalidJson");
    assert!(sb.messages().is_empty());
}

#[test]
fn local_numbers_with_a_country() {
    let sb = sandbox();
    let r = dd(
        &sb,
        "POST",
        "/webapi/verify",
        &json!({"to": "07700900123", "from": "ACME", "countryIsoCode": "GBR"}),
    );
    assert_eq!(r.status, 202);
    assert_eq!(r.json()["phoneNumber"], "447700900123");
}

#[test]
fn country_codes_are_checked_against_iso_3166_alpha_3() {
    let sb = sandbox();
    for (country, local, international) in [
        ("GBR", "07700900123", "447700900123"),
        ("DEU", "015112345678", "4915112345678"),
        ("gbr", "07700900124", "447700900124"),
        // Assigned, but not in the sandbox's dialling table: the number is kept as given.
        ("ISL", "0611234", "0611234"),
    ] {
        let r = dd(
            &sb,
            "POST",
            "/webapi/verify",
            &json!({"to": local, "from": "ACME", "countryIsoCode": country}),
        );
        assert_eq!(
            r.status,
            202,
            "{country}: {}",
            String::from_utf8_lossy(&r.body)
        );
        assert_eq!(r.json()["phoneNumber"], international, "{country}");
    }
    let sent = sb.messages().len();
    for country in ["XXX", "ABC", "GB", "GBRR", "EUR", "G8R", ""] {
        let r = dd(
            &sb,
            "POST",
            "/webapi/verify",
            &json!({"to": "447700900123", "from": "ACME", "countryIsoCode": country}),
        );
        assert_eq!(r.status, 400, "{country}");
        let failures = r.json();
        let failures = failures.as_array().unwrap();
        assert_eq!(failures.len(), 1, "{country}: {failures:?}");
        assert_eq!(failures[0]["property"], "countryIsoCode", "{country}");
        assert_eq!(
            failures[0]["failureCode"], "CountryIsoCodeInvalid",
            "{country}"
        );
    }
    assert_eq!(sb.messages().len(), sent);
}

#[test]
fn body_without_placeholder_is_the_sandboxs_body_invalid() {
    let sb = sandbox();
    let r = dd(
        &sb,
        "POST",
        "/webapi/verify",
        &json!({"to": "447700900123", "from": "ACME", "body": "no placeholder"}),
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.json()[0]["property"], "body");
    assert_eq!(r.json()[0]["failureCode"], "BodyInvalid");
    assert!(sb.messages().is_empty());
}

#[test]
fn unauthorized_is_plain_text() {
    let sb = sandbox();
    let r = send(
        sb.local_addr(),
        "POST",
        "/webapi/verify",
        &[],
        br#"{"to":"447700900123","from":"ACME"}"#,
    );
    assert_eq!(r.status, 401);
    assert!(r.header("content-type").unwrap().starts_with("text/plain"));
    assert_eq!(
        r.body,
        b"No authorization header supplied or invalid username or password"
    );
    let r = send(
        sb.local_addr(),
        "POST",
        "/webapi/verify",
        &[("Authorization", "Basic dXNlcjp3cm9uZw==".into())],
        b"{}",
    );
    assert_eq!(r.status, 401);
}

#[test]
fn throttled_per_number_and_per_account() {
    let config = SandboxConfig::deterministic(5)
        .with_dotdigital_per_number_limit(3, Duration::from_secs(60));
    let sb = Sandbox::spawn(config).unwrap();
    for _ in 0..3 {
        create(&sb, "447700900123");
    }
    let r = dd(
        &sb,
        "POST",
        "/webapi/verify",
        &json!({"to": "447700900123", "from": "ACME"}),
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.json()[0]["failureCode"], "Throttled");
    assert_eq!(r.json()[0]["property"], "to");
    assert_eq!(sb.messages().len(), 3);
    create(&sb, "447700900124");
    sb.clock().advance(Duration::from_secs(61));
    create(&sb, "447700900123");

    let sb = Sandbox::spawn(SandboxConfig::deterministic(6).with_rate_limits(1_000, 2)).unwrap();
    create(&sb, "447700900123");
    create(&sb, "447700900124");
    let r = dd(
        &sb,
        "POST",
        "/webapi/verify",
        &json!({"to": "447700900125", "from": "ACME"}),
    );
    assert_eq!(r.json()[0]["failureCode"], "Throttled");
    sb.clock().advance(Duration::from_secs(1));
    create(&sb, "447700900125");
}

#[test]
fn local_and_international_numbers_follow_one_rule() {
    let sb = sandbox();
    let post = |to: &str, country: Option<&str>| {
        let mut body = json!({"to": to, "from": "ACME"});
        if let Some(c) = country {
            body["countryIsoCode"] = json!(c);
        }
        dd(&sb, "POST", "/webapi/verify", &body)
    };
    for (to, country, phone_number) in [
        ("07123123456", Some("GBR"), "447123123456"),
        ("07123123457", Some("gbr"), "447123123457"),
        ("447123123458", Some("GBR"), "447123123458"),
        ("447123123459", None, "447123123459"),
        // With a country: 4 to 15 digits, local or international.
        ("0123", Some("GBR"), "44123"),
        ("712312345", Some("GBR"), "712312345"),
        ("015112345678", Some("DEU"), "4915112345678"),
        // Without: international, 7 to 15 digits.
        ("4471231", None, "4471231"),
        ("447123123456789", None, "447123123456789"),
    ] {
        let r = post(to, country);
        assert_eq!(
            r.status,
            202,
            "{to} {country:?}: {}",
            String::from_utf8_lossy(&r.body)
        );
        assert_eq!(r.json()["phoneNumber"], phone_number, "{to} {country:?}");
    }
    let sent = sb.messages().len();
    for (to, country) in [
        // Digits only, with or without a country.
        ("+447123123456", None),
        ("+447123123456", Some("GBR")),
        (" 447123123456", None),
        ("07123 123456", Some("GBR")),
        // A leading 0 needs a country.
        ("07123123456", None),
        // Lengths.
        ("447123", None),
        ("4471231234567890", None),
        ("123", Some("GBR")),
        ("0712312345678901", Some("GBR")),
    ] {
        let r = post(to, country);
        assert_eq!(r.status, 400, "{to:?} {country:?}");
        assert_eq!(
            r.json(),
            json!([{"property": "to", "failureCode": "ToInvalid",
                "details": "to is not a valid phone number."}]),
            "{to:?} {country:?}"
        );
    }
    assert_eq!(sb.messages().len(), sent);
}

#[test]
fn the_fifth_wrong_code_is_code_locked_and_discards_the_id() {
    let sb = sandbox();
    // Four wrong codes leave the right one working.
    let (id, code) = create(&sb, "447700900123");
    for _ in 0..4 {
        assert_eq!(
            validate(&sb, &id, wrong(&code)).json()["status"],
            "CodeNotVerified"
        );
    }
    assert_eq!(validate(&sb, &id, &code).json()["status"], "CodeVerified");
    // The fifth wrong answer is CodeLocked; then the id is gone (204), right code or not.
    let (id, code) = create(&sb, "447700900124");
    for n in 1..=5 {
        let r = validate(&sb, &id, wrong(&code));
        assert_eq!(r.status, 200);
        let want = if n < 5 {
            "CodeNotVerified"
        } else {
            "CodeLocked"
        };
        assert_eq!(r.json()["status"], want, "wrong code {n}");
    }
    for c in [code.as_str(), wrong(&code)] {
        let r = validate(&sb, &id, c);
        assert_eq!(r.status, 204);
        assert!(r.body.is_empty());
    }
}
