//! The abuse shield and the ledger across processes: many `verify`
//! processes at once, sharing one throwaway redis-server (skipped without
//! one, except under CI=true) and one deterministic sandbox.

mod common;

use std::net::TcpListener;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;
use verify_sandbox::{Fault, Route, Sandbox, SandboxConfig};
use verify_shield_redis::RedisServer;

/// A sandbox of its own for each test (they run in parallel).
fn sandbox_seeded(seed: u64) -> Sandbox {
    Sandbox::spawn(SandboxConfig::deterministic(seed)).expect("sandbox starts")
}

/// `verify` with `args` and the sandbox's TeleSign credentials, started
/// without waiting.
fn spawn(sb: &Sandbox, args: &[&str]) -> Child {
    let base = sb.base_url();
    let mut command = Command::new(env!("CARGO_BIN_EXE_verify"));
    command.args(args).args(telesign_args(sb, &base));
    for name in ENV {
        command.env_remove(name);
    }
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the verify binary runs")
}

/// Every child's output, in order.
fn outputs(children: Vec<Child>) -> Vec<Output> {
    children
        .into_iter()
        .map(|c| c.wait_with_output().expect("verify ends"))
        .collect()
}

/// `verify` with `args` and the sandbox's credentials, to its end.
fn verify_at(sb: &Sandbox, args: &[&str]) -> Output {
    outputs(vec![spawn(sb, args)]).remove(0)
}

fn show(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        stdout(o),
        stderr(o)
    )
}

/// Asserts `o` is a refusal by `rule` in `--json`: exit 3, nothing sent.
fn assert_refused(o: &Output, rule: &str) -> Value {
    assert_eq!(o.status.code(), Some(3), "{}", show(o));
    let v = json(o);
    assert_eq!(v["ok"], false, "{v:#}");
    assert_eq!(v["error"]["kind"], "blocked", "{v:#}");
    assert_eq!(v["error"]["rule"], rule, "{v:#}");
    assert_eq!(v["error"]["message_may_have_been_sent"], false, "{v:#}");
    v
}

#[test]
fn twelve_guarded_starts_at_once_for_one_number_send_one_message() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let sb = sandbox_seeded(31);
    let url = redis.url();
    let to = "447400123456";
    let args = ["start", "--to", to, "--guard", "--store", &url, "--json"];
    let children: Vec<Child> = (0..12).map(|_| spawn(&sb, &args)).collect();
    let outputs = outputs(children);
    assert_eq!(sb.messages_to(to).len(), 1);
    let sent: Vec<&Output> = outputs.iter().filter(|o| o.status.success()).collect();
    assert_eq!(
        sent.len(),
        1,
        "{:#?}",
        outputs.iter().map(show).collect::<Vec<_>>()
    );
    assert_eq!(json(sent[0])["replayed"], false);
    assert!(!stderr(sent[0]).contains("warning"), "{}", show(sent[0]));
    for o in outputs.iter().filter(|o| !o.status.success()) {
        let v = assert_refused(o, "number_cooldown");
        assert!(v["error"]["retry_after_ms"].as_u64().is_some(), "{v:#}");
    }
}

#[test]
fn a_shield_counting_in_memory_says_its_limits_cannot_bind_across_runs() {
    let sb = sandbox_seeded(38);
    for args in [
        &["start", "--to", "447400123001", "--guard"][..],
        &["telesign", "send", "--to", "447400123002", "--guard"][..],
        &["telesign", "voice", "--to", "447400123003", "--guard"][..],
    ] {
        let o = verify_at(&sb, args);
        assert_eq!(o.status.code(), Some(0), "{}", show(&o));
        assert!(stderr(&o).contains("--store redis://"), "{}", show(&o));
    }
}

#[test]
fn a_premium_rate_number_is_refused_before_the_provider() {
    let sb = sandbox_seeded(32);
    let premium = "449098790000";
    assert_refused(
        &verify_at(&sb, &["start", "--to", premium, "--guard", "--json"]),
        "number_type",
    );
    assert_refused(
        &verify_at(
            &sb,
            &["telesign", "send", "--to", premium, "--guard", "--json"],
        ),
        "number_type",
    );
    let o = verify_at(&sb, &["start", "--to", premium, "--guard"]);
    assert_eq!(o.status.code(), Some(3), "{}", show(&o));
    assert!(
        stderr(&o).contains("refused by the guard (number_type): nothing was sent"),
        "{}",
        show(&o)
    );
    assert!(sb.messages().is_empty());
}

