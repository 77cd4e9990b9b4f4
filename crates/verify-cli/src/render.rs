//! Results and provider errors as human text and as JSON. Nothing here ever
//! prints an API key, a password or a one-time code.

use serde_json::{Map, Value, json};
use verify_ureq::dotdigital::{DotdigitalErrorKind, ValidateOutcome, VerifyCode};
use verify_ureq::telesign::{
    CodeCheck, CodeState, Completed, ReferenceId, Sent, Status, StatusReport,
};
use verify_ureq::{ResponseError, UnexpectedResponse};

use crate::failure::ProviderFailure;

/// A result ready to print both ways.
pub struct Rendered {
    /// Lines for humans.
    pub lines: Vec<String>,
    /// The object for `--json` (gets `"ok": true`).
    pub json: Value,
}

impl Rendered {
    /// Prints the result on stdout.
    pub fn print(mut self, json_mode: bool) {
        if json_mode {
            if let Value::Object(map) = &mut self.json {
                map.insert("ok".into(), Value::Bool(true));
            }
            println!("{}", self.json);
        } else {
            for line in self.lines {
                println!("{line}");
            }
        }
    }
}

fn time(t: Option<std::time::SystemTime>) -> Value {
    t.map_or(Value::Null, |t| Value::String(httpdate::fmt_http_date(t)))
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
}
