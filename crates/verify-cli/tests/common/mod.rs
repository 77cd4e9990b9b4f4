//! What the test files share: the built `verify` in a known environment,
//! and a deterministic sandbox on 127.0.0.1.
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

use verify_sandbox::{Sandbox, SandboxConfig};

/// Every variable `verify` reads for credentials or proxies: removed from
/// its environment unless a test sets it.
pub const ENV: &[&str] = &[
    "TELESIGN_CUSTOMER_ID",
    "TELESIGN_API_KEY",
    "DOTDIGITAL_USERNAME",
    "DOTDIGITAL_PASSWORD",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// `verify` with `args`, only the variables in `env` set among [`ENV`],
/// and `stdin` on its standard input.
pub fn run(args: &[&str], env: &[(&str, &str)], stdin: Option<&[u8]>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_verify"));
    command.args(args);
    for name in ENV {
        command.env_remove(name);
    }
    for (k, v) in env {
        command.env(k, v);
    }
    command.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().expect("the verify binary runs");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        // The command may stop reading (and exit) before it has read
        // everything: what it does with the input is what the test checks.
        if let Err(e) = pipe.write_all(bytes) {
            assert_eq!(
                e.kind(),
                std::io::ErrorKind::BrokenPipe,
                "stdin written: {e}"
            );
        }
    }
    child.wait_with_output().expect("verify ends")
}

/// `verify` with `args` and no credential or proxy variables.
pub fn verify(args: &[&str]) -> Output {
    run(args, &[], None)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", stdout(o), stderr(o)))
}

/// The problems of a JSON usage error, as `field: rule` lines.
pub fn json_problems(o: &Output) -> Vec<String> {
    let v = json(o);
    assert_eq!(v["ok"], false, "{v:#}");
    assert_eq!(v["error"]["kind"], "invalid_input", "{v:#}");
    v["error"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}: {}",
                p["field"].as_str().unwrap(),
                p["rule"].as_str().unwrap()
            )
        })
        .collect()
}

/// Whether some problem names `field`.
pub fn names(problems: &[String], field: &str) -> bool {
    problems
        .iter()
        .any(|p| p.starts_with(&format!("{field}: ")))
}

/// A deterministic sandbox (seed 7, manual clock).
pub fn sandbox() -> Sandbox {
    Sandbox::spawn(SandboxConfig::deterministic(7)).expect("sandbox starts")
}

/// The sandbox's TeleSign credentials and `base` as flags.
pub fn telesign_args<'a>(sb: &'a Sandbox, base: &'a str) -> Vec<&'a str> {
    let c = sb.config();
    vec![
        "--customer-id",
        &c.telesign_customer_id,
        "--api-key",
        &c.telesign_api_key,
        "--base-url",
        base,
    ]
}

/// The sandbox's dotdigital credentials as flags.
pub fn dotdigital_args(sb: &Sandbox) -> Vec<&str> {
    let c = sb.config();
    vec![
        "--username",
        &c.dotdigital_username,
        "--password",
        &c.dotdigital_password,
    ]
}

/// A code of the same length that is certainly wrong.
pub fn wrong(code: &str) -> String {
    code.chars()
        .map(|c| {
            c.to_digit(10)
                .map_or('0', |d| char::from_digit((d + 1) % 10, 10).unwrap())
        })
        .collect()
}

pub const VECTOR_ID: &str = "FFFFFFFF-EEEE-DDDD-1234-AB1234567890";
pub const VECTOR_KEY: &str =
    "EXAMPLETE8sTgg45yusumoN6BYsBVkh+yRJ5czgsnCehZaOYldPJdmFh6NeX8kunZ2zU1YWaUw/0wV6xfw==";
pub const DATE: &str = "Wed, 14 Dec 2016 18:20:12 GMT";
pub const NONCE: &str = "A1592C6F-E384-4CDB-BC42-C3AB970369E9";
