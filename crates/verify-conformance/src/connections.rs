//! Connections that never carry a request: refused, or accepted by a
//! server that never speaks. Nothing can have been sent, so even a send is
//! retried.

use std::time::{Duration, Instant};

use verify_core::driver::{ErrorKind, Settings, Timeouts};
use verify_core::retry::RetryPolicy;
use verify_core::telesign::SendSms;

use crate::Harness;
use crate::fixture::{PHONE, fast, sandbox, telesign_config, telesign_config_elsewhere};
use crate::loopback::Loopback;

/// Nobody listens any more: every attempt is refused before a byte is
/// written, so the send is retried through its whole budget and the error
/// says nothing was sent.
pub fn refused_connections_are_retried_and_report_nothing_sent<H: Harness>(h: &H) {
    let sb = sandbox();
    let config = telesign_config(&sb);
    sb.shutdown_blocking();
    let client = h.client(fast(Settings::builder(config)));
    let err = h
        .execute(&client, &SendSms::new(PHONE))
        .expect_err("refused");
    assert!(
        matches!(err.kind(), ErrorKind::Transport { written: false, .. }),
        "{err}"
    );
    assert_eq!(err.attempts(), 3);
    assert!(!err.message_may_have_been_sent(), "{err}");
}

/// A server that accepts TCP connections and never answers a TLS hello:
/// the handshake is part of connecting, so it is bounded by the connect
/// limit, nothing was written, and the send is retried. (Needs a transport
/// that speaks TLS.)
pub fn a_stalled_tls_handshake_is_a_connect_failure_with_nothing_sent<H: Harness>(h: &H) {
    let server = Loopback::silent();
    let settings = Settings::builder(telesign_config_elsewhere(server.https_url()))
        .timeouts(Timeouts {
            connect: Duration::from_millis(200),
            overall: Duration::from_secs(5),
        })
        .retry_policy(RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(10),
        })
        .build();
    let client = h.client(settings);
    let started = Instant::now();
    let err = h
        .execute(&client, &SendSms::new(PHONE))
        .expect_err("no TLS handshake");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        err.attempts(),
        2,
        "nothing was written, so the send is retried: {err}"
    );
    assert!(!err.message_may_have_been_sent(), "{err}");
}
