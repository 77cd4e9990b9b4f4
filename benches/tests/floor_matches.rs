//! The floors are honest: for the same date and nonce, each writes exactly
//! the library's request (method, URI, every header, body bytes) and reads
//! the same values from the same answer.

use std::time::{Duration, SystemTime};

use verify_benches::floor;
use verify_benches::samples::{self, NONCE, now, response};

/// Dates and nonces to sign with: the benchmarks' fixed ones and others.
fn signings() -> Vec<(SystemTime, &'static str)> {
    vec![
        (now(), NONCE),
        (
            now() + Duration::from_secs(86_400 * 400 + 3_723),
            "0f8fad5b-d9cb-469f-a165-70867728950e",
        ),
        (SystemTime::now(), "n"),
    ]
}

fn assert_same(library: &http::Request<Vec<u8>>, floor: &http::Request<Vec<u8>>) {
    assert_eq!(library.method(), floor.method());
    assert_eq!(library.uri(), floor.uri());
    for name in ["authorization", "date", "x-ts-nonce", "content-type"] {
        assert_eq!(
            library.headers().get(name),
            floor.headers().get(name),
            "{name}"
        );
    }
    // Not only the headers that matter: all of them, values and count.
    assert_eq!(library.headers(), floor.headers());
    assert_eq!(library.body(), floor.body());
    assert_eq!(library.version(), floor.version());
}

fn telesign_floor() -> floor::TeleSign {
    floor::TeleSign::new(
        samples::CUSTOMER_ID,
        samples::API_KEY,
        "https://rest-ww.telesign.com",
    )
}

#[test]
fn the_sms_floor_writes_the_librarys_request() {
    let (config, op, fl) = (
        samples::telesign_config(),
        samples::telesign_sms(),
        telesign_floor(),
    );
    let fields = floor::Sms {
        phone_number: samples::SMS_PHONE,
        ucid: samples::SMS_UCID,
        verify_code: samples::CODE,
        template: samples::SMS_TEMPLATE,
    };
    for (at, nonce) in signings() {
        let library = samples::build_sign(&op, &config, at, nonce);
        assert_same(&library, &fl.sms(&fields, at, nonce));
        assert!(library.headers().contains_key("x-ts-nonce"));
    }
    // The signature TeleSign's Python SDK computes for the same request
    // (`benches/python/telesign_sdk_round.py` checks its own against it).
    let library = samples::build_sign(&op, &config, now(), NONCE);
    assert_eq!(
        library.headers()["authorization"],
        samples::SMS_AUTHORIZATION
    );
    assert_eq!(
        library.body(),
        b"phone_number=15555550100&ucid=ATCK&verify_code=12345&template=Your+Example+code+is+%24%24CODE%24%24"
    );
}

#[test]
fn the_status_floor_writes_the_librarys_request() {
    let (config, op, fl) = (
        samples::telesign_config(),
        samples::telesign_status(),
        telesign_floor(),
    );
    let fields = floor::Status {
        reference_id: samples::REFERENCE_ID,
        verify_code: samples::CODE,
    };
    for (at, nonce) in signings() {
        let library = samples::build_sign(&op, &config, at, nonce);
        assert_same(&library, &fl.status(&fields, at, nonce));
        assert_eq!(
            library.uri().path_and_query().map(|p| p.as_str()),
            Some("/v1/verify/0123456789ABCDEF0123456789ABCDEF?verify_code=12345")
        );
    }
}

#[test]
fn the_dotdigital_floor_writes_the_librarys_request() {
    let (config, op) = (samples::dotdigital_config(), samples::dotdigital_send());
    let fl = floor::Dotdigital::new(
        samples::DD_USER,
        samples::DD_PASSWORD,
        "https://services.comapi.com",
    );
    let fields = floor::DotdigitalSend {
        to: samples::DD_TO,
        from: samples::DD_FROM,
        body: samples::DD_BODY,
        valid_until: now() + samples::DD_VALIDITY,
    };
    for (at, nonce) in signings() {
        // dotdigital signs nothing with the date or nonce: the same request.
        let library = samples::build_sign(&op, &config, at, nonce);
        assert_same(&library, &fl.send(&fields));
    }
    let library = samples::build_sign(&op, &config, now(), NONCE);
    assert_eq!(
        std::str::from_utf8(library.body()).unwrap(),
        r#"{"to":"447700900123","from":"Example","body":"Your Example code is {{code}}","validUntil":"2016-12-14T18:30:12.000Z"}"#
    );
}

#[test]
fn the_floors_read_what_the_library_reads() {
    let ts = samples::telesign_config();
    let library = samples::read_telesign_send(
        &samples::telesign_sms(),
        &ts,
        response(200, samples::SEND_OK),
    );
    let fl = floor::TeleSign::answer(samples::SEND_OK);
    assert_eq!(
        library,
        (fl.reference_id.to_owned(), i64::from(fl.status.code))
    );
    let library = samples::read_telesign_check(
        &samples::telesign_status(),
        &ts,
        response(200, samples::STATUS_OK),
    );
    let fl = floor::TeleSign::answer(samples::STATUS_OK);
    assert_eq!(fl.reference_id, samples::REFERENCE_ID);
    assert_eq!(fl.verify.map(|v| v.code_state), Some("VALID"));
    assert_eq!(library, verify_core::telesign::CodeCheck::Valid);
    let dd = samples::dotdigital_config();
    let library = samples::read_dotdigital(
        &samples::dotdigital_send(),
        &dd,
        response(202, samples::DD_CODE),
    );
    let fl = floor::Dotdigital::answer(samples::DD_CODE);
    assert_eq!(library, (fl.request_id.to_owned(), fl.status.to_owned()));
}

#[test]
fn the_fair_baselines_status_query_is_the_librarys() {
    use verify_core::telesign::{self, AuthMethod, GetStatus, ReferenceId};
    use verify_core::{BaseUrl, Operation, ProviderConfig, Role};
    let base = "http://127.0.0.1:8080";
    let credentials = telesign::Credentials::new(samples::CUSTOMER_ID, samples::API_KEY)
        .expect("sample credentials");
    let config = ProviderConfig::from(
        telesign::Config::new(credentials)
            .with_base_url(BaseUrl::allow_plain_http(base).expect("a URL"))
            .with_auth_method(AuthMethod::Basic),
    );
    let reference_id = "0123456789ABCDEF0123456789ABCDEF";
    let op = GetStatus::new(ReferenceId::new(reference_id).expect("an id"));
    let fair = floor::TeleSignBasic::new(samples::CUSTOMER_ID, samples::API_KEY, base);
    for (at, nonce) in signings() {
        let mut library = op.to_request(&config, Role::Primary).expect("a request");
        config.authorize(&mut library, at, nonce).expect("signs");
        assert_same(&library, &fair.status(reference_id, at));
    }
}
