//! `verify telesign send` against a server that answers with an attempted
//! status and a refusal code at once: one request, exit 1, and the words
//! "a message may have been sent".

use std::process::Command;

use verify_conformance::{MIXED_ANSWERS, MixedServer};

#[test]
fn the_cli_sends_once_and_says_a_message_may_have_gone_out() {
    for &(status, body) in MIXED_ANSWERS {
        let server = MixedServer::start(status, body);
        let out = Command::new(env!("CARGO_BIN_EXE_verify"))
            .args([
                "telesign",
                "send",
                "--to",
                "15555550100",
                "--customer-id",
                "CUSTOMER",
                "--api-key",
                "VGVzdCBLZXk=",
                "--base-url",
                &server.url,
            ])
            .env_clear()
            .output()
            .expect("verify runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("a message may have been sent"), "{stderr}");
        assert_eq!(server.hits(), 1, "{status} {body}: {stderr}");
    }
}
