//! The edges of the command: what it prints about input that goes to
//! several providers, what it writes when stdout is gone, times no writer
//! can format, and `--print-request`'s credentials.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};

use base64::Engine as _;
use common::*;

const KEY: &str = "c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seQ==";
const PASSWORD: &str = "dd-Password-Only-For-Tests";

/// A loopback listener that counts the connections it was offered.
fn silent_listener() -> (TcpListener, String) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.set_nonblocking(true).unwrap();
    let base = format!("http://{}", l.local_addr().unwrap());
    (l, base)
}

#[test]
fn a_start_the_backup_refuses_exits_2_before_telesign_hears_anything() {
    let (listener, base) = silent_listener();
    for extra in [&[][..], &["--failover-when-maybe-sent"][..]] {
        for json_mode in [false, true] {
            let mut args = vec![
                "start",
                "--provider",
                "telesign",
                "--backup",
                "dotdigital",
                "--code",
                "123456",
                "--to",
                "15555550100",
                "--customer-id",
                "ID",
                "--api-key",
                KEY,
                "--username",
                "user",
                "--password",
                PASSWORD,
                "--base-url",
                &base,
            ];
            args.extend_from_slice(extra);
            if json_mode {
                args.push("--json");
            }
            let o = verify(&args);
            assert_eq!(o.status.code(), Some(2), "{}{}", stdout(&o), stderr(&o));
            if json_mode {
                let v = json(&o);
                let problems = v["error"]["problems"].as_array().unwrap();
                assert!(
                    problems
                        .iter()
                        .any(|p| p["field"] == "code" && p["provider"] == "dotdigital"),
                    "{v:#}"
                );
            } else {
                let err = stderr(&o);
                assert!(err.contains("nothing was sent"), "{err}");
                assert!(err.contains("code (for dotdigital):"), "{err}");
            }
        }
    }
    assert!(
        listener.accept().is_err(),
        "no connection may reach the primary"
    );
}

/// Spawns `verify` with stdout a pipe whose read end is already closed.
fn with_closed_stdout(args: &[&str]) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut command = Command::new(env!("CARGO_BIN_EXE_verify"));
    command.args(args);
    for name in ENV {
        command.env_remove(name);
    }
    let o = command
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn a_closed_stdout_after_a_send_exits_4_with_the_id_on_stderr() {
    let sb = sandbox();
    let base = sb.base_url();
    for json in [false, true] {
        let mut args = vec!["telesign", "send", "--to", "15555550100"];
        args.extend(telesign_args(&sb, &base));
        if json {
            args.push("--json");
        }
        let before = sb.messages().len();
        let (code, err) = with_closed_stdout(&args);
        assert_eq!(code, Some(4), "{err}");
        let messages = sb.messages();
        assert_eq!(messages.len(), before + 1, "the code was sent once");
        let reference_id = messages.last().unwrap().verification_id.clone();
        assert!(err.contains(&reference_id), "the id reaches stderr: {err}");
        assert!(err.contains("could not be written"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    // A failure still exits with its own code when stdout is gone.
    let (code, err) = with_closed_stdout(&["--json", "telesign", "send", "--to", "1"]);
    assert_eq!(code, Some(2), "{err}");
}

/// A dotdigital that answers every request with `created` and `verified`
/// times outside 1970-9999 in UTC.
fn dotdigital_with_odd_times() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = answer_odd_times(stream);
        }
    });
    base
}

const ODD_ID: &str = "0f5a3c1e-8a4b-4f3e-9a55-1a2b3c4d5e6f";

fn answer_odd_times(stream: TcpStream) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let answer = serde_json::json!({
        "requestId": ODD_ID,
        "phoneNumber": "+447700900000",
        "status": "CodeVerified",
        "numberStatus": "Valid",
        "created": "9999-12-31T23:30:00-01:00",
        "verified": "1970-01-01T00:30:00+01:00",
    })
    .to_string();
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
        answer.len()
    )
}

#[test]
fn out_of_range_provider_times_print_the_request_id() {
    let base = dotdigital_with_odd_times();
    let account = [
        "--username",
        "user",
        "--password",
        PASSWORD,
        "--base-url",
        &base,
    ];
    let send = [
        "dotdigital",
        "send",
        "--to",
        "447700900000",
        "--from",
        "Example",
    ];
    let validate = [
        "dotdigital",
        "validate",
        "--request-id",
        ODD_ID,
        "--code",
        "123456",
    ];
    for command in [&send[..], &validate[..]] {
        for json_mode in [false, true] {
            let mut args: Vec<&str> = command.to_vec();
            args.extend_from_slice(&account);
            if json_mode {
                args.push("--json");
            }
            let o = verify(&args);
            assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
            assert!(stdout(&o).contains(ODD_ID), "{}", stdout(&o));
            if json_mode {
                let v = json(&o);
                assert_eq!(v["created"], serde_json::Value::Null, "{v:#}");
                assert_eq!(v["verified"], serde_json::Value::Null, "{v:#}");
            }
        }
    }
}

