//! A loopback server that gives every request the same TeleSign answer and
//! counts what arrived: the way to prove that an answer is acted on exactly
//! once.

/// A plain HTTP server on loopback that answers every request with one
/// fixed TeleSign answer, and counts the requests it received.
pub struct MixedServer {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    hits: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl MixedServer {
    /// Starts answering every request with `status` and `body`.
    pub fn start(status: u16, body: &'static str) -> Self {
        use std::io::{BufRead, BufReader, Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = hits.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let counted = counted.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream);
                    loop {
                        let mut length = 0usize;
                        let mut line = String::new();
                        loop {
                            line.clear();
                            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                                return;
                            }
                            let lower = line.to_ascii_lowercase();
                            if let Some(v) = lower.strip_prefix("content-length:") {
                                length = v.trim().parse().unwrap_or(0);
                            }
                            if line == "\r\n" {
                                break;
                            }
                        }
                        let mut request_body = vec![0; length];
                        if reader.read_exact(&mut request_body).is_err() {
                            return;
                        }
                        counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        let answer = format!(
                            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                            body.len()
                        );
                        if reader.get_mut().write_all(answer.as_bytes()).is_err() {
                            return;
                        }
                    }
                });
            }
        });
        Self { url, hits }
    }

    /// How many whole requests arrived so far.
    pub fn hits(&self) -> usize {
        self.hits.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Answers that carry an attempted status beside a refusal code: TeleSign
/// tried to send, so the request must never be repeated.
pub const MIXED_ANSWERS: &[(u16, &str)] = &[
    (
        200,
        r#"{"reference_id":"0123456789ABCDEF0123456789ABCDEF","status":{"code":503,"description":"Carrier rejected - temporary problem"},"errors":[{"code":-90001,"description":"System Unavailable"}]}"#,
    ),
    (
        200,
        r#"{"reference_id":"0123456789ABCDEF0123456789ABCDEF","status":{"code":290,"description":"Message in progress"},"errors":[{"code":-40007,"description":"Rate Limit Exceeded"}]}"#,
    ),
    (
        429,
        r#"{"reference_id":"0123456789ABCDEF0123456789ABCDEF","status":{"code":290,"description":"Message in progress"},"errors":[{"code":-40007,"description":"Rate Limit Exceeded"}]}"#,
    ),
];
