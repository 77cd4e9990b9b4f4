//! The fixed settings every check runs with: both providers' configurations
//! on the loopback sandbox address, valid ids, and the date and nonce
//! requests are signed with.

use std::time::{Duration, SystemTime};

use verify_core::{BaseUrl, Provider, ProviderConfig, Role};

/// The nonce requests are signed with.
pub const NONCE: &str = "A1592C6F-E384-4CDB-BC42-C3AB970369E9";

/// 2016-12-14T18:20:12Z, the date of TeleSign's published signing vectors.
pub fn date() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_481_739_612)
}

/// A TeleSign customer id that is valid.
pub const TELESIGN_CUSTOMER_ID: &str = "FFFFFFFF-EEEE-DDDD-1234-AB1234567890";
/// The API key of TeleSign's published signing vectors (base64).
pub const TELESIGN_API_KEY: &str =
    "EXAMPLETE8sTgg45yusumoN6BYsBVkh+yRJ5czgsnCehZaOYldPJdmFh6NeX8kunZ2zU1YWaUw/0wV6xfw==";

/// A valid TeleSign reference id, for operations whose response is fuzzed.
pub const REFERENCE_ID: &str = "0123456789ABCDEF0123456789ABCDEF";
/// A valid dotdigital request id.
pub const REQUEST_ID: &str = "0bd57dc3-580c-4c1d-8aee-2ff79bd8633c";

/// A TeleSign configuration on the loopback sandbox address.
pub fn telesign_config() -> ProviderConfig {
    verify_core::telesign::Config::new(telesign_credentials())
        .with_base_url(sandbox_url())
        .into()
}

/// [`TELESIGN_CUSTOMER_ID`] and [`TELESIGN_API_KEY`].
pub fn telesign_credentials() -> verify_core::telesign::Credentials {
    verify_core::telesign::Credentials::new(TELESIGN_CUSTOMER_ID, TELESIGN_API_KEY)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A TeleSign Verify API configuration (TeleSign's credentials) on the
/// loopback sandbox address.
pub fn telesign_verify_config() -> ProviderConfig {
    verify_core::telesign_verify::Config::new(telesign_credentials())
        .with_base_url(sandbox_url())
        .into()
}

/// A dotdigital configuration on the loopback sandbox address.
pub fn dotdigital_config() -> ProviderConfig {
    let credentials = verify_core::dotdigital::Credentials::new("fuzz-user", "fuzz-password")
        .unwrap_or_else(|e| panic!("{e}"));
    verify_core::dotdigital::Config::new(credentials)
        .with_base_url(sandbox_url())
        .into()
}

fn sandbox_url() -> BaseUrl {
    BaseUrl::allow_plain_http("http://127.0.0.1:1").unwrap_or_else(|e| panic!("{e}"))
}

/// The configuration of a provider that is not `p`.
pub fn other_provider_config(p: Provider) -> ProviderConfig {
    match p {
        Provider::TeleSign | Provider::TeleSignVerify => dotdigital_config(),
        // Dotdigital, and any provider added later.
        _ => telesign_config(),
    }
}

/// The role a flags byte asks for: bit 1 is the backup.
pub fn role(flags: u8) -> Role {
    if flags & 1 == 0 {
        Role::Primary
    } else {
        Role::Backup
    }
}

/// [`REFERENCE_ID`], typed.
pub fn reference_id() -> verify_core::telesign::ReferenceId {
    verify_core::telesign::ReferenceId::new(REFERENCE_ID).unwrap_or_else(|e| panic!("{e}"))
}

/// [`REQUEST_ID`], typed.
pub fn request_id() -> verify_core::dotdigital::RequestId {
    verify_core::dotdigital::RequestId::new(REQUEST_ID).unwrap_or_else(|e| panic!("{e}"))
}
