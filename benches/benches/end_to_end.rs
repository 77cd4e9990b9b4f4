//! End to end against the sandbox on loopback: the adapters, and beside
//! them in the same run a bare hyper client and a bare ureq agent hitting the
//! same endpoint with hand-built requests, so each adapter's overhead reads
//! as a ratio.
//!
//! The endpoint is TeleSign's status query (`GET /v1/verify/{reference_id}`)
//! for a verification sent once at setup, with Basic authentication: the
//! bare clients send a fixed request (the same headers the core builds,
//! built once at setup, so the sandbox does the same work for both) and the
//! adapters build, authenticate and parse every request through the core.
//!
//! Targets: verify-ureq sequential at least 90% of bare ureq's requests per
//! second; verify-hyper at 64 in flight at least 80% of bare hyper's.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as PooledClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use verify_core::telesign::{self, AuthMethod, GetStatus, ReferenceId, SendSms};
use verify_core::{BaseUrl, Code, Operation};
use verify_sandbox::{Sandbox, SandboxConfig};

struct Fixture {
    sandbox: Sandbox,
    config: telesign::Config,
    reference_id: ReferenceId,
    url: String,
    headers: http::HeaderMap,
}

fn fixture() -> Fixture {
    let sandbox = Sandbox::spawn(
        SandboxConfig::deterministic(7)
            .with_rate_limits(u32::MAX, u32::MAX)
            .with_listen("127.0.0.1:0".parse().expect("an address")),
    )
    .expect("the sandbox starts");
    let cfg = sandbox.config();
    let credentials = telesign::Credentials::new(
        cfg.telesign_customer_id.clone(),
        cfg.telesign_api_key.clone(),
    )
    .expect("sandbox credentials are valid");
    let base = BaseUrl::allow_plain_http(&sandbox.base_url()).expect("a loopback URL");
    let config = telesign::Config::new(credentials)
        .with_base_url(base)
        .with_auth_method(AuthMethod::Basic);
    let sent = verify_ureq::Client::new(config.clone())
        .execute(&SendSms::new("15555550100").verify_code(Code::new("12345")))
        .expect("the sandbox accepts the send");
    let reference_id = sent.reference_id;
    let url = format!("{}/v1/verify/{}", sandbox.base_url(), reference_id.as_str());
    let provider = verify_core::ProviderConfig::from(config.clone());
    let mut request = GetStatus::new(reference_id)
        .to_request(&provider, verify_core::Role::Primary)
        .expect("a valid request");
    provider
        .authorize(&mut request, std::time::SystemTime::now(), "bench")
        .expect("signable");
    let headers = request.headers().clone();
    Fixture {
        sandbox,
        config,
        reference_id,
        url,
        headers,
    }
}

type BareHyper = PooledClient<HttpConnector, Full<Bytes>>;

async fn bare_hyper_get(client: &BareHyper, f: &Fixture) -> usize {
    let mut request = http::Request::get(f.url.as_str())
        .body(Full::new(Bytes::new()))
        .expect("a valid request");
    *request.headers_mut() = f.headers.clone();
    let response = client.request(request).await.expect("the sandbox answers");
    assert!(response.status().is_success());
    let body = response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes();
    body.len()
}

fn bare_ureq_get(agent: &ureq::Agent, f: &Fixture) -> usize {
    let mut request = http::Request::get(f.url.as_str())
        .body(())
        .expect("a valid request");
    *request.headers_mut() = f.headers.clone();
    let mut response = agent.run(request).expect("the sandbox answers");
    assert!(response.status().is_success());
    response.body_mut().read_to_vec().expect("a body").len()
}

/// Runs `iters` calls of `call` with `in_flight` of them at a time (each of
/// `in_flight` tasks runs its share in a loop), and returns the wall time.
fn concurrent<F, Fut>(rt: &tokio::runtime::Runtime, iters: u64, in_flight: u64, call: F) -> Duration
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    rt.block_on(async move {
        let start = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for t in 0..in_flight {
            let share = iters / in_flight + u64::from(t < iters % in_flight);
            let call = call.clone();
            tasks.spawn(async move {
                for _ in 0..share {
                    call().await;
                }
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.expect("a benchmark task panicked");
        }
        start.elapsed()
    })
}

fn end_to_end(c: &mut Criterion) {
    let f = Arc::new(fixture());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let op = Arc::new(GetStatus::new(f.reference_id));

    let mut g = c.benchmark_group("sequential");
    g.throughput(Throughput::Elements(1));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    g.bench_function("bare_ureq", |b| {
        b.iter(|| black_box(bare_ureq_get(&agent, &f)))
    });
    let ureq_client = verify_ureq::Client::new(f.config.clone());
    g.bench_function("verify_ureq", |b| {
        b.iter(|| black_box(ureq_client.execute(op.as_ref()).expect("a status")))
    });
    let bare: BareHyper = PooledClient::builder(TokioExecutor::new()).build_http();
    g.bench_function("bare_hyper", |b| {
        b.iter(|| rt.block_on(async { black_box(bare_hyper_get(&bare, &f).await) }))
    });
    let hyper_client = verify_hyper::Client::builder(f.config.clone())
        .build()
        .expect("a client");
    g.bench_function("verify_hyper", |b| {
        b.iter(|| {
            rt.block_on(async {
                black_box(hyper_client.execute(op.as_ref()).await.expect("a status"))
            })
        })
    });
    g.finish();

    let mut g = c.benchmark_group("in_flight");
    g.throughput(Throughput::Elements(1));
    for n in [1u64, 16, 64] {
        g.bench_function(format!("bare_hyper/{n}"), |b| {
            b.iter_custom(|iters| {
                let (bare, f) = (bare.clone(), f.clone());
                concurrent(&rt, iters, n, move || {
                    let (bare, f) = (bare.clone(), f.clone());
                    async move {
                        black_box(bare_hyper_get(&bare, &f).await);
                    }
                })
            })
        });
        g.bench_function(format!("verify_hyper/{n}"), |b| {
            b.iter_custom(|iters| {
                let (client, op) = (hyper_client.clone(), op.clone());
                concurrent(&rt, iters, n, move || {
                    let (client, op) = (client.clone(), op.clone());
                    async move {
                        black_box(client.execute(op.as_ref()).await.expect("a status"));
                    }
                })
            })
        });
    }
    g.finish();
    drop(rt);
    if let Ok(f) = Arc::try_unwrap(f) {
        f.sandbox.shutdown_blocking();
    }
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(30)
}

criterion_group! {
    name = benches;
    config = config();
    targets = end_to_end
}
criterion_main!(benches);
