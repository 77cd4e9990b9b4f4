//! Sending through an HTTP proxy: hyper-util's matcher decides (the
//! client's explicit proxy, else the environment as curl reads it, with
//! `NO_PROXY`), and its `CONNECT` tunnel carries the connection (TLS to the
//! provider inside it for HTTPS).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use verify_core::ConfigError;
use verify_core::driver::{Proxy, Settings};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The proxy rules for `settings`: the explicit proxy for every destination
/// (bypassed by the environment's `NO_PROXY` unless the environment is
/// ignored), else the environment's `HTTPS_PROXY` / `HTTP_PROXY` /
/// `ALL_PROXY` / `NO_PROXY` (and lower-case forms, as curl reads them),
/// else none. A setting this connector cannot use is refused, never
/// ignored: a SOCKS or other URL in the environment, a path, or an
/// `https://` proxy (the `CONNECT` is spoken in plain HTTP to the proxy).
/// The chosen variable's value is checked even for a host `NO_PROXY`
/// bypasses.
pub(crate) fn matcher(settings: &Settings) -> Result<Matcher, ConfigError> {
    let from_env = settings.proxy_from_env();
    let mut builder = Matcher::builder();
    if let Some(proxy) = settings.proxy() {
        builder = builder.all(usable(proxy, "the proxy")?.to_owned());
    } else if from_env {
        let schemes = std::iter::once(settings.primary())
            .chain(settings.backup())
            .map(|c| c.base_url().is_https());
        let (mut https, mut http) = (false, false);
        for is_https in schemes {
            if is_https {
                https = true;
            } else {
                http = true;
            }
        }
        if https && let Some(proxy) = Proxy::from_env("https", env_var)? {
            builder = builder.https(usable(&proxy, "the environment's proxy")?.to_owned());
        }
        if http && let Some(proxy) = Proxy::from_env("http", env_var)? {
            builder = builder.http(usable(&proxy, "the environment's proxy")?.to_owned());
        }
    }
    if from_env && let Some(no) = ["NO_PROXY", "no_proxy"].iter().find_map(|n| env_var(n)) {
        builder = builder.no(no);
    }
    Ok(builder.build())
}

/// The proxy's URL, unless it is one this connector cannot speak to.
fn usable<'a>(proxy: &'a Proxy, which: &str) -> Result<&'a str, ConfigError> {
    if proxy.is_https() {
        return Err(ConfigError::Proxy(format!(
            "{which} ({proxy}) is an https:// proxy; verify-hyper reaches proxies over plain http:// only"
        )));
    }
    Ok(proxy.expose_url())
}

/// A variable of the environment; a value that is not UTF-8 reads as text
/// that no proxy rule accepts, so it is refused rather than skipped.
fn env_var(name: &str) -> Option<String> {
    std::env::var_os(name).map(|v| v.into_string().unwrap_or_else(|_| "\u{fffd}".into()))
}

/// A TCP connector that goes through a `CONNECT` tunnel when the matcher
/// says so. Whatever fails before the tunnel is up (the proxy refusing the
/// connection, or answering the `CONNECT` with anything but 2xx) is a
/// connect error: no byte of the request has gone out.
#[derive(Clone, Debug)]
pub(crate) struct ProxyConnector {
    pub(crate) http: HttpConnector,
    pub(crate) matcher: Arc<Matcher>,
}

impl tower_service::Service<http::Uri> for ProxyConnector {
    type Response = TokioIo<TcpStream>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        tower_service::Service::<http::Uri>::poll_ready(&mut self.http, cx).map_err(Into::into)
    }

    fn call(&mut self, dst: http::Uri) -> Self::Future {
        match self.matcher.intercept(&dst) {
            None => {
                let connecting = self.http.call(dst);
                Box::pin(async move { connecting.await.map_err(Into::into) })
            }
            Some(intercept) => {
                let mut tunnel = Tunnel::new(intercept.uri().clone(), self.http.clone());
                if let Some(auth) = intercept.basic_auth() {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                let connecting = tunnel.call(dst);
                Box::pin(async move { connecting.await.map_err(Into::into) })
            }
        }
    }
}
