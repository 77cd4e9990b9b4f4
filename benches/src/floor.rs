//! Floors: the least work that produces the same request as the library and
//! reads the same answer, written plainly with the crates the core uses
//! (serde_urlencoded and serde_json for the bodies, hmac, sha2 and base64 for
//! the signature, httpdate for the date, serde_json for the answer).
//!
//! No validation, no typed codes, no error reporting: each floor writes its
//! request for known-good inputs and reads its answer into a small borrowed
//! struct. What never changes between calls (the keyed HMAC state, the Basic
//! header, a constant URI) is prepared once, as the library also does with its
//! credentials. Every floor returns an `http::Request<Vec<u8>>`, the type the
//! library hands to a transport, so a `round/X / floor/X` ratio measures the
//! library's own work and not a difference in output.
//!
//! `tests/floor_matches.rs` proves each floor's method, URI, headers and body
//! equal the library's for the same date and nonce.

use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, DATE, USER_AGENT};
use http::{HeaderName, HeaderValue, Method, Request, Uri};
use serde::{Deserialize, Serialize, Serializer};
use sha2::Sha256;

const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";
/// The `User-Agent` the library sends.
const AGENT: &str = concat!("verify-rs/", env!("CARGO_PKG_VERSION"));
const X_TS_AUTH_METHOD: HeaderName = HeaderName::from_static("x-ts-auth-method");
const X_TS_NONCE: HeaderName = HeaderName::from_static("x-ts-nonce");
const SMS_PATH: &str = "/v1/verify/sms";

/// The fields of a TeleSign SMS.
#[derive(Clone, Copy, Debug)]
pub struct Sms<'a> {
    /// `phone_number`.
    pub phone_number: &'a str,
    /// `ucid`.
    pub ucid: &'a str,
    /// `verify_code`.
    pub verify_code: &'a str,
    /// `template`.
    pub template: &'a str,
}

/// A TeleSign status query checking a code.
#[derive(Clone, Copy, Debug)]
pub struct Status<'a> {
    /// The transaction.
    pub reference_id: &'a str,
    /// The code to check.
    pub verify_code: &'a str,
}

/// A dotdigital send.
#[derive(Clone, Copy, Debug)]
pub struct DotdigitalSend<'a> {
    /// `to`.
    pub to: &'a str,
    /// `from`.
    pub from: &'a str,
    /// `body`.
    pub body: &'a str,
    /// `validUntil`.
    pub valid_until: SystemTime,
}

/// What a floor reads from a TeleSign answer.
#[derive(Debug, Deserialize)]
pub struct TeleSignAnswer<'a> {
    /// `reference_id`.
    pub reference_id: &'a str,
    /// `status`.
    pub status: AnswerStatus,
    /// `verify`.
    #[serde(borrow)]
    pub verify: Option<AnswerVerify<'a>>,
}

/// `status` of a TeleSign answer.
#[derive(Debug, Deserialize)]
pub struct AnswerStatus {
    /// `status.code`.
    pub code: u16,
}

/// `verify` of a TeleSign answer.
#[derive(Debug, Deserialize)]
pub struct AnswerVerify<'a> {
    /// `verify.code_state`.
    pub code_state: &'a str,
}

/// What a floor reads from a dotdigital VerifyCode.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DotdigitalAnswer<'a> {
    /// `requestId`.
    pub request_id: &'a str,
    /// `status`.
    pub status: &'a str,
}

/// TeleSign requests, signed with HMAC-SHA256.
#[derive(Clone)]
pub struct TeleSign {
    customer_id: String,
    mac: Hmac<Sha256>,
    scheme: http::uri::Scheme,
    authority: http::uri::Authority,
    sms_uri: Uri,
}

impl TeleSign {
    /// Keys the HMAC with the decoded `api_key`; requests go to `base`
    /// (`https://host`, no path).
    pub fn new(customer_id: &str, api_key: &str, base: &str) -> Self {
        let key = STANDARD.decode(api_key).expect("a base64 key");
        let base: Uri = base.parse().expect("a base URL");
        let scheme = base.scheme().expect("a scheme").clone();
        let authority = base.authority().expect("a host").clone();
        let mut parts = http::uri::Parts::default();
        parts.scheme = Some(scheme.clone());
        parts.authority = Some(authority.clone());
        parts.path_and_query = Some(http::uri::PathAndQuery::from_static(SMS_PATH));
        Self {
            customer_id: customer_id.to_owned(),
            mac: Hmac::new_from_slice(&key).expect("HMAC takes any key"),
            scheme,
            authority,
            sms_uri: Uri::from_parts(parts).expect("a URI"),
        }
    }

