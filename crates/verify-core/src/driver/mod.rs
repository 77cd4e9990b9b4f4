//! The driver: what every transport shares around an [`Operation`](crate::Operation).
//!
//! Still sans-IO. A transport supplies one function that sends a request
//! within limits (plus a way to wait, a clock and randomness: [`Transport`],
//! [`AsyncTransport`]); [`Client`] and [`AsyncClient`] do everything else:
//! validate and build, sign every attempt afresh, retry only when safe,
//! fail over only when nothing can have been sent, hold the call to its
//! time limit, and end with an [`Error`] that says whether a message may
//! have gone out. `verify-ureq` and `verify-hyper` are such transports.
//!
//! [`Execution`] is the state machine under both clients, for a transport
//! that wants to drive the steps itself.

mod builder;
mod client;
mod error;
mod execution;
mod guarded;
mod ledger;
mod proxy;
mod settings;
mod transport;

pub use builder::{BuildClient, Builder};
pub use client::{AsyncClient, Client};
pub use error::{Error, ErrorKind};
pub use execution::{Attempt, AttemptInfo, Execution, Limits, Next};
pub use proxy::Proxy;
pub use settings::{DEFAULT_MAX_IDLE_PER_HOST, LONGEST_LIMIT, Settings, Timeouts};
pub use transport::{AsyncTransport, Event, Runtime, Transport, jitter, nonce};

#[cfg(test)]
mod tests;
