//! TeleSign's Verify API through this adapter against the sandbox: a
//! process with a fallback, wrong and right codes, the state read back, and
//! the neutral API failing over between the Verify API and the other
//! providers.

use std::time::Duration;

use verify_sandbox::{Channel, Fault, Route, Sandbox, SandboxConfig};
use verify_ureq::neutral::{Check, CheckOutcome, Start};
use verify_ureq::telesign_verify::{
    self, CreateVerification, Finalization, FinalizeVerification, GetVerification, Method,
    PolicyStep, State,
};
use verify_ureq::{BaseUrl, Client, Code, Provider, telesign};

fn verify_api(sb: &Sandbox) -> telesign_verify::Config {
    let c = sb.config();
    telesign_verify::Config::new(
        telesign::Credentials::new(c.telesign_customer_id.clone(), c.telesign_api_key.clone())
            .expect("credentials"),
    )
    .with_base_url(BaseUrl::allow_plain_http(&sb.base_url()).expect("url"))
}

#[test]
fn a_process_falls_back_and_is_finalized() {
    let sb = Sandbox::spawn(SandboxConfig::deterministic(3)).expect("sandbox");
    let client = Client::new(verify_api(&sb));
    let create = CreateVerification::new()
        .phone_number("15555550123")
        .then(PolicyStep::with_fallback(Method::Sms, 30))
        .then(PolicyStep::new(Method::Whatsapp));
    let created = client.execute(&create).expect("created");
    assert_eq!(created.state, State::Ongoing);
    assert_eq!(sb.messages_to("15555550123").len(), 1);

    sb.clock().advance(Duration::from_secs(31));
    let seen = client
        .execute(&GetVerification::new(created.reference_id))
        .expect("retrieved");
    assert_eq!(seen.inner_methods[0].state, State::Skipped);
    assert_eq!(seen.inner_methods[1].state, State::Ongoing);
    let messages = sb.messages_to("15555550123");
    let whatsapp = messages
        .iter()
        .find(|m| m.channel == Channel::Whatsapp)
        .expect("the fallback's message");

    let id = created.reference_id;
    let wrong = FinalizeVerification::new(id, Code::new("000000"));
    assert_eq!(
        client.execute(&wrong).expect("finalized"),
        Finalization::WrongCode
    );
    let right = FinalizeVerification::new(id, Code::new(whatsapp.code.clone()));
    assert_eq!(
        client.execute(&right).expect("finalized"),
        Finalization::Verified
    );
    let again = FinalizeVerification::new(id, Code::new(whatsapp.code.clone()));
    assert_eq!(
        client.execute(&again).expect("finalized"),
        Finalization::NotFoundOrFinished
    );
    let seen = client
        .execute(&GetVerification::new(id))
        .expect("retrieved");
    assert_eq!(seen.state, State::Verified);
}

#[test]
fn the_neutral_api_fails_over_between_the_verify_api_and_the_classic_one() {
    let sb = Sandbox::spawn(SandboxConfig::deterministic(4)).expect("sandbox");
    let c = sb.config();
    let classic = telesign::Config::new(
        telesign::Credentials::new(c.telesign_customer_id.clone(), c.telesign_api_key.clone())
            .expect("credentials"),
    )
    .with_base_url(BaseUrl::allow_plain_http(&sb.base_url()).expect("url"));
    let client = Client::builder(verify_api(&sb)).backup(classic).build();

    // The Verify API refuses for now (nothing processed): fail over.
    sb.inject(Route::TeleSignVerifyCreate, Fault::TeleSignStatus(500), 3);
    let started = client.execute(&Start::new("15555550124")).expect("started");
    assert_eq!(started.id.provider(), Provider::TeleSign);
    assert_eq!(sb.messages_to("15555550124").len(), 1);

    // And the Verify API as the one that answers, checked neutrally.
    let started = client.execute(&Start::new("15555550125")).expect("started");
    assert_eq!(started.id.provider(), Provider::TeleSignVerify);
    let code = sb.messages_to("15555550125")[0].code.clone();
    let wrong = Check::new(started.id.clone(), Code::new("000000"));
    assert_eq!(
        client.execute(&wrong).expect("checked"),
        CheckOutcome::Incorrect
    );
    assert!(
        client
            .execute(&Check::new(started.id, Code::new(code)))
            .expect("checked")
            .is_verified()
    );
}
