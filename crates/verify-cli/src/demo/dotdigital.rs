//! The dotdigital CPaaS Verify flow through one adapter: send, read the
//! code, validate a wrong code and the right one, then see the id discarded.

use verify_sandbox::Sandbox;
use verify_ureq::dotdigital::{CodeStatus, SendCode, ValidateCode, ValidateOutcome};
use verify_ureq::{Code, ProviderConfig};

use super::adapter::{AdapterKind, adapter};
use super::outbox::{outbox_code, wrong_code};
use super::report::{Report, StepResult};

/// A validation's answer as the demo shows it: the code's status, or the
/// empty answer for an id dotdigital no longer holds.
fn shown(status: Option<&CodeStatus>) -> String {
    status.map_or("204 unknown or discarded".to_owned(), |s| {
        s.as_str().to_owned()
    })
}

/// Send, read the code, a wrong code, the right code and the final status,
/// at dotdigital through one adapter.
pub fn dotdigital_flow(
    report: &mut Report,
    sandbox: &Sandbox,
    config: &ProviderConfig,
    kind: AdapterKind,
    to: &str,
) {
    report.section(format!(
        "dotdigital CPaaS Verify, {}, Basic auth",
        kind.label()
    ));
    let steps = [
        "read the code from the sandbox outbox",
        "validate a wrong code",
        "validate the right code",
        "final status",
    ];
    let Some(client) = adapter(report, kind, config, None) else {
        return report.skip_all(&steps, "building the client");
    };
    let sent = report.step(format!("send a code to {to} (POST /webapi/verify)"), || {
        let r = client
            .execute(&SendCode::new(to, "Demo"))
            .map_err(|e| e.to_string())?;
        if r.status != CodeStatus::NotVerified {
            return Err(format!(
                "status {}, expected CodeNotVerified",
                r.status.as_str()
            ));
        }
        let detail = format!(
            "requestId {}, status {}",
            r.request_id.as_str(),
            r.status.as_str()
        );
        Ok((r.request_id, detail))
    });
    let Some(id) = sent else {
        return report.skip_all(&steps, "the send");
    };
    let validate = |code: Code, want: Option<CodeStatus>| -> StepResult<()> {
        let outcome = client
            .execute(&ValidateCode::new(id, code))
            .map_err(|e| e.to_string())?;
        let got = match outcome {
            ValidateOutcome::Code(c) => Some(c.status),
            ValidateOutcome::UnknownOrDiscarded => None,
        };
        if got == want {
            Ok(((), format!("status {}", shown(got.as_ref()))))
        } else {
            Err(format!(
                "status {}, expected {}",
                shown(got.as_ref()),
                shown(want.as_ref())
            ))
        }
    };
    let code = report.step(steps[0], || outbox_code(sandbox, to, id.as_str()));
    match &code {
        Some(code) => {
            let wrong = wrong_code(code);
            report.step(
                "validate a wrong code (PUT /WebApi/Verify/{id}/validate)",
                || validate(wrong, Some(CodeStatus::NotVerified)),
            );
            report.step(steps[2], || {
                validate(code.clone(), Some(CodeStatus::Verified))
            });
            report.step("final status: the id is discarded once verified", || {
                validate(code.clone(), None)
            });
        }
        None => {
            report.skip_all(&steps[1..], "reading the code");
        }
    }
}
