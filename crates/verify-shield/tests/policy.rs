//! The policy, rule by rule, over the in-memory store (time is an argument:
//! no test waits).

use std::time::Duration;

use proptest::prelude::*;
use verify_shield::{
    Decision, MemoryStore, Mode, Ms, NumberType, OnStoreError, Plan, Rule, Rules, SendFacts,
    Shield, Store, StoreError, Verdict,
};

const T0: u64 = 1_800_000_000_000;
const SEC: u64 = 1000;
const MIN: u64 = 60 * SEC;
const HOUR: u64 = 60 * MIN;

/// UK mobile numbers: block `447400123` + 3 digits.
fn uk(i: u32) -> String {
    format!("447400{:06}", i)
}

fn shield(rules: Rules) -> Shield<MemoryStore> {
    Shield::new(rules, MemoryStore::new())
}

fn send(s: &Shield<MemoryStore>, now: u64, number: &str) -> Decision {
    s.decide_send(
        now,
        &SendFacts {
            number,
            client_keys: &[],
            segments: 1,
        },
    )
}

fn send_keys(s: &Shield<MemoryStore>, now: u64, number: &str, keys: &[&str]) -> Decision {
    let keys: Vec<String> = keys.iter().map(|k| (*k).to_owned()).collect();
    s.decide_send(
        now,
        &SendFacts {
            number,
            client_keys: &keys,
            segments: 1,
        },
    )
}

fn rule(d: &Decision) -> Option<Rule> {
    d.blocked().map(|b| b.rule)
}

fn retry(d: &Decision) -> Option<Duration> {
    d.blocked().and_then(|b| b.retry_after)
}

/// Only the rule under test: every other rule off.
fn only(f: impl FnOnce(&mut Rules)) -> Rules {
    let mut r = Rules::default();
    for w in [
        &mut r.number_cooldown,
        &mut r.number_short,
        &mut r.number_long,
        &mut r.number_block,
        &mut r.client_key,
        &mut r.global_sends,
        &mut r.wrong_codes,
    ] {
        w.enabled = false;
    }
    r.number_type.enabled = false;
    r.conversion_country.enabled = false;
    r.conversion_block.enabled = false;
    f(&mut r);
    r
}

#[test]
fn the_cooldown_holds_a_number_for_30_seconds() {
    let s = shield(Rules::default());
    assert!(send(&s, T0, &uk(1)).is_allowed());
    let again = send(&s, T0 + 10 * SEC, &uk(1));
    assert_eq!(rule(&again), Some(Rule::NumberCooldown));
    assert_eq!(retry(&again), Some(Duration::from_secs(20)));
    assert!(send(&s, T0 + 30 * SEC, &uk(1)).is_allowed());
}

#[test]
fn three_sends_per_ten_minutes_per_number() {
    let s = shield(Rules::default());
    for i in 0..3 {
        assert!(send(&s, T0 + i * 31 * SEC, &uk(1)).is_allowed());
    }
    let fourth = send(&s, T0 + 93 * SEC, &uk(1));
    assert_eq!(rule(&fourth), Some(Rule::NumberShortWindow));
    assert_eq!(
        retry(&fourth),
        Some(Duration::from_millis(10 * MIN - 93 * SEC))
    );
    assert!(send(&s, T0 + 10 * MIN, &uk(1)).is_allowed());
}

#[test]
fn five_sends_per_hour_per_number() {
    let s = shield(Rules::default());
    let step = 10 * MIN + SEC;
    for i in 0..5 {
        assert!(send(&s, T0 + i * step, &uk(1)).is_allowed(), "send {i}");
    }
    let sixth = send(&s, T0 + 5 * step, &uk(1));
    assert_eq!(rule(&sixth), Some(Rule::NumberLongWindow));
    assert!(send(&s, T0 + HOUR, &uk(1)).is_allowed());
}

