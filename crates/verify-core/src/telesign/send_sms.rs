//! `POST /v1/verify/sms`: send a verification code by SMS (seed 002).

use http::Method;

use super::Ucid;
use super::request::{self, check_code, check_ip, check_language, check_phone, check_text, push};
use super::response::{self, Sent};
use crate::validate::Validator;
use crate::{
    Code, Idempotency, Operation, Provider, ProviderConfig, ResponseError, Role, ValidationError,
};

/// The path of the operation.
const PATH: &str = "/v1/verify/sms";
/// Where the code goes in a TeleSign message template (SMS or voice).
pub const CODE_PLACEHOLDER: &str = "$$CODE$$";
/// The default maximum length of `template`, in characters.
pub const TEMPLATE_DEFAULT_MAX: usize = 160;
/// The highest maximum TeleSign can raise `template` to, in characters.
pub const TEMPLATE_LIMIT_MAX: usize = 1600;

/// Send an SMS with a verification code to `phone_number`.
///
/// Every field is checked before a request exists, and every broken rule is
/// reported at once:
///
/// | field | rule |
/// |---|---|
/// | `phone_number` | required; digits only, country code first, 7 to 15 digits (E.164) |
/// | `ucid` | one of the documented use cases (a [`Ucid`], so always valid) |
/// | `originating_ip` | an IPv4 or IPv6 address |
/// | `language` | a language code of 1 to 20 letters, digits, `-` or `_` |
/// | `verify_code` | 3 to 7 digits (TeleSign makes up 7 digits when absent) |
/// | `template` | contains `$$CODE$$`; at most 160 characters, or [`template_limit`](Self::template_limit) (at most 1600) |
/// | `sender_id` | at most 20 characters |
/// | `dlt_template_id`, `dlt_entity_id` | at most 40 characters |
/// | `transaction_amount`, `transaction_payee` | at most 40 characters, and only together |
/// | `is_primary`, `sim_swap_check` | booleans, sent as `"true"` / `"false"` |
///
/// Optional text fields must not be empty when given.
///
/// ```
/// use verify_core::telesign::{SendSms, Ucid};
/// use verify_core::Code;
/// let sms = SendSms::new("15555550100")
///     .verify_code(Code::new("12345"))
///     .template("Your code is $$CODE$$")
///     .ucid(Ucid::Atck);
/// assert!(sms.validate().is_ok());
/// let err = SendSms::new("+1 555").verify_code(Code::new("12")).validate().unwrap_err();
/// assert_eq!(err.fields().collect::<Vec<_>>(), ["phone_number", "verify_code"]);
/// ```
#[derive(Clone, Debug, Default)]
pub struct SendSms {
    /// The end user's phone number: digits, country code first.
    pub phone_number: String,
    /// The use case.
    pub ucid: Option<Ucid>,
    /// The end user's IP address.
    pub originating_ip: Option<String>,
    /// The language of TeleSign's predefined template.
    pub language: Option<String>,
    /// The code to send; TeleSign generates one when absent.
    pub verify_code: Option<Code>,
    /// The message text, with `$$CODE$$` where the code goes.
    pub template: Option<String>,
    /// The maximum length of `template` TeleSign allows this account
    /// (default 160, at most 1600). Not sent.
    pub template_limit: Option<usize>,
    /// The sender id shown to the end user.
    pub sender_id: Option<String>,
    /// Whether TeleSign is the primary provider for this message. When
    /// `None`, [`Role::Backup`] sends `false` and [`Role::Primary`] sends
    /// nothing (TeleSign assumes `true`).
    pub is_primary: Option<bool>,
    /// India DLT template id.
    pub dlt_template_id: Option<String>,
    /// India DLT entity id.
    pub dlt_entity_id: Option<String>,
    /// Payment amount (replaces `$$AMOUNT$$`); requires `transaction_payee`.
    pub transaction_amount: Option<String>,
    /// Payment payee (replaces `$$PAYEE$$`); requires `transaction_amount`.
    pub transaction_payee: Option<String>,
    /// Whether to run (or suppress) a SIM swap check.
    pub sim_swap_check: Option<bool>,
    /// Keys of who asked, for the abuse guard (not sent).
    pub client_keys: Vec<String>,
}

impl SendSms {
    /// A request to send a code to `phone_number`, all else default.
    pub fn new(phone_number: impl Into<String>) -> Self {
        Self {
            phone_number: phone_number.into(),
            ..Self::default()
        }
    }

    /// Sets `ucid`.
    pub fn ucid(mut self, ucid: Ucid) -> Self {
        self.ucid = Some(ucid);
        self
    }

    /// Sets `originating_ip`.
    pub fn originating_ip(mut self, ip: impl Into<String>) -> Self {
        self.originating_ip = Some(ip.into());
        self
    }

    /// Sets `language`.
    pub fn language(mut self, language: impl Into<String>) -> Self {
        self.language = Some(language.into());
        self
    }

    /// Sets `verify_code`.
    pub fn verify_code(mut self, code: Code) -> Self {
        self.verify_code = Some(code);
        self
    }

    /// Sets `template`.
    pub fn template(mut self, template: impl Into<String>) -> Self {
        self.template = Some(template.into());
        self
    }

    /// Raises (or lowers) the maximum length of `template`, for an account
    /// TeleSign has configured for longer messages (at most 1600).
    pub fn template_limit(mut self, max_chars: usize) -> Self {
        self.template_limit = Some(max_chars);
        self
    }

    /// Sets `sender_id`.
    pub fn sender_id(mut self, sender_id: impl Into<String>) -> Self {
        self.sender_id = Some(sender_id.into());
        self
    }

    /// Sets `is_primary`.
    pub fn is_primary(mut self, is_primary: bool) -> Self {
        self.is_primary = Some(is_primary);
        self
    }

