//! TeleSign's Verify API (`verify.telesign.com`): one verification process
//! that tries several channels in order (SMS, voice, email, WhatsApp, Viber,
//! RCS, silent, push), falling back after a set time, and that the client
//! finalizes with the code the user typed.
//!
//! [`CreateVerification`] starts a process, [`GetVerification`] reads it,
//! [`FinalizeVerification`] finalizes it (mandatory: TeleSign bills the next
//! fallback channel otherwise). The credentials and signing are TeleSign's
//! ([`crate::telesign::Credentials`]); the base URL is its own
//! ([`Config`]). Where TeleSign's documents are silent or disagree,
//! `docs/PROTOCOL-DECISIONS.md` says what we decided.

pub mod callback;
mod codes;
mod config;
mod create;
mod error;
mod finalize;
mod request;
mod response;
mod retrieve;

pub use codes::{Method, State, StatusClass, StatusCode};
pub use config::{Config, DEFAULT_BASE_URL};
pub use create::{
    CreateVerification, Created, MAX_POLICY_SECONDS, MIN_FALLBACK_SECONDS, PUSH_APP_TOKEN_MAX,
};
pub use error::VerifyApiError;
pub use finalize::{Finalization, FinalizeVerification};
pub use request::MAX_PAYLOAD_BYTES;
pub use response::{InnerMethod, PolicyStep, Status, Verification};
pub use retrieve::GetVerification;
