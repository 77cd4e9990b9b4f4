//! No setting can panic the driver: random time limits, retry policies and
//! body limits, from zero to `Duration::MAX`, with random outcomes, clock
//! readings and jitter, drive whole calls (every attempt, every wait, the
//! failover) to their end.

use std::time::{Duration, Instant, SystemTime};

use proptest::prelude::*;
use verify_core::driver::{ErrorKind, Execution, Next, Settings, Timeouts};
use verify_core::neutral::Start;
use verify_core::retry::RetryPolicy;
use verify_core::telesign::{self, GetStatus};
use verify_core::{BaseUrl, Operation, dotdigital};

fn duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        Just(Duration::ZERO),
        Just(Duration::MAX),
        Just(Duration::from_nanos(1)),
        Just(Duration::from_secs(u64::MAX)),
        (0u64..10_000).prop_map(Duration::from_millis),
        (any::<u64>(), 0u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n)),
    ]
}

fn policy() -> impl Strategy<Value = RetryPolicy> {
    (
        prop_oneof![Just(0u32), Just(1), Just(u32::MAX), 0u32..10],
        duration(),
        duration(),
    )
        .prop_map(|(max_attempts, base_delay, max_delay)| RetryPolicy {
            max_attempts,
            base_delay,
            max_delay,
        })
}

/// How an attempt ends.
#[derive(Clone, Debug)]
enum Outcome {
    NotWritten,
    Written,
    Timeout(bool),
    BodyTooLarge,
    Answer(u16, &'static str, Option<&'static str>),
}

