//! Properties of the dotdigital parsers and builders: no input panics, what
//! is written reads back, and nothing secret is echoed.

use std::time::{Duration, SystemTime};

mod common;

use common::shift_digits;
use proptest::prelude::*;
use verify_core::dotdigital::{
    CodeStatus, Config, Credentials, DotdigitalErrorKind, FailureCode, NumberStatus, RequestId,
    SendCode, ValidateCode, ValidateOutcome,
};
use verify_core::{Code, Operation, Provider, ProviderConfig, ResponseError, Role};

fn config() -> ProviderConfig {
    Config::new(Credentials::new("api-user", "pw").unwrap()).into()
}

fn response(status: u16, body: &[u8]) -> http::Response<&[u8]> {
    let mut r = http::Response::new(body);
    *r.status_mut() = http::StatusCode::from_u16(status).unwrap();
    r
}

fn validate_op() -> ValidateCode {
    ValidateCode::new(
        "0bd57dc3-580c-4c1d-8aee-2ff79bd8633c".parse().unwrap(),
        Code::new("1234"),
    )
}

fn guid() -> impl Strategy<Value = String> {
    "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
}

fn status_text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(CodeStatus::ALL).prop_map(|s| s.as_str().to_owned()),
        "[A-Za-z]{0,20}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_response_parses_or_errors_without_panicking(
        status in 100u16..600,
        body in prop::collection::vec(any::<u8>(), 0..512),
    ) {
        let send = SendCode::new("447979080215", "Test");
        let r = send.parse_response(Provider::Dotdigital, response(status, &body));
        if let Err(e) = &r {
            let _ = (e.to_string(), e.is_temporary(), e.message_may_have_been_sent());
        }
        let r = validate_op().parse_response(Provider::Dotdigital, response(status, &body));
        if let Err(e) = &r {
            prop_assert!(!e.message_may_have_been_sent(), "validate never sends");
        }
    }

    #[test]
    fn json_like_bodies_never_panic(
        status in prop::sample::select(vec![200u16, 201, 202, 400, 401, 500]),
        request_id in prop_oneof![guid(), ".{0,40}"],
        phone in ".{0,20}",
        st in status_text(),
        created in ".{0,30}",
        extra in prop_oneof![Just("null".to_owned()), Just("1".to_owned()), Just("[]".to_owned()), ".{0,10}"],
    ) {
        let body = serde_json::json!({
            "requestId": request_id, "phoneNumber": phone, "status": st,
            "numberStatus": st, "created": created, "verified": extra,
        }).to_string();
        let _ = validate_op().parse_response(Provider::Dotdigital, response(status, body.as_bytes()));
        let arr = format!(r#"[{{"property":{extra:?},"failureCode":{st:?},"details":{phone:?}}}]"#);
        let _ = validate_op().parse_response(Provider::Dotdigital, response(status, arr.as_bytes()));
    }

    #[test]
    fn verify_code_round_trips(
        request_id in guid(),
        phone in "[0-9]{7,15}",
        st in status_text(),
        ns in prop_oneof![
            prop::sample::select(NumberStatus::ALL).prop_map(|s| s.as_str().to_owned()),
            "[A-Za-z]{1,12}",
        ],
        created_ms in 0u64..253_402_300_799_000,
        verified_ms in prop::option::of(0u64..253_402_300_799_000),
    ) {
        let t = |ms: u64| SystemTime::UNIX_EPOCH + Duration::from_millis(ms);
        let mut body = serde_json::json!({
            "requestId": request_id, "phoneNumber": phone, "status": st, "numberStatus": ns,
            "created": humantime::format_rfc3339_millis(t(created_ms)).to_string(),
        });
        if let Some(v) = verified_ms {
            body["verified"] = humantime::format_rfc3339_millis(t(v)).to_string().into();
        }
        let body = body.to_string();
        let out = validate_op()
            .parse_response(Provider::Dotdigital, response(200, body.as_bytes()))
            .unwrap();
        let ValidateOutcome::Code(code) = out else { panic!("200 with a body is a VerifyCode") };
        prop_assert_eq!(code.request_id.as_str(), request_id.as_str());
        prop_assert_eq!(&code.phone_number, &phone);
        prop_assert_eq!(code.status, CodeStatus::parse(&st));
        prop_assert_eq!(code.number_status.as_str(), ns.as_str());
        prop_assert_eq!(code.created, Some(t(created_ms)));
        prop_assert_eq!(code.verified, verified_ms.map(t));
    }

    #[test]
    fn failures_round_trip(
        entries in prop::collection::vec(
            ("[a-zA-Z]{0,12}", prop_oneof![
                prop::sample::select(FailureCode::ALL).prop_map(|s| s.as_str().to_owned()),
                "[A-Za-z]{1,24}",
            ], "[a-z ]{0,30}"),
            0..6,
        ),
    ) {
        let body = serde_json::to_string(&entries.iter().map(|(p, c, d)| serde_json::json!({
            "property": p, "failureCode": c, "details": d,
        })).collect::<Vec<_>>()).unwrap();
        let err = SendCode::new("447979080215", "Test")
            .parse_response(Provider::Dotdigital, response(400, body.as_bytes()))
            .unwrap_err();
        let ResponseError::Dotdigital(err) = err else { panic!("a 400 array is a dotdigital error") };
        let DotdigitalErrorKind::Validation(failures) = &err.kind else { panic!("400 is Validation") };
        prop_assert_eq!(failures.len(), entries.len());
        for (f, (p, c, d)) in failures.iter().zip(&entries) {
            prop_assert_eq!(&f.property, p);
            prop_assert_eq!(&f.failure_code, &FailureCode::parse(c));
            prop_assert_eq!(&f.details, d);
        }
        prop_assert!(!err.message_may_have_been_sent());
        prop_assert_eq!(err.is_rate_limited(), failures.iter().any(|f| f.failure_code == FailureCode::Throttled));
    }

    #[test]
    fn request_id_parse_display_serde_round_trip(id in guid()) {
        let parsed: RequestId = id.parse().unwrap();
        prop_assert_eq!(parsed.to_string(), id.clone());
        let json = serde_json::to_string(&parsed).unwrap();
        prop_assert_eq!(serde_json::from_str::<RequestId>(&json).unwrap(), parsed);
    }

    #[test]
    fn request_id_rejects_anything_else(s in ".{0,40}") {
        let ok = s.len() == 36
            && s.char_indices().all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { c == '-' } else { c.is_ascii_hexdigit() });
        prop_assert_eq!(s.parse::<RequestId>().is_ok(), ok);
    }

    #[test]
    fn send_builder_never_panics_and_never_echoes_input(
        to in ".{0,20}",
        from in ".{0,16}",
        country in prop::option::of(".{0,4}"),
        body in prop::option::of(".{0,40}"),
        now_s in any::<u64>(),
        ahead in -4000i64..4000,
    ) {
        let now = SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(now_s % 400_000_000_000));
        let mut op = SendCode::new(to, from);
        if let Some(c) = country { op = op.country_iso_code(c); }
        if let Some(b) = body { op = op.body(b); }
        if let Some(now) = now {
            let until = if ahead >= 0 {
                now.checked_add(Duration::from_secs(ahead.unsigned_abs()))
            } else {
                now.checked_sub(Duration::from_secs(ahead.unsigned_abs()))
            };
            if let Some(until) = until {
                op = op.valid_until(until, now);
            }
        }
        match op.to_request(&config(), Role::Primary) {
            Ok(req) => { serde_json::from_slice::<serde_json::Value>(req.body()).unwrap(); }
            Err(e) => prop_assert!(e.errors().iter().all(|f| !f.rule.is_empty())),
        }
    }

    #[test]
    fn validate_never_echoes_the_code(code in "[0-9]{1,40}") {
        // Rendered with the code and with a code of the same shape that
        // differs in every digit: any echo of the code makes them differ.
        // (Searching the text for the code instead fails on chance matches,
        // e.g. a 3-digit code inside the request id.)
        let shown = |code: &str| {
            let op = ValidateCode::new(
                "0bd57dc3-580c-4c1d-8aee-2ff79bd8633c".parse().unwrap(),
                Code::new(code),
            );
            let errors = match op.to_request(&config(), Role::Primary) {
                Ok(_) => String::new(),
                Err(e) => format!("{e} {e:?}"),
            };
            format!("{op:?} {errors}")
        };
        prop_assert_eq!(shown(&code), shown(&shift_digits(&code)));
    }
}

#[test]
fn oversized_body_is_unexpected() {
    let body = vec![b' '; verify_core::MAX_BODY_BYTES + 1];
    let err = validate_op()
        .parse_response(Provider::Dotdigital, response(200, &body))
        .unwrap_err();
    assert!(matches!(err, ResponseError::Unexpected(_)), "{err:?}");
}
