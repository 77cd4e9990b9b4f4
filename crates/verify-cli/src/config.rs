//! Provider settings from flags and environment variables, with every problem
//! collected rather than the first one.

use verify_ureq::telesign::AuthMethod;
use verify_ureq::{BaseUrl, ProviderConfig, dotdigital, telesign, telesign_verify};

use crate::cli::{AuthArg, DotdigitalAccount, SendOptions, TeleSignAccount, TeleSignVerifyAccount};
use crate::failure::Problem;

/// Whether a plain `http://` URL points at this machine.
fn is_loopback(url: &str) -> bool {
    let Ok(uri) = url.parse::<http::Uri>() else {
        return false;
    };
    match uri.host() {
        Some("localhost") => true,
        Some(host) => host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        None => false,
    }
}

/// Parses a base URL: HTTPS, or plain HTTP on loopback (a sandbox) or when
/// the caller opted in.
pub fn base_url(
    flag: &str,
    given: Option<&str>,
    default: &str,
    send: &SendOptions,
    problems: &mut Vec<Problem>,
) -> Option<BaseUrl> {
    let url = given.unwrap_or(default);
    let plain_ok = send.allow_plain_http || is_loopback(url);
    let parsed = if plain_ok {
        BaseUrl::allow_plain_http(url)
    } else {
        BaseUrl::new(url)
    };
    match parsed {
        Ok(b) => Some(b),
        Err(e) => {
            problems.push(Problem::new(flag, e.to_string()));
            None
        }
    }
}

fn required(
    value: Option<&str>,
    flag: &str,
    env: &str,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    match value {
        Some(v) if !v.is_empty() => Some(v.to_owned()),
        _ => {
            problems.push(Problem::new(
                flag,
                format!("missing: pass {flag} or set {env}"),
            ));
            None
        }
    }
}

/// TeleSign credentials and authentication method (shared by the classic
/// API, the Verify API and callbacks), or the problems with them.
pub fn telesign_credentials(
    customer_id: Option<&str>,
    api_key: Option<&str>,
    problems: &mut Vec<Problem>,
) -> Option<telesign::Credentials> {
    let customer_id = required(
        customer_id,
        "--customer-id",
        "TELESIGN_CUSTOMER_ID",
        problems,
    );
    let api_key = required(api_key, "--api-key", "TELESIGN_API_KEY", problems);
    match (customer_id, api_key) {
        (Some(id), Some(key)) => match telesign::Credentials::new(id, key) {
            Ok(c) => Some(c),
            Err(e) => {
                problems.push(Problem::new("TeleSign credentials", e.to_string()));
                None
            }
        },
        _ => None,
    }
}

fn auth_method(auth: AuthArg) -> AuthMethod {
    match auth {
        AuthArg::Basic => AuthMethod::Basic,
        AuthArg::Hmac => AuthMethod::Hmac,
    }
}

/// The TeleSign settings, or the problems with them.
pub fn telesign_config(
    customer_id: Option<&str>,
    api_key: Option<&str>,
    auth: AuthArg,
    base: Option<&str>,
    base_flag: &str,
    send: &SendOptions,
    problems: &mut Vec<Problem>,
) -> Option<telesign::Config> {
    let credentials = telesign_credentials(customer_id, api_key, problems);
    let base_url = base_url(base_flag, base, telesign::DEFAULT_BASE_URL, send, problems);
    Some(
        telesign::Config::new(credentials?)
            .with_base_url(base_url?)
            .with_auth_method(auth_method(auth)),
    )
}

/// The TeleSign Verify API settings, or the problems with them.
pub fn telesign_verify_config(
    customer_id: Option<&str>,
    api_key: Option<&str>,
    auth: AuthArg,
    base: Option<&str>,
    base_flag: &str,
    send: &SendOptions,
    problems: &mut Vec<Problem>,
) -> Option<telesign_verify::Config> {
    let credentials = telesign_credentials(customer_id, api_key, problems);
    let base_url = base_url(
        base_flag,
        base,
        telesign_verify::DEFAULT_BASE_URL,
        send,
        problems,
    );
    Some(
        telesign_verify::Config::new(credentials?)
            .with_base_url(base_url?)
            .with_auth_method(auth_method(auth)),
    )
}

