//! End to end against the sandbox on loopback: the fixture, the adapters'
//! calls, and the bare clients they are compared with (`end_to_end` and
//! `interleaved` benchmarks).
//!
//! The endpoint is TeleSign's status query (`GET /v1/verify/{reference_id}`)
//! for a verification sent once at setup, with Basic authentication: the
//! bare clients send a fixed request (the same headers the core builds,
//! built once at setup, so the sandbox does the same work for both) and the
//! adapters build, authenticate and parse every request through the core.
//!
//! Two baselines: *bare* (the request built once at setup, so the adapter is
//! charged with all of the core's per-call work besides its own glue) and
//! *fair* (what a user writes by hand around the bare client: per call,
//! build the request with [`floor::TeleSignBasic`], date it afresh, draw a
//! nonce as a signing client does, and read the answer into the floor's
//! [`floor::TeleSignAnswer`]).

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as PooledClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use verify_core::telesign::{self, AuthMethod, GetStatus, ReferenceId, SendSms};
use verify_core::{BaseUrl, Code, Operation};
use verify_sandbox::{Sandbox, SandboxConfig};

use crate::floor;

/// A sandbox with one verification to query, and the query's prebuilt headers.
pub struct Fixture {
    /// The sandbox, on its own runtime.
    pub sandbox: Sandbox,
    config: telesign::Config,
    reference_id: ReferenceId,
    /// The status query's URL.
    pub url: String,
    /// The status query's headers, as the core builds them.
    pub headers: http::HeaderMap,
    /// The fair baseline's request builder.
    pub fair: floor::TeleSignBasic,
}

/// Starts the sandbox and sends one SMS to query.
pub fn fixture() -> Fixture {
    fixture_with(SandboxConfig::deterministic(7))
}

/// [`fixture`] with the sandbox's other settings from `config` (its rate
/// limits lifted, its address a free loopback port).
pub fn fixture_with(config: SandboxConfig) -> Fixture {
    let sandbox = Sandbox::spawn(
        config
            .with_rate_limits(u32::MAX, u32::MAX)
            .with_listen("127.0.0.1:0".parse().expect("an address")),
    )
    .expect("the sandbox starts");
    let cfg = sandbox.config();
    let fair = floor::TeleSignBasic::new(
        &cfg.telesign_customer_id,
        &cfg.telesign_api_key,
        &sandbox.base_url(),
    );
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
        .expect("the sample settings sign");
    let headers = request.headers().clone();
    Fixture {
        sandbox,
        config,
        reference_id,
        url,
        headers,
        fair,
    }
}

impl Fixture {
    /// The status query the adapters run.
    pub fn status_query(&self) -> GetStatus {
        GetStatus::new(self.reference_id)
    }

    /// A verify-ureq client for the sandbox.
    pub fn ureq_client(&self) -> verify_ureq::Client {
        verify_ureq::Client::new(self.config.clone())
    }

    /// A verify-hyper client for the sandbox.
    pub fn hyper_client(&self) -> verify_hyper::Client {
        verify_hyper::Client::builder(self.config.clone())
            .build()
            .expect("a client")
    }

    /// A verify-hyper client that keeps up to `idle` idle connections (the
    /// bare client keeps every one), so that both reuse their connections
    /// at `idle` calls in flight.
    pub fn hyper_client_pooled(&self, idle: usize) -> verify_hyper::Client {
        verify_hyper::Client::builder(self.config.clone())
            .max_idle_per_host(idle)
            .build()
            .expect("a client")
    }

    /// The status query's reference id.
    pub fn reference_id(&self) -> &str {
        self.reference_id.as_str()
    }

    /// The fair baseline's request: built, dated now, with a nonce drawn
    /// (Basic sends none, but a signing client draws one per attempt).
    pub fn fair_request(&self) -> http::Request<Vec<u8>> {
        let nonce = verify_core::driver::nonce(rand::random());
        std::hint::black_box(&nonce);
        self.fair
            .status(self.reference_id.as_str(), SystemTime::now())
    }
}

/// Reads a status answer as the fair baseline does: the floor's borrowed
/// struct, its status code checked.
fn fair_answer(body: &[u8]) {
    let answer = floor::TeleSign::answer(body);
    assert!(answer.status.code < 400, "a status answer");
    std::hint::black_box(answer);
}

