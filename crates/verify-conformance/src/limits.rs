//! The limits a transport must keep: the body it reads, and the time a call
//! may take, retries included.

use std::time::{Duration, Instant};

use verify_core::driver::{ErrorKind, Settings};
use verify_core::telesign::{GetStatus, SendSms};
use verify_sandbox::{Fault, Route};

use crate::Harness;
use crate::fixture::{
    PHONE, SLACK, TIMEOUT, fast, outlast, sandbox, telesign_client, telesign_config,
};

/// A 1 GiB answer against a 16 KiB limit: `BodyTooLarge` with the limit,
/// "may have been sent", one message, and the scenario would run out of
/// memory or time if the body were read.
pub fn a_huge_body_is_never_read_into_memory<H: Harness>(h: &H) {
    let sb = sandbox();
    sb.inject(Route::TeleSignSms, Fault::HugeBody(1 << 30), 1);
    let settings = Settings::builder(telesign_config(&sb)).max_body_bytes(16 * 1024);
    let client = h.client(fast(settings));
    let err = h
        .execute(&client, &SendSms::new(PHONE))
        .expect_err("too large");
    assert!(
        matches!(err.kind(), ErrorKind::BodyTooLarge { limit: 16384 }),
        "{err}"
    );
    assert!(err.message_may_have_been_sent(), "{err}");
    assert_eq!(sb.messages_to(PHONE).len(), 1);
}

/// A server that holds a send for 3 s against a 1 s limit: the call returns
/// in time with a timeout after writing, once, and the send is never
/// repeated.
pub fn a_stalled_server_never_holds_a_call_longer_than_its_timeout<H: Harness>(h: &H) {
    let sb = sandbox();
    let delay = Duration::from_secs(3);
    sb.inject(Route::TeleSignSms, Fault::Delay(delay), 1);
    let client = telesign_client(h, &sb);
    let started = Instant::now();
    let err = h
        .execute(&client, &SendSms::new(PHONE))
        .expect_err("stalled");
    assert!(
        started.elapsed() < TIMEOUT + SLACK,
        "{:?}",
        started.elapsed()
    );
    assert!(
        matches!(err.kind(), ErrorKind::Timeout { written: true, .. }),
        "{err}"
    );
    assert_eq!(err.attempts(), 1);
    assert!(err.message_may_have_been_sent(), "{err}");
    // Whether the sandbox still processes a request whose client gave up is
    // its business; the client never sends it twice.
    outlast(delay, started);
    assert!(sb.messages_to(PHONE).len() <= 1);
}

/// The time limit covers the whole call, retries included: a status query
/// against a server that stalls every attempt still returns in time, and
/// says nothing was sent.
pub fn a_stalled_server_never_holds_a_retried_call_longer_than_its_timeout<H: Harness>(h: &H) {
    let sb = sandbox();
    let client = telesign_client(h, &sb);
    let sent = h.execute(&client, &SendSms::new(PHONE)).expect("send");
    sb.inject(
        Route::TeleSignStatus,
        Fault::Delay(Duration::from_secs(3)),
        3,
    );
    let started = Instant::now();
    let err = h
        .execute(&client, &GetStatus::new(sent.reference_id))
        .expect_err("stalled");
    assert!(
        started.elapsed() < TIMEOUT + SLACK,
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(err.kind(), ErrorKind::Timeout { .. }), "{err}");
    assert!(
        !err.message_may_have_been_sent(),
        "a status query sends nothing: {err}"
    );
    assert_eq!(sb.messages_to(PHONE).len(), 1);
}
