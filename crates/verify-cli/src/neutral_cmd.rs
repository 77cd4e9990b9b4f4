//! `verify start` and `verify check`: the provider-neutral API.

use serde_json::json;
use verify_core::neutral::{Check, CheckOutcome, Start, Started, VerificationId};
use verify_core::{Code, Operation, Provider, ProviderConfig, Role};

use crate::cli::{CheckArgs, NeutralAccounts, ProviderArg, SendOptions, StartArgs};
use crate::config;
use crate::failure::{Failure, Problem};
use crate::render::Rendered;
use crate::run::{self, Sent};
use crate::spinner::Spinner;
use crate::telesign_cmd::finish;
use crate::transport;

fn provider(p: ProviderArg) -> Provider {
    match p {
        ProviderArg::Telesign => Provider::TeleSign,
        ProviderArg::Dotdigital => Provider::Dotdigital,
    }
}

impl NeutralAccounts {
    /// The settings of `provider`, or the problems with them.
    fn config(
        &self,
        provider: Provider,
        send: &SendOptions,
        problems: &mut Vec<Problem>,
    ) -> Option<ProviderConfig> {
        match provider {
            Provider::TeleSign => config::telesign_config(
                self.customer_id.as_deref(),
                self.api_key.as_deref(),
                self.auth,
                self.telesign_base_url
                    .as_deref()
                    .or(self.base_url.as_deref()),
                "--telesign-base-url",
                send,
                problems,
            )
            .map(ProviderConfig::from),
            Provider::Dotdigital => config::dotdigital_config(
                self.username.as_deref(),
                self.password.as_deref(),
                self.dotdigital_base_url
                    .as_deref()
                    .or(self.base_url.as_deref()),
                "--dotdigital-base-url",
                send,
                problems,
            )
            .map(ProviderConfig::from),
        }
    }
}

/// Sends through the blocking adapter, failing over to `backup` when allowed.
fn send<O: Operation>(
    op: &O,
    primary: ProviderConfig,
    backup: Option<ProviderConfig>,
    label: &str,
) -> Result<O::Output, Failure> {
    let mut builder = verify_ureq::Client::builder(primary);
    if let Some(b) = backup {
        builder = builder.backup(b);
    }
    let client = builder.build();
    let _spinner = Spinner::start(label);
    client.execute(op).map_err(|e| transport::failure(&e))
}

fn render_started(s: &Started) -> Rendered {
    Rendered {
        lines: vec![
            format!("id:       {}", s.id),
            format!("delivery: {:?}", s.delivery),
            format!(
                "message_may_have_been_sent: {}",
                s.message_may_have_been_sent
            ),
        ],
        json: json!({
            "id": s.id.to_string(),
            "provider": s.id.provider().to_string(),
            "delivery": format!("{:?}", s.delivery),
            "message_may_have_been_sent": s.message_may_have_been_sent,
        }),
    }
}

fn render_outcome(o: &CheckOutcome) -> Rendered {
    Rendered {
        lines: vec![format!("outcome: {o:?}")],
        json: json!({"outcome": format!("{o:?}"), "verified": o.is_verified()}),
    }
}

/// `verify start`.
pub fn start(a: StartArgs, json_mode: bool) -> Result<(), Failure> {
    let mut problems = Vec::new();
    let primary = provider(a.provider);
    let config = a.accounts.config(primary, &a.send, &mut problems);
    let backup = match a.backup.map(provider) {
        Some(b) if b == primary => {
            problems.push(Problem::new("--backup", "must differ from --provider"));
            None
        }
        Some(b) => a.accounts.config(b, &a.send, &mut problems),
        None => None,
    };
    let mut op = Start::new(a.to.clone());
    if let Some(c) = &a.code {
        op = op.code(Code::new(c.clone()));
    }
    if let Some(t) = &a.template {
        op = op.template(t.clone());
    }
    if let Some(s) = &a.sender {
        op = op.sender(s.clone());
    }
    // A neutral start names no provider, so `run` cannot pick placeholder
    // settings for it: check its fields for the primary here.
    let validate_for = config.clone().or_else(|| config::placeholder(primary));
    if config.is_none()
        && let Some(c) = &validate_for
        && let Err(e) = op.to_request(c, Role::Primary)
    {
        problems.extend(
            e.errors()
                .iter()
                .map(|f| Problem::new(f.field, f.rule.clone())),
        );
        return Err(Failure::Usage(problems));
    }
    let sent = run::run(&op, config, Role::Primary, &a.send, problems, |op, c| {
        send(op, c, backup, "starting the verification")
    })?;
    finish(sent, json_mode, render_started)
}

/// `verify check`.
pub fn check(a: CheckArgs, json_mode: bool) -> Result<(), Failure> {
    let mut problems = Vec::new();
    let id = match a.id.trim().parse::<VerificationId>() {
        Ok(id) => Some(id),
        Err(e) => {
            problems.extend(
                e.errors()
                    .iter()
                    .map(|f| Problem::new(f.field, f.rule.clone())),
            );
            None
        }
    };
    let Some(id) = id else {
        return Err(Failure::Usage(problems));
    };
    let config = a.accounts.config(id.provider(), &a.send, &mut problems);
    let op = Check::new(id, Code::new(a.code.clone()));
    let sent: Sent<CheckOutcome> =
        run::run(&op, config, Role::Primary, &a.send, problems, |op, c| {
            send(op, c, None, "checking the code")
        })?;
    finish(sent, json_mode, render_outcome)
}
