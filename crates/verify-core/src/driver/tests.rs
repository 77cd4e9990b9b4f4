use std::cell::Cell;
use std::time::{Duration, Instant, SystemTime};

use super::*;
use crate::dotdigital::{self, RequestId, ValidateCode};
use crate::neutral::Start;
use crate::retry::RetryPolicy;
use crate::telesign::{self, GetStatus, ReferenceId, SendSms};
use crate::{
    BaseUrl, Code, Idempotency, Operation, Provider, ProviderConfig, ResponseError, Role,
    ValidationError,
};

const REF: &str = "0123456789ABCDEF0123456789ABCDEF";

type Outcome = Result<http::Response<Vec<u8>>, ErrorKind>;

fn telesign_config() -> ProviderConfig {
    let creds = telesign::Credentials::new("CUSTOMER", "VGVzdCBLZXk=").unwrap();
    telesign::Config::new(creds).into()
}

fn dotdigital_config() -> ProviderConfig {
    let creds = dotdigital::Credentials::new("user", "password").unwrap();
    dotdigital::Config::new(creds)
        .with_base_url(BaseUrl::allow_plain_http("http://127.0.0.1:9").unwrap())
        .into()
}

fn fast(builder: Builder<Settings>) -> Settings {
    builder
        .retry_policy(RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(100),
        })
        .timeouts(Timeouts {
            connect: Duration::from_secs(1),
            overall: Duration::from_secs(2),
        })
        .build()
}

fn status_body(status: i64, errors: &str) -> Vec<u8> {
    format!(
        r#"{{"reference_id":"{REF}","status":{{"code":{status},"description":"x"}},"errors":[{errors}]}}"#
    )
    .into_bytes()
}

fn response(status: u16, body: Vec<u8>) -> Outcome {
    Ok(http::Response::builder().status(status).body(body).unwrap())
}

fn unavailable() -> Outcome {
    response(
        503,
        status_body(500, r#"{"code":-90001,"description":"x"}"#),
    )
}

fn status_query() -> GetStatus {
    GetStatus::new(REF.parse::<ReferenceId>().unwrap())
}

#[test]
fn every_attempt_is_signed_afresh() {
    let settings = fast(Settings::builder(telesign_config()));
    let op = status_query();
    let execution = Execution::new(&settings, &op).unwrap();
    let t0 = Instant::now();
    let (first, limits, attempt) = execution.attempt(t0, SystemTime::UNIX_EPOCH, "nonce-1");
    assert_eq!(limits.total, Duration::from_secs(2));
    assert_eq!(attempt.info().attempt, 1);
    let Next::Retry {
        after, execution, ..
    } = attempt.finish(unavailable(), t0, 1.0)
    else {
        panic!("a temporary failure of a status query is retried");
    };
    assert_eq!(after, Duration::from_millis(10));
    let later = SystemTime::UNIX_EPOCH + Duration::from_secs(1);
    let (second, _, attempt) = execution.attempt(t0 + after, later, "nonce-2");
    for name in ["authorization", "date", "x-ts-nonce"] {
        assert_ne!(first.headers()[name], second.headers()[name], "{name}");
    }
    assert_eq!(attempt.info().attempt, 2);
    let ok = response(200, status_body(200, ""));
    assert!(matches!(attempt.finish(ok, t0, 0.0), Next::Done(_)));
}

/// A status query that counts its builds and can be built only
/// `buildable` times.
struct Counted {
    inner: GetStatus,
    builds: Cell<u32>,
    buildable: u32,
}

impl Operation for Counted {
    type Output = <GetStatus as Operation>::Output;
    fn name(&self) -> &'static str {
        "counted"
    }
    fn provider(&self) -> Option<Provider> {
        self.inner.provider()
    }
    fn idempotency(&self) -> Idempotency {
        self.inner.idempotency()
    }
    fn to_request(
        &self,
        config: &ProviderConfig,
        role: Role,
    ) -> Result<http::Request<Vec<u8>>, ValidationError> {
        self.builds.set(self.builds.get() + 1);
        if self.builds.get() > self.buildable {
            return Err(ValidationError::single("x", "changed its mind"));
        }
        self.inner.to_request(config, role)
    }
    fn parse_response(
        &self,
        provider: Provider,
        response: http::Response<&[u8]>,
    ) -> Result<Self::Output, ResponseError> {
        self.inner.parse_response(provider, response)
    }
}

