//! An abuse shield for one-time verification codes (work in progress).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod store;

pub use store::{
    AsyncStore, Breaker, Denial, Limit, Millis, Mode, Plan, Spend, Store, StoreError, Verdict,
};
