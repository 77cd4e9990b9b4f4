//! Receiving TeleSign's delivery reports in an axum server: classic API
//! callbacks on `/telesign/callback`, Verify API callbacks on
//! `/telesign/verify-callback`.
//!
//! The handlers take the raw body (`Bytes`) and the headers, check the
//! signature before anything parses the body, answer 200 for a good report
//! and 401 with an empty body for anything else (the reason is logged, never
//! told to the caller). The example then plays TeleSign against itself.
//!
//! Run: `cargo run -p verify-hyper --example callback_axum`

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use verify_hyper::telesign::callback::{CallbackRejection, parse_report, verify_signature};
use verify_hyper::telesign::{Credentials, signing};
use verify_hyper::{MAX_BODY_BYTES, telesign_verify};

/// 401 with nothing in it; the reason stays in the log.
fn refuse(why: &CallbackRejection) -> StatusCode {
    eprintln!("{why}");
    StatusCode::UNAUTHORIZED
}

async fn classic(
    State(credentials): State<Arc<Credentials>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let report = verify_signature(&credentials, &headers, &body).and_then(|()| parse_report(&body));
    match report {
        Ok(report) => {
            println!("accepted: {report}");
            StatusCode::OK
        }
        Err(e) => refuse(&e),
    }
}

async fn verify_api(
    State(credentials): State<Arc<Credentials>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let process = verify_signature(&credentials, &headers, &body)
        .and_then(|()| telesign_verify::callback::parse_report(&body));
    match process {
        Ok(p) => {
            println!("accepted: process {} is {}", p.reference_id, p.state);
            StatusCode::OK
        }
        Err(e) => refuse(&e),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The account's key, as TeleSign's portal shows it ("Test Key").
    let credentials = Arc::new(Credentials::new(
        "FFFFFFFF-EEEE-DDDD-1234-AB1234567890",
        "VGVzdCBLZXk=",
    )?);
    let app = Router::new()
        .route("/telesign/callback", post(classic))
        .route("/telesign/verify-callback", post(verify_api))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(credentials);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });

    // Play TeleSign, with a plain HTTP/1 exchange per report.
    let classic_body = br#"{"reference_id":"0123456789ABCDEF0123456789ABCDEF","status":{"code":200,"description":"Delivered to handset"},"verify":{"code_state":"UNKNOWN"}}"#;
    let verify_body = br#"{"reference_id":"0123456789ABCDEF0123456789ABCDEF","state":"VERIFIED"}"#;
    let sign = |body: &[u8]| signing::hmac_sha256_base64(b"Test Key", body);
    let cases: [(&str, &str, &[u8], Option<String>); 3] = [
        (
            "signed classic report",
            "/telesign/callback",
            classic_body,
            Some(sign(classic_body)),
        ),
        (
            "signed Verify API report",
            "/telesign/verify-callback",
            verify_body,
            Some(sign(verify_body)),
        ),
        (
            "tampered report",
            "/telesign/verify-callback",
            br#"{"reference_id":"0123456789ABCDEF0123456789ABCDEF","state":"REJECTED"}"#,
            Some(sign(verify_body)),
        ),
    ];
    for (what, path, body, signature) in cases {
        let status = post_once(addr, path, body, signature).await?;
        println!("{what}: HTTP {status}");
    }
    Ok(())
}

/// One POST over a fresh connection; the status code of the answer.
async fn post_once(
    addr: std::net::SocketAddr,
    path: &str,
    body: &[u8],
    signature: Option<String>,
) -> std::io::Result<u16> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let auth = signature
        .map(|s| format!("authorization: TSA FFFFFFFF-EEEE-DDDD-1234-AB1234567890:{s}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n{auth}content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    let text = String::from_utf8_lossy(&answer);
    Ok(text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0))
}
