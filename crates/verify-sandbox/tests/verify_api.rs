//! TeleSign's Verify API (`/verification`, PROVIDERS.md §4) over real sockets: every
//! request rule, the process lifecycle, fallbacks on the sandbox clock, authentication as
//! the official Python SDK sends it, rate limiting, faults and bounds.

mod common;

use std::time::{Duration, Instant};

use common::{VerifyApi, send, send_raw, verify_status};
use serde_json::{Value, json};
use verify_sandbox::{
    Channel, Fault, OutboxMessage, Route, Sandbox, SandboxConfig, SandboxProvider,
};

const PHONE: &str = "15555550100";

fn sandbox() -> Sandbox {
    Sandbox::spawn(SandboxConfig::deterministic(11)).unwrap()
}

fn api(sb: &Sandbox) -> VerifyApi<'_> {
    VerifyApi {
        sandbox: sb,
        hmac: true,
    }
}

fn phone_only() -> Value {
    json!({"recipient": {"phone_number": PHONE}})
}

fn wrong(code: &str) -> &'static str {
    if code == "000000" { "111111" } else { "000000" }
}

fn refused(r: &common::Raw) -> (u16, i64) {
    let (http, code, _) = verify_status(r);
    (http, code)
}

fn state(api: &VerifyApi<'_>, id: &str) -> Value {
    let r = api.retrieve(id);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()
}

fn by_id(sb: &Sandbox, id: &str) -> Vec<OutboxMessage> {
    sb.messages()
        .into_iter()
        .filter(|m| m.verification_id == id)
        .collect()
}

/// RFC 3339 UTC with exactly six fractional digits.
fn is_micros(s: &Value) -> bool {
    let Some(s) = s.as_str() else { return false };
    let b = s.as_bytes();
    s.len() == 27
        && b[10] == b'T'
        && b[19] == b'.'
        && b[26] == b'Z'
        && b[20..26].iter().all(u8::is_ascii_digit)
        && humantime::parse_rfc3339(s).is_ok()
}

#[test]
fn create_answers_3901_and_sends_a_six_digit_code() {
    let sb = sandbox();
    for hmac in [true, false] {
        let api = VerifyApi { sandbox: &sb, hmac };
        let r = api.create(&phone_only());
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        assert_eq!(r.header("content-type"), Some("application/json"));
        let j = r.json();
        let id = j["reference_id"].as_str().unwrap();
        assert_eq!(id.len(), 32);
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)),
            "{id}"
        );
        assert_eq!(
            j,
            json!({
                "reference_id": id,
                "status": {"code": 3901, "description": "Request in progress"},
                "recipient": {"phone_number": PHONE},
                "state": "ONGOING",
                "verification_policy": [{"method": "sms", "fallback_time": 60}],
            })
        );
        let sent = by_id(&sb, id);
        assert_eq!(sent.len(), 1);
        let m = &sent[0];
        assert_eq!(m.provider, SandboxProvider::TelesignVerify);
        assert_eq!(m.channel, Channel::Sms);
        assert_eq!(m.to, PHONE);
        assert_eq!(m.code.len(), 6);
        assert!(m.code.bytes().all(|b| b.is_ascii_digit()));
        assert!(m.text.contains(&m.code));
        assert_eq!(m.at, sb.clock().now());
    }
    // The outbox names the provider in its JSON.
    let raw = send(sb.local_addr(), "GET", "/_sandbox/messages", &[], b"").json();
    assert_eq!(raw[0]["provider"], "telesign_verify");
    assert_eq!(raw[0]["channel"], "sms");
}

#[test]
fn the_callers_security_factor_is_the_code() {
    let sb = sandbox();
    let api = api(&sb);
    let (id, code) = api.start(&json!({
        "recipient": {"phone_number": PHONE},
        "security_factor": "9081726354",
    }));
    assert_eq!(code, "9081726354");
    assert_eq!(
        by_id(&sb, &id)[0].text,
        "Your verification code is 9081726354"
    );
    let (_, code) =
        api.start(&json!({"recipient": {"phone_number": PHONE}, "security_factor": "007"}));
    assert_eq!(code, "007");
}

