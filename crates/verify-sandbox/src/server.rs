//! The HTTP side: accept loop, routing, fault injection and the `/_sandbox` control API.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Limited};
use hyper::body::Incoming;
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use hyper::{Method, Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::body::SandboxBody;
use crate::fault::{Fault, FaultRequest, Route};
use crate::reply::{Reply, Req};
use crate::state::Shared;
use crate::{dotdigital, telesign, telesign_verify};

/// Largest request body read (larger ones get 413).
const MAX_REQUEST_BODY: usize = 1024 * 1024;

/// A deliberate connection drop (the service error makes hyper close without answering).
#[derive(Debug)]
struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DropConnection {}

/// Accepts connections until `stop` flips to true; dropping the join set aborts open ones.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let shared = shared.clone();
                connections.spawn(async move {
                    let service = hyper::service::service_fn(move |req| handle(shared.clone(), req));
                    let _ = auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
                while connections.try_join_next().is_some() {}
            }
        }
    }
    connections.shutdown().await;
}

/// Which simulated route a request is for, with its path id.
fn route_of(method: &Method, path: &str) -> Option<(Route, String)> {
    let path = path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path);
    if let Some(rest) = path.strip_prefix("/v1/verify/") {
        return match (method, rest) {
            (&Method::POST, "sms") => Some((Route::TeleSignSms, String::new())),
            (&Method::POST, "call") => Some((Route::TeleSignCall, String::new())),
            (&Method::PUT, r) if r.starts_with("completion/") => {
                let id = r.strip_prefix("completion/").unwrap_or_default();
                (!id.contains('/')).then(|| (Route::TeleSignCompletion, id.to_owned()))
            }
            (&Method::GET, id) if !id.contains('/') && id != "sms" && id != "call" => {
                Some((Route::TeleSignStatus, id.to_owned()))
            }
            _ => None,
        };
    }
    if path == "/verification" {
        return (method == Method::POST).then(|| (Route::TeleSignVerifyCreate, String::new()));
    }
    if let Some(rest) = path.strip_prefix("/verification/") {
        return match (method, rest.strip_suffix("/state")) {
            (&Method::PATCH, Some(id)) if !id.is_empty() && !id.contains('/') => {
                Some((Route::TeleSignVerifyFinalize, id.to_owned()))
            }
            (&Method::GET, None) if !rest.is_empty() && !rest.contains('/') => {
                Some((Route::TeleSignVerifyRetrieve, rest.to_owned()))
            }
            _ => None,
        };
    }
    let lower = path.to_ascii_lowercase();
    if lower == "/webapi/verify" && method == Method::POST {
        return Some((Route::DotdigitalSend, String::new()));
    }
    if method == Method::PUT
        && let Some(rest) = lower.strip_prefix("/webapi/verify/")
        && let Some(id) = rest.strip_suffix("/validate")
        && !id.is_empty()
        && !id.contains('/')
    {
        let original = path
            .get("/webapi/verify/".len()..)
            .and_then(|r| r.get(..id.len()))
            .unwrap_or(id);
        return Some((Route::DotdigitalValidate, original.to_owned()));
    }
    None
}

fn to_response(reply: Reply) -> Response<SandboxBody> {
    let mut resp = Response::new(SandboxBody::full(reply.body));
    *resp.status_mut() = hyper::StatusCode::from_u16(reply.status)
        .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    if let Some(ct) = reply.content_type {
        resp.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(ct));
    }
    if let Some(secs) = reply.retry_after {
        resp.headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(secs));
    }
    resp
}

async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<SandboxBody>, Box<dyn std::error::Error + Send + Sync>> {
    if req.uri().path().starts_with("/_sandbox/") {
        return Ok(control(&shared, req).await.unwrap_or_else(|e| match e {}));
    }
    let latency = shared.config.latency;
    let answer = provider(shared, req).await;
    if !latency.is_zero() {
        // A timer, not a thread: tokio's sleep saturates a huge duration.
        tokio::time::sleep(latency).await;
    }
    answer
}

