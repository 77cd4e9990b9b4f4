//! Every way the sandbox can misbehave on a send, each followed by a look
//! at the outbox: a send is repeated only when nothing can have gone out,
//! and the error says whether something may have.

use verify_core::ResponseError;
use verify_core::driver::ErrorKind;
use verify_core::telesign::{GetStatus, SendSms};
use verify_sandbox::{Fault, Route};

use crate::Harness;
use crate::fixture::{PHONE, sandbox, telesign_client};

/// TeleSign status 500 ("transaction not attempted") twice: the send is
/// retried, each time signed afresh (the sandbox refuses a reused nonce),
/// and the third attempt sends exactly one message.
pub fn not_attempted_send_is_retried_once_and_sends_one_message<H: Harness>(h: &H) {
    let sb = sandbox();
    sb.inject(Route::TeleSignSms, Fault::TeleSignStatus(500), 2);
    let sent = h
        .execute(&telesign_client(h, &sb), &SendSms::new(PHONE))
        .expect("the third attempt succeeds");
    assert_eq!(
        sb.messages_to(PHONE)[0].verification_id,
        sent.reference_id.as_str()
    );
    assert_eq!(sb.messages_to(PHONE).len(), 1);
}

/// Status 500 on every attempt: the call gives up after its three attempts,
/// says nothing was sent, and nothing was.
pub fn not_attempted_send_gives_up_after_the_budget_with_nothing_sent<H: Harness>(h: &H) {
    let sb = sandbox();
    sb.inject(Route::TeleSignSms, Fault::TeleSignStatus(500), 3);
    let err = h
        .execute(&telesign_client(h, &sb), &SendSms::new(PHONE))
        .expect_err("every attempt fails");
    assert_eq!(err.attempts(), 3);
    assert!(!err.message_may_have_been_sent(), "{err}");
    assert!(sb.messages().is_empty());
}

/// A carrier failure (status 503) comes after the message was attempted:
/// one attempt, "may have been sent", one message.
pub fn carrier_failure_after_processing_is_not_retried<H: Harness>(h: &H) {
    let sb = sandbox();
    sb.inject(Route::TeleSignSms, Fault::TeleSignStatus(503), 1);
    let err = h
        .execute(&telesign_client(h, &sb), &SendSms::new(PHONE))
        .expect_err("503");
    assert_eq!(err.attempts(), 1);
    assert!(err.message_may_have_been_sent(), "{err}");
    assert_eq!(sb.messages_to(PHONE).len(), 1);
}

/// An authentication failure (status 501) is permanent: one attempt,
/// nothing sent.
pub fn authentication_failure_is_not_retried<H: Harness>(h: &H) {
    let sb = sandbox();
    sb.inject(Route::TeleSignSms, Fault::TeleSignStatus(501), 1);
    let err = h
        .execute(&telesign_client(h, &sb), &SendSms::new(PHONE))
        .expect_err("501");
    assert_eq!(err.attempts(), 1);
    assert!(!err.message_may_have_been_sent(), "{err}");
    assert!(sb.messages().is_empty());
}

/// A load balancer's HTML 503 says nothing of whether TeleSign sent: a send
/// is not repeated (an unexpected response), a status query is.
pub fn html_503_is_retried_for_a_status_but_not_for_a_send<H: Harness>(h: &H) {
    let sb = sandbox();
    let client = telesign_client(h, &sb);
    sb.inject(Route::TeleSignSms, Fault::Html503, 1);
    let err = h.execute(&client, &SendSms::new(PHONE)).expect_err("html");
    assert_eq!(err.attempts(), 1);
    assert!(
        matches!(
            err.kind(),
            ErrorKind::Response(ResponseError::Unexpected(_))
        ),
        "{err}"
    );
    assert!(sb.messages().is_empty());

    // A fresh client: the sandbox answered before reading the request body,
    // so it closes that connection; the next request of a pooling client
    // could be written onto it before the close arrives.
    let client = telesign_client(h, &sb);
    let sent = h.execute(&client, &SendSms::new(PHONE)).expect("send");
    sb.inject(Route::TeleSignStatus, Fault::Html503, 2);
    h.execute(&client, &GetStatus::new(sent.reference_id))
        .expect("the status query is retried");
    assert_eq!(sb.messages_to(PHONE).len(), 1);
}

/// A connection dropped after the request was written: the transport
/// cannot know whether TeleSign acted, so a send is not repeated (even
/// though, here, nothing was processed); a status query is.
pub fn close_before_processing_is_not_retried_for_a_send<H: Harness>(h: &H) {
    let sb = sandbox();
    let client = telesign_client(h, &sb);
    sb.inject(Route::TeleSignSms, Fault::CloseBeforeProcessing, 1);
    let err = h
        .execute(&client, &SendSms::new(PHONE))
        .expect_err("closed");
    assert!(
        matches!(err.kind(), ErrorKind::Transport { written: true, .. }),
        "{err}"
    );
    assert_eq!(err.attempts(), 1);
    assert!(err.message_may_have_been_sent(), "{err}");
    assert!(sb.messages().is_empty());

    let sent = h.execute(&client, &SendSms::new(PHONE)).expect("send");
    sb.inject(Route::TeleSignStatus, Fault::CloseBeforeProcessing, 1);
    h.execute(&client, &GetStatus::new(sent.reference_id))
        .expect("the status query is retried");
    assert_eq!(sb.messages_to(PHONE).len(), 1);
}

/// The message went out, then the connection dropped without an answer:
/// one attempt, "may have been sent", one message.
pub fn close_after_processing_reports_maybe_sent_and_does_not_resend<H: Harness>(h: &H) {
    let sb = sandbox();
    sb.inject(Route::TeleSignSms, Fault::CloseAfterProcessing, 1);
    let err = h
        .execute(&telesign_client(h, &sb), &SendSms::new(PHONE))
        .expect_err("closed");
    assert_eq!(err.attempts(), 1);
    assert!(err.message_may_have_been_sent(), "{err}");
    assert_eq!(sb.messages_to(PHONE).len(), 1);
}

/// The answer stops halfway through its announced length: one attempt,
/// "may have been sent", one message.
pub fn truncated_body_reports_maybe_sent_and_does_not_resend<H: Harness>(h: &H) {
    let sb = sandbox();
    sb.inject(Route::TeleSignSms, Fault::TruncateBody, 1);
    let err = h
        .execute(&telesign_client(h, &sb), &SendSms::new(PHONE))
        .expect_err("truncated");
    assert_eq!(err.attempts(), 1);
    assert!(err.message_may_have_been_sent(), "{err}");
    assert_eq!(sb.messages_to(PHONE).len(), 1);
}