#[test]
fn fifty_sends_to_fifty_numbers_of_one_block_send_ten() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let sb = sandbox_seeded(33);
    let url = redis.url();
    let numbers: Vec<String> = (0..50).map(|i| format!("447400555{i:03}")).collect();
    let children: Vec<Child> = numbers
        .iter()
        .map(|to| {
            spawn(
                &sb,
                &["start", "--to", to, "--guard", "--store", &url, "--json"],
            )
        })
        .collect();
    let outputs = outputs(children);
    assert_eq!(sb.messages().len(), 10);
    let refused: Vec<&Output> = outputs.iter().filter(|o| !o.status.success()).collect();
    assert_eq!(refused.len(), 40);
    for o in refused {
        assert_refused(o, "number_block");
    }
}

#[test]
fn eight_starts_with_one_idempotency_key_send_one_message() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let sb = sandbox_seeded(34);
    let url = redis.url();
    let to = "15555550123";
    let args = [
        "start",
        "--to",
        to,
        "--idempotency-key",
        "login:42:double-click",
        "--store",
        &url,
        "--json",
    ];
    let outputs = outputs((0..8).map(|_| spawn(&sb, &args)).collect());
    assert_eq!(sb.messages_to(to).len(), 1);
    let id = &sb.messages_to(to)[0].verification_id;
    let mut fresh = 0;
    for o in &outputs {
        let v = json(o);
        if o.status.success() {
            assert_eq!(
                v["id"].as_str().map(str::to_ascii_uppercase),
                Some(format!("TELESIGN:{}", id.to_ascii_uppercase())),
                "{v:#}"
            );
            fresh += usize::from(v["replayed"] == false);
        } else {
            // Still in flight past this call's time limit: typed, nothing sent.
            assert_eq!(o.status.code(), Some(1), "{}", show(o));
            assert_eq!(v["error"]["kind"], "in_progress", "{v:#}");
            assert_eq!(v["error"]["message_may_have_been_sent"], false, "{v:#}");
        }
    }
    assert_eq!(
        fresh,
        1,
        "{:#?}",
        outputs.iter().map(show).collect::<Vec<_>>()
    );
}

#[test]
fn a_start_that_may_have_sent_is_not_sent_again_with_its_key() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let sb = sandbox_seeded(35);
    let url = redis.url();
    let to = "15555550124";
    // TeleSign takes the request and sends, then the answer never comes.
    sb.inject(Route::TeleSignSms, Fault::CloseAfterProcessing, 1);
    let args = [
        "start",
        "--to",
        to,
        "--idempotency-key",
        "login:42:lost-answer",
        "--store",
        &url,
        "--json",
    ];
    let first = verify_at(&sb, &args);
    assert_eq!(first.status.code(), Some(1), "{}", show(&first));
    assert_eq!(json(&first)["error"]["message_may_have_been_sent"], true);
    assert_eq!(sb.messages_to(to).len(), 1);

    let again = verify_at(&sb, &args);
    assert_eq!(again.status.code(), Some(1), "{}", show(&again));
    let v = json(&again);
    assert_eq!(v["error"]["kind"], "replayed", "{v:#}");
    assert_eq!(v["error"]["message_may_have_been_sent"], true, "{v:#}");
    assert_eq!(sb.messages_to(to).len(), 1, "no second message");

    // Asked for, a resend sends.
    let mut resend = args.to_vec();
    resend.push("--resend");
    let resent = verify_at(&sb, &resend);
    assert!(resent.status.success(), "{}", show(&resent));
    assert_eq!(sb.messages_to(to).len(), 2);
}

#[test]
fn a_check_by_number_verifies_a_code_another_process_started_once() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let sb = sandbox_seeded(36);
    let url = redis.url();
    let to = "15555550125";
    let started = verify_at(
        &sb,
        &[
            "start",
            "--to",
            to,
            "--purpose",
            "login",
            "--store",
            &url,
            "--json",
        ],
    );
    assert!(started.status.success(), "{}", show(&started));
    let id = json(&started)["id"].as_str().expect("an id").to_owned();
    let code = sb.messages_to(to)[0].code.clone();
    let check = |code: &str, guard: bool| {
        let mut args = vec![
            "check",
            "--to",
            to,
            "--purpose",
            "login",
            "--code",
            code,
            "--store",
            &url,
            "--json",
        ];
        if guard {
            args.push("--guard");
        }
        let o = verify_at(&sb, &args);
        assert!(o.status.success(), "{}", show(&o));
        json(&o)["outcome"].as_str().expect("an outcome").to_owned()
    };
    assert_eq!(check(&wrong(&code), true), "Incorrect");
    assert_eq!(check(&code, true), "Verified");

    // A tripwire at the provider's check: the next check that reaches it
    // fails. The store answers the second check without reaching it.
    sb.inject(Route::TeleSignStatus, Fault::TeleSignStatus(500), 1);
    assert_eq!(check(&code, false), "AlreadyVerified");
    let direct = verify_at(&sb, &["check", "--id", &id, "--code", &code, "--json"]);
    assert_eq!(
        direct.status.code(),
        Some(1),
        "the tripwire was still armed: {}",
        show(&direct)
    );
    assert_eq!(sb.messages_to(to).len(), 1);
}

