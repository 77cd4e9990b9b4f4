//! `verify demo`: the whole flow for both providers, through both adapters
//! and the neutral API, against the embedded sandbox on a loopback port.
//!
//! The sandbox is the deterministic one (`--seed`, default 1): the same seed
//! gives the same credentials, reference ids and codes on every run, and so
//! the same step details. Clients use short backoff delays so that the retry
//! steps take milliseconds.
//!
//! The sections run in this order, 48 steps in all:
//! - [`telesign`]: TeleSign Verify through each adapter;
//! - [`dotdigital`]: dotdigital CPaaS Verify through each adapter;
//! - [`faults`]: injected TeleSign failures, one retried, one reported;
//! - [`neutral`]: the provider-neutral API, each provider as the primary;
//! - [`failover`]: a neutral Start that fails over to the backup;
//! - [`telesign_verify`]: TeleSign's Verify API, SMS then WhatsApp once the
//!   SMS has gone unanswered (it moves the sandbox's clock);
//! - [`shield`]: the abuse shield (a block burst, a premium-rate number, a
//!   conversion breaker over twelve hours of the sandbox's clock) and a
//!   double click answered once by the ledger (last: it moves the clock).
//!
//! [`report`] runs and records the steps, [`output`] prints them,
//! [`adapter`] puts both adapters behind one `execute`, and [`outbox`]
//! reads the codes the sandbox "delivered".

mod adapter;
mod dotdigital;
mod failover;
mod faults;
mod neutral;
mod outbox;
mod output;
mod report;
mod shield;
mod telesign;
mod telesign_verify;

use std::net::SocketAddr;
use std::time::Instant;

use serde_json::json;
use verify_sandbox::{Sandbox, SandboxConfig};
use verify_ureq::telesign::AuthMethod;
use verify_ureq::{BaseUrl, ProviderConfig};

use crate::cli::DemoArgs;
use crate::failure::{Failure, ProviderFailure};
use crate::out::outln;

use self::adapter::AdapterKind;
use self::report::Report;

/// Why the demo could not start at all.
fn cannot_start(args: &DemoArgs, why: String) -> Failure {
    match args.listen {
        // The caller picked the address: an input problem, as for `verify sandbox`.
        Some(addr) => Failure::usage("--listen", format!("cannot listen on {addr}: {why}")),
        None => {
            let message = format!("could not start the sandbox: {why}");
            Failure::Provider(ProviderFailure {
                json: json!({"kind": "sandbox", "message": message}),
                message,
            })
        }
    }
}

/// The settings of every API the demo runs for the sandbox's own
/// credentials.
struct Configs {
    /// TeleSign's classic API, HMAC signatures.
    telesign: ProviderConfig,
    /// TeleSign's Verify API, HMAC signatures.
    telesign_verify: ProviderConfig,
    /// dotdigital, Basic auth.
    dotdigital: ProviderConfig,
}

/// Every provider's settings for the sandbox's own credentials.
fn sandbox_configs(sandbox: &Sandbox) -> Result<Configs, String> {
    let cfg = sandbox.config();
    let base_url = BaseUrl::allow_plain_http(&sandbox.base_url()).map_err(|e| e.to_string())?;
    let ts_credentials = verify_ureq::telesign::Credentials::new(
        cfg.telesign_customer_id.clone(),
        cfg.telesign_api_key.clone(),
    )
    .map_err(|e| e.to_string())?;
    let telesign_verify = verify_ureq::telesign_verify::Config::new(ts_credentials.clone())
        .with_base_url(base_url.clone())
        .with_auth_method(AuthMethod::Hmac)
        .into();
    let telesign = verify_ureq::telesign::Config::new(ts_credentials)
        .with_base_url(base_url.clone())
        .with_auth_method(AuthMethod::Hmac)
        .into();
    let dd_credentials = verify_ureq::dotdigital::Credentials::new(
        cfg.dotdigital_username.clone(),
        cfg.dotdigital_password.clone(),
    )
    .map_err(|e| e.to_string())?;
    let dotdigital = verify_ureq::dotdigital::Config::new(dd_credentials)
        .with_base_url(base_url)
        .into();
    Ok(Configs {
        telesign,
        telesign_verify,
        dotdigital,
    })
}

/// Runs the demo; `Ok(true)` when every step behaved as documented, `Err`
/// when the sandbox could not start.
pub fn run(args: &DemoArgs, json_mode: bool) -> Result<bool, Failure> {
    let started = Instant::now();
    let listen = args
        .listen
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
    if !listen.ip().is_loopback() {
        return Err(Failure::usage(
            "--listen",
            "must be a loopback address (the demo stays on this machine), e.g. 127.0.0.1:0",
        ));
    }
    let seed = args.seed;
    let sandbox = Sandbox::spawn(SandboxConfig::deterministic(seed).with_listen(listen))
        .map_err(|e| cannot_start(args, e.to_string()))?;
    let base = sandbox.base_url();
    let Configs {
        telesign,
        telesign_verify,
        dotdigital,
    } = sandbox_configs(&sandbox).map_err(|e| cannot_start(args, e))?;
    if !json_mode {
        output::print_banner(seed, &base);
    }

    let mut report = Report::new(json_mode);
    for (kind, to) in [
        (AdapterKind::Blocking, "15555550100"),
        (AdapterKind::Async, "15555550110"),
    ] {
        telesign::telesign_flow(&mut report, &sandbox, &telesign, kind, to);
    }
    for (kind, to) in [
        (AdapterKind::Blocking, "447700900100"),
        (AdapterKind::Async, "447700900110"),
    ] {
        dotdigital::dotdigital_flow(&mut report, &sandbox, &dotdigital, kind, to);
    }
    faults::telesign_faults(&mut report, &sandbox, &telesign);
    neutral::neutral_flow(&mut report, &sandbox, &telesign, &dotdigital);
    failover::failover_flow(&mut report, &sandbox, &telesign, &dotdigital);
    telesign_verify::telesign_verify_flow(
        &mut report,
        &sandbox,
        &telesign_verify,
        AdapterKind::Async,
        "15555550150",
    );
    shield::shield_flow(&mut report, &sandbox, &telesign);

    let total = started.elapsed();
    if json_mode {
        let _ = outln!("{}", output::json(&report, &base, total));
    } else {
        output::print_summary(&report, total);
    }
    Ok(report.all_ok())
}
