//! The Redis store against a real `redis-server` started here (never one it
//! did not start). Without `redis-server` each test says so and skips,
//! except under `CI=true`.

use std::net::{Ipv4Addr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use proptest::prelude::*;
use verify_core::guard::Rule;
use verify_shield::{
    AsyncStore, Breaker, Limit, MemoryStore, Millis, Mode, Plan, Spend, Store, Verdict,
};
use verify_shield_redis::{Clock, OnUnavailable, RedisServer, RedisStore};

/// One server for the whole file; each test keeps to its own key prefix.
fn server() -> Option<&'static RedisServer> {
    static SERVER: OnceLock<Option<RedisServer>> = OnceLock::new();
    SERVER.get_or_init(RedisServer::start).as_ref()
}

fn fresh_prefix() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!("t{}:", NEXT.fetch_add(1, Ordering::Relaxed))
}

fn store(server: &RedisServer, clock: Clock) -> RedisStore {
    RedisStore::open(&server.url())
        .unwrap()
        .with_prefix(fresh_prefix())
        .with_clock(clock)
        .with_on_unavailable(OnUnavailable::FailClosed)
}

fn raw(server: &RedisServer) -> redis::Connection {
    redis::Client::open(server.url())
        .unwrap()
        .get_connection()
        .unwrap()
}

fn cooldown(key: &str) -> Limit {
    Limit {
        rule: Rule::NumberCooldown,
        key: key.into(),
        window_ms: 30_000,
        max: 1,
        mode: Mode::Enforce,
        consume: true,
    }
}

// ---- (a) the same decisions as the in-memory store -------------------------

#[derive(Clone, Debug)]
enum Step {
    Send {
        number: u8,
        keys: Vec<u8>,
        cost: u64,
        monitor: u16,
    },
    Check {
        number: u8,
        monitor: bool,
    },
    Wrong {
        number: u8,
    },
    Verified {
        number: u8,
    },
}

const STEPS_MS: [u64; 12] = [
    0, 0, 1, 7, 29, 31, 100, 601, 1_000, 3_601, 5_000, 90_000_000,
];

fn step() -> impl Strategy<Value = (usize, Step)> {
    let number = 0u8..6;
    let send = (
        number.clone(),
        proptest::collection::vec(0u8..3, 0..3),
        1u64..5,
        any::<u16>(),
    )
        .prop_map(|(number, keys, cost, monitor)| Step::Send {
            number,
            keys,
            cost,
            monitor: monitor & 0x3ff & if monitor & 0x8000 == 0 { 0 } else { 0xffff },
        });
    let step = prop_oneof![
        6 => send,
        1 => (number.clone(), any::<bool>()).prop_map(|(number, monitor)| Step::Check { number, monitor }),
        2 => number.clone().prop_map(|number| Step::Wrong { number }),
        2 => number.prop_map(|number| Step::Verified { number }),
    ];
    (0..STEPS_MS.len(), step)
}

fn mode(monitor: u16, bit: u16) -> Mode {
    if monitor & (1 << bit) != 0 {
        Mode::Monitor
    } else {
        Mode::Enforce
    }
}

fn limit(rule: Rule, key: String, window_ms: u64, max: u32, mode: Mode) -> Limit {
    Limit {
        rule,
        key,
        window_ms,
        max,
        mode,
        consume: true,
    }
}

fn breaker(rule: Rule, key: String, mode: Mode) -> Breaker {
    Breaker {
        rule,
        key,
        window_ms: 3_600,
        min_sends: 3,
        min_verified_permille: 500,
        cool_off_ms: 5_000,
        probe_ms: 1_000,
        mode,
    }
}

/// Numbers 0..6 in two blocks and two countries.
fn breakers(number: u8, monitor: u16) -> Vec<Breaker> {
    vec![
        breaker(
            Rule::ConversionCountry,
            format!("cc:{}", number % 2),
            mode(monitor, 8),
        ),
        breaker(
            Rule::ConversionBlock,
            format!("cb:{}", number / 3),
            mode(monitor, 9),
        ),
    ]
}