fn basic_token(user: &str, secret: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{secret}"))
}

#[test]
fn print_request_masks_basic_credentials_unless_show_secrets() {
    let telesign = [
        "telesign",
        "send",
        "--to",
        "15555550100",
        "--customer-id",
        VECTOR_ID,
        "--api-key",
        KEY,
        "--auth",
        "basic",
        "--print-request",
    ];
    let dotdigital = [
        "dotdigital",
        "send",
        "--to",
        "447700900000",
        "--from",
        "Example",
        "--username",
        "user",
        "--password",
        PASSWORD,
        "--print-request",
    ];
    for (command, token) in [
        (&telesign[..], basic_token(VECTOR_ID, KEY)),
        (&dotdigital[..], basic_token("user", PASSWORD)),
    ] {
        for json_mode in [false, true] {
            let mut args = command.to_vec();
            if json_mode {
                args.push("--json");
            }
            let o = verify(&args);
            assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
            let (out, err) = (stdout(&o), stderr(&o));
            for secret in [token.as_str(), KEY, PASSWORD] {
                assert!(!out.contains(secret) && !err.contains(secret), "{out}{err}");
            }
            assert!(out.contains("masked"), "{out}");
            // Basic credentials are not a signature: no replay warning.
            assert!(!err.contains("replayable"), "{err}");

            args.push("--show-secrets");
            let o = verify(&args);
            assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
            assert!(
                stdout(&o).contains(&format!("Basic {token}")),
                "{}",
                stdout(&o)
            );
        }
    }
    // --show-secrets only means something with --print-request.
    let o = verify(&["telesign", "send", "--to", "15555550100", "--show-secrets"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn an_undated_hmac_print_request_warns_that_it_is_replayable() {
    let base = [
        "telesign",
        "send",
        "--to",
        "15555550100",
        "--customer-id",
        VECTOR_ID,
        "--api-key",
        VECTOR_KEY,
        "--print-request",
    ];
    let o = verify(&base);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("warning:") && err.contains("replayable"),
        "{err}"
    );
    assert!(err.contains("15-minute"), "{err}");
    assert!(
        stdout(&o).contains("TSA "),
        "the signature is printed as is"
    );

    let mut dated = base.to_vec();
    dated.extend(["--date", DATE, "--nonce", NONCE]);
    let o = verify(&dated);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("replayable"), "{}", stderr(&o));

    let verify_api = [
        "telesign",
        "verification",
        "create",
        "--to",
        "15555550100",
        "--customer-id",
        VECTOR_ID,
        "--api-key",
        VECTOR_KEY,
        "--print-request",
    ];
    let o = verify(&verify_api);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("replayable"), "{}", stderr(&o));
}

#[test]
fn verbose_logging_never_shows_a_secret() {
    let sb = sandbox();
    let base = sb.base_url();
    let c = sb.config().clone();
    let mut stderr_all = String::new();
    let mut run_ok = |args: Vec<&str>| {
        let mut all = vec!["--verbose"];
        all.extend(args);
        let o = verify(&all);
        assert_eq!(o.status.code(), Some(0), "{:?}: {}", all, stderr(&o));
        stderr_all.push_str(&stderr(&o));
        stdout(&o)
    };
    let mut codes = Vec::new();
    for auth in ["hmac", "basic"] {
        let mut args = vec!["telesign", "send", "--to", "15555550100", "--auth", auth];
        args.extend(telesign_args(&sb, &base));
        run_ok(args);
        let sent = sb.messages().last().unwrap().clone();
        codes.push(sent.code.clone());
        let mut args = vec![
            "telesign",
            "status",
            "--reference-id",
            &sent.verification_id,
            "--code",
            &sent.code,
            "--auth",
            auth,
        ];
        args.extend(telesign_args(&sb, &base));
        run_ok(args);
    }
    let mut args = vec![
        "dotdigital",
        "send",
        "--to",
        "447700900000",
        "--from",
        "Example",
        "--base-url",
        &base,
    ];
    args.extend(dotdigital_args(&sb));
    run_ok(args);
    let sent = sb.messages().last().unwrap().clone();
    codes.push(sent.code.clone());
    let mut args = vec![
        "dotdigital",
        "validate",
        "--request-id",
        &sent.verification_id,
        "--code",
        &sent.code,
        "--base-url",
        &base,
    ];
    args.extend(dotdigital_args(&sb));
    run_ok(args);

    assert!(
        stderr_all.contains("logging at trace, filtered by ureq_proto=off"),
        "{stderr_all}"
    );
    let mut secrets = vec![
        c.telesign_api_key.clone(),
        c.dotdigital_password.clone(),
        basic_token(&c.telesign_customer_id, &c.telesign_api_key),
        basic_token(&c.dotdigital_username, &c.dotdigital_password),
    ];
    secrets.extend(codes.iter().map(|code| format!("verify_code={code}")));
    secrets.extend(codes.iter().map(|code| format!("\"{code}\"")));
    for secret in &secrets {
        assert!(
            !stderr_all.contains(secret.as_str()),
            "{secret} in {stderr_all}"
        );
    }
    for code in &codes {
        for line in stderr_all.lines() {
            assert!(!line.contains(code.as_str()), "a code in {line}");
        }
    }
}

