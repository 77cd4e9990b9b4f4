//! The properties every fuzz target checks, shared with the seed replay test.
//!
//! Each `pub fn <target>(data: &[u8])` decodes the fuzzer's bytes into inputs,
//! runs the core and asserts the target's properties; a violated property is a
//! panic, which both libFuzzer and `cargo test` report. The rules are h11's:
//! any input parses or gives the typed error, never anything else; whatever the
//! core accepts yields a well-formed request, whatever it rejects yields a
//! `ValidationError` naming at least one field.
//!
//! This folder is compiled twice: as `verify_fuzz::checks` (by the fuzz
//! targets) and as a module of `crates/verify-core/tests/fuzz_corpus.rs`. It
//! may only use `verify-core` and crates `verify-core` itself depends on.
//!
//! One concept a file:
//!
//! - [`input`]: how fuzzer bytes become fields and responses;
//! - [`settings`]: the fixed configurations, ids, date and nonce;
//! - [`properties`]: the properties every request builder and parser shares;
//! - one file per group of targets: [`signing`], [`callback`],
//!   [`telesign_requests`], [`telesign_responses`], [`telesign_verify`]
//!   (TeleSign's Verify API), [`dotdigital`], [`neutral`], [`ids`] and
//!   [`text`] (base URLs and excerpts).

#![allow(dead_code)]

pub mod callback;
pub mod dotdigital;
pub mod ids;
pub mod input;
pub mod neutral;
pub mod properties;
pub mod settings;
pub mod signing;
pub mod telesign_requests;
pub mod telesign_responses;
pub mod telesign_verify;
pub mod text;

pub use callback::telesign_callback;
pub use dotdigital::{
    dotdigital_send_code_request, dotdigital_send_code_response, dotdigital_validate_code_request,
    dotdigital_validate_code_response,
};
pub use ids::verification_id;
pub use neutral::{neutral_check_request, neutral_response, neutral_start_request};
pub use signing::telesign_signing;
pub use telesign_requests::{
    telesign_call_request, telesign_completion_request, telesign_sms_request,
    telesign_status_request,
};
pub use telesign_responses::{telesign_send_response, telesign_status_response};
pub use telesign_verify::{
    telesign_verify_create_request, telesign_verify_finalize_request, telesign_verify_response,
};
pub use text::{base_url, excerpt};

/// A fuzz target's check: any input, and it panics only on a real bug.
pub type Check = fn(&[u8]);

/// Every fuzz target: its name (the file under `fuzz/fuzz_targets/` and the
/// folder under `fuzz/seeds/`) and its check.
pub const TARGETS: &[(&str, Check)] = &[
    ("base_url", base_url),
    ("dotdigital_send_code_request", dotdigital_send_code_request),
    (
        "dotdigital_send_code_response",
        dotdigital_send_code_response,
    ),
    (
        "dotdigital_validate_code_request",
        dotdigital_validate_code_request,
    ),
    (
        "dotdigital_validate_code_response",
        dotdigital_validate_code_response,
    ),
    ("excerpt", excerpt),
    ("neutral_check_request", neutral_check_request),
    ("neutral_response", neutral_response),
    ("neutral_start_request", neutral_start_request),
    ("telesign_call_request", telesign_call_request),
    ("telesign_callback", telesign_callback),
    ("telesign_completion_request", telesign_completion_request),
    ("telesign_send_response", telesign_send_response),
    ("telesign_signing", telesign_signing),
    ("telesign_sms_request", telesign_sms_request),
    ("telesign_status_request", telesign_status_request),
    ("telesign_status_response", telesign_status_response),
    (
        "telesign_verify_create_request",
        telesign_verify_create_request,
    ),
    (
        "telesign_verify_finalize_request",
        telesign_verify_finalize_request,
    ),
    ("telesign_verify_response", telesign_verify_response),
    ("verification_id", verification_id),
];
