//! A view of a built request that is safe to print.
//!
//! A request carries secrets once built and signed: `Authorization` (the
//! Basic header holds the API key or password itself), a one-time code in
//! the body (`verify_code` of a TeleSign send, dotdigital's `code`) or in
//! the query (a TeleSign status check's `verify_code`, as the API requires).
//! Describe a request only through [`redacted`]: the method, the path, the
//! query with every code masked, the headers with `Authorization` masked,
//! and the body's length, never its bytes.

use std::fmt;

/// Query parameters whose value is a one-time code.
const SECRET_PARAMETERS: &[&str] = &["verify_code", "code", "security_factor"];

/// Headers whose value is a credential.
const SECRET_HEADERS: &[&str] = &["authorization", "x-ts-authorization", "proxy-authorization"];

/// A printable, secret-free view of `request` (see the module docs).
///
/// ```
/// use verify_core::redact::redacted;
/// let request = http::Request::get("https://rest-ww.telesign.com/v1/verify/ABC?verify_code=12345")
///     .header("authorization", "Basic c2VjcmV0")
///     .body(Vec::new())
///     .unwrap();
/// let shown = redacted(&request).to_string();
/// assert_eq!(
///     shown,
///     "GET /v1/verify/ABC?verify_code=[redacted] (authorization: [redacted]; body: 0 bytes)"
/// );
/// ```
pub fn redacted<B: AsRef<[u8]>>(request: &http::Request<B>) -> Redacted<'_, B> {
    Redacted(request)
}

/// See [`redacted`].
pub struct Redacted<'a, B>(&'a http::Request<B>);

impl<B: AsRef<[u8]>> Redacted<'_, B> {
    /// The path and the query, with the value of every code parameter
    /// replaced by `[redacted]`.
    pub fn path_and_query(&self) -> String {
        let uri = self.0.uri();
        let mut out = uri.path().to_owned();
        if let Some(query) = uri.query() {
            out.push('?');
            for (i, pair) in query.split('&').enumerate() {
                if i > 0 {
                    out.push('&');
                }
                match pair.split_once('=') {
                    Some((name, _)) if SECRET_PARAMETERS.contains(&name) => {
                        out.push_str(name);
                        out.push_str("=[redacted]");
                    }
                    _ => out.push_str(&crate::text::mask_digit_runs(pair)),
                }
            }
        }
        out
    }
}

impl<B: AsRef<[u8]>> fmt::Display for Redacted<'_, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} (", self.0.method(), self.path_and_query())?;
        for (name, value) in self.0.headers() {
            if SECRET_HEADERS.contains(&name.as_str()) || value.is_sensitive() {
                write!(f, "{name}: [redacted]; ")?;
            }
        }
        write!(f, "body: {} bytes)", self.0.body().as_ref().len())
    }
}

impl<B: AsRef<[u8]>> fmt::Debug for Redacted<'_, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Request");
        d.field("method", self.0.method())
            .field("path", &self.path_and_query());
        for (name, value) in self.0.headers() {
            if SECRET_HEADERS.contains(&name.as_str()) || value.is_sensitive() {
                d.field(name.as_str(), &"[redacted]");
            } else {
                d.field(
                    name.as_str(),
                    &crate::text::provider_text(&String::from_utf8_lossy(value.as_bytes())),
                );
            }
        }
        d.field("body_bytes", &self.0.body().as_ref().len())
            .finish()
    }
}

