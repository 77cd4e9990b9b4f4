//! Idempotent starts and checks by (purpose, number) through this adapter
//! against the sandbox, with several client instances sharing one ledger
//! (docs/PROTOCOL-DECISIONS.md, "Idempotent starts and pending
//! verifications").

use std::sync::Arc;

use verify_core::ledger::{Ledger, PendingKey};
use verify_sandbox::{Fault, Route, Sandbox, SandboxConfig};
use verify_shield::MemoryLedger;
use verify_ureq::neutral::{Check, CheckOutcome, PendingCheck, Start};
use verify_ureq::{BaseUrl, Client, Code, ErrorKind, dotdigital, telesign};

const TO: &str = "15555550123";

fn telesign(sb: &Sandbox) -> telesign::Config {
    let c = sb.config();
    telesign::Config::new(
        telesign::Credentials::new(c.telesign_customer_id.clone(), c.telesign_api_key.clone())
            .expect("credentials"),
    )
    .with_base_url(BaseUrl::allow_plain_http(&sb.base_url()).expect("url"))
}

fn dotdigital(sb: &Sandbox) -> dotdigital::Config {
    let c = sb.config();
    dotdigital::Config::new(
        dotdigital::Credentials::new(c.dotdigital_username.clone(), c.dotdigital_password.clone())
            .expect("credentials"),
    )
    .with_base_url(BaseUrl::allow_plain_http(&sb.base_url()).expect("url"))
}

/// A client instance of its own (its own pool) over the shared ledger.
fn instance(config: impl Into<verify_ureq::ProviderConfig>, ledger: &Arc<MemoryLedger>) -> Client {
    Client::builder(config).ledger(Arc::clone(ledger)).build()
}

#[test]
fn eight_instances_starting_with_one_key_send_one_message() {
    let sb = Sandbox::spawn(SandboxConfig::deterministic(21)).expect("sandbox");
    let ledger = Arc::new(MemoryLedger::new());
    let clients: Vec<Client> = (0..8).map(|_| instance(telesign(&sb), &ledger)).collect();
    let start = Start::new(TO).idempotency_key("login:42:double-click");
    let results: Vec<_> = std::thread::scope(|s| {
        let threads: Vec<_> = clients
            .iter()
            .map(|c| s.spawn(|| c.start(&start)))
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().expect("a thread"))
            .collect()
    });
    assert_eq!(sb.messages_to(TO).len(), 1, "{results:?}");
    let sent: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert!(!sent.is_empty(), "{results:?}");
    assert!(sent.iter().all(|s| s.id == sent[0].id), "{results:?}");
    assert_eq!(
        sent.iter().filter(|s| !s.replayed).count(),
        1,
        "{results:?}"
    );
    for error in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(matches!(error.kind(), ErrorKind::InProgress), "{error}");
        assert!(!error.message_may_have_been_sent(), "{error}");
    }
    assert_eq!(sent[0].id.as_str(), sb.messages_to(TO)[0].verification_id);
}

#[test]
fn a_start_that_may_have_sent_is_not_sent_again_with_its_key() {
    let sb = Sandbox::spawn(SandboxConfig::deterministic(22)).expect("sandbox");
    let ledger = Arc::new(MemoryLedger::new());
    // TeleSign receives and sends, then the connection drops unanswered.
    sb.inject(Route::TeleSignSms, Fault::CloseAfterProcessing, 1);
    let start = Start::new(TO).idempotency_key("login:42:retry");
    let first = instance(telesign(&sb), &ledger)
        .start(&start)
        .expect_err("no answer");
    assert!(first.message_may_have_been_sent(), "{first}");
    assert_eq!(sb.messages_to(TO).len(), 1);

    // The application retries, from another instance: the same failure,
    // nothing sent.
    let again = instance(telesign(&sb), &ledger)
        .start(&start)
        .expect_err("replayed");
    match again.kind() {
        ErrorKind::Replayed {
            message_may_have_been_sent,
            ..
        } => assert!(*message_may_have_been_sent),
        other => panic!("{other}"),
    }
    assert!(again.message_may_have_been_sent());
    assert_eq!(sb.messages_to(TO).len(), 1);

    // Asked for explicitly, a resend sends.
    let resent = instance(telesign(&sb), &ledger)
        .start(&start.clone().resend())
        .expect("resent");
    assert!(!resent.replayed);
    assert_eq!(sb.messages_to(TO).len(), 2);
}

