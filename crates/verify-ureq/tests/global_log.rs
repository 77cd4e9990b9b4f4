//! A global `log` logger at `trace` sees ureq's and ureq-proto's records;
//! through [`LOG_FILTER_DIRECTIVES`] none of them holds a secret. A global
//! logger is per process: this test has its binary to itself.

use verify_conformance::{BuildClient, Harness};
use verify_ureq::{Client, Error, LOG_FILTER_DIRECTIVES, Operation, Settings};

struct Ureq;

impl Harness for Ureq {
    type Client = Client;

    fn client(&self, settings: Settings) -> Client {
        <Client as BuildClient>::build(settings)
    }

    fn execute<O: Operation + Sync>(&self, client: &Client, op: &O) -> Result<O::Output, Error>
    where
        O::Output: Send,
    {
        client.execute(op)
    }
}

#[test]
fn a_global_trace_logger_sees_no_secret_through_the_filter() {
    let records = verify_conformance::global_log::http_stack_logs_carry_no_secrets(
        &Ureq,
        LOG_FILTER_DIRECTIVES,
    );
    // The logger did hear the HTTP stack: the byte dumps the filter hides.
    assert!(
        records.iter().any(|r| r.target.starts_with("ureq_proto")),
        "no ureq-proto record reached the logger"
    );
    assert!(
        records
            .iter()
            .any(|r| !verify_conformance::global_log::passes(LOG_FILTER_DIRECTIVES, r)),
        "the filter hid nothing"
    );
}
