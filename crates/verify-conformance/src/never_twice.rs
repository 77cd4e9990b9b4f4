//! What must reach a provider at most once: a code check (each one spends
//! one of the user's attempts) and a send TeleSign says it attempted, even
//! when the same answer also carries a refusal code.

use verify_core::BaseUrl;
use verify_core::Code;
use verify_core::driver::Settings;
use verify_core::telesign::{CheckCode, CodeCheck, GetStatus, SendSms};
use verify_sandbox::{Fault, Route};

use crate::fixture::{
    PHONE, code_of, fast, sandbox, telesign_client, telesign_config_elsewhere, wrong,
};
use crate::{Harness, MIXED_ANSWERS, MixedServer};

/// The server checks a code, then drops the connection: the check is not
/// repeated (it would spend another of the user's attempts) and sends
/// nothing; a status query under the same fault is repeated. The right code
/// is still accepted afterwards: one wrong attempt was spent, not three.
pub fn a_code_check_is_not_repeated_once_written_but_a_status_query_is<H: Harness>(h: &H) {
    let sb = sandbox();
    let client = telesign_client(h, &sb);
    let sent = h.execute(&client, &SendSms::new(PHONE)).expect("send");
    let code = code_of(&sb, PHONE);

    sb.inject(Route::TeleSignStatus, Fault::CloseAfterProcessing, 1);
    let check = CheckCode::new(sent.reference_id, Code::new(wrong(&code)));
    let err = h
        .execute(&client, &check)
        .expect_err("closed after processing");
    assert_eq!(err.attempts(), 1);
    assert!(!err.message_may_have_been_sent(), "a check sends nothing");

    sb.inject(Route::TeleSignStatus, Fault::CloseAfterProcessing, 1);
    h.execute(&client, &GetStatus::new(sent.reference_id))
        .expect("the second attempt answers");

    let check = CheckCode::new(sent.reference_id, Code::new(code));
    assert_eq!(h.execute(&client, &check).expect("check"), CodeCheck::Valid);
}

/// Each of [`MIXED_ANSWERS`] (an attempted status beside a refusal code)
/// reaches the server exactly once, and the error says a message may have
/// gone out.
pub fn a_mixed_answer_is_never_repeated<H: Harness>(h: &H) {
    for &(status, body) in MIXED_ANSWERS {
        let server = MixedServer::start(status, body);
        let base_url = BaseUrl::allow_plain_http(&server.url).expect("the server's URL");
        let client = h.client(fast(Settings::builder(telesign_config_elsewhere(base_url))));
        let err = h
            .execute(&client, &SendSms::new(PHONE))
            .expect_err("a failed send");
        assert!(err.message_may_have_been_sent(), "{status} {body}: {err}");
        assert_eq!(err.attempts(), 1, "{err}");
        assert_eq!(server.hits(), 1, "{status} {body}");
    }
}
