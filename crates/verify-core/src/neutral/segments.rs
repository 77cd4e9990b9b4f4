//! How many SMS a text is billed as: GSM 03.38 (7-bit) or UCS-2.

/// The alphabet a text is sent in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// The GSM 03.38 7-bit default alphabet (with its extension table):
    /// 160 septets in one SMS, 153 per part of a longer one.
    Gsm7,
    /// UCS-2 (UTF-16 on the wire): 70 code units in one SMS, 67 per part.
    Ucs2,
}

/// The size of a text as SMS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Segments {
    /// The alphabet the whole text needs: one character outside GSM 03.38
    /// makes the whole message UCS-2.
    pub encoding: Encoding,
    /// Its length in the encoding's units: septets for GSM-7 (an extension
    /// table character such as `€` or `{` counts 2), UTF-16 code units for
    /// UCS-2 (a character outside the Basic Multilingual Plane counts 2).
    pub characters: usize,
    /// How many SMS it is sent (and usually billed) as; an empty text is 1.
    pub segments: usize,
}

/// Septets in one SMS, and in each part of a concatenated one.
const GSM_SINGLE: usize = 160;
const GSM_PART: usize = 153;
/// UTF-16 units in one SMS, and in each part of a concatenated one.
const UCS2_SINGLE: usize = 70;
const UCS2_PART: usize = 67;

/// The GSM 03.38 default alphabet (basic table), except the escape code.
const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
                         ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// The GSM 03.38 extension table: each costs an escape and a septet.
const GSM_EXTENSION: &str = "\u{c}^{}\\[~]|€";

/// Septets for `c` in GSM-7, or `None` when GSM-7 cannot carry it.
fn gsm_septets(c: char) -> Option<usize> {
    if GSM_BASIC.contains(c) {
        Some(1)
    } else if GSM_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Packs units into parts of `part` without splitting one character.
fn count(units: &[usize], single: usize, part: usize) -> (usize, usize) {
    let total: usize = units.iter().sum();
    if total <= single {
        return (total, 1);
    }
    let mut parts = 1;
    let mut used = 0;
    for &u in units {
        if used + u > part {
            parts += 1;
            used = 0;
        }
        used += u;
    }
    (total, parts)
}

/// How many SMS `text` needs.
///
/// GSM-7 when every character is in the GSM 03.38 default alphabet or its
/// extension table, UCS-2 otherwise. A character is never split across two
/// parts (an extension pair or a UTF-16 surrogate pair moves whole to the next
/// part), as handsets and gateways do.
///
/// ```
/// use verify_core::neutral::{Encoding, segments};
/// let s = segments("Your code is 123456");
/// assert_eq!((s.encoding, s.characters, s.segments), (Encoding::Gsm7, 19, 1));
/// assert_eq!(segments(&"a".repeat(161)).segments, 2);
/// let s = segments("Ваш код 123456");
/// assert_eq!((s.encoding, s.segments), (Encoding::Ucs2, 1));
/// ```
pub fn segments(text: &str) -> Segments {
    let gsm: Option<Vec<usize>> = text.chars().map(gsm_septets).collect();
    match gsm {
        Some(units) => {
            let (characters, segments) = count(&units, GSM_SINGLE, GSM_PART);
            Segments {
                encoding: Encoding::Gsm7,
                characters,
                segments,
            }
        }
        None => {
            let units: Vec<usize> = text.chars().map(char::len_utf16).collect();
            let (characters, segments) = count(&units, UCS2_SINGLE, UCS2_PART);
            Segments {
                encoding: Encoding::Ucs2,
                characters,
                segments,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_have_the_standard_sizes() {
        // 128 positions minus the escape code; 10 extension characters.
        assert_eq!(GSM_BASIC.chars().count(), 127);
        assert_eq!(GSM_EXTENSION.chars().count(), 10);
        let mut all: Vec<char> = GSM_BASIC.chars().chain(GSM_EXTENSION.chars()).collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 137, "no character is in both tables or twice");
    }

    #[test]
    fn gsm_boundaries() {
        let s = |n: usize| segments(&"x".repeat(n));
        assert_eq!(s(0).segments, 1);
        assert_eq!(s(160).segments, 1);
        assert_eq!(s(161).segments, 2);
        assert_eq!(s(306).segments, 2);
        assert_eq!(s(307).segments, 3);
        assert_eq!(s(459).segments, 3);
        assert_eq!(s(460).segments, 4);
    }

    #[test]
    fn extension_characters_count_two_and_are_not_split() {
        let s = segments(&"€".repeat(80));
        assert_eq!(
            (s.encoding, s.characters, s.segments),
            (Encoding::Gsm7, 160, 1)
        );
        let s = segments(&"€".repeat(81));
        assert_eq!((s.characters, s.segments), (162, 2));
        // 152 septets then an extension pair: the pair moves to part 2.
        let text = format!("{}{}{}", "a".repeat(152), "€", "a".repeat(10));
        let s = segments(&text);
        assert_eq!((s.characters, s.segments), (164, 2));
        let text = format!("{}{}{}", "a".repeat(152), "€", "a".repeat(152));
        assert_eq!(
            segments(&text).segments,
            3,
            "153 + 153 would fit only by splitting €"
        );
    }

    #[test]
    fn ucs2_boundaries_and_surrogates() {
        let s = |t: String| segments(&t);
        assert_eq!(
            s("é".repeat(70)).encoding,
            Encoding::Gsm7,
            "é is in GSM 03.38"
        );
        let u = |n: usize| s("ä".repeat(n - 1) + "ć");
        assert_eq!((u(70).encoding, u(70).segments), (Encoding::Ucs2, 1));
        assert_eq!(u(71).segments, 2);
        assert_eq!(u(134).segments, 2);
        assert_eq!(u(135).segments, 3);
        let e = s("😀".repeat(35));
        assert_eq!(
            (e.encoding, e.characters, e.segments),
            (Encoding::Ucs2, 70, 1)
        );
        // 66 units then a surrogate pair: the pair moves to part 2.
        let e = s(format!("{}😀{}", "ć".repeat(66), "ć".repeat(10)));
        assert_eq!((e.characters, e.segments), (78, 2));
    }
}
