//! Results and provider errors as human text and as JSON. Nothing here ever
//! prints an API key, a password or a one-time code.

use serde_json::{Value, json};
use verify_core::dotdigital::{DotdigitalErrorKind, ValidateOutcome, VerifyCode};
use verify_core::telesign::VerifyResponse;
use verify_core::{ResponseError, error::UnexpectedResponse};

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

/// A TeleSign answer.
pub fn telesign(r: &VerifyResponse) -> Rendered {
    let mut lines = Vec::new();
    if let Some(id) = &r.reference_id {
        lines.push(format!("reference_id: {}", id.as_str()));
    }
    if let Some(s) = &r.status {
        lines.push(format!("status:       {} {}", s.code.code(), s.description));
    }
    if let Some(v) = &r.verify {
        lines.push(format!("code_state:   {}", v.code_state.as_str()));
    }
    for e in &r.errors {
        lines.push(format!("warning:      {e}"));
    }
    let json = json!({
        "provider": "telesign",
        "http_status": r.http_status.as_u16(),
        "reference_id": r.reference_id.as_ref().map(|i| i.as_str()),
        "status": r.status.as_ref().map(|s| json!({
            "code": s.code.code(),
            "description": s.description,
            "updated_on": s.updated_on,
        })),
        "verify": r.verify.as_ref().map(|v| json!({"code_state": v.code_state.as_str()})),
        "errors": r.errors.iter().map(|e| json!({"code": e.code.code(), "description": e.description})).collect::<Vec<_>>(),
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
