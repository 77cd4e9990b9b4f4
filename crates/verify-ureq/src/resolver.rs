//! Name resolution that does not start a thread for every request.
//!
//! ureq resolves the host name before it looks for a pooled connection, and
//! with a time limit set its default resolver runs each lookup on a new
//! thread so that it can give up in time. That costs tens of microseconds per
//! call even when the host is an IP address and the connection is reused.
//! This resolver answers IP-literal hosts directly and keeps names it has
//! resolved for [`TTL`]; everything else goes to ureq's own resolver, time
//! limit included.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// How long a resolved name is reused (what the JVM does by default).
pub(crate) const TTL: Duration = Duration::from_secs(30);
/// At most this many names are kept; the cache is cleared when it is full.
const MAX_NAMES: usize = 64;

#[derive(Debug, Default)]
pub(crate) struct CachingResolver {
    inner: DefaultResolver,
    names: Mutex<HashMap<String, (Instant, ResolvedSocketAddrs)>>,
}

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let Some(authority) = uri.authority() else {
            return self
                .inner
                .resolve(uri, config, timeout)
                .map_err(crate::connect::mark);
        };
        let port = authority.port_u16().or(match uri.scheme_str() {
            Some("https") => Some(443),
            Some("http") => Some(80),
            _ => None,
        });
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']');
        if let (Ok(ip), Some(port)) = (host.parse::<IpAddr>(), port) {
            let mut addrs = self.inner.empty();
            addrs.push(SocketAddr::new(ip, port));
            return Ok(addrs);
        }
        let key = format!("{}://{}", uri.scheme_str().unwrap_or(""), authority);
        let now = Instant::now();
        if let Ok(names) = self.names.lock()
            && let Some((at, addrs)) = names.get(&key)
            && now.duration_since(*at) < TTL
        {
            return Ok(addrs.clone());
        }
        // A name that does not resolve is an I/O error from the system's
        // resolver, a slow one a timeout: either way nothing was sent.
        let addrs = self
            .inner
            .resolve(uri, config, timeout)
            .map_err(crate::connect::mark)?;
        if let Ok(mut names) = self.names.lock() {
            if names.len() >= MAX_NAMES {
                names.clear();
            }
            names.insert(key, (now, addrs.clone()));
        }
        Ok(addrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_literals_resolve_without_a_lookup() {
        let r = CachingResolver::default();
        let config = ureq::config::Config::default();
        for (uri, want) in [
            ("http://127.0.0.1:8080/x", "127.0.0.1:8080"),
            ("https://[::1]/x", "[::1]:443"),
            ("http://10.1.2.3/", "10.1.2.3:80"),
        ] {
            let uri: Uri = uri.parse().unwrap();
            let addrs = r.resolve(&uri, &config, NextTimeout::default()).unwrap();
            assert_eq!(addrs.len(), 1);
            assert_eq!(addrs[0].to_string(), want);
        }
        assert!(r.names.lock().unwrap().is_empty());
    }

    #[test]
    fn names_are_kept_for_a_while() {
        let r = CachingResolver::default();
        let config = ureq::config::Config::default();
        let uri: Uri = "http://localhost:9/".parse().unwrap();
        let first = r.resolve(&uri, &config, NextTimeout::default()).unwrap();
        assert_eq!(r.names.lock().unwrap().len(), 1);
        let again = r.resolve(&uri, &config, NextTimeout::default()).unwrap();
        assert_eq!(first[..], again[..]);
    }
}