fn wrong_codes(number: u8, mode: Mode) -> Limit {
    let mut l = limit(Rule::WrongCodes, format!("w:{number}"), 3_600, 3, mode);
    l.consume = false;
    l
}

fn send_plan(now: Millis, number: u8, keys: &[u8], cost: u64, monitor: u16) -> Plan {
    let mut limits = vec![
        limit(
            Rule::NumberCooldown,
            format!("nc:{number}"),
            30,
            1,
            mode(monitor, 0),
        ),
        limit(
            Rule::NumberShortWindow,
            format!("ns:{number}"),
            600,
            3,
            mode(monitor, 1),
        ),
        limit(
            Rule::NumberLongWindow,
            format!("nl:{number}"),
            3_600,
            5,
            mode(monitor, 2),
        ),
        limit(
            Rule::NumberBlock,
            format!("b:{}", number / 3),
            3_600,
            4,
            mode(monitor, 3),
        ),
    ];
    for k in keys {
        limits.push(limit(
            Rule::ClientKey,
            format!("k:{k}"),
            3_600,
            2,
            mode(monitor, 4),
        ));
    }
    Plan {
        now,
        limits,
        spends: vec![Spend {
            rule: Rule::GlobalSpend,
            key: "gs".into(),
            window_ms: 1_000,
            max: 10,
            cost,
            mode: mode(monitor, 5),
        }],
        breakers: breakers(number, monitor),
    }
}

