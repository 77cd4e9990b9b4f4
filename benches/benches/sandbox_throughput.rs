//! Requests per second the sandbox serves on loopback, driven by a pooled hyper client
//! with 64 requests in flight: TeleSign status queries and SMS sends, with Basic and
//! HMAC authentication. Criterion's `elem/s` is requests per second.
//!
//! ```sh
//! cargo bench -p verify-benches --bench sandbox_throughput -- --warm-up-time 1 --measurement-time 3
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hmac::{Hmac, Mac};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use sha2::Sha256;
use verify_sandbox::{Sandbox, SandboxConfig};

const IN_FLIGHT: u64 = 64;
const FORM: &str = "application/x-www-form-urlencoded";

#[derive(Clone, Copy)]
enum Auth {
    Basic,
    Hmac,
}

struct Target {
    base: String,
    customer_id: String,
    api_key: String,
    key_bytes: Vec<u8>,
    basic: String,
    reference_id: String,
}

impl Target {
    fn request(
        &self,
        method: &str,
        path: &str,
        body: &'static str,
        auth: Auth,
    ) -> hyper::Request<Full<Bytes>> {
        let mut b = hyper::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        let content_type = if body.is_empty() { "" } else { FORM };
        if !content_type.is_empty() {
            b = b.header("content-type", content_type);
        }
        match auth {
            Auth::Basic => b = b.header("authorization", &self.basic),
            Auth::Hmac => {
                let date = httpdate::fmt_http_date(SystemTime::now());
                let nonce = uuid::Uuid::new_v4().to_string();
                let mut s = format!(
                    "{method}\n{content_type}\n{date}\nx-ts-auth-method:HMAC-SHA256\nx-ts-nonce:{nonce}"
                );
                if !body.is_empty() {
                    s.push('\n');
                    s.push_str(body);
                }
                s.push('\n');
                s.push_str(path);
                let mut mac =
                    Hmac::<Sha256>::new_from_slice(&self.key_bytes).expect("any key length");
                mac.update(s.as_bytes());
                let sig = STANDARD.encode(mac.finalize().into_bytes());
                b = b
                    .header("authorization", format!("TSA {}:{sig}", self.customer_id))
                    .header("date", date)
                    .header("x-ts-auth-method", "HMAC-SHA256")
                    .header("x-ts-nonce", nonce);
            }
        }
        b.body(Full::new(Bytes::from_static(body.as_bytes())))
            .expect("valid request")
    }
}

fn bench(c: &mut Criterion) {
    let sandbox = Sandbox::spawn(SandboxConfig::default()).expect("sandbox starts");
    let cfg = sandbox.config();
    let mut target = Target {
        base: sandbox.base_url(),
        customer_id: cfg.telesign_customer_id.clone(),
        api_key: cfg.telesign_api_key.clone(),
        key_bytes: STANDARD
            .decode(&cfg.telesign_api_key)
            .expect("generated keys are base64"),
        basic: format!(
            "Basic {}",
            STANDARD.encode(format!(
                "{}:{}",
                cfg.telesign_customer_id, cfg.telesign_api_key
            ))
        ),
        reference_id: String::new(),
    };
    let _ = &target.api_key;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let client: Client<HttpConnector, Full<Bytes>> = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(IN_FLIGHT as usize)
        .build_http();
    target.reference_id = runtime.block_on(async {
        let resp = client
            .request(target.request(
                "POST",
                "/v1/verify/sms",
                "phone_number=15555550100",
                Auth::Basic,
            ))
            .await
            .expect("send");
        let body = resp.into_body().collect().await.expect("body").to_bytes();
        let v: serde_json::Value = serde_json::from_slice(&body).expect("json");
        v["reference_id"].as_str().expect("reference_id").to_owned()
    });
    let target = Arc::new(target);
    let status_path = format!("/v1/verify/{}", target.reference_id);
    let status_path: &'static str = Box::leak(status_path.into_boxed_str());

    let mut group = c.benchmark_group("sandbox_throughput");
    group.throughput(Throughput::Elements(1));
    let cases: [(&str, &str, &'static str, &'static str, Auth); 4] = [
        ("status_basic", "GET", status_path, "", Auth::Basic),
        ("status_hmac", "GET", status_path, "", Auth::Hmac),
        (
            "send_sms_basic",
            "POST",
            "/v1/verify/sms",
            "phone_number=15555550100",
            Auth::Basic,
        ),
        (
            "send_sms_hmac",
            "POST",
            "/v1/verify/sms",
            "phone_number=15555550100",
            Auth::Hmac,
        ),
    ];
    for (name, method, path, body, auth) in cases {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let client = client.clone();
                let target = target.clone();
                runtime.block_on(async move {
                    let start = Instant::now();
                    let mut tasks = Vec::new();
                    for lane in 0..IN_FLIGHT {
                        let n = iters / IN_FLIGHT + u64::from(lane < iters % IN_FLIGHT);
                        let (client, target) = (client.clone(), target.clone());
                        tasks.push(tokio::spawn(async move {
                            for _ in 0..n {
                                let resp = client
                                    .request(target.request(method, path, body, auth))
                                    .await
                                    .expect("request");
                                assert_eq!(resp.status(), 200);
                                let _ = resp.into_body().collect().await.expect("body");
                            }
                        }));
                    }
                    for t in tasks {
                        t.await.expect("lane");
                    }
                    start.elapsed()
                })
            });
        });
    }
    group.finish();
    drop(sandbox);
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
