//! The Redis shield store against a bare `EVALSHA`: one decision of a
//! default send plan (one script: five limits, the spend, two breakers,
//! checked then consumed) and of a lone cooldown, each against one
//! `EVALSHA` of a script that returns 1, on the same server, in
//! alternating rounds. Prints the ratio (time of ours over the bare round
//! trip's). Starts its own `redis-server` on loopback; without one it says
//! so and stops.
//!
//! ```sh
//! cargo bench -p verify-benches --bench shield_redis
//! ```
//!
//! Run as a test (`cargo test --benches`) it makes two short rounds.

use std::hint::black_box;

use verify_shield::{Plan, Store};
use verify_shield_redis::{OnUnavailable, RedisServer, RedisStore};

mod shield_common;

use shield_common::{cooldown_plan, interleave, send_plan};

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let (rounds, per_round) = if bench { (31, 2_000) } else { (2, 50) };
    let Some(server) = RedisServer::start() else {
        return;
    };
    let store = RedisStore::open(&server.url())
        .expect("a Redis URL")
        .with_on_unavailable(OnUnavailable::FailClosed);
    let mut con = redis::Client::open(server.url())
        .and_then(|c| c.get_connection())
        .expect("the bench's redis-server");
    let trivial = redis::Script::new("return 1");
    for (name, plan) in [
        (
            "shield_redis/send_plan_vs_evalsha",
            send_plan as fn(u64, u64) -> Plan,
        ),
        ("shield_redis/cooldown_vs_evalsha", cooldown_plan),
    ] {
        interleave(
            name,
            rounds,
            per_round,
            |i| {
                let v = store
                    .decide(&plan(0, 15_550_000_000 + i))
                    .expect("a decision");
                black_box(v);
            },
            |_| {
                let one: i64 = trivial.invoke(&mut con).expect("EVALSHA");
                black_box(one);
            },
        );
    }
}
