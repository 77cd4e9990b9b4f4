//! Every message a real phone would have received, kept in a bounded ring buffer.

use std::collections::VecDeque;
use std::fmt;
use std::time::SystemTime;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Which simulated provider sent a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SandboxProvider {
    /// TeleSign Verify.
    Telesign,
    /// dotdigital CPaaS Verify.
    Dotdigital,
    /// TeleSign's newer Verify API (`verify.telesign.com`, `POST /verification`); its
    /// `verification_id` is the process's `reference_id`. JSON: `"telesign_verify"`.
    #[serde(rename = "telesign_verify")]
    TelesignVerify,
}

/// How a message reached the phone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// A text message.
    Sms,
    /// A voice call reading the code out.
    Voice,
    /// An email (Verify API); `to` is the email address.
    Email,
    /// A WhatsApp message (Verify API).
    Whatsapp,
    /// A Viber message (Verify API).
    Viber,
    /// An RCS message (Verify API).
    Rcs,
    /// A silent verification of the number through the mobile network (Verify API): no
    /// code reaches the user, so `code` is empty.
    Silent,
    /// A push notification to the app (Verify API); `to` is the `push_app_token` and
    /// `code` is empty.
    Push,
}

/// One message as the recipient's phone would show it.
///
/// The one-time code is deliberately readable here: the outbox plays the part of the
/// user's phone, so a test reads the code the way a person would.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    /// The provider that sent it.
    pub provider: SandboxProvider,
    /// The recipient as given in the request: the number, or for the Verify API's email
    /// the address and for its push the `push_app_token`.
    pub to: String,
    /// The sender id or originator, when one was given.
    pub sender: Option<String>,
    /// The rendered text (for a voice call, what is read out).
    pub text: String,
    /// The one-time code in the message (empty for a silent verification or a push).
    pub code: String,
    /// TeleSign `reference_id` (classic or Verify API) or dotdigital `requestId`.
    pub verification_id: String,
    /// How it reached the recipient: SMS, voice, or one of the Verify API's channels.
    pub channel: Channel,
    /// When it was sent (JSON: RFC 3339 with milliseconds).
    #[serde(serialize_with = "ser_time", deserialize_with = "de_time")]
    pub at: SystemTime,
}

impl fmt::Debug for OutboxMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutboxMessage")
            .field("provider", &self.provider)
            .field("to", &self.to)
            .field("sender", &self.sender)
            .field("text", &"[redacted]")
            .field("code", &"[redacted]")
            .field("verification_id", &self.verification_id)
            .field("channel", &self.channel)
            .field("at", &humantime::format_rfc3339_millis(self.at).to_string())
            .finish()
    }
}

fn ser_time<S: Serializer>(t: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&humantime::format_rfc3339_millis(*t))
}

fn de_time<'de, D: Deserializer<'de>>(d: D) -> Result<SystemTime, D::Error> {
    let s = String::deserialize(d)?;
    humantime::parse_rfc3339_weak(&s).map_err(serde::de::Error::custom)
}

