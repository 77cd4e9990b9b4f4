//! The error a call ends with, and why.

use std::fmt;
use std::time::Duration;

use crate::retry::{AttemptFailure, may_fail_over};
use crate::{ConfigError, Idempotency, Provider, ResponseError, ValidationError};

/// Why a call failed.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The operation's fields break documented rules. Nothing was sent.
    Validation(ValidationError),
    /// The provider answered with a failure, or with something unreadable.
    Response(ResponseError),
    /// The connection failed.
    Transport {
        /// Whether the request may have been written before it failed
        /// (`false`: refused, host not found, TLS handshake failed).
        written: bool,
        /// What happened, with digit runs masked (a URL can carry a code).
        detail: String,
    },
    /// No complete answer came within the time limit.
    Timeout {
        /// Whether the request may have been written (`false` when
        /// connecting timed out).
        written: bool,
        /// The limit that ran out.
        after: Duration,
    },
    /// The response body is longer than the configured limit; the rest was
    /// not read.
    BodyTooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// The client cannot send this request (for example plain `http://`).
    Config(ConfigError),
    /// The operation is for a provider this client has no settings for.
    NoProviderFor(Provider),
    /// The abuse guard refused the send (or the check) before any I/O:
    /// nothing was sent.
    Blocked(crate::guard::Blocked),
    /// Another start with the same idempotency key was still in flight when
    /// this call's time limit ran out. Nothing was sent by this call.
    InProgress,
    /// An earlier start with the same idempotency key failed after a message
    /// may have gone out: its failure, answered again. Nothing was sent by
    /// this call (ask for a resend to send again).
    Replayed {
        /// The earlier failure, as it was described.
        detail: String,
        /// Whether the earlier start may have sent a message.
        message_may_have_been_sent: bool,
    },
    /// The ledger (idempotency keys, pending verifications) could not
    /// answer. Nothing was sent by this call.
    Ledger(crate::ledger::LedgerError),
}

impl ErrorKind {
    /// A transport failure; `detail` is shortened, and has its control
    /// characters replaced and its digit runs masked.
    pub fn transport(written: bool, detail: &str) -> Self {
        Self::Transport {
            written,
            detail: crate::text::provider_text(detail),
        }
    }

    /// How the attempt failed, for the retry rules; `None` when no request
    /// was ever attempted.
    pub fn attempt_failure(&self) -> Option<AttemptFailure<'_>> {
        match self {
            Self::Validation(_)
            | Self::Config(_)
            | Self::NoProviderFor(_)
            | Self::Blocked(_)
            | Self::InProgress
            | Self::Ledger(_) => None,
            Self::Replayed {
                message_may_have_been_sent,
                ..
            } => message_may_have_been_sent.then_some(AttemptFailure::MaybeWritten),
            Self::Response(e) => Some(AttemptFailure::Response(e)),
            Self::Transport { written: false, .. } | Self::Timeout { written: false, .. } => {
                Some(AttemptFailure::NotWritten)
            }
            Self::Transport { .. } | Self::Timeout { .. } | Self::BodyTooLarge { .. } => {
                Some(AttemptFailure::MaybeWritten)
            }
        }
    }

    /// The `Retry-After` pause the provider asked for, if any.
    pub fn retry_after(&self) -> Option<crate::RetryAfter> {
        match self {
            Self::Response(e) => e.retry_after(),
            _ => None,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Validation(e) => write!(f, "{e}"),
            Self::Response(e) => write!(f, "{e}"),
            Self::Transport { written, detail } => write!(
                f,
                "connection failed {}: {detail}",
                if *written {
                    "after the request may have been written"
                } else {
                    "before the request was written"
                }
            ),
            Self::Timeout { written, after } => write!(
                f,
                "timed out after {} ms {}",
                after.as_millis(),
                if *written {
                    "(the request may have been written)"
                } else {
                    "while connecting"
                }
            ),
            Self::BodyTooLarge { limit } => {
                write!(f, "the response body is longer than the {limit}-byte limit")
            }
            Self::Config(e) => write!(f, "{e}"),
            Self::NoProviderFor(p) => write!(f, "no {p} settings configured for this operation"),
            Self::Blocked(b) => write!(f, "{b}"),
            Self::InProgress => f.write_str(
                "another start with this idempotency key is still in progress: nothing was sent",
            ),
            Self::Replayed {
                detail,
                message_may_have_been_sent,
            } => write!(
                f,
                "an earlier start with this idempotency key failed ({detail}); {}: nothing was sent again",
                if *message_may_have_been_sent {
                    "its message may have gone out"
                } else {
                    "nothing went out"
                }
            ),
            Self::Ledger(e) => write!(f, "{e}: nothing was sent"),
        }
    }
}

