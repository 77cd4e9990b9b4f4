//! `verify segments`: how many SMS a text is sent as, and the warning the
//! SMS sends give when their template takes more than one.
//!
//! The counting is the core's ([`verify_ureq::neutral::segments`]); this
//! module puts a stand-in code where the placeholders are and names the
//! characters that forced UCS-2.

use serde_json::json;
use verify_ureq::neutral::{self, Encoding, Segments};
use verify_ureq::{dotdigital, telesign};

use crate::cli::SegmentsArgs;
use crate::failure::Failure;
use crate::render::Rendered;

/// The length of the code TeleSign generates, for `$$CODE$$`.
pub const TELESIGN_CODE_LENGTH: usize = 7;
/// The length of the code dotdigital generates, for `{{code}}`.
pub const DOTDIGITAL_CODE_LENGTH: usize = 6;
/// The length counted for the neutral `{code}`: a neutral template can go
/// to TeleSign (the default primary), whose code is the longer one, so the
/// count is never below what is sent.
pub const NEUTRAL_CODE_LENGTH: usize = TELESIGN_CODE_LENGTH;
/// dotdigital's validity placeholder: at most 30 minutes, so 2 digits.
const VALID_MINUTES_PLACEHOLDER: &str = "{{validMinutes}}";
const VALID_MINUTES_STAND_IN: &str = "30";
/// The code lengths `--code-length` accepts: the widest any provider takes
/// (TeleSign's Verify API, 3 to 10 digits).
const CODE_LENGTHS: std::ops::RangeInclusive<usize> = 3..=10;

/// How many of the characters that forced UCS-2 a warning names.
const WARNING_CHARACTERS: usize = 8;

/// A text measured as SMS.
pub struct Measured {
    /// The core's count.
    pub segments: Segments,
    /// The characters GSM-7 cannot carry, once each, in order of appearance.
    pub ucs2_characters: Vec<char>,
}

/// Measures `text` as it is sent.
pub fn measure(text: &str) -> Measured {
    let segments = neutral::segments(text);
    let mut ucs2_characters = Vec::new();
    if segments.encoding == Encoding::Ucs2 {
        let mut buf = [0u8; 4];
        for c in text.chars() {
            let alone = neutral::segments(c.encode_utf8(&mut buf));
            if alone.encoding == Encoding::Ucs2 && !ucs2_characters.contains(&c) {
                ucs2_characters.push(c);
            }
        }
    }
    Measured {
        segments,
        ucs2_characters,
    }
}

/// `text` with a stand-in code (`0` repeated) in every code placeholder:
/// `code_length` digits when given, else each provider's own length.
pub fn with_stand_ins(text: &str, code_length: Option<usize>) -> String {
    let code = |default: usize| "0".repeat(code_length.unwrap_or(default));
    // `{{code}}` first: it contains the neutral `{code}`.
    text.replace(dotdigital::CODE_PLACEHOLDER, &code(DOTDIGITAL_CODE_LENGTH))
        .replace(VALID_MINUTES_PLACEHOLDER, VALID_MINUTES_STAND_IN)
        .replace(telesign::CODE_PLACEHOLDER, &code(TELESIGN_CODE_LENGTH))
        .replace(neutral::CODE_PLACEHOLDER, &code(NEUTRAL_CODE_LENGTH))
}

/// The encoding's name for humans, and for JSON.
fn encoding_names(e: Encoding) -> (&'static str, &'static str) {
    match e {
        Encoding::Gsm7 => ("GSM-7", "gsm7"),
        Encoding::Ucs2 => ("UCS-2", "ucs2"),
    }
}

/// The unit a length is counted in.
fn unit(e: Encoding) -> &'static str {
    match e {
        Encoding::Gsm7 => "septets",
        Encoding::Ucs2 => "UTF-16 code units",
    }
}

