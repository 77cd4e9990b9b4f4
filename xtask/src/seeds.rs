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

/// Response headers, name and value.
type Headers = Vec<(String, String)>;

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
        let dir = file
            .parent()
            .and_then(Path::file_name)
            .and_then(|s| s.to_str())
            .unwrap_or("vectors");
        from_cases(&format!("{dir}-{stem}"), &value, &mut seeds);
        from_vectors(&stem, &value, &mut seeds);
    }
    let out = root().join("fuzz/seeds");
    for (target, files) in &seeds {
        let dir = out.join(target);
        // Generated seeds this run no longer writes are removed; `regression-*`
        // files (inputs the fuzzer once broke a check with) are kept.
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
    builtin_operations(seeds);
    builtin_neutral(seeds);
    builtin_ids(seeds);
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

const REFERENCE_ID: &str = "0123456789ABCDEF0123456789ABCDEF";
const REQUEST_ID: &str = "0bd57dc3-580c-4c1d-8aee-2ff79bd8633c";
const REPORT: &str = r#"{"reference_id":"0123456789ABCDEF0123456789ABCDEF","submit_timestamp":"2016-12-14T18:20:12Z","status":{"code":200,"description":"Delivered to handset","updated_on":"2016-12-14T18:20:15Z"},"errors":[],"verify":{"code_state":"UNKNOWN","code_entered":""}}"#;
/// `base64(HMAC-SHA256(key, REPORT))`, computed independently.
const REPORT_SIGNATURE: &str = "5ZGkeiXZjyu3YnBQQromx4D0pk2Z3S7SmLYSlI3wQ2c=";

fn ts_body(status: u32, description: &str, errors: &str, verify: &str) -> String {
    format!(
        r#"{{"reference_id":"{REFERENCE_ID}","status":{{"code":{status},"description":"{description}","updated_on":"2016-12-14T18:20:12Z"}},"errors":[{errors}]{verify}}}"#
    )
}

fn builtin_operations(seeds: &mut Seeds) {
    let json = vec![("content-type".to_owned(), "application/json".to_owned())];
    let no_verify = "";
    let unknown = r#","verify":{"code_state":"UNKNOWN","code_entered":""}"#;
    let err = |code: i64, d: &str| format!(r#"{{"code":{code},"description":"{d}"}}"#);
    let mut retry = json.clone();
    retry.push(("retry-after".to_owned(), "30".to_owned()));
    let failures: Vec<(u64, Headers, String)> = vec![
        (
            400,
            json.clone(),
            ts_body(
                500,
                "Transaction not attempted",
                &err(-10001, "Invalid Request: phone_number Parameter: 1555"),
                no_verify,
            ),
        ),
        (
            401,
            json.clone(),
            ts_body(
                501,
                "Not authorized",
                &err(-30006, "Invalid Signature."),
                no_verify,
            ),
        ),
        (
            429,
            retry.clone(),
            ts_body(
                500,
                "Transaction not attempted",
                &err(-40007, "Rate limit exceeded"),
                no_verify,
            ),
        ),
        (
            503,
            json.clone(),
            ts_body(
                500,
                "Transaction not attempted",
                &err(-90001, "System Unavailable"),
                no_verify,
            ),
        ),
        (
            502,
            vec![("content-type".to_owned(), "text/html".to_owned())],
            "<html>Bad Gateway</html>".to_owned(),
        ),
        (200, json.clone(), String::new()),
        (
            200,
            json.clone(),
            "{\"status\":{\"code\":\"290\"}}".to_owned(),
        ),
    ];
    let mut i = 0;
    let mut push = |seeds: &mut Seeds,
                    target: &'static str,
                    status: u64,
                    h: &[(String, String)],
                    body: &str| {
        i += 1;
        add(
            seeds,
            target,
            format!("builtin-{i:02}"),
            response(status, h, body.as_bytes()),
        );
    };
    push(
        seeds,
        "telesign_send_response",
        200,
        &json,
        &ts_body(290, "Message in progress", "", unknown),
    );
    for target in ["telesign_send_response", "telesign_status_response"] {
        for (status, h, body) in &failures {
            push(seeds, target, *status, h, body);
        }
    }
    push(
        seeds,
        "telesign_status_response",
        200,
        &json,
        &ts_body(
            200,
            "Delivered to handset",
            "",
            r#","verify":{"code_state":"VALID","code_entered":"12345"}"#,
        ),
    );
    push(
        seeds,
        "telesign_status_response",
        200,
        &json,
        &ts_body(
            502,
            "Delivery failed",
            "",
            r#","verify":{"code_state":"MAX_ATTEMPTS_EXCEEDED","code_entered":"99999"}"#,
        ),
    );
    push(
        seeds,
        "telesign_status_response",
        200,
        &json,
        &ts_body(1900, "Verification completed", "", no_verify),
    );
    push(
        seeds,
        "telesign_status_response",
        404,
        &json,
        &ts_body(
            500,
            "Transaction not attempted",
            &err(-10001, "Invalid Request: reference_id Parameter: 0123"),
            no_verify,
        ),
    );

    let code = |status: &str| {
        format!(
            r#"{{"requestId":"{REQUEST_ID}","phoneNumber":"447700900123","status":"{status}","numberStatus":"On","created":"2024-05-01T10:00:00Z"}}"#
        )
    };
    let throttled = r#"[{"property":"to","failureCode":"Throttled","details":"Too many codes"}]"#;
    let unauthorized = "No authorization header supplied or invalid username or password";
    let text = vec![("content-type".to_owned(), "text/plain".to_owned())];
    for target in [
        "dotdigital_send_code_response",
        "dotdigital_validate_code_response",
    ] {
        push(seeds, target, 400, &json, throttled);
        push(seeds, target, 401, &text, unauthorized);
        push(seeds, target, 429, &retry, "");
        push(seeds, target, 500, &text, "Internal Server Error");
    }
    push(
        seeds,
        "dotdigital_send_code_response",
        202,
        &json,
        &code("CodeNotVerified"),
    );
    push(
        seeds,
        "dotdigital_send_code_response",
        400,
        &json,
        r#"[{"property":"validUntil","failureCode":"Invalid","details":"x"}]"#,
    );
    for st in [
        "CodeVerified",
        "CodeNotVerified",
        "CodeLocked",
        "CodeExpired",
        "SomethingNew",
    ] {
        push(
            seeds,
            "dotdigital_validate_code_response",
            200,
            &json,
            &code(st),
        );
    }
    push(seeds, "dotdigital_validate_code_response", 204, &[], "");

    let mut j = 0;
    let mut req = |seeds: &mut Seeds, target: &'static str, parts: &[&[u8]]| {
        j += 1;
        add(seeds, target, format!("builtin-{j:02}"), fields(parts));
    };
    req(
        seeds,
        "telesign_sms_request",
        &[
            b"15555550100",
            b"ATCK",
            b"203.0.113.7",
            b"en-US",
            b"12345",
            b"Your code is $$CODE$$",
            b"Example",
            b"\x7e",
        ],
    );
    req(
        seeds,
        "telesign_sms_request",
        &[
            b"+1 555",
            b"nope",
            b"not an ip",
            b"??",
            b"12",
            b"no placeholder",
            b"",
            b"\x7f",
        ],
    );
    req(seeds, "telesign_sms_request", &[b"15555550100"]);
    req(
        seeds,
        "telesign_call_request",
        &[
            b"15555550100",
            b"BACS",
            b"2001:db8::1",
            b"fr-FR",
            b"123456",
            b"Your code is $$CODE$$",
            b"\x1e",
        ],
    );
    req(
        seeds,
        "telesign_call_request",
        &[b"", b"", b"", b"", b"1", b"", b"\x1f"],
    );
    req(
        seeds,
        "telesign_status_request",
        &[REFERENCE_ID.as_bytes(), b"12345", b"\x02"],
    );
    req(seeds, "telesign_status_request", &[REFERENCE_ID.as_bytes()]);
    req(
        seeds,
        "telesign_status_request",
        &[b"../completion/x", b"12345", b"\x02"],
    );
    req(
        seeds,
        "telesign_completion_request",
        &[REFERENCE_ID.as_bytes()],
    );
    req(
        seeds,
        "telesign_completion_request",
        &[b"0123456789abcdef0123456789abcdeg"],
    );
    req(
        seeds,
        "dotdigital_send_code_request",
        &[
            b"447700900123",
            b"Example",
            b"GBR",
            b"Your code is {{code}}, valid {{validMinutes}} min",
            b"600",
            b"\x0e",
        ],
    );
    req(
        seeds,
        "dotdigital_send_code_request",
        &[
            b"07700900123",
            b"Example",
            b"XXX",
            b"no placeholder",
            b"-5",
            b"\x0f",
        ],
    );
    req(
        seeds,
        "dotdigital_send_code_request",
        &[b"+44 7700", b"A", b"", b"", b"3600", b"\x08"],
    );
    req(
        seeds,
        "dotdigital_validate_code_request",
        &[REQUEST_ID.as_bytes(), b"123456"],
    );
    req(
        seeds,
        "dotdigital_validate_code_request",
        &[REQUEST_ID.as_bytes(), b""],
    );
    req(
        seeds,
        "dotdigital_validate_code_request",
        &[b"0bd57dc3/../validate", b"123456"],
    );
    // The optional SendSms fields the vectors only touch: each side of the
    // 40-character DLT and transaction limits (in characters, not bytes), a
    // lone amount or payee, and the template limit's edges.
    let forty = "d".repeat(40);
    let forty_one = "d".repeat(41);
    let forty_wide = "\u{e9}".repeat(40);
    let template_1600 = format!("$$CODE$${}", "x".repeat(1592));
    let template_1601 = format!("{template_1600}x");
    // phone_number, ucid, originating_ip, language, verify_code, template,
    // sender_id, flags, template_limit, dlt_template_id, dlt_entity_id,
    // transaction_amount, transaction_payee, flags2.
    let sms =
        |template: &str, flags: u8, limit: &str, dlt: [&str; 2], tx: [&str; 2], flags2: u8| {
            let parts: [&[u8]; 14] = [
                b"15555550100",
                b"ATCK",
                b"",
                b"",
                b"12345",
                template.as_bytes(),
                b"",
                // 128 alone means no flags; 0 would be the field separator.
                &[if flags == 0 { 128 } else { flags }],
                limit.as_bytes(),
                dlt[0].as_bytes(),
                dlt[1].as_bytes(),
                tx[0].as_bytes(),
                tx[1].as_bytes(),
                &[flags2],
            ];
            fields(&parts)
        };
    let all = 2 | 4 | 8 | 16;
    for bytes in [
        sms("", 8, "", [&forty, &forty], [&forty, &forty], all | 32 | 64),
        sms(
            "",
            8,
            "",
            [&forty_wide, &forty_wide],
            ["EUR 12.50", "Acme & Sons=1"],
            all | 32,
        ),
        sms("", 8, "", [&forty_one, ""], [&forty_one, ""], 2 | 4 | 8),
        sms("", 0, "", ["", ""], ["", "Acme"], 16),
        sms("", 0, "", ["1107161234567890123", ""], ["EUR 1", ""], 2 | 8),
        sms(&template_1600, 24, "1600", ["", ""], ["", ""], 1),
        sms(&template_1601, 24, "1600", ["", ""], ["", ""], 1),
        sms("$$CODE$$", 24, "0", ["", ""], ["", ""], 1),
        sms("$$CODE$$ in 9", 24, "9", ["", ""], ["", ""], 1),
        sms("$$CODE$$", 24, "1601", ["", ""], ["", ""], 1),
        sms("$$CODE$$", 24, "many", ["", ""], ["", ""], 1 | 32),
    ] {
        j += 1;
        add(
            seeds,
            "telesign_sms_request",
            format!("builtin-{j:02}"),
            bytes,
        );
    }

    let mut k = 0;
    let mut cb = |seeds: &mut Seeds, parts: &[&[u8]]| {
        k += 1;
        add(
            seeds,
            "telesign_callback",
            format!("builtin-{k:02}"),
            fields(parts),
        );
    };
    let tsa = format!("TSA {CUSTOMER_ID}:{REPORT_SIGNATURE}");
    cb(seeds, &[b"", tsa.as_bytes(), REPORT.as_bytes()]);
    cb(
        seeds,
        &[b"\x01", REPORT_SIGNATURE.as_bytes(), REPORT.as_bytes()],
    );
    cb(seeds, &[b"", b"TSA someone-else:abc=", REPORT.as_bytes()]);
    cb(
        seeds,
        &[b"", tsa.as_bytes(), b"{\"reference_id\":\"nope\"}"],
    );
    cb(
        seeds,
        &[
            b"",
            b"B97g3N9lPdVaptvifxRau7bzVAC5hhRBZ6HKXABN744=",
            b"{'test': 123}",
        ],
    );
}

/// Hand-picked neutral `Start` field sets and answers: the edges of each
/// rule, a code dotdigital must refuse, the providers' own placeholder
/// syntaxes, and answers that only the neutral layer reads differently.
fn builtin_neutral(seeds: &mut Seeds) {
    // phone_number, code, template, sender, flags (2 code, 4 template, 8 sender).
    let starts: [&[&[u8]]; 9] = [
        &[
            b"447700900123",
            b"123456",
            b"Your code is {code}",
            b"Example",
            b"\x0e",
        ],
        &[b"15555550100", b"", b"", b"", b"\x01"],
        &[b"1234567", b"123", b"{code}", b"A", b"\x0f"],
        &[
            b"123456789012345",
            b"1234567",
            b"{code}{code}",
            b"",
            b"\x06",
        ],
        &[
            b"1234567890123456",
            b"12345678",
            b"no placeholder",
            b"",
            b"\x07",
        ],
        &[
            b"07700900123",
            b"1234",
            b"Code {{code}} $$CODE$$ {code}",
            b"Example",
            b"\x0e",
        ],
        &[
            b"+44 7700 900123",
            b"abcd",
            b"Ihr Code: {code} \xc3\xa4\xe2\x82\xac",
            b"\xf0\x9f\x98\x80",
            b"\x0f",
        ],
        &[
            b"447700900123",
            b"must be 3 to 7 digits",
            b"{code}",
            b"Sender-Name-Far-Too-Long",
            b"\x0a",
        ],
        &[b"", b"", b"", b"", b""],
    ];
    for (i, parts) in starts.iter().enumerate() {
        add(
            seeds,
            "neutral_start_request",
            format!("builtin-{:02}", i + 1),
            fields(parts),
        );
    }
    let json = vec![("content-type".to_owned(), "application/json".to_owned())];
    let none: Headers = Vec::new();
    let answers: [(u64, &Headers, String); 6] = [
        // A TeleSign send answer without a reference_id.
        (
            200,
            &json,
            r#"{"status":{"code":290,"description":"Message in progress"},"errors":[]}"#.to_owned(),
        ),
        // TeleSign's unknown reference_id.
        (
            404,
            &json,
            ts_body(
                500,
                "Transaction not attempted",
                r#"{"code":-10001,"description":"Invalid Request: reference_id Parameter: 0123"}"#,
                "",
            ),
        ),
        // A bare 404.
        (404, &none, String::new()),
        // A code state neither side knows, with digits in it.
        (
            200,
            &json,
            ts_body(
                200,
                "Delivered to handset",
                "",
                r#","verify":{"code_state":"NEW_STATE_123456","code_entered":"123456"}"#,
            ),
        ),
        // dotdigital: the id is unknown or used up.
        (204, &none, String::new()),
        // dotdigital: a status neither side knows.
        (
            200,
            &json,
            format!(
                r#"{{"requestId":"{REQUEST_ID}","phoneNumber":"447700900123","status":"Code123456","numberStatus":"On","created":"2024-05-01T10:00:00Z"}}"#
            ),
        ),
    ];
    for (i, (status, headers, body)) in answers.iter().enumerate() {
        add(
            seeds,
            "neutral_response",
            format!("builtin-{:02}", i + 1),
            response(*status, headers, body.as_bytes()),
        );
    }
}

/// Hand-picked `VerificationId` texts and JSON, and neutral `Check` field
/// sets: both providers, both letter cases, the documented JSON form and
/// its near misses, ids that try to leave their path, and each side of each
/// provider's code rule.
fn builtin_ids(seeds: &mut Seeds) {
    let ts = format!("telesign:{REFERENCE_ID}");
    let dd = format!("dotdigital:{REQUEST_ID}");
    let ids: Vec<String> = vec![
        ts.clone(),
        format!("telesign:{}", REFERENCE_ID.to_lowercase()),
        dd.clone(),
        format!("dotdigital:{}", REQUEST_ID.to_uppercase()),
        format!(r#"{{"provider":"telesign","id":"{REFERENCE_ID}"}}"#),
        format!(r#"{{"provider":"dotdigital","id":"{REQUEST_ID}"}}"#),
        format!(r#"{{"id":"{REFERENCE_ID}","provider":"telesign"}}"#),
        format!(r#"["dotdigital","{REQUEST_ID}"]"#),
        format!(r#"{{"provider":"telesign","id":"{REQUEST_ID}"}}"#),
        format!(r#"{{"provider":"TeleSign","id":"{REFERENCE_ID}"}}"#),
        format!(r#"{{"provider":"telesign","id":"{REFERENCE_ID}","extra":1}}"#),
        r#"{"provider":"dotdigital","id":"0bd57dc3/../validate"}"#.to_owned(),
        format!("TeleSign:{REFERENCE_ID}"),
        format!("{ts}:x"),
        format!("{dd}-0000"),
        "dotdigital:0bd57dc3/../validate".to_owned(),
        format!("telesign:{}", "\u{661}".repeat(32)),
        "telesign".to_owned(),
        String::new(),
    ];
    for (i, id) in ids.iter().enumerate() {
        add(
            seeds,
            "verification_id",
            format!("builtin-{:02}", i + 1),
            id.clone().into_bytes(),
        );
    }
    // id, code, flags (1 backup, 2 a dotdigital id when `id` does not parse).
    let checks: [(&str, &str, u8); 16] = [
        (&ts, "12345", 0),
        (&ts, "123", 1),
        (&ts, "1234567", 0),
        (&ts, "12345678", 0),
        (&ts, "12a45", 0),
        (&ts, "", 1),
        (&dd, "123456", 0),
        (&dd, "AbC123", 1),
        (&dd, "a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4", 0),
        (&dd, "a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e", 0),
        (&dd, "12 34", 0),
        (&dd, "\u{e9}123", 0),
        (&dd, "", 0),
        ("nope", "12345", 0),
        ("nope", "123456", 2),
        ("dotdigital:0bd57dc3/../validate", "\"}", 3),
    ];
    for (i, (id, code, flags)) in checks.iter().enumerate() {
        add(
            seeds,
            "neutral_check_request",
            format!("builtin-{:02}", i + 1),
            fields(&[id.as_bytes(), code.as_bytes(), &[*flags]]),
        );
    }
}

/// Adds a seed unless the target already has one with the same bytes.
fn add_new(seeds: &mut Seeds, target: &'static str, name: String, bytes: Vec<u8>) {
    let known = seeds
        .get(target)
        .is_some_and(|m| m.values().any(|b| *b == bytes));
    if !known {
        add(seeds, target, name, bytes);
    }
}

/// The neutral template for a provider's own: `$$CODE$$` and `{{code}}`
/// become `{code}`.
fn neutral_template(template: &str) -> String {
    template
        .replace("$$CODE$$", "{code}")
        .replace("{{code}}", "{code}")
}

/// Seeds from a vector file of `{"cases": [..]}`, by each case's operation:
/// - its input, as a seed of the operation's request target (encoded as that
///   check decodes it, fields the target cannot set left out), and for a send
///   also as a neutral start (its fields renamed, its template made neutral);
/// - its answer (`response.status`, `.headers` as a list of pairs or an
///   object, `.body_json` or `.body`), as a seed of the operation's response
///   target and of `neutral_response`.
///
/// A request seed identical to one the target already has is left out (the
/// answer vectors repeat one input many times).
fn from_cases(prefix: &str, value: &Value, seeds: &mut Seeds) {
    let Some(cases) = value.get("cases").and_then(Value::as_array) else {
        return;
    };
    for (i, case) in cases.iter().enumerate() {
        let name = format!("{prefix}-{:03}", i + 1);
        let operation = s(case, "operation").unwrap_or("");
        let backup = s(case, "role") == Some("backup");
        if let Some(input) = case.get("input") {
            if let Some((target, bytes)) = request_seed(operation, input, backup) {
                add_new(seeds, target, name.clone(), bytes);
            }
            if let Some((provider, id)) = verification_id(operation, input) {
                // The JSON form, with the id escaped as the vector may hold anything.
                let json = format!(r#"{{"provider":"{provider}","id":{}}}"#, Value::from(id));
                let id = format!("{provider}:{id}");
                add_new(
                    seeds,
                    "verification_id",
                    name.clone(),
                    id.clone().into_bytes(),
                );
                add_new(
                    seeds,
                    "verification_id",
                    format!("{name}-json"),
                    json.into_bytes(),
                );
                let code = s(input, "verify_code").or(s(input, "code"));
                if let Some(code) = code {
                    add_new(
                        seeds,
                        "neutral_check_request",
                        name.clone(),
                        fields(&[id.as_bytes(), code.as_bytes(), &[u8::from(backup)]]),
                    );
                }
            }
            if matches!(operation, "telesign.sms" | "dotdigital.send") {
                add(
                    seeds,
                    "neutral_start_request",
                    name.clone(),
                    neutral_start(case, input),
                );
            }
        }
        let Some(answer) = case.get("response") else {
            continue;
        };
        let Some(status) = answer.get("status").and_then(Value::as_u64) else {
            continue;
        };
        let body = match (answer.get("body_json"), answer.get("body")) {
            (Some(json), _) => json.to_string(),
            (None, Some(Value::String(text))) => text.clone(),
            (None, Some(other)) => other.to_string(),
            (None, None) => String::new(),
        };
        let headers: Headers = match answer.get("headers") {
            Some(Value::Array(pairs)) => pairs
                .iter()
                .filter_map(|p| {
                    let p = p.as_array()?;
                    Some((
                        p.first()?.as_str()?.to_owned(),
                        p.get(1)?.as_str()?.to_owned(),
                    ))
                })
                .collect(),
            Some(Value::Object(map)) => map
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect(),
            _ => Vec::new(),
        };
        let bytes = response(status, &headers, body.as_bytes());
        if let Some(target) = response_target(operation) {
            add(seeds, target, name.clone(), bytes.clone());
        }
        add(seeds, "neutral_response", name, bytes);
    }
}

/// The provider and id of the verification an operation's input names, if
/// any (the parts of a `VerificationId`, which may not be valid).
fn verification_id<'a>(operation: &str, input: &'a Value) -> Option<(&'static str, &'a str)> {
    match operation {
        "telesign.status" | "telesign.completion" => Some(("telesign", s(input, "reference_id")?)),
        "dotdigital.validate" => Some(("dotdigital", s(input, "request_id")?)),
        _ => None,
    }
}

/// The response target that parses the answers to `operation`.
fn response_target(operation: &str) -> Option<&'static str> {
    Some(match operation {
        "telesign.sms" | "telesign.call" => "telesign_send_response",
        "telesign.status" | "telesign.completion" => "telesign_status_response",
        "dotdigital.send" => "dotdigital_send_code_response",
        "dotdigital.validate" => "dotdigital_validate_code_response",
        _ => return None,
    })
}

/// A send's input as a neutral start: `phone_number, code, template, sender,
/// flags` (`checks::neutral_start_request`).
fn neutral_start(case: &Value, input: &Value) -> Vec<u8> {
    let phone = s(input, "phone_number").or(s(input, "to")).unwrap_or("");
    let code = s(input, "verify_code");
    let template = s(input, "template")
        .or(s(input, "body"))
        .map(neutral_template);
    let sender = s(input, "sender_id").or(s(input, "from"));
    let flags = u8::from(code.is_some()) << 1
        | u8::from(template.is_some()) << 2
        | u8::from(sender.is_some()) << 3
        | u8::from(s(case, "role") == Some("backup"));
    fields(&[
        phone.as_bytes(),
        code.unwrap_or("").as_bytes(),
        template.as_deref().unwrap_or("").as_bytes(),
        sender.unwrap_or("").as_bytes(),
        &[flags],
    ])
}

/// An operation's input as a seed of its request target, in the field order
/// and flag bits of that target's check (`checks::telesign_sms_request` and
/// the rest). Flag bit 1 is the backup role; the others say which optional
/// field is set, so an absent field and an empty one stay apart.
fn request_seed(operation: &str, input: &Value, backup: bool) -> Option<(&'static str, Vec<u8>)> {
    let field = |key: &str| s(input, key).unwrap_or("").as_bytes().to_vec();
    let bit = |key: &str, bit: u8| if input.get(key).is_some() { bit } else { 0 };
    let role = u8::from(backup);
    Some(match operation {
        "telesign.sms" => {
            let is_primary = match input.get("is_primary").and_then(Value::as_bool) {
                Some(true) => 64 | 128,
                Some(false) => 64,
                None => 0,
            };
            let flags = role
                | bit("originating_ip", 2)
                | bit("language", 4)
                | bit("verify_code", 8)
                | bit("template", 16)
                | bit("sender_id", 32)
                | is_primary;
            let sim_swap_check = match input.get("sim_swap_check").and_then(Value::as_bool) {
                Some(true) => 32 | 64,
                Some(false) => 32,
                None => 0,
            };
            let flags2 = bit("template_limit", 1)
                | bit("dlt_template_id", 2)
                | bit("dlt_entity_id", 4)
                | bit("transaction_amount", 8)
                | bit("transaction_payee", 16)
                | sim_swap_check;
            // Fields follow `flags`, so it must not be 0, the separator: 128
            // alone (an `is_primary` value without its bit) means no flags.
            let flags = if flags == 0 { 128 } else { flags };
            // A number in the vectors, a decimal text in the seed.
            let template_limit = input
                .get("template_limit")
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .unwrap_or_default();
            (
                "telesign_sms_request",
                fields(&[
                    &field("phone_number"),
                    &field("ucid"),
                    &field("originating_ip"),
                    &field("language"),
                    &field("verify_code"),
                    &field("template"),
                    &field("sender_id"),
                    &[flags],
                    template_limit.as_bytes(),
                    &field("dlt_template_id"),
                    &field("dlt_entity_id"),
                    &field("transaction_amount"),
                    &field("transaction_payee"),
                    &[flags2],
                ]),
            )
        }
        "telesign.call" => {
            let flags = role
                | bit("originating_ip", 2)
                | bit("language", 4)
                | bit("verify_code", 8)
                | bit("tts_message", 16);
            (
                "telesign_call_request",
                fields(&[
                    &field("phone_number"),
                    &field("ucid"),
                    &field("originating_ip"),
                    &field("language"),
                    &field("verify_code"),
                    &field("tts_message"),
                    &[flags],
                ]),
            )
        }
        "telesign.status" => (
            "telesign_status_request",
            fields(&[
                &field("reference_id"),
                &field("verify_code"),
                &[role | bit("verify_code", 2)],
            ]),
        ),
        "telesign.completion" => (
            "telesign_completion_request",
            fields(&[&field("reference_id")]),
        ),
        "dotdigital.send" => {
            let offset = match (s(input, "valid_until"), s(input, "now")) {
                (Some(until), Some(now)) => Some(offset_seconds(until, now)?),
                _ => None,
            };
            let flags = role
                | bit("country_iso_code", 2)
                | bit("body", 4)
                | if offset.is_some() { 8 } else { 0 };
            (
                "dotdigital_send_code_request",
                fields(&[
                    &field("to"),
                    &field("from"),
                    &field("country_iso_code"),
                    &field("body"),
                    offset.map(|o| o.to_string()).unwrap_or_default().as_bytes(),
                    &[flags],
                ]),
            )
        }
        "dotdigital.validate" => (
            "dotdigital_validate_code_request",
            fields(&[&field("request_id"), &field("code")]),
        ),
        _ => return None,
    })
}

/// `until - now` in whole seconds, rounded away from zero so that a time a
/// millisecond past a limit (or before `now`) stays past it.
fn offset_seconds(until: &str, now: &str) -> Option<i64> {
    let ms = millis(until)? - millis(now)?;
    Some(if ms >= 0 {
        (ms + 999) / 1000
    } else {
        -((-ms + 999) / 1000)
    })
}

/// Milliseconds since the epoch of `YYYY-MM-DDTHH:MM:SS[.fff]Z`.
fn millis(t: &str) -> Option<i64> {
    let t = t.strip_suffix('Z')?;
    let (date, time) = t.split_once('T')?;
    let mut d = date.splitn(3, '-').map(str::parse::<i64>);
    let (y, m, day) = (d.next()?.ok()?, d.next()?.ok()?, d.next()?.ok()?);
    let (time, frac) = time.split_once('.').unwrap_or((time, "0"));
    let mut h = time.splitn(3, ':').map(str::parse::<i64>);
    let (hh, mm, ss) = (h.next()?.ok()?, h.next()?.ok()?, h.next()?.ok()?);
    let frac: String = frac.chars().chain("000".chars()).take(3).collect();
    let ms: i64 = frac.parse().ok()?;
    // Days from 1970-01-01 in the proleptic Gregorian calendar.
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 24 + hh) * 60 + mm) * 60_000 + ss * 1000 + ms)
}

fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// Walks a vector file and turns every signing and callback vector into
/// seeds (the `cases` files are read by [`from_cases`]).
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
        // A Basic-auth vector: credentials and their header, no request.
        if let (None, Some(customer_id), Some(key), Some(_)) = (
            s(v, "method"),
            s(v, "customer_id"),
            s(v, "api_key"),
            s(v, "authorization"),
        ) {
            add(
                seeds,
                "telesign_signing",
                name.clone(),
                fields(&[
                    b"GET",
                    b"",
                    b"Wed, 14 Dec 2016 18:20:12 GMT",
                    b"A1592C6F-E384-4CDB-BC42-C3AB970369E9",
                    b"",
                    format!("/v1/verify/{REFERENCE_ID}").as_bytes(),
                    customer_id.as_bytes(),
                    key.as_bytes(),
                ]),
            );
        }
        // A callback vector: a raw body and its signature, no request line,
        // in each header form `checks::telesign_callback` decodes (mode 0:
        // `Authorization`, 1: `X-TS-Authorization`; `TSA id:sig` or bare).
        if let (None, Some(body), Some(sig)) = (s(v, "method"), s(v, "body"), s(v, "signature")) {
            let tsa = format!("TSA {CUSTOMER_ID}:{sig}");
            for (form, mode, value) in [
                ("a", &b""[..], tsa.as_str()),
                ("b", b"\x01", tsa.as_str()),
                ("c", b"", sig),
                ("d", b"\x01", sig),
            ] {
                add(
                    seeds,
                    "telesign_callback",
                    format!("{name}{form}"),
                    fields(&[mode, value.as_bytes(), body.as_bytes()]),
                );
            }
        }
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
