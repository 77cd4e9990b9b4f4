//! The simulated TeleSign Verify API.

use std::net::IpAddr;
use std::time::SystemTime;

use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use crate::auth::{AuthError, SignedParts, Verified};
use crate::outbox::{Channel, OutboxMessage, SandboxProvider};
use crate::reply::{Reply, Req};
use crate::state::{Shared, TeleSignVerification};

const UCIDS: [&str; 14] = [
    "ATCK", "BACF", "BACS", "CHBK", "CLDR", "LEAD", "OTHR", "PWRT", "RESV", "RXPF", "SHIP", "THEF",
    "TRVF", "UNKN",
];

/// The documented description of a TeleSign status code.
/// The longest `tts_message`, in characters (docs/PROTOCOL-DECISIONS.md,
/// "TeleSign").
pub const TTS_MESSAGE_MAX: usize = 1600;

pub(crate) fn status_description(code: u16) -> &'static str {
    match code {
        200 => "Delivered to handset",
        203 => "Delivered to gateway",
        207 => "Error delivering SMS to handset (reason unknown)",
        210 => "Temporary phone error",
        211 => "Permanent phone error",
        220 => "Gateway/network cannot route message",
        221 => "Message expired before delivery",
        222 => "SMS not supported",
        229 => "Message blocked by your request",
        230 => "Message blocked by TeleSign",
        231 => "Invalid/unsupported",
        233 => "Message blocked due to high risk score",
        250 => "Final status unknown",
        251 => {
            "Message successfully sent out for delivery, however final confirmation of delivery to handset was not received."
        }
        290 => "Message in progress",
        291 => "Queued by TeleSign",
        292 => "Queued by gateway",
        295 => "Status delayed",
        500 => "Transaction not attempted",
        501 => "Not authorized",
        502 => "Campaign error",
        503 => "Carrier rejected - temporary problem",
        504 => "Carrier rejected - permanent error",
        505 => "Error on gateway - temporary error",
        506 => "Error on gateway - permanent error",
        507 => "Invalid destination address",
        508 => "Invalid source address",
        509 => "Parameters problem",
        510 => "Message blocked by subscriber action or request",
        511 => "Subscriber low on credit",
        512 => "Roaming error",
        513 => "Mobile number portability error",
        514 => "Subscriber absent",
        515 => "Suspected spam",
        517 => "Selected DLT details for India not supported",
        518 => "Message blocked due to high risk SIM swap indicator.",
        519 => "Message not sent - requested SIM swap check could not be performed.",
        599 => "Status not available",
        1900 => "Verification completed",
        _ => "Unknown status",
    }
}

fn ts(t: SystemTime) -> String {
    humantime::format_rfc3339_micros(t).to_string()
}

fn status_obj(code: u16, at: SystemTime) -> Value {
    json!({"code": code, "description": status_description(code), "updated_on": ts(at)})
}

/// A failure answer: `status.code` and the errors.
pub(crate) fn error_reply(
    http: u16,
    status: u16,
    errors: &[(i64, String)],
    reference_id: Option<&str>,
    at: SystemTime,
) -> Reply {
    let errors: Vec<Value> = errors
        .iter()
        .map(|(c, d)| json!({"code": c, "description": d}))
        .collect();
    let mut body = json!({"status": status_obj(status, at), "errors": errors});
    if let Some(id) = reference_id {
        body["reference_id"] = json!(id);
    }
    Reply::json(http, &body)
}

pub(crate) fn system_unavailable(at: SystemTime) -> Reply {
    error_reply(
        503,
        500,
        &[(-90001, "System Unavailable, please try again later.".into())],
        None,
        at,
    )
}

pub(crate) fn auth_reply(e: AuthError, at: SystemTime) -> Reply {
    error_reply(
        401,
        e.status_code(),
        &[(e.code(), e.description().into())],
        None,
        at,
    )
}

fn not_found(id: &str, at: SystemTime) -> Reply {
    error_reply(
        404,
        500,
        &[(
            -10001,
            format!("Invalid Request: reference_id Parameter: {id}"),
        )],
        None,
        at,
    )
}

