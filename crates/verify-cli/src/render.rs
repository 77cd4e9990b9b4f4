//! Results and provider errors as human text and as JSON. Nothing here ever
//! prints an API key, a password or a one-time code.

use serde_json::{Map, Value, json};
use verify_ureq::dotdigital::{DotdigitalErrorKind, ValidateOutcome, VerifyCode};
use verify_ureq::telesign::{
    CodeCheck, CodeState, Completed, ReferenceId, Sent, Status, StatusReport,
};
use verify_ureq::{ResponseError, UnexpectedResponse};

use crate::failure::ProviderFailure;
use crate::out;

/// A result ready to print both ways.
pub struct Rendered {
    /// Lines for humans.
    pub lines: Vec<String>,
    /// The object for `--json` (gets `"ok": true`).
    pub json: Value,
}

impl Rendered {
    /// Prints the result on stdout, or, when stdout cannot take it, on
    /// stderr (see [`out::results`]).
    pub fn print(mut self, json_mode: bool) {
        if json_mode {
            if let Value::Object(map) = &mut self.json {
                map.insert("ok".into(), Value::Bool(true));
            }
            out::results(&[self.json.to_string()]);
        } else {
            out::results(&self.lines);
        }
    }
}

/// The first second of the year 10000: `httpdate` cannot write it or
/// anything later (and panics), nor anything before 1970.
const YEAR_10000: u64 = 253_402_300_800;

/// A time as an HTTP date; `None` outside 1970 to 9999, which the writer
/// cannot represent (the parsers never return such a time, but a value
/// built otherwise must not panic the output either).
pub fn http_date(t: std::time::SystemTime) -> Option<String> {
    let secs = t.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    (secs < YEAR_10000).then(|| httpdate::fmt_http_date(t))
}

fn time(t: Option<std::time::SystemTime>) -> Value {
    t.and_then(http_date).map_or(Value::Null, Value::String)
}

/// The lines and JSON fields every TeleSign answer shares: the
/// transaction, and where its message stands.
fn telesign_base(reference_id: &ReferenceId, status: &Status) -> (Vec<String>, Map<String, Value>) {
    let lines = vec![
        format!("reference_id: {}", reference_id.as_str()),
        format!(
            "status:       {} {}",
            status.code.code(),
            status.description
        ),
    ];
    let mut json = Map::new();
    json.insert("provider".into(), "telesign".into());
    json.insert("reference_id".into(), reference_id.as_str().into());
    json.insert(
        "status".into(),
        json!({
            "code": status.code.code(),
            "description": status.description,
            "updated_on": status.updated_on,
        }),
    );
    (lines, json)
}

/// A TeleSign send (SMS or voice) TeleSign accepted.
pub fn telesign_sent(s: &Sent) -> Rendered {
    let (lines, mut json) = telesign_base(&s.reference_id, &s.status);
    json.insert("http_status".into(), s.http_status.as_u16().into());
    Rendered {
        lines,
        json: Value::Object(json),
    }
}

/// A TeleSign delivery status (`verify telesign status` without a code).
pub fn telesign_status(r: &StatusReport) -> Rendered {
    let (mut lines, mut json) = telesign_base(&r.reference_id, &r.status);
    if let Some(v) = &r.verify {
        lines.push(format!("code_state:   {}", v.code_state.as_str()));
    }
    json.insert("http_status".into(), r.http_status.as_u16().into());
    json.insert(
        "verify".into(),
        r.verify.as_ref().map_or(
            Value::Null,
            |v| json!({"code_state": v.code_state.as_str()}),
        ),
    );
    Rendered {
        lines,
        json: Value::Object(json),
    }
}

/// A TeleSign completion.
pub fn telesign_completed(c: &Completed) -> Rendered {
    let (lines, json) = telesign_base(&c.reference_id, &c.status);
    Rendered {
        lines,
        json: Value::Object(json),
    }
}

/// How a code check reads: for humans, and as the JSON `code_check` value.
pub fn code_check_words(check: &CodeCheck) -> (&'static str, &'static str) {
    match check {
        CodeCheck::Valid => ("valid", "valid"),
        CodeCheck::Invalid => ("invalid", "invalid"),
        CodeCheck::Expired => ("expired", "expired"),
        CodeCheck::TooManyAttempts => ("too many attempts", "too_many_attempts"),
        CodeCheck::NotFound => ("not found", "not_found"),
        _ => ("unknown", "unknown"),
    }
}

