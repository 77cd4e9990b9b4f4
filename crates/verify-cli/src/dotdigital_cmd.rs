//! `verify dotdigital send|validate`.

use std::time::SystemTime;

use verify_ureq::dotdigital::{RequestId, SendCode, ValidateCode};
use verify_ureq::{Code, Role};

use crate::cli::DotdigitalCommand;
use crate::failure::{Failure, Problem};
use crate::guard::Protection;
use crate::render;
use crate::run;
use crate::segments_cmd;
use crate::telesign_cmd::finish;
use crate::transport;

/// A well-formed id that stands in for a malformed one, so that the other
/// fields can still be checked and reported in the same run.
const PLACEHOLDER_ID: &str = "00000000-0000-0000-0000-000000000000";

/// Runs one dotdigital command.
pub fn run(command: DotdigitalCommand, json_mode: bool) -> Result<(), Failure> {
    match command {
        DotdigitalCommand::Send(a) => {
            let mut problems = Vec::new();
            let config = a.account.config(&a.send, &mut problems);
            let protection = Protection::for_send(&a.guard, false, &mut problems);
            let mut op = SendCode::new(a.to.clone(), a.from.clone());
            for key in protection.client_keys() {
                op = op.client_key(key.clone());
            }
            if let Some(c) = &a.country_iso_code {
                op = op.country_iso_code(c.clone());
            }
            if let Some(b) = &a.body {
                op = op.body(b.clone());
            }
            if let Some(until) = &a.valid_until {
                match humantime::parse_rfc3339(until) {
                    Ok(t) => op = op.valid_until(t, SystemTime::now()),
                    Err(_) => problems.push(Problem::new(
                        "validUntil",
                        "must be a UTC ISO 8601 time such as 2015-10-21T13:28:06.419Z",
                    )),
                }
            }
            let warning = a
                .body
                .as_deref()
                .and_then(|b| segments_cmd::warning(b, None));
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
                        "sending the code (dotdigital; may take up to 130 s)",
                    )
                },
            )?;
            finish(sent, json_mode, render::dotdigital_code)
        }
        DotdigitalCommand::Validate(a) => {
            let mut problems = Vec::new();
            let config = a.account.config(&a.send, &mut problems);
            let id = match RequestId::new(a.request_id.trim()) {
                Ok(id) => id,
                Err(e) => {
                    problems.extend(e.errors().iter().map(Problem::from_field));
                    RequestId::new(PLACEHOLDER_ID)
                        .unwrap_or_else(|_| unreachable!("the placeholder id is a GUID"))
                }
            };
            let op = ValidateCode::new(id, Code::new(a.code.clone()));
            let sent = run::run(&op, config, Role::Primary, &a.send, problems, |op, c, n| {
                transport::send(
                    op,
                    c,
                    n,
                    "validating the code (dotdigital; may take up to 130 s)",
                )
            })?;
            finish(sent, json_mode, render::dotdigital_validate)
        }
    }
}
