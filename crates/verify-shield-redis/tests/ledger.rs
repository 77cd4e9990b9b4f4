//! The Redis ledger against a real `redis-server` started here: the shared
//! ledger suite (the one the in-memory ledger passes), every key with a
//! TTL, the password kept out of errors, and client instances of both
//! adapters sharing it against the sandbox. Without `redis-server` each
//! test says so and skips, except under `CI=true`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use verify_core::ledger::{AsyncLedger, Claim, Ledger, Pending, PendingKey};
use verify_sandbox::{Fault, Route, Sandbox, SandboxConfig};
use verify_shield::ledger_suite::{SystemClock, run};
use verify_shield_redis::{RedisLedger, RedisServer};

/// One server for the whole file; each test keeps to its own key prefix.
fn server() -> Option<&'static RedisServer> {
    static SERVER: OnceLock<Option<RedisServer>> = OnceLock::new();
    SERVER.get_or_init(RedisServer::start).as_ref()
}

fn fresh_prefix() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!("ledger{}:", NEXT.fetch_add(1, Ordering::Relaxed))
}

fn ledger(server: &RedisServer) -> RedisLedger {
    RedisLedger::open(&server.url())
        .expect("a Redis URL")
        .with_prefix(fresh_prefix())
}

fn raw(server: &RedisServer) -> redis::Connection {
    redis::Client::open(server.url())
        .expect("a Redis URL")
        .get_connection()
        .expect("a connection")
}

#[test]
fn the_redis_ledger_passes_the_shared_suite() {
    let Some(server) = server() else { return };
    run(|| ledger(server), &SystemClock);
}

#[test]
fn every_key_written_carries_a_ttl() {
    let Some(server) = server() else { return };
    let l = ledger(server);
    let prefix = l.prefix().to_owned();
    let long = Duration::from_secs(600);
    let at = PendingKey::new("login", "15555550100");
    let id = "telesign:0123456789ABCDEF0123456789ABCDEF"
        .parse()
        .expect("an id");
    let p = Pending::new(id, 0, 1);
    assert_eq!(Ledger::claim(&l, "a", long, 0, false), Ok(Claim::Claimed));
    Ledger::put_pending(&l, &at, &p, long, 0).expect("kept");
    let mut closed = p.clone();
    closed.wrong_codes = 1;
    assert_eq!(
        Ledger::replace_pending(&l, &at, &p, &closed, long, 0),
        Ok(true)
    );
    let mut con = raw(server);
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query(&mut con)
        .expect("keys");
    assert_eq!(keys.len(), 2, "{keys:?}");
    for key in keys {
        let ttl: i64 = redis::cmd("PTTL").arg(&key).query(&mut con).expect("pttl");
        assert!(ttl > 0 && ttl <= 600_000, "{key}: {ttl}");
    }
}

