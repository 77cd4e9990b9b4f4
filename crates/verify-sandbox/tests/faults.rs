//! Every fault mode, through the library API and the HTTP control API.

mod common;

use std::time::{Duration, Instant};

use common::{TeleSign, dd, send, send_raw};
use serde_json::json;
use verify_sandbox::{Fault, MAX_PENDING_FAULTS, Route, Sandbox, SandboxConfig, TooManyFaults};

fn sandbox() -> Sandbox {
    Sandbox::spawn(SandboxConfig::deterministic(4)).unwrap()
}

#[test]
fn telesign_status_500_is_not_attempted() {
    let sb = sandbox();
    sb.inject(Route::TeleSignSms, Fault::TeleSignStatus(500), 1);
    let r = TeleSign {
        sandbox: &sb,
        hmac: true,
    }
    .send_sms("15555550100");
    assert_eq!(r.status, 503);
    assert_eq!(r.json()["status"]["code"], 500);
    assert_eq!(r.json()["errors"][0]["code"], -90001);
    assert!(sb.messages().is_empty());
}

#[test]
fn telesign_status_501_is_not_authorized() {
    let sb = sandbox();
    sb.inject(Route::TeleSignSms, Fault::TeleSignStatus(501), 1);
    let r = TeleSign {
        sandbox: &sb,
        hmac: true,
    }
    .send_sms("15555550100");
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["status"]["code"], 501);
    assert!(sb.messages().is_empty());
}

#[test]
fn carrier_failures_on_send_are_recorded() {
    let sb = sandbox();
    let ts = TeleSign {
        sandbox: &sb,
        hmac: true,
    };
    for code in [503, 504] {
        sb.inject(Route::TeleSignSms, Fault::TeleSignStatus(code), 1);
        let r = ts.send_sms("15555550100");
        assert_eq!(r.status, 200);
        assert_eq!(r.json()["status"]["code"], code);
        assert_eq!(r.json()["errors"], json!([]));
        // The status query reports the failed delivery too.
        let id = r.json()["reference_id"].as_str().unwrap().to_owned();
        assert_eq!(ts.status(&id, None).json()["status"]["code"], code);
    }
    assert_eq!(
        sb.messages().len(),
        2,
        "the carrier was attempted: the messages are in the outbox"
    );
}

#[test]
fn status_route_reports_the_injected_delivery_status() {
    let sb = sandbox();
    let ts = TeleSign {
        sandbox: &sb,
        hmac: true,
    };
    let id = ts.send_sms("15555550100").json()["reference_id"]
        .as_str()
        .unwrap()
        .to_owned();
    sb.inject(Route::TeleSignStatus, Fault::TeleSignStatus(507), 1);
    let r = ts.status(&id, None);
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["status"]["code"], 507);
    assert_eq!(ts.status(&id, None).json()["status"]["code"], 200);
}

#[test]
fn html_503_processes_nothing() {
    let sb = sandbox();
    sb.inject(Route::Any, Fault::Html503, 2);
    let r = TeleSign {
        sandbox: &sb,
        hmac: true,
    }
    .send_sms("15555550100");
    assert_eq!(r.status, 503);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert!(String::from_utf8_lossy(&r.body).contains("<html>"));
    let r = dd(
        &sb,
        "POST",
        "/webapi/verify",
        &json!({"to": "447700900123", "from": "ACME"}),
    );
    assert_eq!(r.status, 503);
    assert!(sb.messages().is_empty());
}

#[test]
fn delay_then_process() {
    let sb = sandbox();
    sb.inject(
        Route::TeleSignSms,
        Fault::Delay(Duration::from_millis(300)),
        1,
    );
    let started = Instant::now();
    let r = TeleSign {
        sandbox: &sb,
        hmac: false,
    }
    .send_sms("15555550100");
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(r.status, 200);
    assert_eq!(sb.messages().len(), 1);
}

fn basic_sms(sb: &Sandbox) -> Option<common::Raw> {
    let ts = TeleSign {
        sandbox: sb,
        hmac: false,
    };
    send_raw(
        sb.local_addr(),
        "POST",
        "/v1/verify/sms",
        &[
            ("Authorization", ts.basic_header()),
            ("Content-Type", "application/x-www-form-urlencoded".into()),
        ],
        b"phone_number=15555550100",
    )
}