fn outcome() -> impl Strategy<Value = Outcome> {
    let bodies = prop_oneof![
        Just(r#"{"status":{"code":500,"description":"x"},"errors":[{"code":-90001}]}"#),
        Just(r#"{"status":{"code":500,"description":"x"},"errors":[{"code":-40007}]}"#),
        Just(
            r#"{"reference_id":"0123456789ABCDEF0123456789ABCDEF","status":{"code":290,"description":"x"}}"#
        ),
        Just(
            r#"{"reference_id":"0123456789ABCDEF0123456789ABCDEF","status":{"code":503,"description":"x"}}"#
        ),
        Just("<html>busy</html>"),
        Just(""),
    ];
    let retry_after = prop_oneof![
        Just(None),
        Just(Some("0")),
        Just(Some("1")),
        Just(Some("18446744073709551615")),
        Just(Some("Fri, 31 Dec 9999 23:59:59 GMT")),
        Just(Some("Thu, 01 Jan 1970 00:00:00 GMT")),
        Just(Some("garbage")),
    ];
    prop_oneof![
        Just(Outcome::NotWritten),
        Just(Outcome::Written),
        any::<bool>().prop_map(Outcome::Timeout),
        Just(Outcome::BodyTooLarge),
        (
            prop_oneof![Just(200u16), Just(429), Just(503), Just(500)],
            bodies,
            retry_after
        )
            .prop_map(|(s, b, r)| Outcome::Answer(s, b, r)),
    ]
}

fn to_kind(o: &Outcome) -> Result<http::Response<Vec<u8>>, ErrorKind> {
    match o {
        Outcome::NotWritten => Err(ErrorKind::transport(false, "refused")),
        Outcome::Written => Err(ErrorKind::transport(true, "reset")),
        Outcome::Timeout(written) => Err(ErrorKind::Timeout {
            written: *written,
            after: Duration::MAX,
        }),
        Outcome::BodyTooLarge => Err(ErrorKind::BodyTooLarge { limit: u64::MAX }),
        Outcome::Answer(status, body, retry_after) => {
            let mut b = http::Response::builder().status(*status);
            if let Some(r) = retry_after {
                b = b.header("retry-after", *r);
            }
            Ok(b.body(body.as_bytes().to_vec()).expect("response"))
        }
    }
}

fn settings(
    timeouts: Option<Timeouts>,
    policy: RetryPolicy,
    body: u64,
    failover: bool,
) -> Settings {
    let telesign = telesign::Config::new(
        telesign::Credentials::new("CUSTOMER", "VGVzdCBLZXk=").expect("credentials"),
    );
    let dotdigital = dotdigital::Config::new(
        dotdigital::Credentials::new("user", "password").expect("credentials"),
    )
    .with_base_url(BaseUrl::allow_plain_http("http://127.0.0.1:9").expect("url"));
    let mut b = Settings::builder(telesign)
        .backup(dotdigital)
        .retry_policy(policy)
        .max_body_bytes(body)
        .failover_when_maybe_sent(failover);
    if let Some(t) = timeouts {
        b = b.timeouts(t);
    }
    b.build()
}

/// Runs `op` to its end; at most `steps` attempts in all.
fn drive<O: Operation>(
    settings: &Settings,
    op: &O,
    outcomes: &[Outcome],
    jitters: &[f64],
    clock_steps: &[Duration],
) {
    let Ok(mut execution) = Execution::new(settings, op) else {
        return;
    };
    let mut now = Instant::now();
    let mut wall = SystemTime::UNIX_EPOCH;
    let mut i = 0usize;
    loop {
        let (_request, limits, attempt) = execution.attempt(now, wall, "nonce");
        assert!(limits.total <= verify_core::driver::LONGEST_LIMIT);
        assert!(limits.connect <= limits.total);
        let step = clock_steps[i % clock_steps.len()];
        now = now.checked_add(step).unwrap_or(now);
        wall = wall.checked_add(step).unwrap_or(wall);
        let outcome = to_kind(&outcomes[i % outcomes.len()]);
        let jitter = jitters[i % jitters.len()];
        i += 1;
        execution = match attempt.finish(outcome, now, jitter) {
            Next::Done(_) => return,
            Next::Retry {
                after, execution, ..
            } => {
                assert!(after <= verify_core::driver::LONGEST_LIMIT);
                if i > 40 {
                    return; // long enough: the point is not to panic
                }
                now = now.checked_add(after).unwrap_or(now);
                execution
            }
            Next::FailOver { execution, error } => {
                let _ = (error.to_string(), format!("{error:?}"));
                execution
            }
            Next::Failed(error) => {
                let _ = (
                    error.to_string(),
                    format!("{error:?}"),
                    error.message_may_have_been_sent(),
                );
                return;
            }
        };
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_setting_panics_a_call(
        timeouts in proptest::option::of((duration(), duration())
            .prop_map(|(connect, overall)| Timeouts { connect, overall })),
        policy in policy(),
        body in prop_oneof![Just(0u64), Just(u64::MAX), any::<u64>()],
        failover in any::<bool>(),
        outcomes in proptest::collection::vec(outcome(), 1..6),
        jitters in proptest::collection::vec(
            prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(-1.0), Just(f64::MAX), 0.0f64..=1.0],
            1..4,
        ),
        clock_steps in proptest::collection::vec(duration(), 1..4),
    ) {
        let settings = settings(timeouts, policy, body, failover);
        let _ = settings.timeouts_for(verify_core::Provider::TeleSign);
        drive(&settings, &Start::new("15555550100"), &outcomes, &jitters, &clock_steps);
        let id = "0123456789ABCDEF0123456789ABCDEF".parse().expect("id");
        drive(&settings, &GetStatus::new(id), &outcomes, &jitters, &clock_steps);
    }
}

#[test]
fn the_extremes_named_in_the_settings_docs() {
    for overall in [Duration::MAX, Duration::ZERO] {
        let timeouts = Some(Timeouts {
            connect: Duration::MAX,
            overall,
        });
        let policy = RetryPolicy {
            max_attempts: u32::MAX,
            base_delay: Duration::MAX,
            max_delay: Duration::MAX,
        };
        let s = settings(timeouts, policy, u64::MAX, true);
        drive(
            &s,
            &Start::new("15555550100"),
            &[Outcome::NotWritten],
            &[1.0],
            &[Duration::MAX],
        );
    }
}
