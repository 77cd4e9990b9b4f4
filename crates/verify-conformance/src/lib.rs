//! Scenarios every transport of the verify workspace must pass.
//!
//! A transport (`verify-ureq`, `verify-hyper`, a hand-written one over
//! `verify_core::driver`) implements [`Harness`] in its tests and runs the
//! whole suite with one line:
//!
//! ```ignore
//! verify_conformance::conformance_tests!(MyHarness);
//! ```
//!
//! Each scenario is a plain function over a harness, against a fresh
//! [`verify_sandbox`] on loopback (or a small server of its own), with
//! short time limits, and checks the sandbox's outbox afterwards:
//!
//! - [`flows`]: TeleSign send, wrong and right code, completion; dotdigital
//!   send and validate; the neutral `Start`/`Check` with failover; many
//!   calls on one client at once.
//! - [`refusals`]: validation errors before any I/O; plain HTTP only with
//!   the opt-in; an operation for a provider without settings.
//! - [`faults`]: every fault mode of the sandbox on a send: retried only
//!   when nothing can have gone out.
//! - [`limits`]: the body limit and the call's time limit, retries
//!   included.
//! - [`connections`]: refused connections and a stalled TLS handshake are
//!   connect failures, with nothing sent.
//! - [`failover`]: to the backup only when the primary cannot have sent
//!   (unless opted in); the primary's error kept when both fail.
//! - [`never_twice`]: a written code check is not repeated; a mixed
//!   TeleSign answer reaches the server once ([`MixedServer`]).
//! - [`secrets`]: no code, credential or phone number in errors or logs.
//! - [`boundaries`]: a stalled TLS handshake, a stalled proxy `CONNECT`
//!   and an unresolvable host with less time left than the connect limit
//!   are "nothing written" and fail over; unusable proxy settings of the
//!   environment are refused before any I/O.
//! - [`global_log`]: what a global `log` logger sees of a transport's HTTP
//!   stack, through the transport's filter directives (its own test
//!   binary, not part of the macro's suite).
//! - [`proxies`]: through a `CONNECT` proxy ([`TestProxy`]), and the
//!   sent/not-sent rules when it is down, refuses, or cuts the answer.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod any_send;
pub mod boundaries;
pub mod connections;
pub mod failover;
pub mod faults;
mod fixture;
pub mod flows;
pub mod global_log;
mod harness;
pub mod limits;
mod logs;
mod loopback;
mod macros;
mod mixed;
pub mod never_twice;
pub mod proxies;
pub mod refusals;
pub mod secrets;
mod test_proxy;

pub use harness::Harness;
pub use mixed::{MIXED_ANSWERS, MixedServer};
pub use test_proxy::{ProxyMode, TestProxy};
/// Builds an adapter's client from the suite's settings:
/// `<verify_ureq::Client as BuildClient>::build(settings)`.
pub use verify_core::driver::BuildClient;
