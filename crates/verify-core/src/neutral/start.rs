//! Start a verification with whichever provider is configured.

use crate::dotdigital::SendCode;
use crate::telesign::SendSms;
use crate::telesign_verify::CreateVerification;
use crate::validate::Validator;
use crate::{
    Code, Idempotency, Operation, Provider, ProviderConfig, ResponseError, Role, ValidationError,
};

use super::delivery::DeliveryState;
use super::id::VerificationId;
use super::merge;
use super::template::{check_template, provider_template};

/// The sender dotdigital is given when [`Start::sender`] is not set (it
/// requires one; TeleSign picks its own).
pub const DEFAULT_DOTDIGITAL_SENDER: &str = "Verify";

/// Send a one-time code to a phone number, through the provider configured.
///
/// Builds TeleSign's [`SendSms`] or dotdigital's [`SendCode`] and uses their
/// own `to_request` and `parse_response`, so there is one path per provider.
/// Errors name the neutral fields: `phone_number`, `code`, `template`,
/// `sender`.
///
/// ```
/// use verify_core::neutral::Start;
/// use verify_core::{Operation, ProviderConfig, Role, dotdigital, telesign};
///
/// let start = Start::new("447700900123").template("Your code is {code}").sender("Example");
/// let dd: ProviderConfig = dotdigital::Config::new(dotdigital::Credentials::new("user", "pw").unwrap()).into();
/// let request = start.to_request(&dd, Role::Primary).unwrap();
/// assert!(std::str::from_utf8(request.body()).unwrap().contains("Your code is {{code}}"));
/// ```
#[derive(Clone, Debug)]
pub struct Start {
    phone_number: String,
    code: Option<Code>,
    template: Option<String>,
    sender: Option<String>,
}

/// A verification has started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Started {
    /// What to check the user's code against later.
    pub id: VerificationId,
    /// Where the message stands right after the send.
    pub delivery: DeliveryState,
    /// Whether a message may have gone out (so a retry could send a second).
    pub message_may_have_been_sent: bool,
}

impl Start {
    /// A verification of `phone_number`: international digits, the country
    /// code first, without `+` (e.g. `447700900123`).
    pub fn new(phone_number: impl Into<String>) -> Self {
        Self {
            phone_number: phone_number.into(),
            code: None,
            template: None,
            sender: None,
        }
    }

    /// Sends this code instead of a provider-generated one (TeleSign only:
    /// 3 to 7 digits; dotdigital always generates its own).
    pub fn code(mut self, code: Code) -> Self {
        self.code = Some(code);
        self
    }

    /// The message text, with [`CODE_PLACEHOLDER`](super::CODE_PLACEHOLDER)
    /// (`{code}`) where the code goes.
    pub fn template(mut self, template: impl Into<String>) -> Self {
        self.template = Some(template.into());
        self
    }

    /// Who the message is from (TeleSign `sender_id`, dotdigital `from`).
    pub fn sender(mut self, sender: impl Into<String>) -> Self {
        self.sender = Some(sender.into());
        self
    }

    /// The phone number as given.
    pub fn phone_number(&self) -> &str {
        &self.phone_number
    }

    /// The TeleSign operation this start is. `is_primary` follows the
    /// [`Role`] given to `to_request` (`false` for a backup).
    pub fn telesign(&self) -> SendSms {
        let mut op = SendSms::new(self.phone_number.clone());
        if let Some(code) = &self.code {
            op = op.verify_code(code.clone());
        }
        if let Some(t) = &self.template {
            op = op.template(provider_template(t, Provider::TeleSign));
        }
        if let Some(s) = &self.sender {
            op = op.sender_id(s.clone());
        }
        op
    }

    /// The Verify API operation this start is: a code by SMS (with the own
    /// code as `security_factor`).
    pub fn telesign_verify(&self) -> CreateVerification {
        let mut op = CreateVerification::sms(self.phone_number.clone());
        if let Some(code) = &self.code {
            op = op.security_factor(code.clone());
        }
        op
    }

