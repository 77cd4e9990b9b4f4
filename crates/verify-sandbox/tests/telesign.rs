//! The TeleSign side over real sockets: authentication, parameters, code states, completion.

mod common;

use std::time::{Duration, SystemTime};

use common::{TeleSign, send, sign};
use verify_sandbox::{Sandbox, SandboxConfig};

fn sandbox() -> Sandbox {
    Sandbox::spawn(SandboxConfig::deterministic(1)).unwrap()
}

fn auth_error(r: &common::Raw) -> i64 {
    assert_eq!(r.status, 401, "{}", String::from_utf8_lossy(&r.body));
    let j = r.json();
    assert_eq!(j["status"]["code"], 501);
    assert_eq!(j["status"]["description"], "Not authorized");
    j["errors"][0]["code"].as_i64().unwrap()
}

struct Signed {
    headers: Vec<(&'static str, String)>,
    body: String,
}

/// A correctly signed SMS send, to be tampered with.
fn signed(sb: &Sandbox) -> Signed {
    let c = sb.config();
    let body = "phone_number=15555550100".to_owned();
    let date = httpdate::fmt_http_date(SystemTime::now());
    let nonce = uuid::Uuid::new_v4().to_string();
    let ct = "application/x-www-form-urlencoded";
    let sig = sign(
        &c.telesign_api_key,
        "POST",
        ct,
        &date,
        &nonce,
        &body,
        "/v1/verify/sms",
    );
    Signed {
        headers: vec![
            (
                "Authorization",
                format!("TSA {}:{sig}", c.telesign_customer_id),
            ),
            ("Content-Type", ct.into()),
            ("Date", date),
            ("x-ts-auth-method", "HMAC-SHA256".into()),
            ("x-ts-nonce", nonce),
        ],
        body,
    }
}

fn post(sb: &Sandbox, s: &Signed) -> common::Raw {
    send(
        sb.local_addr(),
        "POST",
        "/v1/verify/sms",
        &s.headers,
        s.body.as_bytes(),
    )
}

fn without(s: &Signed, name: &str) -> Signed {
    Signed {
        headers: s
            .headers
            .iter()
            .filter(|(k, _)| *k != name)
            .cloned()
            .collect(),
        body: s.body.clone(),
    }
}

fn with(s: &Signed, name: &'static str, value: &str) -> Signed {
    let mut out = without(s, name);
    out.headers.push((name, value.to_owned()));
    out
}

#[test]
fn hmac_and_basic_requests_like_the_sdks_authenticate() {
    let sb = sandbox();
    for hmac in [true, false] {
        let r = TeleSign { sandbox: &sb, hmac }.send_sms("15555550100");
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let j = r.json();
        assert_eq!(j["status"]["code"], 290);
        assert_eq!(j["errors"], serde_json::json!([]));
        assert_eq!(j["verify"]["code_state"], "UNKNOWN");
        assert_eq!(r.header("content-type"), Some("application/json"));
        let id = j["reference_id"].as_str().unwrap();
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    }
    // x-ts-date instead of Date.
    let s = signed(&sb);
    let date = s
        .headers
        .iter()
        .find(|(k, _)| *k == "Date")
        .unwrap()
        .1
        .clone();
    assert_eq!(
        post(&sb, &with(&without(&s, "Date"), "x-ts-date", &date)).status,
        200
    );
}

#[test]
fn every_authentication_error() {
    let sb = sandbox();
    let good = signed(&sb);
    assert_eq!(
        auth_error(&post(&sb, &without(&good, "Authorization"))),
        -30004
    );
    for malformed in [
        "Bearer abc",
        "TSA",
        "TSA nocolon",
        "Basic !!!notbase64",
        "Basic bm9jb2xvbg==",
    ] {
        assert_eq!(
            auth_error(&post(&sb, &with(&good, "Authorization", malformed))),
            -30005,
            "{malformed}"
        );
    }
    let sig = good.headers[0].1.rsplit(':').next().unwrap().to_owned();
    assert_eq!(
        auth_error(&post(
            &sb,
            &with(&good, "Authorization", &format!("TSA stranger:{sig}"))
        )),
        -30000
    );
    let c = sb.config();
    let wrong_sig = format!("TSA {}:{}", c.telesign_customer_id, "AAAA".repeat(11));
    assert_eq!(
        auth_error(&post(&sb, &with(&good, "Authorization", &wrong_sig))),
        -30006
    );
    // A body changed after signing.
    let tampered = Signed {
        headers: good.headers.clone(),
        body: "phone_number=15555550199".into(),
    };
    assert_eq!(auth_error(&post(&sb, &tampered)), -30006);
    assert_eq!(auth_error(&post(&sb, &without(&good, "Date"))), -30007);
    assert_eq!(
        auth_error(&post(&sb, &with(&good, "Date", "2016-12-14T18:20:12Z"))),
        -30009
    );
    let stale = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(16 * 60));
    assert_eq!(auth_error(&post(&sb, &with(&good, "Date", &stale))), -30010);
    let ahead = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(16 * 60));
    assert_eq!(auth_error(&post(&sb, &with(&good, "Date", &ahead))), -30010);
    // Basic with a wrong key (seed 001: -30015 "Invalid API Key."), and with an unknown customer.
    let basic = |id: &str, key: &str| {
        use base64::Engine as _;
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{id}:{key}"))
        )
    };
    let h = basic(&c.telesign_customer_id, "wrong");
    let r = post(&sb, &with(&good, "Authorization", &h));
    assert_eq!(auth_error(&r), -30015);
    assert_eq!(r.json()["errors"][0]["description"], "Invalid API Key.");
    // HMAC signed with a wrong key is an invalid signature, not an invalid key.
    let other_key = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode([7u8; 64])
    };
    let date = good
        .headers
        .iter()
        .find(|(k, _)| *k == "Date")
        .unwrap()
        .1
        .clone();
    let nonce = uuid::Uuid::new_v4().to_string();
    let sig = sign(
        &other_key,
        "POST",
        "application/x-www-form-urlencoded",
        &date,
        &nonce,
        &good.body,
        "/v1/verify/sms",
    );
    let wrong_key = with(
        &with(&good, "x-ts-nonce", &nonce),
        "Authorization",
        &format!("TSA {}:{sig}", c.telesign_customer_id),
    );
    assert_eq!(auth_error(&post(&sb, &wrong_key)), -30006);
    let h = basic("stranger", &c.telesign_api_key);
    assert_eq!(
        auth_error(&post(&sb, &with(&good, "Authorization", &h))),
        -30000
    );
    // None of the refused requests used the nonce up: the original still works, once.
    assert_eq!(post(&sb, &good).status, 200);
    assert_eq!(auth_error(&post(&sb, &good)), -30012);
    assert!(
        sb.messages().len() == 1,
        "only the accepted request sends a message"
    );
}

