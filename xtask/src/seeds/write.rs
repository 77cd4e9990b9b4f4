//! Writing `fuzz/seeds/<target>/<name>`.

use std::collections::BTreeMap;
use std::path::Path;

use super::Seeds;

/// Writes every seed, and removes the generated seeds this run no longer
/// writes; `regression-*` files (inputs the fuzzer once broke a check with)
/// are kept.
pub(super) fn write(out: &Path, seeds: &Seeds) -> Result<(), String> {
    for (target, files) in seeds {
        let dir = out.join(target);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        prune(&dir, files)?;
        for (name, bytes) in files {
            let path = dir.join(name);
            std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        eprintln!("{target}: {} seeds", files.len());
    }
    Ok(())
}

/// Removes the files of `dir` this run does not write, except `regression-*`.
fn prune(dir: &Path, keep: &BTreeMap<String, Vec<u8>>) -> Result<(), String> {
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if path.is_file() && !name.starts_with("regression-") && !keep.contains_key(name) {
            std::fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}
