//! The sample operations and answers of the core benchmarks, and the
//! library's side of a round: build and sign a request, read an answer.
//!
//! With [`crate::floor`], this is where the core benchmarks and the floor
//! test touch `verify-core`'s API; the fields below are the floors' inputs
//! too, so both sides work on the same values.

use std::time::{Duration, SystemTime};

use verify_core::dotdigital::{self, SendCode};
use verify_core::telesign::{self, CheckCode, ReferenceId, SendSms, Ucid};
use verify_core::{Code, Operation, ProviderConfig, Role};

/// A TeleSign customer id (TeleSign's documentation example).
pub const CUSTOMER_ID: &str = "FFFFFFFF-EEEE-DDDD-1234-AB1234567890";
/// Its API key, base64 (TeleSign's documentation example).
pub const API_KEY: &str =
    "EXAMPLETE8sTgg45yusumoN6BYsBVkh+yRJ5czgsnCehZaOYldPJdmFh6NeX8kunZ2zU1YWaUw/0wV6xfw==";
/// A dotdigital API user.
pub const DD_USER: &str = "api-user";
/// Its password.
pub const DD_PASSWORD: &str = "api-password";
/// A TeleSign transaction.
pub const REFERENCE_ID: &str = "0123456789ABCDEF0123456789ABCDEF";
/// A dotdigital verification.
pub const REQUEST_ID: &str = "0bd57dc3-580c-4c1d-8aee-2ff79bd8633c";
/// The nonce every sample request is signed with.
pub const NONCE: &str = "A1592C6F-E384-4CDB-BC42-C3AB970369E9";

/// The SMS: phone number, use case, code and template.
pub const SMS_PHONE: &str = "15555550100";
/// `ucid` of the SMS.
pub const SMS_UCID: &str = "ATCK";
/// The code sent, and the code checked by the status query.
pub const CODE: &str = "12345";
/// The SMS template.
pub const SMS_TEMPLATE: &str = "Your Example code is $$CODE$$";
/// The dotdigital destination, sender and text.
pub const DD_TO: &str = "447700900123";
/// The dotdigital sender.
pub const DD_FROM: &str = "Example";
/// The dotdigital text.
pub const DD_BODY: &str = "Your Example code is {{code}}";
/// How long the dotdigital code is valid.
pub const DD_VALIDITY: Duration = Duration::from_secs(600);

/// TeleSign's answer to the SMS.
pub const SEND_OK: &[u8] = br#"{"reference_id":"0123456789ABCDEF0123456789ABCDEF","status":{"code":290,"description":"Message in progress","updated_on":"2016-12-14T18:20:12Z"},"verify":{"code_state":"UNKNOWN","code_entered":""}}"#;
/// TeleSign's answer to the status query with a code.
pub const STATUS_OK: &[u8] = br#"{"reference_id":"0123456789ABCDEF0123456789ABCDEF","status":{"code":200,"description":"Delivered to handset","updated_on":"2016-12-14T18:20:15Z"},"verify":{"code_state":"VALID","code_entered":"12345"}}"#;
/// TeleSign's answer to a completion.
pub const COMPLETE_OK: &[u8] = br#"{"reference_id":"0123456789ABCDEF0123456789ABCDEF","status":{"code":1900,"description":"Verification completed","updated_on":"2016-12-14T18:21:00Z"}}"#;
/// dotdigital's answer to a send.
pub const DD_CODE: &[u8] = br#"{"requestId":"0bd57dc3-580c-4c1d-8aee-2ff79bd8633c","phoneNumber":"447700900123","status":"CodeNotVerified","numberStatus":"On","created":"2024-05-01T10:00:00Z"}"#;
/// dotdigital's answer to a correct code.
pub const DD_VERIFIED: &[u8] = br#"{"requestId":"0bd57dc3-580c-4c1d-8aee-2ff79bd8633c","phoneNumber":"447700900123","status":"CodeVerified","numberStatus":"On","created":"2024-05-01T10:00:00Z","verified":"2024-05-01T10:01:00Z"}"#;

