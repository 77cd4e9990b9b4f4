//! Shared by the shield benchmarks.

use std::time::Instant;

use verify_benches::stats::{Spread, over_neighbours};
use verify_core::guard::Rule;
use verify_shield::{Breaker, Limit, Mode, Plan, Spend};

/// A send's plan as the policy builds it with the defaults: three limits
/// on the number, one on its block, one client key, the global spend and
/// the two conversion breakers.
pub fn send_plan(now: u64, number: u64) -> Plan {
    let limit = |rule, key: String, window_ms, max| Limit {
        rule,
        key,
        window_ms,
        max,
        mode: Mode::Enforce,
        consume: true,
    };
    let breaker = |rule, key: String| Breaker {
        rule,
        key,
        window_ms: 3_600_000,
        min_sends: 20,
        min_verified_permille: 200,
        cool_off_ms: 43_200_000,
        probe_ms: 60_000,
        mode: Mode::Monitor,
    };
    Plan {
        now,
        limits: vec![
            limit(Rule::NumberCooldown, format!("nc:{number}"), 30_000, 1),
            limit(Rule::NumberShortWindow, format!("ns:{number}"), 600_000, 3),
            limit(Rule::NumberLongWindow, format!("nl:{number}"), 3_600_000, 5),
            limit(
                Rule::NumberBlock,
                format!("b:{}", number / 1000),
                3_600_000,
                1_000_000,
            ),
            limit(
                Rule::ClientKey,
                format!("k:{}", number % 97),
                3_600_000,
                1_000_000,
            ),
        ],
        spends: vec![Spend {
            rule: Rule::GlobalSpend,
            key: "gs".into(),
            window_ms: 60_000,
            max: u64::MAX / 2,
            cost: 1,
            mode: Mode::Enforce,
        }],
        breakers: vec![
            breaker(Rule::ConversionCountry, "cc:GB".into()),
            breaker(Rule::ConversionBlock, format!("cb:{}", number / 1000)),
        ],
    }
}

/// One check, as one governor keyed check.
pub fn cooldown_plan(now: u64, number: u64) -> Plan {
    Plan {
        now,
        limits: vec![Limit {
            rule: Rule::NumberCooldown,
            key: format!("nc:{number}"),
            window_ms: 30_000,
            max: 1,
            mode: Mode::Enforce,
            consume: true,
        }],
        ..Plan::default()
    }
}

/// Runs `a` and `b` alternately (a, b, a, b, ..., b), `rounds` each after a
/// warm-up, and prints a's time over b's (each a round over the mean of the
/// b rounds around it: a drift of the machine cancels out).
pub fn interleave(
    name: &str,
    rounds: usize,
    per_round: u64,
    mut a: impl FnMut(u64),
    mut b: impl FnMut(u64),
) {
    let time = |f: &mut dyn FnMut(u64), round: u64| {
        let start = Instant::now();
        for i in 0..per_round {
            f(round * per_round + i);
        }
        start.elapsed().as_secs_f64()
    };
    let mut round = 0;
    let mut next = || {
        round += 1;
        round
    };
    time(&mut a, next());
    time(&mut b, next());
    let (mut ta, mut tb) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        ta.push(time(&mut a, next()));
        tb.push(time(&mut b, next()));
    }
    tb.push(time(&mut b, next()));
    let ratios = over_neighbours(&ta, &tb);
    let r = Spread::of(&ratios);
    let per = |t: &[f64]| Spread::of(t).median / per_round as f64 * 1e9;
    println!(
        "{name:<40} ratio median {:.2} (IQR {:.2}..{:.2}, range {:.2}..{:.2}) over {rounds} rounds of {per_round}; {:.0} ns vs {:.0} ns",
        r.median,
        r.q1,
        r.q3,
        r.min,
        r.max,
        per(&ta),
        per(&tb),
    );
}
