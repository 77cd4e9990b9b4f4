//! What the shield reads from a phone number: its digits, country, block
//! and type. The country and the type come from `phonenumber` (Google's
//! libphonenumber metadata), not from a table of our own.

use phonenumber::Type;

use crate::rules::NumberType;

/// A number the shield can decide on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Number {
    /// International digits, country code first, no `+`.
    pub digits: String,
    /// ISO 3166 alpha-2 (`ZZ` when the metadata names no country, as for
    /// non-geographic codes).
    pub country: String,
    /// The number without its last 3 digits.
    pub block: String,
    /// Its type, when one the shield knows.
    pub kind: Option<NumberType>,
}

impl Number {
    /// Reads `input`: international digits with or without a leading `+`,
    /// 7 to 15 digits, no leading 0. `None` when it is not such a number
    /// or the country code is unknown.
    pub fn parse(input: &str) -> Option<Self> {
        let digits = input.strip_prefix('+').unwrap_or(input);
        if !(7..=15).contains(&digits.len())
            || !digits.bytes().all(|b| b.is_ascii_digit())
            || digits.starts_with('0')
        {
            return None;
        }
        let e164 = format!("+{digits}");
        // The parser is third-party code fed with outside input: a panic in
        // it must not take the caller down (the number is then refused).
        let parsed = std::panic::catch_unwind(|| {
            let n = phonenumber::parse(None, &e164).ok()?;
            let db = &*phonenumber::metadata::DATABASE;
            // A number of a shared country code that fits no region's
            // patterns counts for the code's main region (`US` for 1, `GB`
            // for 44).
            let main = || {
                db.region(&n.code().value())
                    .and_then(|r| r.first().map(|id| (*id).to_owned()))
            };
            let country = n
                .metadata(db)
                .map(|m| m.id().to_owned())
                .or_else(main)
                .filter(|id| id.len() == 2 && id.bytes().all(|b| b.is_ascii_uppercase()))
                .unwrap_or_else(|| "ZZ".to_owned());
            Some((country, n.number_type(db)))
        })
        .ok()
        .flatten()?;
        let (country, kind) = parsed;
        Some(Self {
            block: digits[..digits.len() - 3].to_owned(),
            digits: digits.to_owned(),
            country,
            kind: kind_of(kind),
        })
    }
}

fn kind_of(t: Type) -> Option<NumberType> {
    Some(match t {
        Type::PremiumRate => NumberType::PremiumRate,
        Type::SharedCost => NumberType::SharedCost,
        Type::TollFree => NumberType::TollFree,
        Type::Voip => NumberType::Voip,
        Type::PersonalNumber => NumberType::PersonalNumber,
        Type::Pager => NumberType::Pager,
        Type::Uan => NumberType::Uan,
        Type::Voicemail => NumberType::Voicemail,
        Type::Unknown => NumberType::Unknown,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_block_and_type_are_read() {
        let uk_premium = Number::parse("+449098790000").unwrap();
        assert_eq!(uk_premium.country, "GB");
        assert_eq!(uk_premium.block, "449098790");
        assert_eq!(uk_premium.kind, Some(NumberType::PremiumRate));
        let uk_mobile = Number::parse("447400123456").unwrap();
        assert_eq!(uk_mobile.country, "GB");
        assert_eq!(uk_mobile.kind, None);
        // A fictional (drama) range fits no pattern: its code's main region.
        let uk_drama = Number::parse("447700900123").unwrap();
        assert_eq!(uk_drama.country, "GB");
        assert_eq!(uk_drama.kind, Some(NumberType::Unknown));
        let us_premium = Number::parse("19002001234").unwrap();
        assert_eq!(us_premium.country, "US");
        assert_eq!(us_premium.kind, Some(NumberType::PremiumRate));
    }

    #[test]
    fn what_is_not_an_international_number_is_refused() {
        for bad in [
            "",
            "+",
            "123",
            "0447700900123",
            "+44 7700 900123",
            "4477009001234567",
            "٤٤٧٧٠٠٩٠٠١٢٣",
        ] {
            assert_eq!(Number::parse(bad), None, "{bad}");
        }
    }
}
