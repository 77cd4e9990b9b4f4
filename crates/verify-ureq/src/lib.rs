//! Blocking adapter for `verify-core` over ureq 3 (to come: one generic `execute` with retries and failover).
