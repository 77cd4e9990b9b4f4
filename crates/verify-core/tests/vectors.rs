//! The one JSON-vector harness: runs every `tests/vectors/**/*.json`.
//!
//! A vector file is either TeleSign's signing known-answer file
//! (`telesign-signing-vectors.json`: keys `hmac`, `basic`, `callback`) or an
//! operation file `{"cases": [...]}` where each case is
//!
//! ```json
//! {
//!   "name": "what it shows",
//!   "operation": "telesign.sms",          // Operation::name()
//!   "config": { "provider": "telesign", "customer_id": "..", "api_key": "..",
//!               "base_url": "https://..", "plain_http": false, "auth": "hmac" },
//!   "role": "primary",                    // or "backup"
//!   "input": { ... the operation's fields ... },
//!   // then one of:
//!   "request": { "method": "POST", "uri": "https://..", "headers": [["name", "value"], ..], "body": ".." },
//!   "sign": { "unix_time": 1481739612, "nonce": ".." },   // optional, signs before comparing
//!   "validation_error": ["field", ..],    // to_request fails naming exactly these fields
//!   "response": { "status": 200, "headers": [[..]], "body": ".." or "body_json": {..} },
//!   "expect": { "ok": {..} } or { "error": {..} }   // a subset of the summary below
//! }
//! ```
//!
//! A built request is compared byte for byte: method, URI, the full header
//! set, and the body. An `expect` object is compared as a subset: every key
//! it names must be present in the outcome's summary with the same value.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};
use verify_core::telesign::{self, ReferenceId, SendCall, SendSms, Ucid};
use verify_core::{BaseUrl, Code, Operation, ProviderConfig, ResponseError, Role};

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
}

