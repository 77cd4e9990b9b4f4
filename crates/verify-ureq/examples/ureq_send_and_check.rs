//! Send a TeleSign SMS code and check it, blocking, against the loopback sandbox.
//! Run: `cargo run -p verify-ureq --example ureq_send_and_check`
use verify_core::telesign::{self, Complete, GetStatus, SendSms};
use verify_core::{BaseUrl, Code};
use verify_sandbox::{Sandbox, SandboxConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::spawn(SandboxConfig::deterministic(1))?;
    let c = sandbox.config();
    let credentials =
        telesign::Credentials::new(c.telesign_customer_id.clone(), c.telesign_api_key.clone())?;
    // Plain http only because the sandbox is on loopback; real base URLs are https.
    let config = telesign::Config::new(credentials)
        .with_base_url(BaseUrl::allow_plain_http(&sandbox.base_url())?);
    let client = verify_ureq::Client::new(config);

    let sent = client.execute(&SendSms::new("15555550100"))?;
    let reference_id = sent.reference_id.ok_or("no reference_id")?;
    println!("sent, reference_id {reference_id}");

    // The sandbox's outbox plays the phone: read the code the user would type.
    let typed = sandbox
        .messages_to("15555550100")
        .pop()
        .ok_or("no message")?
        .code;
    let checked =
        client.execute(&GetStatus::new(reference_id.clone()).verify_code(Code::new(typed)))?;
    println!("code state: {:?}", checked.code_state());
    client.execute(&Complete::new(reference_id))?;
    println!("completed");
    Ok(())
}
