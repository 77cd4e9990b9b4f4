//! Where a provider lives: an absolute base URL, HTTPS unless the caller opts in.

use std::fmt;

use crate::error::ConfigError;

/// The scheme, host and optional path prefix that every request path is
/// appended to, e.g. `https://rest-ww.telesign.com`.
///
/// Only `https://` is accepted by [`BaseUrl::new`]; a plain `http://` URL (a
/// sandbox on loopback) needs [`BaseUrl::allow_plain_http`].
///
/// ```
/// use verify_core::BaseUrl;
/// let url = BaseUrl::new("https://rest-ww.telesign.com/").unwrap();
/// assert_eq!(url.as_str(), "https://rest-ww.telesign.com");
/// assert!(BaseUrl::new("http://127.0.0.1:8080").is_err());
/// assert!(BaseUrl::allow_plain_http("http://127.0.0.1:8080").is_ok());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BaseUrl {
    /// Without a trailing slash.
    url: String,
    https: bool,
    /// The parts of `url`, parsed once: requests are joined from them.
    scheme: http::uri::Scheme,
    authority: http::uri::Authority,
    /// The path prefix without a trailing slash; empty for none.
    prefix: String,
}

impl BaseUrl {
    /// An `https://` base URL.
    pub fn new(url: &str) -> Result<Self, ConfigError> {
        Self::parse(url, false)
    }

    /// An `https://` or plain `http://` base URL. Plain HTTP sends credentials
    /// and codes unencrypted: use it only for a local sandbox.
    pub fn allow_plain_http(url: &str) -> Result<Self, ConfigError> {
        Self::parse(url, true)
    }

    fn parse(url: &str, plain_ok: bool) -> Result<Self, ConfigError> {
        // Errors show the scheme and host only: user information can hold a
        // password, a query or an unparsable URL anything at all.
        let uri: http::Uri = url.parse().map_err(|e: http::uri::InvalidUri| {
            ConfigError::BaseUrl(format!("the URL does not parse: {e}"))
        })?;
        let shown = scheme_and_host(&uri);
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") if plain_ok => false,
            Some("http") => return Err(ConfigError::PlainHttp),
            _ => {
                return Err(ConfigError::BaseUrl(format!(
                    "{shown:?}: must start with https://"
                )));
            }
        };
        let Some(authority) = uri.authority() else {
            return Err(ConfigError::BaseUrl(format!("{shown:?}: no host")));
        };
        if authority.as_str().contains('@') {
            return Err(ConfigError::BaseUrl(format!(
                "{shown:?}: credentials in the URL are not supported"
            )));
        }
        if uri.query().is_some() {
            return Err(ConfigError::BaseUrl(format!(
                "{shown:?}: must not have a query"
            )));
        }
        let path = uri.path().trim_end_matches('/');
        let scheme = if https {
            http::uri::Scheme::HTTPS
        } else {
            http::uri::Scheme::HTTP
        };
        Ok(Self {
            url: format!("{scheme}://{authority}{path}"),
            https,
            authority: authority.clone(),
            scheme,
            prefix: path.to_owned(),
        })
    }

    /// The base URL without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// Whether requests to this base URL are encrypted.
    pub fn is_https(&self) -> bool {
        self.https
    }

    /// The absolute URI of `path_and_query` (which starts with `/`) under this base.
    ///
    /// `path_and_query` must already be percent-encoded; the core only passes
    /// paths built from validated parts.
    pub fn join(&self, path_and_query: &str) -> http::Uri {
        self.join_parts(&[path_and_query])
    }

    /// [`join`](Self::join) with the path and query given in pieces,
    /// concatenated once (no intermediate string).
    /// [`join`](Self::join) for one of the library's constant paths: with no
    /// prefix, the path is used in place, not copied.
    pub(crate) fn join_static(&self, path: &'static str) -> http::Uri {
        if !self.prefix.is_empty() {
            return self.join(path);
        }
        let mut parts = http::uri::Parts::default();
        parts.scheme = Some(self.scheme.clone());
        parts.authority = Some(self.authority.clone());
        // The library's own constants, each tested with every operation.
        parts.path_and_query = Some(http::uri::PathAndQuery::from_static(path));
        http::Uri::from_parts(parts).unwrap_or_default()
    }

    pub(crate) fn join_parts(&self, parts: &[&str]) -> http::Uri {
        let len = self.prefix.len() + parts.iter().map(|p| p.len()).sum::<usize>();
        let mut joined = String::with_capacity(len);
        joined.push_str(&self.prefix);
        for part in parts {
            joined.push_str(part);
        }
        let mut parts = http::uri::Parts::default();
        parts.scheme = Some(self.scheme.clone());
        parts.authority = Some(self.authority.clone());
        // The path is made of validated, URI-safe characters, so this cannot
        // fail in practice; fall back to the base's root rather than panic.
        parts.path_and_query = Some(
            http::uri::PathAndQuery::try_from(joined)
                .unwrap_or_else(|_| http::uri::PathAndQuery::from_static("/")),
        );
        http::Uri::from_parts(parts).unwrap_or_default()
    }

    /// Whether `uri` lies under this base URL: same scheme and host, and a
    /// path at or below the prefix.
    pub fn contains(&self, uri: &http::Uri) -> bool {
        uri.scheme() == Some(&self.scheme)
            && uri.authority() == Some(&self.authority)
            && uri
                .path()
                .strip_prefix(self.prefix.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    }
}

