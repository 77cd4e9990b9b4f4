//! `POST /verification`: start a verification process that tries one or
//! more channels in order.

use http::Method as HttpMethod;
use serde::Serialize;

use super::request::{self, MAX_PAYLOAD_BYTES, check_security_factor};
use super::response::{self, PolicyStep, Status};
use super::{Method, State};
use crate::telesign::ReferenceId;
use crate::text::Excerpt;
use crate::validate::Validator;
use crate::{
    Code, Idempotency, Operation, Provider, ProviderConfig, ResponseError, Role,
    UnexpectedResponse, ValidationError,
};

/// The longest total of fallback times in a policy, in seconds.
pub const MAX_POLICY_SECONDS: u32 = 300;
/// The shortest fallback time, in seconds.
pub const MIN_FALLBACK_SECONDS: u32 = 30;

/// The longest `recipient.push_app_token`, in bytes (docs/PROTOCOL-DECISIONS.md,
/// "TeleSign Verify API"); it is printable ASCII.
pub const PUSH_APP_TOKEN_MAX: usize = 4096;

/// Start a verification process: a code (or a silent or push check) sent
/// through each method of the policy in turn, falling back to the next one
/// when the previous one's time runs out without a finalize.
///
/// Every rule is checked before a request exists, and every broken one is
/// reported at once:
///
/// | field | rule |
/// |---|---|
/// | `verification_policy` | 1 to 3 methods, none twice; `silent` and `push` only first and never together; fallback times at least 30 s, 300 s in all (absent: 60 s, 120 s for email) |
/// | `phone_number` | required when a phone channel is used (the default policy is SMS); digits, country code first, 7 to 15, no leading 0 |
/// | `email` | required when `email` is used; `local@domain.tld` in ASCII |
/// | `push_app_token` | required for `push` (1 to [`PUSH_APP_TOKEN_MAX`] printable ASCII characters), refused otherwise |
/// | `security_factor` | your own code: 3 to 10 digits |
/// | `external_id` | at most 100 printable ASCII characters |
/// | `message_template` | a template name: lower-case letters and `_`, at most 100 |
/// | the whole body | at most 10 KB |
///
/// ```
/// use verify_core::telesign_verify::{CreateVerification, Method, PolicyStep};
/// let create = CreateVerification::new()
///     .phone_number("15555550100")
///     .then(PolicyStep::with_fallback(Method::Sms, 60))
///     .then(PolicyStep::new(Method::Whatsapp));
/// assert!(create.validate().is_ok());
/// let err = CreateVerification::new().then(PolicyStep::new(Method::Email)).validate().unwrap_err();
/// assert_eq!(err.fields().collect::<Vec<_>>(), ["email"]);
/// ```
#[derive(Clone, Debug, Default)]
pub struct CreateVerification {
    /// `recipient.phone_number`.
    pub phone_number: Option<String>,
    /// `recipient.email`.
    pub email: Option<String>,
    /// `recipient.push_app_token` (push only).
    pub push_app_token: Option<String>,
    /// `verification_policy`: empty for the account's routing (else SMS).
    pub policy: Vec<PolicyStep>,
    /// `security_factor`: your own code instead of TeleSign's.
    pub security_factor: Option<Code>,
    /// `external_id`: your reference for the process.
    pub external_id: Option<String>,
    /// `message_template.name`.
    pub message_template: Option<String>,
    /// Keys of who asked, for the abuse guard (not sent).
    pub client_keys: Vec<String>,
}

/// A process the Verify API started.
///
/// **Finalize it** with the code the user typed
/// ([`FinalizeVerification`](super::FinalizeVerification)): TeleSign bills
/// the next fallback channel of a process that is not finalized, even when
/// you supplied the code yourself.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "finalize the process with the code the user typed: TeleSign bills the next channel otherwise"]
pub struct Created {
    /// The process, for the finalize.
    pub reference_id: ReferenceId,
    /// `status`: 3901 "Request in progress".
    pub status: Status,
    /// `state`: `ONGOING` for code methods, `CREATED` for silent and push.
    pub state: State,
    /// `verification_policy`, with the fallback times filled in.
    pub policy: Vec<PolicyStep>,
}

#[derive(Serialize)]
struct Body<'a> {
    recipient: Recipient<'a>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    verification_policy: Vec<Step<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    security_factor: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message_template: Option<Template<'a>>,
}

#[derive(Serialize)]
struct Recipient<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    phone_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    push_app_token: Option<&'a str>,
}

