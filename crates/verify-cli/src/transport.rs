//! Real sends, through the blocking adapter, with a progress indicator.

use serde_json::{Value, json};
use verify_ureq::{Client, ErrorKind};
use verify_ureq::{Operation, ProviderConfig};

use crate::failure::{Failure, Problem, ProviderFailure};
use crate::render;
use crate::spinner::Spinner;

/// Sends `op` with `config`, showing `label` while waiting.
pub fn send<O: Operation>(
    op: &O,
    config: ProviderConfig,
    label: &str,
) -> Result<O::Output, Failure> {
    let client = Client::new(config);
    let _spinner = Spinner::start(label);
    client.execute(op).map_err(|e| failure(&e))
}

/// Turns an adapter error into the command's failure: the caller's mistakes
/// exit 2, everything the provider or the network did exits 1.
pub fn failure(e: &verify_ureq::Error) -> Failure {
    match e.kind() {
        ErrorKind::Validation(v) => Failure::Usage(
            v.errors()
                .iter()
                .map(|f| Problem::new(f.field, f.rule.clone()))
                .collect(),
        ),
        ErrorKind::Config(c) => Failure::usage("configuration", c.to_string()),
        _ => Failure::Provider(provider_failure(e)),
    }
}

/// The printable form of an adapter error that reached the provider or the network.
pub fn provider_failure(e: &verify_ureq::Error) -> ProviderFailure {
    let mut json = match e.response() {
        Some(r) => render::response_error(r).json,
        None => json!({"kind": "transport"}),
    };
    if let Value::Object(m) = &mut json {
        m.insert("message".into(), e.to_string().into());
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
    ProviderFailure {
        message: e.to_string(),
        json,
    }
}
