//! The abuse shield and the ledger: a pumping burst cut off by the block
//! rule, a legitimate number still served, a conversion breaker tripping and
//! half-opening on the sandbox's manual clock, a premium-rate number, and a
//! double click answered once.
//!
//! The shield is sans-IO: it decides at the `now` it is given. Here a small
//! [`Guard`] hands it the sandbox's manual clock instead of the transport's
//! wall clock, so that the demo moves time by twelve hours in a step.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use verify_sandbox::{Clock, Sandbox};
use verify_shield::{MemoryLedger, MemoryStore, Rules, Shield};
use verify_ureq::guard::{Blocked, CodeOutcome, Guard, Rule, SendFacts};
use verify_ureq::neutral::{Check, Start, Started};
use verify_ureq::{Error, ProviderConfig};

use super::adapter::{AdapterKind, demo_retry_policy};
use super::outbox::outbox_code;
use super::report::{Report, StepResult};

/// The shield, deciding at the sandbox clock's `now` rather than the
/// transport's: the driver's `now` is ignored.
#[derive(Debug)]
struct OnSandboxTime {
    shield: Shield<MemoryStore>,
    clock: Clock,
}

impl Guard for OnSandboxTime {
    fn before_send(&self, _now: SystemTime, send: &SendFacts<'_>) -> Result<(), Blocked> {
        Guard::before_send(&self.shield, self.clock.now(), send)
    }

    fn before_check(&self, _now: SystemTime, phone_number: &str) -> Result<(), Blocked> {
        Guard::before_check(&self.shield, self.clock.now(), phone_number)
    }

    fn after_check(&self, _now: SystemTime, phone_number: &str, outcome: CodeOutcome) {
        Guard::after_check(&self.shield, self.clock.now(), phone_number, outcome);
    }
}

/// A blocking client for `config`, its sends and checks decided by a new
/// shield with the default rules on the sandbox's clock (or none).
fn client(config: &ProviderConfig, guard: Option<Arc<OnSandboxTime>>) -> verify_ureq::Client {
    let builder = verify_ureq::Client::builder(config.clone())
        .retry_policy(demo_retry_policy())
        .proxy_from_env(false);
    match guard {
        Some(g) => builder.blocking_guard(g),
        None => builder,
    }
    .build()
}

fn guard(sandbox: &Sandbox) -> Arc<OnSandboxTime> {
    Arc::new(OnSandboxTime {
        shield: Shield::new(Rules::default(), MemoryStore::new()),
        clock: sandbox.clock(),
    })
}

/// The rule of a refusal, or why the result is not one.
fn refused_by(result: &Result<Started, Error>) -> Option<Rule> {
    result.as_ref().err().and_then(|e| {
        (!e.message_may_have_been_sent() && e.attempts() == 0)
            .then(|| e.blocked().map(|b| b.rule))
            .flatten()
    })
}

/// Sends to each of `numbers`: how many went out, and the rules of those
/// refused (an error of any other kind fails the step).
fn burst(client: &verify_ureq::Client, numbers: &[String]) -> Result<(usize, Vec<Rule>), String> {
    let mut sent = 0;
    let mut refused = Vec::new();
    for to in numbers {
        let result = client.execute(&Start::new(to.clone()));
        match (&result, refused_by(&result)) {
            (Ok(_), _) => sent += 1,
            (Err(_), Some(rule)) => refused.push(rule),
            (Err(e), None) => return Err(format!("{to}: not a refusal: {e}")),
        }
    }
    Ok((sent, refused))
}

/// How many outbox messages went to `numbers`.
fn outbox_count(sandbox: &Sandbox, numbers: &[String]) -> usize {
    numbers.iter().map(|n| sandbox.messages_to(n).len()).sum()
}

/// `count` numbers of the block `block` (the number without its last 3 digits).
fn block_numbers(block: &str, count: usize) -> Vec<String> {
    (0..count).map(|i| format!("{block}{i:03}")).collect()
}

/// The whole section, through the blocking adapter, on TeleSign.
pub fn shield_flow(report: &mut Report, sandbox: &Sandbox, telesign: &ProviderConfig) {
    report.section(format!(
        "Abuse shield and idempotent starts, {} on TeleSign: refusals before the first byte",
        AdapterKind::Blocking.label()
    ));
    let pumping = client(telesign, Some(guard(sandbox)));

    let block = block_numbers("447400555", 50);
    report.step(
        "a burst of sends to 50 numbers of block 447400555xxx",
        || -> StepResult<()> {
            let (sent, refused) = burst(&pumping, &block)?;
            let outbox = outbox_count(sandbox, &block);
            let all_block = refused.iter().all(|r| *r == Rule::NumberBlock);
            if (sent, refused.len(), outbox, all_block) != (10, 40, 10, true) {
                return Err(format!(
                    "{sent} sent, {} refused ({refused:?}), outbox {outbox}: expected 10 sent, 40 refused by number_block, outbox 10",
                    refused.len()
                ));
            }
            Ok(((), "10 sent, then 40 refused by number_block (10 per block per hour), nothing sent for them; outbox: exactly 10 messages for the block".into()))
        },
    );

    let legit = "447400123456";
    report.step(
        format!("a legitimate number in another block, {legit}, still gets its code"),
        || -> StepResult<()> {
            let s = pumping
                .execute(&Start::new(legit))
                .map_err(|e| format!("refused: {e}"))?;
            let (_, shown) = outbox_code(sandbox, legit, s.id.as_str())?;
            Ok(((), format!("sent, {}; {shown}", s.id)))
        },
    );

    let premium = "449098790000";
    report.step(
        format!("a premium-rate number, +44 909 ({premium})"),
        || -> StepResult<()> {
            let result = pumping.execute(&Start::new(premium));
            match refused_by(&result) {
                Some(Rule::NumberType) if sandbox.messages_to(premium).is_empty() => Ok((
                    (),
                    "refused by number_type (premium-rate, from libphonenumber's metadata): nothing reached the provider; outbox: 0 messages".into(),
                )),
                _ => Err(format!(
                    "expected a number_type refusal with nothing sent: {result:?}"
                )),
            }
        },
    );

    conversion_breaker(report, sandbox, telesign);
    double_click(report, sandbox, telesign);
}