#[test]
fn unreachable_redis_is_an_error_and_never_shows_the_password() {
    let port = std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    // The listener is dropped: nothing answers on the port.
    let l = RedisLedger::open(&format!("redis://:hunter2secret@127.0.0.1:{port}/0"))
        .expect("a Redis URL")
        .with_timeout(Duration::from_millis(200));
    let error = Ledger::claim(&l, "k", Duration::from_secs(1), 0, false).expect_err("down");
    for text in [
        error.to_string(),
        format!("{error:?}"),
        format!("{l:?}"),
        l.to_string(),
    ] {
        assert!(!text.contains("hunter2secret"), "{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_tasks_claim_one_key_once() {
    let Some(server) = server() else { return };
    let l = Arc::new(ledger(server));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let l = Arc::clone(&l);
            tokio::spawn(async move {
                AsyncLedger::claim(&*l, "race", Duration::from_secs(60), 0, false).await
            })
        })
        .collect();
    let mut claimed = 0;
    for task in tasks {
        match task.await.expect("a task").expect("answered") {
            Claim::Claimed => claimed += 1,
            Claim::InFlight => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(claimed, 1);
}

const TO: &str = "15555550123";

fn telesign(sb: &Sandbox) -> verify_ureq::telesign::Config {
    use verify_ureq::{BaseUrl, telesign};
    let c = sb.config();
    telesign::Config::new(
        telesign::Credentials::new(c.telesign_customer_id.clone(), c.telesign_api_key.clone())
            .expect("credentials"),
    )
    .with_base_url(BaseUrl::allow_plain_http(&sb.base_url()).expect("url"))
}

/// A client instance of its own, with a Redis connection of its own, as
/// another process would have.
fn instance(sb: &Sandbox, server: &RedisServer, prefix: &str) -> verify_ureq::Client {
    let ledger = RedisLedger::open(&server.url())
        .expect("a Redis URL")
        .with_prefix(prefix);
    verify_ureq::Client::builder(telesign(sb))
        .ledger(ledger)
        .build()
}

#[test]
fn eight_instances_on_one_redis_send_one_message() {
    use verify_ureq::ErrorKind;
    use verify_ureq::neutral::Start;
    let Some(server) = server() else { return };
    let sb = Sandbox::spawn(SandboxConfig::deterministic(41)).expect("sandbox");
    let prefix = fresh_prefix();
    let clients: Vec<_> = (0..8).map(|_| instance(&sb, server, &prefix)).collect();
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
    for error in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(matches!(error.kind(), ErrorKind::InProgress), "{error}");
    }
}

#[test]
fn a_start_that_may_have_sent_is_not_repeated_by_another_instance() {
    use verify_ureq::neutral::Start;
    let Some(server) = server() else { return };
    let sb = Sandbox::spawn(SandboxConfig::deterministic(42)).expect("sandbox");
    let prefix = fresh_prefix();
    sb.inject(Route::TeleSignSms, Fault::CloseAfterProcessing, 1);
    let start = Start::new(TO).idempotency_key("login:42:retry");
    let first = instance(&sb, server, &prefix)
        .start(&start)
        .expect_err("no answer");
    assert!(first.message_may_have_been_sent());
    let again = instance(&sb, server, &prefix)
        .start(&start)
        .expect_err("replayed");
    assert!(again.message_may_have_been_sent(), "{again}");
    assert_eq!(sb.messages_to(TO).len(), 1);
}

#[test]
fn a_check_by_number_on_another_instance_verifies_once() {
    use verify_ureq::Code;
    use verify_ureq::neutral::{Check, CheckOutcome, PendingCheck, Start};
    let Some(server) = server() else { return };
    let sb = Sandbox::spawn(SandboxConfig::deterministic(43)).expect("sandbox");
    let prefix = fresh_prefix();
    let started = instance(&sb, server, &prefix)
        .start(&Start::new(TO).purpose("login"))
        .expect("started");
    let code = sb.messages_to(TO)[0].code.clone();
    let checker = instance(&sb, server, &prefix);
    let check = PendingCheck::new("login", TO, Code::new(code.clone()));
    assert_eq!(
        checker.check_pending(&check).expect("checked"),
        CheckOutcome::Verified
    );
    sb.inject(Route::TeleSignStatus, Fault::TeleSignStatus(500), 1);
    assert_eq!(
        instance(&sb, server, &prefix)
            .check_pending(&check)
            .expect("checked"),
        CheckOutcome::AlreadyVerified
    );
    let direct = checker.execute(&Check::new(started.id, Code::new(code)));
    assert!(direct.is_err(), "the tripwire was still armed: {direct:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_async_instances_on_one_redis_send_one_message() {
    use verify_hyper::neutral::Start;
    let Some(server) = server() else { return };
    let sb = Sandbox::start(SandboxConfig::deterministic(44))
        .await
        .expect("sandbox");
    let prefix = fresh_prefix();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let ledger = RedisLedger::open(&server.url())
                .expect("a Redis URL")
                .with_prefix(prefix.clone());
            let client = verify_hyper::Client::builder(telesign(&sb))
                .ledger(ledger)
                .build()
                .expect("a client");
            tokio::spawn(async move {
                client
                    .start(&Start::new(TO).idempotency_key("login:42:double-click"))
                    .await
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
}
