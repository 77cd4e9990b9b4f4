//! The TeleSign Verify flow through one adapter: send, read the code, check
//! a wrong code and the right one, read the final status, complete.

use verify_sandbox::Sandbox;
use verify_ureq::telesign::{CheckCode, CodeCheck, Complete, GetStatus, SendSms};
use verify_ureq::{Code, ProviderConfig};

use crate::render;

use super::adapter::{AdapterKind, adapter};
use super::outbox::{outbox_code, wrong_code};
use super::report::{Report, StepResult};

/// A code check as the demo shows it: TeleSign's `code_state` when the
/// outcome has one, else the outcome.
fn shown(check: &CodeCheck) -> String {
    match render::code_state_of(check) {
        Some(state) => format!("code_state {}", state.as_str()),
        None => format!("code check {}", render::code_check_words(check).0),
    }
}

/// Send, read the code, a wrong code, the right code, final status and
/// completion, at TeleSign through one adapter.
pub fn telesign_flow(
    report: &mut Report,
    sandbox: &Sandbox,
    config: &ProviderConfig,
    kind: AdapterKind,
    to: &str,
) {
    report.section(format!(
        "TeleSign Verify, {}, HMAC-SHA256 signatures",
        kind.label()
    ));
    let steps = [
        "read the code from the sandbox outbox",
        "check a wrong code",
        "check the right code",
        "final status",
        "completion",
    ];
    let Some(client) = adapter(report, kind, config, None) else {
        return report.skip_all(&steps, "building the client");
    };
    let sent = report.step(
        format!("send SMS code to {to} (POST /v1/verify/sms)"),
        || {
            let r = client
                .execute(&SendSms::new(to))
                .map_err(|e| e.to_string())?;
            let status = r.status.code.code();
            if status != 290 {
                return Err(format!("status {status}, expected 290 Message in progress"));
            }
            let detail = format!(
                "reference_id {}, status 290 Message in progress",
                r.reference_id.as_str()
            );
            Ok((r.reference_id, detail))
        },
    );
    let Some(id) = sent else {
        return report.skip_all(&steps, "the send");
    };
    let code = report.step(steps[0], || outbox_code(sandbox, to, id.as_str()));
    let check = |code: Code, want: CodeCheck| -> StepResult<()> {
        let got = client
            .execute(&CheckCode::new(id, code))
            .map_err(|e| e.to_string())?;
        if got == want {
            Ok(((), shown(&got)))
        } else {
            Err(format!("{}, expected {}", shown(&got), shown(&want)))
        }
    };
    match &code {
        Some(code) => {
            let wrong = wrong_code(code);
            report.step(
                "check a wrong code (GET /v1/verify/{id}?verify_code=...)",
                || check(wrong, CodeCheck::Invalid),
            );
            report.step(steps[2], || check(code.clone(), CodeCheck::Valid));
        }
        None => {
            report.skip(steps[1], "reading the code");
            report.skip(steps[2], "reading the code");
        }
    }
    report.step("final status (GET /v1/verify/{id})", || {
        let r = client
            .execute(&GetStatus::new(id))
            .map_err(|e| e.to_string())?;
        let s = &r.status;
        Ok(((), format!("status {} {}", s.code.code(), s.description)))
    });
    report.step("completion (PUT /v1/verify/completion/{id})", || {
        let r = client
            .execute(&Complete::new(id))
            .map_err(|e| e.to_string())?;
        let s = &r.status;
        if s.code.code() != 1900 {
            return Err(format!(
                "status {}, expected 1900 Verification completed",
                s.code.code()
            ));
        }
        Ok(((), format!("status 1900 {}", s.description)))
    });
}