/// The secrets one request carried, to remove from what the provider (or a
/// proxy, a WAF, a debug page) answered to it: an answer can echo the
/// request's own headers, query and body.
///
/// [`of_request`](Self::of_request) collects them from the signed request:
/// the `Authorization`-like header values, the Basic token, its decoded
/// `user:password` and both halves, an HMAC signature, and the value of
/// every code parameter in the query or the body (`verify_code`, `code`,
/// `security_factor`). [`ResponseError::redact`](crate::ResponseError::redact)
/// then replaces each of them with `[redacted]` in every text of the error,
/// in the forms a page can echo them in: as sent, base64 (standard or
/// URL-safe, with or without padding), percent-encoded, JSON- or
/// HTML-escaped, and with its digit runs masked. The driver does this for
/// every answer; a transport that calls `parse_response` itself can too.
///
/// A secret shorter than [`MIN_CHARS`](Self::MIN_CHARS) is not looked for
/// (it cannot be told from ordinary text); a code of three or more digits
/// is masked as a digit run anyway. `Debug` shows only how many there are.
///
/// ```
/// use verify_core::redact::Secrets;
/// let request = http::Request::post("https://h.example/webapi/verify")
///     .header("authorization", "Basic dXNlcm5hbWU6cGFzc3dvcmQ=") // username:password
///     .body(Vec::new())
///     .unwrap();
/// let secrets = Secrets::of_request(&request);
/// assert_eq!(
///     secrets.scrub("echo: dXNlcm5hbWU6cGFzc3dvcmQ= and cGFzc3dvcmQ and password"),
///     "echo: [redacted] and [redacted] and [redacted]"
/// );
/// ```
#[derive(Clone, Default)]
pub struct Secrets {
    /// Every secret as given.
    raw: Vec<String>,
    /// Every form of every secret, longest first: made on the first
    /// [`scrub`](Self::scrub), since most answers are no error.
    forms: std::sync::OnceLock<Vec<String>>,
    /// Every piece of [`FRAGMENT`] ASCII characters, lower-cased, of every
    /// form of at least [`FRAGMENTED`] characters: made with `forms`.
    pieces: std::sync::OnceLock<std::collections::HashSet<[u8; FRAGMENT]>>,
}

/// The length of a piece of a long secret looked for on its own: a page
/// that prints half a Basic token gives away the password base64 holds.
const FRAGMENT: usize = 12;

/// The shortest form looked for in pieces as well as whole.
const FRAGMENTED: usize = 16;

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secrets({} secrets)", self.raw.len())
    }
}

/// Whether a header's value is a secret [`Secrets::of_request`] reads.
pub(crate) fn is_secret_header(name: &http::HeaderName, value: &http::HeaderValue) -> bool {
    SECRET_HEADERS.contains(&name.as_str()) || value.is_sensitive()
}

impl Secrets {
    /// The shortest secret looked for, in characters.
    pub const MIN_CHARS: usize = 4;

    /// No secrets.
    pub fn new() -> Self {
        Self::default()
    }

    /// The secrets `request` carries (see the type's docs).
    pub fn of_request<B: AsRef<[u8]>>(request: &http::Request<B>) -> Self {
        let mut secrets = Self::new();
        for (name, value) in request.headers() {
            if !is_secret_header(name, value) {
                continue;
            }
            let Ok(value) = value.to_str() else {
                continue;
            };
            secrets.add_credential(value);
        }
        if let Some(query) = request.uri().query() {
            secrets.add_parameters(query);
        }
        let body = request.body().as_ref();
        if let Ok(text) = std::str::from_utf8(body) {
            secrets.add_parameters(text);
            let named = |n: &str| text.contains(&format!("\"{n}\""));
            if SECRET_PARAMETERS.iter().any(|n| named(n))
                && let Ok(serde_json::Value::Object(map)) = serde_json::from_str(text)
            {
                for name in SECRET_PARAMETERS {
                    if let Some(serde_json::Value::String(v)) = map.get(*name) {
                        secrets.add(v);
                    }
                }
            }
        }
        secrets
    }

    /// An `Authorization`-like header value: the value, its token, and
    /// for Basic the decoded `user:password` and both halves; for TeleSign's
    /// `TSA id:signature`, the signature.
    pub fn add_credential(&mut self, value: &str) {
        use base64::Engine as _;
        let value = value.trim();
        self.add(value);
        let Some((scheme, token)) = value.split_once(' ') else {
            return;
        };
        let token = token.trim();
        self.add(token);
        if scheme.eq_ignore_ascii_case("basic") {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(token)
                .ok()
                .and_then(|d| String::from_utf8(d).ok());
            if let Some(decoded) = decoded {
                self.add(&decoded);
                if let Some((user, password)) = decoded.split_once(':') {
                    self.add(user);
                    self.add(password);
                }
            }
        } else if let Some((_, signature)) = token.rsplit_once(':') {
            self.add(signature);
        }
    }