#[test]
fn close_before_processing_sends_nothing() {
    let sb = sandbox();
    sb.inject(Route::TeleSignSms, Fault::CloseBeforeProcessing, 1);
    assert!(basic_sms(&sb).is_none(), "no response bytes");
    assert!(sb.messages().is_empty());
    assert_eq!(
        basic_sms(&sb).unwrap().status,
        200,
        "only the next request is affected"
    );
}

#[test]
fn close_after_processing_records_the_message() {
    let sb = sandbox();
    sb.inject(Route::TeleSignSms, Fault::CloseAfterProcessing, 1);
    assert!(basic_sms(&sb).is_none(), "no response bytes");
    assert_eq!(
        sb.messages().len(),
        1,
        "the message went out although no answer came back"
    );
}

#[test]
fn truncated_body_is_shorter_than_announced() {
    let sb = sandbox();
    sb.inject(Route::TeleSignSms, Fault::TruncateBody, 1);
    let r = basic_sms(&sb).unwrap();
    assert_eq!(r.status, 200);
    let announced: usize = r
        .header("content-length")
        .unwrap_or_else(|| panic!("{r:?}"))
        .parse()
        .unwrap();
    assert!(announced > 0);
    assert_eq!(r.body.len(), announced / 2);
    assert_eq!(sb.messages().len(), 1);
}

#[test]
fn huge_body_is_streamed() {
    let sb = sandbox();
    sb.inject(
        Route::TeleSignStatus,
        Fault::HugeBody(64 * 1024 * 1024 + 3),
        1,
    );
    let ts = TeleSign {
        sandbox: &sb,
        hmac: true,
    };
    let r = ts.status("0123456789ABCDEF0123456789ABCDEF", None);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-length"), Some("67108867"));
    assert_eq!(r.body.len(), 64 * 1024 * 1024 + 3);
    assert!(r.body.starts_with(b"{\"padding\":\"") && r.body.ends_with(b"\"}"));
}

#[test]
fn gigabyte_body_is_announced_without_being_built() {
    use std::io::{Read as _, Write as _};
    let sb = sandbox();
    sb.inject(Route::Any, Fault::HugeBody(1_000_000_000), 1);
    let mut s = std::net::TcpStream::connect(sb.local_addr()).unwrap();
    s.write_all(b"GET /v1/verify/0123456789ABCDEF0123456789ABCDEF HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut buf = vec![0u8; 4096];
    let n = s.read(&mut buf).unwrap();
    let head = String::from_utf8_lossy(&buf[..n]);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-length: 1000000000"),
        "{head}"
    );
}

#[test]
fn counts_and_clearing() {
    let sb = sandbox();
    let ts = TeleSign {
        sandbox: &sb,
        hmac: false,
    };
    sb.inject(Route::TeleSignSms, Fault::TeleSignStatus(500), 2);
    assert_eq!(ts.send_sms("15555550100").status, 503);
    assert_eq!(ts.send_sms("15555550100").status, 503);
    assert_eq!(ts.send_sms("15555550100").status, 200);
    sb.inject(Route::TeleSignSms, Fault::TeleSignStatus(500), 5);
    sb.clear_faults();
    assert_eq!(ts.send_sms("15555550100").status, 200);
    // A fault on another route leaves this one alone.
    sb.inject(Route::DotdigitalSend, Fault::Html503, 1);
    assert_eq!(ts.send_sms("15555550100").status, 200);
}

#[test]
fn dotdigital_routes_take_faults() {
    let sb = sandbox();
    sb.inject(Route::DotdigitalSend, Fault::CloseAfterProcessing, 1);
    let c = sb.config();
    let auth = {
        use base64::Engine as _;
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!(
                "{}:{}",
                c.dotdigital_username, c.dotdigital_password
            ))
        )
    };
    let r = send_raw(
        sb.local_addr(),
        "POST",
        "/webapi/verify",
        &[("Authorization", auth)],
        br#"{"to":"447700900123","from":"ACME"}"#,
    );
    assert!(r.is_none());
    assert_eq!(sb.messages().len(), 1);
    sb.inject(Route::DotdigitalValidate, Fault::TeleSignStatus(429), 1);
    let r = dd(
        &sb,
        "PUT",
        "/WebApi/Verify/x/validate",
        &json!({"code": "123456"}),
    );
    assert_eq!(r.status, 429);
}

