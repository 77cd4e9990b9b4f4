//! The provider-neutral operations: `Start` and `Check` requests, and their
//! answers, each compared with the provider operation it wraps.

use verify_core::{Operation, Provider, Role};

use super::input::{Fields, response};
use super::properties::{assert_no_secret, check_build, check_parse};
use super::settings::{
    dotdigital_config, reference_id, request_id, role, telesign_config, telesign_verify_config,
};

/// The fields a neutral `Start` error may name (its documented vocabulary).
const NEUTRAL_START_FIELDS: &[&str] = &["phone_number", "code", "template", "sender"];

/// Target `neutral_start_request`: fields `phone_number, code, template,
/// sender, flags` (flags: 2 sets the code, 4 the template, 8 the sender).
///
/// Built for TeleSign, dotdigital and TeleSign's Verify API, as primary and
/// as backup:
/// - the usual request properties ([`check_build`]) and no code in the error
///   text ([`assert_no_secret`]);
/// - an error names each field once, only in neutral words;
/// - an accepted start is exactly the provider operation's request, and a
///   request the provider operation refuses is refused;
/// - a phone number that is not 7 to 15 digits (no leading 0), a template
///   without `{code}`, a code for dotdigital, and a template or a sender for
///   the Verify API are refused naming the field.
pub fn neutral_start_request(data: &[u8]) {
    use verify_core::neutral::{CODE_PLACEHOLDER, Start};
    let f = Fields::new(data);
    let (phone, code, template, sender) = (f.text(0), f.text(1), f.text(2), f.text(3));
    let flags = f.byte(4);
    let make = |code: &str| {
        let mut op = Start::new(phone.clone());
        if flags & 2 != 0 {
            op = op.code(verify_core::Code::new(code));
        }
        if flags & 4 != 0 {
            op = op.template(template.clone());
        }
        if flags & 8 != 0 {
            op = op.sender(sender.clone());
        }
        op
    };
    let op = make(&code);
    let phone_ok = (7..=15).contains(&phone.len())
        && phone.bytes().all(|b| b.is_ascii_digit())
        && !phone.starts_with('0');
    let template_ok = flags & 4 == 0 || template.contains(CODE_PLACEHOLDER);
    for config in [
        telesign_config(),
        dotdigital_config(),
        telesign_verify_config(),
    ] {
        let provider = config.provider();
        // The fields this provider refuses whatever their value.
        let refused: &[(u8, &str)] = match provider {
            Provider::TeleSign => &[],
            Provider::Dotdigital => &[(2, "code")],
            Provider::TeleSignVerify => &[(4, "template"), (8, "sender")],
            other => panic!("{other}: a provider this check does not know"),
        };
        for role in [Role::Primary, Role::Backup] {
            let built = check_build(&op, &config, role);
            let direct = match provider {
                Provider::TeleSign => op.telesign().to_request(&config, role),
                Provider::Dotdigital => op.dotdigital().to_request(&config, role),
                Provider::TeleSignVerify => op.telesign_verify().to_request(&config, role),
                other => panic!("{other}: a provider this check does not know"),
            };
            match &built {
                Ok(request) => {
                    let direct = direct.unwrap_or_else(|e| {
                        panic!("neutral start accepted what the provider refuses: {e}")
                    });
                    assert_eq!(request.method(), direct.method());
                    assert_eq!(request.uri(), direct.uri());
                    assert_eq!(request.headers(), direct.headers());
                    assert_eq!(request.body(), direct.body());
                }
                Err(e) => {
                    let fields: Vec<&str> = e.fields().collect();
                    for (i, field) in fields.iter().enumerate() {
                        assert!(
                            NEUTRAL_START_FIELDS.contains(field),
                            "{field} is not a neutral field: {e}"
                        );
                        assert!(!fields[..i].contains(field), "{field} named twice: {e}");
                    }
                    assert!(
                        phone_ok || fields.contains(&"phone_number"),
                        "a refused phone number is not named: {e}"
                    );
                    assert!(
                        template_ok || fields.contains(&"template"),
                        "a refused template is not named: {e}"
                    );
                }
            }
            if !phone_ok || !template_ok {
                assert!(built.is_err(), "an invalid start was accepted");
            }
            for (bit, field) in refused {
                if flags & bit != 0 {
                    let e = built
                        .as_ref()
                        .err()
                        .unwrap_or_else(|| panic!("{provider} accepted a {field}"));
                    assert!(e.fields().any(|f| f == *field), "{e}");
                }
            }
            assert_no_secret(make, &code, &config, role);
        }
    }
}