    /// Sets `dlt_template_id` and `dlt_entity_id`.
    pub fn dlt(mut self, template_id: impl Into<String>, entity_id: impl Into<String>) -> Self {
        self.dlt_template_id = Some(template_id.into());
        self.dlt_entity_id = Some(entity_id.into());
        self
    }

    /// Sets `transaction_amount` and `transaction_payee`.
    pub fn transaction(mut self, amount: impl Into<String>, payee: impl Into<String>) -> Self {
        self.transaction_amount = Some(amount.into());
        self.transaction_payee = Some(payee.into());
        self
    }

    /// Sets `sim_swap_check`.
    pub fn sim_swap_check(mut self, check: bool) -> Self {
        self.sim_swap_check = Some(check);
        self
    }

    /// Adds a client key for the abuse guard (`ip:192.0.2.1`, `user:42`;
    /// repeatable): an opaque string, never sent to the provider.
    pub fn client_key(mut self, key: impl Into<String>) -> Self {
        self.client_keys.push(key.into());
        self
    }

    /// Checks every field; reports every broken rule at once.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        check_phone(&mut v, &self.phone_number);
        check_ip(&mut v, self.originating_ip.as_deref());
        check_language(&mut v, self.language.as_deref());
        check_code(&mut v, self.verify_code.as_ref());
        let limit = self.template_limit.unwrap_or(TEMPLATE_DEFAULT_MAX);
        if limit == 0 || limit > TEMPLATE_LIMIT_MAX {
            v.fail(
                "template",
                format!(
                    "the length limit can be raised to at most {TEMPLATE_LIMIT_MAX} characters"
                ),
            );
        } else if let Some(t) = &self.template {
            if !t.contains(CODE_PLACEHOLDER) {
                v.fail("template", "must contain $$CODE$$");
            } else if t.chars().count() > limit {
                v.fail("template", format!("must be at most {limit} characters"));
            }
        }
        check_text(&mut v, "sender_id", self.sender_id.as_deref(), 20);
        check_text(
            &mut v,
            "dlt_template_id",
            self.dlt_template_id.as_deref(),
            40,
        );
        check_text(&mut v, "dlt_entity_id", self.dlt_entity_id.as_deref(), 40);
        check_text(
            &mut v,
            "transaction_amount",
            self.transaction_amount.as_deref(),
            40,
        );
        check_text(
            &mut v,
            "transaction_payee",
            self.transaction_payee.as_deref(),
            40,
        );
        match (&self.transaction_amount, &self.transaction_payee) {
            (Some(_), None) => v.fail(
                "transaction_payee",
                "is required when transaction_amount is given",
            ),
            (None, Some(_)) => v.fail(
                "transaction_amount",
                "is required when transaction_payee is given",
            ),
            _ => {}
        }
        v.finish()
    }

    /// The form fields in the order of seed 002's table, borrowed.
    fn fields(&self, role: Role) -> Vec<(&'static str, &str)> {
        let mut f = Vec::with_capacity(13);
        f.push(("phone_number", self.phone_number.as_str()));
        push(&mut f, "ucid", self.ucid.map(Ucid::as_str));
        push(&mut f, "originating_ip", self.originating_ip.as_deref());
        push(&mut f, "language", self.language.as_deref());
        push(
            &mut f,
            "verify_code",
            self.verify_code.as_ref().map(Code::expose_secret),
        );
        push(&mut f, "template", self.template.as_deref());
        push(&mut f, "sender_id", self.sender_id.as_deref());
        push(
            &mut f,
            "is_primary",
            request::is_primary(self.is_primary, role),
        );
        push(&mut f, "dlt_template_id", self.dlt_template_id.as_deref());
        push(&mut f, "dlt_entity_id", self.dlt_entity_id.as_deref());
        push(
            &mut f,
            "transaction_amount",
            self.transaction_amount.as_deref(),
        );
        push(
            &mut f,
            "transaction_payee",
            self.transaction_payee.as_deref(),
        );
        push(
            &mut f,
            "sim_swap_check",
            self.sim_swap_check.map(request::bool_str),
        );
        f
    }

    /// The form fields that would be sent for `role`, in order (unvalidated).
    ///
    /// The values include the one-time code: do not log them.
    pub fn form_fields(&self, role: Role) -> Vec<(&'static str, String)> {
        self.fields(role)
            .into_iter()
            .map(|(k, v)| (k, v.to_owned()))
            .collect()
    }
}

impl Operation for SendSms {
    type Output = Sent;

    fn name(&self) -> &'static str {
        "telesign.sms"
    }

    fn guarded(&self) -> crate::guard::Guarded<'_> {
        crate::guard::Guarded::Send(crate::guard::SendFacts {
            phone_number: &self.phone_number,
            client_keys: &self.client_keys,
            segments: crate::guard::billed_segments(
                self.template.as_deref(),
                super::CODE_PLACEHOLDER,
            ),
        })
    }

    fn provider(&self) -> Option<Provider> {
        Some(Provider::TeleSign)
    }

    fn idempotency(&self) -> Idempotency {
        Idempotency::SendsMessage
    }

    fn to_request(
        &self,
        config: &ProviderConfig,
        role: Role,
    ) -> Result<http::Request<Vec<u8>>, ValidationError> {
        let config = request::telesign_config(config)?;
        self.validate()?;
        let body = request::encode_form(&self.fields(role));
        Ok(request::build_static(config, Method::POST, PATH, body))
    }

    fn parse_response(
        &self,
        provider: Provider,
        response: http::Response<&[u8]>,
    ) -> Result<Self::Output, ResponseError> {
        response::parse_send(provider, response)
    }
}
