//! What a process-wide `log` logger sees while a transport runs: its HTTP
//! stack's records (ureq-proto, ureq, rustls log through the `log` crate,
//! not through `tracing`), checked for secrets after the transport's
//! documented filter directives are applied.
//!
//! A global logger is per process: call [`http_stack_logs_carry_no_secrets`]
//! from a test binary of its own, holding that one test.

use std::sync::Mutex;

use base64::Engine as _;
use verify_core::Code;
use verify_core::dotdigital::{SendCode, ValidateCode};
use verify_core::driver::Settings;
use verify_core::telesign::{CheckCode, SendSms};

use crate::Harness;
use crate::fixture::{PHONE, UK_PHONE, code_of, dotdigital_config, fast, sandbox, telesign_config};

/// One `log` record: its target, its level and its text.
#[derive(Clone, Debug)]
pub struct Record {
    /// The module path it came from (`ureq_proto::util`, ...).
    pub target: String,
    /// Its level.
    pub level: log::Level,
    /// The formatted message.
    pub text: String,
}

static RECORDS: Mutex<Vec<Record>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        if let Ok(mut records) = RECORDS.lock() {
            records.push(Record {
                target: record.target().to_owned(),
                level: record.level(),
                text: record.args().to_string(),
            });
        }
    }

    fn flush(&self) {}
}

/// Whether `directives` (`target=level`, `target=off`; the longest target
/// that matches decides; anything else passes) let `record` through.
pub fn passes(directives: &[&str], record: &Record) -> bool {
    let mut best: Option<(usize, &str)> = None;
    for directive in directives {
        let Some((target, level)) = directive.split_once('=') else {
            continue;
        };
        let matches = record.target == target
            || record
                .target
                .strip_prefix(target)
                .is_some_and(|rest| rest.starts_with("::"));
        if matches && best.is_none_or(|(len, _)| target.len() > len) {
            best = Some((target.len(), level));
        }
    }
    match best {
        None => true,
        Some((_, "off")) => false,
        Some((_, level)) => level
            .parse::<log::LevelFilter>()
            .is_ok_and(|max| record.level <= max),
    }
}

/// Installs a global `log` logger at `trace` (once per process), runs a
/// TeleSign send and both code checks and a dotdigital send and both code
/// validations against the sandbox, then checks that no record that
/// `directives` let through holds a secret: the API key, the dotdigital
/// password, a Basic token, a code (as text, or as the hex a byte dump
/// shows). Returns every record, filtered or not, for the transport's own
/// checks.
pub fn http_stack_logs_carry_no_secrets<H: Harness>(h: &H, directives: &[&str]) -> Vec<Record> {
    if log::set_boxed_logger(Box::new(Capture)).is_ok() {
        log::set_max_level(log::LevelFilter::Trace);
    }
    let sb = sandbox();
    let telesign = h.client(fast(
        Settings::builder(telesign_config(&sb)).proxy_from_env(false),
    ));
    let sent = h.execute(&telesign, &SendSms::new(PHONE)).expect("send");
    let ts_code = code_of(&sb, PHONE);
    for code in [crate::fixture::wrong(&ts_code), ts_code.clone()] {
        let _ = h
            .execute(
                &telesign,
                &CheckCode::new(sent.reference_id, Code::new(code)),
            )
            .expect("check");
    }
    let dotdigital = h.client(fast(
        Settings::builder(dotdigital_config(&sb)).proxy_from_env(false),
    ));
    let sent = h
        .execute(&dotdigital, &SendCode::new(UK_PHONE, "Verify"))
        .expect("send");
    let dd_code = code_of(&sb, UK_PHONE);
    for code in [crate::fixture::wrong(&dd_code), dd_code.clone()] {
        let _ = h
            .execute(
                &dotdigital,
                &ValidateCode::new(sent.request_id, Code::new(code)),
            )
            .expect("validate");
    }
    let c = sb.config();
    let b64 = |s: String| base64::engine::general_purpose::STANDARD.encode(s);
    let secrets = [
        c.telesign_api_key.clone(),
        c.dotdigital_password.clone(),
        b64(format!(
            "{}:{}",
            c.dotdigital_username, c.dotdigital_password
        )),
        b64(format!("{}:{}", c.telesign_customer_id, c.telesign_api_key)),
        format!("verify_code={ts_code}"),
        format!("\"{dd_code}\""),
    ];
    let hex = |s: &str| s.bytes().map(|b| format!("{b:02x}")).collect::<String>();
    let records = RECORDS.lock().map(|r| r.clone()).unwrap_or_default();
    for record in records.iter().filter(|r| passes(directives, r)) {
        let squeezed: String = record.text.split_whitespace().collect();
        for secret in &secrets {
            assert!(
                !record.text.contains(secret.as_str()) && !squeezed.contains(&hex(secret)),
                "a secret in a record the filter lets through: {} {}: {}",
                record.target,
                record.level,
                record.text
            );
        }
    }
    records
}
