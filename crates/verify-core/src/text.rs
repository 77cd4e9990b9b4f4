//! Text from a provider, made safe to print: short, printable, and with
//! anything that could be a code or a phone number masked.

use std::fmt;

/// A short, printable and secret-free excerpt of a response body.
///
/// At most [`Excerpt::MAX_CHARS`] characters; control characters are replaced
/// and every run of three or more digits is masked, so a one-time code or a
/// phone number echoed by a provider or a proxy never reaches a log.
#[derive(Clone, PartialEq, Eq)]
pub struct Excerpt(String);

impl Excerpt {
    /// The longest excerpt kept, in characters.
    pub const MAX_CHARS: usize = 160;

    /// Builds an excerpt from raw body bytes (any bytes, any length).
    pub fn new(body: &[u8]) -> Self {
        // Never look at more than a few times what is kept.
        let head = &body[..body.len().min(Self::MAX_CHARS * 4)];
        Self::from_text(&String::from_utf8_lossy(head))
    }

    /// Builds an excerpt from text: see [`provider_text`].
    fn from_text(text: &str) -> Self {
        Self(provider_text(text).trim().to_owned())
    }

    /// The excerpt with every form of `secrets` removed (see
    /// [`Secrets::scrub`](crate::redact::Secrets::scrub)).
    pub fn redact(&mut self, secrets: &crate::redact::Secrets) {
        if !secrets.is_empty() {
            self.0 = secrets.scrub(&self.0);
        }
    }

    /// The excerpt as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Excerpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Excerpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Text a provider sent (a description, an unknown enum value, a body
/// excerpt), made safe to print: at most [`Excerpt::MAX_CHARS`] characters
/// (then `…`), control characters replaced by spaces, and every run of three
/// or more digits masked.
///
/// Credentials go first, before anything is cut: the value of every
/// `Authorization`-like header or field a page echoes (`Authorization`,
/// `Proxy-Authorization`, `X-TS-Authorization`, `X-Api-Key`, `Cookie`,
/// `password`...) and every `Basic`, `Bearer` or `TSA` token read as
/// `[redacted]` ([`strip_credentials`]).
pub fn provider_text(text: &str) -> String {
    // Most provider text is short, printable and digit-free enough to keep
    // as it is: one copy, no masking pass.
    if text.len() <= Excerpt::MAX_CHARS && !needs_masking(text) && !has_credential_marker(text) {
        return text.to_owned();
    }
    // Never look at more than a few times what is kept.
    let head = match text.char_indices().nth(Excerpt::MAX_CHARS * 4) {
        Some((end, _)) => &text[..end],
        None => text,
    };
    let stripped = strip_credentials(head);
    let text = stripped.as_str();
    let mut out = String::with_capacity(text.len().min(Excerpt::MAX_CHARS + 4));
    for (taken, c) in text.chars().enumerate() {
        if taken == Excerpt::MAX_CHARS {
            out.push('…');
            break;
        }
        out.push(if c.is_control() { ' ' } else { c });
    }
    mask_digit_runs(&out)
}

/// Header and field names whose value is a credential, lower case.
const CREDENTIAL_NAMES: &[&str] = &[
    "proxy-authorization",
    "x-ts-authorization",
    "authorization",
    "x-api-key",
    "api-key",
    "api_key",
    "apikey",
    "x-auth-token",
    "set-cookie",
    "cookie",
    "password",
    "passwd",
    "secret",
];

/// Authentication schemes whose next word is a credential, lower case.
const CREDENTIAL_SCHEMES: &[&str] = &["basic", "bearer", "tsa", "digest"];

/// The first bytes of `CREDENTIAL_NAMES` and `CREDENTIAL_SCHEMES` (lower
/// case, as they are written).
const MARKER_FIRST_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < CREDENTIAL_NAMES.len() {
        table[CREDENTIAL_NAMES[i].as_bytes()[0] as usize] = true;
        i += 1;
    }
    let mut i = 0;
    while i < CREDENTIAL_SCHEMES.len() {
        table[CREDENTIAL_SCHEMES[i].as_bytes()[0] as usize] = true;
        i += 1;
    }
    table
};

