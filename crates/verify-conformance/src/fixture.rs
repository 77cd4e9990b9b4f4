//! What every scenario starts from: a fresh sandbox, settings for both
//! providers with short time limits, and the phone's view of the outbox.

use std::time::Duration;

use verify_core::driver::{Builder, Settings, Timeouts};
use verify_core::retry::RetryPolicy;
use verify_core::{BaseUrl, dotdigital, telesign};
use verify_sandbox::{Sandbox, SandboxConfig};

use crate::Harness;
use crate::loopback::Loopback;

/// The phone number of most scenarios.
pub(crate) const PHONE: &str = "15555550100";

/// A number dotdigital takes.
pub(crate) const UK_PHONE: &str = "447700900123";

/// Every call's time limit (connecting, and the whole call): short, so a
/// stalled server costs a second, and long enough for a loaded CI machine.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(1);

/// How much longer than its limit a call may take to return (scheduling,
/// a loaded machine).
pub(crate) const SLACK: Duration = Duration::from_secs(1);

/// A fresh sandbox on loopback, on its own thread.
pub(crate) fn sandbox() -> Sandbox {
    Sandbox::spawn(SandboxConfig::deterministic(7)).expect("the sandbox starts")
}

fn base(sb: &Sandbox) -> BaseUrl {
    BaseUrl::allow_plain_http(&sb.base_url()).expect("the sandbox URL")
}

/// TeleSign settings with the sandbox's credentials.
pub(crate) fn telesign_config(sb: &Sandbox) -> telesign::Config {
    telesign_config_via(sb, base(sb))
}

/// TeleSign settings with the sandbox's credentials, at `base_url`.
pub(crate) fn telesign_config_via(sb: &Sandbox, base_url: BaseUrl) -> telesign::Config {
    let c = sb.config();
    let creds =
        telesign::Credentials::new(c.telesign_customer_id.clone(), c.telesign_api_key.clone())
            .expect("the sandbox's credentials");
    telesign::Config::new(creds).with_base_url(base_url)
}

/// dotdigital settings with the sandbox's credentials.
pub(crate) fn dotdigital_config(sb: &Sandbox) -> dotdigital::Config {
    dotdigital_config_via(sb, base(sb))
}

/// dotdigital settings with the sandbox's credentials, at `base_url`.
pub(crate) fn dotdigital_config_via(sb: &Sandbox, base_url: BaseUrl) -> dotdigital::Config {
    let c = sb.config();
    let creds =
        dotdigital::Credentials::new(c.dotdigital_username.clone(), c.dotdigital_password.clone())
            .expect("the sandbox's credentials");
    dotdigital::Config::new(creds).with_base_url(base_url)
}

/// TeleSign settings for a server that is not the sandbox.
pub(crate) fn telesign_config_elsewhere(base_url: BaseUrl) -> telesign::Config {
    let creds = telesign::Credentials::new("CUSTOMER", "VGVzdCBLZXk=").expect("test credentials");
    telesign::Config::new(creds).with_base_url(base_url)
}

/// A second address for the sandbox, for a backup provider: in production
/// the two providers are different servers, and a client never carries a
/// request for one on a connection it opened to the other. (Sharing the
/// sandbox's one address, the backup's first request could land on a pooled
/// connection the sandbox is closing after refusing the primary's.) Keep
/// the relay for as long as the settings are used.
pub(crate) fn backup_address(sb: &Sandbox) -> (Loopback, BaseUrl) {
    let relay = Loopback::relay(sb.local_addr());
    let url = relay.http_url();
    (relay, url)
}

/// [`TIMEOUT`] for everything, and three attempts a few milliseconds
/// apart.
pub(crate) fn fast(builder: Builder<Settings>) -> Settings {
    builder
        .timeouts(Timeouts {
            connect: TIMEOUT,
            overall: TIMEOUT,
        })
        .retry_policy(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
        })
        .build()
}

/// A client with [`fast`] settings for the sandbox's TeleSign alone.
pub(crate) fn telesign_client<H: Harness>(h: &H, sb: &Sandbox) -> H::Client {
    h.client(fast(Settings::builder(telesign_config(sb))))
}

/// The code of the latest message to `to`, as the user reads it.
pub(crate) fn code_of(sb: &Sandbox, to: &str) -> String {
    sb.messages_to(to)
        .last()
        .expect("a message in the outbox")
        .code
        .clone()
}

/// A code of the same length that is not `code`.
pub(crate) fn wrong(code: &str) -> String {
    code.chars()
        .map(|c| if c == '0' { '1' } else { '0' })
        .collect()
}

/// Waits until the sandbox has surely finished with a request it delayed
/// by `delay` (counted from `since`), so the outbox can be read.
pub(crate) fn outlast(delay: Duration, since: std::time::Instant) {
    std::thread::sleep(delay.saturating_sub(since.elapsed()) + Duration::from_millis(500));
}
