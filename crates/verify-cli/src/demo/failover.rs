//! Failover: TeleSign refuses every send attempt with nothing sent, and the
//! neutral Start goes to dotdigital instead.

use verify_sandbox::{Fault, Route, Sandbox, SandboxProvider};
use verify_ureq::neutral::Start;
use verify_ureq::{Provider, ProviderConfig};

use super::adapter::{AdapterKind, adapter, demo_retry_policy};
use super::neutral::{neutral_checks, started_detail};
use super::report::Report;

/// A Start that fails over from TeleSign to dotdigital, then the checks,
/// through the blocking adapter.
pub fn failover_flow(
    report: &mut Report,
    sandbox: &Sandbox,
    telesign: &ProviderConfig,
    dotdigital: &ProviderConfig,
) {
    report.section(format!(
        "Failover, {}: TeleSign sends nothing, dotdigital takes over",
        AdapterKind::Blocking.label()
    ));
    let Some(client) = adapter(report, AdapterKind::Blocking, telesign, Some(dotdigital)) else {
        report.skip("Start with failover", "building the client");
        return;
    };
    let to = "447700900122";
    let attempts = demo_retry_policy().max_attempts;
    let started = report.step(
        format!("inject status 500 (not attempted) on every TeleSign send attempt ({attempts}), Start {to}"),
        || {
            sandbox.inject(Route::TeleSignSms, Fault::TeleSignStatus(500), attempts);
            let result = client.execute(&Start::new(to));
            sandbox.clear_faults();
            let s = result.map_err(|e| format!("no failover: {e}"))?;
            if s.id.provider() != Provider::Dotdigital {
                return Err(format!("started with {}, expected the backup dotdigital", s.id.provider()));
            }
            let by_provider = |p: SandboxProvider| sandbox.messages_to(to).iter().filter(|m| m.provider == p).count();
            let (ts, dd) = (by_provider(SandboxProvider::Telesign), by_provider(SandboxProvider::Dotdigital));
            if (ts, dd) != (0, 1) {
                return Err(format!("outbox: {ts} TeleSign and {dd} dotdigital messages, expected 0 and 1"));
            }
            let d = format!("failed over; outbox: 0 TeleSign, 1 dotdigital message; {}", started_detail(&s));
            Ok((s, d))
        },
    );
    match started {
        Some(s) => neutral_checks(report, sandbox, to, &s.id, &client),
        None => report.skip("Check codes", "Start"),
    }
}
