//! The two adapters the demo runs every flow through, behind one blocking
//! `execute`, with short retries so that the retry steps take milliseconds.

use std::time::Duration;

use verify_ureq::{Error, Operation, ProviderConfig, RetryPolicy};

use super::report::Report;

/// Short retries, so that the retry steps take milliseconds.
pub fn demo_retry_policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
    }
}

/// Which adapter a section runs through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdapterKind {
    /// verify-ureq.
    Blocking,
    /// verify-hyper, on a current-thread tokio runtime.
    Async,
}

impl AdapterKind {
    /// The adapter's name in section titles.
    pub fn label(self) -> &'static str {
        match self {
            Self::Blocking => "blocking adapter (verify-ureq)",
            Self::Async => "async adapter (verify-hyper)",
        }
    }
}

/// A client of either adapter, behind one blocking `execute`. Both are
/// boxed: their sizes differ widely, and change with the adapters.
pub enum Adapter {
    /// A verify-ureq client.
    Blocking(Box<verify_ureq::Client>),
    /// A verify-hyper client and the runtime that drives it.
    Async(Box<AsyncClient>),
}

/// A verify-hyper client on its own current-thread tokio runtime.
pub struct AsyncClient {
    runtime: tokio::runtime::Runtime,
    client: verify_hyper::Client,
}

impl Adapter {
    /// A client of `kind` for `primary`, and `backup` when given, with the
    /// demo's short retries.
    fn build(
        kind: AdapterKind,
        primary: &ProviderConfig,
        backup: Option<&ProviderConfig>,
    ) -> Result<Self, String> {
        match kind {
            AdapterKind::Blocking => {
                // The demo stays on loopback: no proxy of the environment.
                let mut builder = verify_ureq::Client::builder(primary.clone())
                    .retry_policy(demo_retry_policy())
                    .proxy_from_env(false);
                if let Some(b) = backup {
                    builder = builder.backup(b.clone());
                }
                Ok(Self::Blocking(Box::new(builder.build())))
            }
            AdapterKind::Async => {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| format!("could not start a tokio runtime: {e}"))?;
                let mut builder = verify_hyper::Client::builder(primary.clone())
                    .retry_policy(demo_retry_policy())
                    .proxy_from_env(false);
                if let Some(b) = backup {
                    builder = builder.backup(b.clone());
                }
                let client = builder
                    .build()
                    .map_err(|e| format!("could not build the hyper client: {e}"))?;
                Ok(Self::Async(Box::new(AsyncClient { runtime, client })))
            }
        }
    }

    /// Runs `op` to its end, whichever the adapter.
    pub fn execute<O>(&self, op: &O) -> Result<O::Output, Error>
    where
        O: Operation + Sync,
        O::Output: Send,
    {
        match self {
            Self::Blocking(client) => client.execute(op),
            Self::Async(a) => a.runtime.block_on(a.client.execute(op)),
        }
    }
}

/// Builds an adapter for a section, recording a failed step when it cannot.
pub fn adapter(
    report: &mut Report,
    kind: AdapterKind,
    primary: &ProviderConfig,
    backup: Option<&ProviderConfig>,
) -> Option<Adapter> {
    match Adapter::build(kind, primary, backup) {
        Ok(a) => Some(a),
        Err(why) => {
            report.record(
                format!("build the {} client", kind.label()),
                false,
                Duration::ZERO,
                why,
            );
            None
        }
    }
}