#[test]
fn retrieve_shows_the_process_but_never_the_code() {
    let sb = sandbox();
    let api = api(&sb);
    let created = sb.clock().now();
    let (id, code) = api.start(&json!({
        "recipient": {"phone_number": PHONE, "email": "alice@example.com"},
        "verification_policy": [{"method": "sms", "fallback_time": 45}, {"method": "email"}],
        "security_factor": "9081726354",
        "external_id": "order-42",
        "voice_lang": "de-DE",
        "message_template": {"name": "login_code"},
    }));
    let r = api.retrieve(&id);
    assert_eq!(r.status, 200);
    assert!(
        !String::from_utf8_lossy(&r.body).contains(&code),
        "the code is never returned"
    );
    let j = r.json();
    assert!(j.get("status").is_none(), "a retrieve has no status object");
    assert_eq!(j["reference_id"], id.as_str());
    assert_eq!(
        j["recipient"],
        json!({"phone_number": PHONE, "email": "alice@example.com"})
    );
    assert_eq!(j["state"], "ONGOING");
    assert_eq!(
        j["verification_policy"],
        json!([{"method": "sms", "fallback_time": 45}, {"method": "email", "fallback_time": 120}])
    );
    assert_eq!(j["external_id"], "order-42");
    assert_eq!(j["voice_lang"], "de-DE");
    assert!(
        is_micros(&j["created_on"]) && is_micros(&j["updated_on"]),
        "{j}"
    );
    assert_eq!(
        j["created_on"],
        humantime::format_rfc3339_micros(created).to_string()
    );
    let sms = &j["inner_methods"][0];
    let keys: Vec<&str> = sms
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for k in [
        "method",
        "state",
        "err_code",
        "err_msg",
        "tried_on",
        "updated_on",
        "expires_on",
    ] {
        assert!(keys.contains(&k), "{k} not in {sms}");
    }
    assert_eq!(keys.len(), 7, "{sms}");
    assert_eq!(
        (&sms["method"], &sms["state"]),
        (&json!("sms"), &json!("ONGOING"))
    );
    assert!(sms["err_code"].is_null() && sms["err_msg"].is_null());
    assert_eq!(sms["tried_on"], j["created_on"]);
    assert_eq!(
        sms["expires_on"],
        humantime::format_rfc3339_micros(created + Duration::from_secs(300)).to_string()
    );
    assert_eq!(
        j["inner_methods"][1],
        json!({"method": "email", "state": "CREATED"}),
        "a method not yet tried carries only its method and CREATED"
    );
    // Without external_id and voice_lang: no external_id, voice_lang en-US.
    let (id, _) = api.start(&phone_only());
    let j = state(&api, &id);
    assert!(j.get("external_id").is_none(), "{j}");
    assert_eq!(j["voice_lang"], "en-US");
}

#[test]
fn finalize_verifies_once_then_the_process_is_finished() {
    let sb = sandbox();
    let api = api(&sb);
    let (id, code) = api.start(&phone_only());
    let r = api.finalize(&id, wrong(&code));
    assert_eq!(verify_status(&r), (200, 3904, "Verification Failed".into()));
    assert_eq!(r.json().as_object().unwrap().len(), 1, "only status");
    assert_eq!(state(&api, &id)["state"], "ONGOING", "the process goes on");
    sb.clock().advance(Duration::from_secs(5));
    let r = api.finalize(&id, &code);
    assert_eq!(verify_status(&r), (200, 3900, "Verified".into()));
    let j = state(&api, &id);
    assert_eq!(j["state"], "VERIFIED");
    assert_eq!(j["inner_methods"][0]["state"], "VERIFIED");
    assert_eq!(j["updated_on"], j["inner_methods"][0]["updated_on"]);
    assert_ne!(j["updated_on"], j["created_on"]);
    for c in [code.as_str(), wrong(&code)] {
        let r = api.finalize(&id, c);
        assert_eq!(
            verify_status(&r),
            (400, 3911, "Verification process is already finished".into())
        );
    }
    assert_eq!(state(&api, &id)["state"], "VERIFIED");
}

#[test]
fn the_third_wrong_code_rejects() {
    let sb = sandbox();
    let api = api(&sb);
    let (id, code) = api.start(&phone_only());
    for _ in 0..2 {
        assert_eq!(refused(&api.finalize(&id, wrong(&code))), (200, 3904));
    }
    // A code of another length is just as wrong.
    let r = api.finalize(&id, "1234567");
    assert_eq!(
        verify_status(&r),
        (200, 3909, "Invalid code entered".into())
    );
    let j = state(&api, &id);
    assert_eq!(j["state"], "REJECTED");
    assert_eq!(j["inner_methods"][0]["state"], "REJECTED");
    assert_eq!(refused(&api.finalize(&id, &code)), (400, 3911));
}

#[test]
fn a_malformed_finalize_is_refused_and_uses_no_attempt() {
    let sb = sandbox();
    let api = api(&sb);
    let (id, code) = api.start(&phone_only());
    let path = format!("/verification/{id}/state");
    for body in [
        "",
        "{",
        "[]",
        r#"{"action":"finalize"}"#,
        r#"{"action":"cancel","security_factor":"123456"}"#,
        r#"{"action":"finalize","security_factor":"12"}"#,
        r#"{"action":"finalize","security_factor":123456}"#,
        r#"{"action":"finalize","security_factor":"12345a"}"#,
        r#"{"action":"finalize","security_factor":"123456","extra":true}"#,
    ] {
        let r = api.request("PATCH", &path, "application/json", body);
        assert_eq!(refused(&r), (400, 3110), "{body}");
    }
    // JSON declared some other way.
    let body = json!({"action": "finalize", "security_factor": code}).to_string();
    let r = api.request("PATCH", &path, "application/x-www-form-urlencoded", &body);
    assert_eq!(refused(&r), (400, 3110));
    // Ten refusals, and the three attempts are all still there.
    for _ in 0..2 {
        assert_eq!(refused(&api.finalize(&id, wrong(&code))), (200, 3904));
    }
    assert_eq!(refused(&api.finalize(&id, &code)), (200, 3900));
}

