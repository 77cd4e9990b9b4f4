//! A global `log` logger at `trace` (rustls logs through `log`; hyper-util
//! and h2 log through `tracing`, which the conformance suite's secrets
//! scenario captures): through [`LOG_FILTER_DIRECTIVES`] no record holds a
//! secret. A global logger is per process: this test has its binary to
//! itself.

use verify_conformance::{BuildClient, Harness};
use verify_hyper::{Client, Error, LOG_FILTER_DIRECTIVES, Operation, Settings};

struct Hyper {
    runtime: tokio::runtime::Runtime,
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
}

#[test]
fn a_global_trace_logger_sees_no_secret_through_the_filter() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    verify_conformance::global_log::http_stack_logs_carry_no_secrets(
        &Hyper { runtime },
        LOG_FILTER_DIRECTIVES,
    );
}
