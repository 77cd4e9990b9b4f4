//! `verify segments`, at the boundaries, and the warning SMS sends give
//! when a template takes more than one segment.

mod common;

use common::*;

/// `verify --json segments <text> [extra...]`: (encoding, units, segments).
fn measure(text: &str, extra: &[&str]) -> (String, u64, u64) {
    let mut args = vec!["--json", "segments", text];
    args.extend(extra);
    let out = verify(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let v = json(&out);
    (
        v["encoding"].as_str().unwrap().to_owned(),
        v["units"].as_u64().unwrap(),
        v["segments"].as_u64().unwrap(),
    )
}

#[test]
fn gsm7_boundaries_160_and_153_per_part() {
    for (n, segments) in [(160, 1), (161, 2), (306, 2), (307, 3)] {
        let text = "x".repeat(n);
        assert_eq!(
            measure(&text, &[]),
            ("gsm7".to_owned(), n as u64, segments),
            "{n} characters"
        );
    }
}

#[test]
fn ucs2_boundaries_70_and_67_per_part() {
    for (n, segments) in [(70, 1), (71, 2), (134, 2), (135, 3)] {
        let text = "ж".repeat(n);
        assert_eq!(
            measure(&text, &[]),
            ("ucs2".to_owned(), n as u64, segments),
            "{n} characters"
        );
    }
}

#[test]
fn gsm7_extension_characters_count_two_units() {
    assert_eq!(measure("€", &[]), ("gsm7".to_owned(), 2, 1));
    assert_eq!(measure("[x]", &[]), ("gsm7".to_owned(), 5, 1));
    assert_eq!(measure(&"€".repeat(80), &[]), ("gsm7".to_owned(), 160, 1));
    assert_eq!(measure(&"[".repeat(81), &[]), ("gsm7".to_owned(), 162, 2));
}

#[test]
fn the_characters_that_forced_ucs2_are_named() {
    let out = verify(&["--json", "segments", "Code: 123 – ok 😀 é"]);
    let v = json(&out);
    assert_eq!(v["encoding"], "ucs2");
    // é is in GSM 03.38; the en dash and the emoji are not (the emoji is
    // two UTF-16 units).
    assert_eq!(v["ucs2_characters"], serde_json::json!(["–", "😀"]));
    assert_eq!(v["units"], 19);
    assert_eq!(v["ok"], true);

    let out = verify(&["segments", "Your code is 1234"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout(&out),
        "encoding: GSM-7\nunits:    17 septets\nsegments: 1\n"
    );
    let out = verify(&["segments", "Код 1234"]);
    let text = stdout(&out);
    assert!(text.contains("encoding: UCS-2"), "{text}");
    assert!(text.contains("ucs2_characters: 'К', 'о', 'д'"), "{text}");
    assert_eq!(
        json(&verify(&["--json", "segments", "ok"]))["ucs2_characters"],
        serde_json::json!([])
    );
}

#[test]
fn placeholders_count_as_the_providers_code() {
    // $$CODE$$ (TeleSign) as 7 digits: 153 + 7 = 160 fits one SMS.
    let telesign = |n: usize| format!("{}$$CODE$$", "a".repeat(n));
    assert_eq!(measure(&telesign(153), &[]).1, 160);
    assert_eq!(measure(&telesign(153), &[]).2, 1);
    assert_eq!(measure(&telesign(154), &[]).2, 2);
    // {{code}} (dotdigital) as 6, the neutral {code} as 7.
    assert_eq!(
        measure(&format!("{}{{{{code}}}}", "a".repeat(154)), &[]).2,
        1
    );
    assert_eq!(measure(&format!("{}{{code}}", "a".repeat(154)), &[]).2, 2);
    assert_eq!(measure("{{code}} valid {{validMinutes}} min", &[]).1, 19);
    // --code-length for every placeholder.
    assert_eq!(
        measure("$$CODE$$ {{code}} {code}", &["--code-length", "4"]).1,
        14
    );
    assert_eq!(measure(&telesign(154), &["--code-length", "6"]).2, 1);

    for bad in ["2", "11"] {
        let out = verify(&["--json", "segments", "x", "--code-length", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(names(&json_problems(&out), "--code-length"));
    }
}

#[test]
fn sends_warn_when_the_template_takes_more_than_one_segment() {
    let sb = sandbox();
    let base = sb.base_url();
    // TeleSign: 64 UCS-2 characters and a 7-digit code, two segments.
    let long = format!("{}$$CODE$$", "ж".repeat(64));
    let mut args = vec![
        "telesign",
        "send",
        "--to",
        "15555550190",
        "--template",
        &long,
    ];
    args.extend(telesign_args(&sb, &base));
    let out = verify(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.starts_with(
            "warning: the template takes 2 SMS segments (UCS-2, 71 UTF-16 code units with the code in it)"
        ) && err.contains("UCS-2 because of 'ж'"),
        "{err}"
    );
    assert_eq!(
        sb.messages_to("15555550190").len(),
        1,
        "a warning, not a refusal"
    );

    // One segment: no warning.
    let mut args = vec![
        "telesign",
        "send",
        "--to",
        "15555550191",
        "--template",
        "Code: $$CODE$$",
    ];
    args.extend(telesign_args(&sb, &base));
    let out = verify(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));

    // dotdigital: Cyrillic makes it UCS-2, and the warning says why.
    let body = format!(
        "Ваш код {{{{code}}}}. {}",
        "Никому его не сообщайте.".repeat(3)
    );
    let mut args = vec![
        "--json",
        "dotdigital",
        "send",
        "--to",
        "447700900190",
        "--from",
        "Demo",
        "--body",
        &body,
        "--base-url",
        &base,
    ];
    args.extend(dotdigital_args(&sb));
    let out = verify(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.starts_with("warning: the template takes 2 SMS segments (UCS-2")
            && err.contains("UCS-2 because of 'В', 'а', 'ш'"),
        "{err}"
    );
    assert_eq!(json(&out)["ok"], true, "stdout stays one JSON object");

    // The neutral start, TeleSign primary: {code} counts 7 digits, so 64
    // UCS-2 characters and the code take two segments.
    let template = format!("{}{{code}}", "ж".repeat(64));
    let mut args = vec!["start", "--to", "15555550192", "--template", &template];
    args.extend(telesign_args(&sb, &base));
    let out = verify(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("warning: the template takes 2 SMS segments"),
        "{}",
        stderr(&out)
    );

    // Invalid input: the problems only, no warning.
    let mut args = vec!["telesign", "send", "--to", "+1", "--template", &long];
    args.extend(telesign_args(&sb, &base));
    let out = verify(&args);
    assert_eq!(out.status.code(), Some(2));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
}
