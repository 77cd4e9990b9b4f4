//! dotdigital requests as built by the public operations: paths, headers,
//! bodies, every-field validation, provider checks and redaction.

use std::time::{Duration, SystemTime};

use verify_core::dotdigital::{Config, Credentials, RequestId, SendCode, ValidateCode};
use verify_core::{BaseUrl, Code, Idempotency, Operation, ProviderConfig, Role, telesign};

fn config() -> ProviderConfig {
    Config::new(Credentials::new("api-user", "pa55word-XYZ").unwrap()).into()
}

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(1_445_433_686_419)
}

fn id() -> RequestId {
    "0bd57dc3-580c-4c1d-8aee-2ff79bd8633c".parse().unwrap()
}

fn json(body: &[u8]) -> String {
    String::from_utf8(body.to_vec()).unwrap()
}

#[test]
fn send_minimal_request() {
    let op = SendCode::new("447979080215", "Test");
    assert_eq!(op.name(), "dotdigital.send");
    assert_eq!(op.idempotency(), Idempotency::SendsMessage);
    assert_eq!(op.provider(), Some(verify_core::Provider::Dotdigital));
    let req = op.to_request(&config(), Role::Primary).unwrap();
    assert_eq!(req.method(), http::Method::POST);
    assert_eq!(
        req.uri().to_string(),
        "https://services.comapi.com/webapi/verify"
    );
    assert_eq!(req.headers()["content-type"], "application/json");
    assert_eq!(req.headers()["accept"], "application/json");
    assert_eq!(
        req.headers()["user-agent"],
        concat!("verify-rs/", env!("CARGO_PKG_VERSION"))
    );
    assert!(
        req.headers().get("authorization").is_none(),
        "auth is added by Config::authorize"
    );
    assert_eq!(json(req.body()), r#"{"to":"447979080215","from":"Test"}"#);
}

#[test]
fn send_full_request_keeps_field_order_and_formats_time() {
    let op = SendCode::new("07979080215", "MAYFLOWER")
        .country_iso_code("GBR")
        .body("Your code is {{code}}, valid {{validMinutes}} min")
        .valid_until(now() + Duration::from_secs(600), now());
    let req = op.to_request(&config(), Role::Backup).unwrap();
    assert_eq!(
        json(req.body()),
        r#"{"to":"07979080215","from":"MAYFLOWER","countryIsoCode":"GBR","body":"Your code is {{code}}, valid {{validMinutes}} min","validUntil":"2015-10-21T13:31:26.419Z"}"#
    );
}

#[test]
fn send_reports_every_failing_field_at_once() {
    let op = SendCode::new("07979080215", "Shop!")
        .country_iso_code("XYZ")
        .body("Your code is {code}")
        .valid_until(now() + Duration::from_secs(31 * 60), now());
    let err = op.to_request(&config(), Role::Primary).unwrap_err();
    assert_eq!(
        err.fields().collect::<Vec<_>>(),
        ["countryIsoCode", "from", "body", "validUntil"]
    );
    let op = SendCode::new("07979080215", "1").valid_until(now() - Duration::from_secs(1), now());
    let err = op.to_request(&config(), Role::Primary).unwrap_err();
    assert_eq!(
        err.fields().collect::<Vec<_>>(),
        ["to", "from", "validUntil"]
    );
}

#[test]
fn country_must_be_assigned_not_just_three_letters() {
    for (code, ok) in [
        ("GBR", true),
        ("USA", true),
        ("ABC", false),
        ("XKX", false),
        ("gbr", true),
        ("abc", false),
    ] {
        let op = SendCode::new("07979080215", "Test").country_iso_code(code);
        assert_eq!(
            op.to_request(&config(), Role::Primary).is_ok(),
            ok,
            "{code}"
        );
    }
}

#[test]
fn validate_request() {
    let op = ValidateCode::new(id(), Code::new("123456"));
    assert_eq!(op.name(), "dotdigital.validate");
    assert_eq!(op.idempotency(), Idempotency::NotIdempotent);
    let req = op.to_request(&config(), Role::Primary).unwrap();
    assert_eq!(req.method(), http::Method::PUT);
    assert_eq!(
        req.uri().to_string(),
        "https://services.comapi.com/WebApi/Verify/0bd57dc3-580c-4c1d-8aee-2ff79bd8633c/validate"
    );
    assert_eq!(req.headers()["content-type"], "application/json");
    assert_eq!(json(req.body()), r#"{"code":"123456"}"#);
}

#[test]
fn validate_refuses_codes_that_cannot_be_right_without_echoing_them() {
    for bad in ["", "12 34", "12\"34", &"9".repeat(33)] {
        let op = ValidateCode::new(id(), Code::new(bad));
        let err = op.to_request(&config(), Role::Primary).unwrap_err();
        assert_eq!(err.fields().collect::<Vec<_>>(), ["code"]);
        if !bad.is_empty() {
            assert!(!err.to_string().contains(bad), "{err}");
        }
    }
}

#[test]
fn wrong_provider_is_refused() {
    let ts: ProviderConfig = telesign::Config::new(
        telesign::Credentials::new("FFFFFFFF-EEEE-DDDD-1234-AB1234567890", "VGVzdCBLZXk=").unwrap(),
    )
    .into();
    let err = SendCode::new("447979080215", "Test")
        .to_request(&ts, Role::Primary)
        .unwrap_err();
    assert_eq!(err.fields().collect::<Vec<_>>(), ["provider"]);
    let err = ValidateCode::new(id(), Code::new("1234"))
        .to_request(&ts, Role::Primary)
        .unwrap_err();
    assert_eq!(err.fields().collect::<Vec<_>>(), ["provider"]);
}

#[test]
fn both_documented_hosts_and_plain_http_only_on_opt_in() {
    let creds = Credentials::new("api-user", "pw").unwrap();
    for base in [
        verify_core::dotdigital::DEFAULT_BASE_URL,
        verify_core::dotdigital::ALTERNATE_BASE_URL,
    ] {
        let cfg: ProviderConfig = Config::new(creds.clone())
            .with_base_url(BaseUrl::new(base).unwrap())
            .into();
        let req = SendCode::new("447979080215", "Test")
            .to_request(&cfg, Role::Primary)
            .unwrap();
        assert_eq!(req.uri().to_string(), format!("{base}/webapi/verify"));
    }
    assert!(BaseUrl::new("http://127.0.0.1:9").is_err());
    let cfg: ProviderConfig = Config::new(creds)
        .with_base_url(BaseUrl::allow_plain_http("http://127.0.0.1:9/dd").unwrap())
        .into();
    let req = ValidateCode::new(id(), Code::new("1"))
        .to_request(&cfg, Role::Primary)
        .unwrap();
    assert_eq!(
        req.uri().to_string(),
        "http://127.0.0.1:9/dd/WebApi/Verify/0bd57dc3-580c-4c1d-8aee-2ff79bd8633c/validate"
    );
}

#[test]
fn basic_auth_header_is_added_and_sensitive() {
    let cfg = config();
    let mut req = SendCode::new("447979080215", "Test")
        .to_request(&cfg, Role::Primary)
        .unwrap();
    cfg.authorize(&mut req, now(), "unused-nonce").unwrap();
    let auth = &req.headers()["authorization"];
    // base64("api-user:pa55word-XYZ")
    assert_eq!(auth, "Basic YXBpLXVzZXI6cGE1NXdvcmQtWFla");
    assert!(auth.is_sensitive());
    assert!(!format!("{req:?}").contains("YXBpLXVzZXI6cGE1NXdvcmQtWFla"));
}

#[test]
fn secrets_never_show_in_debug_or_errors() {
    let cfg = config();
    let shown = format!("{cfg:?}");
    assert!(!shown.contains("pa55word"), "{shown}");
    let op = ValidateCode::new(id(), Code::new("8675309"));
    let shown = format!("{op:?}");
    assert!(!shown.contains("8675309"), "{shown}");
    let op = ValidateCode::new(id(), Code::new("8675309 "));
    let err = op.to_request(&cfg, Role::Primary).unwrap_err();
    assert!(!format!("{err} {err:?}").contains("8675309"));
    let err = "8675309".parse::<RequestId>().unwrap_err();
    assert!(!format!("{err} {err:?}").contains("8675309"));
}

#[test]
fn a_response_from_another_provider_is_not_read_as_dotdigital() {
    let body = br#"{"requestId":"0bd57dc3-580c-4c1d-8aee-2ff79bd8633c","phoneNumber":"447979080215","status":"CodeVerified","numberStatus":"On","created":"2024-05-01T10:00:00Z"}"#;
    let response = || {
        http::Response::builder()
            .status(200)
            .body(&body[..])
            .unwrap()
    };
    let validate = ValidateCode::new(id(), Code::new("123456"));
    let send = SendCode::new("447979080215", "Test");
    for e in [
        validate
            .parse_response(verify_core::Provider::TeleSign, response())
            .unwrap_err(),
        send.parse_response(verify_core::Provider::TeleSign, response())
            .unwrap_err(),
    ] {
        assert!(
            matches!(e, verify_core::ResponseError::Unexpected(_)),
            "{e}"
        );
        assert!(e.to_string().contains("from telesign"), "{e}");
    }
    assert!(
        validate
            .parse_response(verify_core::Provider::Dotdigital, response())
            .is_ok()
    );
}
