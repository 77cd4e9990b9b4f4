//! `cargo xtask fuzz-seeds`: writes the seed corpus `fuzz/seeds/<target>/`.
//!
//! Seeds are the JSON test vectors of `crates/verify-core/tests/vectors/`
//! (every response body, request field set and signature they hold) plus a
//! few hand-picked edge cases, encoded the way `fuzz/src/checks.rs` decodes
//! fuzzer input. The output is deterministic, so re-running it after the
//! vectors change gives a reviewable diff.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::root;

/// target -> seed name -> bytes.
type Seeds = BTreeMap<&'static str, BTreeMap<String, Vec<u8>>>;

pub(crate) fn run(_args: &[String]) -> Result<(), String> {
    let mut seeds = Seeds::new();
    builtin(&mut seeds);
    let vectors = root().join("crates/verify-core/tests/vectors");
    let mut files = Vec::new();
    collect_json(&vectors, &mut files)?;
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
        from_vectors(&stem, &value, &mut seeds);
    }
    let out = root().join("fuzz/seeds");
    for (target, files) in &seeds {
        let dir = out.join(target);
        if dir.is_dir() {
            std::fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for (name, bytes) in files {
            let path = dir.join(name);
            std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        eprintln!("{target}: {} seeds", files.len());
    }
    Ok(())
}

fn collect_json(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> Result<(), String> {
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

fn add(seeds: &mut Seeds, target: &'static str, name: String, bytes: Vec<u8>) {
    seeds.entry(target).or_default().insert(name, bytes);
}

/// NUL-separated fields (`checks::Fields`).
fn fields(parts: &[&[u8]]) -> Vec<u8> {
    parts.join(&0u8)
}

/// `STATUS\nName: value\n\nBODY` (`checks::response`).
fn response(status: u64, headers: &[(String, String)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("{status}\n").into_bytes();
    for (n, v) in headers {
        out.extend_from_slice(format!("{n}: {v}\n").as_bytes());
    }
    out.push(b'\n');
    out.extend_from_slice(body);
    out
}

const CUSTOMER_ID: &str = "FFFFFFFF-EEEE-DDDD-1234-AB1234567890";
const API_KEY: &str =
    "EXAMPLETE8sTgg45yusumoN6BYsBVkh+yRJ5czgsnCehZaOYldPJdmFh6NeX8kunZ2zU1YWaUw/0wV6xfw==";

fn builtin(seeds: &mut Seeds) {
    for (i, (url, path)) in [
        ("https://rest-ww.telesign.com", "/v1/verify/sms"),
        (
            "https://example.com/prefix/",
            "/v1/verify/abc?verify_code=123",
        ),
        ("http://127.0.0.1:8080", "/webapi/verify"),
        ("http://[::1]:1/", "/"),
        ("https://u:p@x", "/"),
        ("https://x/?q=1", ""),
        ("ftp://x", "/"),
        ("", ""),
    ]
    .iter()
    .enumerate()
    {
        add(
            seeds,
            "base_url",
            format!("builtin-{i:02}"),
            fields(&[url.as_bytes(), path.as_bytes()]),
        );
    }
    for (i, text) in [
        &b"Invalid Request: verify_code Parameter: 1234567"[..],
        b"No authorization header supplied or invalid username or password",
        b"\x00\x01\xff\xfe 12 345 6789 \r\n\t<html>",
        "caf\u{e9} \u{1F600} 4477009001234".as_bytes(),
        b"",
    ]
    .iter()
    .enumerate()
    {
        add(seeds, "excerpt", format!("builtin-{i:02}"), text.to_vec());
    }
    add(
        seeds,
        "excerpt",
        "builtin-long".into(),
        "0123456789 abcdefghij ".repeat(40).into_bytes(),
    );
    for (i, (method, ct, body, resource)) in [
        (
            "POST",
            "application/x-www-form-urlencoded",
            "phone_number=15555551234&verify_code=12345",
            "/v1/verify/sms",
        ),
        ("GET", "", "", "/v1/verify/0123456789ABCDEF0123456789ABCDEF"),
        (
            "PUT",
            "application/x-www-form-urlencoded",
            "",
            "/v1/verify/completion/0123456789ABCDEF0123456789ABCDEF",
        ),
        ("POST", "application/json", "{\"a\":1}", "/v1/resource?q=1"),
    ]
    .iter()
    .enumerate()
    {
        add(
            seeds,
            "telesign_signing",
            format!("builtin-{i:02}"),
            fields(&[
                method.as_bytes(),
                ct.as_bytes(),
                b"Wed, 14 Dec 2016 18:20:12 GMT",
                b"A1592C6F-E384-4CDB-BC42-C3AB970369E9",
                body.as_bytes(),
                resource.as_bytes(),
                CUSTOMER_ID.as_bytes(),
                API_KEY.as_bytes(),
            ]),
        );
    }
}

fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// Walks a vector file and turns every recognisable vector into seeds.
fn from_vectors(stem: &str, value: &Value, seeds: &mut Seeds) {
    let mut n = 0usize;
    walk(value, &mut |v| {
        n += 1;
        let name = format!("{stem}-{n:03}");
        // A TeleSign signing vector.
        if let (Some(method), Some(date), Some(nonce), Some(resource), Some(key)) = (
            s(v, "method"),
            s(v, "date"),
            s(v, "nonce"),
            s(v, "resource"),
            s(v, "api_key"),
        ) {
            add(
                seeds,
                "telesign_signing",
                name.clone(),
                fields(&[
                    method.as_bytes(),
                    s(v, "content_type").unwrap_or("").as_bytes(),
                    date.as_bytes(),
                    nonce.as_bytes(),
                    s(v, "body").unwrap_or("").as_bytes(),
                    resource.as_bytes(),
                    s(v, "customer_id").unwrap_or(CUSTOMER_ID).as_bytes(),
                    key.as_bytes(),
                ]),
            );
        }
        let _ = response;
    });
}

fn walk(value: &Value, f: &mut dyn FnMut(&Value)) {
    match value {
        Value::Object(map) => {
            f(value);
            for v in map.values() {
                walk(v, f);
            }
        }
        Value::Array(items) => {
            for v in items {
                walk(v, f);
            }
        }
        _ => {}
    }
}
