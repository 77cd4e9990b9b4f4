//! TeleSign's status codes (seed 002) and error codes (seed 001) as enums.
//!
//! Unknown values parse as `Unknown(..)`: TeleSign adds codes over time and a
//! new one must never break a parser.

use std::fmt;

macro_rules! status_codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $text:literal, $final:literal; )*) => {
        /// A TeleSign `status.code`: where a message (or the request) stands.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum StatusCode {
            $( $(#[$doc])* $variant, )*
            /// A code this version does not know.
            Unknown(i64),
        }

        impl StatusCode {
            /// The enum value for a numeric code.
            pub fn from_code(code: i64) -> Self {
                match code {
                    $( $code => Self::$variant, )*
                    other => Self::Unknown(other),
                }
            }

            /// The numeric code.
            pub fn code(self) -> i64 {
                match self {
                    $( Self::$variant => $code, )*
                    Self::Unknown(c) => c,
                }
            }

            /// TeleSign's own short text for the code, if it is known.
            pub fn text(self) -> Option<&'static str> {
                match self {
                    $( Self::$variant => Some($text), )*
                    Self::Unknown(_) => None,
                }
            }

            /// Whether the status will not change any more (seed 002's
            /// "Final"); an unknown code counts as not final.
            pub fn is_final(self) -> bool {
                match self {
                    $( Self::$variant => $final, )*
                    Self::Unknown(_) => false,
                }
            }

            /// Every code seed 002 documents, in table order.
            pub const ALL: &'static [StatusCode] = &[ $( Self::$variant, )* ];
        }
    };
}

status_codes! {
    /// 200: the SMS was delivered to the handset.
    DeliveredToHandset = 200, "Delivered to handset", true;
    /// 203: the SMS was delivered to the gateway.
    DeliveredToGateway = 203, "Delivered to gateway", false;
    /// 207: delivery to the handset failed for an unknown reason.
    ErrorDeliveringToHandset = 207, "Error delivering SMS to handset (reason unknown)", true;
    /// 210: temporary phone error (phone off, memory full).
    TemporaryPhoneError = 210, "Temporary phone error", true;
    /// 211: permanent phone error.
    PermanentPhoneError = 211, "Permanent phone error", true;
    /// 220: the network cannot route the message.
    CannotRoute = 220, "Gateway/network cannot route message", true;
    /// 221: the message expired before delivery.
    ExpiredBeforeDelivery = 221, "Message expired before delivery", true;
    /// 222: SMS not supported by the phone, carrier, plan or user.
    SmsNotSupported = 222, "SMS not supported", true;
    /// 229: blocked by the customer's own blocklist.
    BlockedByYourRequest = 229, "Message blocked by your request", true;
    /// 230: blocked by TeleSign's global blocklist.
    BlockedByTeleSign = 230, "Message blocked by TeleSign", true;
    /// 231: the message content is not supported.
    InvalidOrUnsupported = 231, "Invalid/unsupported", true;
    /// 233: blocked because of a high risk score.
    BlockedHighRisk = 233, "Message blocked due to high risk score.", true;
    /// 250: the final status cannot be determined.
    FinalStatusUnknown = 250, "Final status unknown", true;
    /// 251: sent out for delivery, no handset confirmation in this region.
    SentNoFinalConfirmation = 251, "Message successfully sent out for delivery, however final confirmation of delivery to handset was not received.", true;
    /// 290: being sent to the SMS gateway.
    InProgress = 290, "Message in progress", false;
    /// 291: queued by TeleSign (high volume).
    QueuedByTeleSign = 291, "Queued by TeleSign", false;
    /// 292: queued by the gateway.
    QueuedByGateway = 292, "Queued by gateway", false;
    /// 295: the status is temporarily unavailable.
    StatusDelayed = 295, "Status delayed", false;
    /// 500: the transaction was not attempted: nothing was sent.
    TransactionNotAttempted = 500, "Transaction not attempted", true;
    /// 501: not authorized.
    NotAuthorized = 501, "Not authorized", true;
    /// 502: campaign (short code) error.
    CampaignError = 502, "Campaign error", true;
    /// 503: carrier rejected, temporary; may be retried.
    CarrierRejectedTemporary = 503, "Carrier rejected - temporary problem", true;
    /// 504: carrier rejected, permanent; must not be retried.
    CarrierRejectedPermanent = 504, "Carrier rejected - permanent error", true;
    /// 505: gateway error, temporary; may be retried.
    GatewayErrorTemporary = 505, "Error on gateway - temporary error", true;
    /// 506: gateway error, permanent; must not be retried.
    GatewayErrorPermanent = 506, "Error on gateway - permanent error", true;
    /// 507: invalid destination address.
    InvalidDestination = 507, "Invalid destination address", true;
    /// 508: invalid source address.
    InvalidSource = 508, "Invalid source address", true;
    /// 509: parameters problem.
    ParametersProblem = 509, "Parameters problem", true;
    /// 510: blocked by subscriber action or request.
    BlockedBySubscriber = 510, "Message blocked by subscriber action or request", true;
    /// 511: subscriber low on credit.
    SubscriberLowOnCredit = 511, "Subscriber low on credit", true;
    /// 512: roaming error.
    RoamingError = 512, "Roaming error", true;
    /// 513: mobile number portability error.
    PortabilityError = 513, "Mobile number portability error", true;
    /// 514: subscriber absent.
    SubscriberAbsent = 514, "Subscriber absent", true;
    /// 515: suspected spam.
    SuspectedSpam = 515, "Suspected spam", true;
    /// 517: DLT details for India not supported.
    DltNotSupported = 517, "Selected DLT details for India not supported", true;
    /// 518: blocked because of a high-risk SIM swap indicator.
    BlockedSimSwap = 518, "Message blocked due to high risk SIM swap indicator.", true;
    /// 519: the requested SIM swap check could not be performed.
    SimSwapCheckFailed = 519, "Message not sent - requested SIM swap check could not be performed.", true;
    /// 599: status not available.
    /// Not final and not a failed delivery: the status may be known later.
    StatusNotAvailable = 599, "Status not available", false;
}

