//! The core on its own: a hand-written HTTP/1.1 transport over `std::net::TcpStream`
//! sends a TeleSign SMS to the loopback sandbox.
//! Run: `cargo run -p verify-core --example custom_transport`
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::SystemTime;

use verify_core::telesign::{Config, Credentials, SendSms};
use verify_core::{BaseUrl, Operation, ProviderConfig, Role};

/// One exchange: write the request, read the (bounded) response until the server closes.
fn send(req: &http::Request<Vec<u8>>) -> io::Result<http::Response<Vec<u8>>> {
    let host = req.uri().authority().map_or("", |a| a.as_str());
    let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
    let mut head = format!(
        "{} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n",
        req.method()
    );
    head += &format!("Content-Length: {}\r\n", req.body().len());
    for (name, value) in req.headers() {
        head += &format!("{name}: {}\r\n", value.to_str().map_err(io::Error::other)?);
    }
    let mut stream = TcpStream::connect(host)?;
    stream.write_all(format!("{head}\r\n").as_bytes())?;
    stream.write_all(req.body())?;
    let mut raw = Vec::new();
    stream.take(1 << 20).read_to_end(&mut raw)?;
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or(io::ErrorKind::InvalidData)?;
    let text = String::from_utf8_lossy(&raw[..end]);
    let status: u16 = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or(io::ErrorKind::InvalidData)?;
    let mut response = http::Response::builder().status(status);
    for (name, value) in text.lines().skip(1).filter_map(|l| l.split_once(':')) {
        response = response.header(name.trim(), value.trim());
    }
    response
        .body(raw[end + 4..].to_vec())
        .map_err(io::Error::other)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = verify_sandbox::Sandbox::spawn(verify_sandbox::SandboxConfig::deterministic(1))?;
    let c = sandbox.config();
    let credentials = Credentials::new(c.telesign_customer_id.clone(), c.telesign_api_key.clone())?;
    let base_url = BaseUrl::allow_plain_http(&sandbox.base_url())?;
    let config = ProviderConfig::from(Config::new(credentials).with_base_url(base_url));

    let op = SendSms::new("15555550100");
    let mut request = op.to_request(&config, Role::Primary)?; // validates, builds
    let nonce = uuid::Uuid::new_v4().to_string(); // from the OS CSPRNG
    config.authorize(&mut request, SystemTime::now(), &nonce)?; // signs, per attempt
    let (parts, body) = send(&request)?.into_parts();
    let sent = op.parse_response(
        config.provider(),
        http::Response::from_parts(parts, &body[..]),
    )?;
    println!(
        "sent: reference_id {:?}, status {:?}",
        sent.reference_id,
        sent.status_code()
    );
    println!(
        "the phone got: {:?}",
        sandbox.messages().last().map(|m| &m.text)
    );
    Ok(())
}
