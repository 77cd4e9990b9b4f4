//! The abuse guard's vocabulary: which rule refused a send, and when to try
//! again. The policy and its stores live in `verify-shield`; the driver
//! consults a guard before the first byte of a send (see [`crate::driver`]).

use std::fmt;
use std::time::Duration;

/// One rule of the abuse shield (docs/PROTOCOL-DECISIONS.md, "Abuse shield").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// The pause between two sends to one number.
    NumberCooldown,
    /// Sends to one number in the short window (default 3 per 10 minutes).
    NumberShortWindow,
    /// Sends to one number in the long window (default 5 per hour).
    NumberLongWindow,
    /// Sends to one number block (the number without its last 3 digits).
    NumberBlock,
    /// Sends per client key (an IP address, a user id, a device).
    ClientKey,
    /// The country is not on the allow-list.
    CountryNotAllowed,
    /// The country is on the deny-list.
    CountryDenied,
    /// The hourly budget of the number's country.
    CountryBudget,
    /// The global sends-per-hour budget.
    GlobalSends,
    /// The global spend-per-day budget.
    GlobalSpend,
    /// The number's type (premium-rate, shared-cost, ...) is denied.
    NumberType,
    /// The conversion breaker of the number's country is open.
    ConversionCountry,
    /// The conversion breaker of the number's block is open.
    ConversionBlock,
    /// Too many wrong codes for one number.
    WrongCodes,
    /// The number cannot be read as an E.164 number.
    InvalidNumber,
    /// The guard's store could not be reached and fails closed.
    StoreUnavailable,
}

impl Rule {
    /// The rule's stable name, as in logs, metrics and `--json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NumberCooldown => "number_cooldown",
            Self::NumberShortWindow => "number_short_window",
            Self::NumberLongWindow => "number_long_window",
            Self::NumberBlock => "number_block",
            Self::ClientKey => "client_key",
            Self::CountryNotAllowed => "country_not_allowed",
            Self::CountryDenied => "country_denied",
            Self::CountryBudget => "country_budget",
            Self::GlobalSends => "global_sends",
            Self::GlobalSpend => "global_spend",
            Self::NumberType => "number_type",
            Self::ConversionCountry => "conversion_country",
            Self::ConversionBlock => "conversion_block",
            Self::WrongCodes => "wrong_codes",
            Self::InvalidNumber => "invalid_number",
            Self::StoreUnavailable => "store_unavailable",
        }
    }

    /// Every rule, in a fixed order (for counters by rule).
    pub const ALL: [Rule; 16] = [
        Self::NumberCooldown,
        Self::NumberShortWindow,
        Self::NumberLongWindow,
        Self::NumberBlock,
        Self::ClientKey,
        Self::CountryNotAllowed,
        Self::CountryDenied,
        Self::CountryBudget,
        Self::GlobalSends,
        Self::GlobalSpend,
        Self::NumberType,
        Self::ConversionCountry,
        Self::ConversionBlock,
        Self::WrongCodes,
        Self::InvalidNumber,
        Self::StoreUnavailable,
    ];
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A send (or a check) the guard refused: nothing was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blocked {
    /// The rule that refused (the first in [`Rule::ALL`] order when several did).
    pub rule: Rule,
    /// When the same send may be allowed again, when that can be known.
    pub retry_after: Option<Duration>,
}

impl fmt::Display for Blocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "refused by the guard ({}): nothing was sent", self.rule)?;
        if let Some(after) = self.retry_after {
            write!(f, "; try again in {} ms", after.as_millis())?;
        }
        Ok(())
    }
}

/// What the guard is told of one logical send, before its first byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SendFacts<'a> {
    /// The destination as the operation carries it (international digits,
    /// without `+`; the guard reads it, and never logs it whole).
    pub phone_number: &'a str,
    /// Opaque keys of who asked (`ip:192.0.2.1`, `user:42`, a device id).
    pub client_keys: &'a [String],
    /// How many SMS the message is billed as (1 for a voice call or a
    /// provider's own text).
    pub segments: u32,
}

/// What an operation asks of the guard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guarded<'a> {
    /// Nothing: the operation sends no message and checks no code.
    Nothing,
    /// The operation sends a code: one decision per logical send.
    Send(SendFacts<'a>),
    /// The operation checks a code for this number (the wrong-code limit).
    Check {
        /// The number whose code is checked.
        phone_number: &'a str,
    },
}

/// The outcome of a code check, as the guard records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CodeOutcome {
    /// The right code: feeds the conversion breakers.
    Verified,
    /// A wrong code: counts toward the wrong-code limit.
    Wrong,
}

/// A blocking guard, consulted by the driver before a send or a check.
///
/// `now` is the wall clock of the transport (the driver reads no clock of
/// its own). Implementations decide without I/O of the provider's; a
/// store's own I/O (Redis) is theirs.
pub trait Guard: fmt::Debug + Send + Sync {
    /// Decides one logical send; `Err` refuses it, and nothing is sent.
    fn before_send(&self, now: std::time::SystemTime, send: &SendFacts<'_>) -> Result<(), Blocked>;

    /// Decides whether a code check of `phone_number` may reach the
    /// provider (looks, consumes nothing).
    fn before_check(&self, now: std::time::SystemTime, phone_number: &str) -> Result<(), Blocked>;

    /// Records the outcome of a check that reached the provider.
    fn after_check(&self, now: std::time::SystemTime, phone_number: &str, outcome: CodeOutcome);
}

/// A boxed future of an [`AsyncGuard`].
pub type GuardFuture<'a, T> = std::pin::Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An async guard (for an async client): as [`Guard`].
pub trait AsyncGuard: fmt::Debug + Send + Sync {
    /// As [`Guard::before_send`].
    fn before_send<'a>(
        &'a self,
        now: std::time::SystemTime,
        send: &'a SendFacts<'a>,
    ) -> GuardFuture<'a, Result<(), Blocked>>;

    /// As [`Guard::before_check`].
    fn before_check<'a>(
        &'a self,
        now: std::time::SystemTime,
        phone_number: &'a str,
    ) -> GuardFuture<'a, Result<(), Blocked>>;

    /// As [`Guard::after_check`].
    fn after_check<'a>(
        &'a self,
        now: std::time::SystemTime,
        phone_number: &'a str,
        outcome: CodeOutcome,
    ) -> GuardFuture<'a, ()>;
}

/// How many SMS `template` is billed as once a code of 7 digits (the
/// longest a provider generates) replaces `placeholder`; 1 without a
/// template (the provider's own text).
pub(crate) fn billed_segments(template: Option<&str>, placeholder: &str) -> u32 {
    template.map_or(1, |t| {
        let text = t.replace(placeholder, "0000000");
        u32::try_from(crate::neutral::segments(&text).segments).unwrap_or(u32::MAX)
    })
}