#[test]
fn a_start_that_timed_out_after_telesign_received_it_is_not_sent_again() {
    let sb = Sandbox::spawn(SandboxConfig::deterministic(27)).expect("sandbox");
    let ledger = Arc::new(MemoryLedger::new());
    // TeleSign takes the request and answers only after the caller's limit.
    sb.inject(
        Route::TeleSignSms,
        Fault::Delay(std::time::Duration::from_millis(1500)),
        1,
    );
    let impatient = |ledger: &Arc<MemoryLedger>| {
        Client::builder(telesign(&sb))
            .timeouts(verify_ureq::Timeouts {
                connect: std::time::Duration::from_millis(300),
                overall: std::time::Duration::from_millis(300),
            })
            .ledger(Arc::clone(ledger))
            .build()
    };
    let start = Start::new(TO).idempotency_key("login:42:timeout");
    let first = impatient(&ledger).start(&start).expect_err("timed out");
    assert!(
        matches!(first.kind(), ErrorKind::Timeout { written: true, .. }),
        "{first}"
    );
    assert!(first.message_may_have_been_sent());
    // The sandbox abandons a request whose caller left before its delay
    // ended, so nothing is in the outbox; the caller cannot know that (a
    // provider that had received it may have sent): the repeat must not send.
    // With the outbox empty, a second send would show as one message.
    let again = impatient(&ledger).start(&start).expect_err("replayed");
    assert!(
        matches!(again.kind(), ErrorKind::Replayed { .. }),
        "{again}"
    );
    assert!(again.message_may_have_been_sent());
    assert!(sb.messages_to(TO).is_empty());
}

#[test]
fn a_start_that_sent_nothing_is_sent_again_with_its_key() {
    let sb = Sandbox::spawn(SandboxConfig::deterministic(23)).expect("sandbox");
    let ledger = Arc::new(MemoryLedger::new());
    // TeleSign's status 500, "transaction not attempted"; no retry, so the
    // call fails with nothing sent.
    sb.inject(Route::TeleSignSms, Fault::TeleSignStatus(500), 1);
    let client = Client::builder(telesign(&sb))
        .retry_policy(verify_ureq::RetryPolicy::none())
        .ledger(Arc::clone(&ledger))
        .build();
    let start = Start::new(TO).idempotency_key("login:42:refused");
    let first = client.start(&start).expect_err("not attempted");
    assert!(!first.message_may_have_been_sent(), "{first}");
    assert!(sb.messages_to(TO).is_empty());
    let second = client.start(&start).expect("sent");
    assert!(!second.replayed);
    assert_eq!(sb.messages_to(TO).len(), 1);
}

#[test]
fn a_key_is_scoped_to_its_number() {
    let sb = Sandbox::spawn(SandboxConfig::deterministic(28)).expect("sandbox");
    let ledger = Arc::new(MemoryLedger::new());
    let client = instance(telesign(&sb), &ledger);
    let first = client
        .start(&Start::new(TO).idempotency_key("login:42"))
        .expect("sent");
    let other = "15555550199";
    let second = client
        .start(&Start::new(other).idempotency_key("login:42"))
        .expect("sent");
    assert!(!second.replayed);
    assert_ne!(first.id, second.id);
    assert_eq!(
        (sb.messages_to(TO).len(), sb.messages_to(other).len()),
        (1, 1)
    );
}