    /// `TSA customer_id:base64(HMAC(string-to-sign))`.
    fn authorization(
        &self,
        method: &str,
        content_type: &str,
        date: &str,
        nonce: &str,
        body: &[u8],
        path: &str,
    ) -> HeaderValue {
        let mut mac = self.mac.clone();
        for part in [
            method.as_bytes(),
            b"\n",
            content_type.as_bytes(),
            b"\n",
            date.as_bytes(),
            b"\nx-ts-auth-method:HMAC-SHA256\nx-ts-nonce:",
            nonce.as_bytes(),
        ] {
            mac.update(part);
        }
        if !body.is_empty() {
            mac.update(b"\n");
            mac.update(body);
        }
        mac.update(b"\n");
        mac.update(path.as_bytes());
        let mut value = String::with_capacity(49 + self.customer_id.len());
        value.push_str("TSA ");
        value.push_str(&self.customer_id);
        value.push(':');
        STANDARD.encode_string(mac.finalize().into_bytes(), &mut value);
        HeaderValue::try_from(value).expect("a header value")
    }

    /// The headers of every signed TeleSign request.
    fn signed(
        request: &mut Request<Vec<u8>>,
        authorization: HeaderValue,
        date: String,
        nonce: &str,
    ) {
        let headers = request.headers_mut();
        headers.insert(ACCEPT, HeaderValue::from_static(JSON));
        headers.insert(USER_AGENT, HeaderValue::from_static(AGENT));
        headers.insert(AUTHORIZATION, authorization);
        headers.insert(DATE, HeaderValue::try_from(date).expect("a date"));
        headers.insert(X_TS_AUTH_METHOD, HeaderValue::from_static("HMAC-SHA256"));
        headers.insert(
            X_TS_NONCE,
            HeaderValue::from_str(nonce).expect("a header value"),
        );
    }

    /// `POST /v1/verify/sms`, signed at `now` with `nonce`.
    pub fn sms(&self, sms: &Sms<'_>, now: SystemTime, nonce: &str) -> Request<Vec<u8>> {
        let body = serde_urlencoded::to_string([
            ("phone_number", sms.phone_number),
            ("ucid", sms.ucid),
            ("verify_code", sms.verify_code),
            ("template", sms.template),
        ])
        .expect("strings encode")
        .into_bytes();
        let date = httpdate::fmt_http_date(now);
        let authorization = self.authorization("POST", FORM, &date, nonce, &body, SMS_PATH);
        let mut request = Request::new(body);
        *request.method_mut() = Method::POST;
        *request.uri_mut() = self.sms_uri.clone();
        // Seven headers: room for them at once.
        request.headers_mut().reserve(7);
        request
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(FORM));
        Self::signed(&mut request, authorization, date, nonce);
        request
    }

    /// `GET /v1/verify/{reference_id}?verify_code=N`, signed at `now` with `nonce`.
    pub fn status(&self, status: &Status<'_>, now: SystemTime, nonce: &str) -> Request<Vec<u8>> {
        let mut path = String::with_capacity(64);
        path.push_str("/v1/verify/");
        path.push_str(status.reference_id);
        let path_len = path.len();
        path.push_str("?verify_code=");
        path.push_str(status.verify_code);
        let date = httpdate::fmt_http_date(now);
        let authorization = self.authorization("GET", "", &date, nonce, b"", &path[..path_len]);
        let mut parts = http::uri::Parts::default();
        parts.scheme = Some(self.scheme.clone());
        parts.authority = Some(self.authority.clone());
        parts.path_and_query = Some(path.try_into().expect("a path"));
        let mut request = Request::new(Vec::new());
        *request.uri_mut() = Uri::from_parts(parts).expect("a URI");
        Self::signed(&mut request, authorization, date, nonce);
        request
    }

    /// Reads a TeleSign answer.
    pub fn answer(body: &[u8]) -> TeleSignAnswer<'_> {
        serde_json::from_slice(body).expect("a TeleSign answer")
    }
}

