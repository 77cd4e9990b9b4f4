//! Every time a parser returns can be written: dotdigital's `created` and
//! `verified`, the Verify API's `created_on`, `updated_on` and inner
//! methods' times, TeleSign's `updated_on` and a callback's
//! `submit_timestamp`. A time that its offset puts outside 1970-9999 in UTC
//! reads as absent (docs/PROTOCOL-DECISIONS.md, "Times"), so `Display`,
//! `Debug`, RFC 3339 (`humantime`) and HTTP dates (`httpdate`) never panic
//! on what the parsers give.

use std::time::SystemTime;

use proptest::prelude::*;
use verify_core::dotdigital::SendCode;
use verify_core::telesign::{GetStatus, callback};
use verify_core::telesign_verify::GetVerification;
use verify_core::text::provider_time;
use verify_core::{Operation, Provider};

const REF: &str = "0123456789ABCDEF0123456789ABCDEF";

fn response(status: u16, body: &[u8]) -> http::Response<&[u8]> {
    let mut r = http::Response::new(body);
    *r.status_mut() = http::StatusCode::from_u16(status).unwrap();
    r
}

/// Writes `time` every way an application or the CLI does.
fn write(time: SystemTime) {
    let _ = format!("{time:?}");
    let _ = humantime::format_rfc3339(time).to_string();
    let _ = humantime::format_rfc3339_millis(time).to_string();
    let _ = humantime::format_rfc3339_micros(time).to_string();
    let _ = httpdate::fmt_http_date(time);
}

/// A time string the parsers keep: it reads as a time, and that time can
/// be written.
fn write_text(text: &str) {
    let _ = format!("{text} {text:?}");
    if let Some(time) = provider_time(text) {
        write(time);
    }
}

/// Date-times near and past every edge: years 0000-9999, any month, day,
/// hour, minute and second in two digits, a fraction, any offset.
fn date_time() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just(1970u32), Just(1969), Just(9999), 0u32..10_000],
        0u32..100,
        0u32..100,
        0u32..100,
        0u32..100,
        0u32..100,
        prop::option::of("[0-9]{1,12}"),
        prop_oneof![
            Just(String::new()),
            Just("Z".to_owned()),
            Just("z".to_owned()),
            (
                prop::sample::select(vec!['+', '-']),
                0u32..100,
                0u32..100,
                any::<bool>()
            )
                .prop_map(|(sign, h, m, colon)| if colon {
                    format!("{sign}{h:02}:{m:02}")
                } else {
                    format!("{sign}{h:02}{m:02}")
                }),
        ],
        prop::sample::select(vec!['T', 't', ' ']),
    )
        .prop_map(|(y, mo, d, h, mi, s, frac, zone, sep)| {
            let frac = frac.map(|f| format!(".{f}")).unwrap_or_default();
            format!("{y:04}-{mo:02}-{d:02}{sep}{h:02}:{mi:02}:{s:02}{frac}{zone}")
        })
}

fn edge_time() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("9999-12-31T23:59:59-00:01".to_owned()),
        Just("9999-12-31T23:59:60Z".to_owned()),
        Just("1970-01-01T00:00:00+00:01".to_owned()),
        Just("1970-01-01T00:00:00+23:59".to_owned()),
        Just("9999-12-31T00:00:00-23:59".to_owned()),
        date_time(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn every_time_read_can_be_written(created in edge_time(), verified in edge_time()) {
        // dotdigital.
        let body = serde_json::json!({
            "requestId": "0bd57dc3-580c-4c1d-8aee-2ff79bd8633c",
            "phoneNumber": "447979080215",
            "status": "CodeNotVerified",
            "numberStatus": "On",
            "created": created,
            "verified": verified,
        })
        .to_string();
        let code = SendCode::new("447979080215", "Test")
            .parse_response(Provider::Dotdigital, response(202, body.as_bytes()))
            .expect("a VerifyCode");
        let _ = format!("{code:?}");
        for time in [code.created, code.verified].into_iter().flatten() {
            write(time);
        }
        prop_assert_eq!(code.created.is_some(), provider_time(&created).is_some());

        // The Verify API.
        let body = serde_json::json!({
            "reference_id": REF,
            "state": "ONGOING",
            "created_on": created,
            "updated_on": verified,
            "inner_methods": [{
                "method": "sms", "state": "ONGOING",
                "tried_on": created, "updated_on": verified, "expires_on": created,
            }],
        })
        .to_string();
        let retrieved = GetVerification::new(REF.parse().unwrap())
            .parse_response(Provider::TeleSignVerify, response(200, body.as_bytes()))
            .expect("a process");
        let _ = format!("{retrieved:?}");
        let mut texts = vec![retrieved.created_on.clone(), retrieved.updated_on.clone()];
        for m in &retrieved.inner_methods {
            texts.extend([m.tried_on.clone(), m.updated_on.clone(), m.expires_on.clone()]);
        }
        for text in texts.iter().flatten() {
            write_text(text);
            prop_assert!(provider_time(text).is_some(), "kept only when readable: {}", text);
        }

        // TeleSign: a status report and a delivery report.
        let body = serde_json::json!({
            "reference_id": REF,
            "status": {"code": 200, "description": "Delivered to handset", "updated_on": created},
            "submit_timestamp": verified,
            "errors": [],
        })
        .to_string();
        let report = GetStatus::new(REF.parse().unwrap())
            .parse_response(Provider::TeleSign, response(200, body.as_bytes()))
            .expect("a status report");
        let _ = format!("{report:?}");
        if let Some(text) = &report.status.updated_on {
            write_text(text);
        }
        let delivery = callback::parse_report(body.as_bytes()).expect("a delivery report");
        let _ = format!("{delivery:?} {delivery}");
        if let Some(text) = &delivery.submit_timestamp {
            write_text(text);
        }
    }
}

#[test]
fn a_time_out_of_range_reads_as_absent() {
    let body = br#"{"requestId":"0bd57dc3-580c-4c1d-8aee-2ff79bd8633c","phoneNumber":"447979080215","status":"CodeVerified","numberStatus":"On","created":"9999-12-31T23:59:59-01:00","verified":"1970-01-01T00:00:00+01:00"}"#;
    let code = SendCode::new("447979080215", "Test")
        .parse_response(Provider::Dotdigital, response(202, body))
        .expect("the VerifyCode is kept, its times are not");
    assert_eq!((code.created, code.verified), (None, None));
    assert_eq!(
        code.request_id.as_str(),
        "0bd57dc3-580c-4c1d-8aee-2ff79bd8633c"
    );
}
