//! Text the core checks or produces on its own: base URLs, and excerpts of
//! provider bodies.

use verify_core::BaseUrl;
use verify_core::text::Excerpt;

use super::input::Fields;

/// Target `base_url`: fields `url, path`.
///
/// Any text is accepted or refused; an accepted base URL is https (unless
/// plain HTTP was allowed), has no trailing slash, and joining a path keeps
/// the base as the prefix.
pub fn base_url(data: &[u8]) {
    let f = Fields::new(data);
    let (url, path) = (f.text(0), f.text(1));
    let strict = BaseUrl::new(&url);
    let lax = BaseUrl::allow_plain_http(&url);
    if let Ok(b) = &strict {
        assert!(b.is_https());
        assert_eq!(
            lax.as_ref().ok(),
            Some(b),
            "allow_plain_http accepts every https URL"
        );
    }
    if let Ok(b) = &lax {
        let s = b.as_str();
        assert!(!s.ends_with('/'), "{s}: trailing slash");
        assert!(s.starts_with(if b.is_https() { "https://" } else { "http://" }));
        assert!(!s.contains('?'), "{s}: a query");
        let after_scheme = s.split_once("://").map_or("", |(_, rest)| rest);
        let authority = after_scheme.split('/').next().unwrap_or("");
        assert!(
            !authority.is_empty() && !authority.contains('@'),
            "{s}: user info"
        );
        assert_eq!(
            BaseUrl::allow_plain_http(s).as_ref(),
            Ok(b),
            "as_str round-trips"
        );
        let joined = b.join("/v1/verify/sms").to_string();
        assert_eq!(joined, format!("{s}/v1/verify/sms"));
        if http::uri::PathAndQuery::try_from(path.as_str()).is_ok() && path.starts_with('/') {
            // Only validated paths are documented to join; others must merely not panic.
            let _ = b.join(&path);
        }
    }
}

/// Target `excerpt`: any bytes give an excerpt of at most `MAX_CHARS`
/// characters (plus an ellipsis), without control characters and without a
/// run of three or more digits.
pub fn excerpt(data: &[u8]) {
    let e = Excerpt::new(data);
    let s = e.as_str();
    assert!(
        s.chars().count() <= Excerpt::MAX_CHARS + 1,
        "{s:?} is too long"
    );
    assert!(
        !s.chars().any(char::is_control),
        "{s:?} has control characters"
    );
    let mut run = 0;
    for c in s.chars() {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        assert!(run < 3, "{s:?} shows a run of digits");
    }
    assert_eq!(format!("{e}"), s);
}
