//! An answer that echoes the request (a WAF page, a debug page, a proxy's
//! 502 listing the request headers) never brings the request's own
//! credentials or code into an error: not the Basic token, not its decoded
//! `user:password`, not the password, API key or code, whatever form the
//! page puts them in (as sent, base64, percent-encoded, HTML-escaped), and
//! not the value of any `Authorization`-like header line.

use std::time::{Instant, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;
use verify_core::driver::{Error, ErrorKind, Execution, Next, Settings};
use verify_core::neutral::Start;
use verify_core::telesign::{AuthMethod, SendSms};
use verify_core::text::{Excerpt, provider_text};
use verify_core::{BaseUrl, Code, Operation, dotdigital, telesign};

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The forms a page may echo `secret` in.
fn forms(secret: &str, form: u8) -> String {
    match form % 5 {
        0 => secret.to_owned(),
        1 => STANDARD.encode(secret),
        2 => percent(secret),
        3 => secret
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('"', "&quot;"),
        _ => STANDARD.encode(secret).trim_end_matches('=').to_owned(),
    }
}

/// Runs `op` for one attempt answered by `status` and `page`; the error.
fn answered<O: Operation>(settings: &Settings, op: &O, status: u16, page: &[u8]) -> Error {
    let execution = Execution::new(settings, op).expect("a valid operation");
    let t0 = Instant::now();
    let (_, _, attempt) = execution.attempt(t0, SystemTime::now(), "nonce-1");
    let outcome: Result<http::Response<Vec<u8>>, ErrorKind> = Ok(http::Response::builder()
        .status(status)
        .body(page.to_vec())
        .expect("a response"));
    match attempt.finish(outcome, t0, 0.0) {
        Next::Failed(e) => e,
        Next::Retry { reason, .. } => panic!("a retry after {reason}"),
        Next::FailOver { error, .. } => error,
        Next::Done(_) => panic!("no error"),
    }
}

fn shown(e: &Error) -> String {
    let mut all = format!("{e}\n{e:?}\n");
    if let Some(r) = e.response() {
        all.push_str(&format!("{r}\n{r:?}"));
    }
    all
}

#[test]
fn a_failure_code_never_shows_the_password() {
    let config = dotdigital::Config::new(
        dotdigital::Credentials::new("user-name", "P4ssw0rd-Very$ecret!").unwrap(),
    );
    let settings = Settings::builder(config).build();
    let op = dotdigital::SendCode::new("447700900123", "Example");
    let page = br#"[{"property":"to","failureCode":"P4ssw0rd-Very$ecret!","details":"x"}]"#;
    let all = shown(&answered(&settings, &op, 400, page));
    assert!(!all.contains("P4ssw0rd-Very$ecret!"), "{all}");
}

#[test]
fn an_answer_never_shows_the_other_provider_s_credentials() {
    let telesign = telesign::Config::new(
        telesign::Credentials::new("FFFFFFFF-EEEE", "U3VwZXJTZWNyZXRLZXk=").unwrap(),
    )
    .with_auth_method(AuthMethod::Basic);
    let dotdigital = dotdigital::Config::new(
        dotdigital::Credentials::new("user-name", "P4ssw0rd-Very$ecret!").unwrap(),
    );
    let token = STANDARD.encode("user-name:P4ssw0rd-Very$ecret!");
    let page = format!("password P4ssw0rd-Very$ecret! token {token} revoked");
    // The TeleSign attempt of a start that may fail over to dotdigital.
    let settings = Settings::builder(telesign).backup(dotdigital).build();
    let all = shown(&answered(
        &settings,
        &Start::new("447700900123"),
        401,
        page.as_bytes(),
    ));
    assert!(!all.contains("P4ssw0rd-Very$ecret!"), "{all}");
    assert!(!all.contains(&token), "{all}");
}

#[test]
fn a_cut_description_keeps_no_part_of_the_token() {
    let customer = "FFFFFFFF-EEEE-DDDD-1234-AB1234567890";
    let key = "U3VwZXJTZWNyZXRLZXlNYXRlcmlhbC0wMTIzNDU2Nzg5YWJjZGVm";
    let config = telesign::Config::new(telesign::Credentials::new(customer, key).unwrap())
        .with_auth_method(AuthMethod::Basic);
    let token = STANDARD.encode(format!("{customer}:{key}"));
    let page = format!(
        r#"{{"status":{{"code":11000,"description":"x"}},"errors":[{{"code":-10001,"description":"{customer}:{key} {token}"}}]}}"#
    );
    let settings = Settings::builder(config).build();
    let all = shown(&answered(
        &settings,
        &SendSms::new("15555550100"),
        400,
        page.as_bytes(),
    ));
    for part in token.as_bytes().chunks(12) {
        let part = std::str::from_utf8(part).unwrap();
        assert!(part.len() < 12 || !all.contains(part), "{part} in {all}");
    }
}

/// A credential: printable ASCII without `:` (a customer id or user name
/// cannot hold one), not all digits, 8 to 24 long.
fn credential() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9!#$%&()*+,./;<=>?@^_{|}~-]{7,23}"
}

