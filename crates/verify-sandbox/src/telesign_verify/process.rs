//! A Verify API verification process: its policy, its state, its fallbacks, and how a
//! retrieve shows it.
//!
//! Fallbacks are evaluated lazily: every process's next due moment (its next fallback and
//! its code's expiry) waits in a min-heap, and whatever touches the sandbox (a Verify API
//! request, another provider's send, a read of the outbox or of the stats) first settles
//! every moment that has come, in time order, stamping each with the moment it was due.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};

use crate::outbox::{Channel, Outbox, OutboxMessage, SandboxProvider};
use crate::state::Store;

/// Wrong codes a process takes: the 3rd answers 3909 and rejects it (PROVIDERS.md §4).
pub(crate) const MAX_ATTEMPTS: u8 = 3;

/// A channel of a verification policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    Sms,
    Voice,
    Email,
    Whatsapp,
    Viber,
    Rcs,
    Silent,
    Push,
}

impl Method {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "sms" => Method::Sms,
            "voice" => Method::Voice,
            "email" => Method::Email,
            "whatsapp" => Method::Whatsapp,
            "viber" => Method::Viber,
            "rcs" => Method::Rcs,
            "silent" => Method::Silent,
            "push" => Method::Push,
            _ => return None,
        })
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Method::Sms => "sms",
            Method::Voice => "voice",
            Method::Email => "email",
            Method::Whatsapp => "whatsapp",
            Method::Viber => "viber",
            Method::Rcs => "rcs",
            Method::Silent => "silent",
            Method::Push => "push",
        }
    }

    /// Whether the method delivers a code the user types (all but silent and push).
    pub(crate) fn sends_code(self) -> bool {
        !matches!(self, Method::Silent | Method::Push)
    }

    /// Whether the method needs the recipient's phone number.
    pub(crate) fn needs_phone(self) -> bool {
        !matches!(self, Method::Email | Method::Push)
    }

    /// The documented default `fallback_time`: 60 s, 120 s for email.
    pub(crate) fn default_fallback(self) -> u32 {
        if self == Method::Email { 120 } else { 60 }
    }

    fn channel(self) -> Channel {
        match self {
            Method::Sms => Channel::Sms,
            Method::Voice => Channel::Voice,
            Method::Email => Channel::Email,
            Method::Whatsapp => Channel::Whatsapp,
            Method::Viber => Channel::Viber,
            Method::Rcs => Channel::Rcs,
            Method::Silent => Channel::Silent,
            Method::Push => Channel::Push,
        }
    }
}

/// A process state (and an inner method's, which may also be SKIPPED).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum State {
    Created,
    Ongoing,
    Verified,
    Rejected,
    Failed,
    Skipped,
}

impl State {
    fn as_str(self) -> &'static str {
        match self {
            State::Created => "CREATED",
            State::Ongoing => "ONGOING",
            State::Verified => "VERIFIED",
            State::Rejected => "REJECTED",
            State::Failed => "FAILED",
            State::Skipped => "SKIPPED",
        }
    }

    /// Whether the process is over: nothing more is sent and a finalize answers 3911.
    pub(crate) fn is_final(self) -> bool {
        matches!(self, State::Verified | State::Rejected | State::Failed)
    }
}

/// One entry of a verification policy, fallback time filled in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Step {
    pub method: Method,
    pub fallback_time: u32,
}

impl Step {
    fn fallback(self) -> Duration {
        Duration::from_secs(u64::from(self.fallback_time))
    }
}

/// What a retrieve shows of one policy method.
#[derive(Clone, Copy, Debug)]
struct InnerMethod {
    state: State,
    /// `None` until the method is tried.
    tried_on: Option<SystemTime>,
    updated_on: SystemTime,
}

/// The recipient's addresses, as the request gave them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Recipient {
    /// The `recipient` object exactly as given, for the answers' echo.
    pub echo: Value,
    pub phone_number: Option<String>,
    pub email: Option<String>,
    pub push_app_token: Option<String>,
}

impl Recipient {
    /// Where a message on `method` goes: the email address, the push token, or the number.
    fn address(&self, method: Method) -> String {
        let a = match method {
            Method::Email => &self.email,
            Method::Push => &self.push_app_token,
            _ => &self.phone_number,
        };
        a.clone().unwrap_or_default()
    }
}

/// A verification process as the server remembers it.
#[derive(Debug)]
pub(crate) struct Process {
    pub code: String,
    pub recipient: Recipient,
    pub policy: Vec<Step>,
    inner: Vec<InnerMethod>,
    /// The policy method being tried.
    current: usize,
    pub state: State,
    pub created_on: SystemTime,
    pub updated_on: SystemTime,
    /// When the code stops being valid (the create plus the code lifetime).
    pub expires_on: SystemTime,
    /// When the next policy method is tried, if there is one and the process goes on.
    next_fallback: Option<SystemTime>,
    pub wrong_attempts: u8,
    pub external_id: Option<String>,
    pub voice_lang: String,
}

