//! Tells a failure to set up a connection from a failure once it is up.
//!
//! ureq reports an I/O error the same way whether it happened while
//! connecting (TCP, the TLS handshake) or while sending and receiving on an
//! established connection. Only the first guarantees that no byte of a
//! request went out, which is what decides whether a send may be retried or
//! fail over. This connector wraps ureq's own and marks the I/O errors of
//! connection set-up with [`ConnectFailed`], and its timeouts too: ureq
//! names the timer that fired (its global limit when the time left is
//! shorter than the connect limit), but what decides is the phase. A
//! connect, a TLS handshake or a proxy `CONNECT` that runs out of time has
//! written nothing (docs/PROTOCOL-DECISIONS.md: "never written").

use std::fmt;
use std::io;

use ureq::unversioned::transport::{ConnectionDetails, Connector, DefaultConnector, Transport};

/// ureq's default connector (TCP, then TLS when the URL is `https`), with
/// its I/O errors marked as connection set-up failures.
#[derive(Debug, Default)]
pub(crate) struct MarkingConnector(DefaultConnector);

impl Connector<()> for MarkingConnector {
    type Out = Box<dyn Transport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<()>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        self.0.connect(details, chained).map_err(mark)
    }
}

/// Marks an error of connection set-up (resolving, TCP, TLS, a proxy's
/// `CONNECT`): any error becomes an I/O error carrying [`ConnectFailed`]
/// (a timeout keeps the kind `TimedOut`), but those ureq already names as
/// connection failures (refused, TLS, a refused `CONNECT`), which stay.
pub(crate) fn mark(e: ureq::Error) -> ureq::Error {
    match e {
        ureq::Error::Io(io) => ureq::Error::Io(io::Error::new(io.kind(), ConnectFailed::Io(io))),
        ureq::Error::Timeout(_) => ureq::Error::Io(io::Error::new(
            io::ErrorKind::TimedOut,
            ConnectFailed::TimedOut,
        )),
        named @ (ureq::Error::HostNotFound
        | ureq::Error::ConnectionFailed
        | ureq::Error::ConnectProxyFailed(_)
        | ureq::Error::Tls(_)
        | ureq::Error::Rustls(_)
        | ureq::Error::TlsRequired
        | ureq::Error::InvalidProxyUrl) => named,
        // Anything else while connecting (a proxy's garbled answer to the
        // `CONNECT` is a protocol error): still before the request.
        other => ureq::Error::Io(io::Error::new(
            io::ErrorKind::InvalidData,
            ConnectFailed::Io(io::Error::new(io::ErrorKind::InvalidData, other)),
        )),
    }
}

/// A failure while setting up a connection: nothing was sent on it.
#[derive(Debug)]
pub(crate) enum ConnectFailed {
    /// An I/O error.
    Io(io::Error),
    /// A time limit (the connect limit, or the time left) ran out.
    TimedOut,
}

impl fmt::Display for ConnectFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(e) => write!(f, "connecting: {e}"),
            Self::TimedOut => f.write_str("connecting timed out"),
        }
    }
}

impl std::error::Error for ConnectFailed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io(e) => Some(e),
            Self::TimedOut => None,
        }
    }
}

#[cfg(test)]
pub(crate) fn marked(e: io::Error) -> ureq::Error {
    mark(ureq::Error::Io(e))
}
