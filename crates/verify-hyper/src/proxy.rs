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
use verify_core::driver::Settings;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The proxy rules for `settings`: the explicit proxy for every destination
/// (bypassed by the environment's `NO_PROXY` unless the environment is
/// ignored), else the environment's `HTTPS_PROXY` / `HTTP_PROXY` /
/// `ALL_PROXY` / `NO_PROXY` (and lower-case forms), else none.
pub(crate) fn matcher(settings: &Settings) -> Matcher {
    let env_no_proxy = || {
        ["NO_PROXY", "no_proxy"]
            .iter()
            .find_map(|n| std::env::var(n).ok())
    };
    match (settings.proxy(), settings.proxy_from_env()) {
        (Some(proxy), from_env) => {
            let mut builder = Matcher::builder().all(proxy.expose_url().to_owned());
            if from_env && let Some(no) = env_no_proxy() {
                builder = builder.no(no);
            }
            builder.build()
        }
        (None, true) => Matcher::from_env(),
        (None, false) => Matcher::builder().build(),
    }
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
