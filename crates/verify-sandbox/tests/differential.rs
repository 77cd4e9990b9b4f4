//! One rule, one place: a table of edge inputs run through the core's
//! validation and through the sandbox (in this process, on loopback),
//! asserting they agree row by row: the core refuses before sending exactly
//! what the sandbox would refuse after (docs/PROTOCOL-DECISIONS.md).

mod common;

use std::time::Duration;

use common::{TeleSign, VerifyApi, verify_status};
use serde_json::{Value, json};
use verify_core::telesign::{SendCall, TTS_MESSAGE_MAX};
use verify_core::telesign_verify::{
    CreateVerification, Method, PUSH_APP_TOKEN_MAX, PolicyStep, State,
};
use verify_sandbox::{Sandbox, SandboxConfig};

const PHONE: &str = "15555550100";

fn sandbox() -> Sandbox {
    Sandbox::spawn(SandboxConfig::deterministic(21)).unwrap()
}

/// A spoken message of `chars` characters that carries the code.
fn tts(chars: usize) -> String {
    let mut m = String::from("$$CODE$$");
    while m.chars().count() < chars {
        m.push('x');
    }
    m
}

#[test]
fn tts_message_rows_agree() {
    let sb = sandbox();
    let client = TeleSign {
        sandbox: &sb,
        hmac: false,
    };
    let rows: Vec<(&str, String)> = vec![
        ("short", tts(20)),
        ("the SMS template default, 160", tts(160)),
        ("above the SMS default, 161", tts(161)),
        ("the limit", tts(TTS_MESSAGE_MAX)),
        ("one above the limit", tts(TTS_MESSAGE_MAX + 1)),
        ("far above", tts(10_000)),
        ("multi-byte at the limit", {
            let mut m = String::from("$$CODE$$");
            while m.chars().count() < TTS_MESSAGE_MAX {
                m.push('é');
            }
            m
        }),
        ("no placeholder", "x".repeat(30)),
        ("empty", String::new()),
    ];
    for (name, message) in rows {
        let core_ok = SendCall::new(PHONE)
            .tts_message(message.clone())
            .validate()
            .is_ok();
        let answer = client.call(
            "POST",
            "/v1/verify/call",
            &[("phone_number", PHONE), ("tts_message", &message)],
        );
        let sandbox_ok = answer.status == 200;
        assert!(
            answer.status == 200 || answer.status == 400,
            "{name}: HTTP {}",
            answer.status
        );
        assert_eq!(
            core_ok, sandbox_ok,
            "{name}: the core says {core_ok}, the sandbox {sandbox_ok} (HTTP {})",
            answer.status
        );
    }
}

/// The core's and the sandbox's verdicts on a Verify API create with these
/// recipient and policy values.
fn push_row(sb: &Sandbox, token: Option<&str>, push: bool) -> (bool, bool) {
    let mut op = CreateVerification::new();
    op.phone_number = Some(PHONE.to_owned());
    op.push_app_token = token.map(str::to_owned);
    let method = if push { Method::Push } else { Method::Sms };
    op.policy = vec![PolicyStep::new(method.clone())];
    let core_ok = op.validate().is_ok();

    let mut recipient = json!({"phone_number": PHONE});
    if let Some(t) = token {
        recipient["push_app_token"] = Value::String(t.to_owned());
    }
    let body = json!({
        "recipient": recipient,
        "verification_policy": [{"method": method.as_str()}],
    });
    let answer = VerifyApi {
        sandbox: sb,
        hmac: false,
    }
    .create(&body);
    assert!(
        answer.status == 201 || answer.status == 200 || answer.status == 400,
        "HTTP {}: {:?}",
        answer.status,
        verify_status(&answer)
    );
    (core_ok, answer.status != 400)
}

#[test]
fn push_app_token_rows_agree() {
    let sb = sandbox();
    let longest = "t".repeat(PUSH_APP_TOKEN_MAX);
    let too_long = "t".repeat(PUSH_APP_TOKEN_MAX + 1);
    let rows: Vec<(&str, Option<&str>, bool)> = vec![
        ("a token for push", Some("tok"), true),
        ("the longest token", Some(&longest), true),
        ("one byte too long", Some(&too_long), true),
        ("empty token for push", Some(""), true),
        ("no token for push", None, true),
        ("a space inside", Some("to k"), true),
        ("a control character", Some("to\u{1}k"), true),
        ("not ASCII", Some("tök"), true),
        ("a token without push", Some("tok"), false),
        ("an empty token without push", Some(""), false),
        ("no token, no push", None, false),
    ];
    for (name, token, push) in rows {
        let (core_ok, sandbox_ok) = push_row(&sb, token, push);
        assert_eq!(
            core_ok, sandbox_ok,
            "{name}: the core says {core_ok}, the sandbox {sandbox_ok}"
        );
    }
}

/// A huge code lifetime saturates: the process is not FAILED at once, and
/// its expiry is far ahead and still written as a time.
#[test]
fn a_huge_verify_api_code_lifetime_saturates() {
    for ttl in [Duration::MAX, Duration::from_secs(u64::MAX / 2)] {
        let sb =
            Sandbox::spawn(SandboxConfig::deterministic(22).with_telesign_verify_code_ttl(ttl))
                .unwrap();
        let api = VerifyApi {
            sandbox: &sb,
            hmac: false,
        };
        let (reference_id, _code) = api.start(&json!({"recipient": {"phone_number": PHONE}}));
        sb.clock().advance(Duration::from_secs(3600));
        let process = api.retrieve(&reference_id);
        assert_eq!(process.status, 200);
        let v = process.json();
        assert_ne!(v["state"], State::Failed.as_str(), "{v:#}");
        let expires = v["inner_methods"][0]["expires_on"].as_str().unwrap_or("");
        assert!(
            expires.starts_with("21") || expires.starts_with("22"),
            "expires about 100 years ahead: {v:#}"
        );
    }
}

/// Locked, then expired (docs/PROTOCOL-DECISIONS.md, "TeleSign"): a
/// transaction locked by its 5th wrong code answers `MAX_ATTEMPTS_EXCEEDED`
/// past its expiry too; one that was not locked answers `EXPIRED`. The core
/// reads both as final.
#[test]
fn locked_then_expired_stays_locked() {
    use verify_core::telesign::CodeState;
    let sb = sandbox();
    let ts = TeleSign {
        sandbox: &sb,
        hmac: false,
    };
    let start = |to: &str| {
        let id = ts.send_sms(to).json()["reference_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let code = sb.messages_to(to)[0].code.clone();
        let wrong = if code == "1111111" {
            "2222222"
        } else {
            "1111111"
        };
        (id, code, wrong)
    };
    let state = |id: &str, code: &str| {
        ts.status(id, Some(code)).json()["verify"]["code_state"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (locked, locked_code, wrong) = start("15555550102");
    for _ in 0..5 {
        state(&locked, wrong);
    }
    assert_eq!(state(&locked, &locked_code), "MAX_ATTEMPTS_EXCEEDED");
    let (open, open_code, open_wrong) = start("15555550103");
    assert_eq!(state(&open, open_wrong), "INVALID");

    sb.clock().advance(Duration::from_secs(5 * 60 + 1));
    for entered in [locked_code.as_str(), wrong] {
        assert_eq!(state(&locked, entered), "MAX_ATTEMPTS_EXCEEDED");
    }
    assert_eq!(state(&open, &open_code), "EXPIRED");
    for s in ["MAX_ATTEMPTS_EXCEEDED", "EXPIRED"] {
        let parsed = CodeState::parse(s);
        assert!(parsed.is_final(), "{s} is final for the core");
    }
}
