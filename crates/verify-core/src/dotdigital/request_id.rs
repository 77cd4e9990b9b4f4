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
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId([u8; 36]);

impl RequestId {
    /// Checks that `value` is a GUID (8-4-4-4-12 hexadecimal digits).
    pub fn new(value: impl AsRef<str>) -> Result<Self, ValidationError> {
        // Kept inline: 36 ASCII bytes, no allocation to make or copy.
        let value = value.as_ref();
        if let (true, Ok(bytes)) = (is_guid(value), <[u8; 36]>::try_from(value.as_bytes())) {
            Ok(Self(bytes))
        } else {
            Err(ValidationError::single(
                "requestId",
                "must be a GUID: 8-4-4-4-12 hexadecimal digits separated by hyphens",
            ))
        }
    }

    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        // Checked as ASCII when built.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// Whether `s` is `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in hex digits:
/// hyphens at 8, 13, 18 and 23, each group checked as one run of bytes.
fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    // Indexing only once the length is known to be 36.
    let hex = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_hexdigit);
    b.len() == 36
        && [8, 13, 18, 23].iter().all(|&i| b[i] == b'-')
        && hex(0..8)
        && hex(9..13)
        && hex(14..18)
        && hex(19..23)
        && hex(24..36)
}

impl FromStr for RequestId {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl fmt::Debug for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RequestId").field(&self.as_str()).finish()
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for RequestId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for RequestId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Self::new(s).map_err(|_| {
            serde::de::Error::custom("requestId must be a GUID (8-4-4-4-12 hexadecimal digits)")
        })
    }
}
