//! Everything a transport emits through `tracing` on the scenario's thread.

use std::sync::{Arc, Mutex};

use tracing_subscriber::fmt::format::FmtSpan;

/// A buffer that a `tracing` subscriber writes into.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("a poisoned log buffer"))?
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs `f` with a subscriber that records every level on this thread, and
/// returns what `f` returned and the text logged meanwhile.
///
/// Spans are written when they open and when they close, with their
/// fields: a transport may describe an attempt in a span that holds no
/// event, and whatever a subscriber could export must be free of secrets.
pub(crate) fn captured<T>(f: impl FnOnce() -> T) -> (T, String) {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_span_events(FmtSpan::NEW | FmtSpan::CLOSE)
        .with_writer(move || writer.clone())
        .finish();
    let out = tracing::subscriber::with_default(subscriber, f);
    let bytes = buffer.0.lock().map(|b| b.clone()).unwrap_or_default();
    (out, String::from_utf8_lossy(&bytes).into_owned())
}
