//! No secret in an error or a log line: not the code, not the credentials,
//! not the phone number.

use verify_core::Code;
use verify_core::telesign::{CheckCode, GetStatus, SendSms};
use verify_sandbox::{Fault, Route};

use crate::Harness;
use crate::fixture::{PHONE, code_of, sandbox, telesign_client};
use crate::logs::captured;

/// A send, a status query that fails three times (retried) and a code
/// check that fails once (not repeated once written): neither the errors'
/// `Display` and `Debug` nor anything the transport logged through
/// `tracing` meanwhile holds the code, the API key, the dotdigital password
/// or the phone number. A transport that [traces its
/// attempts](Harness::traces_attempts) shows them, retries included,
/// through the redacted view only.
pub fn errors_and_logs_carry_no_secrets<H: Harness>(h: &H) {
    let sb = sandbox();
    let client = telesign_client(h, &sb);
    let (errors, logs) = captured(|| {
        let sent = h.execute(&client, &SendSms::new(PHONE)).expect("send");
        let code = code_of(&sb, PHONE);
        sb.inject(Route::TeleSignStatus, Fault::CloseBeforeProcessing, 4);
        let retried = h
            .execute(&client, &GetStatus::new(sent.reference_id))
            .expect_err("closed three times");
        assert_eq!(retried.attempts(), 3);
        let check = CheckCode::new(sent.reference_id, Code::new(code));
        let once = h.execute(&client, &check).expect_err("closed");
        assert_eq!(once.attempts(), 1);
        [retried, once].map(|e| format!("{e} {e:?}"))
    });
    if h.traces_attempts() {
        assert!(logs.contains("telesign"), "{logs}");
        assert!(logs.contains("attempt=2"), "{logs}");
        assert!(logs.contains("verify_code=[redacted]"), "{logs}");
        assert!(logs.contains("authorization: [redacted]"), "{logs}");
    }
    let code = code_of(&sb, PHONE);
    let c = sb.config();
    for text in errors.iter().chain([&logs]) {
        for secret in [
            code.as_str(),
            c.telesign_api_key.as_str(),
            c.dotdigital_password.as_str(),
            PHONE,
        ] {
            assert!(!text.contains(secret), "{secret} leaked into {text}");
        }
    }
}
