//! An abuse shield for one-time verification codes: stop SMS pumping and
//! runaway sends before anything is sent.
//!
//! The policy ([`Rules`], [`Shield`]) is sans-IO: `now` is an argument, and
//! a [`Store`] (or [`AsyncStore`]) keeps the counts and decides one
//! [`Plan`] per send atomically. A [`Shield`] is a
//! [`Guard`](verify_core::guard::Guard) and an
//! [`AsyncGuard`](verify_core::guard::AsyncGuard): give it to a client's
//! builder (`.guard(Arc::new(shield))`) and every send and code check
//! passes it first. The rules, their defaults and why:
//! docs/PROTOCOL-DECISIONS.md, "Abuse shield".
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod ledger;
pub mod ledger_suite;
mod memory;
mod number;
mod rules;
mod shield;
mod store;

pub use ledger::{DEFAULT_LEDGER_CAPACITY, MemoryLedger};
pub use memory::MemoryStore;
pub use number::Number;
pub use rules::{
    BreakerRule, CountryRules, Ms, NumberType, NumberTypeRule, OnStoreError, Rules, SpendRule,
    WindowRule,
};
pub use shield::{CounterSnapshot, Decision, SendFacts, Shield, millis};
pub use store::{
    AsyncStore, Breaker, Denial, Limit, Millis, Mode, Plan, Spend, Store, StoreError, Verdict,
};
pub use verify_core::guard::{Blocked, Rule};
