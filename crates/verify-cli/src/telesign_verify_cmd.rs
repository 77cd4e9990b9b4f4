//! `verify telesign verification create|get|finalize`: TeleSign's Verify
//! API, one process over several channels, finalized with the user's code.

use serde_json::{Value, json};
use verify_ureq::telesign_verify::{
    CreateVerification, Created, Finalization, FinalizeVerification, GetVerification, Method,
    PolicyStep, Verification,
};
use verify_ureq::{Code, Role};

use crate::cli::{TeleSignVerificationCommand, VerificationCreateArgs};
use crate::failure::{Failure, Problem};
use crate::guard::Protection;
use crate::render::Rendered;
use crate::run;
use crate::telesign_cmd::{finish, reference_id};
use crate::transport;

/// Runs one Verify API command.
pub fn run(command: TeleSignVerificationCommand, json_mode: bool) -> Result<(), Failure> {
    match command {
        TeleSignVerificationCommand::Create(a) => create(a, json_mode),
        TeleSignVerificationCommand::Get(a) => {
            let mut problems = Vec::new();
            let config = a.account.config(&a.send, &mut problems);
            let op = GetVerification::new(reference_id(&a.reference_id, &mut problems));
            let sent = run::run(&op, config, Role::Primary, &a.send, problems, |op, c, n| {
                transport::send(op, c, n, "reading the verification")
            })?;
            finish(sent, json_mode, verification)
        }
        TeleSignVerificationCommand::Finalize(a) => {
            let mut problems = Vec::new();
            let config = a.account.config(&a.send, &mut problems);
            let id = reference_id(&a.reference_id, &mut problems);
            let op = FinalizeVerification::new(id, Code::new(a.code.clone()));
            let sent = run::run(&op, config, Role::Primary, &a.send, problems, |op, c, n| {
                transport::send(op, c, n, "finalizing the verification")
            })?;
            finish(sent, json_mode, |f| finalization(&op, f))
        }
    }
}

/// One `--method` value: `METHOD` or `METHOD:SECONDS`. The method's name is
/// the core's to judge (an unknown one breaks a `verification_policy` rule);
/// only seconds that are not a number are refused here.
fn policy_step(value: &str, problems: &mut Vec<Problem>) -> PolicyStep {
    let (name, seconds) = match value.split_once(':') {
        Some((name, seconds)) => (name, Some(seconds)),
        None => (value, None),
    };
    let method = Method::parse(name.trim());
    match seconds.map(|s| s.trim().parse::<u32>()) {
        None => PolicyStep::new(method),
        Some(Ok(secs)) => PolicyStep::with_fallback(method, secs),
        Some(Err(_)) => {
            problems.push(Problem::new(
                "--method",
                format!(
                    "{value:?}: the fallback time after ':' must be a whole number of seconds, e.g. sms:30"
                ),
            ));
            PolicyStep::new(method)
        }
    }
}

/// `verify telesign verification create`.
fn create(a: VerificationCreateArgs, json_mode: bool) -> Result<(), Failure> {
    let mut problems = Vec::new();
    let config = a.account.config(&a.send, &mut problems);
    let protection = Protection::for_send(&a.guard, false, &mut problems);
    let mut op = CreateVerification::new();
    op.client_keys = protection.client_keys().to_vec();
    op.phone_number = a.to.clone();
    op.email = a.email.clone();
    op.push_app_token = a.push_app_token.clone();
    op.policy = a
        .methods
        .iter()
        .map(|m| policy_step(m, &mut problems))
        .collect();
    op.security_factor = a.code.clone().map(Code::new);
    op.external_id = a.external_id.clone();
    op.message_template = a.template.clone();
    let warning = protection.warned(None);
    let sent = run::run_warned(
        &op,
        config,
        Role::Primary,
        &a.send,
        problems,
        warning,
        None,
        |op, c, n| {
            transport::send_guarded(
                op,
                c,
                n,
                &protection,
                "starting the verification (TeleSign Verify API)",
            )
        },
    )?;
    finish(sent, json_mode, created)
}

