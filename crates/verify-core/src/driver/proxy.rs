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
        Self::check(url).map_err(|why| ConfigError::Proxy(why.to_owned()))
    }

    /// The proxy an environment variable such as `HTTPS_PROXY` asks for:
    /// `None` when `value` is empty (unset, as curl reads it), the proxy
    /// when this client can use it, and a [`ConfigError`] that names
    /// `variable` (never the value, which can hold a password) otherwise.
    ///
    /// A value without a scheme (`proxy.example:3128`) is `http://`, as curl
    /// reads it. SOCKS proxies and other schemes are refused, never ignored:
    /// a request that silently went direct would bypass the proxy the
    /// environment asked for (docs/PROTOCOL-DECISIONS.md, "Proxies").
    ///
    /// ```
    /// use verify_core::driver::Proxy;
    /// assert!(Proxy::from_env_value("HTTPS_PROXY", " ").unwrap().is_none());
    /// let p = Proxy::from_env_value("HTTPS_PROXY", "proxy.example:3128").unwrap().unwrap();
    /// assert_eq!(p.to_string(), "http://proxy.example:3128");
    /// let e = Proxy::from_env_value("ALL_PROXY", "socks5h://u:s3cret@h:1080").unwrap_err();
    /// assert!(e.to_string().contains("ALL_PROXY"));
    /// assert!(!e.to_string().contains("s3cret"));
    /// ```
    pub fn from_env_value(variable: &str, value: &str) -> Result<Option<Self>, ConfigError> {
        let value = value.trim();
        if value.is_empty() {
            return Ok(None);
        }
        let refused = |why: &str| ConfigError::Proxy(format!("{variable} is set but {why}"));
        let scheme = value
            .split_once("://")
            .map(|(scheme, _)| scheme.to_ascii_lowercase());
        let url = match scheme.as_deref() {
            None => format!("http://{value}"),
            Some("http" | "https") => value.to_owned(),
            Some(s) if s.starts_with("socks") => {
                return Err(refused(
                    "names a SOCKS proxy, which this client does not support (use an http:// proxy)",
                ));
            }
            Some(_) => {
                return Err(refused(
                    "is not an http:// proxy URL (no other scheme is supported)",
                ));
            }
        };
        Self::check(&url)
            .map(Some)
            .map_err(|why| refused(&format!("unusable: {why}")))
    }

    /// [`new`](Self::new)'s rules, with the reason a URL is refused.
    fn check(url: &str) -> Result<Self, &'static str> {
        let uri: http::Uri = url.parse().map_err(|_| "the proxy URL does not parse")?;
        let scheme = match uri.scheme_str() {
            Some(s @ ("http" | "https")) => s,
            _ => return Err("the proxy URL must start with http:// (or https://)"),
        };
        let authority = uri.authority().ok_or("the proxy URL has no host")?;
        if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
            return Err("the proxy URL must have no path or query");
        }
        let host_port = authority
            .as_str()
            .rsplit_once('@')
            .map_or(authority.as_str(), |(_, hp)| hp);
        if host_port.is_empty() || host_port.starts_with(':') {
            return Err("the proxy URL has no host");
        }
        if let Some((_, port)) = host_port.rsplit_once(':')
            && !host_port.ends_with(']')
            && port.parse::<u16>().is_err()
        {
            return Err("the proxy URL's port is not a number from 0 to 65535");
        }
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

    /// The environment variables that name the proxy for a URL of `scheme`,
    /// first match first, as curl reads them: `https_proxy` for `https://`,
    /// `http_proxy` for `http://`, then `ALL_PROXY`; each in both cases.
    pub fn env_variables(scheme: &str) -> &'static [&'static str] {
        if scheme.eq_ignore_ascii_case("https") {
            &["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
        } else {
            &["http_proxy", "HTTP_PROXY", "ALL_PROXY", "all_proxy"]
        }
    }

    /// The environment's proxy for a URL of `scheme`: the first of
    /// [`env_variables`](Self::env_variables) that `lookup` finds set to a non-empty value
    /// decides, through [`from_env_value`](Self::from_env_value). `lookup` reads the
    /// environment (the core reads none itself); a value that is not UTF-8
    /// should be passed as text that cannot parse (it is refused).
    pub fn from_env(
        scheme: &str,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Self>, ConfigError> {
        for variable in Self::env_variables(scheme) {
            if let Some(value) = lookup(variable)
                && let Some(proxy) = Self::from_env_value(variable, &value)?
            {
                return Ok(Some(proxy));
            }
        }
        Ok(None)
    }

    /// Whether the proxy is reached over TLS (`https://`).
    pub fn is_https(&self) -> bool {
        self.shown.starts_with("https://")
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
            "http://u:hunter2@:8080",
        ] {
            let e = Proxy::new(bad).unwrap_err();
            assert!(!format!("{e} {e:?}").contains("hunter2"), "{e}");
        }
    }

    #[test]
    fn environment_values_are_used_or_refused_never_ignored() {
        for empty in ["", " ", "\t"] {
            assert!(
                Proxy::from_env_value("HTTP_PROXY", empty)
                    .unwrap()
                    .is_none()
            );
        }
        for ok in ["http://h:1", "HTTP://h:1", "h:3128", "http://u:p@h:1/"] {
            assert!(
                Proxy::from_env_value("HTTP_PROXY", ok).unwrap().is_some(),
                "{ok}"
            );
        }
        for bad in [
            "socks5h://u:hunter2@h:1",
            "socks5://h:1080",
            "socks4://h:1080",
            "SOCKS5H://h:1",
            "ftp://u:hunter2@h",
            "bogus://h",
            "http://u:hunter2@h:1/path",
            "http://h:1?hunter2",
            "u:hunter2@",
            "http://",
            "\u{fffd}",
            "h:1 junk",
            "http://h:99999",
        ] {
            let e = Proxy::from_env_value("ALL_PROXY", bad).unwrap_err();
            let text = format!("{e} {e:?}");
            assert!(text.contains("ALL_PROXY"), "{text}");
            assert!(!text.contains("hunter2"), "{text}");
        }
        let lookup = |name: &str| match name {
            "HTTPS_PROXY" => Some(String::new()),
            "ALL_PROXY" => Some("socks5h://h:1".to_owned()),
            _ => None,
        };
        assert!(Proxy::from_env("https", lookup).is_err());
        let lookup = |name: &str| (name == "http_proxy").then(|| "http://h:8".to_owned());
        assert!(Proxy::from_env("http", lookup).unwrap().is_some());
        assert!(Proxy::from_env("https", lookup).unwrap().is_none());
    }
}
