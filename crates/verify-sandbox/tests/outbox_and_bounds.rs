//! The outbox over HTTP, eviction bounds, the binary, and running inside a caller's runtime.

mod common;

use std::io::BufRead as _;
use std::time::Duration;

use common::{TeleSign, dd, send};
use serde_json::json;
use verify_sandbox::{OutboxMessage, Sandbox, SandboxConfig, SandboxProvider};

#[test]
fn outbox_over_http_with_filter_and_clear() {
    let sb = Sandbox::spawn(SandboxConfig::deterministic(8)).unwrap();
    let ts = TeleSign {
        sandbox: &sb,
        hmac: true,
    };
    ts.send_sms("15555550100");
    ts.send_sms("15555550101");
    dd(
        &sb,
        "POST",
        "/webapi/verify",
        &json!({"to": "447700900123", "from": "ACME"}),
    );
    let all: Vec<OutboxMessage> =
        serde_json::from_slice(&send(sb.local_addr(), "GET", "/_sandbox/messages", &[], b"").body)
            .unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all, sb.messages());
    let r = send(
        sb.local_addr(),
        "GET",
        "/_sandbox/messages?to=447700900123",
        &[],
        b"",
    );
    let raw = r.json();
    assert_eq!(raw.as_array().unwrap().len(), 1);
    assert_eq!(raw[0]["provider"], "dotdigital");
    assert_eq!(raw[0]["channel"], "sms");
    assert!(raw[0]["at"].as_str().unwrap().ends_with('Z'));
    let only: Vec<OutboxMessage> = serde_json::from_value(raw).unwrap();
    assert_eq!(only[0].provider, SandboxProvider::Dotdigital);
    assert_eq!(only, sb.messages_to("447700900123"));
    assert_eq!(
        send(sb.local_addr(), "DELETE", "/_sandbox/messages", &[], b"").status,
        204
    );
    assert!(sb.messages().is_empty());
}

#[test]
fn outbox_filter_matches_the_numbers_digits() {
    let sb = Sandbox::spawn(SandboxConfig::deterministic(10)).unwrap();
    let ts = TeleSign {
        sandbox: &sb,
        hmac: true,
    };
    assert_eq!(ts.send_sms("447700900125").status, 200);
    for body in [
        json!({"to": "447700900123", "from": "ACME"}),
        json!({"to": "07700900124", "from": "ACME", "countryIsoCode": "GBR"}),
    ] {
        assert_eq!(dd(&sb, "POST", "/webapi/verify", &body).status, 202);
    }
    let search = |query: &str| -> Vec<String> {
        let r = send(
            sb.local_addr(),
            "GET",
            &format!("/_sandbox/messages?to={query}"),
            &[],
            b"",
        );
        assert_eq!(r.status, 200);
        let found: Vec<OutboxMessage> = serde_json::from_slice(&r.body).unwrap();
        found.into_iter().map(|m| m.to).collect()
    };
    // dotdigital, stored as given (digits only: its `to` takes no `+`): by plain digits, an
    // unencoded `+` (which decodes to a space), an encoded one, and with spaces.
    for query in [
        "447700900123",
        "+447700900123",
        "%2B447700900123",
        "%2B44%207700%20900123",
        "+44+7700+900123",
    ] {
        assert_eq!(search(query), ["447700900123"], "{query}");
    }
    // dotdigital, a local number: as given, and by the international number it became.
    assert_eq!(search("07700900124"), ["07700900124"]);
    assert_eq!(search("447700900124"), ["07700900124"]);
    // TeleSign, stored as digits: exactly, and with a `+` either way.
    for query in ["447700900125", "+447700900125", "%2B447700900125"] {
        assert_eq!(search(query), ["447700900125"], "{query}");
    }
    // No partial matches, nothing for an empty or non-numeric query.
    for query in ["4477009001", "", "%2B", "abc"] {
        assert!(search(query).is_empty(), "{query}");
    }
    // The library API matches the same way.
    assert_eq!(sb.messages_to("447700900123").len(), 1);
    assert_eq!(sb.messages_to("+44 7700 900125").len(), 1);
    assert_eq!(sb.messages_to("447700900124")[0].to, "07700900124");
}