/// Authenticates the request and counts it against the account's rate limit.
///
/// `now` is the sandbox clock (rate window, timestamps in the answer). The HMAC `Date` and
/// the nonce window are judged by the system clock instead: clients sign with the system
/// time, so advancing a manual clock (to expire codes) must not make their signatures stale,
/// and a nonce is remembered for as long as its `Date` would still be accepted.
pub(crate) fn admit(shared: &Shared, req: &Req<'_>, now: SystemTime) -> Result<(), Reply> {
    authenticate(shared, req, None).map_err(|e| auth_reply(e, now))?;
    let mut g = shared.lock();
    if !g
        .telesign_rate
        .admit(now, shared.config.telesign_rate_limit)
    {
        let mut r = error_reply(
            429,
            500,
            &[(-40007, "Rate Limit Exceeded".into())],
            None,
            now,
        );
        r.retry_after = Some(1);
        return Err(r);
    }
    Ok(())
}

/// Checks TeleSign Basic or HMAC authentication, and the nonce of an HMAC request
/// against the replay cache (by the system clock, which clients sign with).
///
/// `signed_body`, when given, is tried as the string-to-sign's body line after the request's
/// own body failed to verify (the Verify API's allowance for an SDK that signs a body it
/// then sends elsewhere); the nonce is only recorded once a signature checked out.
pub(crate) fn authenticate(
    shared: &Shared,
    req: &Req<'_>,
    signed_body: Option<&[u8]>,
) -> Result<(), AuthError> {
    let signing_now = SystemTime::now();
    let parts = |body| SignedParts {
        method: req.method,
        path: req.path,
        authorization: req.header("authorization"),
        content_type: req.header("content-type"),
        date: req.header("date"),
        x_ts_date: req.header("x-ts-date"),
        auth_method: req.header("x-ts-auth-method"),
        nonce: req.header("x-ts-nonce"),
        body,
    };
    let verified = match (
        shared.telesign.verify(&parts(req.body), signing_now),
        signed_body,
    ) {
        (Err(AuthError::InvalidSignature), Some(other)) => {
            shared.telesign.verify(&parts(other), signing_now)
        }
        (result, _) => result,
    }?;
    if let Verified::Hmac { nonce } = verified
        && !shared.lock().nonces.check_and_insert(nonce, signing_now)
    {
        return Err(AuthError::NonceReused);
    }
    Ok(())
}

fn invalid(name: &str, value: &str) -> (i64, String) {
    if value.is_empty() {
        // Seed 002's form without a value, for a parameter given empty.
        return (-10001, format!("Invalid Request: {name} Parameter"));
    }
    (
        -10001,
        format!("Invalid Request: {name} Parameter: {value}"),
    )
}

/// Like [`invalid`], for a phone number or a code: every digit but the last two is
/// replaced by `*`, so an answer (and a log of it) never carries the whole value.
fn invalid_masked(name: &str, value: &str) -> (i64, String) {
    invalid(name, &mask_digits(value))
}

/// `value` with every ASCII digit but the last two replaced by `*`.
pub(crate) fn mask_digits(value: &str) -> String {
    let digits = value.bytes().filter(u8::is_ascii_digit).count();
    let mut seen = 0;
    value
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                seen += 1;
                if seen + 2 <= digits { '*' } else { c }
            } else {
                c
            }
        })
        .collect()
}

/// A phone number TeleSign can route: 7 to 15 digits (E.164), country code first, so
/// never a leading 0 (a national number).
pub(crate) fn phone_number_ok(p: &str) -> bool {
    p.bytes().all(|b| b.is_ascii_digit()) && (7..=15).contains(&p.len()) && !p.starts_with('0')
}

/// A code the user typed or the caller chose: 3 to 7 digits.
fn code_ok(c: &str) -> bool {
    c.bytes().all(|b| b.is_ascii_digit()) && (3..=7).contains(&c.len())
}

fn missing(name: &str) -> (i64, String) {
    (
        -10001,
        format!("Invalid Request: Missing Parameter: {name}"),
    )
}

/// Form fields, first occurrence wins.
struct Form(Vec<(String, String)>);