/// What an error may show of a URL: its scheme and host, nothing else.
fn scheme_and_host(uri: &http::Uri) -> String {
    let scheme = uri.scheme_str().unwrap_or("");
    let host = uri.host().unwrap_or("");
    match (scheme, host) {
        ("", "") => "the URL".to_owned(),
        ("", host) => host.to_owned(),
        (scheme, host) => format!("{scheme}://{host}"),
    }
}

impl fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("BaseUrl").field(&self.url).finish()
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_path_prefix_and_drops_trailing_slash() {
        let b = BaseUrl::new("https://example.com/prefix/").unwrap();
        assert_eq!(
            b.join("/v1/verify/sms").to_string(),
            "https://example.com/prefix/v1/verify/sms"
        );
    }

    #[test]
    fn a_constant_path_joins_as_any_other() {
        for base in [
            "https://example.com",
            "https://example.com/",
            "https://example.com/prefix/",
            "http://127.0.0.1:8080",
        ] {
            let b = BaseUrl::allow_plain_http(base).unwrap();
            for path in ["/v1/verify/sms", "/webapi/verify", "/"] {
                assert_eq!(b.join_static(path), b.join(path), "{base} {path}");
            }
        }
    }

    #[test]
    fn contains_only_uris_under_the_base() {
        let b = BaseUrl::new("https://example.com/prefix").unwrap();
        assert!(b.contains(&b.join("/v1/verify/sms?x=1")));
        assert!(b.contains(&"https://EXAMPLE.com/prefix".parse().unwrap()));
        for other in [
            "http://example.com/prefix/v1",
            "https://example.org/prefix/v1",
            "https://example.com:8443/prefix/v1",
            "https://example.com/prefixed/v1",
            "https://example.com/v1",
            "/prefix/v1",
        ] {
            assert!(!b.contains(&other.parse().unwrap()), "{other}");
        }
        let root = BaseUrl::allow_plain_http("http://127.0.0.1:1/").unwrap();
        assert!(root.contains(&root.join("/v1/verify/0123")));
    }

    #[test]
    fn errors_never_show_a_password_in_the_url() {
        for url in [
            "https://apiuser:hunter2secret@host.example",
            "https://apiuser:hunter2secret@host.example/path?q=1",
            "https://apiuser:hunter 2secret@host.example",
            "ftp://apiuser:hunter2secret@host.example",
            "apiuser:hunter2secret@host.example",
            "http://apiuser:hunter2secret@127.0.0.1:1",
        ] {
            let e = BaseUrl::new(url).unwrap_err();
            let shown = format!("{e} {e:?}");
            assert!(!shown.contains("hunter"), "{shown}");
            assert!(!shown.contains("apiuser"), "{shown}");
        }
    }

    #[test]
    fn errors_show_only_scheme_and_host() {
        for (url, shown) in [
            ("https://x.example/?code=1234567", "https://x.example"),
            (
                "https://x.example/path?verify_code=7654321",
                "https://x.example",
            ),
            ("ftp://x.example/secret-path", "ftp://x.example"),
            ("https://x.example/secret-path /x", "the URL"),
        ] {
            let e = BaseUrl::new(url).unwrap_err();
            let text = format!("{e} {e:?}");
            for leaked in ["1234567", "7654321", "secret-path", "code"] {
                assert!(!text.contains(leaked), "{text}");
            }
            assert!(
                text.contains(shown) || text.contains("does not parse"),
                "{text}"
            );
        }
        let e = BaseUrl::new("https://a b/secret 1234567").unwrap_err();
        assert!(!format!("{e} {e:?}").contains("1234567"), "{e}");
    }

    #[test]
    fn rejects_what_cannot_work() {
        for bad in [
            "",
            "example.com",
            "ftp://x",
            "https://",
            "https://u:p@x",
            "https://x/?q=1",
        ] {
            assert!(BaseUrl::allow_plain_http(bad).is_err(), "{bad}");
        }
        assert_eq!(
            BaseUrl::new("http://127.0.0.1:1"),
            Err(ConfigError::PlainHttp)
        );
        let plain = BaseUrl::allow_plain_http("http://[::1]:8080").unwrap();
        assert!(!plain.is_https());
        assert_eq!(plain.as_str(), "http://[::1]:8080");
    }
}