#[test]
fn fifty_sends_to_fifty_numbers_of_one_block_allow_exactly_ten() {
    let s = shield(Rules::default());
    let decisions: Vec<Decision> = (0..50).map(|i| send(&s, T0 + i, &uk(i as u32))).collect();
    assert_eq!(decisions.iter().filter(|d| d.is_allowed()).count(), 10);
    assert!(decisions[..10].iter().all(Decision::is_allowed));
    assert!(
        decisions[10..]
            .iter()
            .all(|d| rule(d) == Some(Rule::NumberBlock))
    );
    // Another block is untouched.
    assert!(send(&s, T0 + 60, "447400999001").is_allowed());
}

#[test]
fn ten_sends_per_hour_per_client_key_and_a_refused_send_counts_no_key() {
    let s = shield(only(|r| r.client_key.enabled = true));
    for i in 0..10 {
        assert!(send_keys(&s, T0 + i, &uk(i as u32 * 1000), &["ip:192.0.2.1"]).is_allowed());
    }
    // The exhausted key refuses, and the other key of that send is not
    // counted: it still has its 10.
    let refused = send_keys(&s, T0 + 20, &uk(20_000), &["user:7", "ip:192.0.2.1"]);
    assert_eq!(rule(&refused), Some(Rule::ClientKey));
    for i in 0..10 {
        assert!(
            send_keys(&s, T0 + 30 + i, &uk(30_000 + i as u32 * 1000), &["user:7"]).is_allowed()
        );
    }
    assert_eq!(
        rule(&send_keys(&s, T0 + 50, &uk(50_000), &["user:7"])),
        Some(Rule::ClientKey)
    );
    // A key repeated in one send counts once.
    let t = shield(only(|r| {
        r.client_key.enabled = true;
        r.client_key.max = 1;
    }));
    assert!(send_keys(&t, T0, &uk(1), &["dev:a", "dev:a"]).is_allowed());
}

#[test]
fn countries_allow_list_deny_list_and_budget() {
    let s = shield(only(|r| r.countries.allow = vec!["US".into()]));
    assert_eq!(rule(&send(&s, T0, &uk(1))), Some(Rule::CountryNotAllowed));
    assert!(send(&s, T0, "12025550123").is_allowed());

    let s = shield(only(|r| r.countries.deny = vec!["gb".into()]));
    assert_eq!(rule(&send(&s, T0, &uk(1))), Some(Rule::CountryDenied));
    assert!(send(&s, T0, "12025550123").is_allowed());

    let s = shield(only(|r| {
        r.countries.budgets.insert("GB".into(), 2);
    }));
    assert!(send(&s, T0, &uk(1)).is_allowed());
    assert!(send(&s, T0 + 1, &uk(2)).is_allowed());
    assert_eq!(rule(&send(&s, T0 + 2, &uk(3))), Some(Rule::CountryBudget));
    assert!(send(&s, T0 + 3, "12025550123").is_allowed());
    assert!(send(&s, T0 + HOUR, &uk(3)).is_allowed());
}

#[test]
fn global_sends_and_spend() {
    let s = shield(only(|r| {
        r.global_sends = verify_shield::WindowRule::new(3, Ms::hours(1))
    }));
    for i in 0..3 {
        assert!(send(&s, T0 + i, &uk(i as u32 * 1000)).is_allowed());
    }
    assert_eq!(
        rule(&send(&s, T0 + 5, "12025550123")),
        Some(Rule::GlobalSends)
    );

    let s = shield(only(|r| {
        r.global_spend.enabled = true;
        r.global_spend.max = 25;
        r.global_spend.prices.insert("GB".into(), 10);
        r.global_spend.default_price = 1;
    }));
    let costly = |now, segments| {
        s.decide_send(
            now,
            &SendFacts {
                number: &uk(1),
                client_keys: &[],
                segments,
            },
        )
    };
    // 3 segments at 10: 30 > 25, never allowed (no retry).
    let d = costly(T0, 3);
    assert_eq!(rule(&d), Some(Rule::GlobalSpend));
    assert_eq!(retry(&d), None);
    assert!(costly(T0 + 1, 1).is_allowed());
    assert!(costly(T0 + 2, 1).is_allowed());
    assert_eq!(rule(&costly(T0 + 3, 1)), Some(Rule::GlobalSpend));
    // A country without a price costs the default price.
    assert!(send(&s, T0 + 4, "12025550123").is_allowed());
    assert!(costly(T0 + 24 * HOUR + 1, 1).is_allowed());
}

