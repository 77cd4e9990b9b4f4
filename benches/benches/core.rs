//! The sans-IO core alone: build + sign, parse, and the full round (build,
//! sign, parse the answer) for each operation, and callback verification.
//!
//! `call/*`: what an adapter does around one successful attempt, without
//! the I/O: plan the call, build, sign with a fresh date and nonce, read the
//! answer ([`verify_core::driver`]).
//!
//! Target: a full TeleSign SMS round, and a full dotdigital send, under 3 µs.

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime};

use criterion::{Criterion, criterion_group, criterion_main};
use verify_core::dotdigital::{self, RequestId, SendCode, ValidateCode};
use verify_core::driver::{Execution, Next, Settings};
use verify_core::telesign::{self, CheckCode, Complete, ReferenceId, SendCall, SendSms, Ucid};
use verify_core::{Code, Operation, ProviderConfig, Role};

const CUSTOMER_ID: &str = "FFFFFFFF-EEEE-DDDD-1234-AB1234567890";
const API_KEY: &str =
    "EXAMPLETE8sTgg45yusumoN6BYsBVkh+yRJ5czgsnCehZaOYldPJdmFh6NeX8kunZ2zU1YWaUw/0wV6xfw==";
const REFERENCE_ID: &str = "0123456789ABCDEF0123456789ABCDEF";
const REQUEST_ID: &str = "0bd57dc3-580c-4c1d-8aee-2ff79bd8633c";
const NONCE: &str = "A1592C6F-E384-4CDB-BC42-C3AB970369E9";

const SEND_OK: &[u8] = br#"{"reference_id":"0123456789ABCDEF0123456789ABCDEF","status":{"code":290,"description":"Message in progress","updated_on":"2016-12-14T18:20:12Z"},"verify":{"code_state":"UNKNOWN","code_entered":""}}"#;
const STATUS_OK: &[u8] = br#"{"reference_id":"0123456789ABCDEF0123456789ABCDEF","status":{"code":200,"description":"Delivered to handset","updated_on":"2016-12-14T18:20:15Z"},"verify":{"code_state":"VALID","code_entered":"12345"}}"#;
const COMPLETE_OK: &[u8] = br#"{"reference_id":"0123456789ABCDEF0123456789ABCDEF","status":{"code":1900,"description":"Verification completed","updated_on":"2016-12-14T18:21:00Z"}}"#;
const DD_CODE: &[u8] = br#"{"requestId":"0bd57dc3-580c-4c1d-8aee-2ff79bd8633c","phoneNumber":"447700900123","status":"CodeNotVerified","numberStatus":"On","created":"2024-05-01T10:00:00Z"}"#;
const DD_VERIFIED: &[u8] = br#"{"requestId":"0bd57dc3-580c-4c1d-8aee-2ff79bd8633c","phoneNumber":"447700900123","status":"CodeVerified","numberStatus":"On","created":"2024-05-01T10:00:00Z","verified":"2024-05-01T10:01:00Z"}"#;
const REPORT: &[u8] = br#"{"reference_id":"0123456789ABCDEF0123456789ABCDEF","submit_timestamp":"2016-12-14T18:20:12Z","status":{"code":200,"description":"Delivered to handset","updated_on":"2016-12-14T18:20:15Z"},"errors":[],"verify":{"code_state":"UNKNOWN","code_entered":""}}"#;
const REPORT_SIGNATURE: &str = "5ZGkeiXZjyu3YnBQQromx4D0pk2Z3S7SmLYSlI3wQ2c=";

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_481_739_612)
}

fn telesign_config() -> ProviderConfig {
    let credentials = telesign::Credentials::new(CUSTOMER_ID, API_KEY).expect("valid credentials");
    telesign::Config::new(credentials).into()
}

fn dotdigital_config() -> ProviderConfig {
    let credentials =
        dotdigital::Credentials::new("api-user", "api-password").expect("valid credentials");
    dotdigital::Config::new(credentials).into()
}

fn response(status: u16, body: &'static [u8]) -> http::Response<&'static [u8]> {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body)
        .expect("a valid response")
}

