//! Replays the committed fuzz seeds (`fuzz/seeds/<target>/*`) through the very
//! checks the cargo-fuzz targets run, so a plain `cargo test` catches a
//! regression on any seed without cargo-fuzz or a nightly feature.

#[path = "../../../fuzz/src/checks/mod.rs"]
mod checks;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

fn names_in(dir: &Path, suffix: &str) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(suffix).map(str::to_owned))
        .collect()
}

#[test]
fn every_target_has_a_check_and_seeds() {
    let targets = names_in(&fuzz_dir().join("fuzz_targets"), ".rs");
    let checked: BTreeSet<String> = checks::TARGETS
        .iter()
        .map(|(n, _)| (*n).to_owned())
        .collect();
    assert_eq!(
        targets, checked,
        "fuzz_targets/*.rs and checks::TARGETS differ"
    );
    let seeded = names_in(&fuzz_dir().join("seeds"), "");
    assert_eq!(seeded, checked, "fuzz/seeds/* and checks::TARGETS differ");
}

#[test]
fn seeds_replay_cleanly() {
    let mut replayed = 0;
    for (target, check) in checks::TARGETS {
        let dir = fuzz_dir().join("seeds").join(target);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{target}: no seeds");
        for file in files {
            let data = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let outcome = std::panic::catch_unwind(|| check(&data));
            assert!(
                outcome.is_ok(),
                "{target}: seed {} fails its check",
                file.display()
            );
            replayed += 1;
        }
    }
    assert!(replayed > 0);
}