/// Target `neutral_response`: any response, read as the answer to a neutral
/// `Start` and a neutral `Check` at each provider, gives a value or a typed
/// error ([`check_parse`]), and agrees with the provider operation it wraps:
///
/// - a start fails exactly where the provider's own send fails, and yields
///   the provider's id (`reference_id`, `requestId`) as its `VerificationId`;
///   a dotdigital or Verify API start may always have sent a message;
/// - a check fails exactly where the provider's own code check (TeleSign
///   `CheckCode`, dotdigital `ValidateCode`, Verify API
///   `FinalizeVerification`) fails, and its outcome is the provider's, in
///   neutral words ([`assert_neutral_outcome`]).
pub fn neutral_response(data: &[u8]) {
    use verify_core::dotdigital::ValidateCode;
    use verify_core::neutral::{Check, Start, VerificationId};
    use verify_core::telesign::CheckCode;
    use verify_core::telesign_verify::FinalizeVerification;
    let code = verify_core::Code::new("123456");

    let start = Start::new("447700900123").sender("Example");
    for provider in [
        Provider::TeleSign,
        Provider::Dotdigital,
        Provider::TeleSignVerify,
    ] {
        let neutral = check_parse(&start, provider, data);
        let direct = match provider {
            Provider::TeleSign => start
                .telesign()
                .parse_response(provider, response(data))
                .map(|sent| VerificationId::TeleSign(sent.reference_id)),
            Provider::Dotdigital => start
                .dotdigital()
                .parse_response(provider, response(data))
                .map(|code| VerificationId::Dotdigital(code.request_id)),
            Provider::TeleSignVerify => start
                .telesign_verify()
                .parse_response(provider, response(data))
                .map(|created| VerificationId::TeleSignVerify(created.reference_id)),
            other => panic!("{other}: a provider this check does not know"),
        };
        match (&neutral, &direct) {
            (Ok(started), Ok(id)) => {
                assert_eq!(
                    &started.id, id,
                    "neutral start and {provider} read other ids"
                );
                if provider != Provider::TeleSign {
                    assert!(started.message_may_have_been_sent);
                }
            }
            (Ok(_), Err(e)) => panic!("neutral start read what {provider} refuses: {e}"),
            (Err(e), Ok(_)) => panic!("neutral start refused what {provider} reads: {e}"),
            (Err(_), Err(_)) => {}
        }
    }

    let ts_id = reference_id();
    let check = Check::new(ts_id.into(), code.clone());
    let neutral = check_parse(&check, Provider::TeleSign, data);
    let direct = CheckCode::new(ts_id, code.clone())
        .parse_response(Provider::TeleSign, response(data))
        .map(Direct::TeleSign);
    assert_neutral_outcome(&neutral, &direct);

    let dd_id = request_id();
    let check = Check::new(dd_id.into(), code.clone());
    let neutral = check_parse(&check, Provider::Dotdigital, data);
    let direct = ValidateCode::new(dd_id, code.clone())
        .parse_response(Provider::Dotdigital, response(data))
        .map(Direct::Dotdigital);
    assert_neutral_outcome(&neutral, &direct);

    let tv_id = reference_id();
    let check = Check::new(VerificationId::TeleSignVerify(tv_id), code.clone());
    let neutral = check_parse(&check, Provider::TeleSignVerify, data);
    let direct = FinalizeVerification::new(tv_id, code)
        .parse_response(Provider::TeleSignVerify, response(data))
        .map(Direct::TeleSignVerify);
    assert_neutral_outcome(&neutral, &direct);
}

/// A provider's own answer to a code check.
pub enum Direct {
    /// TeleSign `CheckCode`.
    TeleSign(verify_core::telesign::CodeCheck),
    /// dotdigital `ValidateCode`.
    Dotdigital(verify_core::dotdigital::ValidateOutcome),
    /// Verify API `FinalizeVerification`.
    TeleSignVerify(verify_core::telesign_verify::Finalization),
}

