//! Criterion benchmarks live under `benches/benches/` (to come).