#[test]
fn a_code_lives_300_seconds_then_the_process_fails() {
    let sb = sandbox();
    let api = api(&sb);
    let (id, code) = api.start(&phone_only());
    sb.clock().advance(Duration::from_secs(299));
    assert_eq!(state(&api, &id)["state"], "ONGOING");
    let (id2, code2) = api.start(&phone_only());
    sb.clock().advance(Duration::from_secs(1));
    // Retrieve sees the expiry, stamped when it happened.
    let j = state(&api, &id);
    assert_eq!(j["state"], "FAILED");
    assert_eq!(j["inner_methods"][0]["state"], "FAILED");
    assert_eq!(j["updated_on"], j["inner_methods"][0]["expires_on"]);
    assert_eq!(
        verify_status(&api.finalize(&id, &code)),
        (400, 3911, "Verification process is already finished".into())
    );
    // A finalize is what notices the expiry of the second process: 3911, FAILED.
    sb.clock().advance(Duration::from_secs(299));
    assert_eq!(refused(&api.finalize(&id2, &code2)), (400, 3911));
    assert_eq!(state(&api, &id2)["state"], "FAILED");

    // The lifetime is configurable, like the classic API's.
    let sb = Sandbox::spawn(
        SandboxConfig::deterministic(12).with_telesign_verify_code_ttl(Duration::from_secs(60)),
    )
    .unwrap();
    let api = VerifyApi {
        sandbox: &sb,
        hmac: false,
    };
    let (id, code) = api.start(&phone_only());
    sb.clock().advance(Duration::from_secs(59));
    assert_eq!(refused(&api.finalize(&id, wrong(&code))), (200, 3904));
    sb.clock().advance(Duration::from_secs(1));
    assert_eq!(refused(&api.finalize(&id, &code)), (400, 3911));
    assert_eq!(state(&api, &id)["state"], "FAILED");
}

