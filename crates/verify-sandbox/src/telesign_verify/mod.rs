//! The simulated TeleSign Verify API (`verify.telesign.com`, PROVIDERS.md §4): create,
//! retrieve and finalize a multi-channel verification process.
//!
//! Written from PROVIDERS.md §4 and docs/PROTOCOL-DECISIONS.md. Authentication is the
//! classic API's (Basic, or HMAC with the exact JSON text as the body line); errors are
//! `{"status":{"code":N,"description":"..."}}`.

pub(crate) mod process;
mod request;

use std::time::SystemTime;

use serde_json::{Value, json};

use crate::auth::AuthError;
use crate::reply::{Reply, Req};
use crate::state::Shared;
use crate::telesign::authenticate;

use process::Finalized;

/// Largest request body, in bytes ("10 KB"); a larger one is refused with HTTP 413 and
/// status 3116 before any other check.
pub(crate) const MAX_BODY: usize = 10 * 1024;

/// The documented description and HTTP status of a Verify API status code.
pub(crate) fn status_info(code: u16) -> (u16, &'static str) {
    match code {
        3000 => (200, "Delivered"),
        3001 | 3901 => (200, "Request in progress"),
        3900 => (200, "Verified"),
        3904 => (200, "Verification Failed"),
        3909 => (200, "Invalid code entered"),
        3101 => (400, "Invalid phone number"),
        3103 => (400, "Invalid external_id"),
        3110 => (400, "Invalid request"),
        3119 => (400, "Invalid email"),
        3302 => (400, "Missing phone number"),
        3309 => (400, "Missing email"),
        3911 => (400, "Verification process is already finished"),
        3072 => (400, "Blocked: risk score too high"),
        3400 => (401, "Not authorized"),
        3906 => (401, "Verify API not enabled"),
        3203 => (401, "Callback URL not enabled"),
        3116 => (413, "Payload too large"),
        3204 => (429, "Rate limit exceeded"),
        3500 => (503, "System unavailable"),
        3041 => (503, "Carrier temporarily rejected"),
        _ => (400, "Unknown status"),
    }
}

/// `{"status":{"code":N,"description":D}}` with HTTP `http`.
fn status_reply(http: u16, code: u16, description: &str) -> Reply {
    Reply::json(
        http,
        &json!({"status": {"code": code, "description": description}}),
    )
}

/// A status code answered with its documented HTTP status and description (also what the
/// `telesign_status` fault answers for a code in 3000..=3999); 429 carries `Retry-After`.
pub(crate) fn documented(code: u16) -> Reply {
    let (http, description) = status_info(code);
    let mut r = status_reply(http, code, description);
    if http == 429 {
        r.retry_after = Some(1);
    }
    r
}

/// HTTP 413, status 3116.
pub(crate) fn too_large() -> Reply {
    documented(3116)
}

/// HTTP 401, status 3400, the description naming what failed (as the classic API's
/// -300xx description says it).
pub(crate) fn unauthorized(e: AuthError) -> Reply {
    status_reply(401, 3400, &format!("Not authorized: {}", e.description()))
}

fn not_found() -> Reply {
    status_reply(404, 3110, "Invalid reference_id")
}

fn refused(r: request::Refusal) -> Reply {
    status_reply(400, r.code, &r.description)
}

