//! The core with a transport of your own: a hand-written HTTP/1.1 client
//! over `std::net::TcpStream`, driven by `verify_core::driver::Client`,
//! which adds everything else (validating, signing every attempt afresh,
//! retrying only when safe, failover, the call's time limit). Against the
//! loopback sandbox it sends a TeleSign SMS, then checks a wrong code and
//! the right one.
//!
//! Run: `cargo run -p verify-core --example custom_transport`
//!
//! `tests/custom_transport.rs` runs the conformance suite over [`Tcp`].

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant, SystemTime};

use verify_core::driver::{AttemptInfo, Client, ErrorKind, Limits, Runtime, Settings, Transport};
use verify_core::telesign::{CheckCode, CodeCheck, Config, Credentials, SendSms};
use verify_core::{BaseUrl, Code, ConfigError};

/// Plain HTTP/1.1, one connection per request (`connection: close`), the
/// system clocks, and randomness from the OS.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tcp;

impl Runtime for Tcp {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn date(&self) -> SystemTime {
        SystemTime::now()
    }

    fn random(&self) -> [u8; 16] {
        uuid::Uuid::new_v4().into_bytes() // the OS CSPRNG
    }
}

impl Transport for Tcp {
    type Body = Vec<u8>;

    fn send(
        &self,
        request: http::Request<Vec<u8>>,
        limits: Limits,
        _: &AttemptInfo,
    ) -> Result<http::Response<Vec<u8>>, ErrorKind> {
        let deadline = Instant::now() + limits.total;
        let left = || {
            deadline
                .saturating_duration_since(Instant::now())
                .max(Duration::from_millis(1))
        };
        let uri = request.uri();
        if uri.scheme_str() != Some("http") {
            let refused = "this transport speaks plain http only";
            return Err(ErrorKind::Config(ConfigError::BaseUrl(refused.into())));
        }
        let host = uri.authority().map_or("", |a| a.as_str());
        // Until connected, no byte of the request can have left: `written: false`.
        let addr = host.to_socket_addrs().ok().and_then(|mut a| a.next());
        let addr = addr.ok_or_else(|| ErrorKind::transport(false, "the host does not resolve"))?;
        let mut stream = TcpStream::connect_timeout(&addr, limits.connect)
            .map_err(|e| failed(e, false, limits.connect))?;
        // From here on, any byte may have left: `written: true`.
        let io = |e| failed(e, true, limits.total);
        let (method, length) = (request.method(), request.body().len());
        let target = uri.path_and_query().map_or("/", |p| p.as_str());
        let mut out = format!("{method} {target} HTTP/1.1\r\nhost: {host}\r\n").into_bytes();
        write!(out, "connection: close\r\ncontent-length: {length}\r\n").map_err(io)?;
        for (name, value) in request.headers() {
            out.extend([name.as_str().as_bytes(), b": ", value.as_bytes(), b"\r\n"].concat());
        }
        out.extend([&b"\r\n"[..], request.body()].concat());
        stream.set_write_timeout(Some(left())).map_err(io)?;
        stream.write_all(&out).map_err(io)?;
        // Read until the server closes: never more than the body limit (and
        // room for the head), never past the deadline.
        let (mut raw, mut chunk) = (Vec::new(), [0u8; 8192]);
        let cap = limits.max_body_bytes.saturating_add(16 * 1024);
        loop {
            stream.set_read_timeout(Some(left())).map_err(io)?;
            let n = stream.read(&mut chunk).map_err(io)?;
            if n == 0 {
                break;
            }
            raw.extend_from_slice(&chunk[..n]);
            if raw.len() as u64 > cap {
                return Err(ErrorKind::BodyTooLarge {
                    limit: limits.max_body_bytes,
                });
            }
            if Instant::now() >= deadline {
                return Err(ErrorKind::Timeout {
                    written: true,
                    after: limits.total,
                });
            }
        }
        parse(&raw, limits.max_body_bytes)
    }

    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// A socket error: a timeout, or a broken connection.
fn failed(e: io::Error, written: bool, after: Duration) -> ErrorKind {
    match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => {
            ErrorKind::Timeout { written, after }
        }
        _ => ErrorKind::transport(written, &e.to_string()),
    }
}

/// The status line, the headers and the body of a whole response.
fn parse(raw: &[u8], max_body_bytes: u64) -> Result<http::Response<Vec<u8>>, ErrorKind> {
    let garbled = || ErrorKind::transport(true, "no complete HTTP/1.1 response");
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(garbled)?;
    let head = std::str::from_utf8(&raw[..end]).map_err(|_| garbled())?;
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .ok_or_else(garbled)?;
    let mut response = http::Response::builder().status(status);
    for (name, value) in lines.filter_map(|l| l.split_once(':')) {
        response = response.header(name.trim(), value.trim());
    }
    let body = raw[end + 4..].to_vec();
    if body.len() as u64 > max_body_bytes {
        return Err(ErrorKind::BodyTooLarge {
            limit: max_body_bytes,
        });
    }
    let response = response.body(body).map_err(|_| garbled())?;
    let header = |name| response.headers().get(name).and_then(|v| v.to_str().ok());
    if header(http::header::TRANSFER_ENCODING).is_some() {
        return Err(ErrorKind::transport(
            true,
            "chunked bodies are not supported here",
        ));
    }
    let length = header(http::header::CONTENT_LENGTH).and_then(|v| v.parse::<usize>().ok());
    if length.is_some_and(|n| n != response.body().len()) {
        return Err(ErrorKind::transport(true, "the connection closed mid-body"));
    }
    Ok(response)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = verify_sandbox::Sandbox::spawn(verify_sandbox::SandboxConfig::deterministic(1))?;
    let c = sandbox.config();
    let credentials = Credentials::new(c.telesign_customer_id.clone(), c.telesign_api_key.clone())?;
    // Plain http only because the sandbox is on loopback; real base URLs are https.
    let config =
        Config::new(credentials).with_base_url(BaseUrl::allow_plain_http(&sandbox.base_url())?);
    let client = Client::new(Settings::builder(config).build(), Tcp);

    let sent = client.execute(&SendSms::new("15555550100"))?;
    println!(
        "sent: reference_id {}, status {:?}",
        sent.reference_id, sent.status.code
    );

    // The sandbox's outbox plays the phone: the code the user would type.
    let code = sandbox
        .messages_to("15555550100")
        .pop()
        .ok_or("no message")?
        .code;
    let mistyped: String = code
        .chars()
        .map(|d| if d == '0' { '1' } else { '0' })
        .collect();
    let check = CheckCode::new(sent.reference_id, Code::new(mistyped));
    let outcome = client.execute(&check)?;
    assert_eq!(outcome, CodeCheck::Invalid);
    println!("a mistyped code: {outcome:?}");
    let outcome = client.execute(&CheckCode::new(sent.reference_id, Code::new(code)))?;
    assert_eq!(outcome, CodeCheck::Valid);
    println!("the right code: {outcome:?}");
    Ok(())
}
