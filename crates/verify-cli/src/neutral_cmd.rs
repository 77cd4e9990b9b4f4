//! `verify start` and `verify check`: the provider-neutral API.

use serde_json::json;
use verify_ureq::neutral::{Check, CheckOutcome, Start, Started, VerificationId};
use verify_ureq::{Code, Operation, Provider, ProviderConfig, Role};

use crate::cli::{CheckArgs, NeutralAccounts, ProviderArg, SendOptions, StartArgs};
use crate::config;
use crate::failure::{Failure, Problem};
use crate::render::Rendered;
use crate::run::{self, Sent};
use crate::segments_cmd;
use crate::telesign_cmd::finish;
use crate::transport::{self, Network};

fn provider(p: ProviderArg) -> Provider {
    match p {
        ProviderArg::Telesign => Provider::TeleSign,
        ProviderArg::Dotdigital => Provider::Dotdigital,
        ProviderArg::TelesignVerify => Provider::TeleSignVerify,
    }
}

impl NeutralAccounts {
    /// The base URL for `provider` and the flag it came from: the
    /// provider-specific flag, else `--base-url`.
    fn base_url_for(&self, provider: Provider) -> (Option<&str>, &'static str) {
        let (specific, flag) = match provider {
            Provider::TeleSign => (self.telesign_base_url.as_deref(), "--telesign-base-url"),
            Provider::Dotdigital => (self.dotdigital_base_url.as_deref(), "--dotdigital-base-url"),
            Provider::TeleSignVerify => (
                self.telesign_verify_base_url.as_deref(),
                "--telesign-verify-base-url",
            ),
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
            Provider::TeleSignVerify => config::telesign_verify_config(
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
                    format!(
                        "{other} is not supported by this command (telesign, telesign_verify or dotdigital)"
                    ),
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
            (
                "--telesign-verify-base-url",
                &self.telesign_verify_base_url,
                verify_ureq::telesign_verify::DEFAULT_BASE_URL,
            ),
        ] {
            if let Some(url) = url {
                config::base_url(flag, Some(url), default, send, problems);
            }
        }
    }
}

/// The blocking client's settings: `primary`, then `backup` when allowed,
/// through `network`.
fn client_builder(
    primary: ProviderConfig,
    backup: Option<ProviderConfig>,
    failover_when_maybe_sent: bool,
    network: &Network,
) -> verify_ureq::Builder {
    let builder = network.apply(verify_ureq::Client::builder(primary));
    match backup {
        Some(b) => builder
            .backup(b)
            .failover_when_maybe_sent(failover_when_maybe_sent),
        None => builder,
    }
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

/// The longest code a neutral start's template can get: TeleSign's (the
/// code given, else the one it generates) when it is the primary or the
/// backup, dotdigital's (always its own).
fn start_code_length(a: &StartArgs) -> usize {
    let length = |p: ProviderArg| match p {
        ProviderArg::Telesign => a
            .code
            .as_deref()
            .map_or(segments_cmd::TELESIGN_CODE_LENGTH, str::len),
        ProviderArg::Dotdigital => segments_cmd::DOTDIGITAL_CODE_LENGTH,
        // A template is refused for the Verify API, which sends its own.
        ProviderArg::TelesignVerify => 0,
    };
    std::iter::once(a.provider)
        .chain(a.backup)
        .map(length)
        .max()
        .unwrap_or(segments_cmd::NEUTRAL_CODE_LENGTH)
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
    let warning = a
        .template
        .as_deref()
        .and_then(|t| segments_cmd::warning(t, Some(start_code_length(&a))));
    let sent = run::run_warned(
        &op,
        config,
        Role::Primary,
        &a.send,
        problems,
        warning,
        |op, c, n| {
            let builder = client_builder(c, backup, failover_when_maybe_sent, n);
            transport::execute(op, builder, "starting the verification")
        },
    )?;
    finish(sent, json_mode, render_started)
}

/// The provider a malformed verification id names, if it names one.
fn named_provider(id: &str) -> Option<Provider> {
    match id.split_once(':')?.0 {
        "telesign" => Some(Provider::TeleSign),
        "telesign_verify" => Some(Provider::TeleSignVerify),
        "dotdigital" => Some(Provider::Dotdigital),
        _ => None,
    }
}

/// A well-formed id of `provider` that stands in for a malformed one, so
/// that the other fields can still be checked and reported in the same run.
fn placeholder_id(provider: Provider) -> Option<VerificationId> {
    match provider {
        Provider::TeleSign => "telesign:00000000000000000000000000000000",
        Provider::TeleSignVerify => "telesign_verify:00000000000000000000000000000000",
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
        Network::from_options(&a.send, &mut problems);
        return Err(Failure::Usage(problems));
    };
    let config = a.accounts.config(id.provider(), &a.send, &mut problems);
    let op = Check::new(id, Code::new(a.code.clone()));
    let sent: Sent<CheckOutcome> =
        run::run(&op, config, Role::Primary, &a.send, problems, |op, c, n| {
            let builder = client_builder(c, None, false, n);
            transport::execute(op, builder, "checking the code")
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
            let network = Network::from_options(&SendOptions::default(), &mut Vec::new());
            let builder = client_builder(primary.clone(), backup.clone(), wanted, &network);
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
        assert_eq!(
            named_provider("telesign_verify:12"),
            Some(Provider::TeleSignVerify)
        );
        assert_eq!(named_provider("sms:123"), None);
        assert_eq!(named_provider("nothing"), None);
        for p in [
            Provider::TeleSign,
            Provider::TeleSignVerify,
            Provider::Dotdigital,
        ] {
            assert_eq!(placeholder_id(p).map(|id| id.provider()), Some(p));
        }
    }
}