/// A provider route's answer.
async fn provider(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<SandboxBody>, Box<dyn std::error::Error + Send + Sync>> {
    let path = req.uri().path().to_owned();
    let Some((route, id)) = route_of(req.method(), &path) else {
        return Ok(to_response(Reply::json(
            404,
            &json!({"error": "no such route", "path": path}),
        )));
    };
    // The body is read before any fault answers: a reply that leaves it
    // unread makes the server drop the connection, which a client reusing
    // it would see as a failure after writing (not what a fault means).
    let (parts, body) = req.into_parts();
    let limit = if route.is_telesign_verify() {
        telesign_verify::MAX_BODY
    } else {
        MAX_REQUEST_BODY
    };
    let collected = Limited::new(body, limit).collect().await;
    let fault = shared.take_fault(route);
    let mut fault_status = None;
    match fault {
        Some(Fault::Delay(d)) => tokio::time::sleep(d).await,
        Some(Fault::CloseBeforeProcessing) => return Err(Box::new(DropConnection)),
        Some(Fault::Html503) => return Ok(to_response(Reply::html_503())),
        Some(Fault::TeleSignStatus(code)) if route.is_telesign_verify() => match code {
            500 => return Ok(to_response(telesign_verify::documented(3500))),
            501 => {
                return Ok(to_response(telesign_verify::unauthorized(
                    crate::auth::AuthError::InvalidSignature,
                )));
            }
            502..=599 => fault_status = Some(code),
            3000..=3999 => return Ok(to_response(telesign_verify::documented(code))),
            _ => return Ok(to_response(Reply::empty(code))),
        },
        Some(Fault::TeleSignStatus(code)) => {
            let now = shared.now();
            match code {
                500 if route.is_telesign() => {
                    return Ok(to_response(telesign::system_unavailable(now)));
                }
                501 if route.is_telesign() => {
                    return Ok(to_response(telesign::auth_reply(
                        crate::auth::AuthError::InvalidSignature,
                        now,
                    )));
                }
                502..=599 if route.is_telesign() => fault_status = Some(code),
                _ => return Ok(to_response(Reply::empty(code))),
            }
        }
        _ => {}
    }
    let body = match collected {
        Ok(b) => b.to_bytes(),
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            // The Verify API refuses a body over 10 KB before any other check: 413, 3116.
            return Ok(to_response(if route.is_telesign_verify() {
                telesign_verify::too_large()
            } else {
                Reply::text(413, "request body too large")
            }));
        }
        Err(e) => return Err(e),
    };
    let query = parts.uri.query();
    let r = Req {
        method: parts.method.as_str(),
        path: &path,
        query,
        headers: &parts.headers,
        body: &body,
    };
    let reply = match route {
        Route::TeleSignSms => telesign::send(&shared, &r, false, fault_status),
        Route::TeleSignCall => telesign::send(&shared, &r, true, fault_status),
        Route::TeleSignStatus => telesign::status(&shared, &r, &id, fault_status),
        Route::TeleSignCompletion => telesign::completion(&shared, &r, &id, fault_status),
        Route::DotdigitalSend => dotdigital::send(&shared, &r),
        Route::DotdigitalValidate => dotdigital::validate(&shared, &r, &id),
        Route::TeleSignVerifyCreate => telesign_verify::create(&shared, &r),
        Route::TeleSignVerifyRetrieve => telesign_verify::retrieve(&shared, &r, &id),
        Route::TeleSignVerifyFinalize => telesign_verify::finalize(&shared, &r, &id),
        Route::Any => Reply::empty(404),
    };
    // A Verify API route under a 502..=599 fault: processed, answered without a status body.
    let reply = match fault_status {
        Some(code) if route.is_telesign_verify() => Reply::empty(code),
        _ => reply,
    };
    match fault {
        Some(Fault::CloseAfterProcessing) => Err(Box::new(DropConnection)),
        Some(Fault::TruncateBody) => {
            let full_len = reply.body.len();
            let mut resp = to_response(reply);
            let body = std::mem::replace(resp.body_mut(), SandboxBody::Full(None));
            let half = match body {
                SandboxBody::Full(Some(b)) => b.slice(..full_len / 2),
                _ => Bytes::new(),
            };
            *resp.body_mut() = SandboxBody::truncated(half);
            resp.headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from(full_len));
            Ok(resp)
        }
        Some(Fault::HugeBody(total)) => {
            let mut resp = Response::new(SandboxBody::Huge { total, sent: 0 });
            resp.headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            Ok(resp)
        }
        _ => Ok(to_response(reply)),
    }
}

