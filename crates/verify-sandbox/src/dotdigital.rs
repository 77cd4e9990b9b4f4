//! The simulated dotdigital CPaaS Verify API.

use std::time::{Duration, SystemTime};

use serde_json::{Map, Value, json};
use subtle::ConstantTimeEq;

use crate::auth::dotdigital_basic_ok;
use crate::iso3166;
use crate::outbox::{Channel, OutboxMessage, SandboxProvider};
use crate::reply::{Reply, Req};
use crate::state::{DotdigitalVerification, Shared};

/// The furthest ahead `validUntil` may be.
pub(crate) const MAX_VALIDITY: Duration = Duration::from_secs(30 * 60);

const UNAUTHORIZED: &str = "No authorization header supplied or invalid username or password";

/// Dialling codes of countries whose local numbers the sandbox converts; the other codes
/// in `iso3166::ALPHA3` are accepted and the number kept as given.
const DIALLING: &[(&str, &str)] = &[
    ("AUS", "61"),
    ("AUT", "43"),
    ("BEL", "32"),
    ("BRA", "55"),
    ("CAN", "1"),
    ("CHE", "41"),
    ("CHN", "86"),
    ("DEU", "49"),
    ("DNK", "45"),
    ("ESP", "34"),
    ("FIN", "358"),
    ("FRA", "33"),
    ("GBR", "44"),
    ("GRC", "30"),
    ("IND", "91"),
    ("IRL", "353"),
    ("ITA", "39"),
    ("JPN", "81"),
    ("MEX", "52"),
    ("NLD", "31"),
    ("NOR", "47"),
    ("NZL", "64"),
    ("POL", "48"),
    ("PRT", "351"),
    ("SWE", "46"),
    ("USA", "1"),
    ("ZAF", "27"),
];

fn failure(property: &str, code: &str, details: &str) -> Value {
    json!({"property": property, "failureCode": code, "details": details})
}

fn throttled() -> Reply {
    let mut r = Reply::json(
        400,
        &json!([failure(
            "to",
            "Throttled",
            "Too many requests; try again later."
        )]),
    );
    r.retry_after = Some(1);
    r
}

fn ts(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

fn admit(shared: &Shared, req: &Req<'_>, now: SystemTime) -> Result<(), Reply> {
    let c = &shared.config;
    if !dotdigital_basic_ok(
        req.header("authorization"),
        &c.dotdigital_username,
        &c.dotdigital_password,
    ) {
        return Err(Reply::text(401, UNAUTHORIZED));
    }
    if !shared
        .lock()
        .dotdigital_rate
        .admit(now, c.dotdigital_rate_limit)
    {
        return Err(throttled());
    }
    Ok(())
}

/// Looks a property up the way the provider's model binding does: case-insensitively.
fn prop<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    obj.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// A string property; `Err` when present with another type.
fn string_prop<'a>(
    obj: &'a Map<String, Value>,
    name: &str,
    failures: &mut Vec<Value>,
) -> Option<&'a str> {
    match prop(obj, name) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => {
            failures.push(failure(
                name,
                "InvalidJson",
                &format!("{name} must be a string."),
            ));
            None
        }
    }
}

/// `to`, by one rule for local and international numbers (docs/PROTOCOL-DECISIONS.md):
/// digits only (no `+`, spaces or other signs); without `countryIsoCode` an international
/// number of 7 to 15 digits that does not start with 0; with `countryIsoCode` 4 to 15
/// digits, local (`07123123456`) or international.
fn to_ok(to: &str, with_country: bool) -> bool {
    let digits = !to.is_empty() && to.bytes().all(|b| b.is_ascii_digit());
    if with_country {
        digits && (4..=15).contains(&to.len())
    } else {
        digits && (7..=15).contains(&to.len()) && !to.starts_with('0')
    }
}