/// Whether `text` may hold a credential [`strip_credentials`] removes.
///
/// Read in place, without a lower-case copy: provider text is read on every
/// answer (a status's description), and most of it holds no marker.
fn has_credential_marker(text: &str) -> bool {
    let bytes = text.as_bytes();
    (0..bytes.len()).any(|i| {
        let rest = &bytes[i..];
        // Most positions start no name and no scheme: one table look-up.
        if !MARKER_FIRST_BYTES[usize::from(rest[0].to_ascii_lowercase())] {
            return false;
        }
        let starts = |word: &str| {
            rest.len() >= word.len() && rest[..word.len()].eq_ignore_ascii_case(word.as_bytes())
        };
        CREDENTIAL_NAMES.iter().any(|n| starts(n))
            || CREDENTIAL_SCHEMES
                .iter()
                .any(|s| starts(s) && rest.get(s.len()) == Some(&b' '))
    })
}

/// Removes the credentials a page can echo, without knowing them: the value
/// of every `Authorization`-like header or field (a name of
/// `CREDENTIAL_NAMES` followed by `:` or `=`, quotes and spaces allowed
/// around it; the value runs to the end of the line, the closing quote or
/// the next `<`), and the word after `Basic`, `Bearer`, `Digest` or `TSA`.
///
/// ```
/// use verify_core::text::strip_credentials;
/// assert_eq!(
///     strip_credentials("Host: x\r\nAuthorization: Basic dXNlcjpwYXNz\r\nAccept: */*"),
///     "Host: x\r\nAuthorization: [redacted]\r\nAccept: */*"
/// );
/// assert_eq!(
///     strip_credentials(r#"{"X-Api-Key": "k3y", "a": 1} sent Bearer abc.def"#),
///     r#"{"X-Api-Key": "[redacted]", "a": 1} sent Bearer [redacted]"#
/// );
/// ```
pub fn strip_credentials(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let bytes = text.as_bytes();
    // Byte ranges to replace, in order, not overlapping.
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let name = CREDENTIAL_NAMES
            .iter()
            .find(|n| lower[i..].starts_with(*n))
            // A whole word: not the tail of a longer name.
            .filter(|_| i == 0 || !is_name_byte(bytes[i - 1]));
        if let Some(name) = name {
            let mut j = i + name.len();
            while j < bytes.len() && matches!(bytes[j], b' ' | b'\t' | b'"' | b'\'') {
                j += 1;
            }
            if j < bytes.len() && matches!(bytes[j], b':' | b'=') {
                j += 1;
                while j < bytes.len() && matches!(bytes[j], b' ' | b'\t') {
                    j += 1;
                }
                let quote = bytes.get(j).copied().filter(|q| matches!(q, b'"' | b'\''));
                let start = if quote.is_some() { j + 1 } else { j };
                let mut end = start;
                while end < bytes.len() {
                    let b = bytes[end];
                    let stop = match quote {
                        Some(q) => b == q || b == b'\n' || b == b'\r',
                        None => matches!(b, b'\n' | b'\r' | b'<'),
                    };
                    if stop {
                        break;
                    }
                    end += 1;
                }
                if end > start {
                    cuts.push((start, end));
                }
                i = end.max(i + 1);
                continue;
            }
        }
        let scheme = CREDENTIAL_SCHEMES.iter().find(|s| {
            lower[i..].starts_with(*s)
                && bytes.get(i + s.len()) == Some(&b' ')
                && (i == 0 || !is_name_byte(bytes[i - 1]))
        });
        if let Some(scheme) = scheme {
            let start = i + scheme.len() + 1;
            let mut end = start;
            while end < bytes.len() && is_token_byte(bytes[end]) {
                end += 1;
            }
            if end > start {
                cuts.push((start, end));
            }
            i = end.max(i + 1);
            continue;
        }
        i += 1;
        while i < bytes.len() && !text.is_char_boundary(i) {
            i += 1;
        }
    }
    if cuts.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in cuts {
        out.push_str(&text[at..start]);
        out.push_str("[redacted]");
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_')
}

/// A byte of a credential token: base64 (both alphabets), a TSA
/// `id:signature`, a bearer token.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'+' | b'/' | b'=' | b'-' | b'_' | b'.' | b':' | b'~' | b'%'
        )
}

/// Whether [`provider_text`] would change `text` beyond its length: a
/// control character, or three digits in a row (separators included).
fn needs_masking(text: &str) -> bool {
    let mut digits = 0;
    let mut after_separator = false;
    for c in text.chars() {
        if c.is_control() {
            return true;
        }
        if c.is_ascii_digit() {
            digits += 1;
            after_separator = false;
            if digits >= 3 {
                return true;
            }
        } else if matches!(c, ' ' | '-' | '.') && digits > 0 && !after_separator {
            after_separator = true;
        } else {
            digits = 0;
            after_separator = false;
        }
    }
    false
}