#[test]
fn premium_rate_numbers_are_denied_by_default() {
    let s = shield(Rules::default());
    let d = send(&s, T0, "+449098790000");
    assert_eq!(rule(&d), Some(Rule::NumberType));
    assert_eq!(retry(&d), None);
    // US premium rate too, and a refused send counts nothing.
    assert_eq!(rule(&send(&s, T0, "19002001234")), Some(Rule::NumberType));
    assert_eq!(s.counters().allowed, 0);
    // Switched off, or in monitor mode, it goes.
    let off = shield(only(|_| {}));
    assert!(send(&off, T0, "449098790000").is_allowed());
    let monitor = shield(only(|r| {
        r.number_type.enabled = true;
        r.number_type.mode = Mode::Monitor;
    }));
    assert_eq!(
        send(&monitor, T0, "449098790000"),
        Decision::Allowed {
            monitored: vec![Rule::NumberType],
            bypassed: false
        }
    );
    // Other types can be denied.
    let voip = shield(only(|r| {
        r.number_type.enabled = true;
        r.number_type.deny = vec![NumberType::Unknown];
    }));
    assert_eq!(
        rule(&send(&voip, T0, "447700900123")),
        Some(Rule::NumberType)
    );
}

#[test]
fn the_allow_list_bypasses_everything() {
    let mut rules = Rules {
        allow_numbers: vec!["+449098790000".into(), uk(1)],
        ..Rules::default()
    };
    rules.countries.deny = vec!["GB".into()];
    let s = shield(rules);
    for i in 0..20 {
        assert_eq!(
            send(&s, T0 + i, &uk(1)),
            Decision::Allowed {
                monitored: vec![],
                bypassed: true
            }
        );
    }
    assert!(send(&s, T0, "449098790000").is_allowed());
    assert_eq!(rule(&send(&s, T0, &uk(2))), Some(Rule::CountryDenied));
    assert_eq!(s.counters().bypassed, 21);
}

#[test]
fn monitor_mode_decides_and_counts_but_blocks_nothing() {
    let mut rules = Rules::default();
    rules.number_cooldown.mode = Mode::Monitor;
    let s = shield(rules);
    assert!(send(&s, T0, &uk(1)).is_allowed());
    assert_eq!(
        send(&s, T0 + SEC, &uk(1)),
        Decision::Allowed {
            monitored: vec![Rule::NumberCooldown],
            bypassed: false
        }
    );
    let c = s.counters();
    assert_eq!(c.allowed, 2);
    assert!(c.monitored.contains(&(Rule::NumberCooldown, 1)));
    assert!(c.denied.iter().all(|(_, n)| *n == 0));
    // The enforced short window still counts the monitored sends.
    assert!(send(&s, T0 + 2 * SEC, &uk(1)).is_allowed());
    assert_eq!(
        rule(&send(&s, T0 + 3 * SEC, &uk(1))),
        Some(Rule::NumberShortWindow)
    );
}

/// 20 sends to 20 blocks of one country, none verified.
fn twenty_unverified(s: &Shield<MemoryStore>, now: u64) {
    for i in 0..20 {
        let d = send(s, now + i, &uk(i as u32 * 1000));
        assert!(d.is_allowed(), "send {i}: {d:?}");
    }
}

