//! The Verify API's callbacks: the same shape as a retrieve's answer (only
//! `state` is guaranteed), authenticated exactly like TeleSign's classic
//! callbacks.
//!
//! **Replays.** As with the classic callbacks, the signature covers the
//! body only: an authentic callback can be sent again and still verifies.
//! Act on one at most once: deduplicate by `reference_id` and `state`.

use super::response::{self, Verification};
use crate::telesign::Credentials;
use crate::telesign::callback::{CallbackRejection, verify_signature};
use crate::text::Excerpt;

/// Reads a callback body that is already authenticated (see
/// [`verify_signature`]).
pub fn parse_report(body: &[u8]) -> Result<Verification, CallbackRejection> {
    let malformed = |reason: String| CallbackRejection::MalformedBody {
        reason,
        excerpt: Excerpt::new(body),
    };
    let answer = response::parse_body(body).map_err(malformed)?;
    response::verification(answer, None).map_err(|r| malformed(r.to_owned()))
}

/// Authenticates a callback request on its raw body, then reads it.
///
/// ```
/// use verify_core::telesign::Credentials;
/// use verify_core::telesign::callback::CallbackRejection;
/// use verify_core::telesign_verify::callback::parse_callback;
/// let creds = Credentials::new("FFFFFFFF-EEEE-DDDD-1234-AB1234567890", "VGVzdCBLZXk=").unwrap();
/// let request = http::Request::post("/callback").body(&b"{}"[..]).unwrap();
/// assert_eq!(parse_callback(&creds, &request).unwrap_err(), CallbackRejection::MissingSignature);
/// ```
pub fn parse_callback(
    credentials: &Credentials,
    request: &http::Request<&[u8]>,
) -> Result<Verification, CallbackRejection> {
    verify_signature(credentials, request.headers(), request.body())?;
    parse_report(request.body())
}
