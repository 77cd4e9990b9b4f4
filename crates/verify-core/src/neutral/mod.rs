//! One vocabulary over both providers (to come).