#[test]
fn the_request_is_built_again_only_for_a_retry() {
    let settings = fast(Settings::builder(telesign_config()));
    let op = Counted {
        inner: status_query(),
        builds: Cell::new(0),
        buildable: u32::MAX,
    };
    let execution = Execution::new(&settings, &op).unwrap();
    let t0 = Instant::now();
    let (_, _, attempt) = execution.attempt(t0, SystemTime::UNIX_EPOCH, "n1");
    assert_eq!(op.builds.get(), 1, "the first attempt uses the first build");
    let Next::Retry { execution, .. } = attempt.finish(unavailable(), t0, 0.0) else {
        panic!("retried");
    };
    let (again, _, attempt) = execution.attempt(t0, SystemTime::UNIX_EPOCH, "n2");
    assert_eq!(op.builds.get(), 2);
    assert_eq!(again.headers()["x-ts-nonce"], "n2");
    let ok = response(200, status_body(200, ""));
    assert!(matches!(attempt.finish(ok, t0, 0.0), Next::Done(_)));

    // An operation that cannot be built again ends the call with the
    // attempt's own failure, not a retry.
    let fickle = Counted { buildable: 1, ..op };
    fickle.builds.set(0);
    let execution = Execution::new(&settings, &fickle).unwrap();
    let (_, _, attempt) = execution.attempt(t0, SystemTime::UNIX_EPOCH, "n1");
    let Next::Failed(err) = attempt.finish(unavailable(), t0, 0.0) else {
        panic!("no retry without a request");
    };
    assert!(matches!(err.kind(), ErrorKind::Response(_)), "{err}");
    assert_eq!(err.attempts(), 1);
}

#[test]
fn every_target_is_validated_before_anything_is_sent() {
    // dotdigital generates its own codes: a neutral start with the caller's
    // code is refused before the first attempt, even though the primary
    // would take it, and whether or not failover could happen later.
    for maybe_sent in [false, true] {
        let settings = Settings::builder(telesign_config())
            .backup(dotdigital_config())
            .failover_when_maybe_sent(maybe_sent)
            .build();
        let start = Start::new("15555550100").code(Code::new("123456"));
        let err = Execution::new(&settings, &start).unwrap_err();
        let ErrorKind::Validation(v) = err.kind() else {
            panic!("a validation error: {err}");
        };
        assert_eq!(
            v.errors()
                .iter()
                .map(|f| (f.field, f.provider))
                .collect::<Vec<_>>(),
            [("code", Some(Provider::Dotdigital))]
        );
        assert!(err.to_string().contains("code (for dotdigital)"), "{err}");
        assert_eq!(err.provider(), Some(Provider::Dotdigital));
        assert_eq!(err.attempts(), 0);
        assert!(!err.message_may_have_been_sent());
    }

    // Every offending field of every target, once; a rule both break is
    // named without a provider.
    let settings = Settings::builder(telesign_config())
        .backup(dotdigital_config())
        .build();
    let start = Start::new("0155").code(Code::new("1"));
    let err = Execution::new(&settings, &start).unwrap_err();
    let ErrorKind::Validation(v) = err.kind() else {
        panic!("a validation error: {err}");
    };
    let fields: Vec<_> = v.errors().iter().map(|f| (f.field, f.provider)).collect();
    assert!(fields.contains(&("phone_number", None)), "{fields:?}");
    assert!(
        fields.contains(&("code", Some(Provider::TeleSign))),
        "{fields:?}"
    );
    assert!(
        fields.contains(&("code", Some(Provider::Dotdigital))),
        "{fields:?}"
    );
    assert_eq!(err.provider(), None);

    // An operation for one provider is checked for that provider only.
    let sms = SendSms::new("15555550100").verify_code(Code::new("12345"));
    assert!(Execution::new(&settings, &sms).is_ok());
}

