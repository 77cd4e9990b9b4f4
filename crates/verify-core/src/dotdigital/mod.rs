//! dotdigital CPaaS Verify: create and send a code, validate it.
//!
//! Specification: dotdigital's CPaaS Verify API, as `docs/PROTOCOL-DECISIONS.md`
//! reads it where dotdigital leaves room.
//!
//! [`SendCode`] creates a code and sends it (`POST /webapi/verify`);
//! [`ValidateCode`] checks the code the user typed
//! (`PUT /WebApi/Verify/{requestId}/validate`). Both are [`Operation`]s:
//! build the request with `to_request`, add the Basic `Authorization` header
//! with [`Config::authorize`], send it, and read the answer with
//! `parse_response`.
//!
//! [`Operation`]: crate::Operation

mod config;
mod country;
mod error;
mod request;
mod request_id;
mod response;
mod send_code;
mod validate_code;

pub use config::{ALTERNATE_BASE_URL, Config, Credentials, DEFAULT_BASE_URL};
pub use country::{ISO_3166_ALPHA3, is_iso_3166_alpha3};
pub use error::{DotdigitalError, DotdigitalErrorKind, ValidationFailure};
pub use request_id::RequestId;
pub use response::{CodeStatus, FailureCode, NumberStatus, VerifyCode};
pub use send_code::{CODE_PLACEHOLDER, MAX_VALIDITY, SendCode};
pub use validate_code::{MAX_CODE_CHARS, ValidateCode, ValidateOutcome};