#[test]
fn auth_error_bodies_never_echo_secrets() {
    let sb = sandbox();
    let good = signed(&sb);
    let r = post(&sb, &with(&good, "Date", "garbage"));
    let text = String::from_utf8_lossy(&r.body);
    assert!(!text.contains(&sb.config().telesign_api_key));
    let dbg = format!("{:?}", sb.config());
    assert!(
        !dbg.contains(&sb.config().telesign_api_key)
            && !dbg.contains(&sb.config().dotdigital_password),
        "{dbg}"
    );
}

#[test]
fn parameter_errors_name_every_parameter() {
    let sb = sandbox();
    let ts = TeleSign {
        sandbox: &sb,
        hmac: true,
    };
    let r = ts.call("POST", "/v1/verify/sms", &[("ucid", "ATCK")]);
    assert_eq!(r.status, 400);
    let j = r.json();
    assert_eq!(j["status"]["code"], 500);
    assert_eq!(j["errors"][0]["code"], -10001);
    assert_eq!(
        j["errors"][0]["description"],
        "Invalid Request: Missing Parameter: phone_number"
    );

    let r = ts.call(
        "POST",
        "/v1/verify/sms",
        &[
            ("phone_number", "+1 555 0100"),
            ("ucid", "NOPE"),
            ("originating_ip", "999.1.1.1"),
            ("verify_code", "12"),
            ("template", "no placeholder"),
            ("sender_id", "a-sender-id-longer-than-twenty"),
            ("is_primary", "yes"),
            ("transaction_amount", "10 EUR"),
        ],
    );
    assert_eq!(r.status, 400);
    let descriptions: Vec<String> = r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["description"].as_str().unwrap().to_owned())
        .collect();
    for expected in [
        // The number is masked but for its last two digits.
        "Invalid Request: phone_number Parameter: +* *** **00",
        "Invalid Request: ucid Parameter: NOPE",
        "Invalid Request: originating_ip Parameter: 999.1.1.1",
        "Invalid Request: verify_code Parameter: 12",
        "Invalid Request: template Parameter: no placeholder",
        "Invalid Request: sender_id Parameter: a-sender-id-longer-than-twenty",
        "Invalid Request: is_primary Parameter: yes",
        "Invalid Request: Missing Parameter: transaction_payee",
    ] {
        assert!(
            descriptions.iter().any(|d| d == expected),
            "{expected} not in {descriptions:?}"
        );
    }
    let long = format!("$$CODE$${}", "x".repeat(160));
    let r = ts.call(
        "POST",
        "/v1/verify/sms",
        &[("phone_number", "15555550100"), ("template", &long)],
    );
    assert_eq!(r.status, 400);
    assert!(sb.messages().is_empty());
}

