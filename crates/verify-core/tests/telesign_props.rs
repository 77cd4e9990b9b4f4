//! Property tests of the TeleSign operations: accepted input round-trips
//! through the form body, a single broken field is named alone, and no
//! bytes, status or headers can make a parser panic.

mod common;

use common::shift_digits;
use proptest::prelude::*;
use verify_core::telesign::callback::{self, CallbackRejection};
use verify_core::telesign::{
    Complete, Config, Credentials, GetStatus, ReferenceId, SendCall, SendSms, Ucid,
};
use verify_core::{Code, Operation, Provider, ProviderConfig, Role};

fn config() -> ProviderConfig {
    Config::new(Credentials::new("FFFFFFFF-EEEE-DDDD-1234-AB1234567890", "VGVzdCBLZXk=").unwrap())
        .into()
}

fn rid() -> ReferenceId {
    "0123456789ABCDEF0123456789ABCDEF".parse().unwrap()
}

fn opt<T: std::fmt::Debug + Clone>(
    s: impl Strategy<Value = T>,
) -> impl Strategy<Value = Option<T>> {
    proptest::option::of(s)
}

prop_compose! {
    fn valid_sms()(
        phone in "[1-9][0-9]{6,14}",
        ucid in opt(proptest::sample::select(Ucid::ALL)),
        ip in opt(any::<std::net::IpAddr>()),
        language in opt("[a-zA-Z0-9_-]{1,20}"),
        code in opt("[0-9]{3,7}"),
        template in opt(("\\PC{0,60}", "\\PC{0,60}")),
        sender_id in opt("\\PC{1,20}"),
        is_primary in opt(any::<bool>()),
        dlt_template_id in opt("\\PC{1,40}"),
        dlt_entity_id in opt("\\PC{1,40}"),
        transaction in opt(("\\PC{1,40}", "\\PC{1,40}")),
        sim_swap_check in opt(any::<bool>()),
    ) -> SendSms {
        SendSms {
            phone_number: phone,
            ucid,
            originating_ip: ip.map(|ip| ip.to_string()),
            language,
            verify_code: code.map(Code::new),
            template: template.map(|(a, b)| format!("{a}$$CODE$${b}")),
            template_limit: None,
            sender_id,
            is_primary,
            dlt_template_id,
            dlt_entity_id,
            transaction_amount: transaction.as_ref().map(|t| t.0.clone()),
            transaction_payee: transaction.map(|t| t.1),
            sim_swap_check,
            client_keys: Vec::new(),
        }
    }
}

fn role() -> impl Strategy<Value = Role> {
    prop_oneof![Just(Role::Primary), Just(Role::Backup)]
}

const TABLE_ORDER: &[&str] = &[
    "phone_number",
    "ucid",
    "originating_ip",
    "language",
    "verify_code",
    "template",
    "sender_id",
    "is_primary",
    "dlt_template_id",
    "dlt_entity_id",
    "transaction_amount",
    "transaction_payee",
    "sim_swap_check",
];

/// One field made to break exactly one rule.
#[derive(Clone, Debug)]
enum Break {
    Phone(String),
    Ip(String),
    Language(String),
    Code(String),
    Template(String),
    SenderId(String),
    DltTemplate(String),
    DltEntity(String),
    Amount(Option<String>),
    Payee(Option<String>),
}

fn a_break() -> impl Strategy<Value = Break> {
    let too_long = |n: usize| {
        proptest::string::string_regex(&format!("[a-z]{{{},{}}}", n + 1, n + 30)).unwrap()
    };
    prop_oneof![
        prop_oneof![
            Just(String::new()),
            "[0-9]{0,6}",
            "[0-9]{16,30}",
            "[0-9]{3,7}[ +a-z-][0-9]{3,7}",
            "0[0-9]{6,14}"
        ]
        .prop_map(Break::Phone),
        "[g-z.]{1,12}".prop_map(Break::Ip),
        prop_oneof![
            Just(String::new()),
            "[a-z]{21,40}",
            "[a-z]{1,5}[ /.][a-z]{1,5}"
        ]
        .prop_map(Break::Language),
        prop_oneof![
            Just(String::new()),
            "[0-9]{1,2}",
            "[0-9]{8,12}",
            "[0-9]{2,5}[a-z ][0-9]{0,2}"
        ]
        .prop_map(Break::Code),
        prop_oneof![
            "[a-z ]{0,100}",
            "[a-z]{153,200}".prop_map(|s| format!("$$CODE$${s}"))
        ]
        .prop_map(Break::Template),
        prop_oneof![Just(String::new()), too_long(20)].prop_map(Break::SenderId),
        prop_oneof![Just(String::new()), too_long(40)].prop_map(Break::DltTemplate),
        prop_oneof![Just(String::new()), too_long(40)].prop_map(Break::DltEntity),
        opt(prop_oneof![Just(String::new()), too_long(40)]).prop_map(Break::Amount),
        opt(prop_oneof![Just(String::new()), too_long(40)]).prop_map(Break::Payee),
    ]
}

