//! An offline simulator of the TeleSign Verify (classic REST and the newer Verify API of
//! `verify.telesign.com`) and dotdigital CPaaS Verify APIs over real HTTP on loopback, for
//! integration tests, benchmarks and demos.
//!
//! It is written from the providers' documentation (and the project's
//! `docs/PROTOCOL-DECISIONS.md`) independently of `verify-core`, so that a misunderstanding
//! in the client shows up as a disagreement with the sandbox. Authentication is checked for
//! real (TeleSign Basic and HMAC, dotdigital Basic); codes expire, lock and are single use;
//! a Verify API process falls back to its next channel when the sandbox clock passes its
//! fallback time; every message a phone (or inbox) would have received lands in an outbox
//! that tests read; faults are injected per route for the next N requests.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! use verify_sandbox::{Fault, Route, Sandbox, SandboxConfig};
//!
//! let sandbox = Sandbox::start(SandboxConfig::deterministic(42)).await?;
//! let base = sandbox.base_url(); // "http://127.0.0.1:PORT": point the client here
//! let customer_id = &sandbox.config().telesign_customer_id;
//! // ... send a code with any TeleSign client, then read it as the phone would:
//! let code = sandbox.messages_to("15555550100").last().map(|m| m.code.clone());
//! sandbox.inject(Route::TeleSignSms, Fault::TeleSignStatus(503), 1);
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod auth;
mod body;
mod clock;
mod config;
mod dotdigital;
mod fault;
mod iso3166;
mod outbox;
mod reply;
mod server;
mod state;
mod telesign;
mod telesign_verify;

use std::net::SocketAddr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use clock::Clock;
pub use config::SandboxConfig;
pub use fault::{Fault, FaultRequest, MAX_PENDING_FAULTS, Route, TooManyFaults};
pub use outbox::{Channel, OutboxMessage, SandboxProvider};

use state::Shared;

/// A running simulator. Dropping it shuts it down.
pub struct Sandbox {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// How much state a sandbox holds, to observe that it stays bounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxStats {
    /// TeleSign verifications remembered.
    pub telesign_verifications: usize,
    /// dotdigital verifications remembered.
    pub dotdigital_verifications: usize,
    /// TeleSign Verify API processes remembered.
    #[serde(default)]
    pub telesign_verify_processes: usize,
    /// Messages in the outbox.
    pub outbox_messages: usize,
    /// HMAC nonces remembered.
    pub nonces: usize,
    /// dotdigital numbers with recent sends tracked for throttling.
    pub throttled_numbers: usize,
}

impl Sandbox {
    /// Binds `config.listen` and serves on the current tokio runtime.
    pub async fn start(config: SandboxConfig) -> std::io::Result<Sandbox> {
        let listener = TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(config));
        let (stop, stop_rx) = watch::channel(false);
        let task = tokio::spawn(server::serve(listener, shared.clone(), stop_rx));
        Ok(Sandbox {
            shared,
            addr,
            stop,
            task: Some(task),
            thread: None,
        })
    }

    /// Starts the sandbox on its own thread with its own runtime, for synchronous code.
    pub fn spawn(config: SandboxConfig) -> std::io::Result<Sandbox> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("verify-sandbox")
            .enable_all()
            .build()?;
        let std_listener = std::net::TcpListener::bind(config.listen)?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let listener = {
            let _guard = runtime.enter();
            TcpListener::from_std(std_listener)?
        };
        let shared = Arc::new(Shared::new(config));
        let (stop, stop_rx) = watch::channel(false);
        let serve = server::serve(listener, shared.clone(), stop_rx);
        let thread = std::thread::Builder::new()
            .name("verify-sandbox".into())
            .spawn(move || {
                runtime.block_on(serve);
                runtime.shutdown_background();
            })?;
        Ok(Sandbox {
            shared,
            addr,
            stop,
            task: None,
            thread: Some(thread),
        })
    }

    /// The base URL to give a client, e.g. `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address the sandbox listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The configuration in use, including the credentials clients must present.
    pub fn config(&self) -> &SandboxConfig {
        &self.shared.config
    }

    /// Every message in the outbox, oldest first.
    ///
    /// Reading the outbox first settles what the sandbox clock says has come due: a Verify
    /// API process whose fallback time has passed has sent its next channel's message.
    pub fn messages(&self) -> Vec<OutboxMessage> {
        self.shared.messages()
    }

    /// The outbox messages sent to `to`, oldest first.
    ///
    /// A message matches when its `to` is exactly `to`, or when both name the same digits:
    /// `+`, spaces, `-`, `.` and parentheses are ignored, so `447700900123`,
    /// `+447700900123` and `+44 7700 900123` find the same messages. A dotdigital number
    /// given locally with a `countryIsoCode` (`07700900123`, `GBR`) is also found by its
    /// international digits (`447700900123`).
    pub fn messages_to(&self, to: &str) -> Vec<OutboxMessage> {
        self.shared.messages_to(to)
    }

    /// Empties the outbox.
    pub fn clear_messages(&self) {
        self.shared.clear_messages();
    }

    /// Makes the next `count` requests on `route` misbehave as `fault` says.
    ///
    /// # Panics
    ///
    /// When [`MAX_PENDING_FAULTS`] entries are already pending; [`Sandbox::try_inject`]
    /// returns an error instead.
    pub fn inject(&self, route: Route, fault: Fault, count: u32) {
        if let Err(e) = self.try_inject(route, fault, count) {
            panic!("{e}");
        }
    }

    /// Like [`Sandbox::inject`], refusing the fault when [`MAX_PENDING_FAULTS`] entries are
    /// already pending (an injection identical to the latest pending one only adds to its count).
    pub fn try_inject(&self, route: Route, fault: Fault, count: u32) -> Result<(), TooManyFaults> {
        self.shared.lock().faults.inject(route, fault, count)
    }

    /// Removes every pending fault.
    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// The sandbox's clock (advance it when it is manual).
    pub fn clock(&self) -> Clock {
        self.shared.clock.clone()
    }

    /// How much state the sandbox holds now (after evicting what has aged out).
    pub fn stats(&self) -> SandboxStats {
        self.shared.stats()
    }

    /// Stops accepting, closes open connections and waits for the server to finish.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        if let Some(thread) = self.thread.take() {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }

    /// Like [`Sandbox::shutdown`], from synchronous code (waits for a [`Sandbox::spawn`]ed server's thread).
    pub fn shutdown_blocking(mut self) {
        let _ = self.stop.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("addr", &self.addr)
            .field("config", &self.shared.config)
            .finish()
    }
}