/// TeleSign status queries with Basic authentication, as the end-to-end
/// benchmarks send them (the sandbox then does the same work for every
/// client; an HMAC request would also have it check a signature and a nonce).
///
/// Basic sends neither a signature nor a nonce, only a fresh `Date`; the
/// header is encoded once, as the library does with its credentials.
#[derive(Clone)]
pub struct TeleSignBasic {
    authorization: HeaderValue,
    scheme: http::uri::Scheme,
    authority: http::uri::Authority,
}

impl TeleSignBasic {
    /// Encodes the Basic header once; requests go to `base` (`http://host`).
    pub fn new(customer_id: &str, api_key: &str, base: &str) -> Self {
        let basic = format!(
            "Basic {}",
            STANDARD.encode(format!("{customer_id}:{api_key}"))
        );
        let base: Uri = base.parse().expect("a base URL");
        Self {
            authorization: HeaderValue::try_from(basic).expect("a header value"),
            scheme: base.scheme().expect("a scheme").clone(),
            authority: base.authority().expect("a host").clone(),
        }
    }

    /// `GET /v1/verify/{reference_id}`, dated `now`.
    pub fn status(&self, reference_id: &str, now: SystemTime) -> Request<Vec<u8>> {
        let mut path = String::with_capacity(48);
        path.push_str("/v1/verify/");
        path.push_str(reference_id);
        let mut parts = http::uri::Parts::default();
        parts.scheme = Some(self.scheme.clone());
        parts.authority = Some(self.authority.clone());
        parts.path_and_query = Some(path.try_into().expect("a path"));
        let mut request = Request::new(Vec::new());
        *request.uri_mut() = Uri::from_parts(parts).expect("a URI");
        let headers = request.headers_mut();
        headers.insert(ACCEPT, HeaderValue::from_static(JSON));
        headers.insert(USER_AGENT, HeaderValue::from_static(AGENT));
        headers.insert(AUTHORIZATION, self.authorization.clone());
        headers.insert(
            DATE,
            HeaderValue::try_from(httpdate::fmt_http_date(now)).expect("a date"),
        );
        request
    }
}

/// dotdigital requests, with Basic authentication.
#[derive(Clone)]
pub struct Dotdigital {
    authorization: HeaderValue,
    send_uri: Uri,
}

/// `validUntil`: RFC 3339 UTC with milliseconds, written straight into the JSON.
struct Millis(SystemTime);

impl Serialize for Millis {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&humantime::format_rfc3339_millis(self.0))
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SendBody<'a> {
    to: &'a str,
    from: &'a str,
    body: &'a str,
    valid_until: Millis,
}

impl Dotdigital {
    /// Encodes the Basic header once; requests go to `base` (`https://host`).
    pub fn new(user: &str, password: &str, base: &str) -> Self {
        let basic = format!("Basic {}", STANDARD.encode(format!("{user}:{password}")));
        Self {
            authorization: HeaderValue::try_from(basic).expect("a header value"),
            send_uri: format!("{base}/webapi/verify").parse().expect("a URI"),
        }
    }

    /// `POST /webapi/verify`.
    pub fn send(&self, send: &DotdigitalSend<'_>) -> Request<Vec<u8>> {
        let body = serde_json::to_vec(&SendBody {
            to: send.to,
            from: send.from,
            body: send.body,
            valid_until: Millis(send.valid_until),
        })
        .expect("strings encode");
        let mut request = Request::new(body);
        *request.method_mut() = Method::POST;
        *request.uri_mut() = self.send_uri.clone();
        let headers = request.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
        headers.insert(ACCEPT, HeaderValue::from_static(JSON));
        headers.insert(USER_AGENT, HeaderValue::from_static(AGENT));
        headers.insert(AUTHORIZATION, self.authorization.clone());
        request
    }

    /// Reads a dotdigital VerifyCode.
    pub fn answer(body: &[u8]) -> DotdigitalAnswer<'_> {
        serde_json::from_slice(body).expect("a VerifyCode")
    }
}