#[test]
fn an_unknown_reference_id_is_404_3110() {
    let sb = sandbox();
    let api = api(&sb);
    for id in [
        "0123456789ABCDEF0123456789ABCDEF",
        "not-a-reference-id",
        "0123",
    ] {
        for r in [api.retrieve(id), api.finalize(id, "123456")] {
            assert_eq!(
                verify_status(&r),
                (404, 3110, "Invalid reference_id".into()),
                "{id}"
            );
            assert_eq!(r.json().as_object().unwrap().len(), 1);
        }
    }
    // A classic reference id is not a Verify API process.
    let classic = common::TeleSign {
        sandbox: &sb,
        hmac: true,
    }
    .send_sms(PHONE)
    .json()["reference_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(api.retrieve(&classic).status, 404);
}

#[test]
fn fallbacks_follow_the_sandbox_clock_with_the_same_code() {
    let sb = sandbox();
    let api = api(&sb);
    let t0 = sb.clock().now();
    let (id, code) = api.start(&json!({
        "recipient": {"phone_number": PHONE, "email": "alice@example.com"},
        "verification_policy": [
            {"method": "sms", "fallback_time": 30},
            {"method": "voice", "fallback_time": 40},
            {"method": "email"},
        ],
    }));
    sb.clock().advance(Duration::from_secs(29));
    assert_eq!(by_id(&sb, &id).len(), 1, "not yet");
    // Reading the outbox (here over HTTP) is enough for the fallback to happen.
    sb.clock().advance(Duration::from_secs(1));
    let raw: Vec<OutboxMessage> =
        serde_json::from_slice(&send(sb.local_addr(), "GET", "/_sandbox/messages", &[], b"").body)
            .unwrap();
    let voice: Vec<&OutboxMessage> = raw.iter().filter(|m| m.verification_id == id).collect();
    assert_eq!(voice.len(), 2);
    assert_eq!(voice[1].channel, Channel::Voice);
    assert_eq!(voice[1].to, PHONE);
    assert_eq!(voice[1].code, code, "the same code on every channel");
    assert_eq!(voice[1].at, t0 + Duration::from_secs(30));
    let j = state(&api, &id);
    assert_eq!(j["state"], "ONGOING");
    assert_eq!(j["inner_methods"][0]["state"], "SKIPPED");
    assert_eq!(
        j["inner_methods"][0]["updated_on"],
        j["inner_methods"][1]["tried_on"]
    );
    assert_eq!(j["inner_methods"][1]["state"], "ONGOING");
    assert_eq!(
        j["inner_methods"][2],
        json!({"method": "email", "state": "CREATED"})
    );
    assert_eq!(j["verification_policy"][2]["fallback_time"], 120);
    // Far past the next fallback time: a retrieve settles it, stamped when it was due.
    sb.clock().advance(Duration::from_secs(100));
    let j = state(&api, &id);
    assert_eq!(j["inner_methods"][1]["state"], "SKIPPED");
    assert_eq!(j["inner_methods"][2]["state"], "ONGOING");
    assert_eq!(
        j["inner_methods"][2]["tried_on"],
        humantime::format_rfc3339_micros(t0 + Duration::from_secs(70)).to_string()
    );
    let email = sb.messages_to("alice@example.com");
    assert_eq!(email.len(), 1);
    assert_eq!(email[0].channel, Channel::Email);
    assert_eq!(email[0].code, code);
    assert_eq!(email[0].at, t0 + Duration::from_secs(70));
    // The code sent first still finalizes, on the last channel.
    assert_eq!(refused(&api.finalize(&id, &code)), (200, 3900));
    let j = state(&api, &id);
    assert_eq!(j["inner_methods"][2]["state"], "VERIFIED");
    assert_eq!(by_id(&sb, &id).len(), 3);
}

#[test]
fn a_finalized_process_tries_no_further_channel() {
    let sb = sandbox();
    let api = api(&sb);
    let policy = json!([{"method": "sms", "fallback_time": 30}, {"method": "whatsapp"}]);
    let (verified, code) =
        api.start(&json!({"recipient": {"phone_number": PHONE}, "verification_policy": policy}));
    assert_eq!(refused(&api.finalize(&verified, &code)), (200, 3900));
    let (rejected, code) =
        api.start(&json!({"recipient": {"phone_number": PHONE}, "verification_policy": policy}));
    for _ in 0..3 {
        api.finalize(&rejected, wrong(&code));
    }
    let (wrong_once, code) =
        api.start(&json!({"recipient": {"phone_number": PHONE}, "verification_policy": policy}));
    assert_eq!(
        refused(&api.finalize(&wrong_once, wrong(&code))),
        (200, 3904)
    );
    sb.clock().advance(Duration::from_secs(31));
    assert_eq!(by_id(&sb, &verified).len(), 1);
    assert_eq!(by_id(&sb, &rejected).len(), 1);
    let after_wrong = by_id(&sb, &wrong_once);
    assert_eq!(
        after_wrong.len(),
        2,
        "a wrong code does not stop the process"
    );
    assert_eq!(after_wrong[1].channel, Channel::Whatsapp);
    assert_eq!(
        state(&api, &verified)["inner_methods"][1]["state"],
        "CREATED"
    );
}

#[test]
fn fallbacks_keep_the_outbox_in_time_order() {
    let sb = sandbox();
    let api = api(&sb);
    let (id, _) = api.start(&json!({
        "recipient": {"phone_number": PHONE},
        "verification_policy": [{"method": "sms", "fallback_time": 30}, {"method": "viber"}],
    }));
    sb.clock().advance(Duration::from_secs(45));
    // Another provider's send is what happens next: the fallback due at 30 s goes first.
    common::dd(
        &sb,
        "POST",
        "/webapi/verify",
        &json!({"to": "447700900123", "from": "ACME"}),
    );
    let all = sb.messages();
    let order: Vec<(SandboxProvider, Channel)> =
        all.iter().map(|m| (m.provider, m.channel)).collect();
    assert_eq!(
        order,
        [
            (SandboxProvider::TelesignVerify, Channel::Sms),
            (SandboxProvider::TelesignVerify, Channel::Viber),
            (SandboxProvider::Dotdigital, Channel::Sms),
        ]
    );
    assert!(all.windows(2).all(|w| w[0].at <= w[1].at));
    assert_eq!(all[1].verification_id, id);
}

#[test]
fn silent_and_push_start_created_and_send_no_code() {
    let sb = sandbox();
    let api = api(&sb);
    let r = api.create(&json!({
        "recipient": {"phone_number": PHONE},
        "verification_policy": [{"method": "silent", "fallback_time": 30}, {"method": "sms"}],
    }));
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let j = r.json();
    assert_eq!(j["state"], "CREATED");
    let id = j["reference_id"].as_str().unwrap().to_owned();
    let sent = by_id(&sb, &id);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].channel, sent[0].code.as_str()),
        (Channel::Silent, "")
    );
    assert_eq!(sent[0].to, PHONE);
    assert_eq!(state(&api, &id)["inner_methods"][0]["state"], "CREATED");
    sb.clock().advance(Duration::from_secs(30));
    let sent = by_id(&sb, &id);
    assert_eq!(sent[1].channel, Channel::Sms);
    assert_eq!(sent[1].code.len(), 6);
    let j = state(&api, &id);
    assert_eq!(j["state"], "ONGOING");
    assert_eq!(j["inner_methods"][0]["state"], "SKIPPED");
    assert_eq!(refused(&api.finalize(&id, &sent[1].code)), (200, 3900));

    let r = api.create(&json!({
        "recipient": {"phone_number": PHONE, "push_app_token": "app-token-1"},
        "verification_policy": [{"method": "push"}, {"method": "voice"}],
        "device_registration": "stamp",
    }));
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["state"], "CREATED");
    let push = sb.messages_to("app-token-1");
    assert_eq!(push.len(), 1);
    assert_eq!(
        (push[0].channel, push[0].code.as_str()),
        (Channel::Push, "")
    );
}

