//! The boundaries of a connection: a TLS handshake that never answers, a
//! proxy that never answers the `CONNECT`, a host that does not resolve,
//! each with the time left shorter than the connect limit (on the retry, or
//! from the start when `overall <= connect`). The phase decides, not the
//! timer: nothing was written, so a send fails over to the backup
//! (docs/PROTOCOL-DECISIONS.md: "never written"). And proxy settings of the
//! environment that a transport cannot use: refused before any I/O, never
//! a request that goes direct.

use std::net::TcpListener;
use std::time::Duration;

use verify_core::driver::{ErrorKind, Proxy, Settings, Timeouts};
use verify_core::retry::RetryPolicy;
use verify_core::telesign::SendSms;
use verify_core::{BaseUrl, Provider};
use verify_sandbox::Sandbox;

use crate::Harness;
use crate::any_send::AnySend;
use crate::fixture::{
    PHONE, backup_address, dotdigital_config_via, sandbox, telesign_config_elsewhere,
};
use crate::loopback::Loopback;
use crate::test_proxy::{ProxyMode, TestProxy};

/// The time limits each boundary is tried with: the first attempt uses up
/// the connect limit and the retry has less time left than it; then
/// `overall` shorter than `connect`, so the time left is what runs out.
const LIMITS: [Timeouts; 2] = [
    Timeouts {
        connect: Duration::from_millis(200),
        overall: Duration::from_millis(300),
    },
    Timeouts {
        connect: Duration::from_millis(400),
        overall: Duration::from_millis(250),
    },
];

/// Two attempts, a few milliseconds apart.
fn two_attempts(builder: verify_core::driver::Builder<Settings>, limits: Timeouts) -> Settings {
    builder
        .timeouts(limits)
        .retry_policy(RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(10),
        })
        .build()
}

/// The primary (TeleSign at `primary`, through `proxy` if any) alone: the
/// send fails with nothing written. Then with the sandbox's dotdigital as
/// the backup: the send fails over, and the phone gets one message.
fn fails_over_with_nothing_sent<H: Harness>(
    h: &H,
    sb: &Sandbox,
    primary: &BaseUrl,
    proxy: Option<&str>,
) {
    for limits in LIMITS {
        let with_proxy = |builder: verify_core::driver::Builder<Settings>| match proxy {
            Some(url) => builder
                .proxy(Proxy::new(url).expect("a proxy URL"))
                .proxy_from_env(false),
            None => builder.proxy_from_env(false),
        };
        let alone = with_proxy(Settings::builder(telesign_config_elsewhere(
            primary.clone(),
        )));
        let client = h.client(two_attempts(alone, limits));
        let err = h
            .execute(&client, &SendSms::new(PHONE))
            .expect_err("the primary never answers");
        assert!(
            matches!(
                err.kind(),
                ErrorKind::Transport { written: false, .. }
                    | ErrorKind::Timeout { written: false, .. }
            ),
            "{limits:?}: {err}"
        );
        assert!(!err.message_may_have_been_sent(), "{limits:?}: {err}");

        let (_relay, backup) = backup_address(sb);
        let settings = with_proxy(
            Settings::builder(telesign_config_elsewhere(primary.clone()))
                .backup(dotdigital_config_via(sb, backup)),
        );
        let client = h.client(two_attempts(settings, limits));
        let (provider, _) = h
            .execute(&client, &AnySend::new(PHONE))
            .unwrap_or_else(|e| panic!("{limits:?}: no failover: {e}"));
        assert_eq!(provider, Provider::Dotdigital, "{limits:?}");
        assert_eq!(sb.messages().len(), 1, "{limits:?}: one message");
        sb.clear_messages();
    }
}

/// A server that accepts TCP and never answers the TLS hello: nothing was
/// written, whichever limit ran out, and a send fails over. (Needs a
/// transport that speaks TLS.)
pub fn a_stalled_tls_handshake_with_little_time_left_fails_over<H: Harness>(h: &H) {
    let sb = sandbox();
    let silent = Loopback::silent();
    fails_over_with_nothing_sent(h, &sb, &silent.https_url(), None);
}

/// A proxy that never answers the `CONNECT` to the primary (and tunnels to
/// the backup): nothing was written, and a send fails over. (Needs a
/// transport that honours the proxy setting.)
pub fn a_stalled_proxy_connect_with_little_time_left_fails_over<H: Harness>(h: &H) {
    let sb = sandbox();
    let proxy = TestProxy::start(ProxyMode::StallInvalid, None);
    let primary = BaseUrl::new("https://telesign-primary.invalid").expect("a URL");
    fails_over_with_nothing_sent(h, &sb, &primary, Some(&proxy.url));
    assert!(
        proxy.connects() >= 4,
        "the primary's CONNECTs reached the proxy"
    );
}