/// Registers `build_sign/<name>`, `parse/<name>` and `round/<name>`.
fn bench_op<O: Operation>(
    c: &mut Criterion,
    name: &str,
    config: &ProviderConfig,
    op: &O,
    answer: &http::Response<&'static [u8]>,
) {
    let provider = config.provider();
    let build_sign = || {
        let mut request = op
            .to_request(config, Role::Primary)
            .expect("valid operation");
        config
            .authorize(&mut request, now(), NONCE)
            .expect("signable");
        request
    };
    let parse = || {
        let (parts, body) = answer.clone().into_parts();
        op.parse_response(provider, http::Response::from_parts(parts, body))
    };
    assert!(parse().is_ok(), "{name}: the sample answer parses");
    c.bench_function(&format!("build_sign/{name}"), |b| {
        b.iter(|| black_box(build_sign()))
    });
    c.bench_function(&format!("parse/{name}"), |b| {
        b.iter(|| black_box(parse().is_ok()))
    });
    c.bench_function(&format!("round/{name}"), |b| {
        b.iter(|| {
            black_box(build_sign());
            black_box(parse().is_ok())
        })
    });
}

/// Registers `call/<name>`: the call driver around one successful attempt.
fn bench_call<O: Operation>(
    c: &mut Criterion,
    name: &str,
    config: &ProviderConfig,
    op: &O,
    answer: &http::Response<&'static [u8]>,
) {
    let settings = Settings::builder(config.clone()).build();
    let one_call = || {
        let execution = Execution::new(&settings, op).expect("a valid operation");
        let (request, _, attempt) = execution.attempt(Instant::now(), SystemTime::now(), NONCE);
        black_box(request);
        match attempt.finish(Ok(answer.clone()), Instant::now(), 0.5) {
            Next::Done(output) => output,
            _ => panic!("{name}: the sample answer is a success"),
        }
    };
    one_call();
    c.bench_function(&format!("call/{name}"), |b| {
        b.iter(|| black_box(one_call()))
    });
}

fn operations(c: &mut Criterion) {
    let ts = telesign_config();
    let dd = dotdigital_config();
    let reference_id = ReferenceId::new(REFERENCE_ID).expect("valid id");
    let sms = SendSms::new("15555550100")
        .verify_code(Code::new("12345"))
        .template("Your Example code is $$CODE$$")
        .ucid(Ucid::Atck);
    bench_op(c, "telesign_sms", &ts, &sms, &response(200, SEND_OK));
    bench_call(c, "telesign_sms", &ts, &sms, &response(200, SEND_OK));
    let call = SendCall::new("15555550100").verify_code(Code::new("12345"));
    bench_op(c, "telesign_call", &ts, &call, &response(200, SEND_OK));
    let status = CheckCode::new(reference_id, Code::new("12345"));
    bench_op(
        c,
        "telesign_status",
        &ts,
        &status,
        &response(200, STATUS_OK),
    );
    bench_call(
        c,
        "telesign_status",
        &ts,
        &status,
        &response(200, STATUS_OK),
    );
    let complete = Complete::new(reference_id);
    bench_op(
        c,
        "telesign_completion",
        &ts,
        &complete,
        &response(200, COMPLETE_OK),
    );
    let send = SendCode::new("447700900123", "Example")
        .body("Your Example code is {{code}}")
        .valid_until(now() + Duration::from_secs(600), now());
    bench_op(c, "dotdigital_send", &dd, &send, &response(202, DD_CODE));
    let validate = ValidateCode::new(
        RequestId::new(REQUEST_ID).expect("valid id"),
        Code::new("123456"),
    );
    bench_op(
        c,
        "dotdigital_validate",
        &dd,
        &validate,
        &response(200, DD_VERIFIED),
    );
}

fn callback(c: &mut Criterion) {
    let credentials = telesign::Credentials::new(CUSTOMER_ID, API_KEY).expect("valid credentials");
    let request = http::Request::post("/callback")
        .header(
            "authorization",
            format!("TSA {CUSTOMER_ID}:{REPORT_SIGNATURE}"),
        )
        .header("content-type", "application/json")
        .body(REPORT)
        .expect("a valid request");
    assert!(telesign::callback::parse_callback(&credentials, &request).is_ok());
    c.bench_function("callback/verify_and_parse", |b| {
        b.iter(|| black_box(telesign::callback::parse_callback(&credentials, &request).is_ok()))
    });
    c.bench_function("callback/verify_signature", |b| {
        b.iter(|| {
            black_box(
                telesign::callback::verify_signature(&credentials, request.headers(), REPORT)
                    .is_ok(),
            )
        })
    });
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = operations, callback
}
criterion_main!(benches);
