//! The contract between the sans-IO core and any transport.

use std::time::SystemTime;

use crate::response_error::ResponseError;
use crate::validate::ValidationError;
use crate::{dotdigital, telesign, telesign_verify};

/// A provider the core speaks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Provider {
    /// TeleSign's classic Verify API (`/v1/verify/*`).
    TeleSign,
    /// dotdigital CPaaS Verify.
    Dotdigital,
    /// TeleSign's Verify API (`verify.telesign.com`, multi-channel).
    #[serde(rename = "telesign_verify")]
    TeleSignVerify,
}

impl std::fmt::Display for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::TeleSign => "telesign",
            Self::Dotdigital => "dotdigital",
            Self::TeleSignVerify => "telesign_verify",
        })
    }
}

/// Whether a provider is used first, or as the backup after another failed.
///
/// TeleSign wants to know (`is_primary=false` for backup traffic).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Role {
    /// The provider the application uses first.
    #[default]
    Primary,
    /// Used because the primary provider failed.
    Backup,
}

/// What repeating a request could do: decides whether a transport may retry it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Idempotency {
    /// Repeating it changes nothing (status, completion): retry on transport
    /// errors and temporary failures.
    Idempotent,
    /// It may send an SMS or place a call: retry only when the provider
    /// guarantees nothing went out, or the request never left the machine.
    SendsMessage,
    /// It consumes something that cannot be given back (a code attempt, a
    /// single-use id): retry only when the request never left the machine.
    NotIdempotent,
}

/// The account settings of one provider: where it lives and who we are.
#[derive(Clone, Debug)]
pub enum ProviderConfig {
    /// TeleSign settings.
    TeleSign(telesign::Config),
    /// dotdigital settings.
    Dotdigital(dotdigital::Config),
    /// TeleSign Verify API settings.
    TeleSignVerify(telesign_verify::Config),
}

impl ProviderConfig {
    /// Which provider this configures.
    pub fn provider(&self) -> Provider {
        match self {
            Self::TeleSign(_) => Provider::TeleSign,
            Self::Dotdigital(_) => Provider::Dotdigital,
            Self::TeleSignVerify(_) => Provider::TeleSignVerify,
        }
    }

    /// The provider's base URL.
    pub fn base_url(&self) -> &crate::BaseUrl {
        match self {
            Self::TeleSign(c) => &c.base_url,
            Self::Dotdigital(c) => &c.base_url,
            Self::TeleSignVerify(c) => &c.base_url,
        }
    }

    /// Whether these settings can authenticate a request (TeleSign HMAC
    /// needs a base64 key).
    pub fn check(&self) -> Result<(), crate::ConfigError> {
        match self {
            Self::TeleSign(c) => c.check(),
            Self::TeleSignVerify(c) => c.check(),
            Self::Dotdigital(_) => Ok(()),
        }
    }

    /// Adds authentication to a built request. Call it right before each
    /// attempt: TeleSign's HMAC signature covers `now` and `nonce`, and the
    /// server refuses a stale date or a nonce it has seen.
    pub fn authorize(
        &self,
        request: &mut http::Request<Vec<u8>>,
        now: SystemTime,
        nonce: &str,
    ) -> Result<(), crate::ConfigError> {
        match self {
            Self::TeleSign(c) => c.authorize(request, now, nonce),
            Self::TeleSignVerify(c) => c.authorize(request, now, nonce),
            Self::Dotdigital(c) => {
                c.authorize(request);
                Ok(())
            }
        }
    }
}

impl From<telesign::Config> for ProviderConfig {
    fn from(c: telesign::Config) -> Self {
        Self::TeleSign(c)
    }
}

impl From<telesign_verify::Config> for ProviderConfig {
    fn from(c: telesign_verify::Config) -> Self {
        Self::TeleSignVerify(c)
    }
}

impl From<dotdigital::Config> for ProviderConfig {
    fn from(c: dotdigital::Config) -> Self {
        Self::Dotdigital(c)
    }
}

/// One API call: how to build its request and how to read its response.
///
/// This is the only path from values to bytes and back: the adapters in
/// `verify-ureq` and `verify-hyper` call exactly these methods, and so can
/// any custom transport.
///
/// ```text
/// let mut request = op.to_request(&config, Role::Primary)?;   // validates, builds
/// config.authorize(&mut request, SystemTime::now(), &nonce)?;  // signs, per attempt
/// let response = send(request);                                // your I/O
/// let output = op.parse_response(config.provider(), response)?;
/// ```
///
/// A built request carries secrets: the code of a send in its body, the
/// code of a TeleSign status check in its query (as the API requires), and,
/// once signed, the credentials in `Authorization`. A transport that logs or
/// describes a request (an error message, a trace) does so only through
/// [`redact::redacted`](crate::redact::redacted), never with the request's
/// own `Debug` or its URI.
pub trait Operation {
    /// The typed result of a successful call.
    type Output;

    /// A stable, secret-free name for logs and traces (`telesign.sms`).
    fn name(&self) -> &'static str;

    /// The provider this operation must go to, or `None` when any configured
    /// provider will do (the neutral "start a verification", which can fail
    /// over).
    fn provider(&self) -> Option<Provider>;

    /// What repeating the request could do.
    fn idempotency(&self) -> Idempotency;

    /// Validates the operation's fields and builds the unsigned request.
    ///
    /// Every offending field is reported at once. A `config` for another
    /// provider than [`provider`](Self::provider) is an error naming `provider`.
    fn to_request(
        &self,
        config: &ProviderConfig,
        role: Role,
    ) -> Result<http::Request<Vec<u8>>, ValidationError>;

    /// Reads the response of the request built by
    /// [`to_request`](Self::to_request) for `provider`.
    ///
    /// Any bytes, status and headers give a value or a typed error; this never
    /// panics.
    fn parse_response(
        &self,
        provider: Provider,
        response: http::Response<&[u8]>,
    ) -> Result<Self::Output, ResponseError>;

    /// What the abuse guard is told of this call (docs/PROTOCOL-DECISIONS.md,
    /// "Abuse shield"): nothing by default; a send, or a code check.
    fn guarded(&self) -> crate::guard::Guarded<'_> {
        crate::guard::Guarded::Nothing
    }

    /// For a code check, what `output` tells the guard: a verified code or a
    /// wrong one (`None`: neither, or not a check).
    fn code_outcome(&self, output: &Self::Output) -> Option<crate::guard::CodeOutcome> {
        let _ = output;
        None
    }
}

/// The error `to_request` returns when handed another provider's settings.
pub(crate) fn wrong_provider(expected: Provider, got: Provider) -> ValidationError {
    ValidationError::single(
        "provider",
        format!("this operation is for {expected}, but the configuration is for {got}"),
    )
}
