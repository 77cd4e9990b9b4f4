//! An operation's input as a seed of its request target, and a send's input
//! as a neutral start: the field order and flag bits of each target's check
//! (`fuzz/src/checks/`).

use serde_json::Value;

use super::encode::fields;
use super::vectors::s;

/// A send's input as a neutral start: `phone_number, code, template, sender,
/// flags` (`checks::neutral_start_request`).
pub(super) fn neutral_start(case: &Value, input: &Value) -> Vec<u8> {
    let phone = s(input, "phone_number").or(s(input, "to")).unwrap_or("");
    let code = s(input, "verify_code");
    let template = s(input, "template")
        .or(s(input, "body"))
        .map(neutral_template);
    let sender = s(input, "sender_id").or(s(input, "from"));
    let flags = u8::from(code.is_some()) << 1
        | u8::from(template.is_some()) << 2
        | u8::from(sender.is_some()) << 3
        | u8::from(s(case, "role") == Some("backup"));
    fields(&[
        phone.as_bytes(),
        code.unwrap_or("").as_bytes(),
        template.as_deref().unwrap_or("").as_bytes(),
        sender.unwrap_or("").as_bytes(),
        &[flags],
    ])
}

/// An operation's input as a seed of its request target, in the field order
/// and flag bits of that target's check (`checks::telesign_sms_request` and
/// the rest). Flag bit 1 is the backup role; the others say which optional
/// field is set, so an absent field and an empty one stay apart.
pub(super) fn request_seed(
    operation: &str,
    input: &Value,
    backup: bool,
) -> Option<(&'static str, Vec<u8>)> {
    let field = |key: &str| s(input, key).unwrap_or("").as_bytes().to_vec();
    let bit = |key: &str, bit: u8| if input.get(key).is_some() { bit } else { 0 };
    let role = u8::from(backup);
    Some(match operation {
        "telesign.sms" => {
            let is_primary = match input.get("is_primary").and_then(Value::as_bool) {
                Some(true) => 64 | 128,
                Some(false) => 64,
                None => 0,
            };
            let flags = role
                | bit("originating_ip", 2)
                | bit("language", 4)
                | bit("verify_code", 8)
                | bit("template", 16)
                | bit("sender_id", 32)
                | is_primary;
            let sim_swap_check = match input.get("sim_swap_check").and_then(Value::as_bool) {
                Some(true) => 32 | 64,
                Some(false) => 32,
                None => 0,
            };
            let flags2 = bit("template_limit", 1)
                | bit("dlt_template_id", 2)
                | bit("dlt_entity_id", 4)
                | bit("transaction_amount", 8)
                | bit("transaction_payee", 16)
                | sim_swap_check;
            // Fields follow `flags`, so it must not be 0, the separator: 128
            // alone (an `is_primary` value without its bit) means no flags.
            let flags = if flags == 0 { 128 } else { flags };
            // A number in the vectors, a decimal text in the seed.
            let template_limit = input
                .get("template_limit")
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .unwrap_or_default();
            (
                "telesign_sms_request",
                fields(&[
                    &field("phone_number"),
                    &field("ucid"),
                    &field("originating_ip"),
                    &field("language"),
                    &field("verify_code"),
                    &field("template"),
                    &field("sender_id"),
                    &[flags],
                    template_limit.as_bytes(),
                    &field("dlt_template_id"),
                    &field("dlt_entity_id"),
                    &field("transaction_amount"),
                    &field("transaction_payee"),
                    &[flags2],
                ]),
            )
        }
        "telesign.call" => {
            let flags = role
                | bit("originating_ip", 2)
                | bit("language", 4)
                | bit("verify_code", 8)
                | bit("tts_message", 16);
            (
                "telesign_call_request",
                fields(&[
                    &field("phone_number"),
                    &field("ucid"),
                    &field("originating_ip"),
                    &field("language"),
                    &field("verify_code"),
                    &field("tts_message"),
                    &[flags],
                ]),
            )
        }
        "telesign.status" => (
            "telesign_status_request",
            fields(&[
                &field("reference_id"),
                &field("verify_code"),
                &[role | bit("verify_code", 2)],
            ]),
        ),
        // A code check: the same target, with its flag 2.
        "telesign.check" => (
            "telesign_status_request",
            fields(&[
                &field("reference_id"),
                s(input, "code")
                    .or(s(input, "verify_code"))
                    .unwrap_or("")
                    .as_bytes(),
                &[role | 2],
            ]),
        ),
        "telesign.completion" => (
            "telesign_completion_request",
            fields(&[&field("reference_id")]),
        ),
        "dotdigital.send" => {
            let offset = match (s(input, "valid_until"), s(input, "now")) {
                (Some(until), Some(now)) => Some(offset_seconds(until, now)?),
                _ => None,
            };
            let flags = role
                | bit("country_iso_code", 2)
                | bit("body", 4)
                | if offset.is_some() { 8 } else { 0 };
            (
                "dotdigital_send_code_request",
                fields(&[
                    &field("to"),
                    &field("from"),
                    &field("country_iso_code"),
                    &field("body"),
                    offset.map(|o| o.to_string()).unwrap_or_default().as_bytes(),
                    &[flags],
                ]),
            )
        }
        "dotdigital.validate" => (
            "dotdigital_validate_code_request",
            fields(&[&field("request_id"), &field("code")]),
        ),
        "telesign_verify.create" => ("telesign_verify_create_request", verify_create(input, role)),
        // A retrieve: the finalize target builds one for every valid id.
        "telesign_verify.retrieve" | "telesign_verify.finalize" => (
            "telesign_verify_finalize_request",
            fields(&[&field("reference_id"), &field("code"), &[role]]),
        ),
        _ => return None,
    })
}

