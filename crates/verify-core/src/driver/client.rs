//! The one loop every transport runs: [`Client`] over a blocking
//! [`Transport`], [`AsyncClient`] over an [`AsyncTransport`].

use super::transport::{jitter, nonce};
use super::{AsyncTransport, Error, Event, Execution, Next, Settings, Transport};
use crate::Operation;

/// A blocking client: the settings, and a transport that sends.
///
/// Every guarantee of the library lives here, not in the transport: each
/// attempt validated, built and signed afresh (date and nonce), retried
/// only when that is safe, failed over only when nothing can have been
/// sent (unless opted in), and the whole call held to its time limit.
///
/// ```no_run
/// # use verify_core::driver::{Client, Settings};
/// # fn demo<T: verify_core::driver::Transport>(settings: Settings, transport: T) {
/// let client = Client::new(settings, transport);
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Client<T> {
    settings: Settings,
    transport: T,
}

impl<T> Client<T> {
    /// A client that sends through `transport`.
    pub fn new(settings: Settings, transport: T) -> Self {
        Self {
            settings,
            transport,
        }
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }
}

impl<T: Transport> Client<T> {
    /// Runs `op` and returns its typed result (see [`Execution`] for the
    /// rules).
    pub fn execute<O: Operation>(&self, op: &O) -> Result<O::Output, Error> {
        let t = &self.transport;
        let mut execution = Execution::new(&self.settings, op)?;
        let guard = self.settings.guard.as_deref();
        // The guard's decision counts against the call's limit; a store
        // bounds its own wait (the Redis store's timeout).
        execution.begin(t.now());
        super::guarded::before(guard, op, t.date())?;
        if let Some(error) = execution.out_of_time(t.now()) {
            return Err(error);
        }
        loop {
            let (request, limits, attempt) =
                execution.attempt(t.now(), t.date(), &nonce(t.random()));
            let info = attempt.info();
            let outcome = t.send(request, limits, &info);
            execution = match attempt.finish(outcome, t.now(), jitter(t.random())) {
                Next::Done(output) => {
                    super::guarded::after(guard, op, &output, t.date());
                    return Ok(output);
                }
                Next::Retry {
                    after,
                    execution,
                    reason,
                } => {
                    t.note(Event::Retry {
                        info,
                        reason: &reason,
                        after,
                    });
                    t.sleep(after);
                    execution
                }
                Next::FailOver { execution, error } => {
                    t.note(Event::FailOver { error: &error });
                    execution
                }
                Next::Failed(error) => return Err(error),
            };
        }
    }
}

/// An async client: the settings, and a transport that sends.
///
/// The same guarantees as [`Client`]. `Clone + Send + Sync` when the
/// transport is.
#[derive(Clone, Debug)]
pub struct AsyncClient<T> {
    settings: Settings,
    transport: T,
}

impl<T> AsyncClient<T> {
    /// A client that sends through `transport`.
    pub fn new(settings: Settings, transport: T) -> Self {
        Self {
            settings,
            transport,
        }
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }
}

impl<T: AsyncTransport> AsyncClient<T> {
    /// Runs `op` and returns its typed result (see [`Execution`] for the
    /// rules).
    pub async fn execute<O: Operation + Sync>(&self, op: &O) -> Result<O::Output, Error>
    where
        O::Output: Send,
    {
        let t = &self.transport;
        let mut execution = Execution::new(&self.settings, op)?;
        let guard = self.settings.async_guard.as_deref();
        // The guard's decision counts against the call's limit, and is
        // abandoned when the limit runs out: nothing was sent.
        let time_left = execution.begin(t.now());
        let decided = super::guarded::before_async(guard, op, t.date());
        match within(decided, t.sleep(time_left)).await {
            Some(decided) => decided?,
            None => return Err(execution.time_ran_out()),
        }
        if let Some(error) = execution.out_of_time(t.now()) {
            return Err(error);
        }
        loop {
            let (request, limits, attempt) =
                execution.attempt(t.now(), t.date(), &nonce(t.random()));
            let info = attempt.info();
            let outcome = t.send(request, limits, &info).await;
            execution = match attempt.finish(outcome, t.now(), jitter(t.random())) {
                Next::Done(output) => {
                    let outcome = op.code_outcome(&output);
                    super::guarded::after_async(guard, op, outcome, t.date()).await;
                    return Ok(output);
                }
                Next::Retry {
                    after,
                    execution,
                    reason,
                } => {
                    t.note(Event::Retry {
                        info,
                        reason: &reason,
                        after,
                    });
                    t.sleep(after).await;
                    execution
                }
                Next::FailOver { execution, error } => {
                    t.note(Event::FailOver { error: &error });
                    execution
                }
                Next::Failed(error) => return Err(error),
            };
        }
    }
}

/// `work`'s output, or `None` when `timer` ends first.
async fn within<F: std::future::Future>(
    work: F,
    timer: impl std::future::Future<Output = ()>,
) -> Option<F::Output> {
    let mut work = std::pin::pin!(work);
    let mut timer = std::pin::pin!(timer);
    std::future::poll_fn(|cx| {
        if let std::task::Poll::Ready(output) = work.as_mut().poll(cx) {
            return std::task::Poll::Ready(Some(output));
        }
        if timer.as_mut().poll(cx).is_ready() {
            return std::task::Poll::Ready(None);
        }
        std::task::Poll::Pending
    })
    .await
}
