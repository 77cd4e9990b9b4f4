//! Delivery-report callbacks: TeleSign POSTs the transaction's JSON to your
//! URL, signed with `base64(HMAC-SHA256(base64decode(api_key), raw_body))`.
//!
//! Authenticating ([`verify_signature`]) and reading ([`parse_callback`])
//! are separate steps: the signature covers the raw bytes, whatever they are.
//!
//! **Replays.** The signature covers the body only: no date, no nonce. An
//! authentic callback captured once (a log, a proxy) can be sent again, as
//! often as anyone likes, and it still verifies; TeleSign itself may
//! deliver one report more than once. Act on a report at most once:
//! deduplicate by `reference_id` and `status.code` (a report that repeats
//! both tells nothing new). [`parse_callback_within`] also refuses a report
//! whose `submit_timestamp` is further than a given age from the current
//! time, which the caller gives (the core reads no clock): it bounds how
//! long a captured report stays usable, and does not replace deduplication.

use std::fmt;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use subtle::ConstantTimeEq;

use super::response::{Body, Status, StatusAnswer, VerifyAnswer, VerifyInfo, parse_body};
use super::{ApiError, Credentials, ReferenceId, signing};
use crate::MAX_BODY_BYTES;
use crate::text::Excerpt;

/// The alternative header TeleSign may carry the signature in.
pub const X_TS_AUTHORIZATION: &str = "x-ts-authorization";

/// A delivery report, authenticated and parsed.
#[derive(Clone, Debug)]
pub struct DeliveryReport {
    /// `reference_id`: the transaction this report is about.
    pub reference_id: ReferenceId,
    /// `status`: the delivery status.
    pub status: Option<Status>,
    /// `verify`, when present.
    pub verify: Option<VerifyInfo>,
    /// `submit_timestamp`: an ISO 8601 timestamp as sent; anything else is
    /// masked like every text from the provider.
    pub submit_timestamp: Option<String>,
    /// `errors`.
    pub errors: Vec<ApiError>,
    /// `resource_uri`, with digit runs masked (provider text).
    pub resource_uri: Option<String>,
    /// `sub_resource`, with digit runs masked (provider text).
    pub sub_resource: Option<String>,
    /// `additional_info`, kept as JSON with its strings and long numbers
    /// masked.
    pub additional_info: Option<serde_json::Value>,
}

/// Why a callback was refused. Answer it with 401 (signature problems) or
/// 400 (body problems); never act on it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackRejection {
    /// Neither `Authorization` nor `X-TS-Authorization` is present.
    #[error("callback refused: no Authorization or X-TS-Authorization header")]
    MissingSignature,
    /// The header is not `TSA {customer_id}:{signature}` nor a bare base64
    /// signature.
    #[error("callback refused: malformed signature header")]
    MalformedHeader,
    /// The header names another customer id.
    #[error("callback refused: the signature header names another customer id")]
    CustomerIdMismatch,
    /// The signature does not match the body.
    #[error("callback refused: bad signature")]
    BadSignature,
    /// The account's API key is not base64, so no HMAC signature can be
    /// checked with it.
    #[error("callback refused: the API key is not base64, so no signature can be checked")]
    KeyNotBase64,
    /// The signature is good, but `submit_timestamp` is missing, unreadable,
    /// or further from the current time than the age allowed
    /// ([`parse_callback_within`]): a stale or replayed report.
    #[error("callback refused: submit_timestamp is missing, unreadable or too far from now")]
    Stale,
    /// The signature is good but the body is not the documented JSON.
    #[error("callback refused: {reason}; body starts: {excerpt:?}")]
    MalformedBody {
        /// Why the body was not understood.
        reason: String,
        /// The start of the body, made safe to print.
        excerpt: Excerpt,
    },
}

