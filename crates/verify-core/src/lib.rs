//! Sans-IO protocol core for one-time verification codes.
//!
//! `verify-core` turns typed operations into `http::Request<Vec<u8>>`
//! values and response bytes into typed results. It does no I/O, reads no
//! clock and draws no random numbers: the date and nonce a signature needs
//! are arguments. Transports (`verify-ureq`, `verify-hyper`, or your own)
//! run the requests through the same public [`Operation`] methods.
//!
//! Three providers are covered: TeleSign's classic Verify API
//! ([`telesign`]), TeleSign's Verify API ([`telesign_verify`]) and
//! dotdigital CPaaS Verify ([`dotdigital`]), with one provider-neutral
//! vocabulary over them in [`neutral`].
//!
//! [`driver`] holds what every transport shares around an operation (which
//! provider to try, signing each attempt afresh, when a retry or a failover
//! is safe, the call's error) and the one loop every transport runs: a
//! transport supplies a function that sends one request
//! ([`driver::Transport`]), and [`driver::Client`] does the rest. [`retry`]
//! holds the rules it follows; [`redact`] the only way to describe a
//! request.
//!
//! ```
//! use std::time::SystemTime;
//! use verify_core::telesign::{Config, Credentials, SendSms};
//! use verify_core::{Operation, ProviderConfig, Role};
//!
//! let config = ProviderConfig::from(Config::new(Credentials::new("CUSTOMER-ID", "VGVzdCBLZXk=")?));
//! let sms = SendSms::new("15555550100").template("Your code is $$CODE$$");
//! let mut request = sms.to_request(&config, Role::Primary)?; // validated, built
//! config.authorize(&mut request, SystemTime::now(), "a-fresh-nonce")?; // signed, per attempt
//! assert_eq!(request.uri(), "https://rest-ww.telesign.com/v1/verify/sms");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod base_url;
mod code_table;
pub mod dotdigital;
pub mod driver;
mod error;
pub mod guard;
mod json;
pub mod ledger;
pub mod neutral;
mod operation;
pub mod redact;
mod response_error;
pub mod retry;
mod secret;
pub mod telesign;
pub mod telesign_verify;
pub mod text;
mod validate;

pub use base_url::BaseUrl;
pub use error::{ConfigError, RetryAfter, UnexpectedResponse};
pub use operation::{Idempotency, Operation, Provider, ProviderConfig, Role};
pub use response_error::ResponseError;
pub use secret::{ApiKey, Code, Password};
pub use validate::{FieldError, ValidationError};

/// The largest response body read: the parsers refuse a longer one unread,
/// and a transport is never told to read more (a larger
/// [`driver::Builder::max_body_bytes`] counts as this; a smaller one
/// lowers the limit). Far above any documented answer.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// `User-Agent` of every request.
pub(crate) const USER_AGENT: &str = concat!("verify-rs/", env!("CARGO_PKG_VERSION"));
