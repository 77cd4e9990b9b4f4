//! The caller's mistakes: every field that breaks a documented rule, found
//! before a request exists.

use std::fmt;

/// One field of a request that breaks a documented rule.
///
/// The rule is described in words; the offending value is never repeated, so
/// a rejected code or key cannot leak through the error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name as the provider spells it (`phone_number`, `validUntil`).
    pub field: &'static str,
    /// The rule the value broke, e.g. "must be 3 to 7 digits".
    pub rule: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.rule)
    }
}

/// The caller's input breaks one or more documented rules. Nothing was sent.
///
/// Every offending field is listed, not just the first one found.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ValidationError {
    errors: Vec<FieldError>,
}

impl ValidationError {
    /// An error for a single field.
    pub fn single(field: &'static str, rule: impl Into<String>) -> Self {
        Self {
            errors: vec![FieldError {
                field,
                rule: rule.into(),
            }],
        }
    }

    /// Every field that broke a rule, in the order they were checked.
    pub fn errors(&self) -> &[FieldError] {
        &self.errors
    }

    /// The names of the offending fields.
    pub fn fields(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.errors.iter().map(|e| e.field)
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid request: ")?;
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// Collects field errors so that one call reports all of them at once.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `field` broke `rule`.
    pub fn fail(&mut self, field: &'static str, rule: impl Into<String>) {
        self.errors.push(FieldError {
            field,
            rule: rule.into(),
        });
    }

    /// Records that `field` broke `rule` unless `ok` holds.
    pub fn check(&mut self, ok: bool, field: &'static str, rule: impl Into<String>) {
        if !ok {
            self.fail(field, rule);
        }
    }

    /// `Ok(())` when nothing failed, otherwise every failure at once.
    pub fn finish(self) -> Result<(), ValidationError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationError {
                errors: self.errors,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validator_reports_every_field() {
        let mut v = Validator::new();
        v.check(false, "phone_number", "must be digits");
        v.check(true, "ucid", "unused");
        v.fail("verify_code", "must be 3 to 7 digits");
        let err = v.finish().unwrap_err();
        assert_eq!(
            err.fields().collect::<Vec<_>>(),
            ["phone_number", "verify_code"]
        );
        assert_eq!(
            err.to_string(),
            "invalid request: phone_number: must be digits; verify_code: must be 3 to 7 digits"
        );
    }
}
