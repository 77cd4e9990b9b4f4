//! `verify start` and `verify check`: the provider-neutral API.

use serde_json::json;
use verify_ureq::neutral::{Check, CheckOutcome, PendingCheck, Start, Started, VerificationId};
use verify_ureq::{Code, Provider, ProviderConfig, Role};

use crate::cli::{CheckArgs, NeutralAccounts, ProviderArg, SendOptions, StartArgs};
use crate::config;
use crate::failure::{Failure, Problem};
use crate::guard::Protection;
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
    let mut lines = vec![
        format!("id:       {}", s.id),
        format!("delivery: {:?}", s.delivery),
        format!(
            "message_may_have_been_sent: {}",
            s.message_may_have_been_sent
        ),
    ];
    if s.replayed {
        lines.push(
            "replayed: true (an earlier start with this idempotency key sent it; nothing was sent now)"
                .to_owned(),
        );
    }
    if let Some(old) = &s.replaces {
        lines.push(format!(
            "replaces: {old} (its code no longer checks by purpose and number)"
        ));
    }
    let mut json = json!({
        "id": s.id.to_string(),
        "provider": s.id.provider().to_string(),
        "delivery": format!("{:?}", s.delivery),
        "message_may_have_been_sent": s.message_may_have_been_sent,
        "replayed": s.replayed,
    });
    if let Some(old) = &s.replaces {
        json["replaces"] = old.to_string().into();
    }
    Rendered { lines, json }
}

