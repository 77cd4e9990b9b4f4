//! The caller's mistakes: every field that breaks a documented rule, found
//! before a request exists.

use std::fmt;

use crate::Provider;

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
    /// The provider whose rule this is, when an operation that may reach
    /// several providers (a neutral start with a backup) was checked against
    /// each and breaks this rule for some of them only; `None` when the rule
    /// holds for every provider checked (or only one was).
    pub provider: Option<Provider>,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.provider {
            Some(p) => write!(f, "{} (for {p}): {}", self.field, self.rule),
            None => write!(f, "{}: {}", self.field, self.rule),
        }
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
                provider: None,
            }],
        }
    }

    /// One error from the checks of one operation against several providers,
    /// in the order given: a rule broken for every provider checked is
    /// listed once, untagged; any other is tagged with its provider.
    pub(crate) fn for_providers(checks: &[(Provider, Option<&ValidationError>)]) -> Option<Self> {
        let mut errors: Vec<FieldError> = Vec::new();
        for (provider, error) in checks {
            for e in error.iter().flat_map(|e| e.errors.iter()) {
                let everywhere = checks.iter().all(|(_, other)| {
                    other.is_some_and(|o| {
                        o.errors
                            .iter()
                            .any(|x| x.field == e.field && x.rule == e.rule)
                    })
                });
                let tagged = FieldError {
                    provider: (!everywhere).then_some(*provider),
                    ..e.clone()
                };
                if !errors.contains(&tagged) {
                    errors.push(tagged);
                }
            }
        }
        (!errors.is_empty()).then_some(Self { errors })
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
            provider: None,
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

    #[test]
    fn rules_of_several_providers_name_the_provider_unless_shared() {
        let phone = ValidationError::single("phone_number", "must be digits");
        let mut both = Validator::new();
        both.fail("phone_number", "must be digits");
        both.fail("code", "not taken");
        let both = both.finish().unwrap_err();
        let merged = ValidationError::for_providers(&[
            (Provider::TeleSign, Some(&phone)),
            (Provider::Dotdigital, Some(&both)),
        ])
        .unwrap();
        assert_eq!(
            merged.to_string(),
            "invalid request: phone_number: must be digits; code (for dotdigital): not taken"
        );
        assert_eq!(
            ValidationError::for_providers(&[(Provider::TeleSign, None)]),
            None
        );
    }
}
