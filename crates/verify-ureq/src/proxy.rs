//! Which proxy each provider's requests go through: the client's explicit
//! proxy, else the environment's, as curl reads it, through ureq's own
//! proxy support.

use verify_core::driver::Settings;

/// The proxy decision for each configured base URL (scheme and authority).
#[derive(Clone, Debug, Default)]
pub(crate) struct Plan {
    routes: Vec<(http::uri::Scheme, http::uri::Authority, Option<ureq::Proxy>)>,
}

impl Plan {
    /// Decides once, when the client is built: the explicit proxy, or the
    /// environment's `HTTPS_PROXY` / `HTTP_PROXY` (by the URL's scheme),
    /// then `ALL_PROXY` (lower-case forms too); `NO_PROXY` (read by ureq)
    /// bypasses either, unless the environment is ignored.
    pub(crate) fn new(settings: &Settings) -> Result<Self, verify_core::ConfigError> {
        let explicit = settings
            .proxy()
            .map(|p| {
                ureq::Proxy::new(p.expose_url()).map_err(|_| {
                    verify_core::ConfigError::Proxy("the HTTP stack refuses the proxy URL".into())
                })
            })
            .transpose()?;
        let env_rules = settings.proxy_from_env().then(no_proxy_rules).flatten();
        let mut routes = Vec::new();
        for config in std::iter::once(settings.primary()).chain(settings.backup()) {
            let uri = config.base_url().join("/");
            let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority()) else {
                continue;
            };
            let bypass = env_rules
                .as_ref()
                .is_some_and(|rules| rules.is_no_proxy(&uri));
            let chosen = if bypass {
                None
            } else if let Some(p) = &explicit {
                Some(p.clone())
            } else if settings.proxy_from_env() {
                from_env(scheme.as_str())
            } else {
                None
            };
            routes.push((scheme.clone(), authority.clone(), chosen));
        }
        Ok(Self { routes })
    }

    /// The proxy for a request to `uri`, if any.
    pub(crate) fn for_uri(&self, uri: &http::Uri) -> Option<ureq::Proxy> {
        self.routes
            .iter()
            .find(|(s, a, _)| Some(s) == uri.scheme() && Some(a) == uri.authority())
            .and_then(|(_, _, p)| p.clone())
    }
}

/// The environment's `NO_PROXY` (or `no_proxy`), as ureq matches it (exact
/// hosts, `.suffix`, `*.suffix`, `*`), whether or not a proxy variable is
/// set: it bypasses an explicit proxy too.
fn no_proxy_rules() -> Option<ureq::Proxy> {
    let list = ["NO_PROXY", "no_proxy"]
        .iter()
        .find_map(|n| std::env::var(n).ok())?;
    let mut builder = ureq::Proxy::builder(ureq::ProxyProtocol::Http)
        .host("no-proxy.invalid")
        .port(1);
    for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        builder = builder.no_proxy(entry);
    }
    builder.build().ok()
}

/// The environment's proxy for a URL of `scheme`, as curl picks it.
fn from_env(scheme: &str) -> Option<ureq::Proxy> {
    let names: &[&str] = match scheme {
        "https" => &["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"],
        _ => &["http_proxy", "HTTP_PROXY", "ALL_PROXY", "all_proxy"],
    };
    names
        .iter()
        .filter_map(|n| std::env::var(n).ok())
        .find(|v| !v.trim().is_empty())
        .and_then(|v| ureq::Proxy::new(v.trim()).ok())
}
