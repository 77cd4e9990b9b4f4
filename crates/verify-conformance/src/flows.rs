//! Whole verifications that go right: each provider's own operations, the
//! neutral API over both, and many calls on one client at once.

use verify_core::dotdigital::{CodeStatus, SendCode, ValidateCode, ValidateOutcome};
use verify_core::driver::Settings;
use verify_core::neutral::{Check, CheckOutcome, Start};
use verify_core::telesign::{CheckCode, CodeCheck, Complete, SendSms};
use verify_core::{Code, Provider};
use verify_sandbox::{Fault, Route};

use crate::Harness;
use crate::fixture::{
    PHONE, UK_PHONE, backup_address, code_of, dotdigital_config, fast, sandbox, telesign_client,
    telesign_config_via, wrong,
};

/// TeleSign: send an SMS, check a wrong code (`Invalid`), the right one
/// (`Valid`), complete the transaction; checks send nothing.
pub fn telesign_send_check_complete<H: Harness>(h: &H) {
    let sb = sandbox();
    let client = telesign_client(h, &sb);
    let sent = h.execute(&client, &SendSms::new(PHONE)).expect("send");
    assert_eq!(sb.messages_to(PHONE).len(), 1);
    let code = code_of(&sb, PHONE);

    let check = CheckCode::new(sent.reference_id, Code::new(wrong(&code)));
    assert_eq!(
        h.execute(&client, &check).expect("check"),
        CodeCheck::Invalid
    );
    let check = CheckCode::new(sent.reference_id, Code::new(code));
    assert_eq!(h.execute(&client, &check).expect("check"), CodeCheck::Valid);
    let completed = h
        .execute(&client, &Complete::new(sent.reference_id))
        .expect("completion");
    assert_eq!(completed.reference_id, sent.reference_id);
    assert_eq!(sb.messages().len(), 1, "checks send nothing");
}

/// dotdigital: send a code, validate a wrong one (`NotVerified`), the right
/// one (`Verified`); the request id is then used up.
pub fn dotdigital_send_and_validate<H: Harness>(h: &H) {
    let sb = sandbox();
    let client = h.client(fast(Settings::builder(dotdigital_config(&sb))));
    let sent = h
        .execute(&client, &SendCode::new(UK_PHONE, "Verify"))
        .expect("send");
    assert_eq!(sb.messages_to(UK_PHONE).len(), 1);
    let code = code_of(&sb, UK_PHONE);

    let validate = ValidateCode::new(sent.request_id, Code::new(wrong(&code)));
    let bad = h.execute(&client, &validate).expect("validate");
    assert!(
        matches!(bad, ValidateOutcome::Code(ref v) if v.status == CodeStatus::NotVerified),
        "{bad:?}"
    );
    let validate = ValidateCode::new(sent.request_id, Code::new(code));
    let good = h.execute(&client, &validate).expect("validate");
    assert!(
        matches!(good, ValidateOutcome::Code(ref v) if v.status == CodeStatus::Verified),
        "{good:?}"
    );
    let validate = ValidateCode::new(sent.request_id, Code::new("000000"));
    let again = h.execute(&client, &validate).expect("validate");
    assert_eq!(again, ValidateOutcome::UnknownOrDiscarded);
}

/// The neutral API: `Start` at the primary (dotdigital), `Check` follows the
/// id; when the primary refuses without sending, `Start` fails over to
/// TeleSign and `Check` follows the id there (wrong code `Incorrect`, right
/// code `Verified`). One message per start.
pub fn neutral_start_fails_over_and_check_follows_the_id<H: Harness>(h: &H) {
    let sb = sandbox();
    let (_relay, backup) = backup_address(&sb);
    let settings =
        Settings::builder(dotdigital_config(&sb)).backup(telesign_config_via(&sb, backup));
    let client = h.client(fast(settings));

    let started = h
        .execute(&client, &Start::new(PHONE))
        .expect("the primary starts");
    assert_eq!(started.id.provider(), Provider::Dotdigital);
    let code = code_of(&sb, PHONE);
    let outcome = h
        .execute(&client, &Check::new(started.id, Code::new(code)))
        .expect("check");
    assert_eq!(outcome, CheckOutcome::Verified);

    sb.clear_messages();
    sb.inject(Route::DotdigitalSend, Fault::TeleSignStatus(429), 3);
    let started = h
        .execute(&client, &Start::new(PHONE))
        .expect("the backup starts");
    assert_eq!(started.id.provider(), Provider::TeleSign);
    assert_eq!(sb.messages_to(PHONE).len(), 1);
    let code = code_of(&sb, PHONE);
    let check = Check::new(started.id.clone(), Code::new(wrong(&code)));
    assert_eq!(
        h.execute(&client, &check).expect("check"),
        CheckOutcome::Incorrect
    );
    let check = Check::new(started.id, Code::new(code));
    assert_eq!(
        h.execute(&client, &check).expect("check"),
        CheckOutcome::Verified
    );
    assert_eq!(sb.messages().len(), 1);
}

/// One client carries many calls at once from many threads: every send
/// reaches its own phone, once.
pub fn one_client_carries_many_calls_at_once<H: Harness>(h: &H) {
    const CALLS: usize = 32;
    let sb = sandbox();
    let client = telesign_client(h, &sb);
    let phones: Vec<String> = (0..CALLS).map(|i| format!("1555555{i:04}")).collect();
    let sent: Vec<_> = std::thread::scope(|s| {
        let calls: Vec<_> = phones
            .iter()
            .map(|to| {
                let client = &client;
                s.spawn(move || h.execute(client, &SendSms::new(to.as_str())))
            })
            .collect();
        calls
            .into_iter()
            .map(|call| call.join().expect("the call's thread").expect("send"))
            .collect()
    });
    for (to, sent) in phones.iter().zip(&sent) {
        let messages = sb.messages_to(to);
        assert_eq!(messages.len(), 1, "{to}");
        assert_eq!(messages[0].verification_id, sent.reference_id.as_str());
    }
    assert_eq!(sb.messages().len(), CALLS);
}
