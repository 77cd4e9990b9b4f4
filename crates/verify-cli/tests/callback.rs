//! `verify telesign callback`: a callback's signature checked on its raw
//! bytes with the account's key, then the report read.

mod common;

use std::path::PathBuf;

use common::*;
use verify_ureq::telesign::signing::hmac_sha256_base64;

const CUSTOMER_ID: &str = "FFFFFFFF-EEEE-DDDD-1234-AB1234567890";
/// base64 of `KEY`.
const API_KEY: &str = "VGVzdCBLZXk=";
const KEY: &[u8] = b"Test Key";

const DELIVERY: &str = r#"{"reference_id":"0123456789ABCDEF0123456789ABCDEF","status":{"code":200,"description":"Delivered to handset","updated_on":"2016-12-14T18:20:12.000000Z"},"verify":{"code_state":"VALID","code_entered":"97531"},"submit_timestamp":"2016-12-14T18:20:10.000000Z","errors":[]}"#;
const VERIFY_API: &str = r#"{"reference_id":"FEDCBA9876543210FEDCBA9876543210","state":"VERIFIED","verification_policy":[{"method":"sms","fallback_time":30},{"method":"whatsapp","fallback_time":60}],"inner_methods":[{"method":"sms","state":"SKIPPED"},{"method":"whatsapp","state":"VERIFIED"}]}"#;

/// A file holding `body`, removed when dropped.
struct BodyFile(PathBuf);

impl BodyFile {
    fn new(name: &str, body: &[u8]) -> Self {
        let path = std::env::temp_dir().join(format!(
            "verify-cli-callback-{}-{name}.json",
            std::process::id()
        ));
        std::fs::write(&path, body).expect("the body file is written");
        Self(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("a UTF-8 temp path")
    }
}

impl Drop for BodyFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn signed(body: &str) -> String {
    format!(
        "TSA {CUSTOMER_ID}:{}",
        hmac_sha256_base64(KEY, body.as_bytes())
    )
}

/// `verify telesign callback` with the account in the environment.
fn callback(args: &[&str], stdin: Option<&[u8]>) -> std::process::Output {
    let mut all = vec!["telesign", "callback"];
    all.extend(args);
    run(
        &all,
        &[
            ("TELESIGN_CUSTOMER_ID", CUSTOMER_ID),
            ("TELESIGN_API_KEY", API_KEY),
        ],
        stdin,
    )
}

#[test]
fn a_signed_delivery_report_is_authentic_and_read() {
    let file = BodyFile::new("delivery", DELIVERY.as_bytes());
    let header = signed(DELIVERY);
    let out = callback(
        &["--authorization", &header, "--body-file", file.path()],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    for line in [
        "callback:     authentic (delivery report)",
        "reference_id: 0123456789ABCDEF0123456789ABCDEF",
        "status:       200 Delivered to handset",
        "code_state:   VALID",
    ] {
        assert!(text.lines().any(|l| l == line), "{line:?} missing:\n{text}");
    }
    assert!(!text.contains("97531"), "the code entered is never printed");

    // From standard input, with the bare signature, in JSON.
    let bare = hmac_sha256_base64(KEY, DELIVERY.as_bytes());
    let out = callback(
        &["--json", "--authorization", &bare],
        Some(DELIVERY.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["ok"], true, "{v:#}");
    assert_eq!(v["kind"], "delivery_report", "{v:#}");
    assert_eq!(v["authentic"], true, "{v:#}");
    assert_eq!(v["reference_id"], "0123456789ABCDEF0123456789ABCDEF");
    assert_eq!(v["status"]["code"], 200);
    assert_eq!(v["verify"]["code_state"], "VALID");
}

#[test]
fn a_signed_verify_api_callback_is_read_as_one() {
    let out = callback(
        &["--json", "--authorization", &signed(VERIFY_API)],
        Some(VERIFY_API.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["kind"], "verify_api_callback", "{v:#}");
    assert_eq!(v["state"], "VERIFIED", "{v:#}");
    assert_eq!(v["reference_id"], "FEDCBA9876543210FEDCBA9876543210");
    assert_eq!(v["inner_methods"][0]["state"], "SKIPPED", "{v:#}");

    let out = callback(
        &["--authorization", &signed(VERIFY_API)],
        Some(VERIFY_API.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("callback:     authentic (Verify API)"),
        "{text}"
    );
    assert!(text.contains("state:        VERIFIED"), "{text}");
    assert!(
        text.contains("reference_id: FEDCBA9876543210FEDCBA9876543210"),
        "{text}"
    );
}

#[test]
fn a_tampered_body_or_another_signature_is_refused_with_exit_1() {
    let header = signed(DELIVERY);
    let tampered = DELIVERY.replace("VALID", "INVALID");
    let file = BodyFile::new("tampered", tampered.as_bytes());
    let out = callback(
        &["--authorization", &header, "--body-file", file.path()],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).is_empty(), "nothing of the body is reported");
    let err = stderr(&out);
    assert!(err.contains("bad signature"), "{err}");

    let out = callback(
        &["--json", "--authorization", &header],
        Some(tampered.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["ok"], false);
    assert_eq!(v["error"]["reason"], "bad_signature", "{v:#}");

    // A header naming another account, a signature that is not base64.
    for (header, reason) in [
        (
            format!(
                "TSA 00000000-0000-0000-0000-000000000000:{}",
                hmac_sha256_base64(KEY, DELIVERY.as_bytes())
            ),
            "customer_id_mismatch",
        ),
        ("TSA nothing".to_owned(), "malformed_header"),
    ] {
        let out = callback(
            &["--json", "--authorization", &header],
            Some(DELIVERY.as_bytes()),
        );
        assert_eq!(out.status.code(), Some(1), "{header}");
        assert_eq!(json(&out)["error"]["reason"], reason, "{header}");
    }

    // Authentic but not a callback TeleSign documents: refused too.
    let body = "not json";
    let out = callback(
        &["--json", "--authorization", &signed(body)],
        Some(body.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["error"]["reason"], "malformed_body");
}

#[test]
fn unreadable_input_exits_2() {
    let header = signed(DELIVERY);
    let out = callback(
        &[
            "--json",
            "--authorization",
            &header,
            "--body-file",
            "/nonexistent/verify-cli/callback.json",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let problems = json_problems(&out);
    assert!(names(&problems, "--body-file"), "{problems:?}");

    // No key: every missing piece at once.
    let out = run(
        &[
            "--json",
            "telesign",
            "callback",
            "--authorization",
            &header,
            "--body-file",
            "/nonexistent/verify-cli/callback.json",
        ],
        &[],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let problems = json_problems(&out);
    for field in ["--customer-id", "--api-key", "--body-file"] {
        assert!(names(&problems, field), "{field}: {problems:?}");
    }

    // A key that is not base64 cannot check an HMAC signature.
    let out = run(
        &["--json", "telesign", "callback", "--authorization", &header],
        &[
            ("TELESIGN_CUSTOMER_ID", CUSTOMER_ID),
            ("TELESIGN_API_KEY", "not base64!"),
        ],
        Some(DELIVERY.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(names(&json_problems(&out), "--api-key"));

    // --authorization is required.
    let out = callback(&["--json"], Some(DELIVERY.as_bytes()));
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(names(&json_problems(&out), "--authorization"));
}