#[test]
fn the_country_breaker_trips_then_half_opens_and_a_verified_code_closes_it() {
    let s = shield(Rules::default());
    twenty_unverified(&s, T0);
    let tripped = send(&s, T0 + MIN, &uk(900_000));
    assert_eq!(rule(&tripped), Some(Rule::ConversionCountry));
    assert_eq!(retry(&tripped), Some(Duration::from_secs(12 * 3600)));
    // Another country is not affected.
    assert!(send(&s, T0 + MIN, "12025550123").is_allowed());
    // Still open just before the cool-off ends.
    let open = send(&s, T0 + MIN + 12 * HOUR - 1, &uk(901_000));
    assert_eq!(rule(&open), Some(Rule::ConversionCountry));
    // Half-open: one send at a time.
    let after = T0 + MIN + 12 * HOUR;
    assert!(send(&s, after, &uk(902_000)).is_allowed());
    assert_eq!(
        rule(&send(&s, after + 1, &uk(903_000))),
        Some(Rule::ConversionCountry)
    );
    // A verified code closes it.
    s.verified(after + 2, &uk(902_000)).unwrap();
    assert!(send(&s, after + 3, &uk(904_000)).is_allowed());
    assert!(send(&s, after + 4, &uk(905_000)).is_allowed());
}

#[test]
fn a_fifth_verified_keeps_the_breaker_closed() {
    let s = shield(Rules::default());
    twenty_unverified(&s, T0);
    for i in 0..4 {
        s.verified(T0 + 30, &uk(i * 1000)).unwrap();
    }
    // 4 of 20 is 20%: not below it.
    assert!(send(&s, T0 + MIN, &uk(900_000)).is_allowed());
}

#[test]
fn the_block_breaker_trips_on_its_block_alone() {
    let s = shield(only(|r| {
        r.conversion_block.enabled = true;
        r.conversion_block.min_sends = 5;
    }));
    for i in 0..5 {
        assert!(send(&s, T0 + i, &uk(i as u32)).is_allowed());
    }
    assert_eq!(
        rule(&send(&s, T0 + 10, &uk(7))),
        Some(Rule::ConversionBlock)
    );
    assert!(send(&s, T0 + 10, &uk(7000)).is_allowed());
}

#[test]
fn ten_wrong_codes_per_number_per_hour_then_checks_are_refused() {
    let s = shield(Rules::default());
    for i in 0..10 {
        assert!(s.check_allowed(T0 + i, &uk(1)).is_allowed());
        s.wrong_code(T0 + i, &uk(1)).unwrap();
    }
    // Looking does not count: any number of looks gives the same answer.
    for _ in 0..3 {
        let d = s.check_allowed(T0 + 20, &uk(1));
        assert_eq!(rule(&d), Some(Rule::WrongCodes));
        assert_eq!(retry(&d), Some(Duration::from_millis(HOUR - 20)));
    }
    assert!(s.check_allowed(T0 + 20, &uk(2)).is_allowed());
    assert!(s.check_allowed(T0 + HOUR, &uk(1)).is_allowed());
}

#[test]
fn an_unreadable_number_is_refused_as_invalid() {
    let s = shield(Rules::default());
    for bad in [
        "",
        "hello",
        "+44 7400 123456",
        "0447400123456",
        "99912345678",
    ] {
        assert_eq!(
            rule(&send(&s, T0, bad)),
            Some(Rule::InvalidNumber),
            "{bad:?}"
        );
    }
    assert_eq!(rule(&s.check_allowed(T0, "x")), Some(Rule::InvalidNumber));
}

/// A store that always fails.
#[derive(Debug)]
struct Down;

impl Store for Down {
    fn decide(&self, _: &Plan) -> Result<Verdict, StoreError> {
        Err(StoreError {
            detail: "unreachable".into(),
        })
    }
    fn verified(&self, _: u64, _: &[verify_shield::Breaker]) -> Result<(), StoreError> {
        Err(StoreError {
            detail: "unreachable".into(),
        })
    }
    fn record(&self, _: u64, _: &verify_shield::Limit) -> Result<(), StoreError> {
        Err(StoreError {
            detail: "unreachable".into(),
        })
    }
}

