//! One delivery state over TeleSign's status codes and dotdigital's statuses.

use crate::dotdigital::CodeStatus;
use crate::telesign::StatusCode;
use crate::telesign_verify::State;

/// Where the message carrying a code stands, in words common to both
/// providers (`PROVIDERS.md` section 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DeliveryState {
    /// Accepted and queued or being sent (TeleSign 290, 291, 292).
    Pending,
    /// Handed to the network, no handset confirmation (TeleSign 203, 251;
    /// dotdigital `CodeNotVerified`, `CodeLocked`, `CodeExpired`).
    Sent,
    /// Confirmed on the handset (TeleSign 200; dotdigital `CodeVerified`:
    /// the code came back, so it arrived).
    Delivered,
    /// Sent, but delivery failed. `temporary`: the provider documents the
    /// cause as passing (TeleSign 210 phone off, 503, 505), so a new attempt
    /// later may succeed. TeleSign's final codes 207-233 and 501-598 land
    /// here, named or not (classed by range, as the providers' table does).
    Failed {
        /// Whether a later attempt may succeed.
        temporary: bool,
    },
    /// The provider did not send it (TeleSign 500 "transaction not
    /// attempted"; dotdigital `CodeNotSent`).
    NotSent,
    /// The provider does not say (TeleSign 250 "final status unknown", 295
    /// "status delayed", 599 "status not available", and codes outside the
    /// ranges above; unknown dotdigital statuses).
    Unknown,
}

impl DeliveryState {
    /// `PROVIDERS.md` section 3's two classes: `Some(true)` when the code
    /// went out ("code sent"), `Some(false)` when it did not or failed ("not
    /// sent"), `None` when unknown.
    pub fn code_sent(self) -> Option<bool> {
        match self {
            Self::Pending | Self::Sent | Self::Delivered => Some(true),
            Self::Failed { .. } | Self::NotSent => Some(false),
            Self::Unknown => None,
        }
    }

    /// Whether the state can still change.
    pub fn is_final(self) -> bool {
        !matches!(self, Self::Pending | Self::Sent | Self::Unknown)
    }
}

impl From<StatusCode> for DeliveryState {
    fn from(code: StatusCode) -> Self {
        use StatusCode as S;
        match code {
            S::DeliveredToHandset => Self::Delivered,
            S::DeliveredToGateway | S::SentNoFinalConfirmation => Self::Sent,
            S::InProgress | S::QueuedByTeleSign | S::QueuedByGateway => Self::Pending,
            S::TemporaryPhoneError => Self::Failed { temporary: true },
            S::TransactionNotAttempted => Self::NotSent,
            S::FinalStatusUnknown | S::StatusDelayed | S::StatusNotAvailable => Self::Unknown,
            other => match other.code() {
                207..=233 => Self::Failed { temporary: false },
                501..=598 => Self::Failed {
                    temporary: other.is_temporary(),
                },
                _ => Self::Unknown,
            },
        }
    }
}

impl From<&State> for DeliveryState {
    /// A Verify API process: a code is out while it is `ONGOING`; `CREATED`
    /// (silent, push) is pending; `VERIFIED` proves delivery; `FAILED` and
    /// `REJECTED` end it.
    fn from(state: &State) -> Self {
        match state {
            State::Created | State::Ongoing => Self::Pending,
            State::Verified => Self::Delivered,
            State::Failed | State::Rejected => Self::Failed { temporary: false },
            State::Canceled => Self::NotSent,
            _ => Self::Unknown,
        }
    }
}

impl From<&CodeStatus> for DeliveryState {
    fn from(status: &CodeStatus) -> Self {
        match status {
            CodeStatus::NotVerified | CodeStatus::Locked | CodeStatus::Expired => Self::Sent,
            CodeStatus::Verified => Self::Delivered,
            CodeStatus::NotSent => Self::NotSent,
            _ => Self::Unknown,
        }
    }
}
