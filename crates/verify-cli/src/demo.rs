//! `verify demo`: the whole flow for both providers, through both adapters
//! and the neutral API, against the embedded sandbox on a loopback port.
//!
//! The sandbox is the deterministic one (`--seed`, default 1): the same seed
//! gives the same credentials, reference ids and codes on every run. Clients
//! use short backoff delays so that the retry steps take milliseconds.

use std::io::Write;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use verify_core::call::{BuildClient, Builder, Error};
use verify_core::dotdigital::{CodeStatus, SendCode, ValidateCode, ValidateOutcome};
use verify_core::neutral::{Check, CheckOutcome, Start, Started, VerificationId};
use verify_core::telesign::{AuthMethod, CodeState, Complete, GetStatus, SendSms, StatusCode};
use verify_core::{BaseUrl, Code, Operation, Provider, ProviderConfig, dotdigital, telesign};
use verify_sandbox::{Fault, Route, Sandbox, SandboxConfig, SandboxProvider};

use crate::cli::DemoArgs;
use crate::failure::{Failure, ProviderFailure};
use crate::spinner::Spinner;

/// One step's outcome: a one-line detail, or why it did not behave as documented.
type StepResult<T> = Result<(T, String), String>;

struct Step {
    section: String,
    name: String,
    ok: bool,
    elapsed: Duration,
    detail: String,
}

/// Runs steps, timing and printing each as it ends.
struct Report {
    json_mode: bool,
    section: String,
    steps: Vec<Step>,
}

impl Report {
    fn section(&mut self, title: impl Into<String>) {
        self.section = title.into();
        if !self.json_mode {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "\n{}", self.section);
        }
    }

    /// Runs `f` as a step; `None` when it failed.
    fn step<T>(&mut self, name: impl Into<String>, f: impl FnOnce() -> StepResult<T>) -> Option<T> {
        let name = name.into();
        let spinner = Spinner::start(name.clone());
        let started = Instant::now();
        let result = f();
        let elapsed = started.elapsed();
        drop(spinner);
        let (ok, detail, value) = match result {
            Ok((v, detail)) => (true, detail, Some(v)),
            Err(why) => (false, why, None),
        };
        self.record(name, ok, elapsed, detail);
        value
    }

    /// Records a step that could not run because an earlier one failed.
    fn skip(&mut self, name: impl Into<String>, because: &str) {
        self.record(
            name.into(),
            false,
            Duration::ZERO,
            format!("not run: {because} failed"),
        );
    }

    /// Records steps that could not run because an earlier one failed.
    fn skip_all(&mut self, names: &[&str], because: &str) {
        for name in names {
            self.skip(*name, because);
        }
    }

    fn record(&mut self, name: String, ok: bool, elapsed: Duration, detail: String) {
        if !self.json_mode {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(
                out,
                "  {:<4} {:>8.1} ms  {name}\n                    {detail}",
                if ok { "OK" } else { "FAIL" },
                elapsed.as_secs_f64() * 1000.0,
            );
            let _ = out.flush();
        }
        self.steps.push(Step {
            section: self.section.clone(),
            name,
            ok,
            elapsed,
            detail,
        });
    }

    fn all_ok(&self) -> bool {
        !self.steps.is_empty() && self.steps.iter().all(|s| s.ok)
    }

    fn json(&self, base_url: &str, total: Duration) -> Value {
        json!({
            "ok": self.all_ok(),
            "sandbox": base_url,
            "total_ms": total.as_secs_f64() * 1000.0,
            "steps": self.steps.iter().map(|s| json!({
                "section": s.section,
                "step": s.name,
                "ok": s.ok,
                "ms": s.elapsed.as_secs_f64() * 1000.0,
                "detail": s.detail,
            })).collect::<Vec<_>>(),
        })
    }
}

/// A code of the same length that is certainly wrong: every digit shifted by one.
fn wrong_code(code: &str) -> String {
    code.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from_digit((d + 1) % 10, 10).unwrap_or('0'),
            None => '0',
        })
        .collect()
}

/// Short retries, so that the retry steps take milliseconds.
fn demo_retry_policy() -> verify_core::retry::RetryPolicy {
    verify_core::retry::RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
    }
}

