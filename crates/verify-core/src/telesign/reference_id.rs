//! TeleSign's `reference_id`: 32 hexadecimal digits naming one transaction.

use std::fmt;
use std::str::FromStr;

use crate::ValidationError;

/// A TeleSign `reference_id`: exactly 32 hexadecimal digits.
///
/// Checked when built, so only a well-formed id can ever reach a request path.
///
/// ```
/// use verify_core::telesign::ReferenceId;
/// let id: ReferenceId = "0123456789ABCDEF0123456789ABCDEF".parse().unwrap();
/// assert_eq!(id.as_str(), "0123456789ABCDEF0123456789ABCDEF");
/// assert!("../../v1/other".parse::<ReferenceId>().is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReferenceId(String);

impl ReferenceId {
    /// The number of hexadecimal digits in a reference id.
    pub const LEN: usize = 32;

    /// Checks `value` and wraps it.
    pub fn new(value: &str) -> Result<Self, ValidationError> {
        if Self::is_valid(value) {
            Ok(Self(value.to_owned()))
        } else {
            Err(ValidationError::single("reference_id", Self::RULE))
        }
    }

    /// The rule a reference id must follow, in words.
    pub(crate) const RULE: &'static str = "must be exactly 32 hexadecimal digits";

    /// Whether `value` is 32 hexadecimal digits.
    pub fn is_valid(value: &str) -> bool {
        value.len() == Self::LEN && value.bytes().all(|b| b.is_ascii_hexdigit())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ReferenceId {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl TryFrom<String> for ReferenceId {
    type Error = ValidationError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        if Self::is_valid(&value) {
            Ok(Self(value))
        } else {
            Err(ValidationError::single("reference_id", Self::RULE))
        }
    }
}

impl TryFrom<&str> for ReferenceId {
    type Error = ValidationError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<ReferenceId> for String {
    fn from(id: ReferenceId) -> Self {
        id.0
    }
}

impl AsRef<str> for ReferenceId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ReferenceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ReferenceId").field(&self.0).finish()
    }
}

impl fmt::Display for ReferenceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for ReferenceId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for ReferenceId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::try_from(s).map_err(|_| serde::de::Error::custom(Self::RULE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_32_hex_digits() {
        assert!(ReferenceId::new("0123456789abcdefABCDEF0123456789").is_ok());
        for bad in [
            "",
            "0123456789ABCDEF0123456789ABCDE",
            "0123456789ABCDEF0123456789ABCDEF0",
            "0123456789ABCDEF0123456789ABCDEG",
            "0123456789ABCDEF/123456789ABCDEF",
            "0123456789ABCDEF0123456789ABCDE\u{e9}",
        ] {
            let err = ReferenceId::new(bad).unwrap_err();
            assert_eq!(
                err.fields().collect::<Vec<_>>(),
                ["reference_id"],
                "{bad:?}"
            );
            assert!(ReferenceId::try_from(bad.to_owned()).is_err());
        }
    }

    #[test]
    fn serde_round_trip_checks_the_value() {
        let id = ReferenceId::new("0123456789ABCDEF0123456789ABCDEF").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"0123456789ABCDEF0123456789ABCDEF\"");
        assert_eq!(serde_json::from_str::<ReferenceId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<ReferenceId>("\"nope\"").is_err());
    }
}
