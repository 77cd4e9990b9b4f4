//! Properties of the Verify API operations: no answer panics a parser, a
//! create may be retried or failed over only when its answer proves nothing
//! went out, and the code never shows in a value or an error.

mod common;

use proptest::prelude::*;
use verify_core::retry::{AttemptFailure, should_retry};
use verify_core::telesign::{Credentials, ReferenceId};
use verify_core::telesign_verify::{
    Config, CreateVerification, FinalizeVerification, GetVerification, StatusClass, StatusCode,
};
use verify_core::{Code, Idempotency, Operation, Provider, ProviderConfig, Role};

const REF: &str = "0123456789ABCDEF0123456789ABCDEF";

fn config() -> ProviderConfig {
    Config::new(Credentials::new("FFFFFFFF-EEEE-DDDD-1234-AB1234567890", "VGVzdCBLZXk=").unwrap())
        .into()
}

fn rid() -> ReferenceId {
    REF.parse().unwrap()
}

fn response(status: u16, body: &[u8]) -> http::Response<&[u8]> {
    http::Response::builder().status(status).body(body).unwrap()
}

fn codes() -> Vec<i64> {
    let mut all: Vec<i64> = StatusCode::ALL.iter().map(|s| s.code()).collect();
    all.extend([0, -1, 3999, 200, 500, 3001]);
    all
}

/// Over every status code x HTTP status: a create is retried or failed over
/// only when its answer proves nothing was sent; the other operations never
/// report a message sent.
#[test]
fn a_create_is_repeated_only_when_nothing_was_sent() {
    for code in codes() {
        for http in [200u16, 400, 401, 404, 413, 429, 500, 503] {
            let body = format!(r#"{{"status":{{"code":{code},"description":"x"}}}}"#);
            let class = StatusCode::from_code(code).class();
            let proves = matches!(class, StatusClass::Refused | StatusClass::Temporary);
            let create = CreateVerification::sms("15555550100");
            if let Err(e) =
                create.parse_response(Provider::TeleSignVerify, response(http, body.as_bytes()))
            {
                // A success answer without reference id may have sent; a
                // refusal proves nothing went out; anything else may have.
                assert_eq!(
                    e.message_may_have_been_sent(),
                    !proves,
                    "{code} / HTTP {http}: {e}"
                );
                if should_retry(Idempotency::SendsMessage, &AttemptFailure::Response(&e)) {
                    assert!(proves, "{code} / HTTP {http}: a create retried after {e}");
                }
            }
            let get = GetVerification::new(rid());
            if let Err(e) =
                get.parse_response(Provider::TeleSignVerify, response(http, body.as_bytes()))
            {
                assert!(!e.message_may_have_been_sent(), "{e}");
            }
            let fin = FinalizeVerification::new(rid(), Code::new("123456"));
            if let Err(e) =
                fin.parse_response(Provider::TeleSignVerify, response(http, body.as_bytes()))
            {
                assert!(!e.message_may_have_been_sent(), "{e}");
            }
        }
    }
}

proptest! {
    #[test]
    fn no_answer_makes_a_parser_panic(status in 100u16..600, body in proptest::collection::vec(any::<u8>(), 0..300)) {
        let r = response(status, &body);
        let _ = CreateVerification::new().parse_response(Provider::TeleSignVerify, r);
        let _ = GetVerification::new(rid()).parse_response(Provider::TeleSignVerify, response(status, &body));
        let _ = FinalizeVerification::new(rid(), Code::new("123456")).parse_response(Provider::TeleSignVerify, response(status, &body));
        let _ = verify_core::telesign_verify::callback::parse_report(&body);
    }

    #[test]
    fn json_shaped_answers_parse_or_err(status in prop_oneof![Just(200u16), Just(400), Just(404)],
        code in prop_oneof![Just(None), (3000i64..4000).prop_map(Some)],
        state in "[A-Z_]{0,12}", method in "[a-z]{0,8}") {
        let status_json = code.map_or(String::new(), |c| format!(r#""status":{{"code":{c},"description":"d"}},"#));
        let body = format!(r#"{{{status_json}"reference_id":"{REF}","state":"{state}","verification_policy":[{{"method":"{method}","fallback_time":60}}],"inner_methods":[{{"method":"{method}","state":"{state}"}}]}}"#);
        let _ = CreateVerification::new().parse_response(Provider::TeleSignVerify, response(status, body.as_bytes()));
        let _ = GetVerification::new(rid()).parse_response(Provider::TeleSignVerify, response(status, body.as_bytes()));
        let _ = FinalizeVerification::new(rid(), Code::new("123456")).parse_response(Provider::TeleSignVerify, response(status, body.as_bytes()));
    }

    /// The code (own or typed) is in the request body and nowhere else: not
    /// in the operation's Debug, not in a validation error.
    #[test]
    fn the_code_never_shows(code in "[0-9]{3,10}", bad in "[0-9]{11,14}") {
        // A code that happens to occur in the fixed phone number or id
        // proves nothing either way.
        prop_assume!(!"15555550100".contains(&code) && !REF.contains(&code));
        let create = CreateVerification::sms("15555550100").security_factor(Code::new(code.clone()));
        let shown = format!("{create:?}");
        prop_assert!(!shown.contains(&code));
        let request = create.to_request(&config(), Role::Primary).unwrap();
        prop_assert!(String::from_utf8_lossy(request.body()).contains(&code));
        // The description gives the body's length: a code equal to it
        // proves nothing either way.
        prop_assume!(!request.body().len().to_string().contains(&code));
        let shown = verify_core::redact::redacted(&request).to_string();
        prop_assert!(!shown.contains(&code), "{}", shown);
        let fin = FinalizeVerification::new(rid(), Code::new(code.clone()));
        let shown = format!("{fin:?}");
        prop_assert!(!shown.contains(&code));
        let err = FinalizeVerification::new(rid(), Code::new(bad.clone())).to_request(&config(), Role::Primary).unwrap_err();
        let shown = format!("{err} {err:?}");
        prop_assert!(!shown.contains(&bad));
        let other = common::shift_digits(&code);
        let err = CreateVerification::sms("1").security_factor(Code::new(other.clone())).validate().unwrap_err();
        let shown = format!("{err} {err:?}");
        prop_assert!(!shown.contains(&other));
    }
}
