//! TeleSign request builders: the SMS and voice sends, the status query and
//! code check, and the completion.

use verify_core::Role;

use super::input::Fields;
use super::properties::{assert_no_secret, check_build};
use super::settings::{role, telesign_config};

/// Target `telesign_sms_request`: fields `phone_number, ucid,
/// originating_ip, language, verify_code, template, sender_id, flags,
/// template_limit, dlt_template_id, dlt_entity_id, transaction_amount,
/// transaction_payee, flags2`.
///
/// `flags`: 1 backup role, 2 sets `originating_ip`, 4 `language`, 8
/// `verify_code`, 16 `template`, 32 `sender_id`, 64 `is_primary` (its value
/// is bit 128; 128 alone means no flags, and is how a seed writes them, as
/// a 0 byte would be a field separator). `flags2`: 1 sets `template_limit` (a decimal number), 2
/// `dlt_template_id`, 4 `dlt_entity_id`, 8 `transaction_amount`, 16
/// `transaction_payee`, 32 `sim_swap_check` (its value is bit 64). A pair
/// given together goes through its builder (`dlt`, `transaction`), a lone
/// half is set on the field.
///
/// - the usual request properties ([`check_build`]), no code in the error
///   text ([`assert_no_secret`]), and `validate()` agrees with `to_request()`;
/// - an accepted request's form body decodes back to exactly the fields
///   given (`template_limit` is never sent; `is_primary` is `false` for a
///   backup unless given);
/// - the rules of the optional fields, checked independently: DLT ids and
///   transaction fields are 1 to 40 characters, the amount and the payee
///   only together, the template limit 1 to 1600 and the template within it;
///   a broken rule is refused naming the field, and an accepted request
///   breaks none.
pub fn telesign_sms_request(data: &[u8]) {
    use verify_core::telesign::{SendSms, TEMPLATE_DEFAULT_MAX, TEMPLATE_LIMIT_MAX};
    let f = Fields::new(data);
    let code = f.text(4);
    let flags = f.byte(7);
    let flags2 = f.byte(13);
    let given = |on: bool, i: usize| on.then(|| f.text(i));
    let template_limit: Option<usize> =
        given(flags2 & 1 != 0, 8).and_then(|t| t.trim().parse().ok());
    let dlt_template_id = given(flags2 & 2 != 0, 9);
    let dlt_entity_id = given(flags2 & 4 != 0, 10);
    let amount = given(flags2 & 8 != 0, 11);
    let payee = given(flags2 & 16 != 0, 12);
    let sim_swap_check = (flags2 & 32 != 0).then_some(flags2 & 64 != 0);
    let ucid = f.text(1).parse::<verify_core::telesign::Ucid>().ok();
    let is_primary = (flags & 64 != 0).then_some(flags & 128 != 0);
    let make = |code: &str| {
        let mut op = SendSms::new(f.text(0));
        if let Some(ucid) = ucid {
            op = op.ucid(ucid);
        }
        if flags & 2 != 0 {
            op = op.originating_ip(f.text(2));
        }
        if flags & 4 != 0 {
            op = op.language(f.text(3));
        }
        if flags & 8 != 0 {
            op = op.verify_code(verify_core::Code::new(code));
        }
        if flags & 16 != 0 {
            op = op.template(f.text(5));
        }
        if let Some(limit) = template_limit {
            op = op.template_limit(limit);
        }
        if flags & 32 != 0 {
            op = op.sender_id(f.text(6));
        }
        if let Some(primary) = is_primary {
            op = op.is_primary(primary);
        }
        match (&dlt_template_id, &dlt_entity_id) {
            (Some(t), Some(e)) => op = op.dlt(t.clone(), e.clone()),
            (t, e) => {
                op.dlt_template_id = t.clone();
                op.dlt_entity_id = e.clone();
            }
        }
        match (&amount, &payee) {
            (Some(a), Some(p)) => op = op.transaction(a.clone(), p.clone()),
            (a, p) => {
                op.transaction_amount = a.clone();
                op.transaction_payee = p.clone();
            }
        }
        if let Some(check) = sim_swap_check {
            op = op.sim_swap_check(check);
        }
        op
    };
    let op = make(&code);
    let role = role(flags);
    let built = check_build(&op, &telesign_config(), role);
    assert_eq!(
        built.is_ok(),
        op.validate().is_ok(),
        "validate() and to_request() agree"
    );

    // The rules of the optional fields, computed here from the inputs.
    let mut broken: Vec<&str> = Vec::new();
    let within = |v: &Option<String>, max: usize| {
        v.as_ref()
            .is_none_or(|s| !s.is_empty() && s.chars().count() <= max)
    };
    for (field, value) in [
        ("dlt_template_id", &dlt_template_id),
        ("dlt_entity_id", &dlt_entity_id),
        ("transaction_amount", &amount),
        ("transaction_payee", &payee),
    ] {
        if !within(value, 40) {
            broken.push(field);
        }
    }
    match (&amount, &payee) {
        (Some(_), None) => broken.push("transaction_payee"),
        (None, Some(_)) => broken.push("transaction_amount"),
        _ => {}
    }
    let limit = template_limit.unwrap_or(TEMPLATE_DEFAULT_MAX);
    let template = (flags & 16 != 0).then(|| f.text(5));
    if !(1..=TEMPLATE_LIMIT_MAX).contains(&limit)
        || template
            .as_ref()
            .is_some_and(|t| t.contains("$$CODE$$") && t.chars().count() > limit)
    {
        broken.push("template");
    }
    match &built {
        Ok(request) => {
            assert!(broken.is_empty(), "accepted, breaking {broken:?}");
            // The body decodes back to exactly the fields given.
            let mut sent: Vec<(String, String)> = serde_urlencoded::from_bytes(request.body())
                .unwrap_or_else(|e| panic!("the form body does not decode: {e}"));
            let bool_str = |b: bool| if b { "true" } else { "false" }.to_owned();
            let optional = [
                ("ucid", ucid.map(|u| u.as_str().to_owned())),
                ("originating_ip", given(flags & 2 != 0, 2)),
                ("language", given(flags & 4 != 0, 3)),
                ("verify_code", (flags & 8 != 0).then(|| code.clone())),
                ("template", template.clone()),
                ("sender_id", given(flags & 32 != 0, 6)),
                (
                    "is_primary",
                    match (is_primary, role) {
                        (Some(b), _) => Some(bool_str(b)),
                        (None, Role::Backup) => Some(bool_str(false)),
                        (None, Role::Primary) => None,
                    },
                ),
                ("dlt_template_id", dlt_template_id.clone()),
                ("dlt_entity_id", dlt_entity_id.clone()),
                ("transaction_amount", amount.clone()),
                ("transaction_payee", payee.clone()),
                ("sim_swap_check", sim_swap_check.map(bool_str)),
            ];
            let mut expected = vec![("phone_number".to_owned(), f.text(0))];
            for (name, value) in optional {
                if let Some(value) = value {
                    expected.push((name.to_owned(), value));
                }
            }
            sent.sort();
            expected.sort();
            // Not compared with `assert_eq!`, whose message would show the code.
            assert!(
                sent == expected,
                "the form body decodes to fields {:?}, not {:?}",
                sent.iter().map(|(k, _)| k).collect::<Vec<_>>(),
                expected.iter().map(|(k, _)| k).collect::<Vec<_>>()
            );
        }
        Err(e) => {
            for field in &broken {
                assert!(e.fields().any(|f| f == *field), "{field} is not named: {e}");
            }
        }
    }
    assert_no_secret(make, &code, &telesign_config(), role);
}