    /// The values of the code parameters in a query or form body.
    fn add_parameters(&mut self, text: &str) {
        for pair in text.split('&') {
            if let Some((name, value)) = pair.split_once('=')
                && SECRET_PARAMETERS.contains(&name)
            {
                self.add(value);
            }
        }
    }

    /// One secret, to look for in every form it can be echoed in.
    pub fn add(&mut self, secret: &str) {
        if secret.chars().count() >= Self::MIN_CHARS && !self.raw.iter().any(|r| r == secret) {
            self.raw.push(secret.to_owned());
            self.forms = std::sync::OnceLock::new();
            self.pieces = std::sync::OnceLock::new();
        }
    }

    /// Every form of every secret, longest first.
    fn forms(&self) -> &[String] {
        self.forms.get_or_init(|| {
            let mut all: Vec<String> = Vec::new();
            for secret in &self.raw {
                for form in forms_of(secret) {
                    if form.chars().count() >= Self::MIN_CHARS && !all.contains(&form) {
                        all.push(form);
                    }
                }
            }
            all.sort_by_key(|f| std::cmp::Reverse(f.len()));
            all
        })
    }

    /// Every [`FRAGMENT`]-character piece of the long forms, lower-cased.
    fn pieces(&self) -> &std::collections::HashSet<[u8; FRAGMENT]> {
        self.pieces.get_or_init(|| {
            let mut pieces = std::collections::HashSet::new();
            for form in self.forms() {
                if form.len() >= FRAGMENTED && form.is_ascii() {
                    for w in form.as_bytes().windows(FRAGMENT) {
                        pieces.insert(lowered(w));
                    }
                }
            }
            pieces
        })
    }

    /// Whether no secret is known.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// `text` with every form of every secret replaced by `[redacted]`
    /// (case-insensitively for the forms that are all ASCII). When the text
    /// was cut short (it ends with `…`), a secret's start (three characters
    /// or more) left just before the cut is removed too.
    pub fn scrub(&self, text: &str) -> String {
        if self.is_empty() {
            return text.to_owned();
        }
        let forms = self.forms();
        // A cut first: a secret's start left just before it is removed
        // before whole forms are, so that a shorter secret matching inside
        // the cut one (a user name inside a Basic token) cannot hide it.
        let mut out = match text.strip_suffix('…') {
            Some(head) => {
                let mut head = head.to_owned();
                for form in forms {
                    let lower = head.to_ascii_lowercase();
                    let cut = form
                        .char_indices()
                        .map(|(i, _)| i)
                        .skip(3)
                        .filter(|&i| lower.ends_with(&form[..i].to_ascii_lowercase()))
                        .max();
                    if let Some(i) = cut {
                        head.truncate(head.len() - i);
                        head.push_str(REDACTED);
                    }
                }
                head + "…"
            }
            None => text.to_owned(),
        };
        for form in forms {
            out = replace_ignoring_ascii_case(&out, form, REDACTED);
        }
        remove_pieces(&out, self.pieces())
    }
}

/// `window` (of [`FRAGMENT`] bytes) with ASCII letters lower-cased.
fn lowered(window: &[u8]) -> [u8; FRAGMENT] {
    let mut key = [0; FRAGMENT];
    for (k, b) in key.iter_mut().zip(window) {
        *k = b.to_ascii_lowercase();
    }
    key
}