#[test]
fn every_request_rule_has_its_code_and_sends_nothing() {
    let sb = sandbox();
    let api = api(&sb);
    let with_phone = |extra: Value| {
        let mut b = phone_only();
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    let policy = |p: Value| with_phone(json!({"verification_policy": p}));
    let cases: Vec<(Value, i64)> = vec![
        // 3302 / 3101: the phone number.
        (json!({}), 3302),
        (json!({"recipient": {}}), 3302),
        (json!({"recipient": {"phone_number": ""}}), 3302),
        (
            json!({"recipient": {"email": "a@example.com"}, "verification_policy": [{"method": "voice"}]}),
            3302,
        ),
        (json!({"recipient": {"phone_number": "+15555550100"}}), 3101),
        (json!({"recipient": {"phone_number": "155555"}}), 3101),
        (json!({"recipient": {"phone_number": "0155555501"}}), 3101),
        (
            json!({"recipient": {"phone_number": "1555555010012345"}}),
            3101,
        ),
        (json!({"recipient": {"phone_number": 15555550100u64}}), 3101),
        // 3309 / 3119: the email.
        (
            json!({"recipient": {"phone_number": PHONE}, "verification_policy": [{"method": "sms"}, {"method": "email"}]}),
            3309,
        ),
        (
            json!({"recipient": {"email": "alice"}, "verification_policy": [{"method": "email"}]}),
            3119,
        ),
        (
            json!({"recipient": {"email": "alice@localhost"}, "verification_policy": [{"method": "email"}]}),
            3119,
        ),
        // 3110: unknown fields and keys.
        (with_phone(json!({"callback": "x"})), 3110),
        (
            json!({"recipient": {"phone_number": PHONE, "name": "Alice"}}),
            3110,
        ),
        (policy(json!([{"method": "sms", "delay": 30}])), 3110),
        (
            with_phone(json!({"message_template": {"name": "otp", "lang": "en"}})),
            3110,
        ),
        (json!({"recipient": PHONE}), 3110),
        // 3110: the policy.
        (policy(json!([])), 3110),
        (policy(json!({"method": "sms"})), 3110),
        (
            policy(
                json!([{"method": "sms"}, {"method": "voice"}, {"method": "whatsapp"}, {"method": "viber"}]),
            ),
            3110,
        ),
        (policy(json!([{"method": "fax"}])), 3110),
        (policy(json!([{"fallback_time": 30}])), 3110),
        (
            policy(json!([{"method": "sms", "fallback_time": 29}])),
            3110,
        ),
        (
            policy(json!([{"method": "sms", "fallback_time": "60"}])),
            3110,
        ),
        (
            policy(json!([{"method": "sms", "fallback_time": -1}])),
            3110,
        ),
        (
            policy(
                json!([{"method": "sms", "fallback_time": 100}, {"method": "voice", "fallback_time": 100}, {"method": "rcs", "fallback_time": 101}]),
            ),
            3110,
        ),
        (policy(json!([{"method": "sms"}, {"method": "sms"}])), 3110),
        (
            policy(json!([{"method": "sms"}, {"method": "silent"}])),
            3110,
        ),
        (policy(json!([{"method": "sms"}, {"method": "push"}])), 3110),
        (
            json!({"recipient": {"phone_number": PHONE, "push_app_token": "t"}, "verification_policy": [{"method": "silent"}, {"method": "push"}]}),
            3110,
        ),
        (
            json!({"recipient": {"phone_number": PHONE}, "verification_policy": [{"method": "push"}]}),
            3110,
        ),
        (
            json!({"recipient": {"phone_number": PHONE, "push_app_token": "t"}}),
            3110,
        ),
        // 3110: security_factor, message_template, voice_lang, device_registration.
        (with_phone(json!({"security_factor": "12"})), 3110),
        (with_phone(json!({"security_factor": "12345678901"})), 3110),
        (with_phone(json!({"security_factor": "12 456"})), 3110),
        (with_phone(json!({"security_factor": 123456})), 3110),
        (
            with_phone(json!({"message_template": {"name": "Login"}})),
            3110,
        ),
        (
            with_phone(json!({"message_template": {"name": "login-code"}})),
            3110,
        ),
        (with_phone(json!({"message_template": "login_code"})), 3110),
        (with_phone(json!({"voice_lang": "en US"})), 3110),
        (with_phone(json!({"device_registration": "stamp"})), 3110),
        // 3103: external_id.
        (with_phone(json!({"external_id": "x".repeat(101)})), 3103),
        (with_phone(json!({"external_id": "caf\u{e9}"})), 3103),
        (with_phone(json!({"external_id": 42})), 3103),
    ];
    for (body, code) in &cases {
        let r = api.create(body);
        assert_eq!(refused(&r), (400, *code), "{body}");
        let j = r.json();
        assert_eq!(j.as_object().unwrap().len(), 1, "{j}");
        assert!(
            j["status"]["description"]
                .as_str()
                .is_some_and(|d| !d.is_empty())
        );
    }
    // The body itself.
    for body in ["", "{", "[1]", "null", "\"text\""] {
        let r = api.request("POST", "/verification", "application/json", body);
        assert_eq!(refused(&r), (400, 3110), "{body:?}");
    }
    let r = api.request(
        "POST",
        "/verification",
        "application/x-www-form-urlencoded",
        "recipient=15555550100",
    );
    assert_eq!(refused(&r), (400, 3110));
    assert!(sb.messages().is_empty(), "a refused create sends nothing");
    assert_eq!(sb.stats().telesign_verify_processes, 0);

    // The accepted edges.
    for body in [
        policy(json!([{"method": "sms", "fallback_time": 30}])),
        policy(
            json!([{"method": "sms", "fallback_time": 100}, {"method": "voice", "fallback_time": 100}, {"method": "viber", "fallback_time": 100}]),
        ),
        with_phone(json!({"security_factor": "123"})),
        with_phone(json!({"security_factor": "1234567890"})),
        with_phone(json!({"external_id": "x".repeat(100)})),
        with_phone(json!({"message_template": {"name": "login_code"}, "voice_lang": "fr-CA"})),
        json!({"recipient": {"email": "alice@example.com"}, "verification_policy": [{"method": "email"}]}),
    ] {
        let r = api.create(&body);
        assert_eq!(
            r.status,
            200,
            "{body}: {}",
            String::from_utf8_lossy(&r.body)
        );
    }
}

#[test]
fn a_body_over_10_kb_is_413_3116_before_anything_else() {
    let sb = sandbox();
    let big = json!({"recipient": {"phone_number": PHONE}, "external_id": "x".repeat(11 * 1024)})
        .to_string();
    // Not even authenticated.
    for (method, path) in [
        ("POST", "/verification".to_owned()),
        ("PATCH", format!("/verification/{}/state", "A".repeat(32))),
    ] {
        let r = send(
            sb.local_addr(),
            method,
            &path,
            &[("Content-Type", "application/json".into())],
            big.as_bytes(),
        );
        assert_eq!(
            verify_status(&r),
            (413, 3116, "Payload too large".into()),
            "{method}"
        );
    }
    // Exactly 10 KB is read and judged on its merits.
    let mut at_limit = json!({"recipient": {"phone_number": PHONE}, "external_id": ""}).to_string();
    let pad = 10 * 1024 - at_limit.len();
    at_limit =
        json!({"recipient": {"phone_number": PHONE}, "external_id": "x".repeat(pad)}).to_string();
    assert_eq!(at_limit.len(), 10 * 1024);
    let r = api(&sb).request("POST", "/verification", "application/json", &at_limit);
    assert_eq!(refused(&r), (400, 3103));
    assert!(sb.messages().is_empty());
}

#[test]
fn authentication_failures_are_401_3400() {
    let sb = sandbox();
    let c = sb.config();
    let body = phone_only().to_string();
    let post = |headers: &[(&str, String)], body: &str| {
        let mut h = headers.to_vec();
        h.push(("Content-Type", "application/json".into()));
        send(
            sb.local_addr(),
            "POST",
            "/verification",
            &h,
            body.as_bytes(),
        )
    };
    let unauthorized = |r: &common::Raw| {
        let (http, code, description) = verify_status(r);
        assert_eq!((http, code), (401, 3400), "{description}");
        assert!(description.starts_with("Not authorized"), "{description}");
        description
    };
    assert!(unauthorized(&post(&[], &body)).contains("Missing required 'Authorization' header"));
    let basic = |id: &str, key: &str| {
        use base64::Engine as _;
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{id}:{key}"))
        )
    };
    unauthorized(&post(
        &[("Authorization", basic(&c.telesign_customer_id, "wrong"))],
        &body,
    ));
    unauthorized(&post(
        &[("Authorization", basic("stranger", &c.telesign_api_key))],
        &body,
    ));
    // HMAC signs the exact JSON text: the same JSON spelled differently is another body.
    let api = api(&sb);
    let signed = api.auth_headers("POST", "/verification", "application/json", &body);
    let respaced = serde_json::to_string_pretty(&phone_only()).unwrap();
    assert!(unauthorized(&post(&signed, &respaced)).contains("Invalid Signature"));
    // Signed for another content type.
    let signed_form = api.auth_headers(
        "POST",
        "/verification",
        "application/x-www-form-urlencoded",
        &body,
    );
    unauthorized(&post(&signed_form, &body));
    // The exact text passes, once: its nonce cannot be replayed.
    assert_eq!(post(&signed, &body).status, 200);
    assert!(unauthorized(&post(&signed, &body)).contains("used recently"));
    // Retrieve and finalize authenticate the same way.
    let id = sb.messages()[0].verification_id.clone();
    let r = send(
        sb.local_addr(),
        "GET",
        &format!("/verification/{id}"),
        &[],
        b"",
    );
    unauthorized(&r);
    let r = send(
        sb.local_addr(),
        "PATCH",
        &format!("/verification/{id}/state"),
        &[("Content-Type", "application/json".into())],
        br#"{"action":"finalize","security_factor":"123456"}"#,
    );
    unauthorized(&r);
    assert_eq!(sb.messages().len(), 1);
}

