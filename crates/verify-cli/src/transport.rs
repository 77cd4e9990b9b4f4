//! Real sends, through the blocking adapter, with a progress indicator.

use serde_json::{Value, json};
use verify_ureq::{Client, ErrorKind, Idempotency, Proxy};
use verify_ureq::{Operation, ProviderConfig};

use crate::cli::SendOptions;
use crate::failure::{Failure, Problem, ProviderFailure};
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

/// Turns an adapter error into the command's failure: the caller's mistakes
/// exit 2, everything the provider or the network did exits 1. For an
/// operation that `sends` a message, the text always says whether one may
/// have gone out.
pub fn failure(e: &verify_ureq::Error, sends: bool) -> Failure {
    match e.kind() {
        ErrorKind::Validation(v) => Failure::Usage(
            v.errors()
                .iter()
                .map(|f| Problem::new(f.field, f.rule.clone()))
                .collect(),
        ),
        ErrorKind::Config(c) => Failure::usage("configuration", c.to_string()),
        _ => Failure::Provider(provider_failure(e, sends)),
    }
}

/// The printable form of an adapter error that reached the provider or the network.
pub fn provider_failure(e: &verify_ureq::Error, sends: bool) -> ProviderFailure {
    let mut json = match e.response() {
        Some(r) => render::response_error(r).json,
        None => json!({"kind": "transport"}),
    };
    let mut message = e.to_string();
    let says = ["a message may have been sent", "no message was sent"];
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
