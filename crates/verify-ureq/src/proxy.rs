//! Which proxy each provider's requests go through: the client's explicit
//! proxy, else the environment's, as curl reads it, through ureq's own
//! proxy support. A proxy setting the client cannot use (a SOCKS URL, an
//! unknown scheme, a path) is refused, never ignored: every request is then
//! a configuration error, before any I/O.

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
    /// bypasses either, unless the environment is ignored. The chosen
    /// variable's value is checked even for a host `NO_PROXY` bypasses.
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
            let from_env = if explicit.is_none() && settings.proxy_from_env() {
                from_env(scheme.as_str())?
            } else {
                None
            };
            let chosen = if bypass {
                None
            } else {
                explicit.clone().or(from_env)
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
    let list = ["NO_PROXY", "no_proxy"].iter().find_map(|n| env_var(n))?;
    let mut builder = ureq::Proxy::builder(ureq::ProxyProtocol::Http)
        .host("no-proxy.invalid")
        .port(1);
    for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        builder = builder.no_proxy(entry);
    }
    builder.build().ok()
}

/// The environment's proxy for a URL of `scheme`, as curl picks it; a
/// value that is set but unusable is refused, naming its variable.
fn from_env(scheme: &str) -> Result<Option<ureq::Proxy>, verify_core::ConfigError> {
    let Some(proxy) = verify_core::driver::Proxy::from_env(scheme, env_var)? else {
        return Ok(None);
    };
    ureq::Proxy::new(proxy.expose_url()).map(Some).map_err(|_| {
        verify_core::ConfigError::Proxy(format!(
            "the environment's proxy ({proxy}) is refused by the HTTP stack"
        ))
    })
}

/// A variable of the environment; a value that is not UTF-8 reads as text
/// that no proxy rule accepts, so it is refused rather than skipped.
pub(crate) fn env_var(name: &str) -> Option<String> {
    std::env::var_os(name).map(|v| v.into_string().unwrap_or_else(|_| "\u{fffd}".into()))
}
