//! The identifier of one verification, whichever provider holds it.

use std::fmt;
use std::str::FromStr;

use crate::Provider;
use crate::dotdigital::RequestId;
use crate::telesign::ReferenceId;
use crate::validate::ValidationError;

/// One verification, at the provider that started it.
///
/// It remembers its provider, so a code is always checked where it was
/// sent. Store it between the two steps (a session, a database row): it
/// serializes as `{"provider":"telesign","id":"..."}`, and prints and parses
/// as `telesign:<reference_id>`, `telesign_verify:<reference_id>` or
/// `dotdigital:<requestId>`.
///
/// ```
/// use verify_core::neutral::VerificationId;
/// let id: VerificationId = "dotdigital:0bd57dc3-580c-4c1d-8aee-2ff79bd8633c".parse().unwrap();
/// let json = serde_json::to_string(&id).unwrap();
/// assert_eq!(json, r#"{"provider":"dotdigital","id":"0bd57dc3-580c-4c1d-8aee-2ff79bd8633c"}"#);
/// assert_eq!(serde_json::from_str::<VerificationId>(&json).unwrap(), id);
///
/// // A key given twice is refused: two readers must never see two ids.
/// let twice = r#"{"provider":"dotdigital","id":"0bd57dc3-580c-4c1d-8aee-2ff79bd8633c","id":"x"}"#;
/// assert!(serde_json::from_str::<VerificationId>(twice).is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(tag = "provider", content = "id", rename_all = "lowercase")]
pub enum VerificationId {
    /// A TeleSign `reference_id`.
    TeleSign(ReferenceId),
    /// A dotdigital `requestId`.
    Dotdigital(RequestId),
    /// A TeleSign Verify API process (`reference_id`).
    #[serde(rename = "telesign_verify")]
    TeleSignVerify(ReferenceId),
}

impl VerificationId {
    /// The provider holding the verification.
    pub fn provider(&self) -> Provider {
        match self {
            Self::TeleSign(_) => Provider::TeleSign,
            Self::Dotdigital(_) => Provider::Dotdigital,
            Self::TeleSignVerify(_) => Provider::TeleSignVerify,
        }
    }

    /// The provider's own identifier.
    pub fn as_str(&self) -> &str {
        match self {
            Self::TeleSign(id) | Self::TeleSignVerify(id) => id.as_str(),
            Self::Dotdigital(id) => id.as_str(),
        }
    }
}

impl From<ReferenceId> for VerificationId {
    fn from(id: ReferenceId) -> Self {
        Self::TeleSign(id)
    }
}

impl From<RequestId> for VerificationId {
    fn from(id: RequestId) -> Self {
        Self::Dotdigital(id)
    }
}

impl fmt::Display for VerificationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.provider(), self.as_str())
    }
}

/// The stored form, read strictly: exactly `provider` and `id`, each once
/// (the derived reader refuses a duplicate key and an unknown one).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored<'a> {
    #[serde(borrow)]
    provider: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    id: std::borrow::Cow<'a, str>,
}

impl<'de> serde::Deserialize<'de> for VerificationId {
    /// Reads `{"provider":"telesign","id":"..."}`. The same rules as the
    /// text form; a key given twice, or any other key, is refused.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let stored = Stored::deserialize(deserializer)?;
        let id = match stored.provider.as_ref() {
            "telesign" => stored.id.parse().map(Self::TeleSign),
            "telesign_verify" => stored.id.parse().map(Self::TeleSignVerify),
            "dotdigital" => stored.id.parse().map(Self::Dotdigital),
            _ => {
                return Err(serde::de::Error::unknown_variant(
                    &stored.provider,
                    &["telesign", "dotdigital", "telesign_verify"],
                ));
            }
        };
        id.map_err(serde::de::Error::custom)
    }
}

impl FromStr for VerificationId {
    type Err = ValidationError;

    /// Parses `telesign:<32 hex digits>`, `telesign_verify:<32 hex digits>`
    /// or `dotdigital:<GUID>`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once(':') {
            Some(("telesign", id)) => Ok(Self::TeleSign(id.parse()?)),
            Some(("telesign_verify", id)) => Ok(Self::TeleSignVerify(id.parse()?)),
            Some(("dotdigital", id)) => Ok(Self::Dotdigital(id.parse()?)),
            _ => Err(ValidationError::single(
                "verification_id",
                "must be telesign:<reference_id>, telesign_verify:<reference_id> or dotdigital:<requestId>",
            )),
        }
    }
}