/// The digits of a phone number written with `+`, spaces, `-`, `.` or parentheses;
/// `None` when anything else is left or no digit is.
pub(crate) fn number_digits(s: &str) -> Option<String> {
    let digits: String = s
        .chars()
        .filter(|c| !matches!(c, '+' | '-' | '.' | '(' | ')') && !c.is_whitespace())
        .collect();
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// A message with the digits it can be found by.
#[derive(Debug)]
struct Entry {
    message: OutboxMessage,
    /// The digits of `message.to`.
    to_digits: Option<String>,
    /// The international number the provider resolved `to` to, when that differs.
    resolved: Option<String>,
}

/// Bounded FIFO of sent messages.
#[derive(Debug)]
pub(crate) struct Outbox {
    messages: VecDeque<Entry>,
    capacity: usize,
}

impl Outbox {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            messages: VecDeque::with_capacity(capacity.min(1024)),
            capacity,
        }
    }

    /// Records `message`; `resolved` is the number the provider actually dialled when it is
    /// not `message.to` (dotdigital turns a local number and a country into an international one).
    pub(crate) fn push(&mut self, message: OutboxMessage, resolved: Option<&str>) {
        if self.capacity == 0 {
            return;
        }
        while self.messages.len() >= self.capacity {
            self.messages.pop_front();
        }
        let to_digits = number_digits(&message.to);
        let resolved = resolved
            .and_then(number_digits)
            .filter(|r| to_digits.as_ref() != Some(r));
        self.messages.push_back(Entry {
            message,
            to_digits,
            resolved,
        });
    }

    pub(crate) fn all(&self) -> Vec<OutboxMessage> {
        self.messages.iter().map(|e| e.message.clone()).collect()
    }

    /// Messages whose `to` is exactly `to`, or whose number has the same digits.
    pub(crate) fn to(&self, to: &str) -> Vec<OutboxMessage> {
        let digits = number_digits(to);
        let same_digits = |d: &Option<String>| d.is_some() && *d == digits;
        self.messages
            .iter()
            .filter(|e| e.message.to == to || same_digits(&e.to_digits) || same_digits(&e.resolved))
            .map(|e| e.message.clone())
            .collect()
    }

    pub(crate) fn clear(&mut self) {
        self.messages.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(to: &str) -> OutboxMessage {
        OutboxMessage {
            provider: SandboxProvider::Telesign,
            to: to.into(),
            sender: None,
            text: "Your code is 1234567".into(),
            code: "1234567".into(),
            verification_id: "0".repeat(32),
            channel: Channel::Sms,
            at: SystemTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn ring_buffer_drops_oldest() {
        let mut o = Outbox::new(3);
        for n in 0..5 {
            let to = n.to_string();
            o.push(msg(&to), None);
        }
        let tos: Vec<_> = o.all().into_iter().map(|m| m.to).collect();
        assert_eq!(tos, ["2", "3", "4"]);
    }

    #[test]
    fn json_round_trip_and_names() {
        let m = msg("15551234567");
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["provider"], "telesign");
        assert_eq!(json["channel"], "sms");
        assert_eq!(json["at"], "1970-01-01T00:00:00.000Z");
        let back: OutboxMessage = serde_json::from_value(json).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn verify_api_names() {
        let mut m = msg("alice@example.com");
        m.provider = SandboxProvider::TelesignVerify;
        m.channel = Channel::Whatsapp;
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["provider"], "telesign_verify");
        assert_eq!(json["channel"], "whatsapp");
        for (c, name) in [
            (Channel::Email, "email"),
            (Channel::Viber, "viber"),
            (Channel::Rcs, "rcs"),
            (Channel::Silent, "silent"),
            (Channel::Push, "push"),
        ] {
            assert_eq!(serde_json::to_value(c).unwrap(), name);
        }
        let back: OutboxMessage = serde_json::from_value(json).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn debug_hides_code() {
        let s = format!("{:?}", msg("1"));
        assert!(!s.contains("1234567"), "{s}");
    }

    #[test]
    fn search_by_digits_or_exactly() {
        let mut o = Outbox::new(10);
        o.push(msg("+447700900123"), Some("447700900123"));
        o.push(msg("07700900124"), Some("447700900124"));
        o.push(msg("15555550100"), None);
        o.push(msg("not a number"), None);
        let found = |q: &str| -> Vec<String> { o.to(q).into_iter().map(|m| m.to).collect() };
        for q in [
            "+447700900123",
            "447700900123",
            "+44 7700 900123",
            "+44 (7700) 900-123",
        ] {
            assert_eq!(found(q), ["+447700900123"], "{q}");
        }
        assert_eq!(found("447700900124"), ["07700900124"]);
        assert_eq!(found("07700900124"), ["07700900124"]);
        assert_eq!(found("+15555550100"), ["15555550100"]);
        assert_eq!(found("not a number"), ["not a number"]);
        assert!(found("").is_empty());
        assert!(found("+").is_empty());
        assert!(
            found("4477009001").is_empty(),
            "digits match whole, not as a prefix"
        );
    }
}
