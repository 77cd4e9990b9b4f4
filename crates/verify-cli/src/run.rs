//! The path every sending command takes: collect every input problem, build
//! the request, then either print it (`--print-request`) or send it.

use std::time::SystemTime;

use verify_ureq::{Operation, ProviderConfig, Role};

use crate::cli::SendOptions;
use crate::config;
use crate::failure::{Failure, Problem};
use crate::transport::Network;
use crate::wire;

/// What a sending command ended with.
pub enum Sent<T> {
    /// `--print-request`: the exact bytes, nothing sent.
    Printed(Box<http::Request<Vec<u8>>>),
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
    run_warned(op, config, role, send, problems, None, send_with)
}

/// [`run`], printing `warning` on stderr once the input is known to be
/// valid, before anything is sent or printed.
pub fn run_warned<O: Operation>(
    op: &O,
    config: Option<ProviderConfig>,
    role: Role,
    send: &SendOptions,
    mut problems: Vec<Problem>,
    warning: Option<String>,
    send_with: impl FnOnce(&O, ProviderConfig, &Network) -> Result<O::Output, Failure>,
) -> Result<Sent<O::Output>, Failure> {
    check_overrides(send, &mut problems);
    let network = Network::from_options(send, &mut problems);
    let validation_config = config
        .clone()
        .or_else(|| op.provider().and_then(config::placeholder));
    let request = match validation_config {
        Some(c) => match op.to_request(&c, role) {
            Ok(r) => Some(r),
            Err(e) => {
                problems.extend(
                    e.errors()
                        .iter()
                        .map(|f| Problem::new(f.field, f.rule.clone())),
                );
                None
            }
        },
        None => None,
    };
    if !problems.is_empty() {
        return Err(Failure::Usage(problems));
    }
    let (Some(config), Some(mut request)) = (config, request) else {
        return Err(Failure::usage("configuration", "incomplete"));
    };
    if let Some(w) = warning {
        eprintln!("warning: {w}");
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
        return Ok(Sent::Printed(Box::new(request)));
    }
    send_with(op, config, &network).map(Sent::Answered)
}

/// Writes a printed request: the exact bytes, or a JSON object.
pub fn print_request(request: &http::Request<Vec<u8>>, json_mode: bool) {
    use std::io::{IsTerminal, Write};
    let raw = wire::render(request);
    let mut out = std::io::stdout().lock();
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
        let _ = writeln!(out, "{value}");
        return;
    }
    let _ = out.write_all(&raw);
    // The bytes are exact; a terminal also gets a final newline so that the
    // prompt does not stick to the body.
    if out.is_terminal() && !raw.ends_with(b"\n") {
        let _ = out.write_all(b"\n");
    }
    let _ = out.flush();
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