#[test]
fn a_backup_that_cannot_sign_is_refused_before_anything_is_sent() {
    let bad_key = telesign::Config::new(telesign::Credentials::new("C", "not base64!").unwrap());
    let settings = Settings::builder(dotdigital_config())
        .backup(bad_key)
        .build();
    let err = Execution::new(&settings, &Start::new("15555550100")).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Config(_)), "{err}");
    assert_eq!(err.provider(), Some(Provider::TeleSign));
}

#[test]
fn a_transport_is_never_told_to_read_more_than_the_parsers_take() {
    let settings = Settings::builder(telesign_config())
        .max_body_bytes(u64::MAX)
        .build();
    assert_eq!(settings.max_body_bytes(), crate::MAX_BODY_BYTES as u64);
    let op = status_query();
    let (_, limits, _) = Execution::new(&settings, &op).unwrap().attempt(
        Instant::now(),
        SystemTime::UNIX_EPOCH,
        "n",
    );
    assert_eq!(limits.max_body_bytes, crate::MAX_BODY_BYTES as u64);
    let small = Settings::builder(telesign_config())
        .max_body_bytes(10)
        .build();
    let (_, limits, _) =
        Execution::new(&small, &op)
            .unwrap()
            .attempt(Instant::now(), SystemTime::UNIX_EPOCH, "n");
    assert_eq!(limits.max_body_bytes, 10);
}

#[test]
fn no_retry_once_the_call_is_out_of_time() {
    let settings = fast(Settings::builder(telesign_config()));
    let op = status_query();
    let execution = Execution::new(&settings, &op).unwrap();
    let t0 = Instant::now();
    let (_, limits, attempt) = execution.attempt(t0, SystemTime::UNIX_EPOCH, "n");
    let timeout: Outcome = Err(ErrorKind::Timeout {
        written: true,
        after: limits.total,
    });
    let Next::Failed(err) = attempt.finish(timeout, t0 + limits.total, 0.0) else {
        panic!("no time is left for another attempt");
    };
    assert_eq!(err.attempts(), 1);
    assert!(
        !err.message_may_have_been_sent(),
        "a status query sends nothing"
    );
}

#[test]
fn a_send_that_may_have_gone_out_is_never_retried_nor_failed_over() {
    let settings = fast(Settings::builder(telesign_config()).backup(dotdigital_config()));
    let op = SendSms::new("15555550100");
    let execution = Execution::new(&settings, &op).unwrap();
    let t0 = Instant::now();
    let (_, _, attempt) = execution.attempt(t0, SystemTime::UNIX_EPOCH, "n");
    let reset: Outcome = Err(ErrorKind::transport(true, "connection reset"));
    let Next::Failed(err) = attempt.finish(reset, t0, 0.0) else {
        panic!("a written send is not retried");
    };
    assert!(err.message_may_have_been_sent());
}

#[test]
fn operations_go_to_their_provider_and_neutral_sends_fail_over() {
    let only_telesign = Settings::builder(telesign_config()).build();
    let validate = ValidateCode::new(
        "0bd57dc3-580c-4c1d-8aee-2ff79bd8633c"
            .parse::<RequestId>()
            .unwrap(),
        Code::new("123456"),
    );
    let err = Execution::new(&only_telesign, &validate).unwrap_err();
    assert!(matches!(
        err.kind(),
        ErrorKind::NoProviderFor(Provider::Dotdigital)
    ));
    assert_eq!(err.attempts(), 0);

    let both = fast(Settings::builder(telesign_config()).backup(dotdigital_config()));
    assert!(both.allows_plain_http());
    let start = Start::new("15555550100");
    let mut execution = Execution::new(&both, &start).unwrap();
    assert_eq!(execution.provider(), Provider::TeleSign);
    let t0 = Instant::now();
    let error = loop {
        let (_, _, attempt) = execution.attempt(t0, SystemTime::UNIX_EPOCH, "n");
        let refused: Outcome = Err(ErrorKind::transport(false, "connection refused"));
        execution = match attempt.finish(refused, t0, 0.0) {
            Next::Retry { execution, .. } => execution,
            Next::FailOver { execution, error } => {
                assert_eq!(execution.provider(), Provider::Dotdigital);
                assert_eq!(execution.attempts(), 0);
                break (execution, error);
            }
            other => panic!("nothing was sent: retry, then fail over: {other:?}"),
        };
    };
    let (backup, primary_error) = error;
    assert_eq!(primary_error.attempts(), 5);
    let (_, _, attempt) = backup.attempt(t0, SystemTime::UNIX_EPOCH, "n");
    let reset: Outcome = Err(ErrorKind::transport(true, "reset"));
    let Next::Failed(err) = attempt.finish(reset, t0, 0.0) else {
        panic!("the backup's failure ends the call");
    };
    assert_eq!(
        err.primary().and_then(Error::provider),
        Some(Provider::TeleSign)
    );
    assert!(err.message_may_have_been_sent());
}

