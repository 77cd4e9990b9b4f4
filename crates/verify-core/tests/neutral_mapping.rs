//! Every provider value lands on the neutral value of PROVIDERS.md section 3.

use verify_core::dotdigital::{CodeStatus, NumberStatus, ValidateOutcome, VerifyCode};
use verify_core::neutral::{CheckOutcome, DeliveryState};
use verify_core::telesign::{CodeCheck, CodeState, StatusCode};

/// Section 3: "code sent" = 290/291/292/203/200; "not sent" = 5xx or the
/// 207-233 finals. The other codes are our decisions (250, 295 and 599
/// unknown: none of them says whether the message arrived; 251 sent out).
#[test]
fn every_telesign_status_lands_on_its_row() {
    for &s in StatusCode::ALL {
        let d = DeliveryState::from(s);
        let code = s.code();
        let want = match code {
            200 | 203 | 290 | 291 | 292 => Some(true),
            599 => None,
            500..=598 => Some(false),
            207..=233 => Some(false),
            251 => Some(true),
            250 | 295 => None,
            other => panic!("status {other} has no row: add it to the table"),
        };
        assert_eq!(d.code_sent(), want, "{s}: {d:?}");
    }
    // 599 "Status not available": no status at this time, not a failure,
    // and not final.
    let unavailable = DeliveryState::from(StatusCode::StatusNotAvailable);
    assert_eq!(unavailable, DeliveryState::Unknown);
    assert!(!unavailable.is_final());
    assert!(!StatusCode::StatusNotAvailable.is_final());
    assert!(!StatusCode::StatusNotAvailable.is_failure());
    // 250 is final (nothing more will be known), 251 final and sent.
    assert!(StatusCode::FinalStatusUnknown.is_final());
    assert_eq!(
        DeliveryState::from(StatusCode::SentNoFinalConfirmation),
        DeliveryState::Sent
    );
    // The finer grain.
    assert_eq!(
        DeliveryState::from(StatusCode::DeliveredToHandset),
        DeliveryState::Delivered
    );
    assert_eq!(
        DeliveryState::from(StatusCode::DeliveredToGateway),
        DeliveryState::Sent
    );
    for s in [
        StatusCode::InProgress,
        StatusCode::QueuedByTeleSign,
        StatusCode::QueuedByGateway,
    ] {
        assert_eq!(DeliveryState::from(s), DeliveryState::Pending, "{s}");
    }
    assert_eq!(
        DeliveryState::from(StatusCode::TransactionNotAttempted),
        DeliveryState::NotSent
    );
    for s in [
        StatusCode::CarrierRejectedTemporary,
        StatusCode::GatewayErrorTemporary,
        StatusCode::TemporaryPhoneError,
    ] {
        assert_eq!(
            DeliveryState::from(s),
            DeliveryState::Failed { temporary: true },
            "{s}"
        );
    }
    for s in [
        StatusCode::CarrierRejectedPermanent,
        StatusCode::GatewayErrorPermanent,
        StatusCode::BlockedByTeleSign,
    ] {
        assert_eq!(
            DeliveryState::from(s),
            DeliveryState::Failed { temporary: false },
            "{s}"
        );
    }
    assert_eq!(
        DeliveryState::from(StatusCode::Unknown(777)),
        DeliveryState::Unknown
    );
    assert_eq!(
        DeliveryState::from(StatusCode::Unknown(1900)),
        DeliveryState::Unknown
    );
}

#[test]
fn every_telesign_code_state_lands_on_its_row() {
    let rows = [
        ("VALID", CheckOutcome::Verified),
        ("INVALID", CheckOutcome::Incorrect),
        ("EXPIRED", CheckOutcome::Expired),
        ("MAX_ATTEMPTS_EXCEEDED", CheckOutcome::TooManyAttempts),
    ];
    for (text, want) in rows {
        assert_eq!(
            CheckOutcome::from(CodeCheck::from(&CodeState::parse(text))),
            want,
            "{text}"
        );
    }
    assert!(matches!(
        CheckOutcome::from(CodeCheck::from(&CodeState::NotChecked)),
        CheckOutcome::Unknown(_)
    ));
    let CheckOutcome::Unknown(text) =
        CheckOutcome::from(CodeCheck::from(&CodeState::parse("PENDING_1234567")))
    else {
        panic!("an unknown state is Unknown")
    };
    assert!(!text.contains("1234567"), "{text}");
}

/// The neutral outcome of a dotdigital validate answer with `status`.
fn dotdigital_outcome(status: CodeStatus) -> CheckOutcome {
    let code = VerifyCode {
        request_id: "0bd57dc3-580c-4c1d-8aee-2ff79bd8633c".parse().unwrap(),
        phone_number: "447700900123".into(),
        status,
        number_status: NumberStatus::On,
        created: None,
        verified: None,
    };
    CheckOutcome::from(ValidateOutcome::Code(code))
}

#[test]
fn an_unknown_or_used_id_is_an_outcome_for_both_providers() {
    assert_eq!(
        CheckOutcome::from(ValidateOutcome::UnknownOrDiscarded),
        CheckOutcome::NotFoundOrAlreadyUsed
    );
    assert_eq!(
        CheckOutcome::from(CodeCheck::NotFound),
        CheckOutcome::NotFoundOrAlreadyUsed
    );
}

#[test]
fn every_dotdigital_status_lands_on_its_row() {
    for s in CodeStatus::ALL {
        let (delivery, check) = match s {
            CodeStatus::NotVerified => (DeliveryState::Sent, CheckOutcome::Incorrect),
            CodeStatus::NotSent => (
                DeliveryState::NotSent,
                CheckOutcome::Unknown("dotdigital status CodeNotSent".into()),
            ),
            CodeStatus::Verified => (DeliveryState::Delivered, CheckOutcome::Verified),
            CodeStatus::Locked => (DeliveryState::Sent, CheckOutcome::TooManyAttempts),
            CodeStatus::Expired => (DeliveryState::Sent, CheckOutcome::Expired),
            other => panic!("{other} has no row"),
        };
        assert_eq!(DeliveryState::from(s), delivery, "{s}");
        assert_eq!(dotdigital_outcome(s.clone()), check, "{s}");
    }
    assert_eq!(
        DeliveryState::from(&CodeStatus::parse("CodeUnverified")).code_sent(),
        Some(true)
    );
    let odd = CodeStatus::parse("CodeResent");
    assert_eq!(DeliveryState::from(&odd), DeliveryState::Unknown);
    assert!(matches!(dotdigital_outcome(odd), CheckOutcome::Unknown(_)));
}

#[test]
fn unnamed_telesign_codes_follow_the_ranges_of_the_table() {
    use verify_core::neutral::DeliveryState;
    use verify_core::telesign::StatusCode;
    // Codes this version does not name, classed by PROVIDERS.md section 3's
    // ranges: 207-233 and 5xx are "not sent" (failed), others unknown.
    for (code, state) in [
        (215, DeliveryState::Failed { temporary: false }),
        (232, DeliveryState::Failed { temporary: false }),
        (550, DeliveryState::Failed { temporary: false }),
        (206, DeliveryState::Unknown),
        (234, DeliveryState::Unknown),
        (299, DeliveryState::Unknown),
        (1900, DeliveryState::Unknown),
    ] {
        let status = StatusCode::from_code(code);
        assert!(matches!(status, StatusCode::Unknown(_)), "{code} is named");
        assert_eq!(DeliveryState::from(status), state, "{code}");
    }
}