impl Form {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `POST /v1/verify/sms` and `/v1/verify/call`. `fault_status` (502..=599) replaces the
/// successful answer's status code: the carrier was attempted and failed.
pub(crate) fn send(
    shared: &Shared,
    req: &Req<'_>,
    voice: bool,
    fault_status: Option<u16>,
) -> Reply {
    let now = shared.now();
    if let Err(r) = admit(shared, req, now) {
        return r;
    }
    let Ok(form) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(req.body) else {
        return error_reply(400, 500, &[(-40006, "Bad request".into())], None, now);
    };
    let form = Form(form);
    let mut errors = Vec::new();
    match form.get("phone_number") {
        None | Some("") => errors.push(missing("phone_number")),
        Some(p) if !phone_number_ok(p) => errors.push(invalid_masked("phone_number", p)),
        Some(_) => {}
    }
    if let Some(u) = form.get("ucid")
        && !UCIDS.contains(&u)
    {
        errors.push(invalid("ucid", u));
    }
    if let Some(ip) = form.get("originating_ip")
        && ip.parse::<IpAddr>().is_err()
    {
        errors.push(invalid("originating_ip", ip));
    }
    if let Some(c) = form.get("verify_code")
        && !code_ok(c)
    {
        errors.push(invalid_masked("verify_code", c));
    }
    let template_name = if voice { "tts_message" } else { "template" };
    // docs/PROTOCOL-DECISIONS.md, "TeleSign": a spoken `tts_message` is at most
    // TTS_MESSAGE_MAX characters, whatever the account's SMS template limit.
    let max_len = if voice {
        TTS_MESSAGE_MAX
    } else {
        shared.config.telesign_template_max_len
    };
    if let Some(t) = form.get(template_name)
        && (!t.contains("$$CODE$$") || t.chars().count() > max_len)
    {
        errors.push(invalid(template_name, t));
    }
    if !voice {
        for (name, max) in [
            ("sender_id", 20),
            ("dlt_template_id", 40),
            ("dlt_entity_id", 40),
            ("transaction_amount", 40),
            ("transaction_payee", 40),
        ] {
            // Present but empty is as wrong as too long (the core refuses both before sending).
            if let Some(v) = form.get(name)
                && (v.is_empty() || v.chars().count() > max)
            {
                errors.push(invalid(name, v));
            }
        }
        match (
            form.get("transaction_amount"),
            form.get("transaction_payee"),
        ) {
            (Some(_), None) => errors.push(missing("transaction_payee")),
            (None, Some(_)) => errors.push(missing("transaction_amount")),
            _ => {}
        }
        if let Some(v) = form.get("sim_swap_check")
            && !matches!(v, "true" | "false")
        {
            errors.push(invalid("sim_swap_check", v));
        }
    }
    if let Some(v) = form.get("is_primary")
        && !matches!(v, "true" | "false")
    {
        errors.push(invalid("is_primary", v));
    }
    let mut g = shared.lock();
    let reference_id = g.reference_id();
    if !errors.is_empty() {
        drop(g);
        return error_reply(400, 500, &errors, Some(&reference_id), now);
    }
    let phone = form.get("phone_number").unwrap_or_default().to_owned();
    let code = match form.get("verify_code") {
        Some(c) => c.to_owned(),
        None => g.digits(7),
    };
    let text = match form.get(template_name) {
        Some(t) => t
            .replace("$$CODE$$", &code)
            .replace(
                "$$AMOUNT$$",
                form.get("transaction_amount").unwrap_or_default(),
            )
            .replace(
                "$$PAYEE$$",
                form.get("transaction_payee").unwrap_or_default(),
            ),
        None if voice => {
            let spaced: Vec<String> = code.chars().map(String::from).collect();
            format!("Your code is {}", spaced.join(", "))
        }
        None => format!("Your code is {code}"),
    };
    let channel = if voice { "call" } else { "sms" };
    let delivery_status = fault_status.unwrap_or(200);
    let (keep, max) = (shared.telesign_keep(), shared.config.max_verifications);
    g.telesign.insert(
        reference_id.clone(),
        TeleSignVerification {
            code: code.clone(),
            created: now,
            wrong_attempts: 0,
            verified: false,
            channel,
            delivery_status,
        },
        now,
        keep,
        max,
    );
    // Fallbacks of Verify API processes due by now go out first: the outbox stays in time order.
    g.settle(now, shared.telesign_verify_keep());
    g.outbox.push(
        OutboxMessage {
            provider: SandboxProvider::Telesign,
            to: phone,
            sender: if voice {
                None
            } else {
                form.get("sender_id").map(str::to_owned)
            },
            text,
            code,
            verification_id: reference_id.clone(),
            channel: if voice { Channel::Voice } else { Channel::Sms },
            at: now,
        },
        None,
    );
    drop(g);
    let status = fault_status.unwrap_or(290);
    Reply::json(
        200,
        &json!({
            "reference_id": reference_id,
            "resource_uri": format!("/v1/verify/{reference_id}"),
            "sub_resource": channel,
            "errors": [],
            "status": status_obj(status, now),
            "verify": {"code_state": "UNKNOWN", "code_entered": ""},
        }),
    )
}

fn valid_reference_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `GET /v1/verify/{reference_id}[?verify_code=N]`.
pub(crate) fn status(shared: &Shared, req: &Req<'_>, id: &str, fault_status: Option<u16>) -> Reply {
    let now = shared.now();
    if let Err(r) = admit(shared, req, now) {
        return r;
    }
    let entered = req
        .query
        .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
        .and_then(|q| {
            q.into_iter()
                .find(|(k, _)| k == "verify_code")
                .map(|(_, v)| v)
        });
    if !valid_reference_id(id) {
        return not_found(id, now);
    }
    // A code that cannot be one (not 3 to 7 digits, or empty) is a parameter error: it is
    // refused before the verification is looked at, so it uses up no attempt.
    if let Some(c) = &entered
        && !code_ok(c)
    {
        return error_reply(400, 500, &[invalid_masked("verify_code", c)], Some(id), now);
    }
    let keep = shared.telesign_keep();
    let ttl = shared.config.telesign_code_ttl;
    let max_attempts = shared.config.max_attempts;
    let mut g = shared.lock();
    g.telesign.evict(now, keep);
    let Some(v) = g.telesign.map.get_mut(id) else {
        drop(g);
        return not_found(id, now);
    };
    // docs/PROTOCOL-DECISIONS.md: once VALID, the right code stays VALID (until it expires)
    // and a wrong one is INVALID without counting: a verified transaction never locks.
    let code_state = match &entered {
        None => "UNKNOWN",
        Some(_) if !v.verified && v.wrong_attempts >= max_attempts => "MAX_ATTEMPTS_EXCEEDED",
        Some(_) if now.duration_since(v.created).is_ok_and(|age| age > ttl) => "EXPIRED",
        Some(c) if c.len() == v.code.len() && bool::from(c.as_bytes().ct_eq(v.code.as_bytes())) => {
            v.verified = true;
            "VALID"
        }
        Some(_) if v.verified => "INVALID",
        Some(_) => {
            v.wrong_attempts = v.wrong_attempts.saturating_add(1);
            if v.wrong_attempts >= max_attempts {
                "MAX_ATTEMPTS_EXCEEDED"
            } else {
                "INVALID"
            }
        }
    };
    let sub_resource = v.channel;
    let delivery = fault_status.unwrap_or(v.delivery_status);
    drop(g);
    Reply::json(
        200,
        &json!({
            "reference_id": id,
            "resource_uri": format!("/v1/verify/{id}"),
            "sub_resource": sub_resource,
            "errors": [],
            "status": status_obj(delivery, now),
            "verify": {"code_state": code_state, "code_entered": entered.unwrap_or_default()},
        }),
    )
}

/// `PUT /v1/verify/completion/{reference_id}`.
pub(crate) fn completion(
    shared: &Shared,
    req: &Req<'_>,
    id: &str,
    fault_status: Option<u16>,
) -> Reply {
    let now = shared.now();
    if let Err(r) = admit(shared, req, now) {
        return r;
    }
    let known = valid_reference_id(id) && {
        let keep = shared.telesign_keep();
        let mut g = shared.lock();
        g.telesign.evict(now, keep);
        g.telesign.map.contains_key(id)
    };
    if !known {
        return not_found(id, now);
    }
    Reply::json(
        200,
        &json!({
            "reference_id": id,
            "resource_uri": format!("/v1/verify/completion/{id}"),
            "sub_resource": "completion",
            "errors": [],
            "status": status_obj(fault_status.unwrap_or(1900), now),
        }),
    )
}