/// A Verify API create's input as `checks::telesign_verify_create_request`
/// decodes it: `phone_number, email, push_app_token, security_factor,
/// external_id, message_template, flags`, then one field per policy step,
/// `method` or `method:fallback_time`. A fallback time that is not a number
/// is left out (the check cannot send one).
fn verify_create(input: &Value, role: u8) -> Vec<u8> {
    let keys = [
        "phone_number",
        "email",
        "push_app_token",
        "security_factor",
        "external_id",
        "message_template",
    ];
    let mut flags = role;
    for (i, key) in keys.iter().enumerate() {
        if input.get(*key).is_some() {
            flags |= 2 << i;
        }
    }
    // Steps follow `flags`, so it must not be 0, the separator.
    let flags = if flags == 0 { 128 } else { flags };
    let mut parts: Vec<Vec<u8>> = keys
        .iter()
        .map(|k| s(input, k).unwrap_or("").as_bytes().to_vec())
        .collect();
    parts.push(vec![flags]);
    let steps = input
        .get("verification_policy")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for step in steps {
        let method = s(step, "method").unwrap_or("");
        parts.push(match step.get("fallback_time").and_then(Value::as_u64) {
            Some(t) => format!("{method}:{t}").into_bytes(),
            None => method.as_bytes().to_vec(),
        });
    }
    fields(&parts.iter().map(Vec::as_slice).collect::<Vec<_>>())
}

/// `until - now` in whole seconds, rounded away from zero so that a time a
/// millisecond past a limit (or before `now`) stays past it.
fn offset_seconds(until: &str, now: &str) -> Option<i64> {
    let ms = millis(until)? - millis(now)?;
    Some(if ms >= 0 {
        (ms + 999) / 1000
    } else {
        -((-ms + 999) / 1000)
    })
}

/// Milliseconds since the epoch of `YYYY-MM-DDTHH:MM:SS[.fff]Z`.
fn millis(t: &str) -> Option<i64> {
    let t = t.strip_suffix('Z')?;
    let (date, time) = t.split_once('T')?;
    let mut d = date.splitn(3, '-').map(str::parse::<i64>);
    let (y, m, day) = (d.next()?.ok()?, d.next()?.ok()?, d.next()?.ok()?);
    let (time, frac) = time.split_once('.').unwrap_or((time, "0"));
    let mut h = time.splitn(3, ':').map(str::parse::<i64>);
    let (hh, mm, ss) = (h.next()?.ok()?, h.next()?.ok()?, h.next()?.ok()?);
    let frac: String = frac.chars().chain("000".chars()).take(3).collect();
    let ms: i64 = frac.parse().ok()?;
    // Days from 1970-01-01 in the proleptic Gregorian calendar.
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 24 + hh) * 60 + mm) * 60_000 + ss * 1000 + ms)
}

/// The neutral template for a provider's own: `$$CODE$$` and `{{code}}`
/// become `{code}`.
fn neutral_template(template: &str) -> String {
    template
        .replace("$$CODE$$", "{code}")
        .replace("{{code}}", "{code}")
}
