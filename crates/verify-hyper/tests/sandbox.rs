//! The async adapter against the sandbox over loopback: full flows, every
//! fault mode (each checking the outbox afterwards), timeouts, body limits,
//! failover and secret-free errors and logs.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use verify_core::dotdigital::{self, CodeStatus, SendCode, ValidateCode, ValidateOutcome};
use verify_core::telesign::{self, CodeState, GetStatus, SendSms};
use verify_core::{
    BaseUrl, Code, Idempotency, Operation, Provider, ProviderConfig, ResponseError, Role,
    ValidationError,
};
use verify_hyper::{Client, ErrorKind, RetryPolicy, Timeouts};
use verify_sandbox::{Fault, Route, Sandbox, SandboxConfig};

const PHONE: &str = "15555550100";
const TIMEOUT: Duration = Duration::from_secs(1);

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig::deterministic(7))
        .await
        .expect("sandbox starts")
}

fn base(sb: &Sandbox) -> BaseUrl {
    BaseUrl::allow_plain_http(&sb.base_url()).expect("sandbox URL")
}

fn telesign_config(sb: &Sandbox) -> telesign::Config {
    let c = sb.config();
    let creds =
        telesign::Credentials::new(c.telesign_customer_id.clone(), c.telesign_api_key.clone())
            .expect("sandbox credentials");
    telesign::Config::new(creds).with_base_url(base(sb))
}

fn dotdigital_config(sb: &Sandbox) -> dotdigital::Config {
    let c = sb.config();
    let creds =
        dotdigital::Credentials::new(c.dotdigital_username.clone(), c.dotdigital_password.clone())
            .expect("sandbox credentials");
    dotdigital::Config::new(creds).with_base_url(base(sb))
}

fn fast(builder: verify_hyper::Builder) -> Client {
    builder
        .timeouts(Timeouts {
            connect: TIMEOUT,
            overall: TIMEOUT,
        })
        .retry_policy(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
        })
        .build()
        .expect("client")
}

fn telesign_client(sb: &Sandbox) -> Client {
    fast(Client::builder(telesign_config(sb)))
}

fn code_of(sb: &Sandbox, to: &str) -> String {
    sb.messages_to(to)
        .last()
        .expect("a message in the outbox")
        .code
        .clone()
}

