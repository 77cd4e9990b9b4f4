//! The neutral Start and Check over both providers, through the same public
//! operations a transport uses.

use proptest::prelude::*;
use verify_core::neutral::{
    Check, CheckOutcome, DeliveryState, Encoding, Start, Started, VerificationId, segments,
    template_segments,
};
use verify_core::{Code, Idempotency, Operation, Provider, ProviderConfig, ResponseError, Role};
use verify_core::{dotdigital, telesign};

const REF: &str = "0123456789ABCDEF0123456789ABCDEF";
const GUID: &str = "0bd57dc3-580c-4c1d-8aee-2ff79bd8633c";

fn ts() -> ProviderConfig {
    telesign::Config::new(
        telesign::Credentials::new("FFFFFFFF-EEEE-DDDD-1234-AB1234567890", "VGVzdCBLZXk=").unwrap(),
    )
    .into()
}

fn dd() -> ProviderConfig {
    dotdigital::Config::new(dotdigital::Credentials::new("api-user", "pw").unwrap()).into()
}

fn response(status: u16, body: &str) -> http::Response<&[u8]> {
    let mut r = http::Response::new(body.as_bytes());
    *r.status_mut() = http::StatusCode::from_u16(status).unwrap();
    r
}

fn body(req: &http::Request<Vec<u8>>) -> String {
    String::from_utf8(req.body().clone()).unwrap()
}

#[test]
fn start_has_no_fixed_provider_and_sends() {
    let start = Start::new("447700900123");
    assert_eq!(start.provider(), None);
    assert_eq!(start.idempotency(), Idempotency::SendsMessage);
    assert_eq!(start.name(), "neutral.start");
}

#[test]
fn start_on_telesign_is_the_telesign_sms_request() {
    let start = Start::new("447700900123")
        .code(Code::new("123456"))
        .template("Your code is {code}")
        .sender("Example");
    let req = start.to_request(&ts(), Role::Primary).unwrap();
    let direct = start.telesign().to_request(&ts(), Role::Primary).unwrap();
    assert_eq!(req.uri(), direct.uri());
    assert_eq!(req.uri().path(), "/v1/verify/sms");
    assert_eq!(req.body(), direct.body());
    let b = body(&req);
    assert!(b.contains("template=Your+code+is+%24%24CODE%24%24"), "{b}");
    assert!(b.contains("sender_id=Example"), "{b}");
    assert!(b.contains("verify_code=123456"), "{b}");
    let backup = start.to_request(&ts(), Role::Backup).unwrap();
    assert!(
        body(&backup).contains("is_primary=false"),
        "{}",
        body(&backup)
    );
}

