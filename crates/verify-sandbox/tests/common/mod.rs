//! A deliberately small HTTP/1.1 client over `std::net::TcpStream`, so tests see exactly
//! what the sandbox puts on the wire (including dropped connections and short bodies),
//! and a TeleSign request signer written from the specification.
#![allow(dead_code)]

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use verify_sandbox::Sandbox;

/// What came back.
#[derive(Debug)]
pub struct Raw {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Total bytes read from the socket.
    pub bytes_read: usize,
}

impl Raw {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

/// Sends one request with `Connection: close` and reads until the server closes.
/// `Ok(None)` when the server closed without sending a single byte.
pub fn send_raw(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> Option<Raw> {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        match s.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("read: {e}"),
        }
    }
    if buf.is_empty() {
        return None;
    }
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("no header end");
    let head = String::from_utf8(buf[..split].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let bytes_read = buf.len();
    Some(Raw {
        status,
        headers,
        body: buf[split + 4..].to_vec(),
        bytes_read,
    })
}

pub fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> Raw {
    send_raw(addr, method, path, headers, body)
        .expect("the server closed the connection without answering")
}

/// A TeleSign client: Basic or HMAC.
pub struct TeleSign<'a> {
    pub sandbox: &'a Sandbox,
    pub hmac: bool,
}

impl TeleSign<'_> {
    pub fn basic_header(&self) -> String {
        let c = self.sandbox.config();
        format!(
            "Basic {}",
            STANDARD.encode(format!("{}:{}", c.telesign_customer_id, c.telesign_api_key))
        )
    }

    /// Sends `method path` with `form` as body, authenticated like the official SDKs.
    pub fn call(&self, method: &str, path: &str, form: &[(&str, &str)]) -> Raw {
        let body = if form.is_empty() {
            String::new()
        } else {
            serde_urlencoded::to_string(form).unwrap()
        };
        let content_type = if method == "POST" || method == "PUT" {
            "application/x-www-form-urlencoded"
        } else {
            ""
        };
        let mut headers = vec![(
            "User-Agent",
            "TeleSignSdk/python-2.2.2 Python/3.11 Requests/2.31".to_owned(),
        )];
        if !content_type.is_empty() {
            headers.push(("Content-Type", content_type.to_owned()));
        }
        if self.hmac {
            // Like every real client: the system time, whatever the sandbox's clock says.
            let date = httpdate::fmt_http_date(SystemTime::now());
            let nonce = uuid::Uuid::new_v4().to_string();
            let resource = path.split('?').next().unwrap();
            let c = self.sandbox.config();
            let sig = sign(
                &c.telesign_api_key,
                method,
                content_type,
                &date,
                &nonce,
                &body,
                resource,
            );
            headers.push((
                "Authorization",
                format!("TSA {}:{sig}", c.telesign_customer_id),
            ));
            headers.push(("Date", date));
            headers.push(("x-ts-auth-method", "HMAC-SHA256".into()));
            headers.push(("x-ts-nonce", nonce));
        } else {
            headers.push(("Authorization", self.basic_header()));
        }
        send(
            self.sandbox.local_addr(),
            method,
            path,
            &headers,
            body.as_bytes(),
        )
    }

    pub fn send_sms(&self, phone: &str) -> Raw {
        self.call("POST", "/v1/verify/sms", &[("phone_number", phone)])
    }

    pub fn status(&self, reference_id: &str, code: Option<&str>) -> Raw {
        match code {
            Some(c) => self.call(
                "GET",
                &format!("/v1/verify/{reference_id}?verify_code={c}"),
                &[],
            ),
            None => self.call("GET", &format!("/v1/verify/{reference_id}"), &[]),
        }
    }
}