/// Target `telesign_call_request`: fields `phone_number, ucid,
/// originating_ip, language, verify_code, tts_message, flags`.
pub fn telesign_call_request(data: &[u8]) {
    use verify_core::telesign::SendCall;
    let f = Fields::new(data);
    let code = f.text(4);
    let flags = f.byte(6);
    let make = |code: &str| {
        let mut op = SendCall::new(f.text(0));
        if let Ok(ucid) = f.text(1).parse() {
            op = op.ucid(ucid);
        }
        if flags & 2 != 0 {
            op = op.originating_ip(f.text(2));
        }
        if flags & 4 != 0 {
            op = op.language(f.text(3));
        }
        if flags & 8 != 0 {
            op = op.verify_code(verify_core::Code::new(code));
        }
        if flags & 16 != 0 {
            op = op.tts_message(f.text(5));
        }
        op
    };
    let op = make(&code);
    let built = check_build(&op, &telesign_config(), role(flags));
    assert_eq!(
        built.is_ok(),
        op.validate().is_ok(),
        "validate() and to_request() agree"
    );
    assert_no_secret(make, &code, &telesign_config(), role(flags));
}

/// Target `telesign_status_request`: fields `reference_id, verify_code,
/// flags` (flags: 1 backup role, 2 check the code). A refused id is a
/// `ValidationError` naming `reference_id`.
///
/// - the status query (`GetStatus`) of a valid id is always built: `GET
///   /v1/verify/{reference_id}`, without a query;
/// - with flag 2, the code check (`CheckCode`): the usual request properties
///   ([`check_build`]), no code in the error text ([`assert_no_secret`]),
///   `validate()` agrees with `to_request()`, the code is accepted exactly
///   when it is 3 to 7 ASCII digits (a refusal names only `verify_code`),
///   and an accepted check is `GET /v1/verify/{reference_id}?verify_code={code}`.
pub fn telesign_status_request(data: &[u8]) {
    use verify_core::telesign::{CheckCode, GetStatus, ReferenceId};
    let f = Fields::new(data);
    let (id, code, flags) = (f.text(0), f.text(1), f.byte(2));
    let id = match ReferenceId::new(&id) {
        Ok(id) => id,
        Err(e) => {
            assert!(e.fields().eq(["reference_id"]), "{e}");
            return;
        }
    };
    let config = telesign_config();
    let base = config.base_url().as_str();
    let role = role(flags);

    let request = check_build(&GetStatus::new(id), &config, role)
        .unwrap_or_else(|e| panic!("a valid reference id is refused: {e}"));
    assert_eq!(request.method(), http::Method::GET);
    assert_eq!(
        request.uri().to_string(),
        format!("{base}/v1/verify/{}", id.as_str())
    );

    if flags & 2 == 0 {
        return;
    }
    let make = |code: &str| CheckCode::new(id, verify_core::Code::new(code));
    let op = make(&code);
    let built = check_build(&op, &config, role);
    assert_eq!(
        built.is_ok(),
        op.validate().is_ok(),
        "validate() and to_request() agree"
    );
    let code_ok = (3..=7).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit());
    assert_eq!(built.is_ok(), code_ok, "a code is 3 to 7 digits");
    match &built {
        Ok(request) => {
            assert_eq!(request.method(), http::Method::GET);
            // Not compared with `assert_eq!`, whose message would show the code.
            assert!(
                request.uri().to_string()
                    == format!("{base}/v1/verify/{}?verify_code={code}", id.as_str()),
                "not the code check of {}",
                id.as_str()
            );
        }
        Err(e) => assert!(e.fields().eq(["verify_code"]), "{e}"),
    }
    assert_no_secret(make, &code, &config, role);
}

/// Target `telesign_completion_request`: field `reference_id`.
pub fn telesign_completion_request(data: &[u8]) {
    use verify_core::telesign::{Complete, ReferenceId};
    let f = Fields::new(data);
    match ReferenceId::new(&f.text(0)) {
        Ok(id) => {
            let request = check_build(&Complete::new(id), &telesign_config(), Role::Primary)
                .unwrap_or_else(|e| panic!("a valid reference id is refused: {e}"));
            assert_eq!(request.method(), http::Method::PUT);
        }
        Err(e) => assert!(e.fields().eq(["reference_id"]), "{e}"),
    }
}
