//! Sans-IO protocol core for SMS one-time verification codes.
//!
//! `verify-core` turns typed operations into `http::Request<Vec<u8>>` values
//! and response bytes into typed results. It does no I/O, reads no clock and
//! draws no random numbers: the date and nonce a signature needs are
//! arguments. Transports (`verify-ureq`, `verify-hyper`, or your own) run the
//! requests through the same public [`Operation`] methods.
//!
//! Two providers are covered: [`telesign`] Verify and [`dotdigital`] CPaaS
//! Verify, with one provider-neutral vocabulary over both in [`neutral`].
//!
//! [`call`] holds what every transport shares around an operation (which
//! provider to try, signing each attempt afresh, when a retry or a failover
//! is safe, the call's error), and [`retry`] the rules it follows.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod base_url;
pub mod call;
pub mod dotdigital;
pub mod error;
pub mod neutral;
mod operation;
pub mod redact;
pub mod retry;
mod secret;
pub mod telesign;

pub use base_url::BaseUrl;
pub use error::{ConfigError, FieldError, ResponseError, ValidationError};
pub use operation::{Idempotency, Operation, Provider, ProviderConfig, Role, wrong_provider};
pub use secret::{ApiKey, Code, Password};
