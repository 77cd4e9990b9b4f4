//! The conformance suite over the hand-written transport of
//! `examples/custom_transport.rs`: a transport of your own is held to the
//! same scenarios as `verify-ureq` and `verify-hyper`.

#[path = "../examples/custom_transport.rs"]
#[allow(dead_code)] // its `main` runs only as the example
mod example;

use verify_conformance::Harness;
use verify_core::Operation;
use verify_core::driver::{Client, Error, Settings};

/// The example's transport under the core's blocking client.
struct Custom;

impl Harness for Custom {
    type Client = Client<example::Tcp>;

    fn client(&self, settings: Settings) -> Self::Client {
        Client::new(settings, example::Tcp)
    }

    fn execute<O: Operation + Sync>(
        &self,
        client: &Self::Client,
        op: &O,
    ) -> Result<O::Output, Error>
    where
        O::Output: Send,
    {
        client.execute(op)
    }
}

verify_conformance::conformance_tests!(Custom, skip: [
    // The example speaks plain HTTP only: it refuses an https:// URL before
    // connecting (a configuration error, nothing sent), so there is no TLS
    // handshake to stall.
    a_stalled_tls_handshake_is_a_connect_failure_with_nothing_sent,
    a_stalled_tls_handshake_with_little_time_left_fails_over,
    // The example connects directly: it does not implement the proxy
    // setting (the shipped adapters do).
    a_flow_goes_through_the_proxy,
    a_proxy_that_is_down_is_nothing_sent,
    a_refused_connect_is_nothing_sent,
    a_proxy_closing_mid_answer_may_have_sent,
    a_stalled_proxy_connect_with_little_time_left_fails_over,
    unusable_proxy_settings_are_refused_before_any_io,
]);