/// The fields of a create, checked.
#[derive(Debug)]
pub(crate) struct NewProcess {
    pub recipient: Recipient,
    pub policy: Vec<Step>,
    pub security_factor: Option<String>,
    pub external_id: Option<String>,
    pub voice_lang: String,
}

/// The finalize outcomes that answer 200.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Finalized {
    /// 3900.
    Verified,
    /// 3904: wrong code, the process goes on.
    WrongCode,
    /// 3909: the last attempt was wrong, the process is REJECTED.
    Rejected,
}

impl Process {
    /// The state the process (and its first method) starts in: ONGOING for a code method,
    /// CREATED for silent and push.
    fn starting_state(method: Method) -> State {
        if method.sends_code() {
            State::Ongoing
        } else {
            State::Created
        }
    }

    /// The message a phone (or inbox, or app) receives when `method` is tried at `at`.
    fn message(&self, id: &str, method: Method, at: SystemTime) -> OutboxMessage {
        let text = match method {
            Method::Voice => {
                let spaced: Vec<String> = self.code.chars().map(String::from).collect();
                format!("Your verification code is {}", spaced.join(", "))
            }
            Method::Silent => "Silent verification of this number by the mobile network".into(),
            Method::Push => "Push notification: approve this verification in the app".into(),
            _ => format!("Your verification code is {}", self.code),
        };
        OutboxMessage {
            provider: SandboxProvider::TelesignVerify,
            to: self.recipient.address(method),
            sender: None,
            text,
            code: if method.sends_code() {
                self.code.clone()
            } else {
                String::new()
            },
            verification_id: id.to_owned(),
            channel: method.channel(),
            at,
        }
    }

    /// Tries policy method `index` at `at`: its message goes to the outbox.
    fn try_method(&mut self, id: &str, index: usize, at: SystemTime, outbox: &mut Outbox) {
        let Some(step) = self.policy.get(index).copied() else {
            return;
        };
        let state = Self::starting_state(step.method);
        if let Some(m) = self.inner.get_mut(index) {
            *m = InnerMethod {
                state,
                tried_on: Some(at),
                updated_on: at,
            };
        }
        self.current = index;
        self.state = state;
        self.updated_on = at;
        self.next_fallback = if index + 1 < self.policy.len() {
            at.checked_add(step.fallback())
        } else {
            None
        };
        outbox.push(self.message(id, step.method, at), None);
    }

    /// Ends the process in `state` at `at`; the method being tried takes that state too.
    fn finish(&mut self, state: State, at: SystemTime) {
        self.state = state;
        self.updated_on = at;
        self.next_fallback = None;
        if let Some(m) = self.inner.get_mut(self.current) {
            m.state = state;
            m.updated_on = at;
        }
    }

    /// Leaves the method being tried (SKIPPED) for the next one, at `at`.
    fn fall_back(&mut self, id: &str, at: SystemTime, outbox: &mut Outbox) {
        if let Some(m) = self.inner.get_mut(self.current) {
            m.state = State::Skipped;
            m.updated_on = at;
        }
        self.try_method(id, self.current + 1, at, outbox);
    }

    /// Compares the code the user typed, at `now` (the process is not final, the code has
    /// not expired).
    pub(crate) fn finalize(&mut self, typed: &str, now: SystemTime) -> Finalized {
        use subtle::ConstantTimeEq as _;
        let right = typed.len() == self.code.len()
            && bool::from(typed.as_bytes().ct_eq(self.code.as_bytes()));
        if right {
            self.finish(State::Verified, now);
            return Finalized::Verified;
        }
        self.wrong_attempts = self.wrong_attempts.saturating_add(1);
        if self.wrong_attempts >= MAX_ATTEMPTS {
            self.finish(State::Rejected, now);
            return Finalized::Rejected;
        }
        self.updated_on = now;
        if let Some(m) = self.inner.get_mut(self.current) {
            m.updated_on = now;
        }
        Finalized::WrongCode
    }

    /// The policy as the answers echo it, fallback times filled in.
    fn policy_json(&self) -> Value {
        Value::Array(
            self.policy
                .iter()
                .map(|s| json!({"method": s.method.as_str(), "fallback_time": s.fallback_time}))
                .collect(),
        )
    }

