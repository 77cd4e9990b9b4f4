//! A provider-neutral send with a backup provider: it fails over only when
//! the primary cannot have sent (unless the caller opted in), and when both
//! fail the error keeps the primary's. The backup is the sandbox under a
//! second address, as two providers are two servers.

use verify_core::driver::Settings;
use verify_core::telesign::{CheckCode, CodeCheck};
use verify_core::{Code, Provider, Role};
use verify_sandbox::{Fault, Route};

use crate::Harness;
use crate::any_send::AnySend;
use crate::fixture::{
    PHONE, backup_address, dotdigital_config, dotdigital_config_via, fast, sandbox,
    telesign_config, telesign_config_via,
};

/// The primary (dotdigital) is throttled on every attempt, so nothing went
/// out: the send is checked for both providers, sent to the primary, then to
/// the backup (TeleSign, told it is the backup), one message in all; the code check goes to the
/// provider that holds the id.
pub fn failover_when_the_primary_sent_nothing<H: Harness>(h: &H) {
    let sb = sandbox();
    let (_relay, backup) = backup_address(&sb);
    let settings =
        Settings::builder(dotdigital_config(&sb)).backup(telesign_config_via(&sb, backup));
    let client = h.client(fast(settings));
    sb.inject(Route::DotdigitalSend, Fault::TeleSignStatus(429), 3);
    let op = AnySend::new(PHONE);
    let (provider, id) = h.execute(&client, &op).expect("the backup sends");
    assert_eq!(provider, Provider::TeleSign);
    // Checked for both providers before the first request, then built for
    // the primary at each attempt, and for the backup last.
    let built = op.built_for();
    assert_eq!(built.first(), Some(&(Provider::Dotdigital, Role::Primary)));
    assert_eq!(built.last(), Some(&(Provider::TeleSign, Role::Backup)));
    let messages = sb.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].verification_id, id);

    let check = CheckCode::new(
        id.parse().expect("a reference id"),
        Code::new(messages[0].code.clone()),
    );
    assert_eq!(
        h.execute(&client, &check).expect("a check at the backup"),
        CodeCheck::Valid
    );
}

/// The primary processed the send and dropped the connection: the message
/// may be out, so the call ends there with "may have been sent"; a client
/// that opted in fails over anyway (and the user gets two messages).
pub fn no_failover_when_the_primary_may_have_sent_unless_opted_in<H: Harness>(h: &H) {
    let sb = sandbox();
    let (_relay, backup) = backup_address(&sb);
    sb.inject(Route::TeleSignSms, Fault::CloseAfterProcessing, 1);
    let settings =
        Settings::builder(telesign_config(&sb)).backup(dotdigital_config_via(&sb, backup.clone()));
    let client = h.client(fast(settings));
    let err = h
        .execute(&client, &AnySend::new(PHONE))
        .expect_err("maybe sent");
    assert_eq!(err.provider(), Some(Provider::TeleSign));
    assert!(err.primary().is_none(), "{err}");
    assert!(err.message_may_have_been_sent(), "{err}");
    assert_eq!(sb.messages().len(), 1);

    sb.clear_messages();
    sb.inject(Route::TeleSignSms, Fault::CloseAfterProcessing, 1);
    let settings = Settings::builder(telesign_config(&sb))
        .backup(dotdigital_config_via(&sb, backup))
        .failover_when_maybe_sent(true);
    let client = h.client(fast(settings));
    let (provider, _) = h
        .execute(&client, &AnySend::new(PHONE))
        .expect("the backup sends");
    assert_eq!(provider, Provider::Dotdigital);
    assert_eq!(
        sb.messages().len(),
        2,
        "opted in: one message from each provider"
    );
}

/// Both providers refuse for good: the error is the backup's, keeps the
/// primary's, says so, and nothing was sent.
pub fn when_both_fail_the_primary_error_is_kept<H: Harness>(h: &H) {
    let sb = sandbox();
    let (_relay, backup) = backup_address(&sb);
    sb.inject(Route::TeleSignSms, Fault::TeleSignStatus(501), 1);
    sb.inject(Route::DotdigitalSend, Fault::TeleSignStatus(401), 1);
    let settings =
        Settings::builder(telesign_config(&sb)).backup(dotdigital_config_via(&sb, backup));
    let client = h.client(fast(settings));
    let err = h
        .execute(&client, &AnySend::new(PHONE))
        .expect_err("both fail");
    assert_eq!(err.provider(), Some(Provider::Dotdigital));
    let primary = err.primary().expect("the primary's error is kept");
    assert_eq!(primary.provider(), Some(Provider::TeleSign));
    assert!(!err.message_may_have_been_sent(), "{err}");
    assert!(err.to_string().contains("primary provider failed"), "{err}");
    assert!(sb.messages().is_empty());
}