fn apply(mut sms: SendSms, b: &Break) -> (SendSms, &'static str) {
    let field = match b.clone() {
        Break::Phone(v) => {
            sms.phone_number = v;
            "phone_number"
        }
        Break::Ip(v) => {
            sms.originating_ip = Some(v);
            "originating_ip"
        }
        Break::Language(v) => {
            sms.language = Some(v);
            "language"
        }
        Break::Code(v) => {
            sms.verify_code = Some(Code::new(v));
            "verify_code"
        }
        Break::Template(v) => {
            sms.template = Some(v);
            "template"
        }
        Break::SenderId(v) => {
            sms.sender_id = Some(v);
            "sender_id"
        }
        Break::DltTemplate(v) => {
            sms.dlt_template_id = Some(v);
            "dlt_template_id"
        }
        Break::DltEntity(v) => {
            sms.dlt_entity_id = Some(v);
            "dlt_entity_id"
        }
        // `None` breaks the pairing rule: a payee without an amount.
        Break::Amount(v) => {
            sms.transaction_payee
                .get_or_insert_with(|| "Acme".to_owned());
            sms.transaction_amount = v;
            "transaction_amount"
        }
        Break::Payee(v) => {
            sms.transaction_amount
                .get_or_insert_with(|| "EUR 1".to_owned());
            sms.transaction_payee = v;
            "transaction_payee"
        }
    };
    (sms, field)
}

fn any_response() -> impl Strategy<Value = (u16, Vec<(String, String)>, Vec<u8>)> {
    let json_ish = (
        proptest::sample::select(vec![
            "{\"reference_id\":",
            "{\"status\":{\"code\":",
            "{\"errors\":[{\"code\":",
            "{\"verify\":{\"code_state\":",
            "{\"additional_info\":",
            "{\"status\":",
            "{\"errors\":",
            "[",
            "",
        ]),
        proptest::sample::select(vec![
            "\"0123456789ABCDEF0123456789ABCDEF\"",
            "290",
            "-10001",
            "9223372036854775808",
            "-1.5",
            "null",
            "true",
            "\"VALID\"",
            "{}",
            "[]",
            "\"\\ud800\"",
            "1e400",
            "{\"code\":500}",
        ]),
        proptest::sample::select(vec![
            "}",
            "}}",
            "}]}",
            "",
            "]",
            ",\"status\":{\"code\":290}}",
        ]),
    )
        .prop_map(|(a, b, c)| format!("{a}{b}{c}").into_bytes());
    (
        100u16..1000,
        proptest::collection::vec(
            (
                prop_oneof![
                    Just("retry-after".to_owned()),
                    Just("content-type".to_owned()),
                    "[a-z-]{1,12}"
                ],
                "[ -~]{0,20}",
            ),
            0..4,
        ),
        prop_oneof![proptest::collection::vec(any::<u8>(), 0..600), json_ish],
    )
}

