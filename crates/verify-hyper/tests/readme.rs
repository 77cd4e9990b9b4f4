//! The README's flow with `verify-hyper` and `.await`, importing only from
//! the adapter (and the sandbox standing in for the providers).

use verify_hyper::neutral::{Check, CheckOutcome, Start};
use verify_hyper::telesign::{self, CheckCode, CodeCheck, ReferenceId, SendSms};
use verify_hyper::{BaseUrl, Client, Code, Provider, dotdigital};
use verify_sandbox::{Fault, Route, Sandbox, SandboxConfig};

#[tokio::test]
async fn the_readme_flow_with_await() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start(SandboxConfig::deterministic(7)).await?;
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
    let client = Client::builder(primary).backup(backup).build()?;

    let sent = client.execute(&SendSms::new("15555550100")).await?;
    let reference_id: ReferenceId = sent.reference_id;
    let wrong = CheckCode::new(reference_id, Code::new("0000000"));
    assert_eq!(client.execute(&wrong).await?, CodeCheck::Invalid);
    let typed = sandbox.messages_to("15555550100")[0].code.clone();
    let right = CheckCode::new(reference_id, Code::new(typed));
    assert_eq!(client.execute(&right).await?, CodeCheck::Valid);

    sandbox.inject(Route::TeleSignSms, Fault::TeleSignStatus(500), 3);
    let started = client.execute(&Start::new("447700900123")).await?;
    assert_eq!(started.id.provider(), Provider::Dotdigital);
    assert_eq!(sandbox.messages_to("447700900123").len(), 1);
    let wrong = Check::new(started.id.clone(), Code::new("000000"));
    assert_eq!(client.execute(&wrong).await?, CheckOutcome::Incorrect);
    let typed = sandbox.messages_to("447700900123")[0].code.clone();
    let right = Check::new(started.id, Code::new(typed));
    assert!(client.execute(&right).await?.is_verified());
    Ok(())
}
