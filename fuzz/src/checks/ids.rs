//! Verification ids: the text and JSON forms of a `VerificationId`, checked
//! against the id rules computed here, independently of the core.

/// Whether `s` is a TeleSign reference id (32 hexadecimal digits), computed
/// independently of the core.
fn is_reference_id(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether `s` is a dotdigital request id (a GUID, 8-4-4-4-12 hexadecimal
/// digits), computed independently of the core.
fn is_request_id(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whether `provider:id` names a verification, computed independently.
fn is_verification_id(provider: &str, id: &str) -> bool {
    match provider {
        "telesign" | "telesign_verify" => is_reference_id(id),
        "dotdigital" => is_request_id(id),
        _ => false,
    }
}

/// The fields a refused `VerificationId` may name.
const VERIFICATION_ID_FIELDS: &[&str] = &["verification_id", "reference_id", "requestId"];

/// Target `verification_id`: the input (lossy UTF-8) parsed as the text
/// form `provider:id`, and the same bytes read as its JSON form.
///
/// - the text parses exactly when it is `telesign:<32 hex digits>`,
///   `telesign_verify:<32 hex digits>` or `dotdigital:<GUID>`; a refusal is
///   a `ValidationError` naming the id;
/// - whatever parses (either way) prints back as `provider:id`, serializes
///   as `{"provider":..,"id":..}`, and both forms parse back to an equal id;
///   the text form prints back to exactly the input (letter case is kept);
/// - a JSON object of exactly `provider` and `id` strings reads as the
///   same id as its text form, or is refused where the text form is.
pub fn verification_id(data: &[u8]) {
    use verify_core::neutral::VerificationId;

    fn round_trip(id: &VerificationId) {
        let shown = id.to_string();
        assert_eq!(shown, format!("{}:{}", id.provider(), id.as_str()));
        assert!(is_verification_id(&id.provider().to_string(), id.as_str()));
        let again: VerificationId = shown
            .parse()
            .unwrap_or_else(|e| panic!("{shown} does not parse back: {e}"));
        assert_eq!(&again, id, "Display round-trip");
        let json = serde_json::to_string(id).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            json,
            format!(
                r#"{{"provider":"{}","id":"{}"}}"#,
                id.provider(),
                id.as_str()
            )
        );
        let again: VerificationId = serde_json::from_str(&json)
            .unwrap_or_else(|e| panic!("{json} does not deserialize back: {e}"));
        assert_eq!(&again, id, "serde round-trip");
    }

    let text = String::from_utf8_lossy(data);
    let parsed = text.parse::<VerificationId>();
    let expected = text
        .split_once(':')
        .is_some_and(|(p, id)| is_verification_id(p, id));
    match &parsed {
        Ok(id) => {
            assert!(expected, "{text:?} parsed");
            assert_eq!(id.to_string(), text, "printing gives back the input");
            round_trip(id);
        }
        Err(e) => {
            assert!(!expected, "{text:?} is refused: {e}");
            assert!(!e.errors().is_empty(), "a ValidationError names a field");
            for field in e.fields() {
                assert!(VERIFICATION_ID_FIELDS.contains(&field), "{field}: {e}");
            }
            let _ = format!("{e} {e:?}");
        }
    }

    let from_json = serde_json::from_slice::<VerificationId>(data);
    if let Ok(id) = &from_json {
        round_trip(id);
    }
    if let Err(e) = &from_json {
        let _ = format!("{e}");
    }
    // The documented JSON form reads exactly as its text form, and a key
    // given twice is refused (two readers must never see two different ids).
    let pairs = json_object_pairs(data);
    if let Some(pairs) = &pairs {
        let mut keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
        keys.sort_unstable();
        if keys.windows(2).any(|w| w[0] == w[1]) {
            assert!(
                from_json.is_err(),
                "a duplicate key is refused: {from_json:?}"
            );
        }
    }
    let documented = match pairs.as_deref() {
        Some(
            [
                (k1, serde_json::Value::String(p)),
                (k2, serde_json::Value::String(id)),
            ],
        ) if k1 == "provider" && k2 == "id" => Some(format!("{p}:{id}")),
        Some(
            [
                (k1, serde_json::Value::String(id)),
                (k2, serde_json::Value::String(p)),
            ],
        ) if k1 == "id" && k2 == "provider" => Some(format!("{p}:{id}")),
        _ => None,
    };
    if let Some(as_text) = documented {
        match (&from_json, &as_text.parse::<VerificationId>()) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "JSON and text forms differ"),
            (Err(_), Err(_)) => {}
            (a, b) => panic!("JSON {a:?} but text {b:?}"),
        }
    }
}

/// Every key of a JSON object with its value, in order and duplicates kept
/// (a `serde_json::Value` keeps only the last of a duplicate key); `None`
/// when `data` is not a JSON object.
fn json_object_pairs(data: &[u8]) -> Option<Vec<(String, serde_json::Value)>> {
    struct Pairs(Vec<(String, serde_json::Value)>);
    impl<'de> serde::Deserialize<'de> for Pairs {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct Visitor;
            impl<'de> serde::de::Visitor<'de> for Visitor {
                type Value = Pairs;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("a JSON object")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<Pairs, A::Error> {
                    let mut pairs = Vec::new();
                    while let Some(entry) = map.next_entry()? {
                        pairs.push(entry);
                    }
                    Ok(Pairs(pairs))
                }
            }
            d.deserialize_map(Visitor)
        }
    }
    serde_json::from_slice::<Pairs>(data).ok().map(|p| p.0)
}
