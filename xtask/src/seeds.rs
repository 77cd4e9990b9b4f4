//! `cargo xtask fuzz-seeds`: writes the seed corpus `fuzz/seeds/<target>/`.
//!
//! Seeds come from two kinds of JSON, both encoded the way `fuzz/src/checks/`
//! decodes fuzzer input:
//!
//! - the hand-picked edge cases of `fuzz/builtin-seeds.json` ([`builtin`]),
//!   named `builtin-*`;
//! - the test vectors of `crates/verify-core/tests/vectors/` ([`vectors`]):
//!   every operation case's input and answer ([`cases`], [`requests`]) and
//!   every signature and callback vector ([`signing`]), named after their file.
//!
//! The output is deterministic, so re-running it after the JSON changes gives
//! a reviewable diff; [`mod@write`] keeps the `regression-*` files the fuzzer once
//! broke a check with.

mod builtin;
mod cases;
mod encode;
mod requests;
mod signing;
mod vectors;
mod write;

use std::collections::BTreeMap;

use crate::root;

/// target -> seed name -> bytes.
type Seeds = BTreeMap<String, BTreeMap<String, Vec<u8>>>;

pub(crate) fn run(_args: &[String]) -> Result<(), String> {
    let mut seeds = Seeds::new();
    // First: a vector seed with the same bytes as a builtin one is left out.
    builtin::load(&root().join("fuzz/builtin-seeds.json"), &mut seeds)?;
    vectors::load(&root().join("crates/verify-core/tests/vectors"), &mut seeds)?;
    write::write(&root().join("fuzz/seeds"), &seeds)
}

/// Adds a seed, replacing one of the same name.
fn add(seeds: &mut Seeds, target: &str, name: String, bytes: Vec<u8>) {
    seeds
        .entry(target.to_owned())
        .or_default()
        .insert(name, bytes);
}

/// Adds a seed unless the target already has one with the same bytes.
fn add_new(seeds: &mut Seeds, target: &str, name: String, bytes: Vec<u8>) {
    let known = seeds
        .get(target)
        .is_some_and(|m| m.values().any(|b| *b == bytes));
    if !known {
        add(seeds, target, name, bytes);
    }
}
