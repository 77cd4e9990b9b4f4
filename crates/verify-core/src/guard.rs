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