/// Replaces every run of three or more ASCII digits with `***`, counting
/// digits split by single separators (a space, `-` or `.`) as one run.
///
/// Provider descriptions can echo a parameter's value ("Invalid Request:
/// verify_code Parameter: 1234567", or "12 34 56", "1-2-3-4-5-6"); this keeps
/// codes and numbers out of errors and logs.
///
/// ```
/// use verify_core::text::mask_digit_runs;
/// assert_eq!(mask_digit_runs("code 1234567, 12 34 56 or 1-2-3-4-5-6"), "code ***, *** or ***");
/// assert_eq!(mask_digit_runs("v1 at 12:30, 1-2"), "v1 at 12:30, 1-2");
/// ```
pub fn mask_digit_runs(text: &str) -> String {
    let is_separator = |c: char| matches!(c, ' ' | '-' | '.');
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // A run: digits, each group joined to the next by one separator.
        let start = i;
        let mut end = i;
        let mut digits = 0;
        while end < chars.len() && chars[end].is_ascii_digit() {
            digits += 1;
            end += 1;
            if end + 1 < chars.len() && is_separator(chars[end]) && chars[end + 1].is_ascii_digit()
            {
                end += 1;
            }
        }
        if digits >= 3 {
            out.push_str("***");
        } else {
            out.extend(&chars[start..end]);
        }
        i = end;
    }
    out
}

/// A timestamp from the provider (`updated_on`, `submit_timestamp`,
/// `created_on`...): kept as sent when it is an ISO 8601 date-time
/// (`2016-12-14T18:20:12Z`, with optional fraction and offset) that
/// [`provider_time`] reads, which cannot carry anything else; `None` when it
/// has that shape but is no time from 1970 to 9999 in UTC (out of range,
/// month 13), since such a value cannot be formatted by the usual RFC 3339
/// and HTTP-date writers (docs/PROTOCOL-DECISIONS.md, "Times"); otherwise
/// masked like any [`provider_text`].
pub fn provider_timestamp(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let shaped = b.len() >= 19
        && b.len() <= 40
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b'T' | b't' | b' ')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && b[19..]
            .iter()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'Z' | b'z' | b'+' | b'-' | b':'));
    if shaped {
        provider_time(text).map(|_| text.to_owned())
    } else {
        Some(provider_text(text))
    }
}

/// The first second of the year 10000: the usual writers of RFC 3339 and
/// HTTP dates (`humantime`, `httpdate`) cannot write it or anything later.
const YEAR_10000: u64 = 253_402_300_800;

