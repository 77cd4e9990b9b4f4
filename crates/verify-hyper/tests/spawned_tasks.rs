//! What only an async adapter has to prove, beside the conformance suite
//! (which runs one call per blocked thread): calls run as spawned tokio
//! tasks, so `execute`'s future is `Send` and a clone of the client is
//! `'static`, and many of them share one client's pool at once.

use std::time::Duration;

use verify_hyper::telesign::{self, SendSms};
use verify_hyper::{BaseUrl, Client, RetryPolicy, Timeouts};
use verify_sandbox::{Sandbox, SandboxConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_run_as_spawned_tasks_on_one_client() {
    let sb = Sandbox::start(SandboxConfig::deterministic(7))
        .await
        .expect("the sandbox starts");
    let c = sb.config();
    let credentials =
        telesign::Credentials::new(c.telesign_customer_id.clone(), c.telesign_api_key.clone())
            .expect("the sandbox's credentials");
    let url = BaseUrl::allow_plain_http(&sb.base_url()).expect("the sandbox URL");
    let client = Client::builder(telesign::Config::new(credentials).with_base_url(url))
        .timeouts(Timeouts {
            connect: Duration::from_secs(1),
            overall: Duration::from_secs(1),
        })
        .retry_policy(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
        })
        .build()
        .expect("a client");
    let calls: Vec<_> = (0..32)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                let to = format!("1555555{i:04}");
                let sent = client.execute(&SendSms::new(to.clone())).await;
                (to, sent)
            })
        })
        .collect();
    for call in calls {
        let (to, sent) = call.await.expect("the task");
        let sent = sent.expect("send");
        let messages = sb.messages_to(&to);
        assert_eq!(messages.len(), 1, "{to}");
        assert_eq!(messages[0].verification_id, sent.reference_id.as_str());
    }
    assert_eq!(sb.messages().len(), 32);
    sb.shutdown().await;
}