fn wrong(code: &str) -> String {
    code.chars()
        .map(|c| if c == '0' { '1' } else { '0' })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn telesign_send_check_complete() {
    let sb = sandbox().await;
    let client = telesign_client(&sb);
    let sent = client.execute(&SendSms::new(PHONE)).await.expect("send");
    let reference_id = sent.reference_id.clone().expect("reference id");
    assert_eq!(sb.messages_to(PHONE).len(), 1);
    let code = code_of(&sb, PHONE);

    let bad = client
        .execute(&GetStatus::new(reference_id.clone()).verify_code(Code::new(wrong(&code))))
        .await
        .expect("status");
    assert_eq!(bad.code_state(), Some(&CodeState::Invalid));
    let good = client
        .execute(&GetStatus::new(reference_id.clone()).verify_code(Code::new(code)))
        .await
        .expect("status");
    assert_eq!(good.code_state(), Some(&CodeState::Valid));
    client
        .execute(&telesign::Complete::new(reference_id))
        .await
        .expect("completion");
    assert_eq!(sb.messages().len(), 1, "checks send nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dotdigital_send_and_validate() {
    let sb = sandbox().await;
    let client = fast(Client::builder(dotdigital_config(&sb)));
    let sent = client
        .execute(&SendCode::new("447700900123", "Verify"))
        .await
        .expect("send");
    assert_eq!(sb.messages_to("447700900123").len(), 1);
    let code = code_of(&sb, "447700900123");
    let bad = client
        .execute(&ValidateCode::new(
            sent.request_id.clone(),
            Code::new(wrong(&code)),
        ))
        .await
        .expect("validate");
    assert!(
        matches!(bad, ValidateOutcome::Code(ref v) if v.status == CodeStatus::NotVerified),
        "{bad:?}"
    );
    let good = client
        .execute(&ValidateCode::new(sent.request_id.clone(), Code::new(code)))
        .await
        .expect("validate");
    assert!(
        matches!(good, ValidateOutcome::Code(ref v) if v.status == CodeStatus::Verified),
        "{good:?}"
    );
    let again = client
        .execute(&ValidateCode::new(sent.request_id, Code::new("000000")))
        .await
        .expect("validate");
    assert_eq!(again, ValidateOutcome::UnknownOrDiscarded);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_errors_come_before_any_io() {
    let sb = sandbox().await;
    let client = telesign_client(&sb);
    let err = client
        .execute(&SendSms::new("not a number").template("no placeholder"))
        .await
        .expect_err("invalid");
    let ErrorKind::Validation(v) = err.kind() else {
        panic!("{err}")
    };
    assert_eq!(v.fields().collect::<Vec<_>>(), ["phone_number", "template"]);
    assert_eq!(err.attempts(), 0);
    assert!(!err.message_may_have_been_sent());
    assert!(sb.messages().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_attempted_send_is_retried_once_and_sends_one_message() {
    let sb = sandbox().await;
    sb.inject(Route::TeleSignSms, Fault::TeleSignStatus(500), 2);
    telesign_client(&sb)
        .execute(&SendSms::new(PHONE))
        .await
        .expect("third attempt succeeds");
    assert_eq!(sb.messages_to(PHONE).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_attempted_send_gives_up_after_the_budget_with_nothing_sent() {
    let sb = sandbox().await;
    sb.inject(Route::TeleSignSms, Fault::TeleSignStatus(500), 3);
    let err = telesign_client(&sb)
        .execute(&SendSms::new(PHONE))
        .await
        .expect_err("all fail");
    assert_eq!(err.attempts(), 3);
    assert!(!err.message_may_have_been_sent());
    assert!(sb.messages().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn carrier_failure_after_processing_is_not_retried() {
    let sb = sandbox().await;
    sb.inject(Route::TeleSignSms, Fault::TeleSignStatus(503), 1);
    let err = telesign_client(&sb)
        .execute(&SendSms::new(PHONE))
        .await
        .expect_err("503");
    assert_eq!(err.attempts(), 1);
    assert!(err.message_may_have_been_sent());
    assert_eq!(sb.messages_to(PHONE).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authentication_failure_is_not_retried() {
    let sb = sandbox().await;
    sb.inject(Route::TeleSignSms, Fault::TeleSignStatus(501), 1);
    let err = telesign_client(&sb)
        .execute(&SendSms::new(PHONE))
        .await
        .expect_err("501");
    assert_eq!(err.attempts(), 1);
    assert!(!err.message_may_have_been_sent());
    assert!(sb.messages().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_503_is_retried_for_a_status_but_not_for_a_send() {
    let sb = sandbox().await;
    let client = telesign_client(&sb);
    sb.inject(Route::TeleSignSms, Fault::Html503, 1);
    let err = client
        .execute(&SendSms::new(PHONE))
        .await
        .expect_err("html");
    assert_eq!(err.attempts(), 1);
    assert!(
        matches!(
            err.kind(),
            ErrorKind::Response(ResponseError::Unexpected(_))
        ),
        "{err}"
    );
    assert!(sb.messages().is_empty());

    let sent = client.execute(&SendSms::new(PHONE)).await.expect("send");
    sb.inject(Route::TeleSignStatus, Fault::Html503, 2);
    client
        .execute(&GetStatus::new(sent.reference_id.expect("id")))
        .await
        .expect("retried status");
    assert_eq!(sb.messages_to(PHONE).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_before_processing_is_not_retried_for_a_send() {
    let sb = sandbox().await;
    let client = telesign_client(&sb);
    sb.inject(Route::TeleSignSms, Fault::CloseBeforeProcessing, 1);
    let err = client
        .execute(&SendSms::new(PHONE))
        .await
        .expect_err("closed");
    assert!(
        matches!(err.kind(), ErrorKind::Transport { written: true, .. }),
        "{err}"
    );
    assert_eq!(err.attempts(), 1);
    assert!(err.message_may_have_been_sent());
    assert!(sb.messages().is_empty());

    let sent = client.execute(&SendSms::new(PHONE)).await.expect("send");
    sb.inject(Route::TeleSignStatus, Fault::CloseBeforeProcessing, 1);
    client
        .execute(&GetStatus::new(sent.reference_id.expect("id")))
        .await
        .expect("status retried");
    assert_eq!(sb.messages_to(PHONE).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_after_processing_reports_maybe_sent_and_does_not_resend() {
    let sb = sandbox().await;
    sb.inject(Route::TeleSignSms, Fault::CloseAfterProcessing, 1);
    let err = telesign_client(&sb)
        .execute(&SendSms::new(PHONE))
        .await
        .expect_err("closed");
    assert_eq!(err.attempts(), 1);
    assert!(err.message_may_have_been_sent());
    assert_eq!(sb.messages_to(PHONE).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_body_reports_maybe_sent_and_does_not_resend() {
    let sb = sandbox().await;
    sb.inject(Route::TeleSignSms, Fault::TruncateBody, 1);
    let err = telesign_client(&sb)
        .execute(&SendSms::new(PHONE))
        .await
        .expect_err("truncated");
    assert_eq!(err.attempts(), 1);
    assert!(err.message_may_have_been_sent());
    assert_eq!(sb.messages_to(PHONE).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_body_is_never_read_into_memory() {
    let sb = sandbox().await;
    sb.inject(Route::TeleSignSms, Fault::HugeBody(1 << 30), 1);
    let client = fast(Client::builder(telesign_config(&sb)).max_body_bytes(16 * 1024));
    let err = client
        .execute(&SendSms::new(PHONE))
        .await
        .expect_err("too large");
    assert!(
        matches!(err.kind(), ErrorKind::BodyTooLarge { limit: 16384 }),
        "{err}"
    );
    assert!(err.message_may_have_been_sent());
    assert_eq!(sb.messages_to(PHONE).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_server_never_holds_a_call_longer_than_its_timeout() {
    let sb = sandbox().await;
    let delay = Duration::from_secs(3);
    sb.inject(Route::TeleSignSms, Fault::Delay(delay), 1);
    let started = Instant::now();
    let err = telesign_client(&sb)
        .execute(&SendSms::new(PHONE))
        .await
        .expect_err("stalled");
    assert!(
        started.elapsed() < TIMEOUT + Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert!(
        matches!(err.kind(), ErrorKind::Timeout { written: true, .. }),
        "{err}"
    );
    assert_eq!(err.attempts(), 1);
    assert!(err.message_may_have_been_sent());
    // Whether the sandbox still processes a request whose client gave up is
    // its business; the client never sends it twice.
    tokio::time::sleep(delay.saturating_sub(started.elapsed()) + Duration::from_millis(500)).await;
    assert!(sb.messages_to(PHONE).len() <= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_connections_are_retried_and_report_nothing_sent() {
    let sb = sandbox().await;
    let config = telesign_config(&sb);
    sb.shutdown().await;
    let err = fast(Client::builder(config))
        .execute(&SendSms::new(PHONE))
        .await
        .expect_err("refused");
    assert!(
        matches!(err.kind(), ErrorKind::Transport { written: false, .. }),
        "{err}"
    );
    assert_eq!(err.attempts(), 3);
    assert!(!err.message_may_have_been_sent());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_needs_the_base_url_opt_in() {
    assert!(BaseUrl::new("http://127.0.0.1:1").is_err());
    let sb = sandbox().await;
    let mut config = telesign_config(&sb);
    // An https base URL builds an https-only agent; the sandbox speaks plain
    // http, so nothing goes through and nothing is sent.
    config.base_url = BaseUrl::new(&sb.base_url().replace("http://", "https://")).expect("url");
    let err = fast(Client::builder(config))
        .execute(&SendSms::new(PHONE))
        .await
        .expect_err("tls");
    assert!(!err.message_may_have_been_sent(), "{err}");
    assert!(sb.messages().is_empty());
}

/// A provider-neutral send, written here over the public core the way the
/// neutral vocabulary is: it records the role each provider was asked with.
struct AnySend {
    to: &'static str,
    roles: Arc<Mutex<Vec<(Provider, Role)>>>,
}

impl Operation for AnySend {
    type Output = (Provider, String);
    fn name(&self) -> &'static str {
        "test.any_send"
    }
    fn provider(&self) -> Option<Provider> {
        None
    }
    fn idempotency(&self) -> Idempotency {
        Idempotency::SendsMessage
    }
    fn to_request(
        &self,
        config: &ProviderConfig,
        role: Role,
    ) -> Result<http::Request<Vec<u8>>, ValidationError> {
        self.roles
            .lock()
            .expect("lock")
            .push((config.provider(), role));
        match config.provider() {
            Provider::TeleSign => SendSms::new(self.to).to_request(config, role),
            Provider::Dotdigital => SendCode::new(self.to, "Verify").to_request(config, role),
        }
    }
    fn parse_response(
        &self,
        provider: Provider,
        response: http::Response<&[u8]>,
    ) -> Result<Self::Output, ResponseError> {
        Ok(match provider {
            Provider::TeleSign => {
                let r = SendSms::new(self.to).parse_response(provider, response)?;
                (
                    provider,
                    r.reference_id.map(String::from).unwrap_or_default(),
                )
            }
            Provider::Dotdigital => {
                let r = SendCode::new(self.to, "Verify").parse_response(provider, response)?;
                (provider, r.request_id.as_str().to_owned())
            }
        })
    }
}

fn any_send() -> AnySend {
    AnySend {
        to: PHONE,
        roles: Arc::default(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failover_when_the_primary_sent_nothing() {
    let sb = sandbox().await;
    let client = fast(Client::builder(dotdigital_config(&sb)).backup(telesign_config(&sb)));
    sb.inject(Route::DotdigitalSend, Fault::TeleSignStatus(429), 3);
    let op = any_send();
    let (provider, id) = client.execute(&op).await.expect("backup sends");
    assert_eq!(provider, Provider::TeleSign);
    // Built once per attempt: as primary at dotdigital (retried while rate
    // limited), then as backup at TeleSign.
    let mut roles = op.roles.lock().expect("lock").clone();
    roles.dedup();
    assert_eq!(
        roles,
        [
            (Provider::Dotdigital, Role::Primary),
            (Provider::TeleSign, Role::Backup)
        ]
    );
    let messages = sb.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].verification_id, id);

    // The check goes to the provider that holds the id.
    let status = client
        .execute(
            &GetStatus::new(id.parse().expect("reference id"))
                .verify_code(Code::new(messages[0].code.clone())),
        )
        .await
        .expect("status at the backup");
    assert_eq!(status.code_state(), Some(&CodeState::Valid));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_failover_when_the_primary_may_have_sent_unless_opted_in() {
    let sb = sandbox().await;
    sb.inject(Route::TeleSignSms, Fault::CloseAfterProcessing, 1);
    let client = fast(Client::builder(telesign_config(&sb)).backup(dotdigital_config(&sb)));
    let err = client.execute(&any_send()).await.expect_err("maybe sent");
    assert_eq!(err.provider(), Some(Provider::TeleSign));
    assert!(err.primary().is_none());
    assert!(err.message_may_have_been_sent());
    assert_eq!(sb.messages().len(), 1);

    sb.clear_messages();
    sb.inject(Route::TeleSignSms, Fault::CloseAfterProcessing, 1);
    let client = fast(
        Client::builder(telesign_config(&sb))
            .backup(dotdigital_config(&sb))
            .failover_when_maybe_sent(true),
    );
    let (provider, _) = client.execute(&any_send()).await.expect("backup sends");
    assert_eq!(provider, Provider::Dotdigital);
    assert_eq!(
        sb.messages().len(),
        2,
        "opted in: one message from each provider"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_both_fail_the_primary_error_is_kept() {
    let sb = sandbox().await;
    sb.inject(Route::TeleSignSms, Fault::TeleSignStatus(501), 1);
    sb.inject(Route::DotdigitalSend, Fault::TeleSignStatus(401), 1);
    let client = fast(Client::builder(telesign_config(&sb)).backup(dotdigital_config(&sb)));
    let err = client.execute(&any_send()).await.expect_err("both fail");
    assert_eq!(err.provider(), Some(Provider::Dotdigital));
    let primary = err.primary().expect("primary error kept");
    assert_eq!(primary.provider(), Some(Provider::TeleSign));
    assert!(!err.message_may_have_been_sent());
    assert!(err.to_string().contains("primary provider failed"), "{err}");
    assert!(sb.messages().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operation_for_an_unconfigured_provider_is_refused() {
    let sb = sandbox().await;
    let client = fast(Client::builder(dotdigital_config(&sb)));
    let err = client
        .execute(&GetStatus::new(
            "0123456789ABCDEF0123456789ABCDEF".parse().expect("id"),
        ))
        .await
        .expect_err("no TeleSign");
    assert!(
        matches!(err.kind(), ErrorKind::NoProviderFor(Provider::TeleSign)),
        "{err}"
    );
}

/// A buffer that collects everything `tracing` emits on this thread.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    fn capture(&self) -> tracing::subscriber::DefaultGuard {
        let writer = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_default(subscriber)
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("lock")).into_owned()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn errors_and_logs_carry_no_secrets() {
    let sb = sandbox().await;
    let client = telesign_client(&sb);
    let logs = Logs::default();
    let guard = logs.capture();
    let sent = client.execute(&SendSms::new(PHONE)).await.expect("send");
    let id = sent.reference_id.expect("id");
    let code = code_of(&sb, PHONE);
    // A status query is retried (three attempts in the logs); a code check,
    // which carries the code, is not repeated once written.
    sb.inject(Route::TeleSignStatus, Fault::CloseBeforeProcessing, 4);
    let retried = client
        .execute(&GetStatus::new(id.clone()))
        .await
        .expect_err("closed three times");
    assert_eq!(retried.attempts(), 3);
    let err = client
        .execute(&GetStatus::new(id).verify_code(Code::new(code.clone())))
        .await
        .expect_err("closed");
    drop(guard);
    assert_eq!(err.attempts(), 1);
    let logs = logs.text();
    assert!(logs.contains("telesign"), "{logs}");
    assert!(logs.contains("attempt=2"), "{logs}");
    // Requests are described through the redacted view only.
    assert!(logs.contains("verify_code=[redacted]"), "{logs}");
    assert!(logs.contains("authorization: [redacted]"), "{logs}");
    let c = sb.config();
    for text in [
        format!("{err} {err:?}"),
        format!("{retried} {retried:?}"),
        logs,
    ] {
        for secret in [
            &code,
            &c.telesign_api_key,
            &c.dotdigital_password,
            &PHONE.to_owned(),
        ] {
            assert!(
                !text.contains(secret.as_str()),
                "{secret} leaked into {text}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_client_carries_many_calls_at_once() {
    let sb = sandbox().await;
    let client = telesign_client(&sb);
    let calls: Vec<_> = (0..32)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                let to = format!("1555555{i:04}");
                client.execute(&SendSms::new(to.clone())).await.map(|_| to)
            })
        })
        .collect();
    for call in calls {
        let to = call.await.expect("task").expect("send");
        assert_eq!(sb.messages_to(&to).len(), 1);
    }
    assert_eq!(sb.messages().len(), 32);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn neutral_start_fails_over_and_check_follows_the_id() {
    use verify_core::neutral::{Check, CheckOutcome, Start};
    let sb = sandbox().await;
    let client = fast(Client::builder(dotdigital_config(&sb)).backup(telesign_config(&sb)));

    let started = client
        .execute(&Start::new(PHONE))
        .await
        .expect("primary starts");
    assert_eq!(started.id.provider(), Provider::Dotdigital);
    let code = code_of(&sb, PHONE);
    let outcome = client
        .execute(&Check::new(started.id, Code::new(code)))
        .await
        .expect("check");
    assert_eq!(outcome, CheckOutcome::Verified);

    sb.clear_messages();
    sb.inject(Route::DotdigitalSend, Fault::TeleSignStatus(429), 3);
    let started = client
        .execute(&Start::new(PHONE))
        .await
        .expect("backup starts");
    assert_eq!(started.id.provider(), Provider::TeleSign);
    assert_eq!(sb.messages_to(PHONE).len(), 1);
    let code = code_of(&sb, PHONE);
    let wrong_code = client
        .execute(&Check::new(started.id.clone(), Code::new(wrong(&code))))
        .await
        .expect("check");
    assert_eq!(wrong_code, CheckOutcome::Incorrect);
    let right = client
        .execute(&Check::new(started.id, Code::new(code)))
        .await
        .expect("check");
    assert_eq!(right, CheckOutcome::Verified);
    assert_eq!(sb.messages().len(), 1);
}

/// The time limit covers the whole call, retries included: an idempotent
/// call against a server that stalls every attempt still returns in time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_server_never_holds_a_retried_call_longer_than_its_timeout() {
    let sb = sandbox().await;
    let client = telesign_client(&sb);
    let sent = client.execute(&SendSms::new(PHONE)).await.expect("sent");
    let reference_id = sent.reference_id.expect("id");
    sb.inject(
        Route::TeleSignStatus,
        Fault::Delay(Duration::from_secs(3)),
        3,
    );
    let started = Instant::now();
    let err = client
        .execute(&GetStatus::new(reference_id))
        .await
        .expect_err("stalled");
    assert!(
        started.elapsed() < TIMEOUT + Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(err.kind(), ErrorKind::Timeout { .. }), "{err}");
    assert!(
        !err.message_may_have_been_sent(),
        "a status query sends nothing"
    );
    assert_eq!(sb.messages_to(PHONE).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_check_is_not_repeated_once_written_but_a_status_query_is() {
    let sb = sandbox().await;
    let client = telesign_client(&sb);
    let sent = client.execute(&SendSms::new(PHONE)).await.expect("send");
    let reference_id = sent.reference_id.expect("reference id");
    let code = code_of(&sb, PHONE);

    // The server checks the code, then drops the connection: repeating the
    // check would spend another of the end user's attempts.
    sb.inject(Route::TeleSignStatus, Fault::CloseAfterProcessing, 1);
    let err = client
        .execute(&GetStatus::new(reference_id.clone()).verify_code(Code::new(wrong(&code))))
        .await
        .expect_err("closed after processing");
    assert_eq!(err.attempts(), 1);
    assert!(!err.message_may_have_been_sent(), "a check sends nothing");

    // A plain status query is repeated.
    sb.inject(Route::TeleSignStatus, Fault::CloseAfterProcessing, 1);
    client
        .execute(&GetStatus::new(reference_id))
        .await
        .expect("the second attempt answers");
}

/// A server that accepts TCP connections and then never speaks: a TLS
/// handshake with it stalls. Returns its `https://` base URL.
fn silent_tls_server() -> BaseUrl {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let url = format!("https://{}", listener.local_addr().expect("an address"));
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    BaseUrl::new(&url).expect("an https URL")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_tls_handshake_is_a_connect_failure_with_nothing_sent() {
    let config = telesign::Config::new(
        telesign::Credentials::new("CUSTOMER", "VGVzdCBLZXk=").expect("credentials"),
    )
    .with_base_url(silent_tls_server());
    let client = Client::builder(config)
        .timeouts(Timeouts {
            connect: Duration::from_millis(200),
            overall: Duration::from_secs(5),
        })
        .retry_policy(RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(10),
        })
        .build()
        .expect("client");
    let started = Instant::now();
    let err = client
        .execute(&SendSms::new(PHONE))
        .await
        .expect_err("no TLS handshake");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        err.attempts(),
        2,
        "nothing was written, so the send is retried: {err}"
    );
    assert!(!err.message_may_have_been_sent(), "{err}");
}
