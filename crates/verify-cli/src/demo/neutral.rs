//! The provider-neutral API through one adapter: Start with a primary and a
//! backup provider, then Check a wrong code and the right one.

use verify_sandbox::Sandbox;
use verify_ureq::neutral::{Check, CheckOutcome, Start, Started, VerificationId};
use verify_ureq::{Code, Provider, ProviderConfig};

use super::adapter::{Adapter, AdapterKind, adapter};
use super::outbox::{outbox_code, wrong_code};
use super::report::{Report, StepResult};

/// A started verification in one line.
pub fn started_detail(s: &Started) -> String {
    format!(
        "id {}, delivery {:?}, message_may_have_been_sent = {}",
        s.id, s.delivery, s.message_may_have_been_sent
    )
}

/// Reads the code for `id`, then checks a wrong and the right code through
/// `client`, as three steps.
pub fn neutral_checks(
    report: &mut Report,
    sandbox: &Sandbox,
    to: &str,
    id: &VerificationId,
    client: &Adapter,
) {
    let Some(code) = report.step("read the code from the sandbox outbox", || {
        outbox_code(sandbox, to, id.as_str())
    }) else {
        report.skip("Check a wrong code", "reading the code");
        report.skip("Check the right code", "reading the code");
        return;
    };
    let expect = |code: Code, want: CheckOutcome| -> StepResult<()> {
        let got = client
            .execute(&Check::new(id.clone(), code))
            .map_err(|e| e.to_string())?;
        if got == want {
            Ok(((), format!("{got:?}")))
        } else {
            Err(format!("{got:?}, expected {want:?}"))
        }
    };
    let wrong = wrong_code(&code);
    report.step("Check a wrong code", || {
        expect(wrong, CheckOutcome::Incorrect)
    });
    report.step("Check the right code", || {
        expect(code.clone(), CheckOutcome::Verified)
    });
}

/// A neutral Start with `primary` (and `backup` as the backup) through one
/// adapter, then the checks.
fn neutral_section(
    report: &mut Report,
    sandbox: &Sandbox,
    (primary, backup): (&ProviderConfig, &ProviderConfig),
    kind: AdapterKind,
    to: &str,
) {
    let provider = primary.provider();
    let name = match provider {
        Provider::TeleSign => "TeleSign".to_owned(),
        Provider::Dotdigital => "dotdigital".to_owned(),
        other => other.to_string(),
    };
    report.section(format!(
        "Neutral API (Start / Check), {name} primary, {}",
        kind.label()
    ));
    let Some(client) = adapter(report, kind, primary, Some(backup)) else {
        report.skip("Start and Check", "building the client");
        return;
    };
    let started = report.step(format!("Start a verification of {to}"), || {
        let s = client.execute(&Start::new(to)).map_err(|e| e.to_string())?;
        if s.id.provider() != provider {
            return Err(format!(
                "started with {}, expected {provider}",
                s.id.provider()
            ));
        }
        let d = started_detail(&s);
        Ok((s, d))
    });
    match started {
        Some(s) => neutral_checks(report, sandbox, to, &s.id, &client),
        None => report.skip("Check codes", "Start"),
    }
}

/// The neutral API both ways round: TeleSign primary on the blocking
/// adapter, dotdigital primary on the async one.
pub fn neutral_flow(
    report: &mut Report,
    sandbox: &Sandbox,
    telesign: &ProviderConfig,
    dotdigital: &ProviderConfig,
) {
    neutral_section(
        report,
        sandbox,
        (telesign, dotdigital),
        AdapterKind::Blocking,
        "15555550120",
    );
    neutral_section(
        report,
        sandbox,
        (dotdigital, telesign),
        AdapterKind::Async,
        "447700900121",
    );
}