/// A page around the echo: HTML, JSON or plain, before and after.
fn filler() -> impl Strategy<Value = String> {
    "[ a-zA-Z<>/=\"'{}:,\\n\\r-]{0,200}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_dotdigital_page_never_shows_the_password(
        user in credential(),
        password in credential(),
        before in filler(),
        after in filler(),
        form in any::<u8>(),
        which in 0u8..4,
        status in prop::sample::select(vec![200u16, 400, 401, 500, 502, 503]),
    ) {
        let config = dotdigital::Config::new(
            dotdigital::Credentials::new(user.clone(), password.clone()).unwrap(),
        );
        let token = STANDARD.encode(format!("{user}:{password}"));
        let secret = match which {
            0 => password.clone(),
            1 => format!("{user}:{password}"),
            2 => token.clone(),
            _ => format!("Authorization: Basic {token}"),
        };
        let page = format!("{before}{}{after}", forms(&secret, form));
        let settings = Settings::builder(config).build();
        let e = answered(&settings, &Start::new("447700900123"), status, page.as_bytes());
        let all = shown(&e);
        for s in [&password, &token, &format!("{user}:{password}")] {
            prop_assert!(!all.contains(s.as_str()), "{} in {}", s, all);
            prop_assert!(!all.contains(&STANDARD.encode(s)), "base64 of {} in {}", s, all);
        }
    }

    #[test]
    fn a_telesign_page_never_shows_the_key_with_basic_auth(
        customer in "[A-F0-9]{8}-[A-F0-9]{4}",
        key in credential(),
        code in "[0-9]{3,7}",
        before in filler(),
        after in filler(),
        form in any::<u8>(),
        which in 0u8..4,
        status in prop::sample::select(vec![200u16, 400, 401, 500, 502, 503]),
    ) {
        // A code equal to the HTTP status shows as the status, not as the code.
        prop_assume!(!status.to_string().contains(&code));
        let config = telesign::Config::new(telesign::Credentials::new(customer.clone(), key.clone()).unwrap())
            .with_auth_method(AuthMethod::Basic)
            .with_base_url(BaseUrl::new("https://rest-ww.telesign.com").unwrap());
        let token = STANDARD.encode(format!("{customer}:{key}"));
        let secret = match which {
            0 => key.clone(),
            1 => format!("{customer}:{key}"),
            2 => token.clone(),
            _ => format!("verify_code={code}&authorization=Basic {token}"),
        };
        let page = format!("{before}{}{after}", forms(&secret, form));
        let settings = Settings::builder(config).build();
        let op = SendSms::new("15555550100").verify_code(Code::new(code.clone()));
        let e = answered(&settings, &op, status, page.as_bytes());
        let all = shown(&e);
        for s in [&key, &token, &format!("{customer}:{key}"), &code] {
            prop_assert!(!all.contains(s.as_str()), "{} in {}", s, all);
        }
    }

    #[test]
    fn an_alphanumeric_dotdigital_code_never_shows(
        code in "[A-Za-z]{2}[A-Za-z0-9]{4,10}",
        before in filler(),
        after in filler(),
        form in any::<u8>(),
    ) {
        let config = dotdigital::Config::new(dotdigital::Credentials::new("user-name", "pass-word").unwrap());
        let settings = Settings::builder(config).build();
        let op = dotdigital::ValidateCode::new(
            "0bd57dc3-580c-4c1d-8aee-2ff79bd8633c".parse().unwrap(),
            Code::new(code.clone()),
        );
        let page = format!("{before}{}{after}", forms(&format!("{{\"code\":\"{code}\"}}"), form));
        let e = answered(&settings, &op, 502, page.as_bytes());
        let all = shown(&e);
        prop_assert!(!all.contains(&code), "{} in {}", code, all);
    }

    /// No text panics the credential stripping or the scrubbing, whatever
    /// its characters and the secrets'.
    #[test]
    fn any_text_and_any_secret_are_safe(
        text in "(\\PC|[\r\n:=\"' ]|Basic |authorization|é|…){0,300}",
        secret in "(\\PC|[:=\"' ]|é|…){0,30}",
    ) {
        let _ = provider_text(&text);
        let _ = Excerpt::new(text.as_bytes());
        let mut secrets = verify_core::redact::Secrets::new();
        secrets.add(&secret);
        secrets.add_credential(&format!("Basic {}", STANDARD.encode(&secret)));
        let scrubbed = secrets.scrub(&text);
        let mut excerpt = Excerpt::new(text.as_bytes());
        excerpt.redact(&secrets);
        if secret.chars().count() >= verify_core::redact::Secrets::MIN_CHARS {
            prop_assert!(!scrubbed.contains(&secret));
            prop_assert!(!excerpt.as_str().contains(&secret));
        }
    }

    /// Without knowing the secrets (a transport that calls `parse_response`
    /// itself), the text of any `Authorization`-like line is still removed.
    #[test]
    fn credential_lines_are_removed_from_any_text(
        name in prop::sample::select(vec![
            "Authorization", "authorization", "Proxy-Authorization", "X-Api-Key",
            "X-TS-Authorization", "Cookie", "password",
        ]),
        value in "[A-Za-z][A-Za-z0-9+/=._-]{7,40}",
        before in filler(),
        sep in prop::sample::select(vec![": ", ":", "=", "\": \"", " = "]),
    ) {
        let page = format!("{before}\n{name}{sep}{value}\nHost: x");
        let excerpt = Excerpt::new(page.as_bytes());
        prop_assert!(!excerpt.as_str().contains(&value), "{:?}", excerpt);
        prop_assert!(!provider_text(&page).contains(&value));
    }
}

#[test]
fn a_502_that_echoes_the_request_headers() {
    let config = dotdigital::Config::new(
        dotdigital::Credentials::new("api-user@example.com", "s3cret-Passw0rd").unwrap(),
    );
    let settings = Settings::builder(config).build();
    let page = "<html><body><h1>502 Bad Gateway</h1><pre>POST /webapi/verify HTTP/1.1\r\n\
                Host: services.comapi.com\r\n\
                Authorization: Basic YXBpLXVzZXJAZXhhbXBsZS5jb206czNjcmV0LVBhc3N3MHJk\r\n\
                Content-Type: application/json\r\n</pre></body></html>";
    let e = answered(&settings, &Start::new("447700900123"), 502, page.as_bytes());
    let all = shown(&e);
    assert!(
        !all.contains("YXBpLXVzZXJAZXhhbXBsZS5jb206czNjcmV0LVBhc3N3MHJk"),
        "{all}"
    );
    assert!(!all.contains("s3cret-Passw0rd"), "{all}");
    assert!(all.contains("Authorization: [redacted]"), "{all}");
    assert!(e.message_may_have_been_sent());
}
