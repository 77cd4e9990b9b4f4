//! Response bodies, including the deliberately broken ones of fault injection.

use std::future::Future as _;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};

const CHUNK: usize = 64 * 1024;
static FILLER: [u8; CHUNK] = [b'a'; CHUNK];
const HUGE_PREFIX: &[u8] = b"{\"padding\":\"";
const HUGE_SUFFIX: &[u8] = b"\"}";

/// The error that aborts a response mid-body (hyper then closes the connection).
#[derive(Debug)]
pub(crate) struct Aborted;

impl std::fmt::Display for Aborted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("response deliberately truncated")
    }
}

impl std::error::Error for Aborted {}

/// A response body.
pub(crate) enum SandboxBody {
    /// The whole body at once.
    Full(Option<Bytes>),
    /// A part of the body, a short pause (so it is flushed), then an error that makes the
    /// server drop the connection.
    Truncated(Option<Bytes>, Pin<Box<tokio::time::Sleep>>),
    /// `total` bytes of valid JSON generated on the fly: `{"padding":"aaaa…"}`.
    Huge { total: u64, sent: u64 },
}

impl SandboxBody {
    pub(crate) fn truncated(part: Bytes) -> Self {
        SandboxBody::Truncated(
            Some(part),
            Box::pin(tokio::time::sleep(std::time::Duration::from_millis(50))),
        )
    }

    pub(crate) fn full(b: impl Into<Bytes>) -> Self {
        let b = b.into();
        SandboxBody::Full(if b.is_empty() { None } else { Some(b) })
    }
}

impl Body for SandboxBody {
    type Data = Bytes;
    type Error = Aborted;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Aborted>>> {
        let this = self.get_mut();
        match this {
            SandboxBody::Full(b) => Poll::Ready(b.take().map(|b| Ok(Frame::data(b)))),
            SandboxBody::Truncated(b, pause) => match b.take() {
                Some(b) => Poll::Ready(Some(Ok(Frame::data(b)))),
                None => pause.as_mut().poll(cx).map(|()| Some(Err(Aborted))),
            },
            SandboxBody::Huge { total, sent } => {
                let (total, pos) = (*total, *sent);
                if pos >= total {
                    return Poll::Ready(None);
                }
                let framed = total >= (HUGE_PREFIX.len() + HUGE_SUFFIX.len()) as u64;
                let prefix_len = HUGE_PREFIX.len() as u64;
                let suffix_start = total - HUGE_SUFFIX.len() as u64;
                let chunk = if framed && pos < prefix_len {
                    Bytes::from_static(HUGE_PREFIX)
                } else if framed && pos >= suffix_start {
                    Bytes::from_static(HUGE_SUFFIX)
                } else {
                    let end = if framed { suffix_start } else { total };
                    let n = usize::try_from((end - pos).min(CHUNK as u64)).unwrap_or(CHUNK);
                    Bytes::from_static(FILLER.get(..n).unwrap_or(&FILLER))
                };
                *sent = pos + chunk.len() as u64;
                Poll::Ready(Some(Ok(Frame::data(chunk))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            SandboxBody::Full(b) => b.is_none(),
            SandboxBody::Truncated(..) => false,
            SandboxBody::Huge { total, sent } => sent >= total,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            SandboxBody::Full(b) => SizeHint::with_exact(b.as_ref().map_or(0, |b| b.len() as u64)),
            SandboxBody::Truncated(..) => SizeHint::default(),
            SandboxBody::Huge { total, sent } => SizeHint::with_exact(total.saturating_sub(*sent)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt as _;

    #[tokio::test]
    async fn huge_body_is_exact_and_valid_json() {
        for total in [0u64, 5, 14, 15, 200_000] {
            let body = SandboxBody::Huge { total, sent: 0 };
            let bytes = body.collect().await.unwrap().to_bytes();
            assert_eq!(bytes.len() as u64, total);
            if total >= 14 {
                let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                assert!(v["padding"].is_string());
            }
        }
    }
}