/// The neutral check fails exactly where the provider's check does, and
/// otherwise answers the provider's outcome in neutral words (PROVIDERS.md
/// section 3, computed here independently of the core): right code, wrong
/// code, expired, too many attempts, an id the provider does not know (or
/// no longer has), and anything else `Unknown`, with a text.
pub fn assert_neutral_outcome(
    neutral: &Result<verify_core::neutral::CheckOutcome, verify_core::ResponseError>,
    direct: &Result<Direct, verify_core::ResponseError>,
) {
    use verify_core::dotdigital::{CodeStatus, ValidateOutcome};
    use verify_core::neutral::CheckOutcome as N;
    use verify_core::telesign::CodeCheck as T;
    use verify_core::telesign_verify::Finalization as V;
    let (neutral, direct) = match (neutral, direct) {
        (Ok(n), Ok(d)) => (n, d),
        (Err(_), Err(_)) => return,
        (Ok(n), Err(e)) => panic!("neutral check read {n:?} where the provider refused: {e}"),
        (Err(e), Ok(_)) => panic!("neutral check refused what the provider reads: {e}"),
    };
    let expected = match direct {
        Direct::TeleSign(T::Valid) => Some(N::Verified),
        Direct::TeleSign(T::Invalid) => Some(N::Incorrect),
        Direct::TeleSign(T::Expired) => Some(N::Expired),
        Direct::TeleSign(T::TooManyAttempts) => Some(N::TooManyAttempts),
        Direct::TeleSign(T::NotFound) => Some(N::NotFoundOrAlreadyUsed),
        Direct::TeleSignVerify(V::Verified) => Some(N::Verified),
        Direct::TeleSignVerify(V::WrongCode) => Some(N::Incorrect),
        Direct::TeleSignVerify(V::Rejected) => Some(N::TooManyAttempts),
        Direct::TeleSignVerify(V::NotFoundOrFinished) => Some(N::NotFoundOrAlreadyUsed),
        Direct::Dotdigital(ValidateOutcome::UnknownOrDiscarded) => Some(N::NotFoundOrAlreadyUsed),
        Direct::Dotdigital(ValidateOutcome::Code(code)) => match code.status {
            CodeStatus::Verified => Some(N::Verified),
            CodeStatus::NotVerified => Some(N::Incorrect),
            CodeStatus::Expired => Some(N::Expired),
            CodeStatus::Locked => Some(N::TooManyAttempts),
            _ => None,
        },
        _ => None,
    };
    match (expected, neutral) {
        (Some(expected), neutral) => assert_eq!(neutral, &expected),
        (None, N::Unknown(text)) => assert!(!text.is_empty()),
        (None, neutral) => panic!("{neutral:?} where the provider's answer is unknown"),
    }
}