/// Reads a provider's RFC 3339 date-time: `Z`, an explicit offset (`±hh:mm`
/// or `±hhmm`), or no zone (read as UTC), with an optional fraction; `T`, `t`
/// or a space between date and time. The offset is applied. `None` for
/// anything else, and for a time outside 1970-01-01T00:00:00Z to the end of
/// 9999 (UTC) once the offset is applied: such a time cannot be formatted by
/// the usual RFC 3339 and HTTP-date writers (docs/PROTOCOL-DECISIONS.md,
/// "Times"), so every time the parsers return is in that range.
///
/// ```
/// use verify_core::text::provider_time;
/// let utc = provider_time("2024-05-01T10:00:00Z").unwrap();
/// assert_eq!(provider_time("2024-05-01T12:00:00+02:00"), Some(utc));
/// assert_eq!(provider_time("9999-12-31T23:30:00-01:00"), None); // year 10000 in UTC
/// assert_eq!(provider_time("1970-01-01T00:30:00+01:00"), None); // before 1970 in UTC
/// ```
pub fn provider_time(text: &str) -> Option<std::time::SystemTime> {
    let text = text.trim();
    if !text.is_ascii() || text.len() > 64 {
        return None;
    }
    let mut s = text.to_ascii_uppercase();
    let mut offset: Option<(bool, u64)> = None;
    let b = s.as_bytes();
    let n = b.len();
    let number = |x: u8, y: u8| u64::from(x - b'0') * 10 + u64::from(y - b'0');
    let two = |x: u8, y: u8| x.is_ascii_digit() && y.is_ascii_digit();
    if n >= 25
        && matches!(b[n - 6], b'+' | b'-')
        && b[n - 3] == b':'
        && two(b[n - 5], b[n - 4])
        && two(b[n - 2], b[n - 1])
    {
        offset = Some((
            b[n - 6] == b'+',
            number(b[n - 5], b[n - 4]) * 60 + number(b[n - 2], b[n - 1]),
        ));
        if number(b[n - 5], b[n - 4]) > 23 || number(b[n - 2], b[n - 1]) > 59 {
            return None;
        }
        s.truncate(n - 6);
    } else if n >= 24
        && matches!(b[n - 5], b'+' | b'-')
        && two(b[n - 4], b[n - 3])
        && two(b[n - 2], b[n - 1])
    {
        offset = Some((
            b[n - 5] == b'+',
            number(b[n - 4], b[n - 3]) * 60 + number(b[n - 2], b[n - 1]),
        ));
        if number(b[n - 4], b[n - 3]) > 23 || number(b[n - 2], b[n - 1]) > 59 {
            return None;
        }
        s.truncate(n - 5);
    }
    let local = humantime::parse_rfc3339_weak(&s).ok()?;
    let utc = match offset {
        None => local,
        // Local time = UTC + offset.
        Some((true, minutes)) => local.checked_sub(std::time::Duration::from_secs(minutes * 60))?,
        Some((false, minutes)) => {
            local.checked_add(std::time::Duration::from_secs(minutes * 60))?
        }
    };
    let since = utc.duration_since(std::time::SystemTime::UNIX_EPOCH).ok()?;
    (since.as_secs() < YEAR_10000).then_some(utc)
}

/// Masks every string in a JSON value as [`provider_text`] does, and every
/// number of three or more digits (replaced by the string `"***"`): a
/// provider's free-form JSON can carry a code in either form.
pub fn mask_json(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) => Value::String(provider_text(&s)),
        Value::Number(n) => {
            let digits = n.to_string().bytes().filter(u8::is_ascii_digit).count();
            if digits >= 3 {
                Value::String("***".to_owned())
            } else {
                Value::Number(n)
            }
        }
        Value::Array(items) => Value::Array(items.into_iter().map(mask_json).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (provider_text(&k), mask_json(v)))
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_text_is_short_printable_and_masks_digits() {
        let long = format!("Invalid\r\nRequest: {}\u{0}", "x".repeat(1 << 20));
        let text = provider_text(&long);
        assert!(
            text.chars().count() <= Excerpt::MAX_CHARS + 1,
            "{}",
            text.len()
        );
        assert!(text.ends_with('…'));
        assert!(!text.chars().any(char::is_control), "{text:?}");
        assert_eq!(
            provider_text("Invalid Request: verify_code Parameter: 1234567\n"),
            "Invalid Request: verify_code Parameter: *** "
        );
    }

    #[test]
    fn a_huge_telesign_description_stays_short() {
        let body = format!(
            r#"{{"status":{{"code":500,"description":"x"}},"errors":[{{"code":-10001,"description":"{}\n{}"}}]}}"#,
            "a".repeat(20_000),
            "b".repeat(20_000)
        );
        let op = crate::telesign::SendSms::new("15555550100");
        let response = http::Response::builder()
            .status(400)
            .body(body.as_bytes())
            .unwrap();
        let e =
            crate::Operation::parse_response(&op, crate::Provider::TeleSign, response).unwrap_err();
        assert!(
            matches!(e, crate::ResponseError::TeleSign(_)),
            "the description is read, not refused: {e}"
        );
        let shown = e.to_string();
        assert!(shown.len() < 1000, "{}", shown.len());
        assert!(!shown.contains('\n'));
    }

    #[test]
    fn excerpt_is_short_printable_and_masks_digits() {
        let e = Excerpt::new(b"<html>\r\n<h1>502 Bad Gateway</h1> code 1234567 at 12</html>");
        assert_eq!(
            e.as_str(),
            "<html>  <h1>*** Bad Gateway</h1> code *** at 12</html>"
        );
        let long = vec![b'a'; 10_000_000];
        assert_eq!(
            Excerpt::new(&long).as_str().chars().count(),
            Excerpt::MAX_CHARS + 1
        );
        assert_eq!(
            Excerpt::new(&[0xff, 0xfe, 0x00]).as_str(),
            "\u{fffd}\u{fffd}"
        );
    }
}
