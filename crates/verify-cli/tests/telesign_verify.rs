//! `verify telesign verification create|get|finalize` against the sandbox's
//! Verify API.

mod common;

use std::time::Duration;

use common::*;
use verify_sandbox::{Channel, SandboxProvider};
use verify_ureq::telesign::{Credentials, signing};

/// `verify telesign verification <args>` with the sandbox's credentials.
fn verification(sb: &verify_sandbox::Sandbox, base: &str, args: &[&str]) -> std::process::Output {
    let mut all = vec!["telesign", "verification"];
    all.extend(args);
    all.extend(telesign_args(sb, base));
    verify(&all)
}

#[test]
fn create_fall_back_finalize_and_read_back() {
    let sb = sandbox();
    let base = sb.base_url();
    let to = "15555550140";
    let out = verification(
        &sb,
        &base,
        &[
            "create",
            "--to",
            to,
            "--method",
            "sms:30",
            "--method",
            "whatsapp",
            "--external-id",
            "order-17",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let id = text
        .lines()
        .find_map(|l| l.strip_prefix("reference_id: "))
        .expect("a reference id")
        .to_owned();
    assert!(
        text.contains("status:       3901 Request in progress"),
        "{text}"
    );
    assert!(text.contains("state:        ONGOING"), "{text}");
    assert!(
        text.contains("policy:       sms 30 s, whatsapp 60 s"),
        "{text}"
    );
    // The reminder: finalizing is mandatory.
    assert!(
        text.lines().any(|l| l.starts_with("reminder:")
            && l.contains("finalize")
            && l.contains(&format!("--reference-id {id}"))),
        "{text}"
    );
    let messages = sb.messages_to(to);
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].provider, SandboxProvider::TelesignVerify);
    assert_eq!(messages[0].channel, Channel::Sms);
    let code = messages[0].code.clone();
    assert!(!text.contains(&code), "the code is never printed");

    let out = verification(&sb, &base, &["--json", "get", "--reference-id", &id]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["state"], "ONGOING", "{v:#}");
    assert_eq!(v["external_id"], "order-17", "{v:#}");
    assert_eq!(v["inner_methods"][0]["state"], "ONGOING", "{v:#}");
    assert_eq!(v["inner_methods"][1]["state"], "CREATED", "{v:#}");

    // The SMS goes unanswered: past its fallback time, WhatsApp gets the code.
    sb.clock().advance(Duration::from_secs(30));
    let channels: Vec<_> = sb.messages_to(to).iter().map(|m| m.channel).collect();
    assert_eq!(channels, [Channel::Sms, Channel::Whatsapp]);

    // A wrong code is an outcome: exit 0.
    let wrong_code = wrong(&code);
    let out = verification(
        &sb,
        &base,
        &["finalize", "--reference-id", &id, "--code", &wrong_code],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out)
            .lines()
            .any(|l| l.starts_with("finalization: wrong code")),
        "{}",
        stdout(&out)
    );
    assert!(!stdout(&out).contains(&wrong_code));

    let out = verification(
        &sb,
        &base,
        &["--json", "finalize", "--reference-id", &id, "--code", &code],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["finalization"], "verified", "{v:#}");
    assert_eq!(v["verified"], true, "{v:#}");
    assert!(!stdout(&out).contains(&code));

    // Once verified, the process is finished: still an outcome.
    let out = verification(
        &sb,
        &base,
        &["finalize", "--reference-id", &id, "--code", &code],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("finalization: not found or finished"),
        "{}",
        stdout(&out)
    );

    let out = verification(&sb, &base, &["get", "--reference-id", &id]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("state:        VERIFIED"), "{text}");
    assert!(text.contains("method 1:     sms SKIPPED"), "{text}");
    assert!(text.contains("method 2:     whatsapp VERIFIED"), "{text}");
}

