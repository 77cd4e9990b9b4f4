//! End to end against the sandbox on loopback: the adapters, and beside
//! them in the same run a bare hyper client and a bare ureq agent hitting the
//! same endpoint with hand-built requests, so each adapter's overhead reads
//! as a ratio. The fixture and the calls are in `verify_benches::e2e`.
//!
//! The `interleaved` benchmark measures the same pairs in alternating rounds,
//! which is what the table's verdicts use.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use verify_benches::e2e::{self, Fixture};

fn end_to_end(c: &mut Criterion) {
    let f: Arc<Fixture> = Arc::new(e2e::fixture());
    let rt = e2e::runtime();
    let op = Arc::new(f.status_query());

    let mut g = c.benchmark_group("sequential");
    g.throughput(Throughput::Elements(1));
    let agent = e2e::bare_ureq();
    g.bench_function("bare_ureq", |b| {
        b.iter(|| black_box(e2e::bare_ureq_get(&agent, &f)))
    });
    let ureq_client = f.ureq_client();
    g.bench_function("verify_ureq", |b| {
        b.iter(|| e2e::verify_ureq_status(&ureq_client, &op))
    });
    let bare = e2e::bare_hyper();
    g.bench_function("bare_hyper", |b| {
        b.iter(|| rt.block_on(async { black_box(e2e::bare_hyper_get(&bare, &f).await) }))
    });
    let hyper_client = f.hyper_client();
    g.bench_function("verify_hyper", |b| {
        b.iter(|| rt.block_on(e2e::verify_hyper_status(&hyper_client, &op)))
    });
    g.finish();

    let mut g = c.benchmark_group("in_flight");
    g.throughput(Throughput::Elements(1));
    for n in [1u64, 16, 64] {
        g.bench_function(format!("bare_hyper/{n}"), |b| {
            b.iter_custom(|iters| e2e::bare_hyper_concurrent(&rt, &bare, &f, iters, n))
        });
        g.bench_function(format!("verify_hyper/{n}"), |b| {
            b.iter_custom(|iters| e2e::verify_hyper_concurrent(&rt, &hyper_client, &op, iters, n))
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
