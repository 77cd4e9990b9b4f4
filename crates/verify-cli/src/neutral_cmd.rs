//! `verify start` and `verify check`: the provider-neutral API.

use serde_json::json;
use verify_ureq::neutral::{Check, CheckOutcome, Start, Started, VerificationId};
use verify_ureq::{Code, Operation, Provider, ProviderConfig, Role};

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
    /// The base URL for `provider` and the flag it came from: the
    /// provider-specific flag, else `--base-url`.
    fn base_url_for(&self, provider: Provider) -> (Option<&str>, &'static str) {
        let (specific, flag) = match provider {
            Provider::TeleSign => (self.telesign_base_url.as_deref(), "--telesign-base-url"),
            Provider::Dotdigital => (self.dotdigital_base_url.as_deref(), "--dotdigital-base-url"),
            _ => (None, "--base-url"),
        };
        match (specific, self.base_url.as_deref()) {
            (Some(url), _) => (Some(url), flag),
            (None, Some(url)) => (Some(url), "--base-url"),
            (None, None) => (None, flag),
        }
    }

    /// The settings of `provider`, or the problems with them.
    fn config(
        &self,
        provider: Provider,
        send: &SendOptions,
        problems: &mut Vec<Problem>,
    ) -> Option<ProviderConfig> {
        let (base, base_flag) = self.base_url_for(provider);
        match provider {
            Provider::TeleSign => config::telesign_config(
                self.customer_id.as_deref(),
                self.api_key.as_deref(),
                self.auth,
                base,
                base_flag,
                send,
                problems,
            )
            .map(ProviderConfig::from),
            Provider::Dotdigital => config::dotdigital_config(
                self.username.as_deref(),
                self.password.as_deref(),
                base,
                base_flag,
                send,
                problems,
            )
            .map(ProviderConfig::from),
            other => {
                problems.push(Problem::new(
                    "verification_id",
                    format!("{other} is not supported by this command (telesign or dotdigital)"),
                ));
                None
            }
        }
    }

    /// Checks every base URL that was given, for when the provider is not
    /// known (its credentials cannot be asked for then).
    fn check_base_urls(&self, send: &SendOptions, problems: &mut Vec<Problem>) {
        for (flag, url, default) in [
            (
                "--base-url",
                &self.base_url,
                verify_ureq::telesign::DEFAULT_BASE_URL,
            ),
            (
                "--telesign-base-url",
                &self.telesign_base_url,
                verify_ureq::telesign::DEFAULT_BASE_URL,
            ),
            (
                "--dotdigital-base-url",
                &self.dotdigital_base_url,
                verify_ureq::dotdigital::DEFAULT_BASE_URL,
            ),
        ] {
            if let Some(url) = url {
                config::base_url(flag, Some(url), default, send, problems);
            }
        }
    }
}

/// The blocking client's settings: `primary`, then `backup` when allowed.
fn client_builder(
    primary: ProviderConfig,
    backup: Option<ProviderConfig>,
    failover_when_maybe_sent: bool,
) -> verify_ureq::Builder {
    let builder = verify_ureq::Client::builder(primary);
    match backup {
        Some(b) => builder
            .backup(b)
            .failover_when_maybe_sent(failover_when_maybe_sent),
        None => builder,
    }
}

/// Sends through the blocking adapter built by `builder`.
fn send<O: Operation>(
    op: &O,
    builder: verify_ureq::Builder,
    label: &str,
) -> Result<O::Output, Failure> {
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
    // settings for it: while the primary's settings are broken, check its
    // fields for the primary here, and let `run` add the rest.
    if config.is_none()
        && let Some(c) = config::placeholder(primary)
        && let Err(e) = op.to_request(&c, Role::Primary)
    {
        problems.extend(
            e.errors()
                .iter()
                .map(|f| Problem::new(f.field, f.rule.clone())),
        );
    }
    let failover_when_maybe_sent = a.failover_when_maybe_sent;
    let sent = run::run(&op, config, Role::Primary, &a.send, problems, |op, c| {
        let builder = client_builder(c, backup, failover_when_maybe_sent);
        send(op, builder, "starting the verification")
    })?;
    finish(sent, json_mode, render_started)
}

/// The provider a malformed verification id names, if it names one.
fn named_provider(id: &str) -> Option<Provider> {
    match id.split_once(':')?.0 {
        "telesign" => Some(Provider::TeleSign),
        "dotdigital" => Some(Provider::Dotdigital),
        _ => None,
    }
}

/// A well-formed id of `provider` that stands in for a malformed one, so
/// that the other fields can still be checked and reported in the same run.
fn placeholder_id(provider: Provider) -> Option<VerificationId> {
    match provider {
        Provider::TeleSign => "telesign:00000000000000000000000000000000",
        Provider::Dotdigital => "dotdigital:00000000-0000-0000-0000-000000000000",
        _ => return None,
    }
    .parse()
    .ok()
}

/// `verify check`.
pub fn check(a: CheckArgs, json_mode: bool) -> Result<(), Failure> {
    let mut problems = Vec::new();
    let given = a.id.trim();
    let id = match given.parse::<VerificationId>() {
        Ok(id) => Some(id),
        Err(e) => {
            problems.extend(
                e.errors()
                    .iter()
                    .map(|f| Problem::new(f.field, f.rule.clone())),
            );
            named_provider(given).and_then(placeholder_id)
        }
    };
    let Some(id) = id else {
        // No provider to check the settings and the code for: check what
        // does not depend on it, then report everything.
        a.accounts.check_base_urls(&a.send, &mut problems);
        run::check_overrides(&a.send, &mut problems);
        return Err(Failure::Usage(problems));
    };
    let config = a.accounts.config(id.provider(), &a.send, &mut problems);
    let op = Check::new(id, Code::new(a.code.clone()));
    let sent: Sent<CheckOutcome> =
        run::run(&op, config, Role::Primary, &a.send, problems, |op, c| {
            send(op, client_builder(c, None, false), "checking the code")
        })?;
    finish(sent, json_mode, render_outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failover_when_maybe_sent_reaches_the_settings() {
        let primary = config::placeholder(Provider::TeleSign).unwrap();
        let backup = config::placeholder(Provider::Dotdigital);
        for wanted in [false, true] {
            let builder = client_builder(primary.clone(), backup.clone(), wanted);
            let settings = format!("{:?}", builder.settings());
            assert!(
                settings.contains(&format!("failover_when_maybe_sent: {wanted}")),
                "{settings}"
            );
        }
    }

    #[test]
    fn malformed_ids_still_name_their_provider() {
        assert_eq!(named_provider("telesign:xyz"), Some(Provider::TeleSign));
        assert_eq!(named_provider("dotdigital:"), Some(Provider::Dotdigital));
        assert_eq!(named_provider("sms:123"), None);
        assert_eq!(named_provider("nothing"), None);
        for p in [Provider::TeleSign, Provider::Dotdigital] {
            assert_eq!(placeholder_id(p).map(|id| id.provider()), Some(p));
        }
    }
}