#[test]
fn a_check_by_number_from_another_instance_verifies_once() {
    let sb = Sandbox::spawn(SandboxConfig::deterministic(24)).expect("sandbox");
    let ledger = Arc::new(MemoryLedger::new());
    let starter = instance(telesign(&sb), &ledger);
    let checker = instance(telesign(&sb), &ledger);
    let started = starter
        .start(&Start::new(TO).purpose("login"))
        .expect("started");
    let code = sb.messages_to(TO)[0].code.clone();
    let wrong = if code == "000000" { "111111" } else { "000000" };

    let check =
        |code: &str| checker.check_pending(&PendingCheck::new("login", TO, Code::new(code)));
    assert_eq!(check(wrong).expect("checked"), CheckOutcome::Incorrect);
    let at = PendingKey::new("login", TO);
    let kept = Ledger::pending(&ledger, &at, now())
        .expect("read")
        .expect("kept");
    assert_eq!((kept.id.clone(), kept.wrong_codes), (started.id.clone(), 1));

    assert_eq!(check(&code).expect("checked"), CheckOutcome::Verified);

    // A tripwire at the provider's check: the next check that reaches it
    // fails. The ledger answers the second check without reaching it.
    sb.inject(Route::TeleSignStatus, Fault::TeleSignStatus(500), 1);
    assert_eq!(
        check(&code).expect("checked"),
        CheckOutcome::AlreadyVerified
    );
    let direct = checker.execute(&Check::new(started.id, Code::new(code.clone())));
    assert!(direct.is_err(), "the tripwire was still armed: {direct:?}");

    // Another purpose, or another number, has nothing kept.
    let other = checker.check_pending(&PendingCheck::new("signup", TO, Code::new(code)));
    assert_eq!(other.expect("checked"), CheckOutcome::NotFoundOrAlreadyUsed);
}

#[test]
fn a_dotdigital_resend_issues_a_new_code_and_the_old_one_no_longer_checks() {
    let sb = Sandbox::spawn(SandboxConfig::deterministic(25)).expect("sandbox");
    let ledger = Arc::new(MemoryLedger::new());
    let client = instance(dotdigital(&sb), &ledger);
    let to = "447700900123";
    let first = client
        .start(&Start::new(to).purpose("login"))
        .expect("started");
    assert_eq!(first.replaces, None);
    let resent = client
        .start(&Start::new(to).purpose("login").resend())
        .expect("resent");
    assert_eq!(resent.replaces, Some(first.id.clone()));
    assert_ne!(resent.id, first.id);
    let messages = sb.messages_to(to);
    assert_eq!(messages.len(), 2);
    let kept = Ledger::pending(&ledger, &PendingKey::new("login", to), now())
        .expect("read")
        .expect("kept");
    assert_eq!((kept.id.clone(), kept.resends), (resent.id.clone(), 1));

    let check = |code: &str| client.check_pending(&PendingCheck::new("login", to, Code::new(code)));
    let (old, new) = (messages[0].code.clone(), messages[1].code.clone());
    if old != new {
        assert_eq!(check(&old).expect("checked"), CheckOutcome::Incorrect);
    }
    assert_eq!(check(&new).expect("checked"), CheckOutcome::Verified);
}

#[test]
fn a_start_for_the_ledger_is_refused_without_one_and_through_execute() {
    let sb = Sandbox::spawn(SandboxConfig::deterministic(26)).expect("sandbox");
    let start = Start::new(TO).idempotency_key("k").purpose("login");
    let plain = Client::new(telesign(&sb));
    for error in [
        plain.start(&start).expect_err("no ledger"),
        plain.execute(&start).expect_err("not through start"),
        instance(telesign(&sb), &Arc::new(MemoryLedger::new()))
            .execute(&start)
            .expect_err("not through start"),
    ] {
        assert!(matches!(error.kind(), ErrorKind::Validation(_)), "{error}");
        assert!(!error.message_may_have_been_sent());
        assert!(error.to_string().contains("idempotency_key"), "{error}");
    }
    let bad = Start::new("12").idempotency_key("").purpose("two words");
    let error = instance(telesign(&sb), &Arc::new(MemoryLedger::new()))
        .start(&bad)
        .expect_err("invalid");
    let text = error.to_string();
    for field in ["phone_number", "idempotency_key", "purpose"] {
        assert!(text.contains(field), "{text}");
    }
    // A key never shows in Debug.
    let secretive = Start::new(TO).idempotency_key("login:42:session-SECRET");
    assert!(!format!("{secretive:?}").contains("SECRET"));
    assert!(sb.messages().is_empty());
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