impl StatusCode {
    /// Documented as temporary: "can be retried" (503, 505).
    pub fn is_temporary(self) -> bool {
        matches!(
            self,
            Self::CarrierRejectedTemporary | Self::GatewayErrorTemporary
        )
    }

    /// Documented as permanent: "should not be retried" (504, 506).
    pub fn is_permanent(self) -> bool {
        matches!(
            self,
            Self::CarrierRejectedPermanent | Self::GatewayErrorPermanent
        )
    }

    /// Whether a message may have gone out. 500 "Transaction not
    /// attempted" and 501 "Not authorized" guarantee that nothing was sent,
    /// and so do the final statuses that say no message will reach the
    /// phone ([`is_not_sent`](Self::is_not_sent)).
    pub fn message_may_have_been_sent(self) -> bool {
        !matches!(self, Self::TransactionNotAttempted | Self::NotAuthorized) && !self.is_not_sent()
    }

    /// Whether this is a final status that says no message will reach the
    /// phone: the blocked and undeliverable finals of seed 002 from 207 to
    /// 233 (PROVIDERS.md section 3, "not sent"). A send answered with one
    /// is a failed send with nothing sent (docs/PROTOCOL-DECISIONS.md).
    /// An unknown code in that range is not one: it is not known final.
    pub fn is_not_sent(self) -> bool {
        self.is_final() && (207..=233).contains(&self.code())
    }

    /// Whether this status means the send itself failed: a 5xx code, except
    /// 599 "Status not available", which says only that no status can be
    /// given at this time (docs/PROTOCOL-DECISIONS.md).
    pub fn is_failure(self) -> bool {
        (500..599).contains(&self.code())
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.text() {
            Some(text) => write!(f, "{} {}", self.code(), text),
            None => write!(f, "{} (unknown status)", self.code()),
        }
    }
}

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $text:literal; )*) => {
        /// A TeleSign `errors[].code` (seed 001).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
            /// A code this version does not know.
            Unknown(i64),
        }

        impl ErrorCode {
            /// The enum value for a numeric code.
            pub fn from_code(code: i64) -> Self {
                match code {
                    $( $code => Self::$variant, )*
                    other => Self::Unknown(other),
                }
            }

            /// The numeric code.
            pub fn code(self) -> i64 {
                match self {
                    $( Self::$variant => $code, )*
                    Self::Unknown(c) => c,
                }
            }

            /// TeleSign's documented description, if the code is known.
            pub fn text(self) -> Option<&'static str> {
                match self {
                    $( Self::$variant => Some($text), )*
                    Self::Unknown(_) => None,
                }
            }

            /// Every code seed 001 documents.
            pub const ALL: &'static [ErrorCode] = &[ $( Self::$variant, )* ];
        }
    };
}

error_codes! {
    /// -10001: invalid or missing parameter, or a host not allowed.
    InvalidParameter = -10001, "Invalid Request";
    /// -10009: invalid source IP address.
    InvalidSourceIp = -10009, "Invalid source IP address";
    /// -10033: the number is not verified for this trial account.
    TrialNumberNotVerified = -10033, "Phone number has not been verified for this trial account";
    /// -20002: the product is not enabled for this customer.
    ProductNotEnabled = -20002, "This product is not enabled for this Customer ID.";
    /// -30000: invalid customer id.
    InvalidCustomerId = -30000, "Invalid Customer ID.";
    /// -30001: customer account suspended.
    AccountSuspended = -30001, "Customer ID Account Suspended.";
    /// -30004: missing `Authorization` header.
    MissingAuthorization = -30004, "Missing required 'Authorization' header";
    /// -30005: malformed `Authorization` header.
    MalformedAuthorization = -30005, "Required 'Authorization' header is not in the correct format";
    /// -30006: invalid signature.
    InvalidSignature = -30006, "Invalid Signature";
    /// -30007: missing `Date` header.
    MissingDate = -30007, "Missing required 'Date' or 'x-ts-date' header";
    /// -30008: invalid `x-ts-auth-method` header.
    InvalidAuthMethod = -30008, "Invalid 'x-ts-auth-method' header.";
    /// -30009: `Date` is not RFC 822 compliant.
    DateNotRfc822 = -30009, "'Date' or 'x-ts-date' header is not RFC822 compliant";
    /// -30010: `Date` is outside the tolerated range (clock skew).
    DateOutOfRange = -30010, "'Date' or 'x-ts-date' header is not within tolerable range";
    /// -30011: nonce too long or too short.
    NonceLength = -30011, "'x-ts-nonce' header value is either too long or too short";
    /// -30012: nonce used recently.
    NonceReused = -30012, "'x-ts-nonce' header value has been used recently";
    /// -30015: invalid API key.
    InvalidApiKey = -30015, "Invalid API Key.";
    /// -40006: bad request.
    BadRequest = -40006, "Bad request";
    /// -40007: rate limit exceeded.
    RateLimitExceeded = -40007, "Rate Limit Exceeded";
    /// -40008: transaction hard cap exceeded.
    HardCapExceeded = -40008, "Verify SMS exceeded transaction hard cap. Request denied.";
    /// -90001: system unavailable, try again later.
    SystemUnavailable = -90001, "System Unavailable, please try again later.";
}

