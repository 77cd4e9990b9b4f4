//! Idempotent starts and checks by (purpose, number) through the async
//! adapter against the sandbox, with client instances sharing one ledger
//! (docs/PROTOCOL-DECISIONS.md, "Idempotent starts and pending
//! verifications").

use std::sync::Arc;

use verify_hyper::neutral::{CheckOutcome, PendingCheck, Start};
use verify_hyper::{BaseUrl, Client, Code, ErrorKind, telesign};
use verify_sandbox::{Fault, Route, Sandbox, SandboxConfig};
use verify_shield::MemoryLedger;

const TO: &str = "15555550123";

fn instance(sb: &Sandbox, ledger: &Arc<MemoryLedger>) -> Client {
    let c = sb.config();
    let credentials =
        telesign::Credentials::new(c.telesign_customer_id.clone(), c.telesign_api_key.clone())
            .expect("the sandbox's credentials");
    let url = BaseUrl::allow_plain_http(&sb.base_url()).expect("the sandbox URL");
    Client::builder(telesign::Config::new(credentials).with_base_url(url))
        .ledger(Arc::clone(ledger))
        .build()
        .expect("a client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_tasks_starting_with_one_key_send_one_message() {
    let sb = Sandbox::start(SandboxConfig::deterministic(31))
        .await
        .expect("the sandbox starts");
    let ledger = Arc::new(MemoryLedger::new());
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let client = instance(&sb, &ledger);
            tokio::spawn(async move {
                let start = Start::new(TO).idempotency_key("login:42:double-click");
                client.start(&start).await
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("a task"));
    }
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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_by_number_from_another_task_verifies_once() {
    let sb = Sandbox::start(SandboxConfig::deterministic(32))
        .await
        .expect("the sandbox starts");
    let ledger = Arc::new(MemoryLedger::new());
    let started = instance(&sb, &ledger)
        .start(&Start::new(TO).purpose("login"))
        .await
        .expect("started");
    let code = sb.messages_to(TO)[0].code.clone();
    let checker = instance(&sb, &ledger);
    let check = PendingCheck::new("login", TO, Code::new(code.clone()));
    assert_eq!(
        checker.check_pending(&check).await.expect("checked"),
        CheckOutcome::Verified
    );
    // A tripwire at the provider's check: only a check that reaches it fails.
    sb.inject(Route::TeleSignStatus, Fault::TeleSignStatus(500), 1);
    assert_eq!(
        checker.check_pending(&check).await.expect("checked"),
        CheckOutcome::AlreadyVerified
    );
    let direct = verify_hyper::neutral::Check::new(started.id, Code::new(code));
    assert!(
        checker.execute(&direct).await.is_err(),
        "the tripwire was still armed"
    );
}