/// One status query through verify-ureq.
pub fn verify_ureq_status(client: &verify_ureq::Client, op: &GetStatus) {
    std::hint::black_box(client.execute(op).expect("a status"));
}

/// One status query through verify-hyper.
pub async fn verify_hyper_status(client: &verify_hyper::Client, op: &GetStatus) {
    std::hint::black_box(client.execute(op).await.expect("a status"));
}

/// A bare pooled hyper client.
pub type BareHyper = PooledClient<HttpConnector, Full<Bytes>>;

/// A bare hyper client with hyper-util's defaults.
pub fn bare_hyper() -> BareHyper {
    PooledClient::builder(TokioExecutor::new()).build_http()
}

/// A bare ureq agent that reads error bodies (as verify-ureq does).
pub fn bare_ureq() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// The prebuilt status query through a bare hyper client; the body's length.
pub async fn bare_hyper_get(client: &BareHyper, f: &Fixture) -> usize {
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

/// The prebuilt status query through a bare ureq agent; the body's length.
pub fn bare_ureq_get(agent: &ureq::Agent, f: &Fixture) -> usize {
    let mut request = http::Request::get(f.url.as_str())
        .body(())
        .expect("a valid request");
    *request.headers_mut() = f.headers.clone();
    let mut response = agent.run(request).expect("the sandbox answers");
    assert!(response.status().is_success());
    response.body_mut().read_to_vec().expect("a body").len()
}

/// The fair baseline through a bare hyper client: built, dated, sent, read.
pub async fn fair_hyper_get(client: &BareHyper, f: &Fixture) {
    let request = f.fair_request().map(|b| Full::new(Bytes::from(b)));
    let response = client.request(request).await.expect("the sandbox answers");
    assert!(response.status().is_success());
    let body = response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes();
    fair_answer(&body);
}

/// The fair baseline through a bare ureq agent: built, dated, sent, read.
pub fn fair_ureq_get(agent: &ureq::Agent, f: &Fixture) {
    let mut response = agent.run(f.fair_request()).expect("the sandbox answers");
    assert!(response.status().is_success());
    let body = response.body_mut().read_to_vec().expect("a body");
    fair_answer(&body);
}

/// A 2-worker tokio runtime, as the end-to-end benchmarks use.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

/// Runs `iters` calls of `call` with `in_flight` of them at a time (each of
/// `in_flight` tasks runs its share in a loop), and returns the wall time.
pub fn concurrent<F, Fut>(
    rt: &tokio::runtime::Runtime,
    iters: u64,
    in_flight: u64,
    call: F,
) -> Duration
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

/// `iters` status queries through verify-hyper, `in_flight` at a time.
pub fn verify_hyper_concurrent(
    rt: &tokio::runtime::Runtime,
    client: &verify_hyper::Client,
    op: &Arc<GetStatus>,
    iters: u64,
    in_flight: u64,
) -> Duration {
    let (client, op) = (client.clone(), op.clone());
    concurrent(rt, iters, in_flight, move || {
        let (client, op) = (client.clone(), op.clone());
        async move { verify_hyper_status(&client, &op).await }
    })
}

/// `iters` prebuilt status queries through bare hyper, `in_flight` at a time.
pub fn bare_hyper_concurrent(
    rt: &tokio::runtime::Runtime,
    client: &BareHyper,
    f: &Arc<Fixture>,
    iters: u64,
    in_flight: u64,
) -> Duration {
    let (client, f) = (client.clone(), f.clone());
    concurrent(rt, iters, in_flight, move || {
        let (client, f) = (client.clone(), f.clone());
        async move {
            std::hint::black_box(bare_hyper_get(&client, &f).await);
        }
    })
}

/// `iters` fair-baseline status queries through bare hyper, `in_flight` at a time.
pub fn fair_hyper_concurrent(
    rt: &tokio::runtime::Runtime,
    client: &BareHyper,
    f: &Arc<Fixture>,
    iters: u64,
    in_flight: u64,
) -> Duration {
    let (client, f) = (client.clone(), f.clone());
    concurrent(rt, iters, in_flight, move || {
        let (client, f) = (client.clone(), f.clone());
        async move { fair_hyper_get(&client, &f).await }
    })
}
