//! The whole conformance suite over the async adapter: flows, every fault
//! mode, limits, failover, never-twice and secrets, against the sandbox on
//! loopback.

use verify_conformance::{BuildClient, Harness};
use verify_hyper::{Client, Error, Operation, Settings};

/// The async adapter on a runtime of its own: each call blocks the
/// scenario's thread until it ends. The call's own future runs on that
/// thread (so its `tracing` output is captured there); connections run on
/// the runtime's workers.
struct Hyper {
    runtime: tokio::runtime::Runtime,
}

impl Hyper {
    fn new() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        Self { runtime }
    }
}

impl Harness for Hyper {
    type Client = Client;

    fn client(&self, settings: Settings) -> Client {
        <Client as BuildClient>::build(settings).expect("a client")
    }

    fn execute<O: Operation + Sync>(&self, client: &Client, op: &O) -> Result<O::Output, Error>
    where
        O::Output: Send,
    {
        self.runtime.block_on(client.execute(op))
    }

    /// Each attempt is a `verify` span with the redacted request.
    fn traces_attempts(&self) -> bool {
        true
    }
}

verify_conformance::conformance_tests!(Hyper::new());