fn response<'a>(
    status: u16,
    headers: &[(String, String)],
    body: &'a [u8],
) -> http::Response<&'a [u8]> {
    let mut b = http::Response::builder().status(status);
    for (k, v) in headers {
        b = b.header(k.as_str(), v.as_str());
    }
    b.body(body).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn accepted_sms_round_trips_through_the_form_body(sms in valid_sms(), role in role()) {
        prop_assert!(sms.validate().is_ok(), "{:?}", sms.validate());
        let req = sms.to_request(&config(), role).unwrap();
        let decoded: Vec<(String, String)> = serde_urlencoded::from_bytes(req.body()).unwrap();
        let expected: Vec<(String, String)> =
            sms.form_fields(role).into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        prop_assert_eq!(&decoded, &expected);
        // Every given field is there, with its value, in seed 002's order.
        let names: Vec<&str> = decoded.iter().map(|(k, _)| k.as_str()).collect();
        let mut order = TABLE_ORDER.iter().filter(|f| names.contains(f));
        prop_assert!(names.iter().all(|n| order.next() == Some(n)));
        let get = |k: &str| decoded.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        // Each field decodes to the input's value, compared with the input
        // itself (not with another rendering of the core's).
        let flag = |b: Option<bool>| b.map(|b| if b { "true" } else { "false" });
        let ip = sms.originating_ip.clone();
        prop_assert_eq!(get("phone_number"), Some(sms.phone_number.as_str()));
        prop_assert_eq!(get("ucid"), sms.ucid.map(Ucid::as_str));
        prop_assert_eq!(get("originating_ip"), ip.as_deref());
        prop_assert_eq!(get("language"), sms.language.as_deref());
        prop_assert_eq!(get("verify_code"), sms.verify_code.as_ref().map(Code::expose_secret));
        prop_assert_eq!(get("template"), sms.template.as_deref());
        prop_assert_eq!(get("sender_id"), sms.sender_id.as_deref());
        prop_assert_eq!(get("dlt_template_id"), sms.dlt_template_id.as_deref());
        prop_assert_eq!(get("dlt_entity_id"), sms.dlt_entity_id.as_deref());
        prop_assert_eq!(get("transaction_amount"), sms.transaction_amount.as_deref());
        prop_assert_eq!(get("transaction_payee"), sms.transaction_payee.as_deref());
        prop_assert_eq!(get("sim_swap_check"), flag(sms.sim_swap_check));
        prop_assert_eq!(decoded.len(), expected.len());
        let primary = match (sms.is_primary, role) {
            (Some(true), _) => Some("true"),
            (Some(false), _) | (None, Role::Backup) => Some("false"),
            (None, Role::Primary) => None,
        };
        prop_assert_eq!(get("is_primary"), primary);
    }

    #[test]
    fn a_single_broken_field_is_named_alone(sms in valid_sms(), b in a_break(), role in role()) {
        let (sms, field) = apply(sms, &b);
        let err = sms.to_request(&config(), role).unwrap_err();
        prop_assert_eq!(err.fields().collect::<Vec<_>>(), vec![field]);
        // The error must not echo the code: the same input with a code of
        // the same shape that differs in every digit gives the same text.
        if let Some(code) = &sms.verify_code {
            let other = SendSms {
                verify_code: Some(Code::new(shift_digits(code.expose_secret()))),
                ..sms.clone()
            };
            let other_err = other.to_request(&config(), role).unwrap_err();
            prop_assert_eq!(err.to_string(), other_err.to_string());
            prop_assert_eq!(format!("{err:?}"), format!("{other_err:?}"));
        }
    }

    #[test]
    fn no_response_makes_a_parser_panic((status, headers, body) in any_response()) {
        let ops_sms = SendSms::new("15555550100");
        fn check<T: std::fmt::Debug>(r: Result<T, verify_core::ResponseError>, status: u16) {
            match r {
                // Every error is printable and knows its HTTP status.
                Err(e) => {
                    let _ = e.to_string();
                    assert_eq!(e.http_status().as_u16(), status);
                }
                Ok(v) => {
                    let _ = format!("{v:?}");
                }
            }
        }
        check(ops_sms.parse_response(Provider::TeleSign, response(status, &headers, &body)), status);
        check(SendCall::new("15555550100").parse_response(Provider::TeleSign, response(status, &headers, &body)), status);
        check(GetStatus::new(rid()).parse_response(Provider::TeleSign, response(status, &headers, &body)), status);
        let code_check = verify_core::telesign::CheckCode::new(rid(), verify_core::Code::new("12345"));
        check(code_check.parse_response(Provider::TeleSign, response(status, &headers, &body)), status);
        check(Complete::new(rid()).parse_response(Provider::TeleSign, response(status, &headers, &body)), status);
        check(Complete::new(rid()).parse_response(Provider::Dotdigital, response(status, &headers, &body)), status);
        let creds = Credentials::new("FFFFFFFF-EEEE-DDDD-1234-AB1234567890", "VGVzdCBLZXk=").unwrap();
        let mut req = http::Request::post("/cb").body(body.as_slice()).unwrap();
        for (k, v) in &headers {
            if let (Ok(k), Ok(v)) = (http::HeaderName::from_bytes(k.as_bytes()), v.parse()) {
                req.headers_mut().insert(k, v);
            }
        }
        let _ = callback::parse_callback(&creds, &req);
        let _ = callback::parse_report(&body);
    }

    #[test]
    fn no_signature_header_makes_the_callback_check_panic(value in "[ -~]{0,80}", body in proptest::collection::vec(any::<u8>(), 0..100)) {
        let creds = Credentials::new("FFFFFFFF-EEEE-DDDD-1234-AB1234567890", "VGVzdCBLZXk=").unwrap();
        let mut h = http::HeaderMap::new();
        h.insert("authorization", value.parse().unwrap());
        prop_assert!(callback::verify_signature(&creds, &h, &body).is_err());
    }
}

#[test]
fn a_fifty_megabyte_body_is_refused_unread() {
    let body = vec![b'{'; 50 * 1024 * 1024];
    let err = SendSms::new("15555550100")
        .parse_response(Provider::TeleSign, response(200, &[], &body))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("the response body is longer than the 65536-byte limit"),
        "{err}"
    );
    assert!(err.to_string().len() < 600);
    let creds = Credentials::new("FFFFFFFF-EEEE-DDDD-1234-AB1234567890", "VGVzdCBLZXk=").unwrap();
    let mut h = http::HeaderMap::new();
    h.insert("authorization", "c2ln".parse().unwrap());
    assert!(matches!(
        callback::verify_signature(&creds, &h, &body),
        Err(CallbackRejection::MalformedBody { .. })
    ));
}
