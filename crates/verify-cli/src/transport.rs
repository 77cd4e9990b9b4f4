//! Real sends, through the blocking adapter, with a progress indicator.

use serde_json::{Value, json};
use verify_ureq::{Client, ErrorKind, Idempotency, Proxy};
use verify_ureq::{Operation, ProviderConfig};

use crate::cli::SendOptions;
use crate::failure::{Failure, Problem, ProviderFailure};
use crate::guard::Protection;
use crate::render;
use crate::spinner::Spinner;

/// How requests reach the provider: `--proxy`, and whether the
/// environment's proxy variables apply (`--no-proxy` turns them off).
#[derive(Clone, Debug)]
pub struct Network {
    proxy: Option<Proxy>,
    from_env: bool,
}

impl Network {
    /// The network settings `send` describes, or the problem with them.
    pub fn from_options(send: &SendOptions, problems: &mut Vec<Problem>) -> Self {
        let proxy = send.proxy.as_deref().and_then(|url| match Proxy::new(url) {
            Ok(p) => Some(p),
            Err(e) => {
                // The error never repeats the URL (it may hold a password).
                problems.push(Problem::new("--proxy", e.to_string()));
                None
            }
        });
        Self {
            proxy,
            from_env: !send.no_proxy,
        }
    }

    /// `builder` with these settings.
    pub fn apply(&self, builder: verify_ureq::Builder) -> verify_ureq::Builder {
        let builder = builder.proxy_from_env(self.from_env);
        match &self.proxy {
            Some(p) => builder.proxy(p.clone()),
            None => builder,
        }
    }
}

/// Sends `op` with `config` through `network`, showing `label` while waiting.
pub fn send<O: Operation>(
    op: &O,
    config: ProviderConfig,
    network: &Network,
    label: &str,
) -> Result<O::Output, Failure> {
    execute(op, network.apply(Client::builder(config)), label)
}

/// Sends `op` with `config` through `network`, past the shield when
/// `protection` has one.
pub fn send_guarded<O: Operation>(
    op: &O,
    config: ProviderConfig,
    network: &Network,
    protection: &Protection,
    label: &str,
) -> Result<O::Output, Failure> {
    execute(
        op,
        protection.apply(network.apply(Client::builder(config))),
        label,
    )
}

/// Sends `op` through the blocking client `builder` describes.
pub fn execute<O: Operation>(
    op: &O,
    builder: verify_ureq::Builder,
    label: &str,
) -> Result<O::Output, Failure> {
    let client = builder.build();
    let _spinner = Spinner::start(label);
    client
        .execute(op)
        .map_err(|e| failure(&e, op.idempotency() == Idempotency::SendsMessage))
}

/// Runs `f` with the blocking client `builder` describes, showing `label`
/// while waiting (for the client's own calls: `start`, `check_pending`).
pub fn call<T>(
    builder: verify_ureq::Builder,
    label: &str,
    sends: bool,
    f: impl FnOnce(&Client) -> Result<T, verify_ureq::Error>,
) -> Result<T, Failure> {
    let client = builder.build();
    let _spinner = Spinner::start(label);
    f(&client).map_err(|e| failure(&e, sends))
}

/// Turns an adapter error into the command's failure: the caller's mistakes
/// exit 2, a refusal by the guard (or by its store, failing closed) exits 3,
/// everything else the provider, the network or the ledger did exits 1.
/// Exit 2 and 3 say "nothing was sent", so they are used only when the
/// library's error says no message may have gone out: any error that says
/// one may have is a provider failure (exit 1) whatever its kind. For an
/// operation that `sends` a message, the text always says whether one may
/// have gone out.
pub fn failure(e: &verify_ureq::Error, sends: bool) -> Failure {
    if e.message_may_have_been_sent() {
        return Failure::Provider(provider_failure(e, sends));
    }
    match e.kind() {
        ErrorKind::Validation(v) => Failure::Usage(Problem::all_of(v)),
        ErrorKind::Config(c) => Failure::Usage(vec![Problem {
            provider: e.provider().map(|p| p.to_string()),
            ..Problem::new("configuration", c.to_string())
        }]),
        ErrorKind::Blocked(_) | ErrorKind::Ledger(_) => {
            Failure::Refused(provider_failure(e, sends))
        }
        _ => Failure::Provider(provider_failure(e, sends)),
    }
}

/// A wait as people read it: `30 s` (rounded up), or milliseconds under one.
fn wait(d: std::time::Duration) -> String {
    if d < std::time::Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{} s", d.as_millis().div_ceil(1000))
    }
}

/// The kind-specific part of an error's JSON and its one line for humans,
/// when the kind has its own (the guard, the ledger); `None` for the rest.
fn own_words(e: &verify_ureq::Error) -> Option<(Value, String)> {
    Some(match e.kind() {
        ErrorKind::Blocked(b) => {
            let mut message = format!("refused by the guard ({}): nothing was sent", b.rule);
            let mut json = json!({"kind": "blocked", "rule": b.rule.as_str()});
            if let Some(after) = b.retry_after {
                message.push_str(&format!("; try again in {}", wait(after)));
                json["retry_after_ms"] =
                    u64::try_from(after.as_millis()).unwrap_or(u64::MAX).into();
            }
            (json, message)
        }
        // The store of the idempotency keys could not answer: the command
        // fails closed, as the shield does on its store (rule
        // store_unavailable), whichever of the two asked first.
        ErrorKind::Ledger(l) => (
            json!({"kind": "blocked", "rule": "store_unavailable", "store": "ledger", "detail": l.detail}),
            format!("refused (store_unavailable): {l}: nothing was sent"),
        ),
        ErrorKind::InProgress => (
            json!({"kind": "in_progress"}),
            format!(
                "{}: another start with this idempotency key is still in progress; nothing was sent by this one (try again, or check the code that start sends)",
                e.operation()
            ),
        ),
        ErrorKind::Replayed {
            detail,
            message_may_have_been_sent,
        } => (
            json!({"kind": "replayed", "earlier": detail}),
            format!(
                "{}: an earlier start with this idempotency key failed ({detail}); {}; nothing was sent again (--resend sends anew)",
                e.operation(),
                if *message_may_have_been_sent {
                    "its message may have gone out"
                } else {
                    "nothing went out"
                }
            ),
        ),
        _ => return None,
    })
}

/// The printable form of an adapter error that reached the provider or the network.
pub fn provider_failure(e: &verify_ureq::Error, sends: bool) -> ProviderFailure {
    let own = own_words(e);
    let mut json = match (&own, e.response()) {
        (Some((json, _)), _) => json.clone(),
        (None, Some(r)) => render::response_error(r).json,
        (None, None) => json!({"kind": "transport"}),
    };
    let mut message = own.map_or_else(|| e.to_string(), |(_, m)| m);
    let says = [
        "a message may have been sent",
        "no message was sent",
        "nothing was sent",
    ];
    if sends && !says.iter().any(|s| message.contains(s)) {
        message.push_str(if e.message_may_have_been_sent() {
            " [a message may have been sent]"
        } else {
            " [no message was sent]"
        });
    }
    if let Value::Object(m) = &mut json {
        m.insert("message".into(), message.clone().into());
        m.insert("operation".into(), e.operation().into());
        m.insert("attempts".into(), e.attempts().into());
        m.insert(
            "message_may_have_been_sent".into(),
            e.message_may_have_been_sent().into(),
        );
        if let Some(p) = e.provider() {
            m.insert("provider".into(), p.to_string().into());
        }
    }
    ProviderFailure { message, json }
}
