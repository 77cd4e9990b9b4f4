//! The abuse shield in the send path, through this adapter against the
//! sandbox: a refused send or check never reaches the provider, and one
//! logical send is decided once however many attempts it takes.

use std::sync::Arc;

use verify_sandbox::{Fault, Route, Sandbox, SandboxConfig};
use verify_ureq::guard::Rule;
use verify_ureq::neutral::VerificationId;
use verify_ureq::neutral::{Check, CheckOutcome, Start};
use verify_ureq::shield::{MemoryStore, Rules, Shield};
use verify_ureq::telesign::{self, CheckCode};
use verify_ureq::{BaseUrl, Client, Code, ErrorKind, Provider, dotdigital};

fn telesign(sb: &Sandbox) -> telesign::Config {
    let c = sb.config();
    telesign::Config::new(
        telesign::Credentials::new(c.telesign_customer_id.clone(), c.telesign_api_key.clone())
            .expect("credentials"),
    )
    .with_base_url(BaseUrl::allow_plain_http(&sb.base_url()).expect("url"))
}

fn dotdigital(sb: &Sandbox) -> dotdigital::Config {
    let c = sb.config();
    dotdigital::Config::new(
        dotdigital::Credentials::new(c.dotdigital_username.clone(), c.dotdigital_password.clone())
            .expect("credentials"),
    )
    .with_base_url(BaseUrl::allow_plain_http(&sb.base_url()).expect("url"))
}

#[test]
fn a_refused_send_never_reaches_the_outbox() {
    let sb = Sandbox::spawn(SandboxConfig::deterministic(20)).expect("sandbox");
    let shield = Arc::new(Shield::new(Rules::default(), MemoryStore::new()));
    let client = Client::builder(telesign(&sb)).guard(shield.clone()).build();

    let number = "447400123456";
    client
        .execute(&Start::new(number).client_key("ip:192.0.2.1"))
        .expect("the first send goes");
    assert_eq!(sb.messages_to(number).len(), 1);

    let error = client
        .execute(&Start::new(number).client_key("ip:192.0.2.1"))
        .expect_err("the cooldown refuses the second");
    let ErrorKind::Blocked(blocked) = error.kind() else {
        panic!("not blocked: {error}");
    };
    assert_eq!(blocked.rule, Rule::NumberCooldown);
    assert!(blocked.retry_after.is_some());
    assert!(!error.message_may_have_been_sent());
    assert_eq!(error.attempts(), 0);
    assert!(error.to_string().contains("nothing was sent"), "{error}");
    assert!(!error.to_string().contains(number), "{error}");
    assert_eq!(sb.messages_to(number).len(), 1);

    // A premium-rate number, with the defaults: nothing reaches the provider.
    let premium = "449098790000";
    let error = client
        .execute(&telesign::SendSms::new(premium))
        .expect_err("premium-rate is refused");
    assert_eq!(error.blocked().map(|b| b.rule), Some(Rule::NumberType));
    assert!(!error.message_may_have_been_sent());
    assert!(sb.messages_to(premium).is_empty());
    assert_eq!(sb.messages().len(), 1);
}

#[test]
fn fifty_sends_to_one_block_send_ten_messages() {
    let sb = Sandbox::spawn(SandboxConfig::deterministic(21)).expect("sandbox");
    let shield = Arc::new(Shield::new(Rules::default(), MemoryStore::new()));
    let client = Client::builder(telesign(&sb)).guard(shield).build();
    let mut blocked = 0;
    for i in 0..50 {
        match client.execute(&Start::new(format!("447400555{i:03}"))) {
            Ok(_) => {}
            Err(e) => {
                assert_eq!(e.blocked().map(|b| b.rule), Some(Rule::NumberBlock));
                blocked += 1;
            }
        }
    }
    assert_eq!(blocked, 40);
    assert_eq!(sb.messages().len(), 10);
}

#[test]
fn a_send_that_fails_over_is_decided_once() {
    let sb = Sandbox::spawn(SandboxConfig::deterministic(22)).expect("sandbox");
    let shield = Arc::new(Shield::new(Rules::default(), MemoryStore::new()));
    let client = Client::builder(telesign(&sb))
        .backup(dotdigital(&sb))
        .guard(shield.clone())
        .build();
    // TeleSign refuses three times (retried), then the send fails over.
    sb.inject(Route::TeleSignSms, Fault::TeleSignStatus(500), 3);
    let number = "447400777001";
    let started = client.execute(&Start::new(number)).expect("started");
    assert_eq!(started.id.provider(), Provider::Dotdigital);
    assert_eq!(sb.messages_to(number).len(), 1);
    let counters = shield.counters();
    assert_eq!(counters.allowed, 1);
    assert!(counters.denied.iter().all(|(_, n)| *n == 0));
}

#[test]
fn wrong_codes_are_counted_and_a_check_beyond_the_limit_never_reaches_the_provider() {
    let sb = Sandbox::spawn(SandboxConfig::deterministic(23)).expect("sandbox");
    let mut rules = Rules::default();
    rules.wrong_codes.max = 2;
    let shield = Arc::new(Shield::new(rules, MemoryStore::new()));
    let client = Client::builder(telesign(&sb)).guard(shield).build();
    let number = "447400888001";
    let started = client.execute(&Start::new(number)).expect("started");
    let check = |code: &str| {
        client.execute(&Check::new(started.id.clone(), Code::new(code)).phone_number(number))
    };
    assert_eq!(check("0000000").expect("checked"), CheckOutcome::Incorrect);
    assert_eq!(check("0000001").expect("checked"), CheckOutcome::Incorrect);

    // The next check is refused before any I/O: the fault waiting at the
    // provider is still there for the unguarded check after it.
    sb.inject(Route::TeleSignStatus, Fault::TeleSignStatus(500), 1);
    let typed = sb.messages_to(number)[0].code.clone();
    let error = check(&typed).expect_err("refused");
    assert_eq!(error.blocked().map(|b| b.rule), Some(Rule::WrongCodes));
    assert!(!error.message_may_have_been_sent());
    let VerificationId::TeleSign(id) = started.id else {
        panic!("a TeleSign id");
    };
    let unguarded = client.execute(&CheckCode::new(id, Code::new(typed)));
    assert!(
        unguarded.is_err(),
        "the fault was not used up: {unguarded:?}"
    );
}

#[test]
fn a_verified_code_feeds_the_breaker() {
    let sb = Sandbox::spawn(SandboxConfig::deterministic(24)).expect("sandbox");
    // A block breaker that trips after one unverified send.
    let mut rules = Rules::default();
    rules.conversion_block.min_sends = 1;
    let shield = Arc::new(Shield::new(rules, MemoryStore::new()));
    let client = Client::builder(telesign(&sb)).guard(shield).build();

    // Block 447400111: the code is verified, the block stays open to sends.
    let first = "447400111001";
    let started = client.execute(&Start::new(first)).expect("started");
    let typed = sb.messages_to(first)[0].code.clone();
    let outcome = client
        .execute(&Check::new(started.id, Code::new(typed)).phone_number(first))
        .expect("checked");
    assert!(outcome.is_verified());
    client
        .execute(&Start::new("447400111002"))
        .expect("the block converts");

    // Block 447400222: never verified, the second send trips its breaker.
    client
        .execute(&Start::new("447400222001"))
        .expect("started");
    let error = client
        .execute(&Start::new("447400222002"))
        .expect_err("tripped");
    assert_eq!(error.blocked().map(|b| b.rule), Some(Rule::ConversionBlock));
}