/// A failed call: what went wrong, where, after how many attempts, and
/// whether a message may already have been sent.
///
/// When the call failed over, [`primary`](Self::primary) keeps the primary
/// provider's error.
#[derive(Clone, Debug)]
pub struct Error {
    /// Boxed: the error path is rare, and a small `Result` keeps the
    /// success path cheap.
    kind: Box<ErrorKind>,
    operation: &'static str,
    provider: Option<Provider>,
    idempotency: Idempotency,
    attempts: u32,
    primary: Option<Box<Error>>,
}

impl Error {
    pub(super) fn new(
        kind: ErrorKind,
        operation: &'static str,
        provider: Option<Provider>,
        idempotency: Idempotency,
        attempts: u32,
    ) -> Self {
        Self {
            kind: Box::new(kind),
            operation,
            provider,
            idempotency,
            attempts,
            primary: None,
        }
    }

    pub(super) fn with_primary(mut self, primary: Error) -> Self {
        self.primary = Some(Box::new(primary));
        self
    }

    /// Why the call failed (at the last provider tried).
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// Consumes the error, giving its kind.
    pub fn into_kind(self) -> ErrorKind {
        *self.kind
    }

    /// The operation's name (`telesign.sms`).
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The provider of the last attempt, when one was chosen.
    pub fn provider(&self) -> Option<Provider> {
        self.provider
    }

    /// How many requests were attempted at that provider (0 when the call
    /// failed before any I/O).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The primary provider's error, when the call failed over to the backup
    /// and the backup failed too.
    pub fn primary(&self) -> Option<&Error> {
        self.primary.as_deref()
    }

    /// The guard's refusal, when the failure is one.
    pub fn blocked(&self) -> Option<&crate::guard::Blocked> {
        match self.kind.as_ref() {
            ErrorKind::Blocked(b) => Some(b),
            _ => None,
        }
    }

    /// The provider's answer, when the failure is one.
    pub fn response(&self) -> Option<&ResponseError> {
        match self.kind.as_ref() {
            ErrorKind::Response(e) => Some(e),
            _ => None,
        }
    }

    /// Whether an SMS or call may have gone out because of this call, at
    /// this provider or at the primary before a failover. `false` only when
    /// nothing can have been sent: the operation never sends, the request
    /// never left, or the provider guarantees it did not attempt the send.
    pub fn message_may_have_been_sent(&self) -> bool {
        let here = self
            .kind
            .attempt_failure()
            .is_some_and(|f| f.message_may_have_been_sent(self.idempotency));
        here || self
            .primary
            .as_ref()
            .is_some_and(|p| p.message_may_have_been_sent())
    }

    /// Whether this call, at the primary, allows sending through the backup.
    pub(super) fn allows_failover(&self, when_maybe_sent: bool) -> bool {
        self.kind
            .attempt_failure()
            .is_some_and(|f| may_fail_over(self.idempotency, &f, when_maybe_sent))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.operation)?;
        if let Some(p) = self.provider {
            write!(f, " via {p}")?;
        }
        if self.attempts > 1 {
            write!(f, " failed after {} attempts: {}", self.attempts, self.kind)?;
        } else {
            write!(f, " failed: {}", self.kind)?;
        }
        if let Some(primary) = &self.primary {
            write!(f, "; before that, the primary provider failed: {primary}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self.kind.as_ref() {
            ErrorKind::Validation(e) => Some(e),
            ErrorKind::Response(e) => Some(e),
            ErrorKind::Config(e) => Some(e),
            ErrorKind::Ledger(e) => Some(e),
            _ => None,
        }
    }
}
