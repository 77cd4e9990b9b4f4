//! `verify telesign callback`: authenticate a callback TeleSign POSTed
//! (its signature over the raw body, with the account's API key), then
//! read it as a delivery report or as a Verify API callback.

use std::io::Read;

use serde_json::{Value, json};
use verify_ureq::telesign::callback::{self, CallbackRejection, DeliveryReport};
use verify_ureq::{MAX_BODY_BYTES, telesign_verify};

use crate::cli::TeleSignCallbackArgs;
use crate::config;
use crate::failure::{Failure, Problem, ProviderFailure};
use crate::render::Rendered;
use crate::telesign_verify_cmd;

/// What the callback is.
enum Report {
    /// The classic API's delivery report.
    Delivery(DeliveryReport),
    /// A Verify API process update.
    Verification(telesign_verify::Verification),
}

/// Reads the raw body: the file, or standard input. One byte more than the
/// largest body is read, so that an oversized body is refused as such.
fn read_body(args: &TeleSignCallbackArgs, problems: &mut Vec<Problem>) -> Option<Vec<u8>> {
    let limit = u64::try_from(MAX_BODY_BYTES).unwrap_or(u64::MAX) + 1;
    let mut body = Vec::new();
    let read = match &args.body_file {
        Some(path) => std::fs::File::open(path)
            .and_then(|f| f.take(limit).read_to_end(&mut body))
            .map_err(|e| {
                (
                    "--body-file",
                    format!("cannot read {}: {e}", path.display()),
                )
            }),
        None => std::io::stdin()
            .lock()
            .take(limit)
            .read_to_end(&mut body)
            .map_err(|e| ("standard input", format!("cannot read the body: {e}"))),
    };
    match read {
        Ok(_) => Some(body),
        Err((field, why)) => {
            problems.push(Problem::new(field, why));
            None
        }
    }
}

/// Whether an authenticated body is a Verify API callback: a JSON object
/// with a `state` and no `status`.
fn is_verify_api(body: &[u8]) -> bool {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => m.contains_key("state") && !m.contains_key("status"),
        _ => false,
    }
}

/// `verify telesign callback`.
pub fn run(args: &TeleSignCallbackArgs, json_mode: bool) -> Result<(), Failure> {
    let mut problems = Vec::new();
    let credentials = config::telesign_credentials(
        args.customer_id.as_deref(),
        args.api_key.as_deref(),
        &mut problems,
    );
    if let Some(c) = &credentials
        && !c.can_sign_hmac()
    {
        problems.push(Problem::new(
            "--api-key",
            "must be base64 (as the portal shows it): callbacks are signed with its decoding",
        ));
    }
    let header = match http::HeaderValue::from_str(args.authorization.trim()) {
        Ok(h) if !h.is_empty() => Some(h),
        _ => {
            problems.push(Problem::new(
                "--authorization",
                "must be the header's value: `TSA customer_id:signature`, or the bare signature (printable ASCII)",
            ));
            None
        }
    };
    let body = read_body(args, &mut problems);
    let (Some(credentials), Some(header), Some(body)) = (credentials, header, body) else {
        return Err(Failure::Usage(problems));
    };
    if !problems.is_empty() {
        return Err(Failure::Usage(problems));
    }
    let mut headers = http::HeaderMap::new();
    headers.insert(http::header::AUTHORIZATION, header);
    let report = callback::verify_signature(&credentials, &headers, &body).and_then(|()| {
        if is_verify_api(&body) {
            telesign_verify::callback::parse_report(&body).map(Report::Verification)
        } else {
            callback::parse_report(&body).map(Report::Delivery)
        }
    });
    match report {
        Ok(Report::Delivery(r)) => delivery(&r).print(json_mode),
        Ok(Report::Verification(v)) => {
            let mut rendered = telesign_verify_cmd::verification(&v);
            rendered
                .lines
                .insert(0, "callback:     authentic (Verify API)".into());
            if let Value::Object(m) = &mut rendered.json {
                m.insert("kind".into(), "verify_api_callback".into());
                m.insert("authentic".into(), true.into());
            }
            rendered.print(json_mode);
        }
        Err(rejection) => return Err(Failure::Provider(refused(&rejection))),
    }
    Ok(())
}

/// A refused callback: exit 1, with the reason. Never act on it.
fn refused(r: &CallbackRejection) -> ProviderFailure {
    let reason = match r {
        CallbackRejection::MissingSignature => "missing_signature",
        CallbackRejection::MalformedHeader => "malformed_header",
        CallbackRejection::CustomerIdMismatch => "customer_id_mismatch",
        CallbackRejection::BadSignature => "bad_signature",
        CallbackRejection::KeyNotBase64 => "key_not_base64",
        CallbackRejection::MalformedBody { .. } => "malformed_body",
        _ => "refused",
    };
    let advice = match r {
        CallbackRejection::MalformedBody { .. } => {
            "the signature is good but the body is not a callback TeleSign documents; answer 400"
        }
        _ => {
            "the signature does not prove the body comes from TeleSign with this key; answer 401 and ignore the body"
        }
    };
    let message = format!("{r} ({advice})");
    ProviderFailure {
        json: json!({
            "kind": "callback_refused",
            "reason": reason,
            "message": message,
        }),
        message,
    }
}

/// An authenticated delivery report.
fn delivery(r: &DeliveryReport) -> Rendered {
    let mut lines = vec![
        "callback:     authentic (delivery report)".to_owned(),
        format!("reference_id: {}", r.reference_id.as_str()),
    ];
    if let Some(s) = &r.status {
        lines.push(format!("status:       {} {}", s.code.code(), s.description));
    }
    if let Some(v) = &r.verify {
        lines.push(format!("code_state:   {}", v.code_state.as_str()));
    }
    if let Some(t) = &r.submit_timestamp {
        lines.push(format!("submitted:    {t}"));
    }
    for e in &r.errors {
        lines.push(format!("error:        {} {}", e.code.code(), e.description));
    }
    Rendered {
        lines,
        json: json!({
            "kind": "delivery_report",
            "authentic": true,
            "provider": "telesign",
            "reference_id": r.reference_id.as_str(),
            "status": r.status.as_ref().map(|s| json!({
                "code": s.code.code(),
                "description": s.description,
                "updated_on": s.updated_on,
            })),
            "verify": r.verify.as_ref().map(|v| json!({"code_state": v.code_state.as_str()})),
            "submit_timestamp": r.submit_timestamp,
            "errors": r.errors.iter().map(|e| json!({"code": e.code.code(), "description": e.description})).collect::<Vec<_>>(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_api_bodies_have_a_state_and_no_status() {
        assert!(is_verify_api(br#"{"reference_id":"x","state":"VERIFIED"}"#));
        assert!(!is_verify_api(
            br#"{"reference_id":"x","status":{"code":200}}"#
        ));
        assert!(!is_verify_api(
            br#"{"state":"VERIFIED","status":{"code":3900}}"#
        ));
        assert!(!is_verify_api(b"not json"));
        assert!(!is_verify_api(b"[]"));
    }
}
