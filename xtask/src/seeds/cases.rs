//! Seeds from the operation cases of the vector files (`{"cases": [..]}`):
//! each case's input as a request seed, and its answer as a response seed.

use serde_json::Value;

use super::encode::{Headers, fields, response};
use super::requests::{neutral_start, request_seed};
use super::vectors::s;
use super::{Seeds, add, add_new};

/// Seeds from a vector file of `{"cases": [..]}`, by each case's operation:
/// - its input, as a seed of the operation's request target (encoded as that
///   check decodes it, fields the target cannot set left out), and for a send
///   also as a neutral start (its fields renamed, its template made neutral);
/// - its answer (`response.status`, `.headers` as a list of pairs or an
///   object, `.body_json` or `.body`), as a seed of the operation's response
///   target and of `neutral_response`.
///
/// A request seed identical to one the target already has is left out (the
/// answer vectors repeat one input many times).
pub(super) fn from_cases(prefix: &str, value: &Value, seeds: &mut Seeds) {
    let Some(cases) = value.get("cases").and_then(Value::as_array) else {
        return;
    };
    for (i, case) in cases.iter().enumerate() {
        let name = format!("{prefix}-{:03}", i + 1);
        let operation = s(case, "operation").unwrap_or("");
        let backup = s(case, "role") == Some("backup");
        if let Some(input) = case.get("input") {
            if let Some((target, bytes)) = request_seed(operation, input, backup) {
                add_new(seeds, target, name.clone(), bytes);
            }
            if let Some((provider, id)) = verification_id(operation, input) {
                // The JSON form, with the id escaped as the vector may hold anything.
                let json = format!(r#"{{"provider":"{provider}","id":{}}}"#, Value::from(id));
                let id = format!("{provider}:{id}");
                add_new(
                    seeds,
                    "verification_id",
                    name.clone(),
                    id.clone().into_bytes(),
                );
                add_new(
                    seeds,
                    "verification_id",
                    format!("{name}-json"),
                    json.into_bytes(),
                );
                let code = s(input, "verify_code").or(s(input, "code"));
                if let Some(code) = code {
                    add_new(
                        seeds,
                        "neutral_check_request",
                        name.clone(),
                        fields(&[id.as_bytes(), code.as_bytes(), &[u8::from(backup)]]),
                    );
                }
            }
            if matches!(operation, "telesign.sms" | "dotdigital.send") {
                add(
                    seeds,
                    "neutral_start_request",
                    name.clone(),
                    neutral_start(case, input),
                );
            }
        }
        let Some(answer) = case.get("response") else {
            continue;
        };
        let Some(status) = answer.get("status").and_then(Value::as_u64) else {
            continue;
        };
        let body = match (answer.get("body_json"), answer.get("body")) {
            (Some(json), _) => json.to_string(),
            (None, Some(Value::String(text))) => text.clone(),
            (None, Some(other)) => other.to_string(),
            (None, None) => String::new(),
        };
        let headers: Headers = match answer.get("headers") {
            Some(Value::Array(pairs)) => pairs
                .iter()
                .filter_map(|p| {
                    let p = p.as_array()?;
                    Some((
                        p.first()?.as_str()?.to_owned(),
                        p.get(1)?.as_str()?.to_owned(),
                    ))
                })
                .collect(),
            Some(Value::Object(map)) => map
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect(),
            _ => Vec::new(),
        };
        let bytes = response(status, &headers, body.as_bytes());
        if let Some(target) = response_target(operation) {
            add(seeds, target, name.clone(), bytes.clone());
        }
        add(seeds, "neutral_response", name, bytes);
    }
}

/// The provider and id of the verification an operation's input names, if
/// any (the parts of a `VerificationId`, which may not be valid).
fn verification_id<'a>(operation: &str, input: &'a Value) -> Option<(&'static str, &'a str)> {
    match operation {
        "telesign.status" | "telesign.check" | "telesign.completion" => {
            Some(("telesign", s(input, "reference_id")?))
        }
        "dotdigital.validate" => Some(("dotdigital", s(input, "request_id")?)),
        "telesign_verify.retrieve" | "telesign_verify.finalize" => {
            Some(("telesign_verify", s(input, "reference_id")?))
        }
        _ => None,
    }
}

/// The response target that parses the answers to `operation`.
fn response_target(operation: &str) -> Option<&'static str> {
    Some(match operation {
        "telesign.sms" | "telesign.call" => "telesign_send_response",
        "telesign.status" | "telesign.check" | "telesign.completion" => "telesign_status_response",
        "dotdigital.send" => "dotdigital_send_code_response",
        "dotdigital.validate" => "dotdigital_validate_code_response",
        "telesign_verify.create" | "telesign_verify.retrieve" | "telesign_verify.finalize" => {
            "telesign_verify_response"
        }
        _ => return None,
    })
}