/// A primary whose host does not resolve (`.invalid` never does): nothing
/// was written, and a send fails over.
pub fn an_unresolvable_host_with_little_time_left_fails_over<H: Harness>(h: &H) {
    let sb = sandbox();
    let primary = BaseUrl::allow_plain_http("http://telesign-primary.invalid").expect("a URL");
    fails_over_with_nothing_sent(h, &sb, &primary, None);
}

/// The environment variable that makes the child process of
/// [`unusable_proxy_settings_are_refused_before_any_io`] run one case.
const CASE: &str = "VERIFY_CONFORMANCE_PROXY_CASE";

/// The password in the cases' proxy URLs: never in an error.
const PROXY_PASSWORD: &str = "pr0xy-s3cret";

/// Proxy settings of the environment that no shipped transport can use.
const UNUSABLE: &[(&str, &str)] = &[
    ("ALL_PROXY", "socks5h://u:pr0xy-s3cret@127.0.0.1:1"),
    ("all_proxy", "socks5://127.0.0.1:1"),
    ("HTTPS_PROXY", "socks4://127.0.0.1:1"),
    ("https_proxy", "ftp://u:pr0xy-s3cret@127.0.0.1:1"),
    ("http_proxy", "bogus://127.0.0.1:1"),
    ("HTTP_PROXY", "http://u:pr0xy-s3cret@127.0.0.1:1/path"),
    ("ALL_PROXY", "\u{1}\u{7f}garbage pr0xy-s3cret"),
    ("HTTPS_PROXY", "http://u:pr0xy-s3cret@:1"),
];

/// Every variable a transport may read for proxies.
const PROXY_VARIABLES: &[&str] = &[
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// A proxy variable set to a SOCKS, `ftp://`, unknown or broken URL, or a
/// URL with a path: the call is a configuration error that names the
/// variable (never its password), before any I/O: no panic, and no
/// connection to the provider's address (a loopback listener) directly.
///
/// The environment is the process's: each case runs in a child process
/// (this test binary again, running this one test) with only that
/// variable set, so no other test sees it. (Needs a transport that honours
/// the proxy settings of the environment; the test runs under the name the
/// suite's macro gives it.)
pub fn unusable_proxy_settings_are_refused_before_any_io<H: Harness>(h: &H) {
    if let Some(case) = std::env::var(CASE)
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
    {
        return refused_in_this_process(h, UNUSABLE[case].0);
    }
    let name = "unusable_proxy_settings_are_refused_before_any_io";
    let exe = std::env::current_exe().expect("the test binary");
    for (case, (variable, value)) in UNUSABLE.iter().enumerate() {
        let mut child = std::process::Command::new(&exe);
        child.args(["--exact", name, "--nocapture", "--test-threads=1"]);
        for v in PROXY_VARIABLES {
            child.env_remove(v);
        }
        let out = child
            .env(CASE, case.to_string())
            .env(variable, value)
            .output()
            .expect("the test binary runs again");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success() && text.contains(&format!("test {name} ... ok")),
            "{variable}={value:?}: {text}"
        );
    }
}

/// One case, in the child process whose environment holds it.
fn refused_in_this_process<H: Harness>(h: &H, variable: &str) {
    let direct = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    direct.set_nonblocking(true).expect("non-blocking");
    let addr = direct.local_addr().expect("its address");
    let base = if variable.eq_ignore_ascii_case("https_proxy") {
        BaseUrl::new(&format!("https://{addr}")).expect("a URL")
    } else {
        BaseUrl::allow_plain_http(&format!("http://{addr}")).expect("a URL")
    };
    let settings = Settings::builder(telesign_config_elsewhere(base))
        .timeouts(Timeouts {
            connect: Duration::from_millis(500),
            overall: Duration::from_millis(500),
        })
        .build();
    let client = h.client(settings);
    let err = h
        .execute(&client, &SendSms::new(PHONE))
        .expect_err("an unusable proxy setting");
    assert!(matches!(err.kind(), ErrorKind::Config(_)), "{err}");
    assert!(!err.message_may_have_been_sent(), "{err}");
    let text = format!("{err} {err:?}");
    assert!(text.contains(variable), "the variable is named: {text}");
    assert!(!text.contains(PROXY_PASSWORD), "{text}");
    assert!(
        matches!(direct.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "the request went direct"
    );
}