/// The `Authorization` of the sample SMS, signed at [`now`] with [`NONCE`]:
/// the value both the library and the floor must produce, and the value
/// TeleSign's Python SDK produces in `benches/python/telesign_sdk_round.py`.
pub const SMS_AUTHORIZATION: &str =
    "TSA FFFFFFFF-EEEE-DDDD-1234-AB1234567890:2pDndlnRPZcpyveHE7XumOwnZoTri8VuOFg3mB+2i1k=";

/// The fixed signing time of every sample: `Wed, 14 Dec 2016 18:20:12 GMT`.
pub fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_481_739_612)
}

/// TeleSign at its default base URL, signing with HMAC.
pub fn telesign_config() -> ProviderConfig {
    let credentials = telesign::Credentials::new(CUSTOMER_ID, API_KEY).expect("valid credentials");
    telesign::Config::new(credentials).into()
}

/// dotdigital at its default base URL.
pub fn dotdigital_config() -> ProviderConfig {
    let credentials =
        dotdigital::Credentials::new(DD_USER, DD_PASSWORD).expect("valid credentials");
    dotdigital::Config::new(credentials).into()
}

/// An answer with a JSON content type.
pub fn response(status: u16, body: &'static [u8]) -> http::Response<&'static [u8]> {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body)
        .expect("a valid response")
}

/// The sample SMS.
pub fn telesign_sms() -> SendSms {
    SendSms::new(SMS_PHONE)
        .verify_code(Code::new(CODE))
        .template(SMS_TEMPLATE)
        .ucid(Ucid::Atck)
}

/// The sample status query with a code: a code check of [`CODE`].
pub fn telesign_status() -> CheckCode {
    CheckCode::new(reference_id(), Code::new(CODE))
}

/// [`REFERENCE_ID`], typed.
pub fn reference_id() -> ReferenceId {
    ReferenceId::new(REFERENCE_ID).expect("valid id")
}

/// The sample dotdigital send, valid for [`DD_VALIDITY`] from [`now`].
pub fn dotdigital_send() -> SendCode {
    SendCode::new(DD_TO, DD_FROM)
        .body(DD_BODY)
        .valid_until(now() + DD_VALIDITY, now())
}

/// The library's request for `op`: validated, built, signed at `now` with `nonce`.
pub fn build_sign<O: Operation>(
    op: &O,
    config: &ProviderConfig,
    now: SystemTime,
    nonce: &str,
) -> http::Request<Vec<u8>> {
    let mut request = op
        .to_request(config, Role::Primary)
        .expect("valid operation");
    config
        .authorize(&mut request, now, nonce)
        .expect("the sample settings sign");
    request
}

/// The library's reading of `answer` for `op`: whether it is a success.
pub fn parse<O: Operation>(op: &O, config: &ProviderConfig, answer: http::Response<&[u8]>) -> bool {
    op.parse_response(config.provider(), answer).is_ok()
}

/// What the library read from a TeleSign send's answer: reference id and
/// status code (to compare with a floor's reading).
pub fn read_telesign_send(
    op: &SendSms,
    config: &ProviderConfig,
    answer: http::Response<&[u8]>,
) -> (String, i64) {
    let r = op
        .parse_response(config.provider(), answer)
        .expect("a success");
    (r.reference_id.as_str().to_owned(), r.status.code.code())
}

/// What the library read from a code check's answer.
pub fn read_telesign_check(
    op: &CheckCode,
    config: &ProviderConfig,
    answer: http::Response<&[u8]>,
) -> telesign::CodeCheck {
    op.parse_response(config.provider(), answer)
        .expect("a success")
}

/// What the library read from a dotdigital VerifyCode: request id and status.
pub fn read_dotdigital(
    op: &SendCode,
    config: &ProviderConfig,
    answer: http::Response<&[u8]>,
) -> (String, String) {
    let r = op
        .parse_response(config.provider(), answer)
        .expect("a success");
    (
        r.request_id.as_str().to_owned(),
        r.status.as_str().to_owned(),
    )
}
