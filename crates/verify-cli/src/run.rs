//! The path every sending command takes: collect every input problem, build
//! the request, then either print it (`--print-request`) or send it.

use std::time::SystemTime;

use verify_ureq::{Operation, Provider, ProviderConfig, Role};

use crate::cli::SendOptions;
use crate::config;
use crate::failure::{Failure, Problem};
use crate::out::{self, errln};
use crate::transport::Network;
use crate::wire;

/// What a sending command ended with.
pub enum Sent<T> {
    /// `--print-request`: the exact bytes, nothing sent, and how to print them.
    Printed(Box<http::Request<Vec<u8>>>, Box<SendOptions>),
    /// The provider's answer.
    Answered(T),
}

/// Whether `value` can go into an HTTP header unchanged: visible ASCII and
/// spaces, not empty.
fn header_safe(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b == b' ' || b.is_ascii_graphic())
}

/// Whether `value` is an RFC 1123 date exactly as HTTP writes it (the
/// IMF-fixdate of RFC 9110, such as "Wed, 14 Dec 2016 18:20:12 GMT"), with
/// its weekday matching its date. The obsolete RFC 850 and asctime forms,
/// which `httpdate` also reads, are refused: TeleSign wants RFC 1123.
fn is_rfc1123_date(value: &str) -> bool {
    httpdate::parse_http_date(value).is_ok_and(|t| httpdate::fmt_http_date(t) == value)
}

/// Checks the `--date` and `--nonce` overrides.
pub fn check_overrides(send: &SendOptions, problems: &mut Vec<Problem>) {
    if let Some(date) = &send.date
        && !is_rfc1123_date(date)
    {
        problems.push(Problem::new(
            "--date",
            "must be an RFC 1123 date in GMT, e.g. \"Wed, 14 Dec 2016 18:20:12 GMT\"",
        ));
    }
    if let Some(nonce) = &send.nonce
        && (!header_safe(nonce) || nonce.contains(' '))
    {
        problems.push(Problem::new(
            "--nonce",
            "must be non-empty printable ASCII without spaces",
        ));
    }
}

/// Validates `op` for `config` (or, when the settings are broken, for
/// placeholder settings, so its field errors join the settings' problems),
/// then prints or sends it with `send_with`.
pub fn run<O: Operation>(
    op: &O,
    config: Option<ProviderConfig>,
    role: Role,
    send: &SendOptions,
    problems: Vec<Problem>,
    send_with: impl FnOnce(&O, ProviderConfig, &Network) -> Result<O::Output, Failure>,
) -> Result<Sent<O::Output>, Failure> {
    run_warned(op, config, role, send, problems, None, None, send_with)
}

/// The problems of `op` for every target it may reach: the primary's
/// settings (`primary`, in `role`) and the backup's (`backup`, as the
/// backup), each real or a placeholder. A rule broken for every target is
/// listed once without a provider; any other names the provider it offends
/// (as the library's own check does before sending).
pub fn target_problems<O: Operation>(
    op: &O,
    primary: Option<&ProviderConfig>,
    role: Role,
    backup: Option<&ProviderConfig>,
) -> Vec<Problem> {
    let checks: Vec<(String, Vec<Problem>)> = [(primary, role), (backup, Role::Backup)]
        .into_iter()
        .filter_map(|(c, role)| c.map(|c| (c, role)))
        .map(|(c, role)| {
            let problems = match op.to_request(c, role) {
                Ok(_) => Vec::new(),
                Err(e) => Problem::all_of(&e),
            };
            (c.provider().to_string(), problems)
        })
        .collect();
    let several = checks.len() > 1;
    let mut all: Vec<Problem> = Vec::new();
    for (provider, problems) in &checks {
        for p in problems {
            let everywhere = checks
                .iter()
                .all(|(_, other)| other.iter().any(|o| o.field == p.field && o.rule == p.rule));
            let tagged = Problem {
                provider: match &p.provider {
                    Some(named) => Some(named.clone()),
                    None => (several && !everywhere).then(|| provider.clone()),
                },
                ..p.clone()
            };
            if !all.contains(&tagged) {
                all.push(tagged);
            }
        }
    }
    all
}