async fn control(
    shared: &Shared,
    req: Request<Incoming>,
) -> Result<Response<SandboxBody>, Infallible> {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(str::to_owned);
    let reply = match (method, path.as_str()) {
        (Method::GET, "/_sandbox/messages") => {
            let to = query
                .as_deref()
                .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
                .and_then(|q| q.into_iter().find(|(k, _)| k == "to").map(|(_, v)| v))
                // An unencoded `+` in a query decodes to a space: `?to=+44...` means "+44...".
                .map(|to| to.replace(' ', "+"));
            let messages = match to {
                Some(to) => shared.messages_to(&to),
                None => shared.messages(),
            };
            Reply::json(200, &serde_json::to_value(messages).unwrap_or_default())
        }
        (Method::DELETE, "/_sandbox/messages") => {
            shared.clear_messages();
            Reply::empty(204)
        }
        (Method::POST, "/_sandbox/faults") => {
            match Limited::new(req.into_body(), MAX_REQUEST_BODY)
                .collect()
                .await
                .map(|b| b.to_bytes())
            {
                Ok(body) => match serde_json::from_slice::<FaultRequest>(&body) {
                    Ok(f) => match shared.lock().faults.inject(f.route, f.fault, f.count) {
                        Ok(()) => Reply::empty(204),
                        Err(e) => {
                            Reply::json(400, &json!({"error": e.to_string(), "limit": e.limit}))
                        }
                    },
                    Err(e) => Reply::json(400, &json!({"error": format!("invalid fault: {e}")})),
                },
                Err(_) => Reply::json(400, &json!({"error": "unreadable body"})),
            }
        }
        (Method::DELETE, "/_sandbox/faults") => {
            shared.lock().faults.clear();
            Reply::empty(204)
        }
        (Method::GET, "/_sandbox/stats") => Reply::json(
            200,
            &serde_json::to_value(shared.stats()).unwrap_or_default(),
        ),
        (Method::GET, "/_sandbox/health") => Reply::json(200, &json!({"ok": true})),
        _ => Reply::json(
            404,
            &json!({"error": "no such control route", "path": path}),
        ),
    };
    Ok(to_response(reply))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let id = "0123456789ABCDEF0123456789ABCDEF";
        assert_eq!(
            route_of(&Method::POST, "/v1/verify/sms"),
            Some((Route::TeleSignSms, String::new()))
        );
        assert_eq!(
            route_of(&Method::POST, "/v1/verify/call"),
            Some((Route::TeleSignCall, String::new()))
        );
        assert_eq!(
            route_of(&Method::GET, &format!("/v1/verify/{id}")),
            Some((Route::TeleSignStatus, id.into()))
        );
        assert_eq!(
            route_of(&Method::PUT, &format!("/v1/verify/completion/{id}")),
            Some((Route::TeleSignCompletion, id.into()))
        );
        assert_eq!(
            route_of(&Method::POST, "/WEBAPI/Verify"),
            Some((Route::DotdigitalSend, String::new()))
        );
        assert_eq!(
            route_of(&Method::PUT, "/WebApi/Verify/AbC-1/Validate"),
            Some((Route::DotdigitalValidate, "AbC-1".into()))
        );
        assert_eq!(
            route_of(&Method::POST, "/verification"),
            Some((Route::TeleSignVerifyCreate, String::new()))
        );
        assert_eq!(
            route_of(&Method::POST, "/verification/"),
            Some((Route::TeleSignVerifyCreate, String::new()))
        );
        assert_eq!(
            route_of(&Method::GET, &format!("/verification/{id}")),
            Some((Route::TeleSignVerifyRetrieve, id.into()))
        );
        assert_eq!(
            route_of(&Method::PATCH, &format!("/verification/{id}/state")),
            Some((Route::TeleSignVerifyFinalize, id.into()))
        );
        assert_eq!(route_of(&Method::GET, "/verification"), None);
        assert_eq!(
            route_of(&Method::PATCH, &format!("/verification/{id}")),
            None
        );
        assert_eq!(
            route_of(&Method::GET, &format!("/verification/{id}/state")),
            None
        );
        assert_eq!(route_of(&Method::PATCH, "/verification//state"), None);
        assert_eq!(route_of(&Method::GET, "/verification/a/b"), None);
        assert_eq!(route_of(&Method::GET, "/v1/verify/sms"), None);
        assert_eq!(route_of(&Method::PUT, "/webapi/verify//validate"), None);
        assert_eq!(route_of(&Method::GET, "/v1/verify/a/b"), None);
    }
}
