//! Never twice, for every answer: over the whole product of TeleSign answers
//! (every documented status code, none, unknown ones) x (no error, each
//! documented error code, unknown ones, several at once) x (the HTTP
//! statuses a provider or a proxy uses) x (every operation), and over bodies
//! that are not the documented JSON, a call that can send a message is
//! retried or failed over only when the answer proves nothing went out, and
//! `message_may_have_been_sent()` says "no" only then.
//!
//! The oracle below is written from docs/PROTOCOL-DECISIONS.md ("Whether a
//! message may have gone out"), not from the code it checks.

use std::time::{Duration, Instant, SystemTime};

use verify_core::driver::{ErrorKind, Execution, Next, Settings};
use verify_core::neutral::{Check, Start};
use verify_core::retry::{AttemptFailure, RetryPolicy, may_fail_over, should_retry};
use verify_core::telesign::{
    self, CheckCode, Complete, ErrorCode, GetStatus, ReferenceId, SendCall, SendSms, StatusCode,
};
use verify_core::{BaseUrl, Code, Idempotency, Operation, Provider, dotdigital};

const REF: &str = "0123456789ABCDEF0123456789ABCDEF";
const HTTP: [u16; 7] = [200, 400, 401, 404, 429, 500, 503];

fn settings() -> Settings {
    let telesign = telesign::Config::new(
        telesign::Credentials::new("CUSTOMER", "VGVzdCBLZXk=").expect("credentials"),
    );
    let dotdigital = dotdigital::Config::new(
        dotdigital::Credentials::new("user", "password").expect("credentials"),
    )
    .with_base_url(BaseUrl::allow_plain_http("http://127.0.0.1:9").expect("url"));
    Settings::builder(telesign)
        .backup(dotdigital)
        .retry_policy(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(10),
        })
        .build()
}

fn status_choices() -> Vec<Option<i64>> {
    let mut all: Vec<Option<i64>> = StatusCode::ALL.iter().map(|s| Some(s.code())).collect();
    all.extend([
        None,
        Some(0),
        Some(-1),
        Some(299),
        Some(520),
        Some(598),
        Some(777),
        Some(1900),
    ]);
    all
}

fn error_choices() -> Vec<Vec<i64>> {
    let mut all: Vec<Vec<i64>> = vec![vec![]];
    all.extend(ErrorCode::ALL.iter().map(|e| vec![e.code()]));
    all.extend([vec![-1], vec![-99_999], vec![12]]);
    // Several at once: a refusal beside an unknown code, and two refusals.
    all.extend([vec![-40007, -1], vec![-1, -90001], vec![-10001, -30006]]);
    all
}