impl ErrorCode {
    /// An authentication or authorization failure (-30000 .. -30015, -20002).
    pub fn is_authentication(self) -> bool {
        matches!(self.code(), -30015..=-30000) || self == Self::ProductNotEnabled
    }

    /// A refusal before any send was attempted: authentication, parameters,
    /// a bad request, rate limits and caps, a source IP not allowed, an
    /// unverified trial number, the system unavailable. With a `status.code`
    /// of 500, 501 or none, such a code proves that nothing went out.
    pub fn is_refusal(self) -> bool {
        self.is_authentication()
            || matches!(
                self,
                Self::InvalidParameter
                    | Self::BadRequest
                    | Self::RateLimitExceeded
                    | Self::HardCapExceeded
                    | Self::InvalidSourceIp
                    | Self::TrialNumberNotVerified
                    | Self::SystemUnavailable
            )
    }

    /// Documented as worth retrying later (-90001, -40007).
    pub fn is_temporary(self) -> bool {
        matches!(self, Self::SystemUnavailable | Self::RateLimitExceeded)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.text() {
            Some(text) => write!(f, "{} {}", self.code(), text),
            None => write!(f, "{} (unknown error)", self.code()),
        }
    }
}

crate::code_table::string_enum! {
    /// `verify.code_state`: what TeleSign thinks of the code checked.
    CodeState {
        /// `VALID`: the code entered is the code sent.
        Valid = "VALID",
        /// `INVALID`: the code entered is wrong.
        Invalid = "INVALID",
        /// `EXPIRED`: the code is too old.
        Expired = "EXPIRED",
        /// `MAX_ATTEMPTS_EXCEEDED`: too many wrong codes.
        MaxAttemptsExceeded = "MAX_ATTEMPTS_EXCEEDED",
        /// `UNKNOWN`: no code has been checked (the documented literal).
        NotChecked = "UNKNOWN",
    }
}

impl CodeState {
    /// Whether the state will not change any more: expired and locked are
    /// final. `VALID` is final too: once a code was valid, the correct
    /// code keeps answering `VALID` and a wrong one `INVALID`, and the
    /// transaction never locks (docs/PROTOCOL-DECISIONS.md).
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::Valid | Self::Expired | Self::MaxAttemptsExceeded
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknowns_survive() {
        for s in StatusCode::ALL {
            assert_eq!(StatusCode::from_code(s.code()), *s);
        }
        for e in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_code(e.code()), *e);
        }
        assert_eq!(StatusCode::from_code(777), StatusCode::Unknown(777));
        assert_eq!(ErrorCode::from_code(-1), ErrorCode::Unknown(-1));
        assert_eq!(StatusCode::ALL.len(), 38);
        assert_eq!(ErrorCode::ALL.len(), 20);
    }

    #[test]
    fn classification() {
        assert!(!StatusCode::TransactionNotAttempted.message_may_have_been_sent());
        let not_sent: Vec<i64> = StatusCode::ALL
            .iter()
            .filter(|s| s.is_not_sent())
            .map(|s| s.code())
            .collect();
        assert_eq!(not_sent, [207, 210, 211, 220, 221, 222, 229, 230, 231, 233]);
        assert!(!StatusCode::BlockedByTeleSign.message_may_have_been_sent());
        assert!(!StatusCode::from_code(212).is_not_sent());
        assert!(StatusCode::FinalStatusUnknown.message_may_have_been_sent());
        assert!(StatusCode::CarrierRejectedTemporary.is_temporary());
        assert!(StatusCode::GatewayErrorPermanent.is_permanent());
        assert!(!StatusCode::InProgress.is_final());
        assert!(StatusCode::DeliveredToHandset.is_final());
        assert!(ErrorCode::NonceReused.is_authentication());
        assert!(!ErrorCode::RateLimitExceeded.is_authentication());
    }
}
