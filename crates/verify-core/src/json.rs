//! Reading provider JSON without copying: text fields borrow from the body
//! whenever they hold no escape.

use std::borrow::Cow;

use serde::{Deserialize, Deserializer};

/// A string that borrows from the input when it can.
#[derive(Deserialize)]
struct Borrowed<'a>(#[serde(borrow)] Cow<'a, str>);

/// `Option<Cow<str>>` that borrows: serde's own `Option<Cow<str>>` always
/// copies. Use as `#[serde(borrow, deserialize_with = "crate::json::text")]`.
pub(crate) fn text<'de: 'a, 'a, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Cow<'a, str>>, D::Error> {
    Ok(Option::<Borrowed<'a>>::deserialize(d)?.map(|b| b.0))
}

/// Like [`text`], but a value of another JSON type reads as `None` instead
/// of failing (a provider's timestamp field that holds a number or an
/// object is ignored, not a reason to refuse the whole answer).
pub(crate) fn lenient_text<'de: 'a, 'a, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Cow<'a, str>>, D::Error> {
    struct Visitor;
    impl<'de> serde::de::Visitor<'de> for Visitor {
        type Value = Option<Cow<'de, str>>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("any JSON value")
        }

        fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Borrowed(v)))
        }

        fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v.to_owned())))
        }

        fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v)))
        }

        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
            Ok(None)
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            while map
                .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                .is_some()
            {}
            Ok(None)
        }
    }
    d.deserialize_any(Visitor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Doc<'a> {
        #[serde(borrow, default, deserialize_with = "text")]
        a: Option<Cow<'a, str>>,
    }

    #[test]
    fn borrows_plain_text_and_copies_escaped_text() {
        let plain: Doc = serde_json::from_str(r#"{"a":"plain"}"#).unwrap();
        assert!(matches!(plain.a, Some(Cow::Borrowed("plain"))));
        let escaped: Doc = serde_json::from_str(r#"{"a":"line\nbreak"}"#).unwrap();
        assert!(matches!(escaped.a, Some(Cow::Owned(ref s)) if s == "line\nbreak"));
        let null: Doc = serde_json::from_str(r#"{"a":null}"#).unwrap();
        assert!(null.a.is_none());
        let absent: Doc = serde_json::from_str("{}").unwrap();
        assert!(absent.a.is_none());
        assert!(serde_json::from_str::<Doc>(r#"{"a":1}"#).is_err());
    }
}
