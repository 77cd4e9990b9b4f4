//! Injected failures at TeleSign: a temporary one retried to success, a
//! permanent one reported at once, with "a message may have been sent".

use verify_sandbox::{Fault, Route, Sandbox};
use verify_ureq::telesign::{SendSms, StatusCode};
use verify_ureq::{ProviderConfig, ResponseError};

use super::adapter::{AdapterKind, adapter};
use super::report::Report;

/// One temporary failure retried, one permanent failure reported, at
/// TeleSign through the blocking adapter.
pub fn telesign_faults(report: &mut Report, sandbox: &Sandbox, config: &ProviderConfig) {
    report.section(format!(
        "Injected failures: TeleSign Verify, {}",
        AdapterKind::Blocking.label()
    ));
    let Some(client) = adapter(report, AdapterKind::Blocking, config, None) else {
        report.skip("temporary failure", "building the client");
        report.skip("permanent failure", "building the client");
        return;
    };
    let to = "15555550101";
    report.step(
        "temporary failure: inject status 500 (transaction not attempted) once, send again",
        || {
            sandbox.inject(Route::TeleSignSms, Fault::TeleSignStatus(500), 1);
            let result = client.execute(&SendSms::new(to));
            sandbox.clear_faults();
            let r = result.map_err(|e| format!("the send was not retried to success: {e}"))?;
            let delivered = sandbox.messages_to(to).len();
            if delivered != 1 {
                return Err(format!(
                    "{delivered} messages in the outbox, expected exactly 1"
                ));
            }
            Ok((
                (),
                format!(
                    "retried and sent: reference_id {}, exactly 1 message in the outbox",
                    r.reference_id.as_str()
                ),
            ))
        },
    );
    let to = "15555550102";
    report.step(
        "permanent failure: inject status 504 once, send again",
        || {
            sandbox.inject(Route::TeleSignSms, Fault::TeleSignStatus(504), 1);
            let result = client.execute(&SendSms::new(to));
            sandbox.clear_faults();
            let e = match result {
                Ok(_) => return Err("the send succeeded; expected the 504 to be reported".into()),
                Err(e) => e,
            };
            let status = e
                .response()
                .and_then(|r| match r {
                    ResponseError::TeleSign(t) => t.status,
                    _ => None,
                })
                .map(StatusCode::code);
            if status != Some(504) {
                return Err(format!("unexpected error: {e}"));
            }
            if e.attempts() != 1 {
                return Err(format!("{} attempts, expected 1 (no retry)", e.attempts()));
            }
            if !e.message_may_have_been_sent() {
                return Err("message_may_have_been_sent is false, expected true".into());
            }
            Ok((
                (),
                format!(
                    "reported after 1 attempt, not retried, message_may_have_been_sent = true: {e}"
                ),
            ))
        },
    );
}
