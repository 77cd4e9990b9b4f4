//! Receiving TeleSign's delivery reports with plain hyper: classic API
//! callbacks on `/telesign/callback`, Verify API callbacks on
//! `/telesign/verify-callback`.
//!
//! The signature is checked on the raw body before anything parses it; a
//! good report is answered 200, anything else 401 with an empty body (the
//! reason is logged here, never told to the caller). The example then plays
//! TeleSign: it posts a signed report, a tampered one and an unsigned one to
//! itself, and prints what it got.
//!
//! Run: `cargo run -p verify-hyper --example callback_hyper`

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use verify_hyper::telesign::callback::{parse_report, verify_signature};
use verify_hyper::telesign::{Credentials, signing};
use verify_hyper::{MAX_BODY_BYTES, telesign_verify};

/// One callback request: 200 when signed by the account's key and readable,
/// else 401. Nothing but the status leaves.
async fn handle(
    credentials: Arc<Credentials>,
    request: Request<hyper::body::Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    let refuse = |why: String| {
        eprintln!("{why}");
        Response::builder()
            .status(StatusCode::UNAUTHORIZED)
            .body(Full::new(Bytes::new()))
            .unwrap_or_default()
    };
    // The raw body, bounded: the signature covers exactly these bytes.
    let Ok(body) = Limited::new(body, MAX_BODY_BYTES).collect().await else {
        return Ok(refuse("body unreadable or too large".into()));
    };
    let body = body.to_bytes();
    if let Err(e) = verify_signature(&credentials, &parts.headers, &body) {
        return Ok(refuse(e.to_string()));
    }
    let read = match parts.uri.path() {
        "/telesign/callback" => parse_report(&body).map(|r| r.to_string()),
        "/telesign/verify-callback" => telesign_verify::callback::parse_report(&body)
            .map(|v| format!("process {} is {}", v.reference_id, v.state)),
        _ => return Ok(refuse("no such endpoint".into())),
    };
    match read {
        Ok(report) => {
            println!("accepted: {report}");
            Ok(Response::new(Full::new(Bytes::new())))
        }
        Err(e) => Ok(refuse(e.to_string())),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The account's key, as TeleSign's portal shows it ("Test Key").
    let credentials = Arc::new(Credentials::new(
        "FFFFFFFF-EEEE-DDDD-1234-AB1234567890",
        "VGVzdCBLZXk=",
    )?);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server_credentials = credentials.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let credentials = server_credentials.clone();
            let service = hyper::service::service_fn(move |r| handle(credentials.clone(), r));
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service),
            );
        }
    });

    // Play TeleSign.
    let client = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
        .build_http::<Full<Bytes>>();
    let classic = br#"{"reference_id":"0123456789ABCDEF0123456789ABCDEF","status":{"code":200,"description":"Delivered to handset"},"verify":{"code_state":"UNKNOWN"}}"#;
    let verify_api = br#"{"reference_id":"0123456789ABCDEF0123456789ABCDEF","state":"VERIFIED"}"#;
    let sign = |body: &[u8]| signing::hmac_sha256_base64(b"Test Key", body);
    let cases: [(&str, &str, &[u8], Option<String>); 4] = [
        (
            "signed classic report",
            "/telesign/callback",
            classic,
            Some(sign(classic)),
        ),
        (
            "signed Verify API report",
            "/telesign/verify-callback",
            verify_api,
            Some(sign(verify_api)),
        ),
        (
            "tampered report",
            "/telesign/callback",
            br#"{"reference_id":"0123456789ABCDEF0123456789ABCDEF","status":{"code":200}}"#,
            Some(sign(classic)),
        ),
        ("unsigned report", "/telesign/callback", classic, None),
    ];
    for (what, path, body, signature) in cases {
        let mut request = Request::post(format!("http://{addr}{path}"))
            .header("content-type", "application/json");
        if let Some(s) = signature {
            request = request.header(
                "authorization",
                format!("TSA FFFFFFFF-EEEE-DDDD-1234-AB1234567890:{s}"),
            );
        }
        let response = client
            .request(request.body(Full::new(Bytes::copy_from_slice(body)))?)
            .await?;
        println!("{what}: HTTP {}", response.status().as_u16());
    }
    Ok(())
}