/// The two adapters the demo runs every flow through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AdapterKind {
    /// verify-ureq.
    Blocking,
    /// verify-hyper, on a current-thread tokio runtime.
    Async,
}

impl AdapterKind {
    fn label(self) -> &'static str {
        match self {
            Self::Blocking => "blocking adapter (verify-ureq)",
            Self::Async => "async adapter (verify-hyper)",
        }
    }
}

/// A client of either adapter, behind one blocking `execute`.
enum Adapter {
    Blocking(Box<verify_ureq::Client>),
    Async(tokio::runtime::Runtime, verify_hyper::Client),
}

/// The demo's settings on any adapter's builder: short retries, and the backup.
fn configure<C: BuildClient>(builder: Builder<C>, backup: Option<&ProviderConfig>) -> Builder<C> {
    let builder = builder.retry_policy(demo_retry_policy());
    match backup {
        Some(b) => builder.backup(b.clone()),
        None => builder,
    }
}

impl Adapter {
    fn build(
        kind: AdapterKind,
        primary: &ProviderConfig,
        backup: Option<&ProviderConfig>,
    ) -> Result<Self, String> {
        match kind {
            AdapterKind::Blocking => Ok(Self::Blocking(Box::new(
                configure(verify_ureq::Client::builder(primary.clone()), backup).build(),
            ))),
            AdapterKind::Async => {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| format!("could not start a tokio runtime: {e}"))?;
                let client = configure(verify_hyper::Client::builder(primary.clone()), backup)
                    .build()
                    .map_err(|e| format!("could not build the hyper client: {e}"))?;
                Ok(Self::Async(runtime, client))
            }
        }
    }

    fn execute<O: Operation>(&self, op: &O) -> Result<O::Output, Error> {
        match self {
            Self::Blocking(client) => client.execute(op),
            Self::Async(runtime, client) => runtime.block_on(client.execute(op)),
        }
    }
}

/// Builds an adapter for a section, recording a failed step when it cannot.
fn adapter(
    report: &mut Report,
    kind: AdapterKind,
    primary: &ProviderConfig,
    backup: Option<&ProviderConfig>,
) -> Option<Adapter> {
    match Adapter::build(kind, primary, backup) {
        Ok(a) => Some(a),
        Err(why) => {
            report.record(
                format!("build the {} client", kind.label()),
                false,
                Duration::ZERO,
                why,
            );
            None
        }
    }
}

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
    let cfg = sandbox.config();
    let base_url =
        BaseUrl::allow_plain_http(&base).map_err(|e| cannot_start(args, e.to_string()))?;
    let ts_credentials = telesign::Credentials::new(
        cfg.telesign_customer_id.clone(),
        cfg.telesign_api_key.clone(),
    )
    .map_err(|e| cannot_start(args, e.to_string()))?;
    let telesign: ProviderConfig = telesign::Config::new(ts_credentials)
        .with_base_url(base_url.clone())
        .with_auth_method(AuthMethod::Hmac)
        .into();
    let dd_credentials = dotdigital::Credentials::new(
        cfg.dotdigital_username.clone(),
        cfg.dotdigital_password.clone(),
    )
    .map_err(|e| cannot_start(args, e.to_string()))?;
    let dotdigital: ProviderConfig = dotdigital::Config::new(dd_credentials)
        .with_base_url(base_url)
        .into();
    if !json_mode {
        println!("verify demo: sandbox (deterministic, seed {seed}) listening on {base}");
        println!(
            "Codes shown below are read from the sandbox outbox: the sandbox is fake, and so are they."
        );
    }

    let mut report = Report {
        json_mode,
        section: String::new(),
        steps: Vec::new(),
    };
    for (kind, to) in [
        (AdapterKind::Blocking, "15555550100"),
        (AdapterKind::Async, "15555550110"),
    ] {
        telesign_flow(&mut report, &sandbox, &telesign, kind, to);
    }
    for (kind, to) in [
        (AdapterKind::Blocking, "447700900100"),
        (AdapterKind::Async, "447700900110"),
    ] {
        dotdigital_flow(&mut report, &sandbox, &dotdigital, kind, to);
    }
    telesign_faults(&mut report, &sandbox, &telesign);
    neutral_flow(&mut report, &sandbox, &telesign, &dotdigital);

    let total = started.elapsed();
    let ok = report.all_ok();
    if json_mode {
        println!("{}", report.json(&base, total));
    } else {
        let failed = report.steps.iter().filter(|s| !s.ok).count();
        println!(
            "\n{} steps, {} failed, {:.1} ms in all: {}",
            report.steps.len(),
            failed,
            total.as_secs_f64() * 1000.0,
            if ok {
                "every step behaved as documented"
            } else {
                "SOME STEPS FAILED"
            }
        );
    }
    Ok(ok)
}