    /// The retrieve answer (never the code).
    pub(crate) fn retrieve_json(&self, id: &str) -> Value {
        let inner: Vec<Value> = self
            .policy
            .iter()
            .zip(&self.inner)
            .map(|(step, m)| match m.tried_on {
                None => json!({"method": step.method.as_str(), "state": "CREATED"}),
                Some(tried) => json!({
                    "method": step.method.as_str(),
                    "state": m.state.as_str(),
                    "err_code": null,
                    "err_msg": null,
                    "tried_on": ts(tried),
                    "updated_on": ts(m.updated_on),
                    "expires_on": ts(self.expires_on),
                }),
            })
            .collect();
        let mut body = json!({
            "reference_id": id,
            "recipient": self.recipient.echo,
            "state": self.state.as_str(),
            "verification_policy": self.policy_json(),
            "created_on": ts(self.created_on),
            "updated_on": ts(self.updated_on),
            "voice_lang": self.voice_lang,
            "inner_methods": inner,
        });
        if let Some(e) = &self.external_id {
            body["external_id"] = json!(e);
        }
        body
    }
}

/// RFC 3339, UTC, microseconds.
pub(crate) fn ts(t: SystemTime) -> String {
    humantime::format_rfc3339_micros(t).to_string()
}

/// The longest code lifetime a process gets: 100 years (a longer setting, up
/// to `Duration::MAX`, counts as this).
pub const LONGEST_TTL: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// A moment a process is waiting for. At the same instant an expiry comes first: a code
/// that has expired is not sent on another channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Due {
    Expiry,
    Fallback,
}

/// Every process, bounded like the other providers' verifications, with the heap of
/// moments they wait for.
pub(crate) struct Processes {
    pub store: Store<Process>,
    due: BinaryHeap<Reverse<(SystemTime, Due, String)>>,
}

impl Processes {
    pub(crate) fn new() -> Self {
        Self {
            store: Store::new(),
            due: BinaryHeap::new(),
        }
    }