#[test]
fn every_vector_file_passes() {
    let mut files = Vec::new();
    json_files(&vectors_dir(), &mut files);
    assert!(!files.is_empty(), "no vector files found");
    let mut failures = Vec::new();
    let mut ran = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let doc: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: not JSON: {e}", file.display()));
        let results = if doc.get("hmac").is_some() {
            telesign_signing_file(&doc)
        } else {
            let cases = doc["cases"]
                .as_array()
                .unwrap_or_else(|| panic!("{}: no \"cases\" array", file.display()));
            cases
                .iter()
                .map(|c| (c["name"].as_str().unwrap_or("?").to_owned(), run_case(c)))
                .collect()
        };
        for (name, result) in results {
            ran += 1;
            if let Err(e) = result {
                failures.push(format!("{} / {name}: {e}", file.display()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {ran} vectors failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The signing vectors are also checked by name, so that a renamed or
/// emptied file cannot silently skip them.
#[test]
fn telesign_signing_vectors_are_all_there() {
    let text =
        std::fs::read_to_string(vectors_dir().join("telesign-signing-vectors.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["hmac"].as_array().unwrap().len(), 17);
    assert_eq!(doc["basic"].as_array().unwrap().len(), 4);
    assert_eq!(doc["callback"].as_array().unwrap().len(), 1);
    let results = telesign_signing_file(&doc);
    assert_eq!(results.len(), 22);
    for (name, r) in results {
        r.unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

type Outcome = Result<(), String>;

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("missing string {key:?} in {v}"))
}

fn opt_s(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn telesign_signing_file(doc: &Value) -> Vec<(String, Outcome)> {
    let mut out = Vec::new();
    for (i, v) in doc["hmac"].as_array().unwrap().iter().enumerate() {
        let creds = telesign::Credentials::new(s(v, "customer_id"), s(v, "api_key"));
        let result = creds.map_err(|e| e.to_string()).and_then(|creds| {
            // The function over parts...
            let sig = telesign::signing::hmac_signature(
                &creds,
                s(v, "method"),
                s(v, "content_type"),
                s(v, "date"),
                s(v, "nonce"),
                s(v, "body").as_bytes(),
                s(v, "resource"),
            )
            .map_err(|e| e.to_string())?;
            expect_eq("signature", sig.as_str(), s(v, "signature"))?;
            // ...and the same through `sign` on a real request.
            let mut req = http::Request::new(s(v, "body").as_bytes().to_vec());
            *req.method_mut() = s(v, "method").parse().map_err(|e| format!("{e}"))?;
            *req.uri_mut() = format!("https://example.invalid{}?ignored=query", s(v, "resource"))
                .parse()
                .map_err(|e| format!("{e}"))?;
            if !s(v, "content_type").is_empty() {
                req.headers_mut()
                    .insert("content-type", s(v, "content_type").parse().unwrap());
            }
            telesign::signing::sign(
                &mut req,
                &creds,
                telesign::AuthMethod::Hmac,
                s(v, "date"),
                s(v, "nonce"),
            )
            .map_err(|e| e.to_string())?;
            let want = format!("TSA {}:{}", s(v, "customer_id"), s(v, "signature"));
            expect_eq("authorization", header(&req, "authorization"), &want)?;
            expect_eq("date", header(&req, "date"), s(v, "date"))?;
            expect_eq("x-ts-nonce", header(&req, "x-ts-nonce"), s(v, "nonce"))?;
            expect_eq(
                "x-ts-auth-method",
                header(&req, "x-ts-auth-method"),
                "HMAC-SHA256",
            )
        });
        out.push((format!("hmac[{i}]"), result));
    }
    for (i, v) in doc["basic"].as_array().unwrap().iter().enumerate() {
        let direct = telesign::signing::basic_authorization(s(v, "customer_id"), s(v, "api_key"));
        let mut result = expect_eq("basic", &direct, s(v, "authorization"));
        // Every key goes through Credentials and `sign` with Basic, sent as
        // typed; HMAC refuses a key that is not base64, before signing.
        match telesign::Credentials::new(s(v, "customer_id"), s(v, "api_key")) {
            Ok(creds) if result.is_ok() => {
                let mut req = http::Request::new(Vec::new());
                result = telesign::signing::sign(
                    &mut req,
                    &creds,
                    telesign::AuthMethod::Basic,
                    "D",
                    "N",
                )
                .map_err(|e| format!("Basic refused the key: {e}"))
                .and_then(|()| {
                    expect_eq(
                        "basic via sign",
                        header(&req, "authorization"),
                        s(v, "authorization"),
                    )
                })
                .and_then(|()| {
                    if req.headers().contains_key("x-ts-nonce") {
                        Err("Basic must not send x-ts-nonce".into())
                    } else {
                        Ok(())
                    }
                });
                let mut hmac = http::Request::new(Vec::new());
                let signed = telesign::signing::sign(
                    &mut hmac,
                    &creds,
                    telesign::AuthMethod::Hmac,
                    "D",
                    "N",
                );
                if result.is_ok() && !creds.can_sign_hmac() {
                    result = match signed {
                        Err(verify_core::ConfigError::ApiKeyNotBase64) => Ok(()),
                        other => Err(format!("HMAC with a key that is not base64: {other:?}")),
                    };
                }
            }
            Ok(_) => {}
            Err(e) => result = Err(format!("unexpected credentials error {e}")),
        }
        out.push((format!("basic[{i}]"), result));
    }
    for (i, v) in doc["callback"].as_array().unwrap().iter().enumerate() {
        let creds =
            telesign::Credentials::new("FFFFFFFF-EEEE-DDDD-1234-AB1234567890", s(v, "api_key"))
                .unwrap();
        let body = s(v, "body").as_bytes();
        let sig = s(v, "signature");
        let check = |name: &str, value: String| {
            let mut h = http::HeaderMap::new();
            h.insert(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
            telesign::callback::verify_signature(&creds, &h, body)
        };
        let result = (|| -> Outcome {
            check(
                "authorization",
                format!("TSA {}:{sig}", creds.customer_id()),
            )
            .map_err(|e| format!("TSA form: {e}"))?;
            check("x-ts-authorization", sig.to_owned()).map_err(|e| format!("bare form: {e}"))?;
            // One flipped bit in the body must be refused.
            let mut tampered = body.to_vec();
            tampered[0] ^= 1;
            let mut h = http::HeaderMap::new();
            h.insert("authorization", sig.parse().unwrap());
            if telesign::callback::verify_signature(&creds, &h, &tampered)
                != Err(telesign::callback::CallbackRejection::BadSignature)
            {
                return Err("tampered body accepted".into());
            }
            // The body is not JSON: authentic, but not a report.
            let mut req = http::Request::post("/cb").body(body).unwrap();
            req.headers_mut()
                .insert("authorization", sig.parse().unwrap());
            match telesign::callback::parse_callback(&creds, &req) {
                Err(telesign::callback::CallbackRejection::MalformedBody { .. }) => Ok(()),
                other => Err(format!("expected MalformedBody, got {other:?}")),
            }
        })();
        out.push((format!("callback[{i}]"), result));
    }
    out
}

fn header<'a, B>(req: &'a http::Request<B>, name: &str) -> &'a str {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("<missing>")
}

fn expect_eq(what: &str, got: &str, want: &str) -> Outcome {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: got {got:?}, want {want:?}"))
    }
}

// ---------------------------------------------------------------------------
// Operation cases

fn config(case: &Value) -> ProviderConfig {
    let c = case.get("config").cloned().unwrap_or_else(|| json!({}));
    let provider = c
        .get("provider")
        .and_then(Value::as_str)
        .unwrap_or_else(|| {
            case["operation"]
                .as_str()
                .unwrap_or("")
                .split('.')
                .next()
                .unwrap_or("")
        });
    let base_url = |default: &str| {
        let url = opt_s(&c, "base_url").unwrap_or_else(|| default.to_owned());
        if c.get("plain_http")
            .and_then(Value::as_bool)
            .unwrap_or(false)
        {
            BaseUrl::allow_plain_http(&url).unwrap()
        } else {
            BaseUrl::new(&url).unwrap()
        }
    };
    match provider {
        "telesign" => {
            let creds = telesign::Credentials::new(
                opt_s(&c, "customer_id")
                    .unwrap_or_else(|| "FFFFFFFF-EEEE-DDDD-1234-AB1234567890".into()),
                opt_s(&c, "api_key").unwrap_or_else(|| "VGVzdCBLZXk=".into()),
            )
            .unwrap();
            let auth = match c.get("auth").and_then(Value::as_str) {
                Some("basic") => telesign::AuthMethod::Basic,
                _ => telesign::AuthMethod::Hmac,
            };
            telesign::Config::new(creds)
                .with_base_url(base_url(telesign::DEFAULT_BASE_URL))
                .with_auth_method(auth)
                .into()
        }
        "telesign_verify" => {
            let creds = telesign::Credentials::new(
                opt_s(&c, "customer_id")
                    .unwrap_or_else(|| "FFFFFFFF-EEEE-DDDD-1234-AB1234567890".into()),
                opt_s(&c, "api_key").unwrap_or_else(|| "VGVzdCBLZXk=".into()),
            )
            .unwrap();
            let auth = match c.get("auth").and_then(Value::as_str) {
                Some("basic") => telesign::AuthMethod::Basic,
                _ => telesign::AuthMethod::Hmac,
            };
            verify_core::telesign_verify::Config::new(creds)
                .with_base_url(base_url(verify_core::telesign_verify::DEFAULT_BASE_URL))
                .with_auth_method(auth)
                .into()
        }
        "dotdigital" => {
            let creds = verify_core::dotdigital::Credentials::new(
                opt_s(&c, "username").unwrap_or_else(|| "api-user".into()),
                opt_s(&c, "password").unwrap_or_else(|| "pa55word".into()),
            )
            .unwrap();
            verify_core::dotdigital::Config::new(creds)
                .with_base_url(base_url(verify_core::dotdigital::DEFAULT_BASE_URL))
                .into()
        }
        other => panic!("unknown provider {other:?}"),
    }
}

fn run_case(case: &Value) -> Outcome {
    let input = case.get("input").cloned().unwrap_or_else(|| json!({}));
    match s(case, "operation") {
        "telesign.sms" => run_operation(case, telesign_sms(&input)?),
        "telesign.call" => run_operation(case, telesign_call(&input)?),
        "telesign.status" => match opt_s(&input, "verify_code") {
            // The request vectors of a status query with a code are a
            // code check's.
            Some(code) => run_operation(
                case,
                telesign::CheckCode::new(reference_id(&input)?, Code::new(code)),
            ),
            None => run_operation(case, telesign::GetStatus::new(reference_id(&input)?)),
        },
        "telesign.check" => run_operation(
            case,
            telesign::CheckCode::new(reference_id(&input)?, Code::new(s(&input, "code"))),
        ),
        "telesign.completion" => {
            run_operation(case, telesign::Complete::new(reference_id(&input)?))
        }
        "dotdigital.send" => run_operation(case, dotdigital_send(&input)?),
        "dotdigital.validate" => run_operation(
            case,
            dotdigital::ValidateCode::new(
                s(&input, "request_id")
                    .parse()
                    .map_err(|e| format!("{e}"))?,
                Code::new(s(&input, "code")),
            ),
        ),
        "telesign_verify.create" => run_operation(case, verify_create(&input)?),
        "telesign_verify.retrieve" => run_operation(
            case,
            verify_core::telesign_verify::GetVerification::new(reference_id(&input)?),
        ),
        "telesign_verify.finalize" => run_operation(
            case,
            verify_core::telesign_verify::FinalizeVerification::new(
                reference_id(&input)?,
                Code::new(s(&input, "code")),
            ),
        ),
        other => Err(format!("no vector support for operation {other:?}")),
    }
}

fn reference_id(input: &Value) -> Result<ReferenceId, String> {
    s(input, "reference_id").parse().map_err(|e| format!("{e}"))
}

fn ucid(input: &Value) -> Result<Option<Ucid>, String> {
    opt_s(input, "ucid")
        .map(|u| u.parse::<Ucid>().map_err(|e| e.to_string()))
        .transpose()
}

fn telesign_sms(i: &Value) -> Result<SendSms, String> {
    Ok(SendSms {
        phone_number: s(i, "phone_number").to_owned(),
        ucid: ucid(i)?,
        originating_ip: opt_s(i, "originating_ip"),
        language: opt_s(i, "language"),
        verify_code: opt_s(i, "verify_code").map(Code::new),
        template: opt_s(i, "template"),
        template_limit: i
            .get("template_limit")
            .and_then(Value::as_u64)
            .map(|n| n as usize),
        sender_id: opt_s(i, "sender_id"),
        is_primary: i.get("is_primary").and_then(Value::as_bool),
        dlt_template_id: opt_s(i, "dlt_template_id"),
        dlt_entity_id: opt_s(i, "dlt_entity_id"),
        transaction_amount: opt_s(i, "transaction_amount"),
        transaction_payee: opt_s(i, "transaction_payee"),
        sim_swap_check: i.get("sim_swap_check").and_then(Value::as_bool),
        client_keys: Vec::new(),
    })
}

fn telesign_call(i: &Value) -> Result<SendCall, String> {
    Ok(SendCall {
        phone_number: s(i, "phone_number").to_owned(),
        ucid: ucid(i)?,
        originating_ip: opt_s(i, "originating_ip"),
        language: opt_s(i, "language"),
        verify_code: opt_s(i, "verify_code").map(Code::new),
        tts_message: opt_s(i, "tts_message"),
        is_primary: i.get("is_primary").and_then(Value::as_bool),
        client_keys: Vec::new(),
    })
}

fn verify_create(i: &Value) -> Result<verify_core::telesign_verify::CreateVerification, String> {
    use verify_core::telesign_verify::{CreateVerification, Method, PolicyStep};
    let policy = i
        .get("verification_policy")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|step| PolicyStep {
            method: Method::parse(s(step, "method")),
            fallback_time: step
                .get("fallback_time")
                .and_then(Value::as_u64)
                .map(|t| t as u32),
        })
        .collect();
    Ok(CreateVerification {
        phone_number: opt_s(i, "phone_number"),
        email: opt_s(i, "email"),
        push_app_token: opt_s(i, "push_app_token"),
        policy,
        security_factor: opt_s(i, "security_factor").map(Code::new),
        external_id: opt_s(i, "external_id"),
        message_template: opt_s(i, "message_template"),
        client_keys: Vec::new(),
    })
}

/// What a vector's `expect` is compared with.
trait Summary {
    fn summary(&self) -> Value;
}

/// The fields every successful TeleSign answer has.
fn telesign_summary(
    reference_id: &ReferenceId,
    status: &telesign::Status,
    verify: Option<&telesign::VerifyInfo>,
    http_status: Option<http::StatusCode>,
) -> serde_json::Map<String, Value> {
    let v = json!({
        "reference_id": reference_id.as_str(),
        "status_code": status.code.code(),
        "status_variant": format!("{:?}", status.code),
        "status_final": status.code.is_final(),
        "status_description": status.description,
        "updated_on": status.updated_on,
        "code_state": verify.map(|v| format!("{:?}", v.code_state)),
        "code_entered": verify.and_then(|v| v.code_entered.as_ref()).map(Code::expose_secret),
        // A successful answer has no errors: the parsers refuse one that has.
        "errors": [],
        "http_status": http_status.map(|h| h.as_u16()),
    });
    match v {
        Value::Object(map) => map,
        _ => unreachable!("a JSON object"),
    }
}

impl Summary for telesign::Sent {
    fn summary(&self) -> Value {
        let mut map = telesign_summary(
            &self.reference_id,
            &self.status,
            None,
            Some(self.http_status),
        );
        map.insert("sub_resource".into(), json!(self.sub_resource));
        map.insert("additional_info".into(), json!(self.additional_info));
        Value::Object(map)
    }
}

impl Summary for telesign::StatusReport {
    fn summary(&self) -> Value {
        Value::Object(telesign_summary(
            &self.reference_id,
            &self.status,
            self.verify.as_ref(),
            Some(self.http_status),
        ))
    }
}

impl Summary for telesign::Completed {
    fn summary(&self) -> Value {
        Value::Object(telesign_summary(
            &self.reference_id,
            &self.status,
            None,
            None,
        ))
    }
}

impl Summary for telesign::CodeCheck {
    fn summary(&self) -> Value {
        json!({ "code_check": format!("{self:?}") })
    }
}

impl Summary for verify_core::telesign_verify::Created {
    fn summary(&self) -> Value {
        json!({
            "reference_id": self.reference_id.as_str(),
            "status_code": self.status.code.code(),
            "status_variant": format!("{:?}", self.status.code),
            "state": self.state.as_str(),
            "policy": self.policy.iter().map(|p| json!([p.method.as_str(), p.fallback_time])).collect::<Vec<_>>(),
        })
    }
}

impl Summary for verify_core::telesign_verify::Verification {
    fn summary(&self) -> Value {
        json!({
            "reference_id": self.reference_id.as_str(),
            "state": self.state.as_str(),
            "policy": self.policy.iter().map(|p| json!([p.method.as_str(), p.fallback_time])).collect::<Vec<_>>(),
            "inner_methods": self.inner_methods.iter().map(|m| json!([m.method.as_str(), m.state.as_str()])).collect::<Vec<_>>(),
            "created_on": self.created_on,
            "updated_on": self.updated_on,
            "external_id": self.external_id,
        })
    }
}

impl Summary for verify_core::telesign_verify::Finalization {
    fn summary(&self) -> Value {
        json!({ "finalization": format!("{self:?}") })
    }
}

impl Summary for ResponseError {
    fn summary(&self) -> Value {
        let mut v = json!({
            "http_status": self.http_status().as_u16(),
            "message_may_have_been_sent": self.message_may_have_been_sent(),
            "temporary": self.is_temporary(),
            "rate_limited": self.is_rate_limited(),
            "retry_after_secs": self.retry_after().map(|r| match r {
                verify_core::RetryAfter::Delay(d) => json!(d.as_secs()),
                verify_core::RetryAfter::At(t) => json!(httpdate::fmt_http_date(t)),
            }),
        });
        let extra = match self {
            ResponseError::TeleSign(e) => json!({
                "kind": "telesign",
                "status_code": e.status.map(|s| s.code()),
                "status_variant": e.status.map(|s| format!("{s:?}")),
                "errors": e.errors.iter().map(|x| x.code.code()).collect::<Vec<_>>(),
                "error_variants": e.errors.iter().map(|x| format!("{:?}", x.code)).collect::<Vec<_>>(),
                "descriptions": e.errors.iter().map(|x| x.description.clone()).collect::<Vec<_>>(),
                "authentication": e.is_authentication(),
                "reference_id": e.reference_id,
            }),
            ResponseError::Unexpected(e) => json!({
                "kind": "unexpected",
                "reason": e.reason,
                "excerpt": e.excerpt.as_str(),
            }),
            ResponseError::Dotdigital(e) => dotdigital_error_summary(e),
            ResponseError::TeleSignVerify(e) => json!({
                "kind": "telesign_verify",
                "status_code": e.status.code(),
                "status_variant": format!("{:?}", e.status),
                "description": e.description,
            }),
            _ => json!({ "kind": "other" }),
        };
        if let (Some(v), Some(extra)) = (v.as_object_mut(), extra.as_object()) {
            v.extend(extra.clone());
        }
        v
    }
}

fn run_operation<O: Operation>(case: &Value, op: O) -> Outcome
where
    O::Output: Summary,
{
    let cfg = config(case);
    let role = match case.get("role").and_then(Value::as_str) {
        Some("backup") => Role::Backup,
        _ => Role::Primary,
    };
    if let Some(want) = case.get("validation_error") {
        let want: Vec<&str> = want
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect();
        return match op.to_request(&cfg, role) {
            Ok(_) => Err(format!("expected a validation error naming {want:?}")),
            Err(e) => {
                let got: Vec<&str> = e.fields().collect();
                if got == want {
                    Ok(())
                } else {
                    Err(format!("fields {got:?}, want {want:?}"))
                }
            }
        };
    }
    if let Some(want) = case.get("request") {
        let mut req = op.to_request(&cfg, role).map_err(|e| e.to_string())?;
        if let Some(sign) = case.get("sign") {
            let now =
                SystemTime::UNIX_EPOCH + Duration::from_secs(sign["unix_time"].as_u64().unwrap());
            cfg.authorize(&mut req, now, s(sign, "nonce"))
                .map_err(|e| e.to_string())?;
        }
        compare_request(&req, want)?;
    }
    if let Some(resp) = case.get("response") {
        let body: Vec<u8> = match (resp.get("body"), resp.get("body_json")) {
            (Some(b), _) => b.as_str().unwrap().as_bytes().to_vec(),
            (None, Some(j)) => serde_json::to_vec(j).unwrap(),
            (None, None) => Vec::new(),
        };
        let mut builder = http::Response::builder().status(resp["status"].as_u64().unwrap() as u16);
        for h in resp
            .get("headers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            builder = builder.header(h[0].as_str().unwrap(), h[1].as_str().unwrap());
        }
        let response = builder.body(body.as_slice()).unwrap();
        let provider = cfg.provider();
        let got = match op.parse_response(provider, response) {
            Ok(out) => json!({ "ok": out.summary() }),
            Err(e) => json!({ "error": e.summary() }),
        };
        let want = case
            .get("expect")
            .ok_or("a response case needs \"expect\"")?;
        subset(want, &got, "")?;
    }
    Ok(())
}

fn compare_request(req: &http::Request<Vec<u8>>, want: &Value) -> Outcome {
    expect_eq("method", req.method().as_str(), s(want, "method"))?;
    expect_eq("uri", &req.uri().to_string(), s(want, "uri"))?;
    let mut got_headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let mut want_headers: Vec<(String, String)> = want["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let value = h[1]
                .as_str()
                .unwrap()
                .replace("{version}", env!("CARGO_PKG_VERSION"));
            (h[0].as_str().unwrap().to_ascii_lowercase(), value)
        })
        .collect();
    got_headers.sort();
    want_headers.sort();
    if got_headers != want_headers {
        return Err(format!(
            "headers: got {got_headers:?}, want {want_headers:?}"
        ));
    }
    let body = String::from_utf8(req.body().clone()).map_err(|_| "body is not UTF-8")?;
    expect_eq("body", &body, s(want, "body"))
}

/// Every key of `want` must be in `got` with an equal value (objects are
/// compared recursively, everything else exactly).
fn subset(want: &Value, got: &Value, path: &str) -> Outcome {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (k, wv) in w {
                let p = format!("{path}.{k}");
                let gv = g.get(k).ok_or_else(|| format!("{p}: missing in {got}"))?;
                subset(wv, gv, &p)?;
            }
            Ok(())
        }
        _ if want == got => Ok(()),
        _ => Err(format!("{path}: got {got}, want {want}")),
    }
}

// ---------------------------------------------------------------------------
// dotdigital

use verify_core::dotdigital;

/// `valid_until` and `now` are RFC 3339 times.
fn dotdigital_send(i: &Value) -> Result<dotdigital::SendCode, String> {
    let mut op = dotdigital::SendCode::new(s(i, "to"), s(i, "from"));
    if let Some(c) = opt_s(i, "country_iso_code") {
        op = op.country_iso_code(c);
    }
    if let Some(b) = opt_s(i, "body") {
        op = op.body(b);
    }
    if let Some(until) = opt_s(i, "valid_until") {
        let time = |t: &str| humantime::parse_rfc3339(t).map_err(|e| format!("{t}: {e}"));
        op = op.valid_until(time(&until)?, time(s(i, "now"))?);
    }
    Ok(op)
}

fn rfc3339(t: Option<SystemTime>) -> Option<String> {
    t.map(|t| humantime::format_rfc3339_millis(t).to_string())
}

impl Summary for dotdigital::VerifyCode {
    fn summary(&self) -> Value {
        json!({
            "request_id": self.request_id.as_str(),
            "phone_number": self.phone_number,
            "status": format!("{:?}", self.status),
            "number_status": format!("{:?}", self.number_status),
            "created": rfc3339(self.created),
            "verified": rfc3339(self.verified),
        })
    }
}

impl Summary for dotdigital::ValidateOutcome {
    fn summary(&self) -> Value {
        match self {
            Self::Code(code) => json!({ "outcome": "code", "code": code.summary() }),
            Self::UnknownOrDiscarded => json!({ "outcome": "unknown_or_discarded" }),
        }
    }
}

fn dotdigital_error_summary(e: &dotdigital::DotdigitalError) -> Value {
    let (kind, failures, text) = match &e.kind {
        dotdigital::DotdigitalErrorKind::Validation(f) => ("validation", f.clone(), None),
        dotdigital::DotdigitalErrorKind::Unauthorized(t) => {
            ("unauthorized", Vec::new(), Some(t.as_str()))
        }
        dotdigital::DotdigitalErrorKind::Status(t) => ("status", Vec::new(), Some(t.as_str())),
        dotdigital::DotdigitalErrorKind::NotSent { .. } => ("not_sent", Vec::new(), None),
        _ => ("other", Vec::new(), None),
    };
    let (request_id, number_status) = match &e.kind {
        dotdigital::DotdigitalErrorKind::NotSent {
            request_id,
            number_status,
        } => (
            Some(request_id.as_str().to_owned()),
            Some(number_status.as_str().to_owned()),
        ),
        _ => (None, None),
    };
    json!({
        "kind": "dotdigital",
        "dotdigital_kind": kind,
        "failures": failures.iter().map(|f| json!({
            "property": f.property,
            "failure_code": format!("{:?}", f.failure_code),
            "details": f.details,
        })).collect::<Vec<_>>(),
        "text": text,
        "request_id": request_id,
        "number_status": number_status,
    })
}