#[test]
fn help_lists_every_exit_code() {
    let o = verify(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let help = stdout(&o);
    for line in [
        "0  success",
        "1  provider or transport failure",
        "2  invalid input or usage",
        "3  refused by the guard (nothing was sent)",
        "4  output could not be written",
    ] {
        assert!(help.contains(line), "{line:?} in {help}");
    }
}

/// A dotdigital that echoes the request's password, its Basic token and
/// the code in the fields of a success answer that the command prints.
fn dotdigital_echoing_secrets() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = answer_echoing(stream);
        }
    });
    base
}

fn answer_echoing(stream: TcpStream) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let answer = serde_json::json!({
        "requestId": ODD_ID,
        "phoneNumber": "+447700900000",
        "status": format!("Echo {PASSWORD} 918273 {}", basic_token("user", PASSWORD)),
        "numberStatus": tail_of_token(),
    })
    .to_string();
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
        answer.len()
    )
}

/// The second half of the request's Basic token: its base64 alone still
/// gives the password away.
fn tail_of_token() -> String {
    let token = basic_token("user", PASSWORD);
    token[token.len() / 2..].to_owned()
}

#[test]
fn a_success_answer_echoing_the_secrets_prints_none_of_them() {
    let base = dotdigital_echoing_secrets();
    let account = [
        "--username",
        "user",
        "--password",
        PASSWORD,
        "--base-url",
        &base,
    ];
    let send = [
        "dotdigital",
        "send",
        "--to",
        "447700900000",
        "--from",
        "Example",
    ];
    let validate = [
        "dotdigital",
        "validate",
        "--request-id",
        ODD_ID,
        "--code",
        "918273",
    ];
    let token = basic_token("user", PASSWORD);
    for command in [&send[..], &validate[..]] {
        for json_mode in [false, true] {
            let mut args: Vec<&str> = command.to_vec();
            args.extend_from_slice(&account);
            if json_mode {
                args.push("--json");
            }
            let o = verify(&args);
            let all = format!("{}{}", stdout(&o), stderr(&o));
            assert!(!all.contains("panicked"), "{all}");
            assert!(!all.contains(PASSWORD), "{all}");
            assert!(!all.contains(&token), "{all}");
            assert!(!all.contains(&tail_of_token()), "{all}");
            if command == &validate[..] {
                assert!(!all.contains("918273"), "{all}");
            }
            if json_mode && o.status.code() == Some(0) {
                json(&o);
            }
        }
    }
}

#[test]
fn help_that_cannot_be_written_exits_4() {
    for flag in ["--help", "--version"] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_verify"))
            .arg(flag)
            .stdout(full)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(4), "{flag}: {}", stderr(&o));
    }
}

#[test]
fn blank_credentials_are_refused_before_anything_is_sent() {
    let (listener, base) = silent_listener();
    for key in ["", " ", "\t  "] {
        let o = verify(&[
            "--json",
            "telesign",
            "send",
            "--to",
            "15555550100",
            "--customer-id",
            "CUSTOMER-ID-0001",
            "--api-key",
            key,
            "--base-url",
            &base,
        ]);
        assert_eq!(o.status.code(), Some(2), "{key:?}: {}", stdout(&o));
        let v = json(&o);
        assert_eq!(v["error"]["kind"], "invalid_input", "{v:#}");
        assert!(
            v.to_string().contains("api_key") || v.to_string().contains("--api-key"),
            "{v:#}"
        );
    }
    assert!(listener.accept().is_err(), "nothing reached the provider");
}

#[test]
fn a_sandbox_latency_that_is_no_duration_or_too_long_is_refused() {
    for bad in ["soon", "-5ms", "2h", "99999999999999999999s"] {
        let flag = format!("--latency={bad}");
        let o = verify(&["--json", "sandbox", "--listen", "127.0.0.1:0", &flag]);
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", stdout(&o));
        assert!(stdout(&o).contains("--latency"), "{bad}: {}", stdout(&o));
    }
}