    /// Starts a process at `now` with `code`: its first method is tried (its message goes
    /// to the outbox) and its moments are scheduled. Returns the create answer's body.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn create(
        &mut self,
        id: String,
        new: NewProcess,
        code: String,
        now: SystemTime,
        ttl: Duration,
        keep: Duration,
        max: usize,
        outbox: &mut Outbox,
    ) -> Value {
        // docs/PROTOCOL-DECISIONS.md, "TeleSign Verify API": a lifetime above
        // LONGEST_TTL counts as LONGEST_TTL, so a huge one never overflows into
        // "expired at once".
        let expires_on = now
            .checked_add(ttl.min(LONGEST_TTL))
            .or_else(|| now.checked_add(Duration::from_secs(24 * 3600)))
            .unwrap_or(now);
        let inner = vec![
            InnerMethod {
                state: State::Created,
                tried_on: None,
                updated_on: now,
            };
            new.policy.len()
        ];
        let mut p = Process {
            code,
            recipient: new.recipient,
            policy: new.policy,
            inner,
            current: 0,
            state: State::Created,
            created_on: now,
            updated_on: now,
            expires_on,
            next_fallback: None,
            wrong_attempts: 0,
            external_id: new.external_id,
            voice_lang: new.voice_lang,
        };
        p.try_method(&id, 0, now, outbox);
        if let Some(at) = p.next_fallback {
            self.due.push(Reverse((at, Due::Fallback, id.clone())));
        }
        self.due
            .push(Reverse((expires_on, Due::Expiry, id.clone())));
        let answer = json!({
            "reference_id": id,
            "status": {"code": 3901, "description": "Request in progress"},
            "recipient": p.recipient.echo,
            "state": p.state.as_str(),
            "verification_policy": p.policy_json(),
        });
        self.store.insert(id, p, now, keep, max);
        self.bound_heap(max);
        answer
    }

    /// Settles every moment up to `now`, in time order: a due fallback tries the next
    /// method (stamped with the moment it was due), a due expiry fails the process.
    pub(crate) fn settle(&mut self, now: SystemTime, keep: Duration, outbox: &mut Outbox) {
        self.store.evict(now, keep);
        while let Some(Reverse((at, _, _))) = self.due.peek()
            && *at <= now
        {
            let Some(Reverse((at, due, id))) = self.due.pop() else {
                break;
            };
            let Some(p) = self.store.map.get_mut(&id) else {
                continue;
            };
            if p.state.is_final() {
                continue;
            }
            match due {
                Due::Expiry if p.expires_on == at => p.finish(State::Failed, at),
                Due::Fallback if p.next_fallback == Some(at) && at < p.expires_on => {
                    p.fall_back(&id, at, outbox);
                    if let Some(next) = p.next_fallback {
                        self.due.push(Reverse((next, Due::Fallback, id)));
                    }
                }
                _ => {}
            }
        }
    }

    /// Keeps the heap within twice the store's bound: entries of evicted processes are
    /// dropped when it grows past that (each live process has at most two).
    fn bound_heap(&mut self, max: usize) {
        let limit = max.max(1).saturating_mul(2).saturating_add(16);
        if self.due.len() > limit {
            let map = &self.store.map;
            self.due.retain(|Reverse((_, _, id))| map.contains_key(id));
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.store.len()
    }

    #[cfg(test)]
    fn pending(&self) -> usize {
        self.due.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(policy: &[(Method, u32)]) -> NewProcess {
        NewProcess {
            recipient: Recipient {
                echo: json!({"phone_number": "15555550100", "email": "a@example.com"}),
                phone_number: Some("15555550100".into()),
                email: Some("a@example.com".into()),
                push_app_token: None,
            },
            policy: policy
                .iter()
                .map(|&(method, fallback_time)| Step {
                    method,
                    fallback_time,
                })
                .collect(),
            security_factor: None,
            external_id: None,
            voice_lang: "en-US".into(),
        }
    }

    const T0: SystemTime = SystemTime::UNIX_EPOCH;
    const TTL: Duration = Duration::from_secs(300);
    const KEEP: Duration = Duration::from_secs(900);

    fn secs(n: u64) -> SystemTime {
        T0 + Duration::from_secs(n)
    }

    #[test]
    fn fallbacks_fire_in_order_stamped_when_due() {
        let mut ps = Processes::new();
        let mut outbox = Outbox::new(100);
        let policy = [(Method::Sms, 30), (Method::Voice, 40), (Method::Email, 120)];
        ps.create(
            "A".into(),
            new(&policy),
            "123456".into(),
            T0,
            TTL,
            KEEP,
            10,
            &mut outbox,
        );
        ps.settle(secs(29), KEEP, &mut outbox);
        assert_eq!(outbox.all().len(), 1);
        ps.settle(secs(500), KEEP, &mut outbox);
        let sent: Vec<(Channel, SystemTime)> =
            outbox.all().iter().map(|m| (m.channel, m.at)).collect();
        assert_eq!(
            sent,
            [
                (Channel::Sms, T0),
                (Channel::Voice, secs(30)),
                (Channel::Email, secs(70))
            ]
        );
        let p = &ps.store.map["A"];
        assert_eq!(p.state, State::Failed, "expired at 300 s");
        let j = p.retrieve_json("A");
        assert_eq!(j["inner_methods"][0]["state"], "SKIPPED");
        assert_eq!(j["inner_methods"][1]["state"], "SKIPPED");
        assert_eq!(j["inner_methods"][2]["state"], "FAILED");
        assert_eq!(j["updated_on"], ts(secs(300)));
        assert_eq!(ps.pending(), 0);
    }

    #[test]
    fn a_finished_process_sends_nothing_more() {
        let mut ps = Processes::new();
        let mut outbox = Outbox::new(100);
        ps.create(
            "A".into(),
            new(&[(Method::Sms, 60), (Method::Voice, 60)]),
            "123456".into(),
            T0,
            TTL,
            KEEP,
            10,
            &mut outbox,
        );
        let p = ps.store.map.get_mut("A").unwrap();
        assert_eq!(p.finalize("000000", secs(10)), Finalized::WrongCode);
        assert_eq!(p.finalize("123456", secs(20)), Finalized::Verified);
        ps.settle(secs(800), KEEP, &mut outbox);
        assert_eq!(outbox.all().len(), 1);
        let j = ps.store.map["A"].retrieve_json("A");
        assert_eq!(j["state"], "VERIFIED");
        assert_eq!(j["inner_methods"][0]["state"], "VERIFIED");
        assert_eq!(
            j["inner_methods"][1],
            json!({"method": "voice", "state": "CREATED"})
        );
    }

    #[test]
    fn three_wrong_codes_reject() {
        let mut ps = Processes::new();
        let mut outbox = Outbox::new(100);
        ps.create(
            "A".into(),
            new(&[(Method::Sms, 60)]),
            "123".into(),
            T0,
            TTL,
            KEEP,
            10,
            &mut outbox,
        );
        let p = ps.store.map.get_mut("A").unwrap();
        assert_eq!(p.finalize("124", secs(1)), Finalized::WrongCode);
        assert_eq!(p.finalize("1234", secs(2)), Finalized::WrongCode);
        assert_eq!(p.finalize("125", secs(3)), Finalized::Rejected);
        assert_eq!(p.state, State::Rejected);
    }

    #[test]
    fn heap_and_store_stay_bounded() {
        let mut ps = Processes::new();
        let mut outbox = Outbox::new(10);
        for n in 0..1000 {
            ps.create(
                format!("{n}"),
                new(&[(Method::Sms, 60), (Method::Voice, 60)]),
                "123456".into(),
                T0,
                TTL,
                KEEP,
                10,
                &mut outbox,
            );
        }
        assert_eq!(ps.len(), 10);
        assert!(ps.pending() <= 2 * 10 + 16, "{}", ps.pending());
        ps.settle(secs(10_000), KEEP, &mut outbox);
        assert_eq!((ps.len(), ps.pending()), (0, 0));
    }
}