#[test]
fn an_unreachable_redis_refuses_quickly_and_its_password_never_shows() {
    let sb = sandbox_seeded(37);
    // Port 1: privileged, so no server of another test can take it; refused.
    let url = "redis://:hunter2-secret@127.0.0.1:1/0";
    for extra in [
        &["--guard"][..],
        &["--idempotency-key", "k1"][..],
        &["--guard", "--idempotency-key", "k2"][..],
        &["--purpose", "login"][..],
    ] {
        for json_mode in [true, false] {
            let mut args = vec!["start", "--to", "447400123999", "--store", url];
            args.extend_from_slice(extra);
            if json_mode {
                args.push("--json");
            }
            let began = Instant::now();
            let o = verify_at(&sb, &args);
            assert!(began.elapsed() < Duration::from_secs(5), "{}", show(&o));
            assert!(!show(&o).contains("hunter2"), "{}", show(&o));
            if json_mode {
                assert_refused(&o, "store_unavailable");
            } else {
                assert_eq!(o.status.code(), Some(3), "{}", show(&o));
                assert!(stderr(&o).contains("store_unavailable"), "{}", show(&o));
            }
        }
    }
    // A Redis that accepts connections and never answers: bounded by the
    // store's time limit (1 s per connection and per command), well within
    // the call's own (10 s at TeleSign).
    let silent = TcpListener::bind("127.0.0.1:0").expect("a port");
    let url = format!(
        "redis://:hunter2-secret@{}/0",
        silent.local_addr().expect("its address")
    );
    let began = Instant::now();
    let o = verify_at(
        &sb,
        &[
            "start",
            "--to",
            "447400123999",
            "--guard",
            "--store",
            &url,
            "--json",
        ],
    );
    assert!(began.elapsed() < Duration::from_secs(9), "{}", show(&o));
    assert_refused(&o, "store_unavailable");
    assert!(!show(&o).contains("hunter2"), "{}", show(&o));

    // A value that is no Redis URL is invalid input, never echoed.
    let o = verify_at(
        &sb,
        &[
            "start",
            "--to",
            "447400123999",
            "--guard",
            "--store",
            "redis://:hunter2-secret@[::1",
            "--json",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(names(&json_problems(&o), "--store"), "{}", show(&o));
    assert!(!show(&o).contains("hunter2"), "{}", show(&o));
    assert!(sb.messages().is_empty());
}

#[test]
fn a_redis_password_never_shows_when_everything_works() {
    let Some(redis) = RedisServer::start_with_password("hunter2-secret") else {
        return;
    };
    let sb = sandbox_seeded(38);
    let url = redis.url();
    assert!(url.contains("hunter2-secret"));
    for json_mode in [true, false] {
        let mut args = vec![
            "start",
            "--to",
            "447400124000",
            "--guard",
            "--store",
            &url,
            "--idempotency-key",
            "k",
            "--verbose",
        ];
        if json_mode {
            args.push("--json");
        }
        let o = verify_at(&sb, &args);
        assert!(o.status.success(), "{}", show(&o));
        assert!(!show(&o).contains("hunter2"), "{}", show(&o));
    }
    assert_eq!(sb.messages().len(), 1, "the second start was a replay");
}

#[test]
fn unused_and_broken_shield_flags_are_named_together() {
    let dir = std::env::temp_dir().join(format!("verify-cli-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a directory");
    let rules = dir.join("rules.toml");
    std::fs::write(&rules, "[number_block]\nmaxx = 3\n").expect("written");
    let o = verify(&[
        "start",
        "--to",
        "447400123456",
        "--client-key",
        "ip:192.0.2.1",
        "--idempotency-ttl",
        "10 fortnights",
        "--resend",
        "--customer-id",
        "ID",
        "--api-key",
        "c2VjcmV0",
        "--base-url",
        "http://127.0.0.1:9",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    let problems = json_problems(&o);
    for flag in ["--client-key", "--idempotency-ttl", "--resend"] {
        assert!(names(&problems, flag), "{flag}: {problems:#?}");
    }
    let o = verify(&[
        "telesign",
        "send",
        "--to",
        "447400123456",
        "--guard-rules",
        rules.to_str().expect("a UTF-8 path"),
        "--customer-id",
        "ID",
        "--api-key",
        "c2VjcmV0",
        "--base-url",
        "http://127.0.0.1:9",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    let problems = json_problems(&o);
    assert!(names(&problems, "--guard-rules"), "{problems:#?}");
    assert!(problems.iter().any(|p| p.contains("maxx")), "{problems:#?}");
    let _ = std::fs::remove_dir_all(&dir);
}