#[test]
fn codes_are_seven_random_digits_or_the_callers_and_rendered() {
    let sb = sandbox();
    let ts = TeleSign {
        sandbox: &sb,
        hmac: true,
    };
    ts.send_sms("15555550100");
    let m = sb.messages_to("15555550100");
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].code.len(), 7);
    assert!(m[0].code.bytes().all(|b| b.is_ascii_digit()));
    assert!(m[0].text.contains(&m[0].code));
    let r = ts.call(
        "POST",
        "/v1/verify/sms",
        &[
            ("phone_number", "15555550101"),
            ("verify_code", "4321"),
            ("template", "Pay $$AMOUNT$$ to $$PAYEE$$ with $$CODE$$"),
            ("transaction_amount", "10 EUR"),
            ("transaction_payee", "Shop"),
            ("sender_id", "ACME"),
        ],
    );
    let m = &sb.messages_to("15555550101")[0];
    assert_eq!(m.code, "4321");
    assert_eq!(m.text, "Pay 10 EUR to Shop with 4321");
    assert_eq!(m.sender.as_deref(), Some("ACME"));
    assert_eq!(m.verification_id, r.json()["reference_id"]);
    // Voice.
    let r = ts.call(
        "POST",
        "/v1/verify/call",
        &[("phone_number", "15555550102"), ("verify_code", "987")],
    );
    assert_eq!(r.json()["status"]["code"], 290);
    let m = &sb.messages_to("15555550102")[0];
    assert_eq!(m.channel, verify_sandbox::Channel::Voice);
    assert_eq!(m.code, "987");
}

