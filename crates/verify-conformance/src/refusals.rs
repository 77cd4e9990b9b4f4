//! Calls refused before anything reaches a provider: a broken operation,
//! plain HTTP without the opt-in, a provider the client has no settings
//! for.

use verify_core::driver::{ErrorKind, Settings};
use verify_core::telesign::{GetStatus, SendSms};
use verify_core::{BaseUrl, Provider};

use crate::Harness;
use crate::fixture::{PHONE, dotdigital_config, fast, sandbox, telesign_client, telesign_config};

/// A broken operation names every offending field and never leaves the
/// machine: no attempt, nothing sent.
pub fn validation_errors_come_before_any_io<H: Harness>(h: &H) {
    let sb = sandbox();
    let client = telesign_client(h, &sb);
    let op = SendSms::new("not a number").template("no placeholder");
    let err = h.execute(&client, &op).expect_err("invalid");
    let ErrorKind::Validation(v) = err.kind() else {
        panic!("not a validation error: {err}")
    };
    assert_eq!(v.fields().collect::<Vec<_>>(), ["phone_number", "template"]);
    assert_eq!(err.attempts(), 0);
    assert!(!err.message_may_have_been_sent());
    assert!(sb.messages().is_empty());
}

/// Plain `http://` needs the base URL's opt-in; and an `https://` base URL
/// never falls back to plain HTTP: against the sandbox, which speaks plain
/// HTTP, nothing goes through and nothing is sent.
pub fn plain_http_needs_the_base_url_opt_in<H: Harness>(h: &H) {
    assert!(BaseUrl::new("http://127.0.0.1:1").is_err());
    let sb = sandbox();
    let mut config = telesign_config(&sb);
    config.base_url =
        BaseUrl::new(&sb.base_url().replace("http://", "https://")).expect("an https URL");
    let client = h.client(fast(Settings::builder(config)));
    let err = h
        .execute(&client, &SendSms::new(PHONE))
        .expect_err("no TLS at the sandbox");
    assert!(!err.message_may_have_been_sent(), "{err}");
    assert!(sb.messages().is_empty());
}

/// An operation for a provider the client has no settings for fails at
/// once with `NoProviderFor`.
pub fn an_operation_for_an_unconfigured_provider_is_refused<H: Harness>(h: &H) {
    let sb = sandbox();
    let client = h.client(fast(Settings::builder(dotdigital_config(&sb))));
    let id = "0123456789ABCDEF0123456789ABCDEF"
        .parse()
        .expect("a reference id");
    let err = h
        .execute(&client, &GetStatus::new(id))
        .expect_err("no TeleSign settings");
    assert!(
        matches!(err.kind(), ErrorKind::NoProviderFor(Provider::TeleSign)),
        "{err}"
    );
    assert_eq!(err.attempts(), 0);
}