/// Checks a callback's signature over its raw `body`, in constant time.
///
/// Accepts the signature in `Authorization` or `X-TS-Authorization`, as
/// `TSA {customer_id}:{signature}` or as the bare signature. A body longer
/// than [`MAX_BODY_BYTES`] is refused without computing anything.
pub fn verify_signature(
    credentials: &Credentials,
    headers: &http::HeaderMap,
    body: &[u8],
) -> Result<(), CallbackRejection> {
    let candidates = [
        headers.get(http::header::AUTHORIZATION),
        headers.get(X_TS_AUTHORIZATION),
    ];
    if candidates.iter().all(Option::is_none) {
        return Err(CallbackRejection::MissingSignature);
    }
    if body.len() > MAX_BODY_BYTES {
        return Err(too_large(body));
    }
    let Some(expected) = signing::credentials_hmac(credentials, body) else {
        return Err(CallbackRejection::KeyNotBase64);
    };
    let mut first_error = None;
    for value in candidates.into_iter().flatten() {
        match check_header(credentials, value, &expected) {
            Ok(()) => return Ok(()),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or(CallbackRejection::MissingSignature))
}

fn check_header(
    credentials: &Credentials,
    value: &http::HeaderValue,
    expected: &[u8; 32],
) -> Result<(), CallbackRejection> {
    let text = value
        .to_str()
        .map_err(|_| CallbackRejection::MalformedHeader)?
        .trim();
    let signature = match text.get(..4) {
        Some(scheme) if scheme.eq_ignore_ascii_case("TSA ") => {
            let rest = text.get(4..).unwrap_or("").trim_start();
            let (customer_id, signature) = rest
                .rsplit_once(':')
                .ok_or(CallbackRejection::MalformedHeader)?;
            if customer_id != credentials.customer_id() {
                return Err(CallbackRejection::CustomerIdMismatch);
            }
            signature
        }
        _ => text,
    };
    if signature.is_empty() || signature.contains([':', ' ']) {
        return Err(CallbackRejection::MalformedHeader);
    }
    let decoded = STANDARD
        .decode(signature)
        .map_err(|_| CallbackRejection::MalformedHeader)?;
    // `ct_eq` on slices of different lengths is false, without a shortcut on
    // the contents.
    if bool::from(decoded.as_slice().ct_eq(expected.as_slice())) {
        Ok(())
    } else {
        Err(CallbackRejection::BadSignature)
    }
}

fn too_large(body: &[u8]) -> CallbackRejection {
    CallbackRejection::MalformedBody {
        reason: crate::error::body_too_large(),
        excerpt: Excerpt::new(body),
    }
}

/// Reads a callback body that is already authenticated (see
/// [`verify_signature`]).
pub fn parse_report(body: &[u8]) -> Result<DeliveryReport, CallbackRejection> {
    let malformed = |reason: String| CallbackRejection::MalformedBody {
        reason,
        excerpt: Excerpt::new(body),
    };
    let mut parsed = parse_body(body).map_err(malformed)?;
    let reference_id = parsed
        .checked_reference_id()
        .map_err(|r| malformed(r.to_owned()))?
        .ok_or_else(|| malformed("no reference_id".to_owned()))?;
    Ok(DeliveryReport {
        reference_id,
        submit_timestamp: Body::timestamp(parsed.submit_timestamp.as_ref()),
        resource_uri: Body::text(parsed.resource_uri.as_ref()),
        sub_resource: Body::text(parsed.sub_resource.as_ref()),
        additional_info: parsed.additional_info(),
        status: parsed.status.map(StatusAnswer::into_status),
        verify: parsed.verify.map(VerifyAnswer::into_info),
        errors: parsed.errors,
    })
}

/// Authenticates a callback request, then reads its body.
///
/// ```
/// use verify_core::telesign::Credentials;
/// use verify_core::telesign::callback::{parse_callback, CallbackRejection};
/// let creds = Credentials::new("FFFFFFFF-EEEE-DDDD-1234-AB1234567890", "VGVzdCBLZXk=").unwrap();
/// let request = http::Request::post("/callback").body(&b"{}"[..]).unwrap();
/// assert_eq!(parse_callback(&creds, &request).unwrap_err(), CallbackRejection::MissingSignature);
/// ```
pub fn parse_callback(
    credentials: &Credentials,
    request: &http::Request<&[u8]>,
) -> Result<DeliveryReport, CallbackRejection> {
    verify_signature(credentials, request.headers(), request.body())?;
    parse_report(request.body())
}

/// Authenticates and reads a callback as [`parse_callback`] does, and
/// refuses as [`CallbackRejection::Stale`] a report whose `submit_timestamp`
/// is more than `max_age` away from `now` (either way: a clock ahead is as
/// suspect as a report behind), or is missing or unreadable. `now` is the
/// current time, from the caller's clock. Still deduplicate what passes
/// (see the module docs).
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use verify_core::telesign::Credentials;
/// use verify_core::telesign::callback::{parse_callback_within, CallbackRejection};
/// let creds = Credentials::new("FFFFFFFF-EEEE-DDDD-1234-AB1234567890", "VGVzdCBLZXk=").unwrap();
/// let request = http::Request::post("/callback").body(&b"{}"[..]).unwrap();
/// let refused = parse_callback_within(&creds, &request, SystemTime::now(), Duration::from_secs(600));
/// assert_eq!(refused.unwrap_err(), CallbackRejection::MissingSignature);
/// ```
pub fn parse_callback_within(
    credentials: &Credentials,
    request: &http::Request<&[u8]>,
    now: SystemTime,
    max_age: Duration,
) -> Result<DeliveryReport, CallbackRejection> {
    let report = parse_callback(credentials, request)?;
    let submitted = report
        .submit_timestamp
        .as_deref()
        .and_then(crate::text::provider_time)
        .ok_or(CallbackRejection::Stale)?;
    let distance = match now.duration_since(submitted) {
        Ok(age) => age,
        Err(ahead) => ahead.duration(),
    };
    if distance > max_age {
        return Err(CallbackRejection::Stale);
    }
    Ok(report)
}

impl fmt::Display for DeliveryReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "delivery report for {}", self.reference_id)?;
        if let Some(s) = &self.status {
            write!(f, ": {}", s.code)?;
        }
        Ok(())
    }
}
