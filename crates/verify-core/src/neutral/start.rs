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
    client_keys: Vec<String>,
    kept: Kept,
}

/// What a start asks of the ledger (docs/PROTOCOL-DECISIONS.md, "Idempotent
/// starts and pending verifications").
#[derive(Clone, Default)]
pub(crate) struct Kept {
    pub(crate) idempotency_key: Option<String>,
    pub(crate) idempotency_ttl: Option<std::time::Duration>,
    pub(crate) purpose: Option<String>,
    pub(crate) pending_ttl: Option<std::time::Duration>,
    pub(crate) resend: bool,
    /// Set only by the driver's `start`, which keeps the records: a start
    /// that asks for the ledger is refused anywhere else.
    pub(crate) by_ledger: bool,
}

/// The idempotency key can carry a session id: only its length shows.
impl std::fmt::Debug for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kept")
            .field(
                "idempotency_key",
                &self
                    .idempotency_key
                    .as_ref()
                    .map(|k| format!("[{} bytes]", k.len())),
            )
            .field("idempotency_ttl", &self.idempotency_ttl)
            .field("purpose", &self.purpose)
            .field("pending_ttl", &self.pending_ttl)
            .field("resend", &self.resend)
            .finish()
    }
}

impl Kept {
    pub(crate) fn wants_ledger(&self) -> bool {
        self.idempotency_key.is_some() || self.purpose.is_some()
    }
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
    /// Whether this is an earlier start's verification, answered again for
    /// the same idempotency key: nothing was sent by this call.
    pub replayed: bool,
    /// The pending verification this start replaced (same purpose and
    /// number): its code no longer checks by purpose and number, and at
    /// dotdigital a new code was issued, so the old one no longer checks at
    /// all.
    pub replaces: Option<VerificationId>,
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
            client_keys: Vec::new(),
            kept: Kept::default(),
        }
    }

    /// Adds a client key for the abuse guard (`ip:192.0.2.1`, `user:42`;
    /// repeatable): an opaque string, never sent to the provider.
    pub fn client_key(mut self, key: impl Into<String>) -> Self {
        self.client_keys.push(key.into());
        self
    }

    /// The client keys given.
    pub fn client_keys(&self) -> &[String] {
        &self.client_keys
    }

    /// An idempotency key (an opaque string such as `login:{user}:{session}`,
    /// 1 to 256 bytes): within its time to live, another start with the same
    /// key sends nothing (see `Client::start`). Needs a client with a ledger.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.kept.idempotency_key = Some(key.into());
        self
    }

    /// How long the idempotency key is remembered (default
    /// [`DEFAULT_IDEMPOTENCY_TTL`](crate::ledger::DEFAULT_IDEMPOTENCY_TTL),
    /// 10 minutes; at most a day).
    pub fn idempotency_ttl(mut self, ttl: std::time::Duration) -> Self {
        self.kept.idempotency_ttl = Some(ttl);
        self
    }

    /// Keeps the verification in the ledger by (purpose, phone number), so
    /// that [`PendingCheck`](super::PendingCheck) can check a code without
    /// its id (purpose: 1 to 64 bytes, no spaces or control characters).
    pub fn purpose(mut self, purpose: impl Into<String>) -> Self {
        self.kept.purpose = Some(purpose.into());
        self
    }

    /// How long the pending verification takes codes (default
    /// [`DEFAULT_PENDING_TTL`](crate::ledger::DEFAULT_PENDING_TTL), 10
    /// minutes; at most a day).
    pub fn pending_ttl(mut self, ttl: std::time::Duration) -> Self {
        self.kept.pending_ttl = Some(ttl);
        self
    }

    /// An explicit resend: sends even when the idempotency key's start
    /// succeeded or may have sent (never while it is in flight), and counts
    /// as a resend of the pending verification of the same purpose.
    pub fn resend(mut self) -> Self {
        self.kept.resend = true;
        self
    }

    /// The idempotency key, if any.
    pub fn key(&self) -> Option<&str> {
        self.kept.idempotency_key.as_deref()
    }

    /// The purpose, if any.
    pub fn purpose_name(&self) -> Option<&str> {
        self.kept.purpose.as_deref()
    }

    /// Checks the ledger's fields alone (the idempotency key, the purpose,
    /// the times to live) as [`Client::start`](crate::driver::Client::start)
    /// does, every broken rule at once: for a caller that reports them
    /// together with its own before anything runs.
    pub fn validate_kept(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        check_kept(&mut v, &self.by_ledger().kept);
        v.finish()
    }

    pub(crate) fn kept(&self) -> &Kept {
        &self.kept
    }

    /// This start, marked as run by the ledger's driver.
    pub(crate) fn by_ledger(&self) -> Self {
        let mut start = self.clone();
        start.kept.by_ledger = true;
        start
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
pub(super) fn check_phone(v: &mut Validator, phone: &str) {
    v.check(
        (7..=15).contains(&phone.len())
            && phone.bytes().all(|b| b.is_ascii_digit())
            && !phone.starts_with('0'),
        "phone_number",
        "must be an international number: 7 to 15 digits, the country code first, \
         without '+', spaces or punctuation",
    );
}

/// The ledger's fields: sane sizes, and only through the ledger's driver.
fn check_kept(v: &mut Validator, kept: &Kept) {
    const DAY: std::time::Duration = std::time::Duration::from_secs(24 * 3600);
    if let Some(key) = &kept.idempotency_key {
        v.check(
            (1..=256).contains(&key.len()) && !key.chars().any(char::is_control),
            "idempotency_key",
            "must be 1 to 256 bytes without control characters",
        );
    }
    if let Some(purpose) = &kept.purpose {
        v.check(
            (1..=64).contains(&purpose.len())
                && !purpose.chars().any(|c| c.is_control() || c.is_whitespace()),
            "purpose",
            "must be 1 to 64 bytes without spaces or control characters",
        );
    }
    for (field, ttl) in [
        ("idempotency_ttl", kept.idempotency_ttl),
        ("pending_ttl", kept.pending_ttl),
    ] {
        if let Some(ttl) = ttl {
            v.check(
                ttl >= std::time::Duration::from_secs(1) && ttl <= DAY,
                field,
                "must be from 1 second to 1 day",
            );
        }
    }
    if kept.wants_ledger() && !kept.by_ledger {
        let field = if kept.idempotency_key.is_some() {
            "idempotency_key"
        } else {
            "purpose"
        };
        v.fail(
            field,
            "a start with an idempotency key or a purpose runs through the client's `start` \
             (its ledger keeps the records), not `execute`",
        );
    }
}

impl Operation for Start {
    type Output = Started;

    fn name(&self) -> &'static str {
        "neutral.start"
    }

    /// One decision for the logical send, whichever provider takes it.
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
        check_kept(&mut v, &self.kept);
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
                    replayed: false,
                    replaces: None,
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
                    replayed: false,
                    replaces: None,
                })
            }
            Provider::Dotdigital => {
                let out = self.dotdigital().parse_response(provider, response)?;
                Ok(Started {
                    delivery: DeliveryState::from(&out.status),
                    id: VerificationId::Dotdigital(out.request_id),
                    // PROVIDERS.md section 3: any 2xx may have sent a message.
                    message_may_have_been_sent: true,
                    replayed: false,
                    replaces: None,
                })
            }
        }
    }
}