/// The code of the latest message the sandbox "delivered" to `to` for the verification `id`.
fn outbox_code(sandbox: &Sandbox, to: &str, id: &str) -> StepResult<Code> {
    let messages = sandbox.messages_to(to);
    let message = messages
        .iter()
        .rev()
        .find(|m| m.verification_id.eq_ignore_ascii_case(id))
        .ok_or_else(|| {
            format!(
                "no message for {id} in the outbox ({} for this number)",
                messages.len()
            )
        })?;
    Ok((
        Code::new(message.code.clone()),
        format!(
            "sandbox outbox (fake code, shown on purpose): \"{}\"",
            message.code
        ),
    ))
}

/// Send, read the code, a wrong code, the right code, final status and
/// completion, at TeleSign through one adapter.
fn telesign_flow(
    report: &mut Report,
    sandbox: &Sandbox,
    config: &ProviderConfig,
    kind: AdapterKind,
    to: &str,
) {
    report.section(format!(
        "TeleSign Verify, {}, HMAC-SHA256 signatures",
        kind.label()
    ));
    let steps = [
        "read the code from the sandbox outbox",
        "check a wrong code",
        "check the right code",
        "final status",
        "completion",
    ];
    let Some(client) = adapter(report, kind, config, None) else {
        return report.skip_all(&steps, "building the client");
    };
    let sent = report.step(
        format!("send SMS code to {to} (POST /v1/verify/sms)"),
        || {
            let r = client
                .execute(&SendSms::new(to))
                .map_err(|e| e.to_string())?;
            let id = r
                .reference_id
                .clone()
                .ok_or("no reference_id in the answer")?;
            let status = r.status_code().map_or(0, |s| s.code());
            if status != 290 {
                return Err(format!("status {status}, expected 290 Message in progress"));
            }
            let detail = format!(
                "reference_id {}, status 290 Message in progress",
                id.as_str()
            );
            Ok((id, detail))
        },
    );
    let Some(id) = sent else {
        return report.skip_all(&steps, "the send");
    };
    let code = report.step(steps[0], || outbox_code(sandbox, to, id.as_str()));
    let check = |code: Code, want: CodeState| -> StepResult<()> {
        let r = client
            .execute(&GetStatus::new(id.clone()).verify_code(code))
            .map_err(|e| e.to_string())?;
        match r.code_state() {
            Some(s) if *s == want => Ok(((), format!("code_state {}", s.as_str()))),
            other => Err(format!(
                "code_state {}, expected {}",
                other.map_or("absent", |s| s.as_str()),
                want.as_str()
            )),
        }
    };
    match &code {
        Some(code) => {
            let wrong = Code::new(wrong_code(code.expose_secret()));
            report.step(
                "check a wrong code (GET /v1/verify/{id}?verify_code=...)",
                || check(wrong, CodeState::Invalid),
            );
            report.step(steps[2], || check(code.clone(), CodeState::Valid));
        }
        None => {
            report.skip(steps[1], "reading the code");
            report.skip(steps[2], "reading the code");
        }
    }
    report.step("final status (GET /v1/verify/{id})", || {
        let r = client
            .execute(&GetStatus::new(id.clone()))
            .map_err(|e| e.to_string())?;
        let s = r.status.as_ref().ok_or("no status in the answer")?;
        Ok(((), format!("status {} {}", s.code.code(), s.description)))
    });
    report.step("completion (PUT /v1/verify/completion/{id})", || {
        let r = client
            .execute(&Complete::new(id.clone()))
            .map_err(|e| e.to_string())?;
        let s = r.status.as_ref().ok_or("no status in the answer")?;
        if s.code.code() != 1900 {
            return Err(format!(
                "status {}, expected 1900 Verification completed",
                s.code.code()
            ));
        }
        Ok(((), format!("status 1900 {}", s.description)))
    });
}