/// The `verify.code_state` TeleSign answered a code check with, for the
/// outcomes that have one (not `NotFound`, not an unknown state).
pub fn code_state_of(check: &CodeCheck) -> Option<CodeState> {
    match check {
        CodeCheck::Valid => Some(CodeState::Valid),
        CodeCheck::Invalid => Some(CodeState::Invalid),
        CodeCheck::Expired => Some(CodeState::Expired),
        CodeCheck::TooManyAttempts => Some(CodeState::MaxAttemptsExceeded),
        _ => None,
    }
}

/// A TeleSign code check of `reference_id` (`verify telesign status
/// --code`). Every outcome is an answer: a wrong code is not a failure of
/// the command.
pub fn telesign_code_check(reference_id: &ReferenceId, check: &CodeCheck) -> Rendered {
    let (human, word) = code_check_words(check);
    let state = code_state_of(check);
    let detail = match check {
        CodeCheck::Unknown(what) => Some(what.as_str()),
        _ => None,
    };
    let mut lines = vec![
        format!("reference_id: {}", reference_id.as_str()),
        match detail {
            Some(what) => format!("code_check:   {human} ({what})"),
            None => format!("code_check:   {human}"),
        },
    ];
    if let Some(s) = &state {
        lines.push(format!("code_state:   {}", s.as_str()));
    }
    let json = json!({
        "provider": "telesign",
        "reference_id": reference_id.as_str(),
        "code_check": word,
        "verified": check.is_valid(),
        "detail": detail,
        "verify": state.as_ref().map(|s| json!({"code_state": s.as_str()})),
    });
    Rendered { lines, json }
}

fn verify_code_json(c: &VerifyCode) -> Value {
    json!({
        "request_id": c.request_id.as_str(),
        "phone_number": c.phone_number,
        "status": c.status.as_str(),
        "number_status": c.number_status.as_str(),
        "created": time(c.created),
        "verified": time(c.verified),
    })
}

/// A dotdigital VerifyCode.
pub fn dotdigital_code(c: &VerifyCode) -> Rendered {
    let lines = vec![
        format!("request_id:    {}", c.request_id.as_str()),
        format!("phone_number:  {}", c.phone_number),
        format!("status:        {}", c.status.as_str()),
        format!("number_status: {}", c.number_status.as_str()),
    ];
    let mut json = verify_code_json(c);
    if let Value::Object(m) = &mut json {
        m.insert("provider".into(), "dotdigital".into());
    }
    Rendered { lines, json }
}

/// A dotdigital validation answer.
pub fn dotdigital_validate(o: &ValidateOutcome) -> Rendered {
    match o {
        ValidateOutcome::Code(c) => dotdigital_code(c),
        ValidateOutcome::UnknownOrDiscarded => Rendered {
            lines: vec![
                "status:        unknown or discarded (HTTP 204: the id is unknown, or was already verified, locked or expired)".into(),
            ],
            json: json!({"provider": "dotdigital", "status": "UnknownOrDiscarded"}),
        },
    }
}

