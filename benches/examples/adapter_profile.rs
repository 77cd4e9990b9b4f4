//! One client's status queries against the in-process sandbox, for a
//! profiler (`valgrind --tool=callgrind`) and for the counting allocator:
//! allocations and bytes per call of the measured calls (every thread, the
//! sandbox's too, which does the same work for every client).
//!
//! ```sh
//! cargo build --release -p verify-benches --example adapter_profile
//! target/release/examples/adapter_profile verify 20000 16   # allocations per call
//! valgrind --tool=callgrind --separate-threads=yes \
//!     target/release/examples/adapter_profile fair 3000 16  # the client is thread 1
//! target/release/examples/adapter_profile verify 1 1 --sizes
//! ```
//!
//! Clients: `verify` (verify-hyper keeping 64 idle connections), `fair`
//! and `bare` (bare hyper, as in the interleaved bench), on a current-thread
//! runtime so that the client's instructions are one thread's; `ureq` and
//! `fair_ureq`, one call at a time on the main thread. A warm-up of a
//! quarter of the calls runs first. `--sizes` prints the size of
//! verify-hyper's call future (what each call in flight keeps on the heap),
//! the fair baseline's, and the driver's types.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use verify_benches::e2e;

struct Counting;
static ALLOCS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards to the system allocator, counting.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        BYTES.fetch_add(layout.size() as u64, Relaxed);
        // SAFETY: the caller's layout, as given.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: allocated above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        BYTES.fetch_add(new as u64, Relaxed);
        // SAFETY: as given.
        unsafe { System.realloc(ptr, layout, new) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args.first().map_or("verify", String::as_str).to_owned();
    let n: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(2000);
    let in_flight: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(1);
    let f = Arc::new(e2e::fixture());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let op = Arc::new(f.status_query());
    let bare = e2e::bare_hyper();
    let client = f.hyper_client_pooled(64);
    let ureq_client = f.ureq_client();
    let agent = e2e::bare_ureq();
    let sequential = |n: u64, call: &dyn Fn()| {
        let start = std::time::Instant::now();
        for _ in 0..n {
            call();
        }
        start.elapsed()
    };
    if args.iter().any(|a| a == "--sizes") {
        let call = client.execute(&*op);
        println!(
            "verify-hyper execute future: {} bytes",
            std::mem::size_of_val(&call)
        );
        let fair = e2e::fair_hyper_get(&bare, &f);
        println!(
            "fair baseline future: {} bytes",
            std::mem::size_of_val(&fair)
        );
        type Status = verify_core::telesign::GetStatus;
        println!(
            "Execution {} Attempt {} Error {} ErrorKind {} Request {} Response<Bytes> {}",
            std::mem::size_of::<verify_core::driver::Execution<'static, Status>>(),
            std::mem::size_of::<verify_core::driver::Attempt<'static, Status>>(),
            std::mem::size_of::<verify_core::driver::Error>(),
            std::mem::size_of::<verify_core::driver::ErrorKind>(),
            std::mem::size_of::<http::Request<Vec<u8>>>(),
            std::mem::size_of::<http::Response<bytes::Bytes>>(),
        );
        return;
    }
    let run = |n: u64| match mode.as_str() {
        "verify" => e2e::verify_hyper_concurrent(&rt, &client, &op, n, in_flight),
        "fair" => e2e::fair_hyper_concurrent(&rt, &bare, &f, n, in_flight),
        "bare" => e2e::bare_hyper_concurrent(&rt, &bare, &f, n, in_flight),
        "ureq" => sequential(n, &|| e2e::verify_ureq_status(&ureq_client, &op)),
        "fair_ureq" => sequential(n, &|| e2e::fair_ureq_get(&agent, &f)),
        other => panic!("unknown client {other}"),
    };
    run(n / 4 + in_flight);
    let (a, b) = (ALLOCS.load(Relaxed), BYTES.load(Relaxed));
    let took = run(n);
    let (a, b) = (ALLOCS.load(Relaxed) - a, BYTES.load(Relaxed) - b);
    println!(
        "{mode} x{n} ({in_flight} in flight): {:.1} allocations/call, {:.0} bytes/call, {:.1} us/call",
        a as f64 / n as f64,
        b as f64 / n as f64,
        took.as_secs_f64() * 1e6 / n as f64
    );
}