/// (c) and (d): the country breaker trips on codes never verified, then
/// half-opens after its cool-off, on the sandbox's clock.
fn conversion_breaker(report: &mut Report, sandbox: &Sandbox, telesign: &ProviderConfig) {
    let guard = guard(sandbox);
    let client = client(telesign, Some(Arc::clone(&guard)));
    // France: two blocks of 10 (the block rule allows 10 each), never verified.
    let mut pumped = block_numbers("33612345", 10);
    pumped.extend(block_numbers("33612346", 10));
    let tripped = report.step(
        "20 sends to France, none verified, then more sends",
        || -> StepResult<()> {
            let (sent, refused) = burst(&client, &pumped)?;
            if (sent, refused.len()) != (20, 0) {
                return Err(format!("{sent} sent, refused {refused:?}: expected 20 sent"));
            }
            let more = block_numbers("33612347", 2);
            let (sent, refused) = burst(&client, &more)?;
            if sent != 0 || refused.iter().any(|r| *r != Rule::ConversionCountry) {
                return Err(format!(
                    "after 20 unverified: {sent} sent, refused {refused:?}: expected conversion_country"
                ));
            }
            Ok((
                (),
                format!(
                    "20 sent (outbox {}), 0 verified (< 20 %): the breaker trips; the next 2 refused by conversion_country for 12 h, nothing sent",
                    outbox_count(sandbox, &pumped)
                ),
            ))
        },
    );
    if tripped.is_none() {
        report.skip(
            "after the cool-off: one probe, a verified code closes it",
            "the trip",
        );
        return;
    }
    report.step(
        "after the 12 h cool-off: one probe send, a verified code closes the breaker",
        || -> StepResult<()> {
            sandbox.clock().advance(Duration::from_secs(12 * 3600));
            let probe = "33612348000";
            let started = client
                .execute(&Start::new(probe))
                .map_err(|e| format!("the probe was refused: {e}"))?;
            let second = client.execute(&Start::new("33612348001"));
            if refused_by(&second) != Some(Rule::ConversionCountry) {
                return Err(format!(
                    "a second send while the probe holds: {second:?}, expected conversion_country"
                ));
            }
            let (code, shown) = outbox_code(sandbox, probe, started.id.as_str())?;
            let outcome = client
                .execute(&Check::new(started.id.clone(), code).phone_number(probe))
                .map_err(|e| format!("the probe's check failed: {e}"))?;
            if !outcome.is_verified() {
                return Err(format!("the probe's code: {outcome:?}"));
            }
            let after = client.execute(&Start::new("33612348002"));
            if after.is_err() {
                return Err(format!("after the verified probe: {after:?}"));
            }
            Ok((
                (),
                format!(
                    "sandbox clock +12 h (the shield decides at the time it is given): half-open, the probe is sent ({shown}), a second send is refused while it holds, its code is verified and the breaker closes: the next send goes"
                ),
            ))
        },
    );
}

/// (f): two concurrent starts with one idempotency key, as a double click.
fn double_click(report: &mut Report, sandbox: &Sandbox, telesign: &ProviderConfig) {
    let to = "447400777888";
    report.step(
        format!("a double click: two starts at once with one idempotency key, to {to}"),
        || -> StepResult<()> {
            let ledger = Arc::new(MemoryLedger::new());
            let clients: Vec<verify_ureq::Client> = (0..2)
                .map(|_| {
                    verify_ureq::Client::builder(telesign.clone())
                        .retry_policy(demo_retry_policy())
                        .proxy_from_env(false)
                        .ledger(Arc::clone(&ledger))
                        .build()
                })
                .collect();
            let start = Start::new(to).idempotency_key("login:42:double-click");
            let results: Vec<Result<Started, String>> = std::thread::scope(|s| {
                let threads: Vec<_> = clients
                    .iter()
                    .map(|c| s.spawn(|| c.start(&start).map_err(|e| e.to_string())))
                    .collect();
                threads
                    .into_iter()
                    .map(|t| t.join().unwrap_or_else(|_| Err("the thread panicked".into())))
                    .collect()
            });
            let started: Vec<&Started> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
            let outbox = sandbox.messages_to(to).len();
            let fresh = started.iter().filter(|s| !s.replayed).count();
            if started.len() != 2
                || started[0].id != started[1].id
                || fresh != 1
                || outbox != 1
            {
                return Err(format!(
                    "{results:?}; outbox {outbox}: expected one send, the same id twice, one replayed"
                ));
            }
            Ok((
                (),
                format!(
                    "both answered {}, one sent and one replayed (nothing sent); outbox: exactly 1 message",
                    started[0].id
                ),
            ))
        },
    );
}
