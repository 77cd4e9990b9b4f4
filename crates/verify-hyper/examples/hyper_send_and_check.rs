//! Send a dotdigital code and validate it, async, against the loopback sandbox.
//! Run: `cargo run -p verify-hyper --example hyper_send_and_check`
use verify_core::dotdigital::{self, SendCode, ValidateCode, ValidateOutcome};
use verify_core::{BaseUrl, Code};
use verify_sandbox::{Sandbox, SandboxConfig};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start(SandboxConfig::deterministic(1)).await?;
    let c = sandbox.config();
    let credentials =
        dotdigital::Credentials::new(c.dotdigital_username.clone(), c.dotdigital_password.clone())?;
    // Plain http only because the sandbox is on loopback; real base URLs are https.
    let config = dotdigital::Config::new(credentials)
        .with_base_url(BaseUrl::allow_plain_http(&sandbox.base_url())?);
    let client = verify_hyper::Client::builder(config).build()?;

    let sent = client
        .execute(&SendCode::new("447700900123", "Verify"))
        .await?;
    println!("sent, requestId {}", sent.request_id.as_str());

    // The sandbox's outbox plays the phone: read the code the user would type.
    let typed = sandbox
        .messages_to("447700900123")
        .pop()
        .ok_or("no message")?
        .code;
    let outcome = client
        .execute(&ValidateCode::new(sent.request_id, Code::new(typed)))
        .await?;
    match outcome {
        ValidateOutcome::Code(code) => println!("status: {:?}", code.status),
        ValidateOutcome::UnknownOrDiscarded => println!("unknown or discarded"),
    }
    sandbox.shutdown().await;
    Ok(())
}
