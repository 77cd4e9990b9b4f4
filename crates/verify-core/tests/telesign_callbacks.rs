//! Delivery-report callbacks, and that no secret reaches Debug, Display or
//! an error.

use base64::Engine as _;
use verify_core::telesign::callback::{
    CallbackRejection, parse_callback, parse_callback_within, verify_signature,
};
use verify_core::telesign::{CodeState, Config, Credentials, GetStatus, SendSms, StatusCode};
use verify_core::{ApiKey, Code, Operation, Provider, ProviderConfig, Role};

const CID: &str = "FFFFFFFF-EEEE-DDDD-1234-AB1234567890";
const KEY: &str = "VGVzdCBLZXk=";
const REPORT: &[u8] = br#"{"reference_id":"0123456789ABCDEF0123456789ABCDEF","submit_timestamp":"2024-05-01T10:00:00Z","status":{"code":200,"description":"Delivered to handset","updated_on":"2024-05-01T10:00:03Z"},"errors":[],"verify":{"code_state":"UNKNOWN","code_entered":""}}"#;

fn creds() -> Credentials {
    Credentials::new(CID, KEY).unwrap()
}

/// Computed here with `hmac` directly, not through the crate.
fn signature(body: &[u8]) -> String {
    use hmac::Mac as _;
    let key = base64::engine::general_purpose::STANDARD
        .decode(KEY)
        .unwrap();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn request<'a>(headers: &[(&str, String)], body: &'a [u8]) -> http::Request<&'a [u8]> {
    let mut r = http::Request::post("/telesign/callback")
        .body(body)
        .unwrap();
    for (k, v) in headers {
        r.headers_mut().insert(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    r
}

#[test]
fn a_signed_report_is_parsed() {
    let sig = signature(REPORT);
    for headers in [
        vec![("authorization", format!("TSA {CID}:{sig}"))],
        vec![("x-ts-authorization", format!("TSA {CID}:{sig}"))],
        vec![("authorization", sig.clone())],
        // A proxy's own Authorization does not hide TeleSign's header.
        vec![
            ("authorization", "Bearer proxy".to_owned()),
            ("x-ts-authorization", sig.clone()),
        ],
    ] {
        let report = parse_callback(&creds(), &request(&headers, REPORT)).unwrap();
        assert_eq!(
            report.reference_id.as_str(),
            "0123456789ABCDEF0123456789ABCDEF"
        );
        let status = report.status.unwrap();
        assert_eq!(status.code, StatusCode::DeliveredToHandset);
        assert_eq!(status.updated_on.as_deref(), Some("2024-05-01T10:00:03Z"));
        assert_eq!(
            report.submit_timestamp.as_deref(),
            Some("2024-05-01T10:00:00Z")
        );
        assert_eq!(report.verify.unwrap().code_state, CodeState::NotChecked);
    }
}

#[test]
fn every_rejection_is_typed() {
    let sig = signature(REPORT);
    let reject = |headers: Vec<(&str, String)>, body: &[u8]| {
        parse_callback(&creds(), &request(&headers, body)).unwrap_err()
    };
    assert_eq!(reject(vec![], REPORT), CallbackRejection::MissingSignature);
    assert_eq!(
        reject(
            vec![("authorization", format!("TSA OTHER-CUSTOMER:{sig}"))],
            REPORT
        ),
        CallbackRejection::CustomerIdMismatch
    );
    assert_eq!(
        reject(vec![("authorization", format!("TSA {CID}"))], REPORT),
        CallbackRejection::MalformedHeader
    );
    assert_eq!(
        reject(vec![("authorization", "not base64!".to_owned())], REPORT),
        CallbackRejection::MalformedHeader
    );
    let other = signature(b"another body");
    assert_eq!(
        reject(vec![("authorization", other)], REPORT),
        CallbackRejection::BadSignature
    );
    // A truncated signature is a bad signature, not a shorter match.
    let short = base64::engine::general_purpose::STANDARD.encode(
        &base64::engine::general_purpose::STANDARD
            .decode(&sig)
            .unwrap()[..16],
    );
    assert_eq!(
        reject(vec![("authorization", short)], REPORT),
        CallbackRejection::BadSignature
    );
    let no_id = br#"{"status":{"code":200}}"#;
    match reject(vec![("authorization", signature(no_id))], no_id) {
        CallbackRejection::MalformedBody { reason, .. } => assert_eq!(reason, "no reference_id"),
        other => panic!("{other:?}"),
    }
    // The signature is checked before the body is read.
    let html = b"<html>1234567</html>";
    assert_eq!(
        reject(vec![("authorization", sig)], html),
        CallbackRejection::BadSignature
    );
    match reject(vec![("authorization", signature(html))], html) {
        CallbackRejection::MalformedBody { excerpt, .. } => {
            assert_eq!(excerpt.as_str(), "<html>***</html>")
        }
        other => panic!("{other:?}"),
    }
    assert!(verify_signature(&creds(), &http::HeaderMap::new(), REPORT).is_err());
}

#[test]
fn secrets_never_show() {
    let key = "c2VjcmV0LWtleS1ub2JvZHktc2hvdWxkLXNlZQ==";
    let creds = Credentials::new(CID, key).unwrap();
    let config = Config::new(creds.clone());
    let sms = SendSms::new("15555550100").verify_code(Code::new("8675309"));
    let shown = format!("{creds:?} {config:?} {sms:?} {:?}", ApiKey::new(key));
    assert!(!shown.contains("c2VjcmV0"), "{shown}");
    assert!(!shown.contains("8675309"), "{shown}");

    // A code that breaks a rule is not repeated by the error.
    let bad = SendSms::new("15555550100").verify_code(Code::new("86753091"));
    let err = bad.validate().unwrap_err();
    assert!(!format!("{err} {err:?}").contains("86753091"));

    // A code echoed by TeleSign is masked in errors and redacted in values.
    let check = GetStatus::new("0123456789ABCDEF0123456789ABCDEF".parse().unwrap());
    let body = br#"{"reference_id":"0123456789ABCDEF0123456789ABCDEF","status":{"code":200,"description":"Code 8675309 checked"},"verify":{"code_state":"VALID","code_entered":"8675309"}}"#;
    let ok = check
        .parse_response(Provider::TeleSign, http::Response::new(&body[..]))
        .unwrap();
    assert!(!format!("{ok:?}").contains("8675309"), "{ok:?}");
    assert_eq!(
        ok.verify
            .as_ref()
            .unwrap()
            .code_entered
            .as_ref()
            .unwrap()
            .expose_secret(),
        "8675309"
    );
    let body = br#"{"status":{"code":500},"errors":[{"code":-10001,"description":"Invalid Request: verify_code Parameter: 8675309"}]}"#;
    let err = check
        .parse_response(Provider::TeleSign, http::Response::new(&body[..]))
        .unwrap_err();
    assert!(!format!("{err} {err:?}").contains("8675309"));
    let err = check
        .parse_response(
            Provider::TeleSign,
            http::Response::new(&b"<p>code 8675309</p>"[..]),
        )
        .unwrap_err();
    assert!(!format!("{err} {err:?}").contains("8675309"));

    // The signed request marks Authorization as sensitive.
    let mut req = sms
        .to_request(&ProviderConfig::from(config), Role::Primary)
        .unwrap();
    ProviderConfig::from(Config::new(creds))
        .authorize(&mut req, std::time::SystemTime::UNIX_EPOCH, "n")
        .unwrap();
    assert!(req.headers()["authorization"].is_sensitive());
}

#[test]
fn an_age_check_refuses_stale_and_future_reports_and_needs_a_timestamp() {
    use std::time::Duration;
    let submitted = verify_core::text::provider_time("2024-05-01T10:00:00Z").unwrap();
    let signed = |body: &'static [u8]| {
        request(
            &[("authorization", format!("TSA {CID}:{}", signature(body)))],
            body,
        )
    };
    let ten_minutes = Duration::from_secs(600);
    let r = signed(REPORT);
    for now in [submitted, submitted + ten_minutes, submitted - ten_minutes] {
        assert!(parse_callback_within(&creds(), &r, now, ten_minutes).is_ok());
    }
    for now in [
        submitted + ten_minutes + Duration::from_secs(1),
        submitted - ten_minutes - Duration::from_secs(1),
    ] {
        assert_eq!(
            parse_callback_within(&creds(), &r, now, ten_minutes).unwrap_err(),
            CallbackRejection::Stale
        );
    }
    // Without a readable timestamp, no age can be checked.
    for body in [
        &br#"{"reference_id":"0123456789ABCDEF0123456789ABCDEF","status":{"code":200}}"#[..],
        br#"{"reference_id":"0123456789ABCDEF0123456789ABCDEF","submit_timestamp":"9999-12-31T23:59:59-01:00","status":{"code":200}}"#,
    ] {
        let r = signed(body);
        assert!(parse_callback(&creds(), &r).is_ok());
        assert_eq!(
            parse_callback_within(&creds(), &r, submitted, ten_minutes).unwrap_err(),
            CallbackRejection::Stale
        );
    }
    // The signature is checked first.
    let forged = request(
        &[("authorization", format!("TSA {CID}:{}", signature(b"x")))],
        REPORT,
    );
    assert_eq!(
        parse_callback_within(&creds(), &forged, submitted, ten_minutes).unwrap_err(),
        CallbackRejection::BadSignature
    );
}
