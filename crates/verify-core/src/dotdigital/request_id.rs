//! dotdigital's `requestId`: a GUID naming one verification.

use std::fmt;
use std::str::FromStr;

use crate::validate::ValidationError;

/// dotdigital's identifier of one verification (`requestId`): a GUID,
/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in hexadecimal digits.
///
/// It is checked when built, so only a well-formed GUID can enter a request
/// path. Both letter cases are accepted and kept as given.
///
/// ```
/// use verify_core::dotdigital::RequestId;
/// let id: RequestId = "0bd57dc3-580c-4c1d-8aee-2ff79bd8633c".parse().unwrap();
/// assert_eq!(id.as_str(), "0bd57dc3-580c-4c1d-8aee-2ff79bd8633c");
/// assert!("0bd57dc3/../validate".parse::<RequestId>().is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(String);

impl RequestId {
    /// Checks that `value` is a GUID (8-4-4-4-12 hexadecimal digits).
    pub fn new(value: impl Into<String>) -> Result<Self, ValidationError> {
        let value = value.into();
        if is_guid(&value) {
            Ok(Self(value))
        } else {
            Err(ValidationError::single(
                "requestId",
                "must be a GUID: 8-4-4-4-12 hexadecimal digits separated by hyphens",
            ))
        }
    }

    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether `s` is `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in hex digits.
fn is_guid(s: &str) -> bool {
    let groups = [8, 4, 4, 4, 12];
    let mut parts = s.split('-');
    for len in groups {
        match parts.next() {
            Some(p) if p.len() == len && p.bytes().all(|b| b.is_ascii_hexdigit()) => {}
            _ => return false,
        }
    }
    parts.next().is_none()
}

impl FromStr for RequestId {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl fmt::Debug for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RequestId").field(&self.0).finish()
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for RequestId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for RequestId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::new(s).map_err(|_| {
            serde::de::Error::custom("requestId must be a GUID (8-4-4-4-12 hexadecimal digits)")
        })
    }
}
