//! The hand-picked seeds of `fuzz/builtin-seeds.json`: the edges of each
//! rule that the test vectors do not hold. The file's `about` describes its
//! format; every mistake in it (an unknown target or key, a name given
//! twice, a number that is not a byte) is an error, not a seed skipped.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{Map, Value};

use super::encode::{Headers, fields, response};
use super::{Seeds, add};
use crate::root;

pub(super) fn load(path: &Path, seeds: &mut Seeds) -> Result<(), String> {
    let at = |e: String| format!("{}: {e}", path.display());
    let text = std::fs::read_to_string(path).map_err(|e| at(e.to_string()))?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| at(e.to_string()))?;
    let targets = doc
        .get("targets")
        .and_then(Value::as_object)
        .ok_or_else(|| at("no \"targets\" object".to_owned()))?;
    for (target, list) in targets {
        let check = root()
            .join("fuzz/fuzz_targets")
            .join(format!("{target}.rs"));
        if !check.is_file() {
            return Err(at(format!("{target}: no such fuzz target")));
        }
        let list = list
            .as_array()
            .ok_or_else(|| at(format!("{target}: not a list of seeds")))?;
        let mut names = BTreeSet::new();
        for seed in list {
            let (name, bytes) = read_seed(seed).map_err(|e| at(format!("{target}: {e}")))?;
            if !names.insert(name.clone()) {
                return Err(at(format!("{target}/{name}: named twice")));
            }
            add(seeds, target, name, bytes);
        }
    }
    Ok(())
}

/// A seed's name and bytes.
fn read_seed(seed: &Value) -> Result<(String, Vec<u8>), String> {
    let seed = object(seed, &["name", "note", "fields", "response", "bytes"])?;
    let name = seed
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty() && !n.contains(['/', '\\']) && !n.starts_with('.'))
        .ok_or_else(|| format!("{}: no file name", Value::Object(seed.clone())))?;
    let at = |e: String| format!("{name}: {e}");
    let bytes = match (seed.get("fields"), seed.get("response"), seed.get("bytes")) {
        (Some(Value::Array(parts)), None, None) => {
            let parts = parts
                .iter()
                .map(byte_string)
                .collect::<Result<Vec<_>, _>>()
                .map_err(at)?;
            fields(&parts.iter().map(Vec::as_slice).collect::<Vec<_>>())
        }
        (None, Some(answer), None) => self::answer(answer).map_err(at)?,
        (None, None, Some(bytes)) => byte_string(bytes).map_err(at)?,
        _ => {
            return Err(at(
                "needs one of `fields` (a list), `response` or `bytes`".to_owned()
            ));
        }
    };
    Ok((name.to_owned(), bytes))
}

/// `{status, headers: [[name, value], ..], body}`, encoded as the response
/// checks decode it; no headers and an empty body when left out.
fn answer(answer: &Value) -> Result<Vec<u8>, String> {
    let answer = object(answer, &["status", "headers", "body"])?;
    let status = answer
        .get("status")
        .and_then(Value::as_u64)
        .ok_or("a response needs a numeric `status`")?;
    let headers: Headers = match answer.get("headers") {
        None => Vec::new(),
        Some(Value::Array(pairs)) => pairs
            .iter()
            .map(|pair| match pair.as_array().map(Vec::as_slice) {
                Some([Value::String(n), Value::String(v)]) => Ok((n.clone(), v.clone())),
                _ => Err(format!("{pair}: a header is [name, value]")),
            })
            .collect::<Result<_, _>>()?,
        Some(other) => return Err(format!("{other}: `headers` is a list of [name, value]")),
    };
    let body = match answer.get("body") {
        Some(body) => byte_string(body)?,
        None => Vec::new(),
    };
    Ok(response(status, &headers, &body))
}

/// A byte string: a JSON string (its UTF-8), a number (one byte), a list
/// (its parts, concatenated) or `{"repeat": .., "times": n}`.
fn byte_string(value: &Value) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    append(value, &mut out)?;
    Ok(out)
}

fn append(value: &Value, out: &mut Vec<u8>) -> Result<(), String> {
    match value {
        Value::String(s) => out.extend_from_slice(s.as_bytes()),
        Value::Number(n) => out.push(
            n.as_u64()
                .and_then(|n| u8::try_from(n).ok())
                .ok_or_else(|| format!("{n} is not a byte (0 to 255)"))?,
        ),
        Value::Array(parts) => {
            for part in parts {
                append(part, out)?;
            }
        }
        Value::Object(_) => {
            let repeat = object(value, &["repeat", "times"])?;
            let (Some(part), Some(times)) = (
                repeat.get("repeat"),
                repeat.get("times").and_then(Value::as_u64),
            ) else {
                return Err(format!("{value}: needs `repeat` and a numeric `times`"));
            };
            let part = byte_string(part)?;
            for _ in 0..times {
                out.extend_from_slice(&part);
            }
        }
        other => return Err(format!("{other} is not a byte string")),
    }
    Ok(())
}

/// `value` as an object with no key outside `keys`.
fn object<'a>(value: &'a Value, keys: &[&str]) -> Result<&'a Map<String, Value>, String> {
    let map = value
        .as_object()
        .ok_or_else(|| format!("{value}: not an object"))?;
    match map.keys().find(|k| !keys.contains(&k.as_str())) {
        Some(k) => Err(format!("{value}: unknown key {k:?} (known: {keys:?})")),
        None => Ok(map),
    }
}
