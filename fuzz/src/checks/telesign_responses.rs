//! TeleSign response parsers: the answer to a send (SMS or voice), and the
//! answer to a status query, a code check or a completion.

use verify_core::telesign::{ApiError, CodeCheck, CodeState, ErrorCode, StatusReport};
use verify_core::{Provider, ResponseError};

use super::properties::check_parse;
use super::settings::reference_id;

/// Target `telesign_send_response`: any response to an SMS or voice send
/// (same body, different operations) parses or gives a typed error, and
/// both operations read it alike.
pub fn telesign_send_response(data: &[u8]) {
    use verify_core::telesign::{SendCall, SendSms};
    let sms = check_parse(&SendSms::new("15555550100"), Provider::TeleSign, data);
    let call = check_parse(&SendCall::new("15555550100"), Provider::TeleSign, data);
    assert_eq!(
        sms.is_ok(),
        call.is_ok(),
        "SMS and voice read a send's answer alike"
    );
    if let (Ok(sms), Ok(call)) = (&sms, &call) {
        assert_eq!(sms.reference_id, call.reference_id);
        assert_eq!(sms.status, call.status);
        assert_eq!(sms.sub_resource, call.sub_resource);
        assert_eq!(sms.additional_info, call.additional_info);
        assert_eq!(sms.http_status, call.http_status);
    }
}

/// Target `telesign_status_response`: any response to a status query, a
/// code check or a completion parses or gives a typed error.
///
/// The code check reads the same answer as the status query: where the
/// query reads it, the check's outcome is the query's `verify.code_state`
/// (VALID, INVALID, EXPIRED, MAX_ATTEMPTS_EXCEEDED; anything else, or no
/// `verify`, is `Unknown`, with a text); where the query refuses it, the
/// check gives the same error, except TeleSign's answer to an unknown
/// `reference_id`, which is the outcome `NotFound`.
pub fn telesign_status_response(data: &[u8]) {
    use verify_core::telesign::{CheckCode, Complete, GetStatus};
    let status = check_parse(&GetStatus::new(reference_id()), Provider::TeleSign, data);
    let check = CheckCode::new(reference_id(), verify_core::Code::new("12345"));
    let check = check_parse(&check, Provider::TeleSign, data);
    let _ = check_parse(&Complete::new(reference_id()), Provider::TeleSign, data);
    match (&status, &check) {
        (Ok(report), Ok(outcome)) => assert_code_check(report, outcome),
        (Ok(_), Err(e)) => panic!("the code check refused what the status query reads: {e}"),
        (Err(e), Ok(outcome)) => {
            assert!(
                is_not_found(e) != Some(false),
                "the code check read {outcome:?} where the status query refused: {e}"
            );
            assert_eq!(outcome, &CodeCheck::NotFound, "{e}");
        }
        (Err(a), Err(b)) => {
            assert!(
                is_not_found(a) != Some(true),
                "an unknown reference_id is an outcome: {a}"
            );
            assert_eq!(
                format!("{a:?}"),
                format!("{b:?}"),
                "the status query and the code check refuse alike"
            );
        }
    }
}

/// Whether `e` is TeleSign's answer for an unknown `reference_id`: HTTP
/// 404 or 400, status 500 or none, -10001 errors only, one whose
/// description begins `Invalid Request: reference_id Parameter`
/// (docs/PROTOCOL-DECISIONS.md), computed here independently of the core.
/// `None` where the error's masked text cannot tell (a description with
/// something before the words, which the masking may have changed).
fn is_not_found(e: &ResponseError) -> Option<bool> {
    const NAMED: &str = "Invalid Request: reference_id Parameter";
    let ResponseError::TeleSign(e) = e else {
        return Some(false);
    };
    let invalid = |x: &ApiError| x.code == ErrorCode::InvalidParameter;
    let shape = matches!(e.http_status.as_u16(), 404 | 400)
        && matches!(e.status.map(|s| s.code()), None | Some(500))
        && e.errors.iter().all(invalid);
    if !shape
        || !e
            .errors
            .iter()
            .any(|x| x.description.contains("reference_id"))
    {
        return Some(false);
    }
    if e.errors.iter().any(|x| x.description.starts_with(NAMED)) {
        return Some(true);
    }
    None
}

/// A code check's outcome is the status report's `code_state`, mapped as
/// documented (computed here, independently of the core's mapping).
pub fn assert_code_check(report: &StatusReport, outcome: &CodeCheck) {
    let expected = match report.verify.as_ref().map(|v| &v.code_state) {
        Some(CodeState::Valid) => Some(CodeCheck::Valid),
        Some(CodeState::Invalid) => Some(CodeCheck::Invalid),
        Some(CodeState::Expired) => Some(CodeCheck::Expired),
        Some(CodeState::MaxAttemptsExceeded) => Some(CodeCheck::TooManyAttempts),
        _ => None,
    };
    match (expected, outcome) {
        (Some(expected), outcome) => assert_eq!(outcome, &expected, "{report:?}"),
        (None, CodeCheck::Unknown(text)) => assert!(!text.is_empty()),
        (None, outcome) => panic!("{outcome:?} for {report:?}"),
    }
}