#[test]
fn default_timeouts_fit_the_providers() {
    assert_eq!(
        Timeouts::for_provider(Provider::TeleSign).overall,
        Duration::from_secs(10)
    );
    assert!(Timeouts::for_provider(Provider::Dotdigital).overall >= Duration::from_secs(130));
}

/// A guard that refuses every send and remembers what it was asked.
#[derive(Debug, Default)]
struct Refusing {
    asked: std::sync::Mutex<Vec<(String, Vec<String>, u32)>>,
}

impl crate::guard::Guard for Refusing {
    fn before_send(
        &self,
        _now: SystemTime,
        send: &crate::guard::SendFacts<'_>,
    ) -> Result<(), crate::guard::Blocked> {
        self.asked.lock().unwrap().push((
            send.phone_number.to_owned(),
            send.client_keys.to_vec(),
            send.segments,
        ));
        Err(crate::guard::Blocked {
            rule: crate::guard::Rule::NumberBlock,
            retry_after: Some(Duration::from_secs(60)),
        })
    }
    fn before_check(&self, _: SystemTime, _: &str) -> Result<(), crate::guard::Blocked> {
        Ok(())
    }
    fn after_check(&self, _: SystemTime, _: &str, _: crate::guard::CodeOutcome) {}
}

/// A transport that counts what it sends and answers every request with success.
#[derive(Debug, Default)]
struct NeverSends {
    sent: Cell<u32>,
}

impl Runtime for NeverSends {
    fn now(&self) -> Instant {
        Instant::now()
    }
    fn date(&self) -> SystemTime {
        SystemTime::UNIX_EPOCH
    }
    fn random(&self) -> [u8; 16] {
        [7; 16]
    }
}

impl Transport for NeverSends {
    type Body = Vec<u8>;
    fn send(&self, _: http::Request<Vec<u8>>, _: Limits, _: &AttemptInfo) -> Outcome {
        self.sent.set(self.sent.get() + 1);
        response(200, status_body(200, ""))
    }
    fn sleep(&self, _: Duration) {}
}

#[test]
fn the_guard_decides_after_validation_and_before_any_io() {
    let guard = std::sync::Arc::new(Refusing::default());
    let settings = Settings::builder(telesign_config())
        .blocking_guard(guard.clone())
        .build();
    let client = Client::new(settings, NeverSends::default());

    // Invalid input is refused first: the guard is not asked, nothing counts.
    let err = client.execute(&Start::new("0155")).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Validation(_)), "{err}");
    assert!(guard.asked.lock().unwrap().is_empty());

    let start = Start::new("447400123456")
        .template("Your code is {code}")
        .client_key("ip:192.0.2.1")
        .client_key("user:7");
    let err = client.execute(&start).unwrap_err();
    assert_eq!(
        err.blocked(),
        Some(&crate::guard::Blocked {
            rule: crate::guard::Rule::NumberBlock,
            retry_after: Some(Duration::from_secs(60)),
        })
    );
    assert!(!err.message_may_have_been_sent());
    assert_eq!(err.attempts(), 0);
    assert_eq!(client.transport().sent.get(), 0);
    assert_eq!(
        *guard.asked.lock().unwrap(),
        [(
            "447400123456".to_owned(),
            vec!["ip:192.0.2.1".to_owned(), "user:7".to_owned()],
            1
        )]
    );
    // An operation that sends nothing is not asked about.
    client.execute(&status_query()).unwrap();
    assert_eq!(guard.asked.lock().unwrap().len(), 1);
    assert_eq!(client.transport().sent.get(), 1);
}