#[test]
fn a_failing_store_fails_closed_by_default_or_allows_when_set() {
    let facts = SendFacts {
        number: "447400123456",
        client_keys: &[],
        segments: 1,
    };
    let closed = Shield::new(Rules::default(), Down);
    assert_eq!(
        closed.decide_send(T0, &facts).blocked().map(|b| b.rule),
        Some(Rule::StoreUnavailable)
    );
    let rules = Rules {
        on_store_error: OnStoreError::Allow,
        ..Rules::default()
    };
    let open = Shield::new(rules, Down);
    assert!(open.decide_send(T0, &facts).is_allowed());
    assert_eq!(open.counters().store_errors, 1);
}

#[test]
fn counters_count_decisions_by_rule() {
    let s = shield(Rules::default());
    assert!(send(&s, T0, &uk(1)).is_allowed());
    send(&s, T0 + 1, &uk(1));
    send(&s, T0 + 2, &uk(1));
    send(&s, T0 + 2, "449098790000");
    let c = s.counters();
    assert_eq!(c.allowed, 1);
    assert!(c.denied.contains(&(Rule::NumberCooldown, 2)));
    assert!(c.denied.contains(&(Rule::NumberType, 1)));
    assert_eq!(c.denied.len(), Rule::ALL.len());
}

/// Drives a future whose store answers at once (the in-memory store).
fn ready<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

#[test]
fn the_async_shield_decides_as_the_blocking_one() {
    let s = shield(Rules::default());
    let decide = |now, number: &str| {
        ready(s.decide_send_async(
            now,
            &SendFacts {
                number,
                client_keys: &[],
                segments: 1,
            },
        ))
    };
    let d: Vec<Decision> = (0..12).map(|i| decide(T0 + i, &uk(i as u32))).collect();
    assert_eq!(d.iter().filter(|d| d.is_allowed()).count(), 10);
    assert_eq!(rule(&decide(T0 + 20, &uk(0))), Some(Rule::NumberCooldown));
    for i in 0..10 {
        ready(s.wrong_code_async(T0 + i, &uk(5000))).unwrap();
    }
    assert_eq!(
        rule(&ready(s.check_allowed_async(T0 + 20, &uk(5000)))),
        Some(Rule::WrongCodes)
    );
    ready(s.verified_async(T0 + 30, &uk(5000))).unwrap();
}

proptest! {
    /// A refused send counts nothing: a twin shield that never saw the
    /// refused sends decides every later send alike.
    #[test]
    fn a_denied_decision_consumes_nothing(
        steps in proptest::collection::vec((0u64..90_000, 0u32..6, 0usize..4), 1..80)
    ) {
        let mut rules = Rules::default();
        // Breakers store their trip even when refusing: out of this property.
        rules.conversion_country.enabled = false;
        rules.conversion_block.enabled = false;
        rules.number_block.max = 4;
        rules.client_key.max = 3;
        let a = shield(rules.clone());
        let b = shield(rules);
        let key_sets: [&[&str]; 4] = [&[], &["ip:1"], &["ip:2"], &["ip:1", "user:9"]];
        let mut now = T0;
        for (dt, n, k) in steps {
            now += dt;
            let number = format!("4474001230{n:02}");
            let da = send_keys(&a, now, &number, key_sets[k]);
            if da.is_allowed() {
                let db = send_keys(&b, now, &number, key_sets[k]);
                prop_assert_eq!(&db, &da);
            }
        }
        // Every possible next send is decided alike.
        for n in 0..6u32 {
            for keys in key_sets {
                let number = format!("4474001230{n:02}");
                let probe_a = shield_probe(&a, now + 1, &number, keys);
                let probe_b = shield_probe(&b, now + 1, &number, keys);
                prop_assert_eq!(probe_a, probe_b);
            }
        }
    }
}

/// The rule that refuses a send (`None`: allowed). Probes go to both
/// shields alike, so an allowed probe keeps them in step.
fn shield_probe(s: &Shield<MemoryStore>, now: u64, number: &str, keys: &[&str]) -> Option<Rule> {
    rule(&send_keys(s, now, number, keys))
}