fn render_outcome(o: &CheckOutcome) -> Rendered {
    let mut lines = vec![format!("outcome: {o:?}")];
    if *o == CheckOutcome::AlreadyVerified {
        lines.push(
            "already verified: an earlier check verified this code; the provider was not asked"
                .to_owned(),
        );
    }
    Rendered {
        lines,
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
    let keeps = a.idempotency_key.is_some() || a.purpose.is_some();
    let protection = Protection::for_send(&a.guard, keeps, &mut problems);
    let mut op = Start::new(a.to.clone());
    for key in protection.client_keys() {
        op = op.client_key(key.clone());
    }
    if let Some(c) = &a.code {
        op = op.code(Code::new(c.clone()));
    }
    if let Some(t) = &a.template {
        op = op.template(t.clone());
    }
    if let Some(s) = &a.sender {
        op = op.sender(s.clone());
    }
    // Every target is checked before anything is sent: the backup with its
    // own settings, or placeholder ones while they are broken.
    let backup_check = match (&backup, a.backup.map(provider)) {
        (Some(c), _) => Some(c.clone()),
        (None, Some(b)) if b != primary => config::placeholder(b),
        _ => None,
    };
    let kept = kept_start(&a, &op, &mut problems);
    let failover_when_maybe_sent = a.failover_when_maybe_sent;
    let mut warnings: Vec<String> = a
        .template
        .as_deref()
        .and_then(|t| segments_cmd::warning(t, Some(start_code_length(&a))))
        .into_iter()
        .collect();
    if keeps && !protection.shared() {
        warnings.push(
            "with --store memory the idempotency key and the verification kept by --purpose live only as long as this process: pass --store redis://... to share them with other runs"
                .to_owned(),
        );
    }
    let warning = protection.warned((!warnings.is_empty()).then(|| warnings.join("\nwarning: ")));
    let sent = run::run_warned(
        &op,
        config,
        Role::Primary,
        &a.send,
        problems,
        warning,
        Some((primary, backup_check.as_ref())),
        |op, c, n| {
            let builder = protection.apply(client_builder(c, backup, failover_when_maybe_sent, n));
            if !keeps {
                return transport::execute(op, builder, "starting the verification");
            }
            let builder = protection.with_ledger(builder)?;
            transport::call(builder, "starting the verification", true, |client| {
                client.start(&kept)
            })
        },
    )?;
    finish(sent, json_mode, render_started)
}

/// `op` with the ledger's flags (`--idempotency-key`, `--idempotency-ttl`,
/// `--purpose`, `--resend`), their problems added to `problems`. `op`
/// itself is validated (and printed by `--print-request`) without them:
/// they change what is kept, not what is sent.
fn kept_start(a: &StartArgs, op: &Start, problems: &mut Vec<Problem>) -> Start {
    let mut kept = op.clone();
    if let Some(key) = &a.idempotency_key {
        kept = kept.idempotency_key(key.clone());
    }
    match (&a.idempotency_ttl, &a.idempotency_key) {
        (Some(_), None) => {
            problems.push(Problem::new("--idempotency-ttl", "needs --idempotency-key"))
        }
        (Some(ttl), Some(_)) => match humantime::parse_duration(ttl.trim()) {
            Ok(d) => kept = kept.idempotency_ttl(d),
            Err(_) => problems.push(Problem::new(
                "--idempotency-ttl",
                "must be a duration such as 30s, 10m or 1h",
            )),
        },
        (None, _) => {}
    }
    if let Some(purpose) = &a.purpose {
        kept = kept.purpose(purpose.clone());
    }
    if a.resend {
        if a.idempotency_key.is_none() && a.purpose.is_none() {
            problems.push(Problem::new(
                "--resend",
                "needs --idempotency-key or --purpose (what the resend replaces)",
            ));
        }
        kept = kept.resend();
    }
    if let Err(e) = kept.validate_kept() {
        problems.extend(Problem::all_of(&e));
    }
    kept
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

/// `verify check`: by `--id`, or by `--to` and `--purpose` (the
/// verification a start kept in the store).
pub fn check(a: CheckArgs, json_mode: bool) -> Result<(), Failure> {
    let mut problems = Vec::new();
    match (&a.id, &a.to) {
        (Some(_), Some(_)) => problems.push(Problem::new(
            "--id",
            "cannot be used with --to: check by --id, or by --to with --purpose",
        )),
        (None, None) => problems.push(Problem::new(
            "--id",
            "missing: pass --id, or --to with --purpose",
        )),
        (None, Some(to)) => {
            let to = to.clone();
            return check_by_number(a, &to, problems, json_mode);
        }
        (Some(_), None) => {}
    }
    for (given, flag) in [
        (a.purpose.is_some(), "--purpose"),
        (a.provider.is_some(), "--provider"),
        (a.backup.is_some(), "--backup"),
    ] {
        if given && a.to.is_none() {
            problems.push(Problem::new(
                flag,
                "only with --to (an --id names its provider)",
            ));
        }
    }
    let protection = Protection::from_options(&a.shield, &[], false, &mut problems);
    let given = a.id.as_deref().unwrap_or_default().trim();
    let id = match given.parse::<VerificationId>() {
        Ok(id) => Some(id),
        Err(e) if a.id.is_some() => {
            problems.extend(e.errors().iter().map(Problem::from_field));
            named_provider(given).and_then(placeholder_id)
        }
        Err(_) => None,
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
            let builder = protection.apply(client_builder(c, None, false, n));
            transport::execute(op, builder, "checking the code")
        })?;
    finish(sent, json_mode, render_outcome)
}

/// `verify check --to NUMBER --purpose P`: the verification kept in the
/// store by (purpose, number), checked at its provider unless it is closed.
fn check_by_number(
    a: CheckArgs,
    to: &str,
    mut problems: Vec<Problem>,
    json_mode: bool,
) -> Result<(), Failure> {
    let protection = Protection::from_options(&a.shield, &[], true, &mut problems);
    if a.shield.store.is_some() && !protection.shared() {
        problems.push(Problem::new(
            "--store",
            "a check by --to reads the verification a `verify start --purpose` kept: pass --store redis://... (this process's memory holds none)",
        ));
    } else if a.shield.store.is_none() {
        problems.push(Problem::new(
            "--store",
            "missing: a check by --to reads the verification a `verify start --purpose` kept: pass --store redis://...",
        ));
    }
    let purpose = match &a.purpose {
        Some(p) => p.clone(),
        None => {
            problems.push(Problem::new("--purpose", "missing: --to needs --purpose"));
            String::from("placeholder")
        }
    };
    if a.send.print_request {
        problems.push(Problem::new(
            "--print-request",
            "not with --to: the request depends on the verification kept in the store",
        ));
    }
    let primary = provider(a.provider.unwrap_or(ProviderArg::Telesign));
    let config = a.accounts.config(primary, &a.send, &mut problems);
    let backup = match a.backup.map(provider) {
        Some(b) if b == primary => {
            problems.push(Problem::new("--backup", "must differ from --provider"));
            None
        }
        Some(b) => a.accounts.config(b, &a.send, &mut problems),
        None => None,
    };
    let check = PendingCheck::new(purpose, to.to_owned(), Code::new(a.code.clone()));
    if let Err(e) = check.validate() {
        problems.extend(
            Problem::all_of(&e)
                .into_iter()
                .filter(|p| a.purpose.is_some() || p.field != "purpose"),
        );
    }
    run::check_overrides(&a.send, &mut problems);
    let network = Network::from_options(&a.send, &mut problems);
    if !problems.is_empty() {
        return Err(Failure::Usage(problems));
    }
    let Some(config) = config else {
        return Err(Failure::usage("configuration", "incomplete"));
    };
    let builder = protection.apply(client_builder(config, backup, false, &network));
    let builder = protection.with_ledger(builder)?;
    let outcome = transport::call(builder, "checking the code", false, |client| {
        client.check_pending(&check)
    })?;
    render_outcome(&outcome).print(json_mode);
    Ok(())
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