/// One temporary failure retried, one permanent failure reported, at
/// TeleSign through the blocking adapter.
fn telesign_faults(report: &mut Report, sandbox: &Sandbox, config: &ProviderConfig) {
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
                    r.reference_id.as_ref().map_or("?", |i| i.as_str())
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
                    verify_core::ResponseError::TeleSign(t) => t.status,
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

/// Send, read the code, a wrong code, the right code and the final status,
/// at dotdigital through one adapter.
fn dotdigital_flow(
    report: &mut Report,
    sandbox: &Sandbox,
    config: &ProviderConfig,
    kind: AdapterKind,
    to: &str,
) {
    report.section(format!(
        "dotdigital CPaaS Verify, {}, Basic auth",
        kind.label()
    ));
    let steps = [
        "read the code from the sandbox outbox",
        "validate a wrong code",
        "validate the right code",
        "final status",
    ];
    let Some(client) = adapter(report, kind, config, None) else {
        return report.skip_all(&steps, "building the client");
    };
    let sent = report.step(format!("send a code to {to} (POST /webapi/verify)"), || {
        let r = client
            .execute(&SendCode::new(to, "Demo"))
            .map_err(|e| e.to_string())?;
        if r.status != CodeStatus::NotVerified {
            return Err(format!(
                "status {}, expected CodeNotVerified",
                r.status.as_str()
            ));
        }
        let detail = format!(
            "requestId {}, status {}",
            r.request_id.as_str(),
            r.status.as_str()
        );
        Ok((r.request_id, detail))
    });
    let Some(id) = sent else {
        return report.skip_all(&steps, "the send");
    };
    let validate = |code: Code, want: Option<CodeStatus>| -> StepResult<()> {
        let outcome = client
            .execute(&ValidateCode::new(id.clone(), code))
            .map_err(|e| e.to_string())?;
        let got = match &outcome {
            ValidateOutcome::Code(c) => Some(c.status.clone()),
            ValidateOutcome::UnknownOrDiscarded => None,
        };
        let show = |s: &Option<CodeStatus>| {
            s.as_ref()
                .map_or("204 unknown or discarded".to_owned(), |s| {
                    s.as_str().to_owned()
                })
        };
        if got == want {
            Ok(((), format!("status {}", show(&got))))
        } else {
            Err(format!("status {}, expected {}", show(&got), show(&want)))
        }
    };
    let code = report.step(steps[0], || outbox_code(sandbox, to, id.as_str()));
    match &code {
        Some(code) => {
            let wrong = Code::new(wrong_code(code.expose_secret()));
            report.step(
                "validate a wrong code (PUT /WebApi/Verify/{id}/validate)",
                || validate(wrong, Some(CodeStatus::NotVerified)),
            );
            report.step(steps[2], || {
                validate(code.clone(), Some(CodeStatus::Verified))
            });
            report.step("final status: the id is discarded once verified", || {
                validate(code.clone(), None)
            });
        }
        None => {
            report.skip_all(&steps[1..], "reading the code");
        }
    }
}

/// The code the sandbox delivered for a neutral verification id.
fn neutral_code(sandbox: &Sandbox, to: &str, id: &VerificationId) -> StepResult<Code> {
    outbox_code(sandbox, to, id.as_str())
}

/// Checks a wrong then the right code through `client`, as two steps.
fn neutral_checks(
    report: &mut Report,
    sandbox: &Sandbox,
    to: &str,
    id: &VerificationId,
    client: &Adapter,
) {
    let Some(code) = report.step("read the code from the sandbox outbox", || {
        neutral_code(sandbox, to, id)
    }) else {
        report.skip("Check a wrong code", "reading the code");
        report.skip("Check the right code", "reading the code");
        return;
    };
    let expect = |code: Code, want: CheckOutcome| -> StepResult<()> {
        let got = client
            .execute(&Check::new(id.clone(), code))
            .map_err(|e| e.to_string())?;
        if got == want {
            Ok(((), format!("{got:?}")))
        } else {
            Err(format!("{got:?}, expected {want:?}"))
        }
    };
    let wrong = Code::new(wrong_code(code.expose_secret()));
    report.step("Check a wrong code", || {
        expect(wrong, CheckOutcome::Incorrect)
    });
    report.step("Check the right code", || {
        expect(code.clone(), CheckOutcome::Verified)
    });
}

fn started_detail(s: &Started) -> String {
    format!(
        "id {}, delivery {:?}, message_may_have_been_sent = {}",
        s.id, s.delivery, s.message_may_have_been_sent
    )
}

/// A neutral Start with `primary` (and `backup` as the backup) through one
/// adapter, then the checks.
fn neutral_section(
    report: &mut Report,
    sandbox: &Sandbox,
    (primary, backup): (&ProviderConfig, &ProviderConfig),
    kind: AdapterKind,
    to: &str,
) {
    let provider = primary.provider();
    let name = match provider {
        Provider::TeleSign => "TeleSign",
        Provider::Dotdigital => "dotdigital",
    };
    report.section(format!(
        "Neutral API (Start / Check), {name} primary, {}",
        kind.label()
    ));
    let Some(client) = adapter(report, kind, primary, Some(backup)) else {
        report.skip("Start and Check", "building the client");
        return;
    };
    let started = report.step(format!("Start a verification of {to}"), || {
        let s = client.execute(&Start::new(to)).map_err(|e| e.to_string())?;
        if s.id.provider() != provider {
            return Err(format!(
                "started with {}, expected {provider}",
                s.id.provider()
            ));
        }
        let d = started_detail(&s);
        Ok((s, d))
    });
    match started {
        Some(s) => neutral_checks(report, sandbox, to, &s.id, &client),
        None => report.skip("Check codes", "Start"),
    }
}

fn neutral_flow(
    report: &mut Report,
    sandbox: &Sandbox,
    telesign: &ProviderConfig,
    dotdigital: &ProviderConfig,
) {
    neutral_section(
        report,
        sandbox,
        (telesign, dotdigital),
        AdapterKind::Blocking,
        "15555550120",
    );
    neutral_section(
        report,
        sandbox,
        (dotdigital, telesign),
        AdapterKind::Async,
        "447700900121",
    );

    report.section(format!(
        "Failover, {}: TeleSign sends nothing, dotdigital takes over",
        AdapterKind::Blocking.label()
    ));
    let Some(client) = adapter(report, AdapterKind::Blocking, telesign, Some(dotdigital)) else {
        report.skip("Start with failover", "building the client");
        return;
    };
    let to = "447700900122";
    let attempts = demo_retry_policy().max_attempts;
    let started = report.step(
        format!("inject status 500 (not attempted) on every TeleSign send attempt ({attempts}), Start {to}"),
        || {
            sandbox.inject(Route::TeleSignSms, Fault::TeleSignStatus(500), attempts);
            let result = client.execute(&Start::new(to));
            sandbox.clear_faults();
            let s = result.map_err(|e| format!("no failover: {e}"))?;
            if s.id.provider() != Provider::Dotdigital {
                return Err(format!("started with {}, expected the backup dotdigital", s.id.provider()));
            }
            let by_provider = |p: SandboxProvider| sandbox.messages_to(to).iter().filter(|m| m.provider == p).count();
            let (ts, dd) = (by_provider(SandboxProvider::Telesign), by_provider(SandboxProvider::Dotdigital));
            if (ts, dd) != (0, 1) {
                return Err(format!("outbox: {ts} TeleSign and {dd} dotdigital messages, expected 0 and 1"));
            }
            let d = format!("failed over; outbox: 0 TeleSign, 1 dotdigital message; {}", started_detail(&s));
            Ok((s, d))
        },
    );
    match started {
        Some(s) => neutral_checks(report, sandbox, to, &s.id, &client),
        None => report.skip("Check codes", "Start"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_code_differs_in_every_digit() {
        assert_eq!(wrong_code("1234567"), "2345678");
        assert_eq!(wrong_code("909"), "010");
    }
}