fn check_from(from: Option<&str>, failures: &mut Vec<Value>) {
    let Some(from) = from.filter(|f| !f.is_empty()) else {
        failures.push(failure(
            "from",
            "FromEmpty",
            "from is not valid. No value was specified.",
        ));
        return;
    };
    let len = from.chars().count();
    if from.bytes().all(|b| b.is_ascii_digit()) {
        if len > 15 {
            failures.push(failure(
                "from",
                "FromExceedsMaxNumericLength",
                "A numeric from may have at most 15 digits.",
            ));
        } else if len < 2 {
            failures.push(failure(
                "from",
                "FromUnderMinTextLength",
                "from must have at least 2 characters.",
            ));
        }
        return;
    }
    if !from
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ' '))
    {
        failures.push(failure(
            "from",
            "FromContainsDisallowedCharacters",
            "An alphanumeric from may contain only 0-9 a-z A-Z - _ . and space.",
        ));
    } else if len > 11 {
        failures.push(failure(
            "from",
            "FromExceedsMaxTextLength",
            "An alphanumeric from may have at most 11 characters.",
        ));
    } else if len < 2 {
        failures.push(failure(
            "from",
            "FromUnderMinTextLength",
            "from must have at least 2 characters.",
        ));
    }
}

/// `POST /webapi/verify`.
pub(crate) fn send(shared: &Shared, req: &Req<'_>) -> Reply {
    let now = shared.now();
    if let Err(r) = admit(shared, req, now) {
        return r;
    }
    let obj = match serde_json::from_slice::<Value>(req.body) {
        Ok(Value::Object(o)) => o,
        _ => {
            return Reply::json(
                400,
                &json!([failure(
                    "",
                    "InvalidJson",
                    "The request body is not a JSON object."
                )]),
            );
        }
    };
    let mut failures = Vec::new();
    let to = string_prop(&obj, "to", &mut failures);
    let from = string_prop(&obj, "from", &mut failures);
    let country = string_prop(&obj, "countryIsoCode", &mut failures);
    let body = string_prop(&obj, "body", &mut failures);
    let valid_until = string_prop(&obj, "validUntil", &mut failures);

    let mut country_prefix = None;
    if let Some(c) = country {
        // Letters are matched without regard to case (`gbr` is `GBR`): the sandbox's choice,
        // the documentation shows only uppercase.
        if iso3166::is_alpha3(c) {
            country_prefix = DIALLING
                .iter()
                .find(|(iso, _)| iso.eq_ignore_ascii_case(c))
                .map(|(_, p)| *p);
        } else {
            failures.push(failure(
                "countryIsoCode",
                "CountryIsoCodeInvalid",
                "countryIsoCode must be an ISO 3166-1 alpha-3 country code.",
            ));
        }
    }
    let mut phone_number = String::new();
    match to {
        None | Some("") => failures.push(failure(
            "to",
            "ToEmpty",
            "to is not valid. No value was specified.",
        )),
        Some(t) if !to_ok(t, country.is_some()) => failures.push(failure(
            "to",
            "ToInvalid",
            "to is not a valid phone number.",
        )),
        Some(t) => {
            // A leading 0 with a country is the national trunk prefix: the country's
            // dialling code replaces it (when the sandbox knows the code).
            phone_number = match (t.strip_prefix('0'), country_prefix) {
                (Some(national), Some(p)) => format!("{p}{national}"),
                _ => t.to_owned(),
            };
        }
    }
    check_from(from, &mut failures);
    // The documented failure codes have none for a body without the placeholder;
    // `BodyInvalid` is the sandbox's own.
    if let Some(b) = body
        && !b.contains("{{code}}")
    {
        failures.push(failure(
            "body",
            "BodyInvalid",
            "body must contain the {{code}} placeholder.",
        ));
    }
    let mut until = now + shared.config.dotdigital_default_validity;
    if let Some(v) = valid_until {
        match humantime::parse_rfc3339_weak(v) {
            Err(_) => failures.push(failure(
                "validUntil",
                "InvalidJson",
                "validUntil must be a UTC ISO 8601 date time.",
            )),
            Ok(t) if t < now => failures.push(failure(
                "validUntil",
                "ValidUntilMinExceeded",
                "validUntil must not be in the past.",
            )),
            Ok(t) if t.duration_since(now).is_ok_and(|d| d > MAX_VALIDITY) => {
                failures.push(failure(
                    "validUntil",
                    "ValidUntilMaxExceeded",
                    "validUntil must be at most 30 minutes in the future.",
                ))
            }
            Ok(t) => until = t,
        }
    }
    if !failures.is_empty() {
        return Reply::json(400, &Value::Array(failures));
    }
    let keep = shared.dotdigital_keep();
    let mut g = shared.lock();
    let max = shared.config.max_verifications;
    if !g.per_number.try_record(
        &phone_number,
        now,
        shared.config.dotdigital_per_number_limit,
        max,
    ) {
        drop(g);
        return throttled();
    }
    let code = g.digits(6);
    let request_id = g.request_id();
    let minutes = until
        .duration_since(now)
        .map_or(0, |d| d.as_secs().div_ceil(60));
    let text = body
        .unwrap_or("Your verification code is {{code}}")
        .replace("{{code}}", &code)
        .replace("{{validMinutes}}", &minutes.to_string());
    g.dotdigital.insert(
        request_id.clone(),
        DotdigitalVerification {
            code: code.clone(),
            phone_number: phone_number.clone(),
            created: now,
            valid_until: until,
            wrong_attempts: 0,
        },
        now,
        keep,
        max,
    );
    // Fallbacks of Verify API processes due by now go out first: the outbox stays in time order.
    g.settle(now, shared.telesign_verify_keep());
    g.outbox.push(
        OutboxMessage {
            provider: SandboxProvider::Dotdigital,
            to: to.unwrap_or_default().to_owned(),
            sender: from.map(str::to_owned),
            text,
            code,
            verification_id: request_id.clone(),
            channel: Channel::Sms,
            at: now,
        },
        Some(&phone_number),
    );
    drop(g);
    Reply::json(
        202,
        &json!({
            "requestId": request_id,
            "phoneNumber": phone_number,
            "status": "CodeNotVerified",
            "numberStatus": "On",
            "created": ts(now),
        }),
    )
}

