//! Helpers shared by the property tests.

/// `s` with every ASCII digit replaced by the next one (9 by 0): a value of
/// the same shape that differs in every digit, to prove a rendering does not
/// echo it.
pub fn shift_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from_digit((d + 1) % 10, 10).unwrap_or(c),
            None => c,
        })
        .collect()
}