fn run<S: Store>(store: &S, steps: &[(usize, Step)]) -> Vec<Option<Verdict>> {
    let mut now: Millis = 1_700_000_000_000;
    let mut out = Vec::new();
    for (dt, step) in steps {
        now += STEPS_MS[*dt];
        out.push(match step {
            Step::Send {
                number,
                keys,
                cost,
                monitor,
            } => Some(
                store
                    .decide(&send_plan(now, *number, keys, *cost, *monitor))
                    .unwrap(),
            ),
            Step::Check { number, monitor } => {
                let m = if *monitor {
                    Mode::Monitor
                } else {
                    Mode::Enforce
                };
                let plan = Plan {
                    now,
                    limits: vec![wrong_codes(*number, m)],
                    ..Plan::default()
                };
                Some(store.decide(&plan).unwrap())
            }
            Step::Wrong { number } => {
                store
                    .record(now, &wrong_codes(*number, Mode::Enforce))
                    .unwrap();
                None
            }
            Step::Verified { number } => {
                store.verified(now, &breakers(*number, 0)).unwrap();
                None
            }
        });
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn redis_and_memory_decide_alike(steps in proptest::collection::vec(step(), 1..80)) {
        let Some(server) = server() else { return Ok(()) };
        let memory = run(&MemoryStore::new(), &steps);
        let redis = run(&store(server, Clock::Plan), &steps);
        prop_assert_eq!(memory, redis);
    }
}

// Long windows holding many entries: the stores keep running totals
// instead of walking a window, so their sums, counts and retries are
// checked here over logs of hundreds of entries, with the clock going back
// now and then (Clock::Plan: an entry written before later ones).

/// `(dt index, cost, client key, monitor bits)`.
type Burst = (usize, u64, u8, u8);

const BURST_DT_MS: [i64; 6] = [0, 1, 2, 9, -4, 1_500];

fn burst_plan(now: Millis, cost: u64, key: u8, monitor: u8) -> Plan {
    let m = |bit: u8| {
        if monitor & (1 << bit) != 0 {
            Mode::Monitor
        } else {
            Mode::Enforce
        }
    };
    Plan {
        now,
        limits: vec![
            limit(Rule::NumberBlock, "b:long".into(), 60_000, 150, m(0)),
            limit(
                Rule::ClientKey,
                format!("k:{}", key % 3),
                3_600_000,
                90,
                m(1),
            ),
        ],
        spends: vec![
            Spend {
                rule: Rule::GlobalSpend,
                key: "gs:long".into(),
                window_ms: 20_000,
                max: 700,
                cost,
                mode: m(2),
            },
            Spend {
                rule: Rule::GlobalSpend,
                key: "gs:day".into(),
                window_ms: 86_400_000,
                max: 2_500,
                cost,
                mode: m(3),
            },
        ],
        breakers: vec![Breaker {
            window_ms: 30_000,
            min_sends: 400,
            ..breaker(Rule::ConversionCountry, "cc:long".into(), m(4))
        }],
    }
}

fn run_burst<S: Store>(store: &S, steps: &[Burst]) -> Vec<Verdict> {
    let mut now: Millis = 1_700_000_000_000;
    steps
        .iter()
        .map(|&(dt, cost, key, monitor)| {
            now = now.checked_add_signed(BURST_DT_MS[dt]).unwrap();
            store.decide(&burst_plan(now, cost, key, monitor)).unwrap()
        })
        .collect()
}

fn burst() -> impl Strategy<Value = Burst> {
    (
        prop_oneof![6 => 0usize..4, 1 => Just(4usize), 1 => Just(5usize)],
        prop_oneof![8 => 0u64..6, 1 => 6u64..800],
        any::<u8>(),
        // Mostly enforced; now and then every check monitored, so that
        // refusing checks are consumed too and logs grow past their limits.
        prop_oneof![6 => Just(0u8), 1 => any::<u8>(), 1 => Just(0x1f)],
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn redis_and_memory_decide_alike_over_long_windows_of_many_entries(
        steps in proptest::collection::vec(burst(), 300..1_500),
    ) {
        let Some(server) = server() else { return Ok(()) };
        let memory = run_burst(&MemoryStore::new(), &steps);
        let redis = run_burst(&store(server, Clock::Plan), &steps);
        prop_assert_eq!(memory, redis);
    }
}

#[test]
fn a_full_spend_window_of_thousands_of_entries_decides_alike_and_retries() {
    // 4,000 sends a millisecond apart into one window: the spend fills,
    // refuses with a retry found deep in the window, and frees up as the
    // oldest entries leave it.
    let Some(server) = server() else { return };
    let steps: Vec<Burst> = (0..4_000u64)
        .map(|i| (1, 1 + i % 3, 0, if i % 2 == 0 { 0x1f } else { 0 }))
        .collect();
    let memory = run_burst(&MemoryStore::new(), &steps);
    let redis = run_burst(&store(server, Clock::Plan), &steps);
    assert_eq!(memory, redis);
    let spend_retries: Vec<u64> = memory
        .iter()
        .flat_map(|v| v.denied.iter().chain(&v.monitored))
        .filter(|d| d.key == "gs:long")
        .filter_map(|d| d.retry_after_ms)
        .collect();
    assert!(spend_retries.len() > 100, "{}", spend_retries.len());
    assert!(
        spend_retries.iter().any(|&r| r > 10_000),
        "{spend_retries:?}"
    );
}

#[test]
fn a_plan_naming_a_key_twice_decides_alike() {
    // Each check reads before any is consumed; a key written twice by one
    // plan is read again by the Redis script before each write.
    let Some(server) = server() else { return };
    let steps: Vec<Burst> = (0..600u64)
        .map(|i| {
            (
                [0, 1, 4, 2][(i % 4) as usize],
                1 + i % 7,
                0,
                [0, 0, 0x1f][(i % 3) as usize],
            )
        })
        .collect();
    let twice = |store: &dyn Store| -> Vec<Verdict> {
        let mut now: Millis = 1_700_000_000_000;
        steps
            .iter()
            .map(|&(dt, cost, key, monitor)| {
                now = now.checked_add_signed(BURST_DT_MS[dt]).unwrap();
                let mut plan = burst_plan(now, cost, key, monitor);
                // Allowed plans add two entries: at n = 40 this one allows
                // and the log must be trimmed to 41 after both writes.
                let mut l = plan.limits[0].clone();
                l.max = 41;
                plan.limits.push(l);
                plan.spends.push(plan.spends[0].clone());
                plan.breakers.push(plan.breakers[0].clone());
                store.decide(&plan).unwrap()
            })
            .collect()
    };
    let memory = twice(&MemoryStore::new());
    let redis = twice(&store(server, Clock::Plan));
    assert_eq!(memory, redis);
}

#[test]
fn the_property_sequences_do_reach_every_rule() {
    // The generator above is only worth its cases if denials of every kind
    // happen: one long deterministic sequence shows they do, in both stores.
    let Some(server) = server() else { return };
    let mut steps = Vec::new();
    for i in 0..320u32 {
        let number = ((i / 16) % 6) as u8;
        let pos = i % 16;
        let s = match pos {
            0..=3 => Step::Wrong { number },
            4 => Step::Check {
                number,
                monitor: false,
            },
            14 if (i / 16) % 2 == 0 => Step::Verified { number },
            _ => Step::Send {
                number,
                keys: vec![(i % 3) as u8],
                cost: u64::from(1 + i % 4),
                monitor: if pos >= 10 { 0x3ff } else { 0 },
            },
        };
        // 31 ms between sends (past the cooldown), but none before the
        // second send of a number (inside it).
        let dt = if pos == 6 { 0 } else { 5 };
        steps.push((dt, s));
    }
    let memory = run(&MemoryStore::new(), &steps);
    let redis = run(&store(server, Clock::Plan), &steps);
    assert_eq!(memory, redis);
    let rules: std::collections::HashSet<Rule> = memory
        .iter()
        .flatten()
        .flat_map(|v| v.denied.iter().chain(&v.monitored))
        .map(|d| d.rule)
        .collect();
    for rule in [
        Rule::NumberCooldown,
        Rule::NumberShortWindow,
        Rule::NumberBlock,
        Rule::ClientKey,
        Rule::GlobalSpend,
        Rule::ConversionCountry,
        Rule::WrongCodes,
    ] {
        assert!(rules.contains(&rule), "{rule} never refused: {rules:?}");
    }
}

// ---- (b) one number, twelve at once -----------------------------------------

#[test]
fn twelve_threads_deciding_one_number_allow_exactly_one() {
    let Some(server) = server() else { return };
    let store = Arc::new(store(server, Clock::Server));
    let allowed = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..12 {
            scope.spawn(|| {
                let plan = Plan {
                    now: 0,
                    limits: vec![cooldown("nc:15555550100")],
                    ..Plan::default()
                };
                if Store::decide(&*store, &plan).unwrap().allowed() {
                    allowed.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    assert_eq!(allowed.load(Ordering::Relaxed), 1);
}

#[test]
fn twelve_tasks_deciding_one_number_allow_exactly_one() {
    let Some(server) = server() else { return };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let store = Arc::new(store(server, Clock::Server));
    let allowed = rt.block_on(async {
        let mut tasks = Vec::new();
        for _ in 0..12 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let plan = Plan {
                    now: 0,
                    limits: vec![cooldown("nc:15555550100")],
                    ..Plan::default()
                };
                AsyncStore::decide(&*store, &plan).await.unwrap().allowed()
            }));
        }
        let mut allowed = 0;
        for t in tasks {
            allowed += usize::from(t.await.unwrap());
        }
        allowed
    });
    assert_eq!(allowed, 1);
}

// ---- (c) every key carries a TTL ----------------------------------------------

#[test]
fn every_key_written_carries_a_ttl() {
    let Some(server) = server() else { return };
    let store = store(server, Clock::Server);
    let mut plan = send_plan(0, 1, &[0, 1], 2, 0);
    for _ in 0..4 {
        Store::decide(&store, &plan).unwrap();
        plan.limits.retain(|l| l.rule != Rule::NumberCooldown);
    }
    Store::record(&store, 0, &wrong_codes(1, Mode::Enforce)).unwrap();
    Store::verified(&store, 0, &breakers(1, 0)).unwrap();
    let mut con = raw(server);
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{}*", store.prefix()))
        .query(&mut con)
        .unwrap();
    // nc, ns, nl, b, k:0, k:1, gs, w, seq, and each breaker's sends, verified, state.
    assert_eq!(keys.len(), 15, "{keys:?}");
    for key in keys {
        let ttl: i64 = redis::cmd("PTTL").arg(&key).query(&mut con).unwrap();
        assert!(ttl > 0, "{key} has no TTL ({ttl})");
    }
}

#[test]
fn a_tripped_breaker_is_stored_with_a_ttl_and_the_server_clock_decides() {
    let Some(server) = server() else { return };
    let store = store(server, Clock::Server);
    let b = breaker(Rule::ConversionCountry, "cc:GB".into(), Mode::Enforce);
    let plan = Plan {
        // With the server's clock the plan's `now` is not used.
        now: 1,
        breakers: vec![b.clone()],
        ..Plan::default()
    };
    for _ in 0..3 {
        assert!(Store::decide(&store, &plan).unwrap().allowed());
    }
    let v = Store::decide(&store, &plan).unwrap();
    assert_eq!(v.denied[0].rule, Rule::ConversionCountry);
    assert_eq!(v.denied[0].retry_after_ms, Some(5_000));
    let v = Store::decide(&store, &plan).unwrap();
    let retry = v.denied[0].retry_after_ms.unwrap();
    assert!(retry <= 5_000 && retry > 0, "{retry}");
    let mut con = raw(server);
    let ttl: i64 = redis::cmd("PTTL")
        .arg(format!("{}cc:GB:state", store.prefix()))
        .query(&mut con)
        .unwrap();
    assert!(ttl > 86_400_000, "{ttl}");
}

#[test]
fn a_flushed_script_is_loaded_again() {
    let Some(server) = server() else { return };
    let store = store(server, Clock::Plan);
    let plan = |now| Plan {
        now,
        limits: vec![cooldown("nc:1")],
        ..Plan::default()
    };
    assert!(Store::decide(&store, &plan(1_000)).unwrap().allowed());
    let mut con = raw(server);
    let _: () = redis::cmd("SCRIPT").arg("FLUSH").query(&mut con).unwrap();
    let v = Store::decide(&store, &plan(2_000)).unwrap();
    assert_eq!(v.denied[0].retry_after_ms, Some(29_000));
}

// ---- (d) Redis out of reach ----------------------------------------------------

fn closed_port() -> u16 {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    l.local_addr().unwrap().port()
}

fn one_plan() -> Plan {
    Plan {
        now: 5_000,
        limits: vec![cooldown("nc:1")],
        ..Plan::default()
    }
}

#[test]
fn unreachable_redis_fails_closed_when_told_to() {
    let store = RedisStore::open(&format!("redis://127.0.0.1:{}/0", closed_port()))
        .unwrap()
        .with_timeout(Duration::from_millis(200))
        .with_on_unavailable(OnUnavailable::FailClosed);
    let err = Store::decide(&store, &one_plan()).unwrap_err();
    assert!(err.detail.contains("127.0.0.1"), "{err}");
    // Within the retry period it does not try again, and still fails.
    assert!(Store::decide(&store, &one_plan()).is_err());
    assert!(Store::record(&store, 0, &cooldown("w")).is_err());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let store = store.with_retry_after(Duration::ZERO);
    assert!(
        rt.block_on(AsyncStore::decide(&store, &one_plan()))
            .is_err()
    );
}

#[test]
fn unreachable_redis_falls_back_to_memory_by_default() {
    let memory = Arc::new(MemoryStore::new());
    let store = RedisStore::open(&format!("redis://127.0.0.1:{}/0", closed_port()))
        .unwrap()
        .with_timeout(Duration::from_millis(200))
        .with_retry_after(Duration::ZERO)
        .with_on_unavailable(OnUnavailable::FallBack(memory.clone()));
    assert!(Store::decide(&store, &one_plan()).unwrap().allowed());
    // The fallback counted it: the same number is now in its cooldown.
    assert!(!Store::decide(&*memory, &one_plan()).unwrap().allowed());
    assert!(!Store::decide(&store, &one_plan()).unwrap().allowed());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let v = rt
        .block_on(AsyncStore::decide(&store, &one_plan()))
        .unwrap();
    assert_eq!(v.denied[0].rule, Rule::NumberCooldown);
    // The default is the fallback.
    let default = RedisStore::open("redis://127.0.0.1:1/0").unwrap();
    assert!(format!("{default:?}").contains("FallBack"));
}

#[test]
fn a_redis_that_never_answers_times_out() {
    // Accepts connections and says nothing: the timeout, not a hang.
    let silent = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = silent.local_addr().unwrap().port();
    let held = std::thread::spawn(move || {
        let mut conns = Vec::new();
        for c in silent.incoming().take(2) {
            conns.push(c);
        }
        std::thread::sleep(Duration::from_secs(3));
    });
    let store = RedisStore::open(&format!("redis://127.0.0.1:{port}/0"))
        .unwrap()
        .with_timeout(Duration::from_millis(200))
        .with_retry_after(Duration::ZERO)
        .with_on_unavailable(OnUnavailable::FailClosed);
    assert!(Store::decide(&store, &one_plan()).is_err());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    assert!(
        rt.block_on(AsyncStore::decide(&store, &one_plan()))
            .is_err()
    );
    held.join().unwrap();
}

// ---- (e) the password stays secret --------------------------------------------

#[test]
fn the_password_never_shows() {
    const PASSWORD: &str = "pw-7b1c0de5ecret";
    let Some(server) = RedisServer::start_with_password(PASSWORD) else {
        return;
    };
    let good = RedisStore::open(&server.url())
        .unwrap()
        .with_clock(Clock::Plan)
        .with_on_unavailable(OnUnavailable::FailClosed);
    assert!(Store::decide(&good, &one_plan()).unwrap().allowed());
    for text in [
        format!("{good:?}"),
        good.to_string(),
        good.target().to_owned(),
    ] {
        assert!(!text.contains(PASSWORD), "{text}");
        assert!(text.contains(&server.port().to_string()), "{text}");
    }
    // A wrong password, and an unreachable server: the errors keep both secret.
    let wrong = "wrong-9f3e2d1c0b";
    let bad = RedisStore::open(&format!("redis://:{wrong}@127.0.0.1:{}/0", server.port()))
        .unwrap()
        .with_on_unavailable(OnUnavailable::FailClosed);
    let err = Store::decide(&bad, &one_plan()).unwrap_err();
    let closed = RedisStore::open(&format!(
        "redis://user:{wrong}@127.0.0.1:{}/0",
        closed_port()
    ))
    .unwrap()
    .with_timeout(Duration::from_millis(200))
    .with_on_unavailable(OnUnavailable::FailClosed);
    let err2 = Store::decide(&closed, &one_plan()).unwrap_err();
    for text in [
        err.to_string(),
        format!("{err:?}"),
        err2.to_string(),
        format!("{bad:?}"),
        format!("{closed:?}"),
        closed.to_string(),
    ] {
        assert!(!text.contains(wrong) && !text.contains(PASSWORD), "{text}");
    }
    // Not a URL: the error does not echo it.
    let err = RedisStore::open(&format!("nonsense://:{wrong}@")).unwrap_err();
    assert!(!err.to_string().contains(wrong), "{err}");
}
