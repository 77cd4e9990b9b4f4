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
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReferenceId([u8; ReferenceId::LEN]);

impl ReferenceId {
    /// The number of hexadecimal digits in a reference id.
    pub const LEN: usize = 32;

    /// Checks `value` and wraps it.
    pub fn new(value: &str) -> Result<Self, ValidationError> {
        // Kept inline: 32 ASCII bytes, no allocation to make or copy.
        match <[u8; Self::LEN]>::try_from(value.as_bytes()) {
            Ok(bytes) if Self::is_valid(value) => Ok(Self(bytes)),
            _ => Err(ValidationError::single("reference_id", Self::RULE)),
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
        // Checked as ASCII hexadecimal digits when built.
        std::str::from_utf8(&self.0).unwrap_or_default()
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
        Self::new(&value)
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
        id.as_str().to_owned()
    }
}

impl AsRef<str> for ReferenceId {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for ReferenceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ReferenceId").field(&self.as_str()).finish()
    }
}

impl fmt::Display for ReferenceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for ReferenceId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for ReferenceId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Self::new(&s).map_err(|_| serde::de::Error::custom(Self::RULE))
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