/// A policy as one line: `sms 30 s, whatsapp 60 s`.
fn policy_line(policy: &[PolicyStep]) -> String {
    if policy.is_empty() {
        return "the account's routing".to_owned();
    }
    policy
        .iter()
        .map(|s| match s.fallback_time {
            Some(t) => format!("{} {t} s", s.method.as_str()),
            None => s.method.as_str().to_owned(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn policy_json(policy: &[PolicyStep]) -> Value {
    policy
        .iter()
        .map(|s| json!({"method": s.method.as_str(), "fallback_time": s.fallback_time}))
        .collect()
}

/// What to do after a create: finalize.
fn finalize_reminder(reference_id: &str) -> String {
    format!(
        "finalize it with the code the user types: verify telesign verification finalize --reference-id {reference_id} --code <code> (mandatory: TeleSign bills the next channel of a process that is not finalized)"
    )
}

/// A process the Verify API started.
fn created(c: &Created) -> Rendered {
    let id = c.reference_id.as_str();
    let reminder = finalize_reminder(id);
    Rendered {
        lines: vec![
            format!("reference_id: {id}"),
            format!(
                "status:       {} {}",
                c.status.code.code(),
                c.status.description
            ),
            format!("state:        {}", c.state.as_str()),
            format!("policy:       {}", policy_line(&c.policy)),
            format!("reminder:     {reminder}"),
        ],
        json: json!({
            "provider": "telesign_verify",
            "reference_id": id,
            "status": {"code": c.status.code.code(), "description": c.status.description},
            "state": c.state.as_str(),
            "policy": policy_json(&c.policy),
            "must_finalize": true,
            "reminder": reminder,
        }),
    }
}

/// A process as a retrieve (or a callback) describes it.
pub fn verification(v: &Verification) -> Rendered {
    let mut lines = vec![
        format!("reference_id: {}", v.reference_id.as_str()),
        format!("state:        {}", v.state.as_str()),
        format!("policy:       {}", policy_line(&v.policy)),
    ];
    if let Some(x) = &v.external_id {
        lines.push(format!("external_id:  {x}"));
    }
    for (label, t) in [("created_on", &v.created_on), ("updated_on", &v.updated_on)] {
        if let Some(t) = t {
            lines.push(format!("{label}:   {t}"));
        }
    }
    for (i, m) in v.inner_methods.iter().enumerate() {
        let mut line = format!(
            "method {}:     {} {}",
            i + 1,
            m.method.as_str(),
            m.state.as_str()
        );
        if let Some(t) = &m.tried_on {
            line.push_str(&format!(", tried_on {t}"));
        }
        if let (Some(code), msg) = (m.error_code, &m.error_message) {
            line.push_str(&format!(", error {code} {}", msg.as_deref().unwrap_or("")));
        }
        lines.push(line);
    }
    let inner: Vec<Value> = v
        .inner_methods
        .iter()
        .map(|m| {
            json!({
                "method": m.method.as_str(),
                "state": m.state.as_str(),
                "error_code": m.error_code,
                "error_message": m.error_message,
                "tried_on": m.tried_on,
                "updated_on": m.updated_on,
                "expires_on": m.expires_on,
            })
        })
        .collect();
    Rendered {
        lines,
        json: json!({
            "provider": "telesign_verify",
            "reference_id": v.reference_id.as_str(),
            "state": v.state.as_str(),
            "policy": policy_json(&v.policy),
            "inner_methods": inner,
            "created_on": v.created_on,
            "updated_on": v.updated_on,
            "external_id": v.external_id,
        }),
    }
}

/// How a finalization reads: for humans, and as the JSON value.
pub fn finalization_words(f: &Finalization) -> (&'static str, &'static str) {
    match f {
        Finalization::Verified => ("verified", "verified"),
        Finalization::WrongCode => ("wrong code", "wrong_code"),
        Finalization::Rejected => ("rejected", "rejected"),
        Finalization::NotFoundOrFinished => ("not found or finished", "not_found_or_finished"),
        _ => ("unknown", "unknown"),
    }
}

/// A finalize's outcome: every one is an answer (exit 0).
fn finalization(op: &FinalizeVerification, f: &Finalization) -> Rendered {
    let (human, word) = finalization_words(f);
    let detail = match f {
        Finalization::Unknown(what) => Some(what.as_str()),
        _ => None,
    };
    let explanation = match f {
        Finalization::Verified => "the right code: the process is VERIFIED",
        Finalization::WrongCode => "the user may try again",
        Finalization::Rejected => "no attempt left: the process is REJECTED",
        Finalization::NotFoundOrFinished => {
            "the process is unknown, already finished, or its code expired"
        }
        _ => "an answer this version does not know",
    };
    let id = op.reference_id.as_str();
    Rendered {
        lines: vec![
            format!("reference_id: {id}"),
            match detail {
                Some(d) => format!("finalization: {human} ({d})"),
                None => format!("finalization: {human} ({explanation})"),
            },
        ],
        json: json!({
            "provider": "telesign_verify",
            "reference_id": id,
            "finalization": word,
            "verified": f.is_verified(),
            "detail": detail,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_values_become_policy_steps() {
        let mut problems = Vec::new();
        assert_eq!(
            policy_step("sms:30", &mut problems),
            PolicyStep::with_fallback(Method::Sms, 30)
        );
        assert_eq!(
            policy_step("WhatsApp", &mut problems),
            PolicyStep::new(Method::Whatsapp)
        );
        assert!(problems.is_empty());
        // An unknown method is left for the core's policy rules.
        assert!(matches!(
            policy_step("pigeon", &mut problems).method,
            Method::Unknown(_)
        ));
        assert!(problems.is_empty());
        policy_step("sms:soon", &mut problems);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "--method");
    }

    #[test]
    fn every_finalization_has_its_own_words() {
        let all = [
            Finalization::Verified,
            Finalization::WrongCode,
            Finalization::Rejected,
            Finalization::NotFoundOrFinished,
            Finalization::Unknown("status 3999".into()),
        ];
        let words: Vec<_> = all.iter().map(finalization_words).collect();
        for (i, w) in words.iter().enumerate() {
            assert!(!words[..i].contains(w), "{w:?} twice");
        }
    }

    #[test]
    fn policies_read_in_order() {
        let p = [
            PolicyStep::with_fallback(Method::Sms, 30),
            PolicyStep::with_fallback(Method::Whatsapp, 60),
        ];
        assert_eq!(policy_line(&p), "sms 30 s, whatsapp 60 s");
        assert_eq!(policy_line(&[]), "the account's routing");
    }
}