#[derive(Serialize)]
struct Step<'a> {
    method: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fallback_time: Option<u32>,
}

#[derive(Serialize)]
struct Template<'a> {
    name: &'a str,
}

impl CreateVerification {
    /// An empty request: add a recipient and (optionally) a policy.
    pub fn new() -> Self {
        Self::default()
    }

    /// A code by SMS to `phone_number`.
    pub fn sms(phone_number: impl Into<String>) -> Self {
        Self::new()
            .phone_number(phone_number)
            .then(PolicyStep::new(Method::Sms))
    }

    /// The recipient's phone number.
    pub fn phone_number(mut self, phone_number: impl Into<String>) -> Self {
        self.phone_number = Some(phone_number.into());
        self
    }

    /// The recipient's email address.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// The app's push token (push only).
    pub fn push_app_token(mut self, token: impl Into<String>) -> Self {
        self.push_app_token = Some(token.into());
        self
    }

    /// Appends a method to the policy.
    pub fn then(mut self, step: PolicyStep) -> Self {
        self.policy.push(step);
        self
    }

    /// Your own code (3 to 10 digits) instead of TeleSign's.
    pub fn security_factor(mut self, code: Code) -> Self {
        self.security_factor = Some(code);
        self
    }

    /// Your reference for the process.
    pub fn external_id(mut self, id: impl Into<String>) -> Self {
        self.external_id = Some(id.into());
        self
    }

    /// A message template by name.
    pub fn message_template(mut self, name: impl Into<String>) -> Self {
        self.message_template = Some(name.into());
        self
    }

    /// Adds a client key for the abuse guard (`ip:192.0.2.1`, `user:42`;
    /// repeatable): an opaque string, never sent to the provider.
    pub fn client_key(mut self, key: impl Into<String>) -> Self {
        self.client_keys.push(key.into());
        self
    }

    /// Checks every rule; every broken one is reported at once.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        self.check(&mut v);
        v.finish()
    }

    fn check(&self, v: &mut Validator) {
        let policy = &self.policy;
        let methods: Vec<&Method> = policy.iter().map(|s| &s.method).collect();
        let mut policy_rules = Vec::new();
        if policy.len() > 3 {
            policy_rules.push("has at most 3 methods");
        }
        if methods.iter().any(|m| matches!(m, Method::Unknown(_))) {
            policy_rules.push("uses only sms, voice, email, whatsapp, viber, rcs, silent, push");
        }
        if methods
            .iter()
            .enumerate()
            .any(|(i, m)| methods[..i].contains(m))
        {
            policy_rules.push("names each method once");
        }
        if methods.iter().skip(1).any(|m| m.only_first()) {
            policy_rules.push("puts silent and push only first (never both)");
        }
        if policy
            .iter()
            .any(|s| s.fallback_time.is_some_and(|t| t < MIN_FALLBACK_SECONDS))
        {
            policy_rules.push("has fallback times of at least 30 s");
        }
        let total: u64 = policy
            .iter()
            .map(|s| {
                u64::from(
                    s.fallback_time
                        .unwrap_or_else(|| s.method.default_fallback_secs()),
                )
            })
            .sum();
        if total > u64::from(MAX_POLICY_SECONDS) {
            policy_rules.push("has fallback times of 300 s in all at most (60 s each by default, 120 s for email)");
        }
        if !policy_rules.is_empty() {
            v.fail(
                "verification_policy",
                format!("must follow the rules: it {}", policy_rules.join("; it ")),
            );
        }
        // The account's routing (no policy) is SMS unless set otherwise.
        let needs_phone = policy.is_empty() || methods.iter().any(|m| m.needs_phone());
        match self.phone_number.as_deref() {
            None | Some("") if needs_phone => v.fail(
                "phone_number",
                "is required for sms, voice, whatsapp, viber, rcs and silent",
            ),
            Some(p) if !p.is_empty() => v.check(
                p.bytes().all(|b| b.is_ascii_digit())
                    && (7..=15).contains(&p.len())
                    && !p.starts_with('0'),
                "phone_number",
                "must be 7 to 15 digits, country code first, without '+' or spaces",
            ),
            _ => {}
        }
        match self.email.as_deref() {
            None | Some("") if methods.contains(&&Method::Email) => {
                v.fail("email", "is required for the email method")
            }
            Some(e) if !e.is_empty() => v.check(
                is_email(e),
                "email",
                "must be an email address (local@domain.tld, ASCII)",
            ),
            _ => {}
        }
        let push = methods.contains(&&Method::Push);
        match self.push_app_token.as_deref() {
            None | Some("") if push => v.fail("push_app_token", "is required for the push method"),
            Some(_) if !push => v.fail("push_app_token", "is only for the push method"),
            Some(t) if t.len() > PUSH_APP_TOKEN_MAX || !t.bytes().all(|b| b.is_ascii_graphic()) => {
                v.fail(
                    "push_app_token",
                    format!("must be 1 to {PUSH_APP_TOKEN_MAX} printable ASCII characters"),
                );
            }
            _ => {}
        }
        if let Some(code) = &self.security_factor {
            check_security_factor(v, code);
        }
        if let Some(id) = &self.external_id {
            v.check(
                !id.is_empty()
                    && id.len() <= 100
                    && id.bytes().all(|b| b.is_ascii_graphic() || b == b' '),
                "external_id",
                "must be 1 to 100 printable ASCII characters",
            );
        }
        if let Some(name) = &self.message_template {
            v.check(
                !name.is_empty()
                    && name.len() <= 100
                    && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "message_template",
                "must be a template name of lower-case letters and '_' (at most 100)",
            );
        }
    }

    /// The exact JSON body sent (and signed).
    fn body(&self) -> Vec<u8> {
        let body = Body {
            recipient: Recipient {
                phone_number: self.phone_number.as_deref().filter(|p| !p.is_empty()),
                email: self.email.as_deref().filter(|e| !e.is_empty()),
                push_app_token: self.push_app_token.as_deref(),
            },
            verification_policy: self
                .policy
                .iter()
                .map(|s| Step {
                    method: s.method.as_str(),
                    fallback_time: s.fallback_time,
                })
                .collect(),
            security_factor: self.security_factor.as_ref().map(Code::expose_secret),
            external_id: self.external_id.as_deref(),
            message_template: self
                .message_template
                .as_deref()
                .map(|name| Template { name }),
        };
        // Serializing strings and numbers cannot fail.
        serde_json::to_vec(&body).unwrap_or_default()
    }
}

