//! The whole conformance suite over the blocking adapter: flows, every
//! fault mode, limits, failover, never-twice and secrets, against the
//! sandbox on loopback.

use verify_conformance::{BuildClient, Harness};
use verify_ureq::{Client, Error, Operation, Settings};

/// The blocking adapter needs no runtime: calls run on the scenario's
/// thread.
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

    /// Each attempt is a `verify` span with the redacted request.
    fn traces_attempts(&self) -> bool {
        true
    }
}

verify_conformance::conformance_tests!(Ureq);
