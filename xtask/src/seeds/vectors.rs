//! Reading the JSON test vectors: every `*.json` under the vectors folder,
//! in path order, handed to [`super::cases`] and [`super::signing`].

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{Seeds, cases, signing};

/// Adds the seeds of every vector file under `dir`. A seed is named after
/// its file: `<folder>-<stem>-NNN` for a case, `<stem>-NNN` for a signing
/// or callback vector.
pub(super) fn load(dir: &Path, seeds: &mut Seeds) -> Result<(), String> {
    let mut files = Vec::new();
    collect_json(dir, &mut files)?;
    files.sort();
    for file in &files {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let value: Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        let stem = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("vectors")
            .to_owned();
        let folder = file
            .parent()
            .and_then(Path::file_name)
            .and_then(|s| s.to_str())
            .unwrap_or("vectors");
        cases::from_cases(&format!("{folder}-{stem}"), &value, seeds);
        signing::from_vectors(&stem, &value, seeds);
    }
    Ok(())
}

fn collect_json(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            collect_json(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

/// The string `key` of a JSON object.
pub(super) fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}