/// The stderr warning for a template that takes more than one SMS once
/// `code_length` digits replace its code placeholder; `None` for one SMS.
pub fn warning(template: &str, code_length: Option<usize>) -> Option<String> {
    let measured = measure(&with_stand_ins(template, code_length));
    let s = measured.segments;
    if s.segments <= 1 {
        return None;
    }
    let mut text = format!(
        "the template takes {} SMS segments ({}, {} {} with the code in it); each segment is usually billed as one SMS",
        s.segments,
        encoding_names(s.encoding).0,
        s.characters,
        unit(s.encoding),
    );
    let forcing = &measured.ucs2_characters;
    if !forcing.is_empty() {
        let shown = &forcing[..forcing.len().min(WARNING_CHARACTERS)];
        text.push_str(&format!("; UCS-2 because of {}", quoted(shown)));
        if forcing.len() > shown.len() {
            text.push_str(&format!(" and {} more", forcing.len() - shown.len()));
        }
    }
    text.push_str(" (see `verify segments`)");
    Some(text)
}

/// The characters, each quoted, comma-separated.
fn quoted(chars: &[char]) -> String {
    chars
        .iter()
        .map(|c| format!("{c:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `verify segments`.
pub fn run(args: &SegmentsArgs, json_mode: bool) -> Result<(), Failure> {
    if let Some(n) = args.code_length
        && !CODE_LENGTHS.contains(&n)
    {
        return Err(Failure::usage(
            "--code-length",
            format!(
                "must be {} to {} digits",
                CODE_LENGTHS.start(),
                CODE_LENGTHS.end()
            ),
        ));
    }
    let measured = measure(&with_stand_ins(&args.text, args.code_length));
    render(&measured).print(json_mode);
    Ok(())
}

/// A measured text, both ways.
fn render(m: &Measured) -> Rendered {
    let s = m.segments;
    let (name, key) = encoding_names(s.encoding);
    let mut lines = vec![
        format!("encoding: {name}"),
        format!("units:    {} {}", s.characters, unit(s.encoding)),
        format!("segments: {}", s.segments),
    ];
    if !m.ucs2_characters.is_empty() {
        lines.push(format!("ucs2_characters: {}", quoted(&m.ucs2_characters)));
    }
    Rendered {
        lines,
        json: json!({
            "encoding": key,
            "units": s.characters,
            "segments": s.segments,
            "ucs2_characters": m.ucs2_characters.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_placeholder_stands_for_its_providers_code() {
        assert_eq!(with_stand_ins("$$CODE$$", None), "0000000");
        assert_eq!(with_stand_ins("{{code}}", None), "000000");
        assert_eq!(with_stand_ins("{code}", None), "0000000");
        assert_eq!(
            with_stand_ins("{{code}} {{validMinutes}}", Some(4)),
            "0000 30"
        );
        assert_eq!(with_stand_ins("{code} $$CODE$$", Some(3)), "000 000");
    }

    #[test]
    fn ucs2_characters_are_named_once_in_order() {
        let m = measure("ć a 😀 ć € Ж");
        assert_eq!(m.segments.encoding, Encoding::Ucs2);
        assert_eq!(m.ucs2_characters, ['ć', '😀', 'Ж']);
        assert!(measure("é € [").ucs2_characters.is_empty());
    }

    #[test]
    fn one_segment_gives_no_warning() {
        assert_eq!(warning("Your code is $$CODE$$", None), None);
        let fits = format!("{} $$CODE$$", "a".repeat(152));
        assert_eq!(warning(&fits, None), None, "160 septets: one SMS");
        let long = format!("{} $$CODE$$", "a".repeat(153));
        let w = warning(&long, None).expect("161 septets: 2 segments");
        assert!(w.contains("2 SMS segments") && w.contains("GSM-7"), "{w}");
        let w = warning(&format!("Код {{code}} {}", "ж".repeat(70)), None).unwrap();
        assert!(w.contains("UCS-2 because of 'К', 'о', 'д', 'ж'"), "{w}");
        let many: String = ('а'..='я').collect::<String>().repeat(3);
        let w = warning(&many, None).unwrap();
        assert!(w.contains("'з' and 24 more"), "{w}");
    }
}
