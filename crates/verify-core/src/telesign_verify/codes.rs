//! The Verify API's code tables: status codes, process states, methods.

use std::fmt;

crate::code_table::string_enum! {
    /// A verification process's (or an inner method's) `state`.
    State {
        /// `CREATED`: set up; nothing sent yet (silent and push start here,
        /// and a method not tried yet stays here).
        Created = "CREATED",
        /// `ONGOING`: a code is out; the process waits for the finalize.
        Ongoing = "ONGOING",
        /// `VERIFIED`: finalized with the right code.
        Verified = "VERIFIED",
        /// `REJECTED`: too many wrong codes.
        Rejected = "REJECTED",
        /// `FAILED`: no method succeeded (or the code expired).
        Failed = "FAILED",
        /// `CANCELED`: canceled.
        Canceled = "CANCELED",
        /// `SKIPPED`: an inner method left behind for the next one.
        Skipped = "SKIPPED",
    }
}

impl State {
    /// Whether the process can still change (created or ongoing).
    pub fn is_final(&self) -> bool {
        !matches!(self, Self::Created | Self::Ongoing | Self::Unknown(_))
    }
}

crate::code_table::string_enum! {
    /// A channel of a verification policy (`method`).
    Method {
        /// A code by SMS.
        Sms = "sms",
        /// A code read out by a voice call.
        Voice = "voice",
        /// A code by email.
        Email = "email",
        /// A code by WhatsApp.
        Whatsapp = "whatsapp",
        /// A code by Viber.
        Viber = "viber",
        /// A code by RCS.
        Rcs = "rcs",
        /// Silent verification through the mobile network (no code).
        Silent = "silent",
        /// A push notification to the app (no code).
        Push = "push",
    }
}

impl Method {
    /// Whether the method reaches a phone number (every one but email and
    /// push).
    pub fn needs_phone(&self) -> bool {
        !matches!(self, Self::Email | Self::Push)
    }

    /// Whether the method may only come first (silent and push).
    pub fn only_first(&self) -> bool {
        matches!(self, Self::Silent | Self::Push)
    }

    /// Seconds before the next method when the policy gives none: 120 for
    /// email, 60 for the others (docs/PROTOCOL-DECISIONS.md).
    pub fn default_fallback_secs(&self) -> u32 {
        if *self == Self::Email { 120 } else { 60 }
    }
}

macro_rules! status_codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal $(| $alias:literal)*, $class:ident; )*) => {
        /// A Verify API `status.code`: where a request or a process stands.
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
                    $( $code $(| $alias)* => Self::$variant, )*
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

            /// What the code says of the request.
            pub fn class(self) -> StatusClass {
                match self {
                    $( Self::$variant => StatusClass::$class, )*
                    Self::Unknown(_) => StatusClass::Unknown,
                }
            }

            /// Every documented code, in table order.
            pub const ALL: &'static [StatusCode] = &[ $( Self::$variant, )* ];
        }
    };
}

/// What a [`StatusCode`] says of the request that got it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusClass {
    /// The request is being processed (a create's answer).
    Intermediate,
    /// An outcome of a finalize.
    Outcome,
    /// Refused before anything was sent.
    Refused,
    /// Refused for now, before anything was sent: the same request may
    /// succeed later.
    Temporary,
    /// A code this version does not know.
    Unknown,
}

status_codes! {
    /// 3901 "Request in progress" (3001 is listed by one page for the same).
    InProgress = 3901 | 3001, Intermediate;
    /// 3000: an inner method's message was delivered.
    Delivered = 3000, Intermediate;
    /// 3900 "Verified": the right code.
    Verified = 3900, Outcome;
    /// 3904 "Verification Failed": a wrong code; the process goes on.
    WrongCode = 3904, Outcome;
    /// 3909 "Invalid code entered": a wrong code and no attempt left; the
    /// process is `REJECTED`.
    Rejected = 3909, Outcome;
    /// 3911: the process is already finished, or its code expired
    /// (docs/PROTOCOL-DECISIONS.md).
    AlreadyFinished = 3911, Outcome;
    /// 3101: invalid phone number.
    InvalidPhoneNumber = 3101, Refused;
    /// 3103: invalid `external_id`.
    InvalidExternalId = 3103, Refused;
    /// 3110: invalid request (and, with HTTP 404, an unknown reference id).
    InvalidRequest = 3110, Refused;
    /// 3119: invalid email.
    InvalidEmail = 3119, Refused;
    /// 3302: a phone channel without a phone number.
    MissingPhoneNumber = 3302, Refused;
    /// 3309: email without an email address.
    MissingEmail = 3309, Refused;
    /// 3400: not authorized.
    NotAuthorized = 3400, Refused;
    /// 3906: the Verify API is not enabled for the account.
    NotEnabled = 3906, Refused;
    /// 3203: callback URL not enabled.
    CallbackNotEnabled = 3203, Refused;
    /// 3116: the payload is over 10 KB.
    PayloadTooLarge = 3116, Refused;
    /// 3072: blocked, the risk score is too high.
    Blocked = 3072, Refused;
    /// 3204: rate limit exceeded; retry later.
    RateLimited = 3204, Temporary;
    /// 3500: system unavailable; retry later.
    SystemUnavailable = 3500, Temporary;
    /// 3041: the carrier rejected temporarily; retry later.
    CarrierTemporary = 3041, Temporary;
}

impl StatusCode {
    /// Whether the code proves that nothing was sent: a refusal, temporary
    /// or not (PROVIDERS.md section 4: "a create refused with any 3xxx code
    /// above sent nothing").
    pub fn proves_nothing_sent(self) -> bool {
        matches!(self.class(), StatusClass::Refused | StatusClass::Temporary)
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())
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
        assert_eq!(StatusCode::from_code(3001), StatusCode::InProgress);
        assert_eq!(StatusCode::from_code(3999), StatusCode::Unknown(3999));
        assert!(StatusCode::RateLimited.proves_nothing_sent());
        assert!(!StatusCode::Verified.proves_nothing_sent());
        assert_eq!(Method::parse("WhatsApp"), Method::Whatsapp);
        assert!(matches!(State::parse("PAUSED"), State::Unknown(_)));
    }
}