#[test]
fn state_stays_bounded() {
    let config = SandboxConfig {
        outbox_capacity: 5,
        max_verifications: 10,
        nonce_capacity: 20,
        ..SandboxConfig::deterministic(9)
    };
    let sb = Sandbox::spawn(config).unwrap();
    let ts = TeleSign {
        sandbox: &sb,
        hmac: true,
    };
    let mut first = None;
    for n in 0..40 {
        let r = ts.send_sms(&format!("1555555{n:04}"));
        assert_eq!(r.status, 200);
        first.get_or_insert_with(|| r.json()["reference_id"].as_str().unwrap().to_owned());
        dd(
            &sb,
            "POST",
            "/webapi/verify",
            &json!({"to": format!("4477009{n:05}"), "from": "ACME"}),
        );
    }
    let s = sb.stats();
    assert_eq!(s.outbox_messages, 5);
    assert_eq!(s.telesign_verifications, 10);
    assert_eq!(s.dotdigital_verifications, 10);
    assert!(s.nonces <= 20, "{s:?}");
    assert!(s.throttled_numbers <= 10, "{s:?}");
    // The oldest verification was evicted: it is now unknown.
    assert_eq!(ts.status(first.as_deref().unwrap(), None).status, 404);

    // Time evicts everything: codes expire, are remembered as EXPIRED for the retention
    // period, then forgotten.
    let last = sb.messages().last().unwrap().clone();
    let ts_last = ts.send_sms("15550000000").json()["reference_id"]
        .as_str()
        .unwrap()
        .to_owned();
    sb.clock().advance(Duration::from_secs(6 * 60));
    let code = sb.messages_to("15550000000")[0].code.clone();
    assert_eq!(
        ts.status(&ts_last, Some(&code)).json()["verify"]["code_state"],
        "EXPIRED"
    );
    sb.clock().advance(Duration::from_secs(60 * 60));
    let s = sb.stats();
    assert_eq!(
        (s.telesign_verifications, s.dotdigital_verifications),
        (0, 0),
        "{s:?}"
    );
    assert_eq!(ts.status(&ts_last, None).status, 404);
    // Nonces age on the system clock (what clients sign with), not the sandbox clock: they
    // stay bounded by `nonce_capacity` here, and leave after 15 real minutes.
    assert!(sb.stats().nonces <= 20);
    assert_eq!(
        dd(
            &sb,
            "PUT",
            &format!("/webapi/verify/{}/validate", last.verification_id),
            &json!({"code": last.code})
        )
        .status,
        204
    );
}

#[tokio::test]
async fn start_inside_a_runtime_and_shut_down() {
    let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let addr = sb.local_addr();
    assert!(addr.ip().is_loopback());
    assert_eq!(sb.base_url(), format!("http://{addr}"));
    let r = tokio::task::spawn_blocking(move || send(addr, "GET", "/_sandbox/health", &[], b""))
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    sb.shutdown().await;
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "the port is closed after shutdown"
    );
}

#[test]
fn default_credentials_are_random() {
    let (a, b) = (SandboxConfig::default(), SandboxConfig::default());
    assert_ne!(a.telesign_api_key, b.telesign_api_key);
    assert_ne!(a.dotdigital_password, b.dotdigital_password);
    use base64::Engine as _;
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(&a.telesign_api_key)
            .unwrap()
            .len(),
        64
    );
}

#[test]
fn binary_prints_listening_line_first() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_verify-sandbox"))
        .args([
            "--telesign-customer-id",
            "CUST",
            "--telesign-api-key",
            "c2VjcmV0a2V5",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("{line:?}"))
        .to_owned();
    let addr: std::net::SocketAddr = url.parse().unwrap();
    assert!(addr.ip().is_loopback());
    assert_ne!(addr.port(), 0);
    let mut rest = String::new();
    for _ in 0..4 {
        out.read_line(&mut rest).unwrap();
    }
    assert!(
        !rest.contains("c2VjcmV0a2V5"),
        "a given key is not echoed: {rest}"
    );
    assert!(rest.contains("dotdigital password (generated): "), "{rest}");
    use base64::Engine as _;
    let auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("CUST:c2VjcmV0a2V5")
    );
    let r = send(
        addr,
        "POST",
        "/v1/verify/sms",
        &[("Authorization", auth)],
        b"phone_number=15555550100",
    );
    assert_eq!(r.status, 200);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn latency_holds_every_provider_answer_and_answers_wait_together() {
    let latency = Duration::from_millis(300);
    let sb = Sandbox::spawn(SandboxConfig {
        latency,
        ..SandboxConfig::deterministic(10)
    })
    .unwrap();
    // The control routes answer at once.
    let t = std::time::Instant::now();
    assert_eq!(
        send(sb.local_addr(), "GET", "/_sandbox/health", &[], b"").status,
        200
    );
    assert!(t.elapsed() < latency, "{:?}", t.elapsed());
    // 64 answers at once, each held at least the latency; they wait together
    // (a bound 16 times looser than one at a time would take).
    let waits: Vec<Duration> = std::thread::scope(|s| {
        let all: Vec<_> = (0..64)
            .map(|n| {
                let sb = &sb;
                s.spawn(move || {
                    let t = std::time::Instant::now();
                    let r = dd(
                        sb,
                        "POST",
                        "/webapi/verify",
                        &json!({"to": format!("4477009{n:05}"), "from": "ACME"}),
                    );
                    assert_eq!(r.status, 202);
                    t.elapsed()
                })
            })
            .collect();
        all.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(waits.iter().all(|w| *w >= latency), "{waits:?}");
    let total: Duration = waits.iter().copied().max().unwrap();
    assert!(total < latency * 64 / 16, "{total:?}");
    assert_eq!(sb.messages().len(), 64);
}
