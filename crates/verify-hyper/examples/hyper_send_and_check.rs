//! Send a TeleSign SMS code and check it, async, against the loopback sandbox:
//! a mistyped code first (`CodeCheck::Invalid`), then the right one (`CodeCheck::Valid`).
//! Run: `cargo run -p verify-hyper --example hyper_send_and_check`
use verify_hyper::telesign::{self, CheckCode, CodeCheck, Complete, SendSms};
use verify_hyper::{BaseUrl, Client, Code};
use verify_sandbox::{Sandbox, SandboxConfig};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start(SandboxConfig::deterministic(1)).await?;
    let c = sandbox.config();
    let credentials =
        telesign::Credentials::new(c.telesign_customer_id.clone(), c.telesign_api_key.clone())?;
    // Plain http only because the sandbox is on loopback; real base URLs are https.
    let config = telesign::Config::new(credentials)
        .with_base_url(BaseUrl::allow_plain_http(&sandbox.base_url())?);
    let client = Client::new(config)?;

    let sent = client.execute(&SendSms::new("15555550100")).await?;
    println!("sent, reference_id {}", sent.reference_id);

    // The sandbox's outbox plays the phone: read the code the user would type.
    let code = sandbox
        .messages_to("15555550100")
        .pop()
        .ok_or("no message")?
        .code;

    // A wrong code is an outcome, not an error: the user may try again.
    let check = CheckCode::new(sent.reference_id, Code::new(mistyped(&code)));
    match client.execute(&check).await? {
        CodeCheck::Invalid => println!("a mistyped code: invalid, try again"),
        other => return Err(format!("a mistyped code: {other:?}").into()),
    }
    let check = CheckCode::new(sent.reference_id, Code::new(code));
    match client.execute(&check).await? {
        CodeCheck::Valid => println!("the right code: verified"),
        other => return Err(format!("the right code: {other:?}").into()),
    }
    client.execute(&Complete::new(sent.reference_id)).await?;
    println!("completed");
    sandbox.shutdown().await;
    Ok(())
}

/// The code as a user might mistype it: every digit changed.
fn mistyped(code: &str) -> String {
    code.chars()
        .map(|d| if d == '0' { '1' } else { '0' })
        .collect()
}
