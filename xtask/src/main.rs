//! `cargo xtask ci|fuzz|bench` (to come).

fn main() {}
