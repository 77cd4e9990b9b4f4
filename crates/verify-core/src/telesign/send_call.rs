//! `POST /v1/verify/call`: send a verification code by voice call.

use http::Method;

use super::Ucid;
use super::request::{self, check_code, check_ip, check_language, check_phone, push};
use super::response::{self, Sent};
use crate::validate::Validator;
use crate::{
    Code, Idempotency, Operation, Provider, ProviderConfig, ResponseError, Role, ValidationError,
};

/// The path of the operation.
pub const PATH: &str = "/v1/verify/call";

/// The longest `tts_message`, in characters (docs/PROTOCOL-DECISIONS.md,
/// "TeleSign"): a spoken message has no SMS segments, and its limit does not
/// follow the account's SMS template setting.
pub const TTS_MESSAGE_MAX: usize = 1600;

/// Place a voice call that reads a verification code to `phone_number`.
///
/// Fields shared with [`SendSms`](super::SendSms) follow the same rules;
/// `tts_message`, when given, must contain `$$CODE$$` and be at most
/// [`TTS_MESSAGE_MAX`] characters.
///
/// ```
/// use verify_core::telesign::SendCall;
/// let call = SendCall::new("15555550100").tts_message("Your code is $$CODE$$");
/// assert!(call.validate().is_ok());
/// ```
#[derive(Clone, Debug, Default)]
pub struct SendCall {
    /// The end user's phone number: digits, country code first.
    pub phone_number: String,
    /// The use case.
    pub ucid: Option<Ucid>,
    /// The end user's IP address.
    pub originating_ip: Option<String>,
    /// The language of the spoken message.
    pub language: Option<String>,
    /// The code to read out; TeleSign generates one when absent.
    pub verify_code: Option<Code>,
    /// The text to speak, with `$$CODE$$` where the code goes.
    pub tts_message: Option<String>,
    /// Whether TeleSign is the primary provider (see [`SendSms::is_primary`](super::SendSms::is_primary)).
    pub is_primary: Option<bool>,
    /// Keys of who asked, for the abuse guard (not sent).
    pub client_keys: Vec<String>,
}

impl SendCall {
    /// A request to call `phone_number`, all else default.
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

    /// Sets `tts_message`.
    pub fn tts_message(mut self, message: impl Into<String>) -> Self {
        self.tts_message = Some(message.into());
        self
    }

    /// Sets `is_primary`.
    pub fn is_primary(mut self, is_primary: bool) -> Self {
        self.is_primary = Some(is_primary);
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
        if let Some(m) = &self.tts_message {
            v.check(
                m.contains(super::CODE_PLACEHOLDER),
                "tts_message",
                "must contain $$CODE$$",
            );
            v.check(
                m.chars().count() <= TTS_MESSAGE_MAX,
                "tts_message",
                format!("must be at most {TTS_MESSAGE_MAX} characters"),
            );
        }
        v.finish()
    }

    fn fields(&self, role: Role) -> Vec<(&'static str, &str)> {
        let mut f = Vec::with_capacity(7);
        f.push(("phone_number", self.phone_number.as_str()));
        push(&mut f, "ucid", self.ucid.map(Ucid::as_str));
        push(&mut f, "originating_ip", self.originating_ip.as_deref());
        push(&mut f, "language", self.language.as_deref());
        push(
            &mut f,
            "verify_code",
            self.verify_code.as_ref().map(Code::expose_secret),
        );
        push(&mut f, "tts_message", self.tts_message.as_deref());
        push(
            &mut f,
            "is_primary",
            request::is_primary(self.is_primary, role),
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

impl Operation for SendCall {
    type Output = Sent;

    fn name(&self) -> &'static str {
        "telesign.call"
    }

    /// A call counts as one message.
    fn guarded(&self) -> crate::guard::Guarded<'_> {
        crate::guard::Guarded::Send(crate::guard::SendFacts {
            phone_number: &self.phone_number,
            client_keys: &self.client_keys,
            segments: 1,
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
