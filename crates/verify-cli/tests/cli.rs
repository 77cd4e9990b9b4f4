//! Runs the built `verify` binary against a sandbox started in the test.

use std::process::{Command, Output};

use verify_core::telesign::{Credentials, signing};
use verify_sandbox::{Fault, Route, Sandbox, SandboxConfig};

fn verify(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_verify"))
        .args(args)
        .env_remove("TELESIGN_CUSTOMER_ID")
        .env_remove("TELESIGN_API_KEY")
        .env_remove("DOTDIGITAL_USERNAME")
        .env_remove("DOTDIGITAL_PASSWORD")
        .output()
        .expect("the verify binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

fn sandbox() -> Sandbox {
    Sandbox::spawn(SandboxConfig::deterministic(7)).expect("sandbox starts")
}

const VECTOR_ID: &str = "FFFFFFFF-EEEE-DDDD-1234-AB1234567890";
const VECTOR_KEY: &str =
    "EXAMPLETE8sTgg45yusumoN6BYsBVkh+yRJ5czgsnCehZaOYldPJdmFh6NeX8kunZ2zU1YWaUw/0wV6xfw==";
const DATE: &str = "Wed, 14 Dec 2016 18:20:12 GMT";
const NONCE: &str = "A1592C6F-E384-4CDB-BC42-C3AB970369E9";

#[test]
fn print_request_is_byte_exact_and_sends_nothing() {
    let sb = sandbox();
    let base = sb.base_url();
    let out = verify(&[
        "telesign",
        "send",
        "--to",
        "15555550100",
        "--code",
        "12345",
        "--customer-id",
        VECTOR_ID,
        "--api-key",
        VECTOR_KEY,
        "--base-url",
        &base,
        "--print-request",
        "--date",
        DATE,
        "--nonce",
        NONCE,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let body = "phone_number=15555550100&verify_code=12345";
    let creds = Credentials::new(VECTOR_ID, VECTOR_KEY).unwrap();
    let signature = signing::hmac_signature(
        &creds,
        "POST",
        "application/x-www-form-urlencoded",
        DATE,
        NONCE,
        body.as_bytes(),
        "/v1/verify/sms",
    );
    let host = base.trim_start_matches("http://");
    let expected = format!(
        "POST /v1/verify/sms HTTP/1.1\r\n\
         host: {host}\r\n\
         content-type: application/x-www-form-urlencoded\r\n\
         accept: application/json\r\n\
         user-agent: verify-rs/0.1.0\r\n\
         authorization: TSA {VECTOR_ID}:{signature}\r\n\
         date: {DATE}\r\n\
         x-ts-auth-method: HMAC-SHA256\r\n\
         x-ts-nonce: {NONCE}\r\n\
         content-length: {}\r\n\
         \r\n\
         {body}",
        body.len()
    );
    assert_eq!(stdout(&out), expected);
    assert!(
        sb.messages().is_empty(),
        "--print-request must send nothing"
    );
}

#[test]
fn print_request_signature_matches_the_sdk_vector() {
    // The official SDKs' vector for a GET of /v1/resource has this signature;
    // a status query signs its path the same way, so check the layout on the
    // vector's own parts through the public signing function.
    let creds = Credentials::new(VECTOR_ID, VECTOR_KEY).unwrap();
    assert_eq!(
        signing::hmac_signature(&creds, "GET", "", DATE, NONCE, b"", "/v1/resource"),
        "aUm7I+9GKl3ww7PNeeJntCT0iS7b+EmRKEE4LnRzChQ="
    );
    let id = "0123456789ABCDEF0123456789ABCDEF";
    let out = verify(&[
        "telesign",
        "status",
        "--reference-id",
        id,
        "--customer-id",
        VECTOR_ID,
        "--api-key",
        VECTOR_KEY,
        "--print-request",
        "--date",
        DATE,
        "--nonce",
        NONCE,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let path = format!("/v1/verify/{id}");
    let signature = signing::hmac_signature(&creds, "GET", "", DATE, NONCE, b"", &path);
    assert!(
        text.starts_with(&format!(
            "GET {path} HTTP/1.1\r\nhost: rest-ww.telesign.com\r\n"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("authorization: TSA {VECTOR_ID}:{signature}\r\n")),
        "{text}"
    );
    assert!(text.ends_with("\r\n\r\n"), "a GET has no body: {text}");
}

#[test]
fn invalid_input_lists_every_field_and_exits_2() {
    let sb = sandbox();
    let out = verify(&[
        "telesign",
        "send",
        "--to",
        "+1 555",
        "--code",
        "12",
        "--ucid",
        "NOPE",
        "--sender-id",
        "an-id-that-is-far-too-long-for-telesign",
        "--base-url",
        &sb.base_url(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    for field in [
        "--customer-id",
        "--api-key",
        "ucid",
        "phone_number",
        "verify_code",
        "sender_id",
    ] {
        assert!(
            err.lines()
                .any(|l| l.trim_start().starts_with(&format!("{field}:"))),
            "{field} missing in:\n{err}"
        );
    }
    assert!(sb.messages().is_empty());

    let out = verify(&[
        "--json",
        "dotdigital",
        "validate",
        "--request-id",
        "../x",
        "--code",
        "",
        "--username",
        "u",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let v = json(&out);
    assert_eq!(v["ok"], false);
    let fields: Vec<_> = v["error"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap().to_owned())
        .collect();
    assert!(fields.contains(&"--password".to_owned()), "{fields:?}");
    assert!(
        fields.len() >= 3,
        "id and code problems expected too: {fields:?}"
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(verify(&["telesign", "send"]).status.code(), Some(2));
    assert_eq!(verify(&["no-such-command"]).status.code(), Some(2));
    // --date only makes sense with --print-request.
    assert_eq!(
        verify(&["telesign", "status", "--reference-id", "x", "--date", DATE])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(verify(&["--help"]).status.code(), Some(0));
}

fn telesign_args<'a>(sb: &'a Sandbox, base: &'a str) -> Vec<&'a str> {
    let c = sb.config();
    vec![
        "--customer-id",
        &c.telesign_customer_id,
        "--api-key",
        &c.telesign_api_key,
        "--base-url",
        base,
    ]
}

#[test]
fn telesign_send_status_complete_against_the_sandbox() {
    let sb = sandbox();
    let base = sb.base_url();
    let mut args = vec!["--json", "telesign", "send", "--to", "15555550110"];
    args.extend(telesign_args(&sb, &base));
    let out = verify(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["ok"], true);
    assert_eq!(v["status"]["code"], 290);
    let id = v["reference_id"].as_str().unwrap().to_owned();
    let code = sb.messages_to("15555550110")[0].code.clone();
    assert!(
        !stdout(&out).contains(&code),
        "the code must not be printed"
    );

    let mut args = vec![
        "--json",
        "telesign",
        "status",
        "--reference-id",
        &id,
        "--code",
        &code,
    ];
    args.extend(telesign_args(&sb, &base));
    let out = verify(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["verify"]["code_state"], "VALID");
    assert!(!stdout(&out).contains(&code));

    let mut args = vec!["telesign", "complete", "--reference-id", &id];
    args.extend(telesign_args(&sb, &base));
    let out = verify(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("1900"), "{}", stdout(&out));
}

#[test]
fn provider_errors_exit_1_with_code_and_description() {
    let sb = sandbox();
    let base = sb.base_url();
    // Unknown reference id: -10001.
    let mut args = vec![
        "--json",
        "telesign",
        "status",
        "--reference-id",
        "0123456789ABCDEF0123456789ABCDEF",
    ];
    args.extend(telesign_args(&sb, &base));
    let out = verify(&args);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let v = json(&out);
    assert_eq!(v["ok"], false);
    assert_eq!(v["error"]["errors"][0]["code"], -10001);
    assert!(
        v["error"]["errors"][0]["description"]
            .as_str()
            .unwrap()
            .contains("reference_id")
    );

    // A permanent carrier failure on a send: reported, with the "may have been sent" flag.
    sb.inject(Route::TeleSignSms, Fault::TeleSignStatus(504), 1);
    let mut args = vec!["telesign", "send", "--to", "15555550111"];
    args.extend(telesign_args(&sb, &base));
    let out = verify(&args);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("504") && err.contains("may have been sent"),
        "{err}"
    );

    // Wrong credentials: authentication error, and the key never printed.
    let out = verify(&[
        "--json",
        "telesign",
        "send",
        "--to",
        "15555550112",
        "--customer-id",
        VECTOR_ID,
        "--api-key",
        VECTOR_KEY,
        "--base-url",
        &base,
    ]);
    assert_eq!(out.status.code(), Some(1));
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        !all.contains(VECTOR_KEY) && !all.contains("EXAMPLETE8sT"),
        "{all}"
    );
    assert!(json(&out)["error"]["errors"][0]["code"].as_i64().unwrap() <= -30000);
}

#[test]
fn dotdigital_send_and_validate_against_the_sandbox() {
    let sb = sandbox();
    let base = sb.base_url();
    let c = sb.config();
    let creds = [
        "--username",
        c.dotdigital_username.as_str(),
        "--password",
        c.dotdigital_password.as_str(),
        "--base-url",
        base.as_str(),
    ];
    let mut args = vec![
        "--json",
        "dotdigital",
        "send",
        "--to",
        "447700900110",
        "--from",
        "Demo",
    ];
    args.extend(creds);
    let out = verify(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["status"], "CodeNotVerified");
    let id = v["request_id"].as_str().unwrap().to_owned();
    let code = sb.messages_to("447700900110")[0].code.clone();
    let mut args = vec![
        "--json",
        "dotdigital",
        "validate",
        "--request-id",
        &id,
        "--code",
        &code,
    ];
    args.extend(creds);
    let out = verify(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["status"], "CodeVerified");
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        !all.contains(&code) && !all.contains(&c.dotdigital_password),
        "{all}"
    );
}

#[test]
fn demo_passes_every_step() {
    let out = verify(&["--json", "demo"]);
    let v = json(&out);
    assert_eq!(out.status.code(), Some(0), "{v:#}");
    assert_eq!(v["ok"], true);
    let steps = v["steps"].as_array().unwrap();
    assert!(steps.len() >= 25, "{v:#}");
    assert!(steps.iter().any(|s| {
        s["step"]
            .as_str()
            .unwrap()
            .contains("every TeleSign send attempt")
    }));
    assert!(steps.iter().all(|s| s["ok"] == true));
    assert!(
        steps
            .iter()
            .any(|s| s["step"].as_str().unwrap().contains("temporary failure"))
    );
    assert!(
        steps
            .iter()
            .any(|s| s["step"].as_str().unwrap().contains("permanent failure"))
    );
}

#[test]
fn neutral_start_fails_over_and_check_verifies() {
    let sb = sandbox();
    let base = sb.base_url();
    let c = sb.config();
    let accounts = [
        "--customer-id",
        c.telesign_customer_id.as_str(),
        "--api-key",
        c.telesign_api_key.as_str(),
        "--username",
        c.dotdigital_username.as_str(),
        "--password",
        c.dotdigital_password.as_str(),
        "--base-url",
        base.as_str(),
    ];
    // The primary refuses every attempt with "not attempted": nothing sent, so the backup sends.
    sb.inject(Route::TeleSignSms, Fault::TeleSignStatus(500), 100);
    let mut args = vec![
        "--json",
        "start",
        "--to",
        "447700900130",
        "--provider",
        "telesign",
        "--backup",
        "dotdigital",
    ];
    args.extend(accounts);
    let out = verify(&args);
    sb.clear_faults();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let v = json(&out);
    assert_eq!(v["provider"], "dotdigital");
    let id = v["id"].as_str().unwrap().to_owned();
    let messages = sb.messages_to("447700900130");
    assert_eq!(messages.len(), 1);
    let code = messages[0].code.clone();

    let mut args = vec!["--json", "check", "--id", &id, "--code", &code];
    args.extend(accounts);
    let out = verify(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["outcome"], "Verified");
    assert!(!stdout(&out).contains(&code));
}
