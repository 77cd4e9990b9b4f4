//! What the demo prints: a banner, a line per section and two per step, a
//! summary; or, under `--json`, one object with every step.

use std::time::Duration;

use serde_json::{Value, json};

use super::report::{Report, Step};
use crate::out::outln;

/// The lines before the first section.
pub fn print_banner(seed: u64, base_url: &str) {
    let _ = outln!("verify demo: sandbox (deterministic, seed {seed}) listening on {base_url}");
    let _ = outln!(
        "Codes shown below are read from the sandbox outbox: the sandbox is fake, and so are they."
    );
}

/// A section title, after a blank line.
pub fn print_section(title: &str) {
    let _ = outln!("\n{title}");
}

/// A step that has ended: OK or FAIL, its time and name, then its detail.
pub fn print_step(step: &Step) {
    let _ = outln!(
        "  {:<4} {:>8.1} ms  {}\n                    {}",
        if step.ok { "OK" } else { "FAIL" },
        millis(step.elapsed),
        step.name,
        step.detail,
    );
}

/// The last line: how many steps, how many failed, how long it all took.
pub fn print_summary(report: &Report, total: Duration) {
    let steps = report.steps();
    let failed = steps.iter().filter(|s| !s.ok).count();
    let _ = outln!(
        "\n{} steps, {} failed, {:.1} ms in all: {}",
        steps.len(),
        failed,
        millis(total),
        if report.all_ok() {
            "every step behaved as documented"
        } else {
            "SOME STEPS FAILED"
        }
    );
}

/// The whole report as one JSON object (`--json`).
pub fn json(report: &Report, base_url: &str, total: Duration) -> Value {
    json!({
        "ok": report.all_ok(),
        "sandbox": base_url,
        "total_ms": millis(total),
        "steps": report.steps().iter().map(|s| json!({
            "section": s.section,
            "step": s.name,
            "ok": s.ok,
            "ms": millis(s.elapsed),
            "detail": s.detail,
        })).collect::<Vec<_>>(),
    })
}

/// A duration in milliseconds, with fractions.
fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