/// The dotdigital settings, or the problems with them.
pub fn dotdigital_config(
    username: Option<&str>,
    password: Option<&str>,
    base: Option<&str>,
    base_flag: &str,
    send: &SendOptions,
    problems: &mut Vec<Problem>,
) -> Option<dotdigital::Config> {
    let username = required(username, "--username", "DOTDIGITAL_USERNAME", problems);
    let password = required(password, "--password", "DOTDIGITAL_PASSWORD", problems);
    let base_url = base_url(
        base_flag,
        base,
        dotdigital::DEFAULT_BASE_URL,
        send,
        problems,
    );
    let credentials = match (username, password) {
        (Some(u), Some(p)) => match dotdigital::Credentials::new(u, p) {
            Ok(c) => Some(c),
            Err(e) => {
                problems.push(Problem::new("dotdigital credentials", e.to_string()));
                None
            }
        },
        _ => None,
    };
    Some(dotdigital::Config::new(credentials?).with_base_url(base_url?))
}

impl TeleSignAccount {
    /// The settings these flags describe.
    pub fn config(
        &self,
        send: &SendOptions,
        problems: &mut Vec<Problem>,
    ) -> Option<ProviderConfig> {
        telesign_config(
            self.customer_id.as_deref(),
            self.api_key.as_deref(),
            self.auth,
            self.base_url.as_deref(),
            "--base-url",
            send,
            problems,
        )
        .map(ProviderConfig::from)
    }
}

impl TeleSignVerifyAccount {
    /// The settings these flags describe.
    pub fn config(
        &self,
        send: &SendOptions,
        problems: &mut Vec<Problem>,
    ) -> Option<ProviderConfig> {
        telesign_verify_config(
            self.customer_id.as_deref(),
            self.api_key.as_deref(),
            self.auth,
            self.base_url.as_deref(),
            "--base-url",
            send,
            problems,
        )
        .map(ProviderConfig::from)
    }
}

impl DotdigitalAccount {
    /// The settings these flags describe.
    pub fn config(
        &self,
        send: &SendOptions,
        problems: &mut Vec<Problem>,
    ) -> Option<ProviderConfig> {
        dotdigital_config(
            self.username.as_deref(),
            self.password.as_deref(),
            self.base_url.as_deref(),
            "--base-url",
            send,
            problems,
        )
        .map(ProviderConfig::from)
    }
}

/// Settings that let an operation validate its own fields while the real
/// settings are broken, so that every problem is reported in one go. Never
/// used to send anything.
pub fn placeholder(provider: verify_ureq::Provider) -> Option<ProviderConfig> {
    let base = BaseUrl::new("https://placeholder.invalid").ok()?;
    Some(match provider {
        verify_ureq::Provider::TeleSign => telesign::Config::new(
            telesign::Credentials::new("placeholder", "cGxhY2Vob2xkZXI=").ok()?,
        )
        .with_base_url(base)
        .into(),
        verify_ureq::Provider::TeleSignVerify => telesign_verify::Config::new(
            telesign::Credentials::new("placeholder", "cGxhY2Vob2xkZXI=").ok()?,
        )
        .with_base_url(base)
        .into(),
        verify_ureq::Provider::Dotdigital => dotdigital::Config::new(
            dotdigital::Credentials::new("placeholder", "placeholder").ok()?,
        )
        .with_base_url(base)
        .into(),
        // Providers this command line has no flags for.
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_detection() {
        assert!(is_loopback("http://127.0.0.1:8080"));
        assert!(is_loopback("http://[::1]:8080"));
        assert!(is_loopback("http://localhost:1"));
        assert!(!is_loopback("http://example.com"));
        assert!(!is_loopback("http://10.0.0.1"));
        assert!(!is_loopback("not a url"));
    }
}
