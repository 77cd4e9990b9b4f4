//! `verify telesign send|voice|status|complete`.

use verify_ureq::telesign::{CheckCode, Complete, GetStatus, ReferenceId, SendCall, SendSms, Ucid};
use verify_ureq::{Code, Role};

use crate::cli::{TeleSignCommand, TeleSignStatusArgs};
use crate::failure::{Failure, Problem};
use crate::guard::Protection;
use crate::render;
use crate::run::{self, Sent};
use crate::segments_cmd;
use crate::transport;
use crate::{callback_cmd, telesign_verify_cmd};

/// A well-formed id that stands in for a malformed one, so that the other
/// fields can still be checked and reported in the same run.
const PLACEHOLDER_ID: &str = "00000000000000000000000000000000";

/// The reference id `value` names, or a placeholder and the problem with it.
pub fn reference_id(value: &str, problems: &mut Vec<Problem>) -> ReferenceId {
    match ReferenceId::new(value.trim()) {
        Ok(id) => id,
        Err(e) => {
            problems.extend(e.errors().iter().map(Problem::from_field));
            ReferenceId::new(PLACEHOLDER_ID)
                .unwrap_or_else(|_| unreachable!("the placeholder id is 32 hex digits"))
        }
    }
}

fn ucid(value: Option<&str>, problems: &mut Vec<Problem>) -> Option<Ucid> {
    match value?.parse::<Ucid>() {
        Ok(u) => Some(u),
        Err(e) => {
            problems.extend(e.errors().iter().map(Problem::from_field));
            None
        }
    }
}

/// Runs one TeleSign command.
pub fn run(command: TeleSignCommand, json_mode: bool) -> Result<(), Failure> {
    match command {
        TeleSignCommand::Send(a) => {
            let mut problems = Vec::new();
            let config = a.account.config(&a.send, &mut problems);
            let protection = Protection::for_send(&a.guard, false, &mut problems);
            let mut op = SendSms::new(a.to.clone());
            op.client_keys = protection.client_keys().to_vec();
            op.ucid = ucid(a.ucid.as_deref(), &mut problems);
            op.originating_ip = a.originating_ip.clone();
            op.language = a.language.clone();
            op.verify_code = a.code.clone().map(Code::new);
            op.template = a.template.clone();
            op.sender_id = a.sender_id.clone();
            op.dlt_template_id = a.dlt_template_id.clone();
            op.dlt_entity_id = a.dlt_entity_id.clone();
            op.transaction_amount = a.transaction_amount.clone();
            op.transaction_payee = a.transaction_payee.clone();
            op.sim_swap_check = a.sim_swap_check;
            op.template_limit = a.template_limit;
            op.is_primary = a.backup.then_some(false);
            let warning = a.template.as_deref().and_then(|t| {
                segments_cmd::warning(
                    &with_transaction(t, &a.transaction_amount, &a.transaction_payee),
                    a.code.as_deref().map(str::len),
                )
            });
            let sent = run::run_warned(
                &op,
                config,
                Role::Primary,
                &a.send,
                problems,
                protection.warned(warning),
                None,
                |op, c, n| {
                    transport::send_guarded(
                        op,
                        c,
                        n,
                        &protection,
                        "sending the code (TeleSign SMS)",
                    )
                },
            )?;
            finish(sent, json_mode, render::telesign_sent)
        }
        TeleSignCommand::Voice(a) => {
            let mut problems = Vec::new();
            let config = a.account.config(&a.send, &mut problems);
            let protection = Protection::for_send(&a.guard, false, &mut problems);
            let mut op = SendCall::new(a.to.clone());
            op.client_keys = protection.client_keys().to_vec();
            op.ucid = ucid(a.ucid.as_deref(), &mut problems);
            op.originating_ip = a.originating_ip.clone();
            op.language = a.language.clone();
            op.verify_code = a.code.clone().map(Code::new);
            op.tts_message = a.tts_message.clone();
            op.is_primary = a.backup.then_some(false);
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
                        "placing the call (TeleSign voice)",
                    )
                },
            )?;
            finish(sent, json_mode, render::telesign_sent)
        }
        TeleSignCommand::Status(a) => status(a, json_mode),
        TeleSignCommand::Verification(c) => telesign_verify_cmd::run(c, json_mode),
        TeleSignCommand::Callback(a) => callback_cmd::run(&a, json_mode),
        TeleSignCommand::Complete(a) => {
            let mut problems = Vec::new();
            let config = a.account.config(&a.send, &mut problems);
            let op = Complete::new(reference_id(&a.reference_id, &mut problems));
            let sent = run::run(&op, config, Role::Primary, &a.send, problems, |op, c, n| {
                transport::send(op, c, n, "completing the verification")
            })?;
            finish(sent, json_mode, render::telesign_completed)
        }
    }
}

/// A TeleSign template with the transaction's amount and payee in place of
/// `$$AMOUNT$$` and `$$PAYEE$$`, when given, as TeleSign sends it.
fn with_transaction(template: &str, amount: &Option<String>, payee: &Option<String>) -> String {
    let mut text = template.to_owned();
    if let Some(a) = amount {
        text = text.replace("$$AMOUNT$$", a);
    }
    if let Some(p) = payee {
        text = text.replace("$$PAYEE$$", p);
    }
    text
}

/// `verify telesign status`: with `--code`, a check of that code
/// ([`CheckCode`]); without, the delivery status ([`GetStatus`]). Every
/// outcome of a check (a wrong code, an unknown reference id) is printed
/// and exits 0, as an `INVALID` code state always did.
fn status(a: TeleSignStatusArgs, json_mode: bool) -> Result<(), Failure> {
    let mut problems = Vec::new();
    let config = a.account.config(&a.send, &mut problems);
    let id = reference_id(&a.reference_id, &mut problems);
    match &a.code {
        Some(code) => {
            let op = CheckCode::new(id, Code::new(code.clone()));
            let sent = run::run(&op, config, Role::Primary, &a.send, problems, |op, c, n| {
                transport::send(op, c, n, "checking the code")
            })?;
            finish(sent, json_mode, |check| {
                render::telesign_code_check(&op.reference_id, check)
            })
        }
        None => {
            let op = GetStatus::new(id);
            let sent = run::run(&op, config, Role::Primary, &a.send, problems, |op, c, n| {
                transport::send(op, c, n, "reading the status")
            })?;
            finish(sent, json_mode, render::telesign_status)
        }
    }
}

/// Prints what a command ended with.
pub fn finish<T>(
    sent: Sent<T>,
    json_mode: bool,
    render: impl FnOnce(&T) -> render::Rendered,
) -> Result<(), Failure> {
    match sent {
        Sent::Printed(request, send) => run::print_request(&request, json_mode, &send),
        Sent::Answered(output) => render(&output).print(json_mode),
    }
    Ok(())
}
