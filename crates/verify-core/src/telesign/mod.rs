//! TeleSign Verify: send an SMS or voice code, check it, complete it, and
//! read delivery-report callbacks.
//!
//! Specification: TeleSign's Verify API, as `docs/PROTOCOL-DECISIONS.md`
//! reads it where TeleSign leaves room.

pub mod callback;
mod check_code;
mod codes;
mod complete;
mod config;
mod error;
mod get_status;
mod reference_id;
mod request;
mod response;
mod send_call;
mod send_sms;
pub mod signing;
mod ucid;

pub use check_code::{CheckCode, CodeCheck};
pub use codes::{CodeState, ErrorCode, StatusCode};
pub use complete::Complete;
pub use config::{Config, Credentials, DEFAULT_BASE_URL};
pub(crate) use config::{authorize as authorize_request, check as check_signing};
pub use error::{ApiError, TeleSignError};
pub use get_status::GetStatus;
pub use reference_id::ReferenceId;
pub use response::{Completed, Sent, Status, StatusReport, VerifyInfo};
pub use send_call::{SendCall, TTS_MESSAGE_MAX};
pub use send_sms::{CODE_PLACEHOLDER, SendSms, TEMPLATE_DEFAULT_MAX, TEMPLATE_LIMIT_MAX};
pub use signing::AuthMethod;
pub use ucid::Ucid;