    /// The dotdigital operation this start is (without an own code, which
    /// dotdigital does not take).
    pub fn dotdigital(&self) -> SendCode {
        let sender = self.sender.as_deref().unwrap_or(DEFAULT_DOTDIGITAL_SENDER);
        let mut op = SendCode::new(self.phone_number.clone(), sender);
        if let Some(t) = &self.template {
            op = op.body(provider_template(t, Provider::Dotdigital));
        }
        op
    }
}

/// The neutral checks shared by both providers.
fn check_phone(v: &mut Validator, phone: &str) {
    v.check(
        (7..=15).contains(&phone.len())
            && phone.bytes().all(|b| b.is_ascii_digit())
            && !phone.starts_with('0'),
        "phone_number",
        "must be an international number: 7 to 15 digits, the country code first, \
         without '+', spaces or punctuation",
    );
}

impl Operation for Start {
    type Output = Started;

    fn name(&self) -> &'static str {
        "neutral.start"
    }

    fn provider(&self) -> Option<Provider> {
        None
    }

    fn idempotency(&self) -> Idempotency {
        Idempotency::SendsMessage
    }

    fn to_request(
        &self,
        config: &ProviderConfig,
        role: Role,
    ) -> Result<http::Request<Vec<u8>>, ValidationError> {
        let mut v = Validator::new();
        check_phone(&mut v, &self.phone_number);
        // The Verify API takes no message text (refused below, once).
        if let Some(t) = &self.template
            && !matches!(config, ProviderConfig::TeleSignVerify(_))
        {
            check_template(&mut v, t);
        }
        if matches!(config, ProviderConfig::Dotdigital(_)) && self.code.is_some() {
            v.fail(
                "code",
                "dotdigital generates its own codes: leave the code out for dotdigital",
            );
        }
        if matches!(config, ProviderConfig::TeleSignVerify(_)) {
            if self.template.is_some() {
                v.fail(
                    "template",
                    "TeleSign's Verify API sends its own templates (chosen by name): leave the template out for it",
                );
            }
            if self.sender.is_some() {
                v.fail(
                    "sender",
                    "TeleSign's Verify API chooses the sender: leave the sender out for it",
                );
            }
        }
        let built = match config {
            ProviderConfig::TeleSign(_) => self.telesign().to_request(config, role),
            ProviderConfig::Dotdigital(_) => self.dotdigital().to_request(config, role),
            ProviderConfig::TeleSignVerify(_) => self.telesign_verify().to_request(config, role),
        };
        merge(v.finish(), built)
    }

    fn parse_response(
        &self,
        provider: Provider,
        response: http::Response<&[u8]>,
    ) -> Result<Started, ResponseError> {
        match provider {
            Provider::TeleSign => {
                // Parsing reads none of the send's fields.
                let out = SendSms::default().parse_response(provider, response)?;
                Ok(Started {
                    id: VerificationId::TeleSign(out.reference_id),
                    delivery: DeliveryState::from(out.status.code),
                    message_may_have_been_sent: out.status.code.message_may_have_been_sent(),
                })
            }
            Provider::TeleSignVerify => {
                // Parsing reads none of the create's fields.
                let out = CreateVerification::new().parse_response(provider, response)?;
                Ok(Started {
                    id: VerificationId::TeleSignVerify(out.reference_id),
                    delivery: DeliveryState::from(&out.state),
                    // Any 200 may have sent a message.
                    message_may_have_been_sent: true,
                })
            }
            Provider::Dotdigital => {
                let out = self.dotdigital().parse_response(provider, response)?;
                Ok(Started {
                    delivery: DeliveryState::from(&out.status),
                    id: VerificationId::Dotdigital(out.request_id),
                    // PROVIDERS.md section 3: any 2xx may have sent a message.
                    message_may_have_been_sent: true,
                })
            }
        }
    }
}