/// A provider's refusal, made printable.
pub fn response_error(e: &ResponseError) -> ProviderFailure {
    let mut json = json!({
        "kind": "provider",
        "message": e.to_string(),
        "http_status": e.http_status().as_u16(),
        "temporary": e.is_temporary(),
        "rate_limited": e.is_rate_limited(),
        "message_may_have_been_sent": e.message_may_have_been_sent(),
    });
    let extra = match e {
        ResponseError::TeleSign(t) => json!({
            "provider": "telesign",
            "status_code": t.status.map(|s| s.code()),
            "errors": t.errors.iter().map(|e| json!({"code": e.code.code(), "description": e.description})).collect::<Vec<_>>(),
            "reference_id": t.reference_id,
        }),
        ResponseError::TeleSignVerify(t) => json!({
            "provider": "telesign_verify",
            "status_code": t.status.code(),
            "description": t.description,
            "reference_id": t.reference_id.as_ref().map(|r| r.as_str()),
        }),
        ResponseError::Dotdigital(d) => match &d.kind {
            DotdigitalErrorKind::Validation(failures) => json!({
                "provider": "dotdigital",
                "failures": failures.iter().map(|f| json!({
                    "property": f.property, "failure_code": f.failure_code.as_str(), "details": f.details,
                })).collect::<Vec<_>>(),
            }),
            DotdigitalErrorKind::Unauthorized(text) => json!({
                "provider": "dotdigital", "unauthorized": text.as_str(),
            }),
            DotdigitalErrorKind::Status(text) => json!({
                "provider": "dotdigital", "body_excerpt": text.as_str(),
            }),
            #[allow(unreachable_patterns)]
            _ => json!({"provider": "dotdigital"}),
        },
        ResponseError::Unexpected(UnexpectedResponse {
            provider,
            reason,
            excerpt,
            ..
        }) => json!({
            "provider": provider.to_string(),
            "reason": reason,
            "body_excerpt": excerpt.as_str(),
        }),
        #[allow(unreachable_patterns)]
        _ => json!({}),
    };
    if let (Value::Object(m), Value::Object(x)) = (&mut json, extra) {
        m.extend(x);
    }
    ProviderFailure {
        message: e.to_string(),
        json,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_check_shows_the_code_state_it_came_from() {
        for state in CodeState::ALL {
            let check = CodeCheck::from(state);
            match state {
                CodeState::NotChecked => assert_eq!(code_state_of(&check), None),
                _ => assert_eq!(code_state_of(&check).as_ref(), Some(state)),
            }
        }
        assert_eq!(code_state_of(&CodeCheck::NotFound), None);
    }

    #[test]
    fn every_code_check_has_its_own_words() {
        let checks = [
            CodeCheck::Valid,
            CodeCheck::Invalid,
            CodeCheck::Expired,
            CodeCheck::TooManyAttempts,
            CodeCheck::NotFound,
            CodeCheck::Unknown("code_state SOMETHING".into()),
        ];
        let words: Vec<_> = checks.iter().map(code_check_words).collect();
        for (i, w) in words.iter().enumerate() {
            assert!(!words[..i].contains(w), "{w:?} twice");
        }
        assert_eq!(words[3], ("too many attempts", "too_many_attempts"));
        assert_eq!(words[4], ("not found", "not_found"));
    }

    #[test]
    fn a_code_check_prints_its_outcome_and_never_the_code() {
        let id = ReferenceId::new("0123456789ABCDEF0123456789ABCDEF").unwrap();
        let r = telesign_code_check(&id, &CodeCheck::Invalid);
        assert_eq!(
            r.lines,
            [
                "reference_id: 0123456789ABCDEF0123456789ABCDEF",
                "code_check:   invalid",
                "code_state:   INVALID",
            ]
        );
        assert_eq!(r.json["code_check"], "invalid");
        assert_eq!(r.json["verified"], false);
        assert_eq!(r.json["verify"]["code_state"], "INVALID");

        let r = telesign_code_check(&id, &CodeCheck::Unknown("code_state NEW".into()));
        assert_eq!(r.lines[1], "code_check:   unknown (code_state NEW)");
        assert_eq!(r.json["detail"], "code_state NEW");
        assert_eq!(r.json["verify"], Value::Null);
    }

    mod never_panics {
        use std::time::{Duration, SystemTime, UNIX_EPOCH};

        use proptest::prelude::*;
        use verify_ureq::dotdigital::{
            CodeStatus, NumberStatus, RequestId, SendCode, ValidateCode, VerifyCode,
        };
        use verify_ureq::telesign::{CheckCode, GetStatus, SendCall, SendSms};
        use verify_ureq::{Code, Operation, Provider};

        use super::super::*;

        /// Both forms of a result, as they would be written.
        fn written(r: Rendered) -> String {
            format!("{}\n{}", r.lines.join("\n"), r.json)
        }

        /// Any time a `SystemTime` can hold around the epoch, far beyond
        /// 1970-9999 both ways.
        fn any_time() -> impl Strategy<Value = Option<SystemTime>> {
            (
                any::<bool>(),
                any::<u64>(),
                0u32..1_000_000_000,
                any::<bool>(),
            )
                .prop_map(|(before, secs, nanos, some)| {
                    let d = Duration::new(secs, nanos);
                    let t = if before {
                        UNIX_EPOCH.checked_sub(d)
                    } else {
                        UNIX_EPOCH.checked_add(d)
                    };
                    t.filter(|_| some)
                })
        }

        /// A provider's time text: RFC 3339 shapes with any year, offset and
        /// fraction, and anything else.
        fn time_text() -> impl Strategy<Value = String> {
            prop_oneof![
                "[0-9]{4}-[0-1][0-9]-[0-3][0-9][Tt ][0-2][0-9]:[0-5][0-9]:[0-6][0-9](\\.[0-9]{0,9})?(Z|[+-][0-2][0-9]:?[0-5][0-9])?",
                "(0000|1969|1970|9999)-(01-01|12-31)T(00:00:00|23:59:59)[+-](00:00|01:00|23:59|99:99)",
                ".{0,40}",
            ]
        }

        fn dd_body(created: &str, verified: &str, status: &str) -> Vec<u8> {
            serde_json::json!({
                "requestId": "0f5a3c1e-8a4b-4f3e-9a55-1a2b3c4d5e6f",
                "phoneNumber": "+447700900000",
                "status": status,
                "numberStatus": "Valid",
                "created": created,
                "verified": verified,
            })
            .to_string()
            .into_bytes()
        }

        fn answer(status: u16, body: &[u8]) -> http::Response<&[u8]> {
            http::Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .body(body)
                .unwrap()
        }

        proptest! {
            #[test]
            fn any_verify_code_renders(created in any_time(), verified in any_time(), phone in ".{0,30}", status in ".{0,20}") {
                let code = VerifyCode {
                    request_id: RequestId::new("0f5a3c1e-8a4b-4f3e-9a55-1a2b3c4d5e6f").unwrap(),
                    phone_number: phone,
                    status: CodeStatus::parse(&status),
                    number_status: NumberStatus::parse(&status),
                    created,
                    verified,
                };
                let text = written(dotdigital_code(&code));
                prop_assert!(text.contains("0f5a3c1e-8a4b-4f3e-9a55-1a2b3c4d5e6f"));
                written(dotdigital_validate(&ValidateOutcome::Code(code)));
                if let Some(t) = created {
                    let in_range = t.duration_since(UNIX_EPOCH).is_ok_and(|d| d.as_secs() < 253_402_300_800);
                    prop_assert_eq!(http_date(t).is_some(), in_range);
                }
            }

            #[test]
            fn every_dotdigital_answer_renders(created in time_text(), verified in time_text(), status in prop_oneof![Just("CodeSent".to_owned()), Just("CodeVerified".to_owned()), ".{0,12}"], http_status in prop_oneof![Just(200u16), Just(201), Just(204), 100u16..600]) {
                let body = dd_body(&created, &verified, &status);
                let send = SendCode::new("+447700900000", "Example");
                match send.parse_response(Provider::Dotdigital, answer(http_status, &body)) {
                    Ok(c) => { written(dotdigital_code(&c)); }
                    Err(e) => { response_error(&e); }
                }
                let id = RequestId::new("0f5a3c1e-8a4b-4f3e-9a55-1a2b3c4d5e6f").unwrap();
                let validate = ValidateCode::new(id, Code::new("123456"));
                match validate.parse_response(Provider::Dotdigital, answer(http_status, &body)) {
                    Ok(o) => { written(dotdigital_validate(&o)); }
                    Err(e) => { response_error(&e); }
                }
            }

            #[test]
            fn every_telesign_answer_renders(code in any::<i64>(), updated_on in time_text(), description in ".{0,40}", code_state in prop_oneof![Just("VALID".to_owned()), Just("INVALID".to_owned()), ".{0,12}"], http_status in prop_oneof![Just(200u16), Just(400), Just(404), 100u16..600]) {
                let body = serde_json::json!({
                    "reference_id": "0123456789ABCDEF0123456789ABCDEF",
                    "status": {"code": code, "description": description, "updated_on": updated_on},
                    "verify": {"code_state": code_state, "code_entered": ""},
                    "errors": [{"code": code, "description": description}],
                }).to_string().into_bytes();
                let sms = SendSms::new("15555550100");
                match sms.parse_response(Provider::TeleSign, answer(http_status, &body)) {
                    Ok(s) => { written(telesign_sent(&s)); }
                    Err(e) => { response_error(&e); }
                }
                let call = SendCall::new("15555550100");
                match call.parse_response(Provider::TeleSign, answer(http_status, &body)) {
                    Ok(s) => { written(telesign_sent(&s)); }
                    Err(e) => { response_error(&e); }
                }
                let id = ReferenceId::new("0123456789ABCDEF0123456789ABCDEF").unwrap();
                match GetStatus::new(id).parse_response(Provider::TeleSign, answer(http_status, &body)) {
                    Ok(r) => { written(telesign_status(&r)); }
                    Err(e) => { response_error(&e); }
                }
                match CheckCode::new(id, Code::new("1234")).parse_response(Provider::TeleSign, answer(http_status, &body)) {
                    Ok(c) => { written(telesign_code_check(&id, &c)); }
                    Err(e) => { response_error(&e); }
                }
            }
        }
    }
}