/// `PUT /WebApi/Verify/{requestId}/validate`.
pub(crate) fn validate(shared: &Shared, req: &Req<'_>, id: &str) -> Reply {
    let now = shared.now();
    if let Err(r) = admit(shared, req, now) {
        return r;
    }
    let code = match serde_json::from_slice::<Value>(req.body) {
        Ok(Value::Object(o)) => match prop(&o, "code") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => {
                return Reply::json(
                    400,
                    &json!([failure("code", "InvalidJson", "code is required.")]),
                );
            }
        },
        _ => {
            return Reply::json(
                400,
                &json!([failure(
                    "",
                    "InvalidJson",
                    "The request body is not a JSON object."
                )]),
            );
        }
    };
    let id_key = id.to_ascii_lowercase();
    let keep = shared.dotdigital_keep();
    let max_attempts = shared.config.max_attempts;
    let mut g = shared.lock();
    g.dotdigital.evict(now, keep);
    let Some(v) = g.dotdigital.map.get_mut(&id_key) else {
        return Reply::empty(204);
    };
    let (status, discard) = if now > v.valid_until {
        ("CodeExpired", true)
    } else if code.len() == v.code.len() && bool::from(code.as_bytes().ct_eq(v.code.as_bytes())) {
        ("CodeVerified", true)
    } else {
        v.wrong_attempts += 1;
        if v.wrong_attempts >= max_attempts {
            ("CodeLocked", true)
        } else {
            ("CodeNotVerified", false)
        }
    };
    let mut body = json!({
        "requestId": id_key,
        "phoneNumber": v.phone_number,
        "status": status,
        "numberStatus": "On",
        "created": ts(v.created),
    });
    if status == "CodeVerified" {
        body["verified"] = json!(ts(now));
    }
    if discard {
        g.dotdigital.map.remove(&id_key);
    }
    drop(g);
    Reply::json(200, &body)
}

#[cfg(test)]
mod tests {
    use super::DIALLING;
    use crate::iso3166::is_alpha3;

    #[test]
    fn dialling_table_uses_assigned_codes() {
        for (iso, prefix) in DIALLING {
            assert!(is_alpha3(iso), "{iso}");
            assert!(prefix.bytes().all(|b| b.is_ascii_digit()), "{prefix}");
        }
    }
}