/// `%XX` decoded (no `+` to space: the Python SDK's query is percent-encoded JSON).
fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let hex = |j: usize| b.get(j).and_then(|h| char::from(*h).to_digit(16));
        match (c, hex(i + 1), hex(i + 2)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push(u8::try_from(hi * 16 + lo).unwrap_or(b'?'));
                i += 3;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// Authenticates the request and counts it against the Verify API's rate window.
///
/// TeleSign's Python SDK 4.1 finalizes with HMAC by signing the JSON as the body line
/// and then sending it percent-encoded in the query string with an empty body. When the
/// body is empty, the request has a content type and a query, and the signature does not
/// cover the empty body, the decoded query is tried as the signed body, so that request is
/// authenticated and then refused for what it is: a finalize without a body (400/3110).
fn admit(shared: &Shared, req: &Req<'_>, now: SystemTime) -> Result<(), Reply> {
    let has_content_type = req.header("content-type").is_some_and(|c| !c.is_empty());
    let query_as_body = req
        .query
        .filter(|q| req.body.is_empty() && has_content_type && !q.is_empty())
        .map(percent_decode);
    authenticate(shared, req, query_as_body.as_deref()).map_err(unauthorized)?;
    if !shared
        .lock()
        .telesign_verify_rate
        .admit(now, shared.config.telesign_rate_limit)
    {
        return Err(documented(3204));
    }
    Ok(())
}

/// Refuses a body that is not declared as JSON (`Content-Type: application/json`).
fn json_declared(req: &Req<'_>) -> Result<(), Reply> {
    if request::is_json_content_type(req.header("content-type")) {
        Ok(())
    } else {
        Err(status_reply(
            400,
            3110,
            "Invalid request: Content-Type must be application/json",
        ))
    }
}

fn valid_reference_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `POST /verification`.
pub(crate) fn create(shared: &Shared, req: &Req<'_>) -> Reply {
    let now = shared.now();
    if let Err(r) = admit(shared, req, now) {
        return r;
    }
    if let Err(r) = json_declared(req) {
        return r;
    }
    let new = match request::create(req.body) {
        Ok(n) => n,
        Err(e) => return refused(e),
    };
    let c = &shared.config;
    let keep = shared.telesign_verify_keep();
    let mut g = shared.lock();
    g.settle(now, keep);
    let id = g.reference_id();
    let code = match &new.security_factor {
        Some(s) => s.clone(),
        None => g.digits(6),
    };
    let inner = &mut *g;
    let answer = inner.telesign_verify.create(
        id,
        new,
        code,
        now,
        c.telesign_verify_code_ttl,
        keep,
        c.max_verifications,
        &mut inner.outbox,
    );
    drop(g);
    Reply::json(200, &answer)
}

/// `GET /verification/{reference_id}`. Query parameters are ignored (and not signed).
pub(crate) fn retrieve(shared: &Shared, req: &Req<'_>, id: &str) -> Reply {
    let now = shared.now();
    if let Err(r) = admit(shared, req, now) {
        return r;
    }
    if !valid_reference_id(id) {
        return not_found();
    }
    let keep = shared.telesign_verify_keep();
    let mut g = shared.lock();
    g.settle(now, keep);
    let body: Option<Value> = g
        .telesign_verify
        .store
        .map
        .get(id)
        .map(|p| p.retrieve_json(id));
    drop(g);
    match body {
        Some(b) => Reply::json(200, &b),
        None => not_found(),
    }
}

/// `PATCH /verification/{reference_id}/state` with `{"action":"finalize","security_factor":"…"}`.
pub(crate) fn finalize(shared: &Shared, req: &Req<'_>, id: &str) -> Reply {
    let now = shared.now();
    if let Err(r) = admit(shared, req, now) {
        return r;
    }
    if let Err(r) = json_declared(req) {
        return r;
    }
    let typed = match request::finalize(req.body) {
        Ok(t) => t,
        Err(e) => return refused(e),
    };
    if !valid_reference_id(id) {
        return not_found();
    }
    let keep = shared.telesign_verify_keep();
    let mut g = shared.lock();
    // An expired code has already failed its process here (settle stamps the expiry).
    g.settle(now, keep);
    let Some(p) = g.telesign_verify.store.map.get_mut(id) else {
        return not_found();
    };
    if p.state.is_final() {
        return documented(3911);
    }
    let code = match p.finalize(&typed, now) {
        Finalized::Verified => 3900,
        Finalized::WrongCode => 3904,
        Finalized::Rejected => 3909,
    };
    drop(g);
    documented(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding_restores_the_sdks_json() {
        let q = "%7B%22action%22:%20%22finalize%22,%20%22security_factor%22:%20%22123456%22%7D";
        assert_eq!(
            percent_decode(q),
            br#"{"action": "finalize", "security_factor": "123456"}"#
        );
        assert_eq!(percent_decode("a+b%2"), b"a+b%2");
        assert_eq!(percent_decode("%zz%4"), b"%zz%4");
        assert_eq!(percent_decode("%e2%82%ac"), "€".as_bytes());
    }

    #[test]
    fn every_documented_code_has_its_http_status() {
        for (code, http) in [
            (3901, 200),
            (3900, 200),
            (3904, 200),
            (3909, 200),
            (3101, 400),
            (3103, 400),
            (3110, 400),
            (3119, 400),
            (3302, 400),
            (3309, 400),
            (3911, 400),
            (3400, 401),
            (3906, 401),
            (3203, 401),
            (3116, 413),
            (3204, 429),
            (3500, 503),
            (3041, 503),
        ] {
            assert_eq!(status_info(code).0, http, "{code}");
        }
        assert_eq!(documented(3204).retry_after, Some(1));
    }
}
