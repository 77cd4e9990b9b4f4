//! Through an HTTP proxy: a flow through the tunnel, and the sent/not-sent
//! rules when the proxy is down, refuses the `CONNECT`, or closes in the
//! middle of the answer.

use verify_core::Code;
use verify_core::driver::{Proxy, Settings};
use verify_core::neutral::Start;
use verify_core::telesign::{CheckCode, CodeCheck, SendSms};

use crate::Harness;
use crate::fixture::{PHONE, code_of, fast, sandbox, telesign_config, wrong};
use crate::test_proxy::{ProxyMode, TestProxy};

fn proxied(url: &str) -> Proxy {
    Proxy::new(url).expect("a proxy URL")
}

/// A send and both code checks go through the proxy's tunnel, with the
/// proxy's credentials; the password never shows in an error.
pub fn a_flow_goes_through_the_proxy<H: Harness>(h: &H) {
    let sb = sandbox();
    let proxy = TestProxy::start(ProxyMode::Tunnel, Some("alice:pr0xy-s3cret"));
    let settings = Settings::builder(telesign_config(&sb))
        .proxy(proxied(&proxy.url_with("alice:pr0xy-s3cret")))
        .proxy_from_env(false);
    let client = h.client(fast(settings));
    let sent = h
        .execute(&client, &SendSms::new(PHONE))
        .expect("sent through the proxy");
    let code = code_of(&sb, PHONE);
    let wrong_check = CheckCode::new(sent.reference_id, Code::new(wrong(&code)));
    assert_eq!(
        h.execute(&client, &wrong_check).expect("checked"),
        CodeCheck::Invalid
    );
    let right = CheckCode::new(sent.reference_id, Code::new(code));
    assert_eq!(
        h.execute(&client, &right).expect("checked"),
        CodeCheck::Valid
    );
    assert!(proxy.connects() >= 1, "the requests went through the proxy");
    assert_eq!(
        proxy.authorized(),
        proxy.connects(),
        "every CONNECT had the credentials"
    );
    assert_eq!(sb.messages_to(PHONE).len(), 1);
}

/// A proxy that is down: nothing was written, so the send is retried and
/// then fails over; the error says nothing was sent.
pub fn a_proxy_that_is_down_is_nothing_sent<H: Harness>(h: &H) {
    let sb = sandbox();
    let down = {
        let proxy = TestProxy::start(ProxyMode::Tunnel, None);
        proxy.url.clone()
    };
    // The port is closed now (the proxy stopped with its value).
    let settings = Settings::builder(telesign_config(&sb))
        .proxy(proxied(&down))
        .proxy_from_env(false);
    let client = h.client(fast(settings));
    let err = h
        .execute(&client, &SendSms::new(PHONE))
        .expect_err("the proxy is down");
    assert!(!err.message_may_have_been_sent(), "{err}");
    assert_eq!(err.attempts(), 3, "nothing was written: retried ({err})");
    assert!(sb.messages().is_empty());
}

/// A `CONNECT` answered 407 or 502 never reached the provider: nothing
/// sent, so the send is retried.
pub fn a_refused_connect_is_nothing_sent<H: Harness>(h: &H) {
    for status in [407, 502] {
        let sb = sandbox();
        let proxy = TestProxy::start(ProxyMode::Refuse(status), None);
        let settings = Settings::builder(telesign_config(&sb))
            .proxy(proxied(&proxy.url))
            .proxy_from_env(false);
        let client = h.client(fast(settings));
        let err = h
            .execute(&client, &SendSms::new(PHONE))
            .expect_err("refused");
        assert!(!err.message_may_have_been_sent(), "{status}: {err}");
        assert_eq!(
            err.attempts(),
            3,
            "{status}: nothing was written: retried ({err})"
        );
        assert!(sb.messages().is_empty(), "{status}");
        assert!(proxy.connects() >= 3, "{status}");
    }
}

/// The proxy closes in the middle of the provider's answer: the request
/// was written, so a send is not repeated and says a message may have gone
/// out; the sandbox did send it, once.
pub fn a_proxy_closing_mid_answer_may_have_sent<H: Harness>(h: &H) {
    let sb = sandbox();
    let proxy = TestProxy::start(ProxyMode::CloseMidAnswer, None);
    let settings = Settings::builder(telesign_config(&sb))
        .proxy(proxied(&proxy.url))
        .proxy_from_env(false);
    let client = h.client(fast(settings));
    let err = h.execute(&client, &Start::new(PHONE)).expect_err("cut off");
    assert!(err.message_may_have_been_sent(), "{err}");
    assert_eq!(err.attempts(), 1, "{err}");
    assert_eq!(sb.messages_to(PHONE).len(), 1, "sent once, never again");
}