/// A guard that takes `delay` to allow a send (a slow store), or never
/// answers an async client when `delay` is `None`.
#[derive(Debug)]
struct Slow {
    delay: Option<Duration>,
}

impl crate::guard::Guard for Slow {
    fn before_send(
        &self,
        _: SystemTime,
        _: &crate::guard::SendFacts<'_>,
    ) -> Result<(), crate::guard::Blocked> {
        std::thread::sleep(self.delay.unwrap_or(Duration::from_millis(50)));
        Ok(())
    }
    fn before_check(&self, _: SystemTime, _: &str) -> Result<(), crate::guard::Blocked> {
        Ok(())
    }
    fn after_check(&self, _: SystemTime, _: &str, _: crate::guard::CodeOutcome) {}
}

impl crate::guard::AsyncGuard for Slow {
    fn before_send<'a>(
        &'a self,
        _: SystemTime,
        _: &'a crate::guard::SendFacts<'a>,
    ) -> crate::guard::GuardFuture<'a, Result<(), crate::guard::Blocked>> {
        Box::pin(std::future::pending())
    }
    fn before_check<'a>(
        &'a self,
        _: SystemTime,
        _: &'a str,
    ) -> crate::guard::GuardFuture<'a, Result<(), crate::guard::Blocked>> {
        Box::pin(std::future::ready(Ok(())))
    }
    fn after_check<'a>(
        &'a self,
        _: SystemTime,
        _: &'a str,
        _: crate::guard::CodeOutcome,
    ) -> crate::guard::GuardFuture<'a, ()> {
        Box::pin(std::future::ready(()))
    }
}

/// An async transport that counts what it sends; its timer ends at once.
#[derive(Debug, Default)]
struct AsyncCounting {
    sent: std::sync::atomic::AtomicU32,
}

impl Runtime for AsyncCounting {
    fn now(&self) -> Instant {
        Instant::now()
    }
    fn date(&self) -> SystemTime {
        SystemTime::UNIX_EPOCH
    }
    fn random(&self) -> [u8; 16] {
        [7; 16]
    }
}

impl AsyncTransport for AsyncCounting {
    type Body = Vec<u8>;
    fn send(
        &self,
        _: http::Request<Vec<u8>>,
        _: Limits,
        _: &AttemptInfo,
    ) -> impl std::future::Future<Output = Outcome> + Send {
        self.sent.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        std::future::ready(response(200, status_body(200, "")))
    }
    fn sleep(&self, _: Duration) -> impl std::future::Future<Output = ()> + Send {
        std::future::ready(())
    }
}

#[test]
fn a_guard_slower_than_the_call_s_limit_ends_it_with_nothing_sent() {
    let limits = Timeouts {
        connect: Duration::from_millis(5),
        overall: Duration::from_millis(10),
    };
    // Blocking: the store's own timeout bounds the wait; past the call's
    // limit, the send is abandoned, nothing written.
    let settings = Settings::builder(telesign_config())
        .blocking_guard(std::sync::Arc::new(Slow {
            delay: Some(Duration::from_millis(40)),
        }))
        .timeouts(limits)
        .build();
    let client = Client::new(settings, NeverSends::default());
    let err = client.execute(&Start::new("447400123456")).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Timeout { written: false, .. }),
        "{err}"
    );
    assert!(!err.message_may_have_been_sent());
    assert_eq!(client.transport().sent.get(), 0);

    // Async: a guard that never answers is abandoned when the limit runs out.
    let settings = Settings::builder(telesign_config())
        .async_guard(std::sync::Arc::new(Slow { delay: None }))
        .timeouts(limits)
        .build();
    let client = AsyncClient::new(settings, AsyncCounting::default());
    let start = Start::new("447400123456");
    let mut call = std::pin::pin!(client.execute(&start));
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let std::task::Poll::Ready(result) = call.as_mut().poll(&mut cx) else {
        panic!("the call waits on a guard that never answers")
    };
    let err = result.unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Timeout { written: false, .. }),
        "{err}"
    );
    assert!(!err.message_may_have_been_sent());
    assert_eq!(
        client
            .transport()
            .sent
            .load(std::sync::atomic::Ordering::SeqCst),
        0
    );
}
