//! `--proxy`, `--no-proxy` and the environment's proxy variables: the built
//! `verify` against the sandbox through a loopback `CONNECT` proxy.

mod common;

use common::*;
use verify_conformance::{ProxyMode, TestProxy};

/// `verify telesign send --to <to>` to the sandbox, with `extra` flags and
/// the `env` variables.
fn send(
    sb: &verify_sandbox::Sandbox,
    to: &str,
    extra: &[&str],
    env: &[(&str, &str)],
) -> std::process::Output {
    let base = sb.base_url();
    let mut args = vec!["telesign", "send", "--to", to];
    args.extend(telesign_args(sb, &base));
    args.extend(extra);
    run(&args, env, None)
}

#[test]
fn an_explicit_proxy_carries_every_command() {
    let sb = sandbox();
    let base = sb.base_url();
    let proxy = TestProxy::start(ProxyMode::Tunnel, Some("alice:pr0xy-s3cret"));
    let url = proxy.url_with("alice:pr0xy-s3cret");
    let mut sent = 0;
    let mut commands: Vec<Vec<&str>> = vec![
        vec!["telesign", "send", "--to", "15555550160"],
        vec!["telesign", "voice", "--to", "15555550161"],
        vec!["telesign", "verification", "create", "--to", "15555550162"],
        vec!["start", "--to", "15555550163"],
    ];
    for c in &mut commands {
        c.extend(telesign_args(&sb, &base));
    }
    let mut dotdigital = vec![
        "dotdigital",
        "send",
        "--to",
        "447700900160",
        "--from",
        "Demo",
    ];
    dotdigital.extend(dotdigital_args(&sb));
    dotdigital.extend(["--base-url", &base]);
    commands.push(dotdigital);
    for mut args in commands {
        args.extend(["--proxy", &url]);
        let before = proxy.connects();
        let out = verify(&args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert!(
            proxy.connects() > before,
            "{args:?} did not go through the proxy"
        );
        sent += 1;
        assert_eq!(sb.messages().len(), sent, "{args:?}");
    }
    assert_eq!(
        proxy.authorized(),
        proxy.connects(),
        "every CONNECT had the credentials"
    );

    // A status query goes through it too.
    let out = send(&sb, "15555550164", &["--json"], &[]);
    let id = json(&out)["reference_id"].as_str().unwrap().to_owned();
    let before = proxy.connects();
    let mut args = vec!["telesign", "status", "--reference-id", &id, "--proxy", &url];
    args.extend(telesign_args(&sb, &base));
    let out = verify(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(proxy.connects() > before);
}

#[test]
fn the_environments_proxy_applies_by_default() {
    let sb = sandbox();
    let proxy = TestProxy::start(ProxyMode::Tunnel, None);
    // The sandbox is http://: HTTP_PROXY and ALL_PROXY apply to it.
    for (i, name) in ["HTTP_PROXY", "http_proxy", "ALL_PROXY"].iter().enumerate() {
        let to = format!("1555555017{i}");
        let before = proxy.connects();
        let out = send(&sb, &to, &[], &[(name, &proxy.url)]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        assert!(proxy.connects() > before, "{name} was not used");
        assert_eq!(sb.messages_to(&to).len(), 1, "{name}");
    }
    // HTTPS_PROXY is for https:// URLs only, as curl reads it.
    let before = proxy.connects();
    let out = send(&sb, "15555550175", &[], &[("HTTPS_PROXY", &proxy.url)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        proxy.connects(),
        before,
        "HTTPS_PROXY used for an http:// URL"
    );
    assert_eq!(sb.messages_to("15555550175").len(), 1);
}

#[test]
fn no_proxy_in_the_environment_bypasses_the_proxy() {
    let sb = sandbox();
    let proxy = TestProxy::start(ProxyMode::Tunnel, None);
    let out = send(
        &sb,
        "15555550180",
        &[],
        &[("HTTP_PROXY", &proxy.url), ("NO_PROXY", "127.0.0.1")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(proxy.connects(), 0, "NO_PROXY must bypass the proxy");
    assert_eq!(sb.messages_to("15555550180").len(), 1);
}

#[test]
fn no_proxy_flag_ignores_the_environment() {
    let sb = sandbox();
    let down = TestProxy::start(ProxyMode::Refuse(502), None);
    let env = [
        ("HTTP_PROXY", down.url.as_str()),
        ("ALL_PROXY", down.url.as_str()),
    ];
    let out = send(&sb, "15555550181", &["--no-proxy"], &env);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(down.connects(), 0, "--no-proxy must ignore HTTP_PROXY");
    assert_eq!(sb.messages_to("15555550181").len(), 1);

    // With --no-proxy, --proxy is the only proxy, and NO_PROXY does not
    // bypass it.
    let proxy = TestProxy::start(ProxyMode::Tunnel, None);
    let out = send(
        &sb,
        "15555550182",
        &["--no-proxy", "--proxy", &proxy.url],
        &[("HTTP_PROXY", &down.url), ("NO_PROXY", "127.0.0.1")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(proxy.connects() > 0);
    assert_eq!(down.connects(), 0);
    assert_eq!(sb.messages_to("15555550182").len(), 1);
}

#[test]
fn a_proxy_refusing_the_connect_means_nothing_was_sent() {
    let sb = sandbox();
    let proxy = TestProxy::start(ProxyMode::Refuse(407), None);
    let out = send(&sb, "15555550183", &["--proxy", &proxy.url], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("no message was sent"), "{err}");
    assert!(err.contains("before the request was written"), "{err}");
    assert!(proxy.connects() > 0);
    assert!(sb.messages().is_empty());

    // The same through the environment, in JSON.
    let out = send(
        &sb,
        "15555550184",
        &["--json"],
        &[("HTTP_PROXY", &proxy.url)],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let v = json(&out);
    assert_eq!(v["error"]["message_may_have_been_sent"], false, "{v:#}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("[no message was sent]"),
        "{v:#}"
    );
    assert!(sb.messages().is_empty());
}

#[test]
fn a_malformed_proxy_is_invalid_input_and_its_password_never_shows() {
    let sb = sandbox();
    for bad in [
        "socks5://u:hunter2@proxy.example:1080",
        "http://u:hunter2@p/x",
    ] {
        let out = send(&sb, "15555550185", &["--json", "--proxy", bad], &[]);
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", stdout(&out));
        let problems = json_problems(&out);
        assert!(names(&problems, "--proxy"), "{problems:?}");
        assert!(!stdout(&out).contains("hunter2"), "{}", stdout(&out));
    }
    assert!(sb.messages().is_empty());
}