/// `text` with every run of ASCII characters covered by pieces of a long
/// secret (see [`FRAGMENT`]) replaced by one `[redacted]`.
fn remove_pieces(text: &str, pieces: &std::collections::HashSet<[u8; FRAGMENT]>) -> String {
    let bytes = text.as_bytes();
    if pieces.is_empty() || bytes.len() < FRAGMENT {
        return text.to_owned();
    }
    let mut covered = vec![false; bytes.len()];
    let mut any = false;
    for (i, w) in bytes.windows(FRAGMENT).enumerate() {
        if w.is_ascii() && pieces.contains(&lowered(w)) {
            covered[i..i + FRAGMENT].fill(true);
            any = true;
        }
    }
    if !any {
        return text.to_owned();
    }
    // Covered bytes are ASCII, so every run of them starts and ends on a
    // character boundary.
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if covered[i] {
            while i < bytes.len() && covered[i] {
                i += 1;
            }
            out.push_str(REDACTED);
        } else {
            let start = i;
            while i < bytes.len() && !covered[i] {
                i += 1;
            }
            out.push_str(&text[start..i]);
        }
    }
    out
}

/// `secret` as sent, base64 (standard, and URL-safe without padding),
/// percent-encoded (either case, `+` for a space), HTML- and JSON-escaped,
/// and each of those with its digit runs masked as provider text is.
fn forms_of(secret: &str) -> Vec<String> {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let mut forms = vec![
        secret.to_owned(),
        STANDARD.encode(secret),
        STANDARD_NO_PAD.encode(secret),
        URL_SAFE_NO_PAD.encode(secret),
        percent_encoded(secret, false),
        percent_encoded(secret, true),
        percent_encoded(secret, false).replace("%20", "+"),
        html_escaped(secret),
    ];
    if let Ok(json) = serde_json::to_string(secret) {
        forms.push(json[1..json.len() - 1].to_owned());
    }
    let masked: Vec<String> = forms
        .iter()
        .map(|f| crate::text::mask_digit_runs(f))
        .collect();
    forms.extend(masked);
    forms
}

/// What a removed secret reads as.
const REDACTED: &str = "[redacted]";

fn percent_encoded(s: &str, lower: bool) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else if lower {
            out.push_str(&format!("%{b:02x}"));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn html_escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// `text` with every occurrence of `needle` replaced, comparing ASCII
/// letters without regard to case.
fn replace_ignoring_ascii_case(text: &str, needle: &str, with: &str) -> String {
    if needle.is_empty() {
        return text.to_owned();
    }
    let hay = text.to_ascii_lowercase();
    let needle_lower = needle.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    while let Some(found) = hay[from..].find(&needle_lower) {
        let at = from + found;
        out.push_str(&text[from..at]);
        out.push_str(with);
        from = at + needle_lower.len();
    }
    out.push_str(&text[from..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_a_long_token_is_removed_too() {
        use base64::Engine as _;
        let mut secrets = Secrets::new();
        let token = base64::engine::general_purpose::STANDARD
            .encode("sandbox_f213f8f6@apiconnector.com:49wnQpchF4QRvrTxtFJY");
        secrets.add_credential(&format!("Basic {token}"));
        let (head, tail) = token.split_at(token.len() / 2);
        let page = format!("a: \"{head}\", b: \"{tail}\", id 0123456789ABCDEF0123456789ABCDEF é");
        let out = secrets.scrub(&page);
        assert!(!out.contains(&head[..FRAGMENT]), "{out}");
        assert!(!out.contains(&tail[tail.len() - FRAGMENT..]), "{out}");
        assert!(out.contains("0123456789ABCDEF0123456789ABCDEF é"), "{out}");
        // Short secrets are looked for whole only.
        let mut short = Secrets::new();
        short.add("abcdefghij");
        assert_eq!(short.scrub("xabcdefghiy"), "xabcdefghiy");
    }

    #[test]
    fn no_code_and_no_credential_shows() {
        let request =
            http::Request::put("https://h.example/v1/x?a=1&verify_code=7654321&code=998877")
                .header("authorization", "TSA C:c2lnbmF0dXJl")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(b"verify_code=7654321".to_vec())
                .unwrap();
        let view = redacted(&request);
        for shown in [view.to_string(), format!("{view:?}")] {
            for secret in ["7654321", "998877", "c2lnbmF0dXJl"] {
                assert!(!shown.contains(secret), "{shown}");
            }
            assert!(shown.contains("/v1/x"), "{shown}");
        }
        assert_eq!(
            view.path_and_query(),
            "/v1/x?a=1&verify_code=[redacted]&code=[redacted]"
        );
    }
}