#[test]
fn deterministic_mode_repeats_codes_and_ids() {
    let run = || {
        let sb = Sandbox::spawn(SandboxConfig::deterministic(99)).unwrap();
        let ts = TeleSign {
            sandbox: &sb,
            hmac: false,
        };
        let id = ts.send_sms("15555550100").json()["reference_id"]
            .as_str()
            .unwrap()
            .to_owned();
        (
            id,
            sb.messages()[0].code.clone(),
            sb.config().telesign_customer_id.clone(),
        )
    };
    assert_eq!(run(), run());
    let other = Sandbox::spawn(SandboxConfig::deterministic(100)).unwrap();
    let ts = TeleSign {
        sandbox: &other,
        hmac: false,
    };
    ts.send_sms("15555550100");
    assert_ne!(other.messages()[0].code, run().1);
}

#[test]
fn code_state_progression_with_the_clock() {
    let sb = sandbox();
    let ts = TeleSign {
        sandbox: &sb,
        hmac: true,
    };
    let id = ts.send_sms("15555550100").json()["reference_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let code = sb.messages()[0].code.clone();
    let state = |c: Option<&str>| {
        let r = ts.status(&id, c);
        assert_eq!(r.status, 200);
        let j = r.json();
        assert_eq!(j["status"]["code"], 200);
        assert_eq!(j["errors"], serde_json::json!([]));
        (
            j["verify"]["code_state"].as_str().unwrap().to_owned(),
            j["verify"]["code_entered"].as_str().unwrap().to_owned(),
        )
    };
    assert_eq!(state(None), ("UNKNOWN".into(), "".into()));
    assert_eq!(state(Some("0000000")).0, "INVALID");
    assert_eq!(state(Some(&code)), ("VALID".into(), code.clone()));
    assert_eq!(state(Some(&code)).0, "VALID", "a correct code stays valid");
    sb.clock().advance(Duration::from_secs(5 * 60 + 1));
    assert_eq!(state(Some(&code)).0, "EXPIRED");

    let id2 = ts.send_sms("15555550101").json()["reference_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let code2 = sb.messages_to("15555550101")[0].code.clone();
    let wrong = if code2 == "1111111" {
        "2222222"
    } else {
        "1111111"
    };
    for _ in 0..4 {
        assert_eq!(
            ts.status(&id2, Some(wrong)).json()["verify"]["code_state"],
            "INVALID"
        );
    }
    assert_eq!(
        ts.status(&id2, Some(wrong)).json()["verify"]["code_state"],
        "MAX_ATTEMPTS_EXCEEDED"
    );
    assert_eq!(
        ts.status(&id2, Some(&code2)).json()["verify"]["code_state"],
        "MAX_ATTEMPTS_EXCEEDED"
    );
}

#[test]
fn unknown_reference_and_completion() {
    let sb = sandbox();
    let ts = TeleSign {
        sandbox: &sb,
        hmac: true,
    };
    let unknown = "0123456789ABCDEF0123456789ABCDEF";
    for r in [
        ts.status(unknown, None),
        ts.call("PUT", &format!("/v1/verify/completion/{unknown}"), &[]),
    ] {
        assert_eq!(r.status, 404);
        let j = r.json();
        assert_eq!(j["status"]["code"], 500);
        assert_eq!(j["errors"][0]["code"], -10001);
        assert_eq!(
            j["errors"][0]["description"],
            format!("Invalid Request: reference_id Parameter: {unknown}")
        );
    }
    assert_eq!(ts.status("not-hex", None).status, 404);
    let id = ts.send_sms("15555550100").json()["reference_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = ts.call("PUT", &format!("/v1/verify/completion/{id}"), &[]);
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["status"]["code"], 1900);
    assert_eq!(r.json()["status"]["description"], "Verification completed");
}

#[test]
fn rate_limit_per_account() {
    let sb = Sandbox::spawn(SandboxConfig::deterministic(3).with_rate_limits(2, 1_000)).unwrap();
    let ts = TeleSign {
        sandbox: &sb,
        hmac: true,
    };
    assert_eq!(ts.send_sms("15555550100").status, 200);
    assert_eq!(ts.send_sms("15555550100").status, 200);
    let r = ts.send_sms("15555550100");
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("1"));
    let j = r.json();
    assert_eq!(j["status"]["code"], 500);
    assert_eq!(j["errors"][0]["code"], -40007);
    assert_eq!(sb.messages().len(), 2);
    sb.clock().advance(Duration::from_secs(1));
    assert_eq!(ts.send_sms("15555550100").status, 200);
}

#[test]
fn hmac_dates_follow_the_system_clock_and_codes_the_sandbox_clock() {
    // Remember expired verifications long enough to answer EXPIRED (not 404) an hour on.
    let sb = Sandbox::spawn(SandboxConfig {
        retention: Duration::from_secs(2 * 60 * 60),
        ..SandboxConfig::deterministic(1)
    })
    .unwrap();
    let ts = TeleSign {
        sandbox: &sb,
        hmac: true,
    };
    let id = ts.send_sms("15555550100").json()["reference_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let code = sb.messages()[0].code.clone();
    let replayed = signed(&sb);
    assert_eq!(post(&sb, &replayed).status, 200);

    sb.clock().advance(Duration::from_secs(60 * 60));

    // Signed with the system time, as real clients do: still accepted an hour later on the
    // sandbox clock, and the code sent before the advance has expired.
    let r = ts.status(&id, Some(&code));
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["verify"]["code_state"], "EXPIRED");
    assert_eq!(ts.send_sms("15555550101").status, 200);
    // The nonce window follows the system clock too: a replay is still refused.
    assert_eq!(auth_error(&post(&sb, &replayed)), -30012);
    // A Date taken from the advanced sandbox clock is an hour off the real time.
    let from_sandbox_clock = httpdate::fmt_http_date(sb.clock().now());
    let c = sb.config();
    let nonce = uuid::Uuid::new_v4().to_string();
    let ct = "application/x-www-form-urlencoded";
    let body = "phone_number=15555550102";
    let sig = sign(
        &c.telesign_api_key,
        "POST",
        ct,
        &from_sandbox_clock,
        &nonce,
        body,
        "/v1/verify/sms",
    );
    let ahead = Signed {
        headers: vec![
            (
                "Authorization",
                format!("TSA {}:{sig}", c.telesign_customer_id),
            ),
            ("Content-Type", ct.into()),
            ("Date", from_sandbox_clock),
            ("x-ts-auth-method", "HMAC-SHA256".into()),
            ("x-ts-nonce", nonce),
        ],
        body: body.into(),
    };
    assert_eq!(auth_error(&post(&sb, &ahead)), -30010);
    // Basic authentication has no Date at all.
    let basic = TeleSign {
        sandbox: &sb,
        hmac: false,
    };
    assert_eq!(
        basic.status(&id, Some(&code)).json()["verify"]["code_state"],
        "EXPIRED"
    );
}

fn error_descriptions(r: &common::Raw) -> Vec<String> {
    assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(&r.body));
    let j = r.json();
    assert_eq!(j["status"]["code"], 500);
    j["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["code"], -10001, "{e}");
            e["description"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[test]
fn phone_numbers_are_7_to_15_digits_country_code_first() {
    let sb = sandbox();
    let ts = TeleSign {
        sandbox: &sb,
        hmac: true,
    };
    for path in ["/v1/verify/sms", "/v1/verify/call"] {
        for bad in ["155555", "0155555501", "4915112345678901", "0044770090012"] {
            let r = ts.call("POST", path, &[("phone_number", bad)]);
            let d = error_descriptions(&r);
            assert_eq!(d.len(), 1, "{bad}: {d:?}");
            assert!(
                d[0].starts_with("Invalid Request: phone_number Parameter: "),
                "{bad}: {d:?}"
            );
            assert!(!d[0].contains(bad), "the whole number is not echoed: {d:?}");
            assert!(d[0].ends_with(&bad[bad.len() - 2..]), "{d:?}");
        }
        for good in ["1555555", "491511234567890"] {
            let r = ts.call("POST", path, &[("phone_number", good)]);
            assert_eq!(
                r.status,
                200,
                "{good}: {}",
                String::from_utf8_lossy(&r.body)
            );
        }
    }
    assert_eq!(sb.messages().len(), 4);
}

#[test]
fn empty_optional_parameters_are_invalid() {
    let sb = sandbox();
    let ts = TeleSign {
        sandbox: &sb,
        hmac: true,
    };
    let send = |extra: &[(&str, &str)]| {
        let mut form = vec![("phone_number", "15555550100")];
        form.extend_from_slice(extra);
        ts.call("POST", "/v1/verify/sms", &form)
    };
    assert_eq!(
        error_descriptions(&send(&[("sender_id", "")])),
        ["Invalid Request: sender_id Parameter"]
    );
    assert_eq!(
        error_descriptions(&send(&[
            ("transaction_amount", ""),
            ("transaction_payee", "Shop")
        ])),
        ["Invalid Request: transaction_amount Parameter"]
    );
    assert_eq!(
        error_descriptions(&send(&[
            ("transaction_amount", "10 EUR"),
            ("transaction_payee", "")
        ])),
        ["Invalid Request: transaction_payee Parameter"]
    );
    assert!(sb.messages().is_empty());
    assert_eq!(
        send(&[
            ("sender_id", "ACME"),
            ("transaction_amount", "10 EUR"),
            ("transaction_payee", "Shop")
        ])
        .status,
        200
    );
}

#[test]
fn a_malformed_verify_code_is_refused_and_uses_no_attempt() {
    let sb = sandbox();
    let ts = TeleSign {
        sandbox: &sb,
        hmac: true,
    };
    let id = ts.send_sms("15555550100").json()["reference_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let code = sb.messages()[0].code.clone();
    for bad in ["", "12", "12345678", "12a4", "%2B123"] {
        let r = ts.call("GET", &format!("/v1/verify/{id}?verify_code={bad}"), &[]);
        let d = error_descriptions(&r);
        assert_eq!(d.len(), 1, "{bad}: {d:?}");
        assert!(
            d[0].starts_with("Invalid Request: verify_code Parameter"),
            "{bad}: {d:?}"
        );
        assert_eq!(r.json()["reference_id"], id.as_str());
        assert!(r.json().get("verify").is_none());
    }
    // Five malformed checks, yet four wrong codes still leave the fifth attempt.
    let wrong = if code == "1111111" {
        "2222222"
    } else {
        "1111111"
    };
    for _ in 0..4 {
        assert_eq!(
            ts.status(&id, Some(wrong)).json()["verify"]["code_state"],
            "INVALID"
        );
    }
    assert_eq!(
        ts.status(&id, Some(&code)).json()["verify"]["code_state"],
        "VALID"
    );
}

#[test]
fn a_valid_code_stays_valid_and_never_locks() {
    let sb = sandbox();
    let ts = TeleSign {
        sandbox: &sb,
        hmac: true,
    };
    let id = ts.send_sms("15555550100").json()["reference_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let code = sb.messages()[0].code.clone();
    let wrong = if code == "1111111" {
        "2222222"
    } else {
        "1111111"
    };
    let state = |c: &str| {
        ts.status(&id, Some(c)).json()["verify"]["code_state"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    for _ in 0..4 {
        assert_eq!(state(wrong), "INVALID");
    }
    assert_eq!(state(&code), "VALID");
    // Any number of wrong codes after VALID: INVALID each time, never a lock.
    for _ in 0..8 {
        assert_eq!(state(wrong), "INVALID");
    }
    assert_eq!(state(&code), "VALID");
    assert_eq!(state(wrong), "INVALID");
    assert_eq!(state(&code), "VALID");
    // Expiry still applies.
    sb.clock().advance(Duration::from_secs(5 * 60 + 1));
    assert_eq!(state(&code), "EXPIRED");
}