#[test]
fn what_the_python_sdk_sends_is_understood() {
    let sb = sandbox();
    let api = api(&sb);
    // createVerificationProcess: json.dumps' spacing, signed as sent.
    let body = r#"{"recipient": {"phone_number": "15555550100"}, "verification_policy": [{"method": "sms"}]}"#;
    let r = api.request("POST", "/verification", "application/json", body);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let id = r.json()["reference_id"].as_str().unwrap().to_owned();
    let code = by_id(&sb, &id)[0].code.clone();
    // getVerificationProcess: HMAC over an empty content type (sent as an empty header),
    // and stray query parameters that are not signed and are ignored.
    let path = format!("/verification/{id}");
    let mut headers = api.auth_headers("GET", &path, "", "");
    headers.push(("Content-Type", String::new()));
    let r = send(
        sb.local_addr(),
        "GET",
        &format!("{path}?headers=Content-Type&headers=Accept"),
        &headers,
        b"",
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["state"], "ONGOING");
    // updateVerificationProcess with HMAC: the signed JSON goes into the query string,
    // percent-encoded, and the body is empty: authenticated, and refused for that (3110).
    let path = format!("/verification/{id}/state");
    let json_text = format!(r#"{{"action": "finalize", "security_factor": "{code}"}}"#);
    let mut headers = api.auth_headers("PATCH", &path, "application/json", &json_text);
    headers.push(("Content-Type", "application/json".into()));
    let query = json_text
        .replace('{', "%7B")
        .replace('}', "%7D")
        .replace('"', "%22")
        .replace(' ', "%20");
    let r = send(
        sb.local_addr(),
        "PATCH",
        &format!("{path}?{query}"),
        &headers,
        b"",
    );
    let (http, status, description) = verify_status(&r);
    assert_eq!((http, status), (400, 3110), "{description}");
    assert!(description.contains("body is empty"), "{description}");
    assert_eq!(state(&api, &id)["state"], "ONGOING", "no attempt used");
    // Signed for a different query than the one sent: not authenticated.
    let mut headers = api.auth_headers("PATCH", &path, "application/json", r#"{"x": 1}"#);
    headers.push(("Content-Type", "application/json".into()));
    let r = send(
        sb.local_addr(),
        "PATCH",
        &format!("{path}?{query}"),
        &headers,
        b"",
    );
    assert_eq!(refused(&r), (401, 3400));
    // updateVerificationProcess with use_basic_auth=True: a proper JSON body with Basic.
    let basic = VerifyApi {
        sandbox: &sb,
        hmac: false,
    };
    let r = basic.request("PATCH", &path, "application/json", &json_text);
    assert_eq!(verify_status(&r), (200, 3900, "Verified".into()));
}

#[test]
fn rate_limited_with_429_3204_on_a_window_of_its_own() {
    let sb = Sandbox::spawn(SandboxConfig::deterministic(13).with_rate_limits(2, 1_000)).unwrap();
    let api = api(&sb);
    let (id, _) = api.start(&phone_only());
    assert_eq!(api.retrieve(&id).status, 200);
    let r = api.retrieve(&id);
    assert_eq!(verify_status(&r), (429, 3204, "Rate limit exceeded".into()));
    assert_eq!(r.header("retry-after"), Some("1"));
    assert_eq!(refused(&api.create(&phone_only())), (429, 3204));
    assert_eq!(sb.messages().len(), 1, "a refused create sends nothing");
    // The classic API's window is separate.
    let classic = common::TeleSign {
        sandbox: &sb,
        hmac: true,
    };
    assert_eq!(classic.send_sms(PHONE).status, 200);
    sb.clock().advance(Duration::from_secs(1));
    assert_eq!(api.retrieve(&id).status, 200);
}

#[test]
fn telesign_status_faults_map_to_verify_api_codes() {
    let sb = sandbox();
    let api = api(&sb);
    // 500: 503/3500, nothing processed.
    sb.inject(Route::TeleSignVerifyCreate, Fault::TeleSignStatus(500), 1);
    assert_eq!(
        verify_status(&api.create(&phone_only())),
        (503, 3500, "System unavailable".into())
    );
    assert!(sb.messages().is_empty());
    // 501: 401/3400.
    sb.inject(Route::TeleSignVerifyCreate, Fault::TeleSignStatus(501), 1);
    assert_eq!(refused(&api.create(&phone_only())), (401, 3400));
    // A Verify API code: its own HTTP status and body, nothing processed.
    for (code, http) in [(3041u16, 503u16), (3204, 429), (3906, 401), (3072, 400)] {
        sb.inject(Route::TeleSignVerifyCreate, Fault::TeleSignStatus(code), 1);
        assert_eq!(refused(&api.create(&phone_only())), (http, i64::from(code)));
    }
    assert!(sb.messages().is_empty());
    assert_eq!(sb.stats().telesign_verify_processes, 0);
    // 502..=599: processed, then a 5xx without a status body: the message went out.
    sb.inject(Route::TeleSignVerifyCreate, Fault::TeleSignStatus(503), 1);
    let r = api.create(&phone_only());
    assert_eq!(r.status, 503);
    assert!(r.body.is_empty());
    assert_eq!(sb.messages().len(), 1);
    let id = sb.messages()[0].verification_id.clone();
    let code = sb.messages()[0].code.clone();
    sb.inject(Route::TeleSignVerifyRetrieve, Fault::TeleSignStatus(504), 1);
    assert_eq!(api.retrieve(&id).status, 504);
    sb.inject(Route::TeleSignVerifyFinalize, Fault::TeleSignStatus(502), 1);
    let r = api.finalize(&id, &code);
    assert_eq!((r.status, r.body.len()), (502, 0));
    assert_eq!(
        state(&api, &id)["state"],
        "VERIFIED",
        "the finalize was applied"
    );
    // Other codes: that HTTP status, empty body, nothing processed.
    sb.inject(Route::TeleSignVerifyCreate, Fault::TeleSignStatus(404), 1);
    let r = api.create(&phone_only());
    assert_eq!((r.status, r.body.len()), (404, 0));
    assert_eq!(sb.messages().len(), 1);
}

#[test]
fn every_other_fault_kind_works_on_the_new_routes() {
    let sb = sandbox();
    let api = api(&sb);
    let addr = sb.local_addr();
    // Injected over the control API with the route names.
    let inject = |route: &str, fault: Value| {
        let body = json!({"route": route, "fault": fault}).to_string();
        assert_eq!(
            send(addr, "POST", "/_sandbox/faults", &[], body.as_bytes()).status,
            204
        );
    };
    inject("telesign_verify.create", json!({"kind": "html_503"}));
    let r = api.create(&phone_only());
    assert_eq!(r.status, 503);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert!(sb.messages().is_empty());

    inject("telesign_verify.create", json!({"kind": "close_before"}));
    let body = phone_only().to_string();
    let mut headers = api.auth_headers("POST", "/verification", "application/json", &body);
    headers.push(("Content-Type", "application/json".into()));
    assert!(send_raw(addr, "POST", "/verification", &headers, body.as_bytes()).is_none());
    assert!(sb.messages().is_empty(), "nothing sent");

    inject("telesign_verify.create", json!({"kind": "close_after"}));
    let mut headers = api.auth_headers("POST", "/verification", "application/json", &body);
    headers.push(("Content-Type", "application/json".into()));
    assert!(send_raw(addr, "POST", "/verification", &headers, body.as_bytes()).is_none());
    assert_eq!(sb.messages().len(), 1, "processed: the code went out");
    let id = sb.messages()[0].verification_id.clone();

    inject(
        "telesign_verify.retrieve",
        json!({"kind": "delay", "ms": 300}),
    );
    let started = Instant::now();
    assert_eq!(api.retrieve(&id).status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    inject("telesign_verify.retrieve", json!({"kind": "truncate_body"}));
    let r = api.retrieve(&id);
    let announced: usize = r.header("content-length").unwrap().parse().unwrap();
    assert!(r.body.len() < announced, "{} < {announced}", r.body.len());

    inject(
        "telesign_verify.retrieve",
        json!({"kind": "huge_body", "bytes": 3_000_000}),
    );
    let r = api.retrieve(&id);
    assert_eq!((r.status, r.body.len()), (200, 3_000_000));

    inject(
        "telesign_verify.finalize",
        json!({"kind": "telesign_status", "code": 500}),
    );
    assert_eq!(refused(&api.finalize(&id, "123456")), (503, 3500));
    assert_eq!(state(&api, &id)["state"], "ONGOING", "nothing processed");

    // `*` covers the new routes too.
    inject("*", json!({"kind": "html_503"}));
    assert_eq!(api.retrieve(&id).status, 503);
    assert_eq!(api.retrieve(&id).status, 200);
}

#[test]
fn processes_are_bounded_and_evicted() {
    let config = SandboxConfig {
        max_verifications: 5,
        outbox_capacity: 4,
        retention: Duration::from_secs(60),
        ..SandboxConfig::deterministic(14)
    };
    let sb = Sandbox::spawn(config).unwrap();
    let api = VerifyApi {
        sandbox: &sb,
        hmac: false,
    };
    let mut ids = Vec::new();
    for _ in 0..20 {
        ids.push(api.start(&json!({
            "recipient": {"phone_number": PHONE},
            "verification_policy": [{"method": "sms", "fallback_time": 30}, {"method": "voice"}],
        }))
        .0);
    }
    let stats = sb.stats();
    assert_eq!(stats.telesign_verify_processes, 5);
    assert_eq!(stats.outbox_messages, 4);
    assert_eq!(
        api.retrieve(&ids[0]).status,
        404,
        "the oldest are evicted first"
    );
    assert_eq!(api.retrieve(&ids[19]).status, 200);
    // Fallbacks of evicted processes never fire.
    sb.clock().advance(Duration::from_secs(30));
    let sent = sb.messages();
    assert_eq!(sent.len(), 4);
    assert!(
        sent.iter().all(|m| ids[15..].contains(&m.verification_id)),
        "{sent:?}"
    );
    // Past the code lifetime plus the retention: forgotten.
    sb.clock().advance(Duration::from_secs(300 + 60));
    assert_eq!(sb.stats().telesign_verify_processes, 0);
    assert_eq!(api.retrieve(&ids[19]).status, 404);
}

#[test]
fn deterministic_mode_repeats_reference_ids_and_codes() {
    let run = || {
        let sb = Sandbox::spawn(SandboxConfig::deterministic(99)).unwrap();
        let api = VerifyApi {
            sandbox: &sb,
            hmac: true,
        };
        api.start(&phone_only())
    };
    assert_eq!(run(), run());
    // The stats' JSON names the new count.
    let sb = sandbox();
    let stats = send(sb.local_addr(), "GET", "/_sandbox/stats", &[], b"").json();
    assert_eq!(stats["telesign_verify_processes"], 0);
}
