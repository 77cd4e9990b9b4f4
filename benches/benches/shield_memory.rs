//! The in-memory shield store against `governor`: one decision of a
//! default send plan (five limits, the spend, two breakers) and of a lone
//! cooldown, each against one `governor` keyed check, in alternating
//! rounds. Prints the ratio (time of ours over time of governor's).
//!
//! ```sh
//! cargo bench -p verify-benches --bench shield_memory
//! ```
//!
//! Run as a test (`cargo test --benches`) it makes two short rounds.

use std::hint::black_box;
use std::num::NonZeroU32;

use governor::{Quota, RateLimiter};
use verify_shield::{MemoryStore, Plan, Store};

mod shield_common;

use shield_common::{cooldown_plan, interleave, send_plan};

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let (rounds, per_round) = if bench { (31, 20_000) } else { (2, 200) };
    let base = 1_700_000_000_000u64;
    for (name, plan) in [
        (
            "shield_memory/send_plan_vs_governor",
            send_plan as fn(u64, u64) -> Plan,
        ),
        ("shield_memory/cooldown_vs_governor", cooldown_plan),
    ] {
        let store = MemoryStore::new();
        let limiter = RateLimiter::keyed(Quota::per_hour(
            NonZeroU32::new(5).unwrap_or(NonZeroU32::MIN),
        ));
        interleave(
            name,
            rounds,
            per_round,
            |i| {
                // A new number each time: every check reads and writes.
                black_box(store.decide(&plan(base + i, 15_550_000_000 + i)).ok());
            },
            |i| {
                black_box(
                    limiter
                        .check_key(&format!("nc:{}", 15_550_000_000 + i))
                        .is_ok(),
                );
            },
        );
    }
}
