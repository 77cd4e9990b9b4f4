//! Tells a failure to set up a connection from a failure once it is up.
//!
//! ureq reports an I/O error the same way whether it happened while
//! connecting (TCP, the TLS handshake) or while sending and receiving on an
//! established connection. Only the first guarantees that no byte of a
//! request went out, which is what decides whether a send may be retried or
//! fail over. This connector wraps ureq's own and marks the I/O errors of
//! connection set-up with [`ConnectFailed`].

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
        self.0.connect(details, chained).map_err(|e| match e {
            ureq::Error::Io(io) => ureq::Error::Io(io::Error::new(io.kind(), ConnectFailed(io))),
            // Resolve and connect timeouts, refused connections, TLS
            // configuration errors: ureq already names them.
            other => other,
        })
    }
}

/// An I/O error while setting up a connection: nothing was sent on it.
#[derive(Debug)]
pub(crate) struct ConnectFailed(io::Error);

impl fmt::Display for ConnectFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "connecting: {}", self.0)
    }
}

impl std::error::Error for ConnectFailed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

#[cfg(test)]
pub(crate) fn marked(e: io::Error) -> ureq::Error {
    ureq::Error::Io(io::Error::new(e.kind(), ConnectFailed(e)))
}
