//! The HTTP proxy setting both adapters read: a URL whose password is a
//! secret.

use std::fmt;

use crate::ConfigError;

/// An HTTP proxy to send every request through: `http://[user:password@]host[:port]`.
///
/// HTTPS requests go through a `CONNECT` tunnel, with TLS to the provider
/// inside it. The password never shows in `Debug` or `Display`.
///
/// ```
/// use verify_core::driver::Proxy;
/// let proxy = Proxy::new("http://alice:s3cret@proxy.example:3128").unwrap();
/// assert_eq!(proxy.to_string(), "http://[redacted]@proxy.example:3128");
/// assert!(!format!("{proxy:?}").contains("s3cret"));
/// assert!(Proxy::new("socks5://proxy.example:1080").is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Proxy {
    /// The URL as given (may hold a password).
    url: String,
    /// `http://host:port`, with `[redacted]@` when the URL has credentials.
    shown: String,
}

impl Proxy {
    /// Checks `url`: `http://` (or `https://`), a host, an optional port,
    /// optional `user:password@`, no path, query or fragment.
    pub fn new(url: &str) -> Result<Self, ConfigError> {
        let refused = |why: &str| ConfigError::Proxy(why.to_owned());
        let uri: http::Uri = url
            .parse()
            .map_err(|_| refused("the proxy URL does not parse"))?;
        let scheme = match uri.scheme_str() {
            Some(s @ ("http" | "https")) => s,
            _ => {
                return Err(refused(
                    "the proxy URL must start with http:// (or https://)",
                ));
            }
        };
        let authority = uri
            .authority()
            .ok_or_else(|| refused("the proxy URL has no host"))?;
        if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
            return Err(refused("the proxy URL must have no path or query"));
        }
        let host_port = authority
            .as_str()
            .rsplit_once('@')
            .map_or(authority.as_str(), |(_, hp)| hp);
        let credentials = if authority.as_str().contains('@') {
            "[redacted]@"
        } else {
            ""
        };
        Ok(Self {
            url: url.trim_end_matches('/').to_owned(),
            shown: format!("{scheme}://{credentials}{host_port}"),
        })
    }

    /// The URL as given, password included: for the HTTP stack only.
    pub fn expose_url(&self) -> &str {
        &self.url
    }
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Proxy").field(&self.shown).finish()
    }
}

impl fmt::Display for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_never_shows() {
        for url in [
            "http://u:hunter2@p.example:8080",
            "http://u:hunter2@p.example",
            "http://u:hunter2@127.0.0.1:1/",
        ] {
            let p = Proxy::new(url).unwrap();
            let shown = format!("{p} {p:?}");
            assert!(
                !shown.contains("hunter2") && !shown.contains("u:"),
                "{shown}"
            );
            assert!(p.expose_url().contains("hunter2"));
        }
        for bad in [
            "",
            "p.example:8080",
            "ftp://p",
            "http://p/x",
            "http://p?q=hunter2",
            "http://u:hunter2@",
        ] {
            let e = Proxy::new(bad).unwrap_err();
            assert!(!format!("{e} {e:?}").contains("hunter2"), "{e}");
        }
    }
}