#[test]
fn http_control_api() {
    let sb = sandbox();
    let addr = sb.local_addr();
    let inject = |body: serde_json::Value| {
        send(
            addr,
            "POST",
            "/_sandbox/faults",
            &[],
            body.to_string().as_bytes(),
        )
    };
    let r = inject(
        json!({"route": "telesign.sms", "fault": {"kind": "telesign_status", "code": 503}, "count": 1}),
    );
    assert_eq!(r.status, 204);
    let ts = TeleSign {
        sandbox: &sb,
        hmac: true,
    };
    assert_eq!(ts.send_sms("15555550100").json()["status"]["code"], 503);
    assert_eq!(ts.send_sms("15555550100").json()["status"]["code"], 290);
    assert_eq!(
        inject(json!({"route": "*", "fault": {"kind": "delay", "ms": 10}, "count": 3})).status,
        204
    );
    assert_eq!(
        inject(json!({"route": "nowhere", "fault": {"kind": "html_503"}})).status,
        400
    );
    assert_eq!(
        inject(json!({"route": "*", "fault": {"kind": "explode"}})).status,
        400
    );
    assert_eq!(
        inject(json!({"route": "*", "fault": {"kind": "html_503"}, "count": 9})).status,
        204
    );
    assert_eq!(
        send(addr, "DELETE", "/_sandbox/faults", &[], b"").status,
        204
    );
    assert_eq!(ts.send_sms("15555550101").status, 200);
    for kind in [
        json!({"kind": "close_before"}),
        json!({"kind": "close_after"}),
        json!({"kind": "truncate_body"}),
        json!({"kind": "huge_body", "bytes": 100}),
    ] {
        assert_eq!(
            inject(json!({"route": "dotdigital.validate", "fault": kind})).status,
            204
        );
    }
    assert_eq!(
        send(addr, "DELETE", "/_sandbox/faults", &[], b"").status,
        204
    );
}

#[test]
fn pending_faults_are_bounded() {
    let sb = sandbox();
    let addr = sb.local_addr();
    let delay = |n: usize| Fault::Delay(Duration::from_millis(u64::try_from(n).unwrap()));
    // Fill all but one entry through the library (distinct faults, so nothing merges) ...
    for n in 0..MAX_PENDING_FAULTS - 1 {
        sb.try_inject(Route::DotdigitalValidate, delay(n), 1)
            .unwrap();
    }
    let inject = |body: serde_json::Value| {
        send(
            addr,
            "POST",
            "/_sandbox/faults",
            &[],
            body.to_string().as_bytes(),
        )
    };
    // ... then over HTTP: the last entry is accepted, the next refused with a JSON error.
    let last = json!({"route": "telesign.sms", "fault": {"kind": "html_503"}, "count": 2});
    assert_eq!(inject(last.clone()).status, 204);
    let r = inject(json!({"route": "telesign.sms", "fault": {"kind": "close_before"}}));
    assert_eq!(r.status, 400);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let j = r.json();
    assert_eq!(j["limit"], MAX_PENDING_FAULTS);
    assert!(
        j["error"]
            .as_str()
            .unwrap()
            .contains("too many pending faults"),
        "{j}"
    );
    // The same fault as the latest pending one only adds to its count.
    assert_eq!(inject(last).status, 204);
    assert_eq!(
        sb.try_inject(Route::Any, Fault::TruncateBody, 1),
        Err(TooManyFaults {
            limit: MAX_PENDING_FAULTS
        })
    );
    // The refusals changed nothing: the html_503 fault answers four times, then it is spent.
    let ts = TeleSign {
        sandbox: &sb,
        hmac: false,
    };
    for _ in 0..4 {
        assert_eq!(ts.send_sms("15555550100").status, 503);
    }
    assert_eq!(ts.send_sms("15555550100").status, 200);
    // A consumed entry makes room again; clearing empties the list.
    assert_eq!(
        inject(json!({"route": "telesign.sms", "fault": {"kind": "close_before"}})).status,
        204
    );
    assert_eq!(
        send(addr, "DELETE", "/_sandbox/faults", &[], b"").status,
        204
    );
    for n in 0..MAX_PENDING_FAULTS {
        sb.try_inject(Route::DotdigitalValidate, delay(n), 1)
            .unwrap();
    }
    assert_eq!(
        inject(json!({"route": "*", "fault": {"kind": "html_503"}})).status,
        400
    );
}