/// Target `neutral_check_request`: fields `id, code, flags` where `id` is a
/// `VerificationId` in its text form (`telesign:<reference_id>`,
/// `dotdigital:<requestId>`, `telesign_verify:<reference_id>`). An id that
/// does not parse is replaced by a fixed valid one (TeleSign's, dotdigital's
/// with flag 2, the Verify API's with flag 4) so the code is still
/// exercised; flag 1 is the backup role.
///
/// Built with the configuration of the id's provider:
/// - the usual request properties ([`check_build`], which also has another
///   provider's configuration refused naming `provider`) and no code in the
///   error text ([`assert_no_secret`]);
/// - the code is accepted exactly when it can be right for the provider
///   (TeleSign: 3 to 7 digits; dotdigital: 1 to 32 ASCII letters or digits;
///   Verify API: 3 to 10 digits), and a refusal names only `code`;
/// - an accepted check is exactly the provider operation's request: TeleSign
///   `CheckCode`, `GET /v1/verify/{reference_id}?verify_code={code}`;
///   dotdigital `ValidateCode`, `PUT /WebApi/Verify/{requestId}/validate`
///   with `{"code": ..}`; Verify API `FinalizeVerification`, `PATCH
///   /verification/{reference_id}/state` with `{"action": "finalize",
///   "security_factor": ..}`.
pub fn neutral_check_request(data: &[u8]) {
    use verify_core::dotdigital::ValidateCode;
    use verify_core::neutral::{Check, VerificationId};
    use verify_core::telesign::CheckCode;
    use verify_core::telesign_verify::FinalizeVerification;
    let f = Fields::new(data);
    let (text, code, flags) = (f.text(0), f.text(1), f.byte(2));
    let id: VerificationId = match text.parse() {
        Ok(id) => id,
        Err(_) if flags & 2 != 0 => request_id().into(),
        Err(_) if flags & 4 != 0 => VerificationId::TeleSignVerify(reference_id()),
        Err(_) => reference_id().into(),
    };
    let make = |code: &str| Check::new(id.clone(), verify_core::Code::new(code));
    let op = make(&code);
    assert_eq!(op.provider(), Some(id.provider()));
    assert_eq!(op.id(), &id);
    let digits = |range: std::ops::RangeInclusive<usize>| {
        range.contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit())
    };
    let (config, code_ok) = match id.provider() {
        Provider::TeleSign => (telesign_config(), digits(3..=7)),
        Provider::TeleSignVerify => (telesign_verify_config(), digits(3..=10)),
        Provider::Dotdigital => (
            dotdigital_config(),
            (1..=32).contains(&code.chars().count())
                && code.bytes().all(|b| b.is_ascii_alphanumeric()),
        ),
        other => panic!("{other}: a provider this check does not know"),
    };
    let role = role(flags);
    let built = check_build(&op, &config, role);
    let direct = match &id {
        VerificationId::TeleSign(r) => {
            CheckCode::new(*r, verify_core::Code::new(&code)).to_request(&config, role)
        }
        VerificationId::Dotdigital(r) => {
            ValidateCode::new(*r, verify_core::Code::new(&code)).to_request(&config, role)
        }
        VerificationId::TeleSignVerify(r) => {
            FinalizeVerification::new(*r, verify_core::Code::new(&code)).to_request(&config, role)
        }
    };
    assert_eq!(
        built.is_ok(),
        code_ok,
        "the code's rule for {}",
        id.provider()
    );
    match &built {
        Ok(request) => {
            let direct = direct
                .unwrap_or_else(|e| panic!("the check accepted what the provider refuses: {e}"));
            assert_eq!(request.method(), direct.method());
            assert_eq!(request.uri(), direct.uri());
            assert_eq!(request.headers(), direct.headers());
            assert!(request.body() == direct.body(), "the bodies differ");
            let base = config.base_url().as_str();
            let uri = request.uri().to_string();
            match &id {
                VerificationId::TeleSign(r) => {
                    assert_eq!(request.method(), http::Method::GET);
                    assert!(
                        uri == format!("{base}/v1/verify/{}?verify_code={code}", r.as_str()),
                        "not the code check of {}",
                        r.as_str()
                    );
                    assert!(request.body().is_empty());
                }
                VerificationId::Dotdigital(r) => {
                    assert_eq!(request.method(), http::Method::PUT);
                    assert_eq!(uri, format!("{base}/WebApi/Verify/{}/validate", r.as_str()));
                    let body: serde_json::Value = serde_json::from_slice(request.body())
                        .unwrap_or_else(|e| panic!("the JSON body does not parse: {e}"));
                    assert!(
                        body == serde_json::json!({ "code": code }),
                        "the body is not {{\"code\": ..}}"
                    );
                }
                VerificationId::TeleSignVerify(r) => {
                    assert_eq!(request.method(), http::Method::PATCH);
                    assert_eq!(uri, format!("{base}/verification/{}/state", r.as_str()));
                    let body: serde_json::Value = serde_json::from_slice(request.body())
                        .unwrap_or_else(|e| panic!("the JSON body does not parse: {e}"));
                    assert!(
                        body == serde_json::json!({ "action": "finalize", "security_factor": code }),
                        "the body is not {{\"action\": \"finalize\", \"security_factor\": ..}}"
                    );
                }
            }
        }
        Err(e) => {
            assert!(
                direct.is_err(),
                "the check refused what the provider accepts"
            );
            assert!(e.fields().eq(["code"]), "{e}");
        }
    }
    assert_no_secret(make, &code, &config, role);
}
