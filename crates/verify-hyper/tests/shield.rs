//! The abuse shield in the async send path against the sandbox: a refused
//! send never reaches the outbox, a send that fails over is decided once,
//! and a check beyond the wrong-code limit is refused.

use std::sync::Arc;

use verify_hyper::guard::Rule;
use verify_hyper::neutral::{Check, CheckOutcome, Start};
use verify_hyper::shield::{MemoryStore, Rules, Shield};
use verify_hyper::{BaseUrl, Client, Code, ErrorKind, Provider, dotdigital, telesign};
use verify_sandbox::{Fault, Route, Sandbox, SandboxConfig};

#[tokio::test]
async fn the_shield_guards_the_async_client() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start(SandboxConfig::deterministic(30)).await?;
    let (c, url) = (
        sandbox.config(),
        BaseUrl::allow_plain_http(&sandbox.base_url())?,
    );
    let primary = telesign::Config::new(telesign::Credentials::new(
        c.telesign_customer_id.clone(),
        c.telesign_api_key.clone(),
    )?)
    .with_base_url(url.clone());
    let backup = dotdigital::Config::new(dotdigital::Credentials::new(
        c.dotdigital_username.clone(),
        c.dotdigital_password.clone(),
    )?)
    .with_base_url(url);
    let mut rules = Rules::default();
    rules.wrong_codes.max = 1;
    let shield = Arc::new(Shield::new(rules, MemoryStore::new()));
    let client = Client::builder(primary)
        .backup(backup)
        .guard(shield.clone())
        .build()?;

    // Retried and failed over: one decision.
    sandbox.inject(Route::TeleSignSms, Fault::TeleSignStatus(500), 3);
    let number = "447400123456";
    let started = client
        .execute(&Start::new(number).client_key("user:1"))
        .await?;
    assert_eq!(started.id.provider(), Provider::Dotdigital);
    assert_eq!(shield.counters().allowed, 1);

    // The cooldown refuses the next send before any I/O.
    let error = client
        .execute(&Start::new(number).client_key("user:1"))
        .await
        .expect_err("refused");
    let ErrorKind::Blocked(blocked) = error.kind() else {
        panic!("not blocked: {error}");
    };
    assert_eq!(blocked.rule, Rule::NumberCooldown);
    assert!(!error.message_may_have_been_sent());
    assert_eq!(sandbox.messages_to(number).len(), 1);

    // One wrong code, then the check is refused.
    let wrong = Check::new(started.id.clone(), Code::new("000000")).phone_number(number);
    assert_eq!(client.execute(&wrong).await?, CheckOutcome::Incorrect);
    let error = client.execute(&wrong).await.expect_err("refused");
    assert_eq!(error.blocked().map(|b| b.rule), Some(Rule::WrongCodes));
    Ok(())
}
