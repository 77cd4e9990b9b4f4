//! The soak of `verify_benches::soak`, short: 10,000 calls through
//! verify-hyper against the sandbox with every fault kind in turn. No message
//! goes out twice, every call ends in time, nothing leaks.

use std::time::Duration;

use verify_benches::soak::{self, Config};

#[test]
fn ten_thousand_calls_with_faults_keep_every_promise() {
    let config = Config::new(10_000, 32).with_overall_timeout(Duration::from_secs(1));
    let report = soak::run(&config, |_, _| {});
    println!("{report}");
    assert!(report.failures().is_empty(), "{report}");
    assert_eq!(report.requests, 10_000);
    assert!(report.faults >= 90, "{report}");
    assert!(report.sends > 3_000, "{report}");
    // Faults land on whichever request comes next, so which sends fail
    // varies; "may have been sent" failures are common enough to be certain.
    assert!(report.sends_ok > 0 && report.sends_maybe > 0, "{report}");
    let checks: u64 = report.ok[2..].iter().sum();
    assert!(checks > 3_000, "{report}");
}
