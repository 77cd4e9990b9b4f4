//! TeleSign's Verify API through one adapter: a process that tries SMS,
//! then WhatsApp once the SMS has gone unanswered for its fallback time (the
//! deterministic sandbox's clock is moved past it), finalized with a wrong
//! code and the right one, then read back.

use std::time::Duration;

use verify_sandbox::{Channel, Sandbox, SandboxProvider};
use verify_ureq::telesign_verify::{
    CreateVerification, Finalization, FinalizeVerification, GetVerification, Method, PolicyStep,
    State,
};
use verify_ureq::{Code, ProviderConfig};

use crate::telesign_verify_cmd::finalization_words;

use super::adapter::{AdapterKind, adapter};
use super::outbox::wrong_code;
use super::report::{Report, StepResult};

/// How long the SMS is given before WhatsApp is tried.
const SMS_FALLBACK_SECONDS: u32 = 30;

/// The Verify API messages the sandbox "delivered" for the process `id`,
/// by channel, in order.
fn channels(sandbox: &Sandbox, to: &str, id: &str) -> Vec<(Channel, String)> {
    sandbox
        .messages_to(to)
        .into_iter()
        .filter(|m| {
            m.provider == SandboxProvider::TelesignVerify
                && m.verification_id.eq_ignore_ascii_case(id)
        })
        .map(|m| (m.channel, m.code))
        .collect()
}

/// Create (SMS, then WhatsApp), let the SMS go unanswered, read the code
/// from WhatsApp, finalize a wrong and the right code, read the final state.
pub fn telesign_verify_flow(
    report: &mut Report,
    sandbox: &Sandbox,
    config: &ProviderConfig,
    kind: AdapterKind,
    to: &str,
) {
    report.section(format!(
        "TeleSign's Verify API, {}, HMAC signatures: SMS, then WhatsApp when the SMS goes unanswered",
        kind.label()
    ));
    let steps = [
        "leave the SMS unanswered past its fallback time",
        "read the code from the WhatsApp message in the sandbox outbox",
        "finalize with a wrong code",
        "finalize with the right code",
        "final state",
    ];
    let Some(client) = adapter(report, kind, config, None) else {
        return report.skip_all(&steps, "building the client");
    };
    let created = report.step(
        format!(
            "create a verification of {to}: sms with a {SMS_FALLBACK_SECONDS} s fallback, then whatsapp (POST /verification)"
        ),
        || {
            let op = CreateVerification::new()
                .phone_number(to)
                .then(PolicyStep::with_fallback(Method::Sms, SMS_FALLBACK_SECONDS))
                .then(PolicyStep::new(Method::Whatsapp));
            let c = client.execute(&op).map_err(|e| e.to_string())?;
            let id = c.reference_id.as_str().to_owned();
            if c.state != State::Ongoing || c.status.code.code() != 3901 {
                return Err(format!(
                    "status {}, state {}, expected 3901 and ONGOING",
                    c.status.code.code(),
                    c.state.as_str()
                ));
            }
            let sent: Vec<Channel> = channels(sandbox, to, &id).into_iter().map(|(c, _)| c).collect();
            if sent != [Channel::Sms] {
                return Err(format!("outbox: {sent:?}, expected one SMS"));
            }
            let detail = format!(
                "reference_id {id}, status 3901 {}, state ONGOING; outbox: 1 SMS, nothing on WhatsApp yet",
                c.status.description
            );
            Ok((c.reference_id, detail))
        },
    );
    let Some(id) = created else {
        return report.skip_all(&steps, "the create");
    };
    let fell_back = report.step(
        format!(
            "leave the SMS unanswered past its fallback time: advance the sandbox clock {SMS_FALLBACK_SECONDS} s"
        ),
        || {
            sandbox
                .clock()
                .advance(Duration::from_secs(u64::from(SMS_FALLBACK_SECONDS)));
            let sent: Vec<Channel> = channels(sandbox, to, id.as_str())
                .into_iter()
                .map(|(c, _)| c)
                .collect();
            if sent != [Channel::Sms, Channel::Whatsapp] {
                return Err(format!(
                    "outbox: {sent:?}, expected an SMS, then a WhatsApp message"
                ));
            }
            Ok((
                (),
                "outbox: the SMS, then a WhatsApp message for the same process".to_owned(),
            ))
        },
    );
    if fell_back.is_none() {
        return report.skip_all(&steps[1..], "the fallback");
    }
    let code = report.step(steps[1], || {
        let code = channels(sandbox, to, id.as_str())
            .into_iter()
            .find(|(c, _)| *c == Channel::Whatsapp)
            .map(|(_, code)| code)
            .ok_or("no WhatsApp message in the outbox")?;
        let detail = format!("sandbox outbox (fake code, shown on purpose): \"{code}\"");
        Ok((Code::new(code), detail))
    });
    let finalize = |code: Code, want: Finalization, status: u16| -> StepResult<()> {
        let got = client
            .execute(&FinalizeVerification::new(id, code))
            .map_err(|e| e.to_string())?;
        let words = |f: &Finalization| finalization_words(f).0;
        if got == want {
            Ok(((), format!("status {status}: {}", words(&got))))
        } else {
            Err(format!("{}, expected {}", words(&got), words(&want)))
        }
    };
    match &code {
        Some(code) => {
            report.step(
                "finalize with a wrong code (PATCH /verification/{id}/state)",
                || finalize(wrong_code(code), Finalization::WrongCode, 3904),
            );
            report.step(steps[3], || {
                finalize(code.clone(), Finalization::Verified, 3900)
            });
        }
        None => report.skip_all(&steps[2..4], "reading the code"),
    }
    report.step("final state (GET /verification/{id})", || {
        let v = client
            .execute(&GetVerification::new(id))
            .map_err(|e| e.to_string())?;
        let inner: Vec<String> = v
            .inner_methods
            .iter()
            .map(|m| format!("{} {}", m.method.as_str(), m.state.as_str()))
            .collect();
        let detail = format!(
            "state {}; inner methods: {}",
            v.state.as_str(),
            inner.join(", ")
        );
        let want = ["sms SKIPPED", "whatsapp VERIFIED"];
        if v.state == State::Verified && inner == want {
            Ok(((), detail))
        } else {
            Err(format!(
                "{detail}; expected state VERIFIED; inner methods: {}",
                want.join(", ")
            ))
        }
    });
}
