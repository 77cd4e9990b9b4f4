//! Small TCP servers of the suite's own on loopback: one that never speaks,
//! and a relay that gives the sandbox a second address.

use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use verify_core::BaseUrl;

/// A loopback port whose connections go to a handler, until dropped.
pub(crate) struct Loopback {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl Loopback {
    /// Hands every accepted connection to `each`, on one accepting thread.
    fn serve(mut each: impl FnMut(TcpStream) + Send + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let addr = listener.local_addr().expect("its address");
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                if stopped.load(Ordering::SeqCst) {
                    return;
                }
                each(stream);
            }
        });
        Self { addr, stop }
    }

    /// Accepts connections, holds them open and never says a word: a TLS
    /// handshake with it stalls.
    pub(crate) fn silent() -> Self {
        let mut held = Vec::new();
        Self::serve(move |stream| held.push(stream))
    }

    /// Forwards every connection, both ways, to `target`, and passes a
    /// close on in either direction: `target` under a second address, with
    /// connections of its own.
    pub(crate) fn relay(target: SocketAddr) -> Self {
        Self::serve(move |client| {
            std::thread::spawn(move || {
                let _ = forward(client, target);
            });
        })
    }

    /// `http://127.0.0.1:PORT`, plain HTTP opted in.
    pub(crate) fn http_url(&self) -> BaseUrl {
        BaseUrl::allow_plain_http(&format!("http://{}", self.addr)).expect("a loopback URL")
    }

    /// `https://127.0.0.1:PORT`.
    pub(crate) fn https_url(&self) -> BaseUrl {
        BaseUrl::new(&format!("https://{}", self.addr)).expect("a loopback URL")
    }
}

impl Drop for Loopback {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accepting thread so that it sees the flag and returns,
        // dropping its handler (and every connection that holds).
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
    }
}

/// Copies `client` to a new connection to `target` and back until either
/// side closes.
fn forward(client: TcpStream, target: SocketAddr) -> io::Result<()> {
    let server = TcpStream::connect(target)?;
    let (mut client_in, mut server_out) = (client.try_clone()?, server.try_clone()?);
    let upstream = std::thread::spawn(move || {
        let _ = io::copy(&mut client_in, &mut server_out);
        let _ = server_out.shutdown(Shutdown::Write);
    });
    let (mut server_in, mut client_out) = (server, client);
    let _ = io::copy(&mut server_in, &mut client_out);
    let _ = client_out.shutdown(Shutdown::Both);
    let _ = server_in.shutdown(Shutdown::Both);
    let _ = upstream.join();
    Ok(())
}