/// TeleSign's HMAC-SHA256 signature, from the specification.
pub fn sign(
    api_key: &str,
    method: &str,
    content_type: &str,
    date: &str,
    nonce: &str,
    body: &str,
    resource: &str,
) -> String {
    let mut s = format!(
        "{method}\n{content_type}\n{date}\nx-ts-auth-method:HMAC-SHA256\nx-ts-nonce:{nonce}"
    );
    if !content_type.is_empty() && !body.is_empty() {
        s.push('\n');
        s.push_str(body);
    }
    s.push('\n');
    s.push_str(resource);
    let mut mac = Hmac::<Sha256>::new_from_slice(&STANDARD.decode(api_key).unwrap()).unwrap();
    mac.update(s.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// A dotdigital client.
pub fn dd(sandbox: &Sandbox, method: &str, path: &str, json: &serde_json::Value) -> Raw {
    let c = sandbox.config();
    let auth = format!(
        "Basic {}",
        STANDARD.encode(format!(
            "{}:{}",
            c.dotdigital_username, c.dotdigital_password
        ))
    );
    send(
        sandbox.local_addr(),
        method,
        path,
        &[
            ("Authorization", auth),
            ("Content-Type", "application/json".into()),
        ],
        json.to_string().as_bytes(),
    )
}

pub fn iso(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

/// A client of TeleSign's Verify API (`/verification`): Basic or HMAC, JSON bodies.
pub struct VerifyApi<'a> {
    pub sandbox: &'a Sandbox,
    pub hmac: bool,
}

impl VerifyApi<'_> {
    /// The authentication headers for `method path` with this content type and body
    /// (HMAC signs the body text exactly; the query is not signed).
    pub fn auth_headers(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: &str,
    ) -> Vec<(&'static str, String)> {
        let c = self.sandbox.config();
        if !self.hmac {
            return vec![(
                "Authorization",
                TeleSign {
                    sandbox: self.sandbox,
                    hmac: false,
                }
                .basic_header(),
            )];
        }
        let date = httpdate::fmt_http_date(SystemTime::now());
        let nonce = uuid::Uuid::new_v4().to_string();
        let resource = path.split('?').next().unwrap();
        let sig = sign(
            &c.telesign_api_key,
            method,
            content_type,
            &date,
            &nonce,
            body,
            resource,
        );
        vec![
            (
                "Authorization",
                format!("TSA {}:{sig}", c.telesign_customer_id),
            ),
            ("Date", date),
            ("x-ts-auth-method", "HMAC-SHA256".into()),
            ("x-ts-nonce", nonce),
        ]
    }

    /// Sends `body` as `content_type` (no Content-Type header when it is empty).
    pub fn request(&self, method: &str, path: &str, content_type: &str, body: &str) -> Raw {
        let mut headers = self.auth_headers(method, path, content_type, body);
        if !content_type.is_empty() {
            headers.push(("Content-Type", content_type.to_owned()));
        }
        headers.push(("Accept", "application/json".into()));
        send(
            self.sandbox.local_addr(),
            method,
            path,
            &headers,
            body.as_bytes(),
        )
    }

    pub fn create(&self, body: &serde_json::Value) -> Raw {
        self.request(
            "POST",
            "/verification",
            "application/json",
            &body.to_string(),
        )
    }

    /// A create to `phone` with the default policy; the reference id and the code sent.
    pub fn start(&self, body: &serde_json::Value) -> (String, String) {
        let r = self.create(body);
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let id = r.json()["reference_id"].as_str().unwrap().to_owned();
        let code = self
            .sandbox
            .messages()
            .into_iter()
            .rev()
            .find(|m| m.verification_id == id)
            .map(|m| m.code)
            .unwrap_or_default();
        (id, code)
    }

    pub fn retrieve(&self, reference_id: &str) -> Raw {
        self.request("GET", &format!("/verification/{reference_id}"), "", "")
    }

    pub fn finalize(&self, reference_id: &str, code: &str) -> Raw {
        let body = serde_json::json!({"action": "finalize", "security_factor": code});
        self.request(
            "PATCH",
            &format!("/verification/{reference_id}/state"),
            "application/json",
            &body.to_string(),
        )
    }
}

/// `{"code": N, "description": D}` of a Verify API answer, with its HTTP status.
pub fn verify_status(r: &Raw) -> (u16, i64, String) {
    let j = r.json();
    (
        r.status,
        j["status"]["code"]
            .as_i64()
            .unwrap_or_else(|| panic!("no status: {j}")),
        j["status"]["description"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}
