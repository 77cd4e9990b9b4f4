//! dotdigital: the send and validate request builders, and their answers.

use std::time::Duration;

use verify_core::{Provider, Role};

use super::input::Fields;
use super::properties::{assert_no_secret, check_build, check_parse};
use super::settings::{date, dotdigital_config, request_id, role};

/// Target `dotdigital_send_code_response`.
pub fn dotdigital_send_code_response(data: &[u8]) {
    let op = verify_core::dotdigital::SendCode::new("447700900123", "Example");
    let _ = check_parse(&op, Provider::Dotdigital, data);
}

/// Target `dotdigital_validate_code_response`.
pub fn dotdigital_validate_code_response(data: &[u8]) {
    let op =
        verify_core::dotdigital::ValidateCode::new(request_id(), verify_core::Code::new("123456"));
    let _ = check_parse(&op, Provider::Dotdigital, data);
}

/// Target `dotdigital_send_code_request`: fields `to, from,
/// country_iso_code, body, valid_until_offset, flags` where the offset is a
/// signed number of seconds from a fixed `now`.
pub fn dotdigital_send_code_request(data: &[u8]) {
    use verify_core::dotdigital::SendCode;
    let f = Fields::new(data);
    let flags = f.byte(5);
    let mut op = SendCode::new(f.text(0), f.text(1));
    if flags & 2 != 0 {
        op = op.country_iso_code(f.text(2));
    }
    if flags & 4 != 0 {
        op = op.body(f.text(3));
    }
    if flags & 8 != 0 {
        let offset: i64 = f.text(4).trim().parse().unwrap_or(0);
        let now = date();
        let until = if offset >= 0 {
            now.checked_add(Duration::from_secs(offset.unsigned_abs()))
        } else {
            now.checked_sub(Duration::from_secs(offset.unsigned_abs()))
        };
        if let Some(until) = until {
            op = op.valid_until(until, now);
        }
    }
    let _ = check_build(&op, &dotdigital_config(), role(flags));
}

/// Target `dotdigital_validate_code_request`: fields `request_id, code`.
pub fn dotdigital_validate_code_request(data: &[u8]) {
    use verify_core::dotdigital::{RequestId, ValidateCode};
    let f = Fields::new(data);
    let code = f.text(1);
    let id = match RequestId::new(f.text(0)) {
        Ok(id) => id,
        Err(e) => {
            assert!(e.fields().eq(["requestId"]), "{e}");
            return;
        }
    };
    let make = |code: &str| ValidateCode::new(id, verify_core::Code::new(code));
    let _ = check_build(&make(&code), &dotdigital_config(), Role::Primary);
    assert_no_secret(make, &code, &dotdigital_config(), Role::Primary);
}