fn body(status: Option<i64>, errors: &[i64]) -> Vec<u8> {
    let errors: Vec<String> = errors
        .iter()
        .map(|c| format!(r#"{{"code":{c},"description":"x"}}"#))
        .collect();
    let status = status.map_or(String::new(), |c| {
        format!(r#","status":{{"code":{c},"description":"x"}}"#)
    });
    format!(
        r#"{{"reference_id":"{REF}","errors":[{}]{status},"verify":{{"code_state":"UNKNOWN"}}}}"#,
        errors.join(",")
    )
    .into_bytes()
}

/// The refusals docs/PROTOCOL-DECISIONS.md lists: with status 500, 501 or
/// none they prove that nothing was sent.
fn is_refusal(code: i64) -> bool {
    matches!(
        code,
        -30015..=-30000 | -20002 | -10001 | -40006 | -40007 | -40008 | -10009 | -10033 | -90001
    )
}

/// Whether the answer proves that no message went out.
fn proves_nothing_sent(http: u16, status: Option<i64>, errors: &[i64]) -> bool {
    match status {
        // Not attempted, not authorized, and the finals that say no message
        // will reach the phone.
        Some(500 | 501 | 207 | 210 | 211 | 220 | 221 | 222 | 229 | 230 | 231 | 233) => true,
        Some(_) => false,
        None => errors.iter().any(|&c| is_refusal(c)) || http == 429,
    }
}

/// Checks one answer for one operation: the error's word on "may have been
/// sent", the retry and failover rules, and the driver's step.
fn check<O: Operation>(op: &O, http: u16, body: &[u8], nothing_sent: bool, case: &str) {
    let sends = op.idempotency() == Idempotency::SendsMessage;
    let response = http::Response::builder()
        .status(http)
        .body(body)
        .expect("response");
    let parsed = op.parse_response(Provider::TeleSign, response);
    let Err(error) = &parsed else {
        return; // a success: nothing to retry
    };
    let may_have_sent = error.message_may_have_been_sent();
    if !sends {
        assert!(!may_have_sent, "{case}: {} never sends: {error}", op.name());
    } else {
        assert_eq!(
            may_have_sent,
            !nothing_sent,
            "{case} / {}: {error}",
            op.name()
        );
    }
    let failure = AttemptFailure::Response(error);
    if sends && should_retry(op.idempotency(), &failure) {
        assert!(nothing_sent, "{case}: a send is retried after {error}");
    }
    if sends && may_fail_over(op.idempotency(), &failure, false) {
        assert!(nothing_sent, "{case}: a send fails over after {error}");
    }

    // The driver, from the first attempt to its decision.
    let settings = settings();
    let execution = Execution::new(&settings, op).expect("a valid operation");
    let t0 = Instant::now();
    let (_, _, attempt) = execution.attempt(t0, SystemTime::now(), "nonce");
    let outcome: Result<http::Response<Vec<u8>>, ErrorKind> = Ok(http::Response::builder()
        .status(http)
        .body(body.to_vec())
        .expect("response"));
    match attempt.finish(outcome, t0, 0.5) {
        Next::Done(_) => panic!("{case}: the driver accepted what the parser refused"),
        Next::Retry { .. } => {
            if sends {
                assert!(
                    nothing_sent,
                    "{case}: the driver retries a send after {error}"
                );
            }
        }
        Next::FailOver { error: err, .. } => {
            assert_eq!(err.message_may_have_been_sent(), may_have_sent, "{case}");
            assert!(
                !sends || nothing_sent,
                "{case}: the driver fails a send over after {error}"
            );
        }
        Next::Failed(err) => {
            assert_eq!(err.message_may_have_been_sent(), may_have_sent, "{case}");
        }
    }
}

fn for_every_operation(http: u16, body: &[u8], nothing_sent: bool, case: &str) {
    let id: ReferenceId = REF.parse().expect("reference id");
    check(&SendSms::new("15555550100"), http, body, nothing_sent, case);
    check(
        &SendCall::new("15555550100"),
        http,
        body,
        nothing_sent,
        case,
    );
    check(&Start::new("15555550100"), http, body, nothing_sent, case);
    check(&GetStatus::new(id), http, body, nothing_sent, case);
    let code_check = CheckCode::new(id, Code::new("12345"));
    check(&code_check, http, body, nothing_sent, case);
    check(&Complete::new(id), http, body, nothing_sent, case);
    let neutral = Check::new(id.into(), Code::new("12345"));
    check(&neutral, http, body, nothing_sent, case);
}

#[test]
fn every_documented_answer_decides_by_its_status_first() {
    let mut cases = 0;
    for status in status_choices() {
        for errors in error_choices() {
            for http in HTTP {
                let case = format!("HTTP {http}, status {status:?}, errors {errors:?}");
                let nothing_sent = proves_nothing_sent(http, status, &errors);
                for_every_operation(http, &body(status, &errors), nothing_sent, &case);
                cases += 1;
            }
        }
    }
    assert!(cases > 5_000, "{cases}");
}

#[test]
fn answers_that_are_not_the_documented_json() {
    let bodies: [&[u8]; 6] = [
        b"",
        b"<html><body>502 Bad Gateway</body></html>",
        b"{}",
        br#"{"reference_id":"0123456789ABCDEF0123456789ABCDEF""#,
        b"[1,2,3]",
        b"null",
    ];
    for body in bodies {
        for http in HTTP.into_iter().chain([204, 502, 504]) {
            // Only a rate limit proves a refusal without the documented
            // body: a proxy's page can hide a send that happened.
            let nothing_sent = http == 429;
            let case = format!("HTTP {http}, body {:?}", String::from_utf8_lossy(body));
            for_every_operation(http, body, nothing_sent, &case);
        }
    }
}

#[test]
fn the_mixed_answers_that_sent_a_code_twice() {
    // An attempted status with a refusal code beside it: TeleSign tried to
    // send, so nothing may be repeated.
    for (http, status, errors) in [(200, 503, -90001), (200, 290, -40007), (429, 290, -40007)] {
        let answer = body(Some(status), &[errors]);
        let response = http::Response::builder()
            .status(http)
            .body(&answer[..])
            .expect("response");
        let err = SendSms::new("15555550100")
            .parse_response(Provider::TeleSign, response)
            .expect_err("a failure");
        assert!(err.message_may_have_been_sent(), "{status}/{errors}: {err}");
        assert!(
            !should_retry(Idempotency::SendsMessage, &AttemptFailure::Response(&err)),
            "{status}/{errors}"
        );
    }
}

#[test]
fn a_bare_429_is_a_refusal_retried_after_its_retry_after() {
    let op = SendSms::new("15555550100");
    let settings = settings();
    for (retry_after, waited) in [
        ("2", Duration::from_secs(2)),
        ("Thu, 01 Jan 2026 00:00:03 GMT", Duration::from_secs(3)),
    ] {
        let execution = Execution::new(&settings, &op).expect("execution");
        let t0 = Instant::now();
        let date = httpdate::parse_http_date("Thu, 01 Jan 2026 00:00:00 GMT").expect("date");
        let (_, _, attempt) = execution.attempt(t0, date, "n1");
        let answer: Result<http::Response<Vec<u8>>, ErrorKind> = Ok(http::Response::builder()
            .status(429)
            .header("retry-after", retry_after)
            .body(b"<html>Too Many Requests</html>".to_vec())
            .expect("response"));
        // A 10 ms backoff ceiling, and the provider asks for seconds: the
        // default policy's 5 s cap allows it, this one's 10 ms does not.
        match attempt.finish(answer, t0, 1.0) {
            Next::Failed(err) | Next::FailOver { error: err, .. } => {
                assert!(!err.message_may_have_been_sent(), "{err}");
                assert_eq!(
                    err.response()
                        .and_then(|e| e.retry_after())
                        .map(|r| r.delay_from(date)),
                    Some(waited)
                );
            }
            other => panic!("a pause longer than the policy allows ends the retries: {other:?}"),
        }
        let roomy = Settings::builder(settings.primary().clone())
            .retry_policy(RetryPolicy::default())
            .build();
        let execution = Execution::new(&roomy, &op).expect("execution");
        let (_, _, attempt) = execution.attempt(t0, date, "n1");
        let answer: Result<http::Response<Vec<u8>>, ErrorKind> = Ok(http::Response::builder()
            .status(429)
            .header("retry-after", retry_after)
            .body(Vec::new())
            .expect("response"));
        match attempt.finish(answer, t0, 0.0) {
            Next::Retry { after, .. } => assert_eq!(after, waited, "{retry_after}"),
            other => panic!("a bare 429 on a send is retried: {other:?}"),
        }
    }
}
