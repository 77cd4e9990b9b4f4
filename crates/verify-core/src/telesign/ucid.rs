//! The documented use-case ids (`ucid`) of seed 002.

use std::fmt;
use std::str::FromStr;

use crate::ValidationError;

macro_rules! ucids {
    ($( $(#[$doc:meta])* $variant:ident = $text:literal, )*) => {
        /// A TeleSign use-case id (`ucid`): why the code is being sent.
        ///
        /// Only the values seed 002 documents exist, so a request can never
        /// carry an undocumented one.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Ucid {
            $( $(#[$doc])* $variant, )*
        }

        impl Ucid {
            /// Every documented use case, in the documentation's order.
            pub const ALL: &'static [Ucid] = &[ $( Self::$variant, )* ];

            /// The four-letter code TeleSign expects.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $text, )*
                }
            }
        }

        impl FromStr for Ucid {
            type Err = ValidationError;

            /// Parses a four-letter code, in any letter case.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $( if s.eq_ignore_ascii_case($text) { return Ok(Self::$variant); } )*
                Err(ValidationError::single(
                    "ucid",
                    concat!("must be one of", $( " ", $text, )*),
                ))
            }
        }
    };
}

ucids! {
    /// ATCK: two-factor authentication (login, account update).
    Atck = "ATCK",
    /// BACF: account creation exposed to bulk attacks and fraudsters.
    Bacf = "BACF",
    /// BACS: account creation exposed to bulk attacks or spammers.
    Bacs = "BACS",
    /// CHBK: an expensive or unusual purchase.
    Chbk = "CHBK",
    /// CLDR: a calendar event.
    Cldr = "CLDR",
    /// LEAD: a lead entering personal details.
    Lead = "LEAD",
    /// OTHR: another situation.
    Othr = "OTHR",
    /// PWRT: a password reset.
    Pwrt = "PWRT",
    /// RESV: a reservation.
    Resv = "RESV",
    /// RXPF: prescription fraud prevention.
    Rxpf = "RXPF",
    /// SHIP: a shipping notification.
    Ship = "SHIP",
    /// THEF: preventing a number from being deactivated or redirected.
    Thef = "THEF",
    /// TRVF: approving a money transfer.
    Trvf = "TRVF",
    /// UNKN: another situation (same as OTHR).
    Unkn = "UNKN",
}

impl fmt::Display for Ucid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_documented_code() {
        assert_eq!(Ucid::ALL.len(), 14);
        for u in Ucid::ALL {
            assert_eq!(u.as_str().parse::<Ucid>().unwrap(), *u);
            assert_eq!(u.as_str().to_lowercase().parse::<Ucid>().unwrap(), *u);
        }
        let err = "XXXX".parse::<Ucid>().unwrap_err();
        assert_eq!(err.fields().collect::<Vec<_>>(), ["ucid"]);
        assert!(err.to_string().contains("ATCK"));
        assert!(!err.to_string().contains("XXXX"));
    }
}