/// `local@domain.tld` in printable ASCII, at most 254 characters.
fn is_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    e.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && local
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"@()<>,;:\\\"[]".contains(&b))
        && domain.split('.').count() >= 2
        && domain.split('.').all(label_ok)
}

impl Operation for CreateVerification {
    type Output = Created;

    /// A verification with a phone number may send a message.
    fn guarded(&self) -> crate::guard::Guarded<'_> {
        match self.phone_number.as_deref() {
            Some(phone_number) => crate::guard::Guarded::Send(crate::guard::SendFacts {
                phone_number,
                client_keys: &self.client_keys,
                segments: 1,
            }),
            None => crate::guard::Guarded::Nothing,
        }
    }

    fn name(&self) -> &'static str {
        "telesign_verify.create"
    }

    fn provider(&self) -> Option<Provider> {
        Some(Provider::TeleSignVerify)
    }

    fn idempotency(&self) -> Idempotency {
        Idempotency::SendsMessage
    }

    fn to_request(
        &self,
        config: &ProviderConfig,
        _role: Role,
    ) -> Result<http::Request<Vec<u8>>, ValidationError> {
        let config = request::verify_config(config)?;
        let mut v = Validator::new();
        self.check(&mut v);
        v.finish()?;
        let body = self.body();
        if body.len() > MAX_PAYLOAD_BYTES {
            return Err(ValidationError::single(
                "body",
                format!("must be at most {MAX_PAYLOAD_BYTES} bytes of JSON"),
            ));
        }
        Ok(request::build(
            config,
            HttpMethod::POST,
            "/verification",
            body,
        ))
    }

    fn parse_response(
        &self,
        provider: Provider,
        response: http::Response<&[u8]>,
    ) -> Result<Self::Output, ResponseError> {
        let answer = response::parse(provider, &response, true)?;
        let missing = |what: &str| {
            ResponseError::Unexpected(UnexpectedResponse {
                provider,
                status: response.status(),
                reason: format!("no {what} in a create's answer"),
                excerpt: Excerpt::new(response.body()),
                // A 200 may have sent a message.
                message_may_have_been_sent: true,
                retry_after: None,
            })
        };
        let reference_id = answer.reference_id.ok_or_else(|| missing("reference_id"))?;
        Ok(Created {
            reference_id,
            status: answer.status.ok_or_else(|| missing("status"))?,
            state: answer.state.ok_or_else(|| missing("state"))?,
            policy: answer.policy,
        })
    }
}
