//! A small `CONNECT` proxy on loopback, to test transports through a proxy:
//! it tunnels, refuses the `CONNECT` with a status, or closes in the middle
//! of relaying the answer. It counts what it saw.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// What the proxy does with a `CONNECT`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProxyMode {
    /// Opens the tunnel and relays both ways.
    Tunnel,
    /// Answers the `CONNECT` with this status (407, 502, ...) and closes.
    Refuse(u16),
    /// Opens the tunnel, relays the request, then closes after the first
    /// few bytes of the answer.
    CloseMidAnswer,
    /// Never answers a `CONNECT` to a host under `.invalid` (holds the
    /// connection until the client gives up); tunnels every other one.
    StallInvalid,
}

/// A `CONNECT` proxy on `127.0.0.1`, until dropped.
pub struct TestProxy {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    connects: Arc<AtomicUsize>,
    authorized: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl TestProxy {
    /// Starts a proxy in `mode`. With `credentials` (`user:password`), a
    /// `CONNECT` without the matching `Proxy-Authorization` gets 407.
    pub fn start(mode: ProxyMode, credentials: Option<&str>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("its address"));
        let connects = Arc::new(AtomicUsize::new(0));
        let authorized = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let expected = credentials.map(|c| {
            use base64::Engine as _;
            format!(
                "basic {}",
                base64::engine::general_purpose::STANDARD.encode(c)
            )
        });
        let (counted, auths, stopped) = (connects.clone(), authorized.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                if stopped.load(Ordering::SeqCst) {
                    return;
                }
                let (counted, auths, expected) = (counted.clone(), auths.clone(), expected.clone());
                std::thread::spawn(move || {
                    let _ = serve(stream, mode, expected.as_deref(), &counted, &auths);
                });
            }
        });
        Self {
            url,
            connects,
            authorized,
            stop,
        }
    }

    /// `CONNECT` requests received so far.
    pub fn connects(&self) -> usize {
        self.connects.load(Ordering::SeqCst)
    }

    /// `CONNECT` requests that carried the expected credentials.
    pub fn authorized(&self) -> usize {
        self.authorized.load(Ordering::SeqCst)
    }

    /// The URL with `user:password@` in it.
    pub fn url_with(&self, credentials: &str) -> String {
        self.url
            .replacen("http://", &format!("http://{credentials}@"), 1)
    }
}

impl Drop for TestProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accepting thread so it sees the flag.
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
    }
}

fn serve(
    client: TcpStream,
    mode: ProxyMode,
    expected: Option<&str>,
    connects: &AtomicUsize,
    authorized: &AtomicUsize,
) -> io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let mut auth = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("proxy-authorization")
        {
            auth = Some(value.trim().to_ascii_lowercase());
        }
    }
    let mut client = client;
    if method != "CONNECT" {
        client.write_all(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n")?;
        return Ok(());
    }
    connects.fetch_add(1, Ordering::SeqCst);
    if let Some(want) = expected {
        // Compare the base64 part case-sensitively: only the scheme is
        // case-insensitive.
        let ok = auth
            .as_deref()
            .is_some_and(|a| a.eq_ignore_ascii_case(want));
        if !ok {
            client.write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\nproxy-authenticate: Basic\r\ncontent-length: 0\r\n\r\n")?;
            return Ok(());
        }
        authorized.fetch_add(1, Ordering::SeqCst);
    }
    let host = target.rsplit_once(':').map_or(target, |(host, _)| host);
    if mode == ProxyMode::StallInvalid && host.ends_with(".invalid") {
        // Hold the connection, silent, until the client closes it.
        let mut rest = Vec::new();
        let _ = reader.read_to_end(&mut rest);
        return Ok(());
    }
    if let ProxyMode::Refuse(status) = mode {
        write!(
            client,
            "HTTP/1.1 {status} Refused\r\ncontent-length: 0\r\n\r\n"
        )?;
        return Ok(());
    }
    let upstream = TcpStream::connect(target)?;
    client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
    let mut up_write = upstream.try_clone()?;
    let mut down_read = upstream;
    // Bytes the reader already buffered belong to the tunnel.
    let buffered = reader.buffer().to_vec();
    up_write.write_all(&buffered)?;
    std::thread::spawn(move || {
        let _ = io::copy(&mut reader, &mut up_write);
        let _ = up_write.shutdown(Shutdown::Write);
    });
    match mode {
        ProxyMode::CloseMidAnswer => {
            let mut first = [0u8; 12];
            let n = down_read.read(&mut first)?;
            client.write_all(&first[..n])?;
            let _ = client.shutdown(Shutdown::Both);
            let _ = down_read.shutdown(Shutdown::Both);
        }
        _ => {
            let _ = io::copy(&mut down_read, &mut client);
            let _ = client.shutdown(Shutdown::Write);
        }
    }
    Ok(())
}
