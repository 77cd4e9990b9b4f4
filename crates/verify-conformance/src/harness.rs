//! What the suite needs from a transport: a client built from settings, and
//! a way to run an operation on it to the end.

use verify_core::Operation;
use verify_core::driver::{Error, Settings};

/// A transport under test, as the scenarios drive it.
///
/// Every scenario is a plain function over a `Harness`, so one suite runs
/// against a blocking transport, an async one (whose harness blocks on a
/// runtime it owns) or a hand-written one. The scenarios build the
/// [`Settings`] (providers, short time limits, fast retries); the harness
/// turns them into its client and runs operations on it.
///
/// ```ignore
/// struct Ureq;
///
/// impl verify_conformance::Harness for Ureq {
///     type Client = verify_ureq::Client;
///
///     fn client(&self, settings: Settings) -> verify_ureq::Client {
///         <verify_ureq::Client as BuildClient>::build(settings)
///     }
///
///     fn execute<O: Operation + Sync>(&self, client: &Self::Client, op: &O)
///         -> Result<O::Output, Error>
///     where
///         O::Output: Send,
///     {
///         client.execute(op)
///     }
///
///     fn traces_attempts(&self) -> bool {
///         true
///     }
/// }
///
/// verify_conformance::conformance_tests!(Ureq);
/// ```
///
/// A harness and its clients are shared between threads: one scenario runs
/// many calls on one client at once.
pub trait Harness: Sync {
    /// The transport's client.
    type Client: Sync;

    /// A client with exactly these settings.
    fn client(&self, settings: Settings) -> Self::Client;

    /// Runs `op` on `client` and returns how the call ended (an async
    /// transport blocks on its runtime until then).
    ///
    /// Called on the scenario's own thread: what the transport logs through
    /// `tracing` while the call runs on that thread is what the secrets
    /// scenario reads.
    fn execute<O: Operation + Sync>(
        &self,
        client: &Self::Client,
        op: &O,
    ) -> Result<O::Output, Error>
    where
        O::Output: Send;

    /// Whether the transport describes each attempt through `tracing` (a
    /// span with the provider, the attempt number and the redacted
    /// request). When it does, the secrets scenario also checks that those
    /// descriptions are there; whatever a transport logs is always checked
    /// for secrets.
    fn traces_attempts(&self) -> bool {
        false
    }
}
