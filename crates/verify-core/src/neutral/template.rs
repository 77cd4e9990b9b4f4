//! Message templates with one neutral code placeholder.

use crate::Provider;
use crate::validate::Validator;

use super::segments::{Segments, segments};

/// Where the code goes in a neutral template. It is translated to
/// TeleSign's `$$CODE$$` or dotdigital's `{{code}}`.
pub const CODE_PLACEHOLDER: &str = "{code}";

/// The template written in `provider`'s own placeholder syntax.
///
/// ```
/// use verify_core::Provider;
/// use verify_core::neutral::provider_template;
/// assert_eq!(provider_template("Code: {code}", Provider::TeleSign), "Code: $$CODE$$");
/// assert_eq!(provider_template("Code: {code}", Provider::Dotdigital), "Code: {{code}}");
/// ```
pub fn provider_template(template: &str, provider: Provider) -> String {
    let placeholder = match provider {
        // The Verify API takes template names, not text: a neutral start
        // with a template is refused for it, so its syntax is TeleSign's.
        Provider::TeleSign | Provider::TeleSignVerify => crate::telesign::CODE_PLACEHOLDER,
        Provider::Dotdigital => crate::dotdigital::CODE_PLACEHOLDER,
    };
    template.replace(CODE_PLACEHOLDER, placeholder)
}

/// The message a user receives: the template with `code` in place of every
/// `{code}`.
pub fn render(template: &str, code: &str) -> String {
    template.replace(CODE_PLACEHOLDER, code)
}

/// How many SMS the template costs once a code of `code_length` digits is in
/// it (rendered with a sample code, `0` repeated).
///
/// ```
/// use verify_core::neutral::{Encoding, template_segments};
/// let s = template_segments("Your Example code is {code}. It expires in 10 minutes.", 6);
/// assert_eq!((s.encoding, s.segments), (Encoding::Gsm7, 1));
/// let s = template_segments("Ваш код подтверждения {code}. Никому его не сообщайте, даже сотрудникам банка.", 6);
/// assert_eq!((s.encoding, s.segments), (Encoding::Ucs2, 2));
/// ```
pub fn template_segments(template: &str, code_length: usize) -> Segments {
    segments(&render(template, &"0".repeat(code_length.min(64))))
}

/// `template`: contains `{code}`, and none of the providers' own syntaxes
/// (which the translation would garble).
pub(crate) fn check_template(v: &mut Validator, template: &str) {
    if !template.contains(CODE_PLACEHOLDER) {
        v.fail("template", "must contain the {code} placeholder");
    } else if template.contains("{{") || template.contains("}}") || template.contains("$$") {
        v.fail(
            "template",
            "must use only the neutral {code} placeholder, not {{...}} or $$...$$",
        );
    }
}