#[test]
fn start_on_dotdigital_is_the_dotdigital_send_request() {
    let start = Start::new("447700900123").template("Your code is {code}");
    let req = start.to_request(&dd(), Role::Backup).unwrap();
    assert_eq!(req.uri().path(), "/webapi/verify");
    assert_eq!(
        body(&req),
        r#"{"to":"447700900123","from":"Verify","body":"Your code is {{code}}"}"#
    );
    let req = Start::new("447700900123")
        .sender("Shop")
        .to_request(&dd(), Role::Primary)
        .unwrap();
    assert_eq!(body(&req), r#"{"to":"447700900123","from":"Shop"}"#);
}

#[test]
fn start_names_every_neutral_field_once() {
    let start = Start::new("+44 7700 900123")
        .code(Code::new("12"))
        .template("no placeholder")
        .sender("A sender that is far too long");
    let err = start.to_request(&ts(), Role::Primary).unwrap_err();
    assert_eq!(
        err.fields().collect::<Vec<_>>(),
        ["phone_number", "template", "code", "sender"]
    );
    let err = start.to_request(&dd(), Role::Primary).unwrap_err();
    assert_eq!(
        err.fields().collect::<Vec<_>>(),
        ["phone_number", "template", "code", "sender"]
    );
    assert!(!err.to_string().contains("7700"), "{err}");
    let err = Start::new("447700900123")
        .template("Code {{code}}")
        .to_request(&dd(), Role::Primary)
        .unwrap_err();
    assert_eq!(err.fields().collect::<Vec<_>>(), ["template"]);
}

#[test]
fn started_from_either_provider() {
    let start = Start::new("447700900123");
    let ts_body = format!(
        r#"{{"reference_id":"{REF}","status":{{"code":290,"description":"Message in progress","updated_on":"2016-12-14T18:20:12Z"}},"verify":{{"code_state":"UNKNOWN","code_entered":""}},"errors":[]}}"#
    );
    let started = start
        .parse_response(Provider::TeleSign, response(200, &ts_body))
        .unwrap();
    assert_eq!(
        started,
        Started {
            id: format!("telesign:{REF}").parse().unwrap(),
            delivery: DeliveryState::Pending,
            message_may_have_been_sent: true,
            replayed: false,
            replaces: None,
        }
    );
    let dd_body = format!(
        r#"{{"requestId":"{GUID}","phoneNumber":"447700900123","status":"CodeNotVerified","numberStatus":"On","created":"2016-02-23T11:10:14.552Z"}}"#
    );
    let started = start
        .parse_response(Provider::Dotdigital, response(202, &dd_body))
        .unwrap();
    assert_eq!(
        started.id,
        VerificationId::Dotdigital(GUID.parse().unwrap())
    );
    assert_eq!(started.delivery, DeliveryState::Sent);
    assert!(started.message_may_have_been_sent);
    // A final "not sent" answer is a failed start with nothing sent, from
    // either provider (docs/PROTOCOL-DECISIONS.md).
    let dead = dd_body.replace("CodeNotVerified", "CodeNotSent");
    let err = start
        .parse_response(Provider::Dotdigital, response(202, &dead))
        .unwrap_err();
    assert!(!err.message_may_have_been_sent(), "{err}");
    assert!(err.to_string().contains("[no message was sent]"), "{err}");
    for blocked in [207, 210, 211, 220, 221, 222, 229, 230, 231, 233] {
        let body = ts_body.replace("\"code\":290", &format!("\"code\":{blocked}"));
        let err = start
            .parse_response(Provider::TeleSign, response(200, &body))
            .unwrap_err();
        assert!(!err.message_may_have_been_sent(), "{blocked}: {err}");
        let verify_core::ResponseError::TeleSign(e) = &err else {
            panic!("a TeleSign error: {err}");
        };
        assert_eq!(e.reference_id, Some(REF.parse().unwrap()), "{blocked}");
    }
    // 250 "Final status unknown" and 251 say nothing of the kind.
    for final_unknown in [250, 251] {
        let body = ts_body.replace("\"code\":290", &format!("\"code\":{final_unknown}"));
        let started = start
            .parse_response(Provider::TeleSign, response(200, &body))
            .unwrap();
        assert!(started.message_may_have_been_sent);
    }
    let err = start
        .parse_response(
            Provider::Dotdigital,
            response(
                400,
                r#"[{"property":"to","failureCode":"Throttled","details":"x"}]"#,
            ),
        )
        .unwrap_err();
    assert!(err.is_rate_limited() && !err.message_may_have_been_sent());
}

#[test]
fn check_requests_go_to_the_ids_provider() {
    let id: VerificationId = format!("telesign:{REF}").parse().unwrap();
    let check = Check::new(id, Code::new("123456"));
    assert_eq!(check.provider(), Some(Provider::TeleSign));
    assert_eq!(check.idempotency(), Idempotency::NotIdempotent);
    let req = check.to_request(&ts(), Role::Primary).unwrap();
    assert_eq!(req.method(), http::Method::GET);
    assert_eq!(req.uri().path(), format!("/v1/verify/{REF}"));
    assert_eq!(req.uri().query(), Some("verify_code=123456"));
    let err = check.to_request(&dd(), Role::Primary).unwrap_err();
    assert_eq!(err.fields().collect::<Vec<_>>(), ["provider"]);
    let err = Check::new(
        format!("telesign:{REF}").parse().unwrap(),
        Code::new("12ab"),
    )
    .to_request(&ts(), Role::Primary)
    .unwrap_err();
    assert_eq!(err.fields().collect::<Vec<_>>(), ["code"]);

    let check = Check::new(
        format!("dotdigital:{GUID}").parse().unwrap(),
        Code::new("654321"),
    );
    let req = check.to_request(&dd(), Role::Primary).unwrap();
    assert_eq!(req.method(), http::Method::PUT);
    assert_eq!(req.uri().path(), format!("/WebApi/Verify/{GUID}/validate"));
    assert_eq!(body(&req), r#"{"code":"654321"}"#);
    assert!(check.to_request(&ts(), Role::Primary).is_err());
}

#[test]
fn telesign_check_outcomes() {
    let check = Check::new(
        format!("telesign:{REF}").parse().unwrap(),
        Code::new("123456"),
    );
    let answer = |state: &str| {
        format!(
            r#"{{"reference_id":"{REF}","status":{{"code":200,"description":"Delivered to handset"}},"verify":{{"code_state":"{state}","code_entered":"123456"}},"errors":[]}}"#
        )
    };
    for (state, want) in [
        ("VALID", CheckOutcome::Verified),
        ("INVALID", CheckOutcome::Incorrect),
        ("EXPIRED", CheckOutcome::Expired),
        ("MAX_ATTEMPTS_EXCEEDED", CheckOutcome::TooManyAttempts),
    ] {
        let got = check
            .parse_response(Provider::TeleSign, response(200, &answer(state)))
            .unwrap();
        assert_eq!(got, want, "{state}");
    }
    let not_found = r#"{"status":{"code":500,"description":"Transaction not attempted"},"errors":[{"code":-10001,"description":"Invalid Request: reference_id Parameter: 0123456789ABCDEF0123456789ABCDEF"}]}"#;
    assert_eq!(
        check
            .parse_response(Provider::TeleSign, response(404, not_found))
            .unwrap(),
        CheckOutcome::NotFoundOrAlreadyUsed
    );
    let unavailable = r#"{"status":{"code":500,"description":"Transaction not attempted"},"errors":[{"code":-90001,"description":"System Unavailable, please try again later."}]}"#;
    let err = check
        .parse_response(Provider::TeleSign, response(503, unavailable))
        .unwrap_err();
    assert!(matches!(err, ResponseError::TeleSign(_)) && err.is_temporary());
}

#[test]
fn dotdigital_check_outcomes() {
    let check = Check::new(
        format!("dotdigital:{GUID}").parse().unwrap(),
        Code::new("654321"),
    );
    let answer = |status: &str| {
        format!(
            r#"{{"requestId":"{GUID}","phoneNumber":"447700900123","status":"{status}","numberStatus":"On","created":"2016-02-23T11:10:14.552Z"}}"#
        )
    };
    for (status, want) in [
        ("CodeVerified", CheckOutcome::Verified),
        ("CodeNotVerified", CheckOutcome::Incorrect),
        ("CodeUnverified", CheckOutcome::Incorrect),
        ("CodeExpired", CheckOutcome::Expired),
        ("CodeLocked", CheckOutcome::TooManyAttempts),
    ] {
        let got = check
            .parse_response(Provider::Dotdigital, response(200, &answer(status)))
            .unwrap();
        assert_eq!(got, want, "{status}");
    }
    assert_eq!(
        check
            .parse_response(Provider::Dotdigital, response(204, ""))
            .unwrap(),
        CheckOutcome::NotFoundOrAlreadyUsed
    );
    let err = check
        .parse_response(
            Provider::Dotdigital,
            response(
                401,
                "No authorization header supplied or invalid username or password",
            ),
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("invalid username or password"),
        "{err}"
    );
}

#[test]
fn codes_never_show_in_debug() {
    let start = Start::new("447700900123").code(Code::new("8675309"));
    let check = Check::new(
        format!("telesign:{REF}").parse().unwrap(),
        Code::new("8675309"),
    );
    let shown = format!("{start:?} {check:?} {:?}", start.telesign());
    assert!(!shown.contains("8675309"), "{shown}");
}

#[test]
fn verification_ids_serialize_and_print() {
    let t: VerificationId = format!("telesign:{REF}").parse().unwrap();
    assert_eq!(
        serde_json::to_string(&t).unwrap(),
        format!(r#"{{"provider":"telesign","id":"{REF}"}}"#)
    );
    assert_eq!(t.to_string(), format!("telesign:{REF}"));
    assert_eq!(t.provider(), Provider::TeleSign);
    for bad in [
        r#"{"provider":"telesign","id":"../../x"}"#,
        r#"{"provider":"dotdigital","id":"0123456789ABCDEF0123456789ABCDEF"}"#,
        r#"{"provider":"other","id":"x"}"#,
        r#"{"id":"0bd57dc3-580c-4c1d-8aee-2ff79bd8633c"}"#,
    ] {
        assert!(
            serde_json::from_str::<VerificationId>(bad).is_err(),
            "{bad}"
        );
    }
    for bad in [
        "",
        "telesign",
        "telesign:",
        "dotdigital:xyz",
        &format!("TeleSign:{REF}"),
        &format!("twilio:{REF}"),
    ] {
        assert!(bad.parse::<VerificationId>().is_err(), "{bad}");
    }
}

#[test]
fn a_long_template_shows_its_cost() {
    let one = template_segments("Your Example code is {code}.", 6);
    assert_eq!((one.encoding, one.segments), (Encoding::Gsm7, 1));
    let euro = template_segments(&format!("{}{{code}}", "€".repeat(77)), 6);
    assert_eq!((euro.characters, euro.segments), (160, 1));
    let long = template_segments(&format!("{}{{code}}", "€".repeat(78)), 6);
    assert_eq!((long.characters, long.segments), (162, 2));
    let emoji = template_segments("🔐 {code}", 6);
    assert_eq!((emoji.encoding, emoji.characters), (Encoding::Ucs2, 9));
}

proptest! {
    #[test]
    fn ids_round_trip(hex in "[0-9A-Fa-f]{32}", guid in "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}") {
        for text in [format!("telesign:{hex}"), format!("dotdigital:{guid}")] {
            let id: VerificationId = text.parse().unwrap();
            prop_assert_eq!(id.to_string(), text.clone());
            let json = serde_json::to_string(&id).unwrap();
            prop_assert_eq!(serde_json::from_str::<VerificationId>(&json).unwrap(), id);
        }
    }

    #[test]
    fn id_parsers_never_panic(s in ".{0,60}", j in ".{0,60}") {
        let _ = s.parse::<VerificationId>();
        let _ = serde_json::from_str::<VerificationId>(&j);
        let _ = serde_json::from_str::<VerificationId>(&format!(r#"{{"provider":"telesign","id":{j:?}}}"#));
    }

    #[test]
    fn neutral_parsers_never_panic(
        status in 100u16..600,
        headers in proptest::collection::vec(
            (prop_oneof![Just("retry-after".to_owned()), Just("content-type".to_owned()), "[a-z-]{1,12}"], "[ -~]{0,20}"),
            0..4,
        ),
        body in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..600),
            // JSON shaped like TeleSign's answers, with odd values.
            (any::<i64>(), "[ -~]{0,40}", "[ -~]{0,40}").prop_map(|(code, text, id)| {
                format!(
                    r#"{{"reference_id":{id:?},"status":{{"code":{code},"description":{text:?}}},"errors":[{{"code":{code},"description":{text:?}}}],"verify":{{"code_state":{text:?}}}}}"#
                )
                .into_bytes()
            }),
            // ... and like dotdigital's.
            ("[ -~]{0,40}", "[ -~]{0,40}").prop_map(|(text, id)| {
                format!(
                    r#"{{"requestId":{id:?},"phoneNumber":{text:?},"status":{text:?},"numberStatus":{text:?},"created":{text:?}}}"#
                )
                .into_bytes()
            }),
            "[ -~]{0,40}".prop_map(|t| format!(r#"[{{"property":{t:?},"failureCode":{t:?},"details":{t:?}}}]"#).into_bytes()),
        ],
    ) {
        let mut b = http::Response::builder().status(status);
        for (k, v) in &headers {
            b = b.header(k.as_str(), v.as_str());
        }
        let response = b.body(body.as_slice()).unwrap();
        let start = Start::new("447700900123");
        let checks = [
            Check::new(format!("telesign:{REF}").parse().unwrap(), Code::new("12345")),
            Check::new(format!("dotdigital:{GUID}").parse().unwrap(), Code::new("123456")),
        ];
        for provider in [Provider::TeleSign, Provider::Dotdigital] {
            let fresh = || {
                let mut r = http::Response::new(*response.body());
                *r.status_mut() = response.status();
                *r.headers_mut() = response.headers().clone();
                r
            };
            match start.parse_response(provider, fresh()) {
                Ok(started) => prop_assert_eq!(started.id.provider(), provider),
                Err(e) => { let _ = (e.to_string(), format!("{e:?}"), e.message_may_have_been_sent()); }
            }
            for check in &checks {
                if let Err(e) = check.parse_response(provider, fresh()) {
                    let _ = (e.to_string(), format!("{e:?}"));
                    prop_assert!(!e.message_may_have_been_sent(), "a check sends nothing");
                }
            }
        }
    }

    #[test]
    fn segments_are_consistent(text in ".{0,400}") {
        let s = segments(&text);
        let (single, part) = match s.encoding {
            Encoding::Gsm7 => (160, 153),
            Encoding::Ucs2 => (70, 67),
        };
        prop_assert!(s.segments >= 1);
        if s.characters <= single {
            prop_assert_eq!(s.segments, 1);
        } else {
            // Never fewer than the naive count, never more than one extra per
            // boundary (a whole character moved to the next part).
            let naive = s.characters.div_ceil(part);
            prop_assert!(s.segments >= naive);
            prop_assert!(s.segments <= naive + naive);
        }
        if s.encoding == Encoding::Ucs2 {
            prop_assert_eq!(s.characters, text.encode_utf16().count());
        } else {
            prop_assert!(s.characters >= text.chars().count());
        }
    }

    #[test]
    fn ascii_letters_are_gsm(text in "[A-Za-z0-9 .,]{0,500}") {
        let s = segments(&text);
        prop_assert_eq!(s.encoding, Encoding::Gsm7);
        prop_assert_eq!(s.characters, text.len());
        prop_assert_eq!(s.segments, if text.len() <= 160 { 1 } else { text.len().div_ceil(153) });
    }
}
