//! Async adapter for `verify-core` over hyper 1 (to come: one generic `execute` with retries and failover).