/// [`run`], printing `warning` on stderr once the input is known to be
/// valid, before anything is sent or printed. For a neutral operation,
/// `neutral` names the primary's provider (to check the operation against
/// placeholder settings while the real ones are broken) and the settings of
/// the backup it may fail over to (real or a placeholder), which are checked
/// too: nothing is sent unless every target takes the operation.
#[allow(clippy::too_many_arguments)]
pub fn run_warned<O: Operation>(
    op: &O,
    config: Option<ProviderConfig>,
    role: Role,
    send: &SendOptions,
    mut problems: Vec<Problem>,
    warning: Option<String>,
    neutral: Option<(Provider, Option<&ProviderConfig>)>,
    send_with: impl FnOnce(&O, ProviderConfig, &Network) -> Result<O::Output, Failure>,
) -> Result<Sent<O::Output>, Failure> {
    check_overrides(send, &mut problems);
    let network = Network::from_options(send, &mut problems);
    let validation_config = config.clone().or_else(|| {
        op.provider()
            .or(neutral.map(|n| n.0))
            .and_then(config::placeholder)
    });
    let backup = neutral.and_then(|n| n.1);
    let request = validation_config
        .as_ref()
        .and_then(|c| op.to_request(c, role).ok());
    problems.extend(target_problems(
        op,
        validation_config.as_ref(),
        role,
        backup,
    ));
    if !problems.is_empty() {
        return Err(Failure::Usage(problems));
    }
    let (Some(config), Some(mut request)) = (config, request) else {
        return Err(Failure::usage("configuration", "incomplete"));
    };
    if let Some(w) = warning {
        errln!("warning: {w}");
    }
    if send.print_request {
        // `--date` was checked as an RFC 1123 date, which reads back to the
        // same text: sign through the same public `authorize` as every call.
        let now = send
            .date
            .as_deref()
            .and_then(|d| httpdate::parse_http_date(d).ok())
            .unwrap_or_else(SystemTime::now);
        let nonce = send
            .nonce
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        config
            .authorize(&mut request, now, &nonce)
            .map_err(|e| Failure::usage("configuration", e.to_string()))?;
        return Ok(Sent::Printed(Box::new(request), Box::new(send.clone())));
    }
    send_with(op, config, &network).map(Sent::Answered)
}

/// What stands in for a Basic token without `--show-secrets`.
pub const MASKED_BASIC: &str = "Basic ******** (masked; --show-secrets prints it)";

/// `request` as `--print-request` shows it: a Basic `Authorization` (or
/// `Proxy-Authorization`) header, which carries the key or the password
/// itself, is masked unless `show_secrets`. An HMAC signature is shown as it
/// is: it proves the key without holding it.
pub fn shown(mut request: http::Request<Vec<u8>>, show_secrets: bool) -> http::Request<Vec<u8>> {
    if show_secrets {
        return request;
    }
    for name in [
        http::header::AUTHORIZATION,
        http::header::PROXY_AUTHORIZATION,
    ] {
        let basic = request.headers().get(&name).is_some_and(|v| {
            v.as_bytes()
                .get(..6)
                .is_some_and(|p| p.eq_ignore_ascii_case(b"basic "))
        });
        if basic {
            request
                .headers_mut()
                .insert(name, http::HeaderValue::from_static(MASKED_BASIC));
        }
    }
    request
}

/// Whether `request` carries a TeleSign HMAC signature (`TSA id:signature`).
pub fn hmac_signed(request: &http::Request<Vec<u8>>) -> bool {
    request
        .headers()
        .get(http::header::AUTHORIZATION)
        .is_some_and(|v| v.as_bytes().starts_with(b"TSA "))
}

/// The warning for an HMAC-signed request printed with the current time.
pub const REPLAY_WARNING: &str = "this request is signed with the current time: anyone who sends these exact bytes within TeleSign's 15-minute window is authenticated as you (it is a replayable credential, and sending it sends a code). Pass --date to sign with a fixed time for comparisons.";

/// Writes a printed request: the exact bytes (credentials masked unless
/// `show_secrets`), or a JSON object.
pub fn print_request(request: &http::Request<Vec<u8>>, json_mode: bool, send: &SendOptions) {
    use std::io::IsTerminal;
    if hmac_signed(request) && send.date.is_none() {
        errln!("warning: {REPLAY_WARNING}");
    }
    let request = shown(request.clone(), send.show_secrets);
    let raw = wire::render(&request);
    if json_mode {
        let headers: Vec<_> = request
            .headers()
            .iter()
            .map(|(n, v)| serde_json::json!([n.as_str(), String::from_utf8_lossy(v.as_bytes())]))
            .collect();
        let value = serde_json::json!({
            "ok": true,
            "sent": false,
            "request": {
                "method": request.method().as_str(),
                "uri": request.uri().to_string(),
                "headers": headers,
                "body": String::from_utf8_lossy(request.body()),
                "raw": String::from_utf8_lossy(&raw),
            }
        });
        let _ = out::line(format_args!("{value}"));
        return;
    }
    if out::bytes(&raw).is_err() {
        return;
    }
    // The bytes are exact; a terminal also gets a final newline so that the
    // prompt does not stick to the body.
    if std::io::stdout().is_terminal() && !raw.ends_with(b"\n") {
        let _ = out::bytes(b"\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_be_rfc_1123() {
        assert!(is_rfc1123_date("Wed, 14 Dec 2016 18:20:12 GMT"));
        for bad in [
            "",
            "yesterday",
            "Thu, 14 Dec 2016 18:20:12 GMT", // wrong weekday
            "Wed, 14 Dec 2016 18:20:12 UTC",
            "Wed, 14 Dec 2016 18:20:12 GMT ",
            "Wed, 14 Dec 2016 25:20:12 GMT",
            "Wednesday, 14-Dec-16 18:20:12 GMT", // RFC 850
            "Wed Dec 14 18:20:12 2016",          // asctime
            "2016-12-14T18:20:12Z",
        ] {
            assert!(!is_rfc1123_date(bad), "{bad:?}");
        }
    }

    #[test]
    fn header_safety() {
        assert!(header_safe("Wed, 14 Dec 2016 18:20:12 GMT"));
        assert!(!header_safe(""));
        assert!(!header_safe("a\r\nb"));
        assert!(!header_safe("é"));
    }
}