#[test]
fn three_wrong_codes_reject_and_unknown_ids_are_outcomes_for_finalize_only() {
    let sb = sandbox();
    let base = sb.base_url();
    let out = verification(
        &sb,
        &base,
        &[
            "--json",
            "create",
            "--to",
            "15555550141",
            "--code",
            "24681357",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["must_finalize"], true, "{v:#}");
    let id = v["reference_id"].as_str().unwrap().to_owned();
    assert_eq!(sb.messages_to("15555550141")[0].code, "24681357");
    let mut outcomes = Vec::new();
    for _ in 0..3 {
        let out = verification(
            &sb,
            &base,
            &[
                "--json",
                "finalize",
                "--reference-id",
                &id,
                "--code",
                "1111",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        outcomes.push(json(&out)["finalization"].as_str().unwrap().to_owned());
    }
    assert_eq!(outcomes, ["wrong_code", "wrong_code", "rejected"]);

    let unknown = "0123456789ABCDEF0123456789ABCDEF";
    let out = verification(
        &sb,
        &base,
        &[
            "--json",
            "finalize",
            "--reference-id",
            unknown,
            "--code",
            "1234",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["finalization"], "not_found_or_finished");

    // A retrieve has no outcome to give for an unknown process: exit 1.
    let out = verification(&sb, &base, &["--json", "get", "--reference-id", unknown]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let v = json(&out);
    assert_eq!(v["error"]["http_status"], 404, "{v:#}");
    assert_eq!(v["error"]["status_code"], 3110, "{v:#}");
}

#[test]
fn basic_auth_and_credentials_from_the_environment() {
    let sb = sandbox();
    let base = sb.base_url();
    let c = sb.config();
    let env = [
        ("TELESIGN_CUSTOMER_ID", c.telesign_customer_id.as_str()),
        ("TELESIGN_API_KEY", c.telesign_api_key.as_str()),
    ];
    for auth in ["basic", "hmac"] {
        let out = run(
            &[
                "--json",
                "telesign",
                "verification",
                "create",
                "--to",
                "15555550142",
                "--auth",
                auth,
                "--base-url",
                &base,
            ],
            &env,
            None,
        );
        assert_eq!(out.status.code(), Some(0), "{auth}: {}", stdout(&out));
    }
    assert_eq!(sb.messages_to("15555550142").len(), 2);

    // A wrong key: the provider's refusal, exit 1, nothing sent.
    let out = verify(&[
        "telesign",
        "verification",
        "create",
        "--to",
        "15555550143",
        "--customer-id",
        VECTOR_ID,
        "--api-key",
        VECTOR_KEY,
        "--base-url",
        &base,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("[no message was sent]"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains(VECTOR_KEY));
    assert!(sb.messages_to("15555550143").is_empty());
}

#[test]
fn print_request_of_each_verify_api_call_is_byte_exact() {
    let creds = Credentials::new(VECTOR_ID, VECTOR_KEY).unwrap();
    let fixed = [
        "--customer-id",
        VECTOR_ID,
        "--api-key",
        VECTOR_KEY,
        "--print-request",
        "--date",
        DATE,
        "--nonce",
        NONCE,
    ];
    let id = "0123456789ABCDEF0123456789ABCDEF";
    let cases: [(&[&str], &str, String, &str); 3] = [
        (
            &[
                "create",
                "--to",
                "15555550100",
                "--method",
                "sms:30",
                "--method",
                "whatsapp",
                "--code",
                "123456",
            ],
            "POST",
            "/verification".to_owned(),
            r#"{"recipient":{"phone_number":"15555550100"},"verification_policy":[{"method":"sms","fallback_time":30},{"method":"whatsapp"}],"security_factor":"123456"}"#,
        ),
        (
            &["get", "--reference-id", id],
            "GET",
            format!("/verification/{id}"),
            "",
        ),
        (
            &["finalize", "--reference-id", id, "--code", "123456"],
            "PATCH",
            format!("/verification/{id}/state"),
            r#"{"action":"finalize","security_factor":"123456"}"#,
        ),
    ];
    for (args, method, path, body) in cases {
        let mut all = vec!["telesign", "verification"];
        all.extend(args);
        all.extend(fixed);
        let first = verify(&all);
        assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
        assert_eq!(first.stdout, verify(&all).stdout, "reproducible");
        let content_type = if body.is_empty() {
            ""
        } else {
            "application/json"
        };
        let signature = signing::hmac_signature(
            &creds,
            method,
            content_type,
            DATE,
            NONCE,
            body.as_bytes(),
            &path,
        )
        .unwrap();
        let mut expected = format!("{method} {path} HTTP/1.1\r\nhost: verify.telesign.com\r\n");
        if !body.is_empty() {
            expected.push_str("content-type: application/json\r\n");
        }
        expected.push_str(&format!(
            "accept: application/json\r\n\
             user-agent: verify-rs/0.1.0\r\n\
             authorization: TSA {VECTOR_ID}:{signature}\r\n\
             date: {DATE}\r\n\
             x-ts-auth-method: HMAC-SHA256\r\n\
             x-ts-nonce: {NONCE}\r\n"
        ));
        if !body.is_empty() {
            expected.push_str(&format!("content-length: {}\r\n", body.len()));
        }
        expected.push_str("\r\n");
        expected.push_str(body);
        assert_eq!(stdout(&first), expected, "{method} {path}");
    }
}

#[test]
fn every_invalid_input_is_reported_at_once_and_nothing_is_sent() {
    let sb = sandbox();
    let out = verify(&[
        "--json",
        "telesign",
        "verification",
        "create",
        "--to",
        "+1 555",
        "--method",
        "pigeon",
        "--method",
        "sms:soon",
        "--code",
        "12",
        "--external-id",
        "",
        "--template",
        "Not A Name",
        "--base-url",
        "http://example.com",
        "--proxy",
        "socks5://proxy.example:1080",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let problems = json_problems(&out);
    for field in [
        "--customer-id",
        "--api-key",
        "--base-url",
        "--method",
        "--proxy",
        "verification_policy",
        "phone_number",
        "security_factor",
        "external_id",
        "message_template",
    ] {
        assert!(names(&problems, field), "{field} missing: {problems:#?}");
    }

    // Email needs an address; a finalize's code must be a possible code.
    let base = sb.base_url();
    let out = verification(
        &sb,
        &base,
        &[
            "--json", "create", "--method", "email", "--method", "sms:20",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let problems = json_problems(&out);
    for field in ["email", "phone_number", "verification_policy"] {
        assert!(names(&problems, field), "{field} missing: {problems:#?}");
    }
    let out = verification(
        &sb,
        &base,
        &[
            "--json",
            "finalize",
            "--reference-id",
            "nope",
            "--code",
            "x",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let problems = json_problems(&out);
    assert!(
        names(&problems, "reference_id") && names(&problems, "security_factor"),
        "{problems:#?}"
    );
    assert!(sb.messages().is_empty());
    assert_eq!(sb.stats().nonces, 0, "nothing reached the sandbox");

    // Plain http off loopback only when asked for (and then only printed here).
    let out = verify(&[
        "telesign",
        "verification",
        "get",
        "--reference-id",
        "0123456789ABCDEF0123456789ABCDEF",
        "--customer-id",
        VECTOR_ID,
        "--api-key",
        VECTOR_KEY,
        "--base-url",
        "http://verify.example",
        "--allow-plain-http",
        "--print-request",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("host: verify.example\r\n"));
}

#[test]
fn the_neutral_commands_start_and_check_a_verify_api_process() {
    let sb = sandbox();
    let base = sb.base_url();
    let mut args = vec![
        "--json",
        "start",
        "--provider",
        "telesign-verify",
        "--to",
        "15555550144",
    ];
    args.extend(telesign_args(&sb, &base));
    let out = verify(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["provider"], "telesign_verify", "{v:#}");
    let id = v["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("telesign_verify:"), "{id}");
    let code = sb.messages_to("15555550144")[0].code.clone();
    for (typed, outcome) in [(wrong(&code), "Incorrect"), (code.clone(), "Verified")] {
        let mut args = vec!["--json", "check", "--id", &id, "--code", &typed];
        args.extend(telesign_args(&sb, &base));
        let out = verify(&args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(json(&out)["outcome"], outcome);
    }
}
