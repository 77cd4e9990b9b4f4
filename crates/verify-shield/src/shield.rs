//! The shield: the policy turns a send into one [`Plan`], a store decides
//! it; `now` is always an argument.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use verify_core::guard::{
    AsyncGuard, Blocked, CodeOutcome, Guard, GuardFuture, Rule, SendFacts as CoreSendFacts,
};

use crate::number::Number;
use crate::rules::{BreakerRule, Rules, WindowRule};
use crate::store::{
    AsyncStore, Breaker, Denial, Limit, Millis, Mode, Plan, Spend, Store, StoreError, Verdict,
};

/// What the shield is told of one logical send.
#[derive(Clone, Copy, Debug)]
pub struct SendFacts<'a> {
    /// The destination: international digits, with or without `+`.
    pub number: &'a str,
    /// Opaque keys of who asked (`ip:192.0.2.1`, `user:42`); repeats count
    /// once.
    pub client_keys: &'a [String],
    /// How many SMS the message is billed as (1 for a call).
    pub segments: u32,
}

/// A decision on a send (or a check).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead. `monitored` names the rules in monitor mode that would
    /// have refused; `bypassed` is true for a number on the allow-list.
    Allowed {
        /// Rules in monitor mode that would have refused.
        monitored: Vec<Rule>,
        /// The number is on the allow-list: no rule was checked.
        bypassed: bool,
    },
    /// Refused: nothing may be sent.
    Denied(Blocked),
}

impl Decision {
    /// Whether the send may go ahead.
    pub fn is_allowed(&self) -> bool {
        matches!(self, Self::Allowed { .. })
    }

    /// The refusal, when it is one.
    pub fn blocked(&self) -> Option<&Blocked> {
        match self {
            Self::Denied(b) => Some(b),
            Self::Allowed { .. } => None,
        }
    }

    fn into_result(self) -> Result<(), Blocked> {
        match self {
            Self::Allowed { .. } => Ok(()),
            Self::Denied(b) => Err(b),
        }
    }
}

/// Decisions counted since the shield was made, for a metrics exporter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CounterSnapshot {
    /// Sends and checks allowed (bypasses included).
    pub allowed: u64,
    /// Sends allowed because the number is on the allow-list.
    pub bypassed: u64,
    /// Refusals, by the rule that refused, in [`Rule::ALL`] order.
    pub denied: Vec<(Rule, u64)>,
    /// Monitor-mode rules that would have refused, in [`Rule::ALL`] order.
    pub monitored: Vec<(Rule, u64)>,
    /// Decisions the store could not make.
    pub store_errors: u64,
}

#[derive(Debug, Default)]
struct Counters {
    allowed: AtomicU64,
    bypassed: AtomicU64,
    denied: [AtomicU64; Rule::ALL.len()],
    monitored: [AtomicU64; Rule::ALL.len()],
    store_errors: AtomicU64,
}

fn rule_index(rule: Rule) -> usize {
    Rule::ALL.iter().position(|r| *r == rule).unwrap_or(0)
}

/// The abuse shield: [`Rules`] over a store `S`.
///
/// `S` may be any [`Store`] (blocking: [`decide_send`](Self::decide_send)
/// and the [`Guard`] of a blocking client) or [`AsyncStore`]
/// ([`decide_send_async`](Self::decide_send_async) and the [`AsyncGuard`]);
/// the in-memory store is both.
#[derive(Debug)]
pub struct Shield<S> {
    rules: Rules,
    allow: Vec<String>,
    store: S,
    counters: Counters,
}

/// A send read and planned, before the store has decided.
enum Prepared {
    Done(Decision),
    Plan {
        plan: Plan,
        number: Number,
        monitored: Vec<Rule>,
    },
}

fn window_limit(rule: Rule, r: &WindowRule, key: String, consume: bool) -> Option<Limit> {
    r.enabled.then_some(Limit {
        rule,
        key,
        window_ms: r.window.0,
        max: r.max,
        mode: r.mode,
        consume,
    })
}

fn breaker(rule: Rule, r: &BreakerRule, key: String) -> Option<Breaker> {
    r.enabled.then(|| Breaker {
        rule,
        key,
        window_ms: r.window.0,
        min_sends: r.min_sends,
        min_verified_permille: r.min_verified_percent.saturating_mul(10),
        cool_off_ms: r.cool_off.0,
        probe_ms: r.probe.0,
        mode: r.mode,
    })
}

/// Milliseconds since the Unix epoch (0 before it).
pub fn millis(now: SystemTime) -> Millis {
    now.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl<S> Shield<S> {
    /// A shield deciding `rules` over `store`.
    pub fn new(rules: Rules, store: S) -> Self {
        let allow = rules
            .allow_numbers
            .iter()
            .map(|n| n.trim().trim_start_matches('+').to_owned())
            .collect();
        Self {
            rules,
            allow,
            store,
            counters: Counters::default(),
        }
    }

    /// The rules.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The decisions so far, by rule.
    pub fn counters(&self) -> CounterSnapshot {
        let c = &self.counters;
        let by_rule = |a: &[AtomicU64; Rule::ALL.len()]| {
            Rule::ALL
                .iter()
                .zip(a.iter())
                .map(|(r, n)| (*r, n.load(Ordering::Relaxed)))
                .collect()
        };
        CounterSnapshot {
            allowed: c.allowed.load(Ordering::Relaxed),
            bypassed: c.bypassed.load(Ordering::Relaxed),
            denied: by_rule(&c.denied),
            monitored: by_rule(&c.monitored),
            store_errors: c.store_errors.load(Ordering::Relaxed),
        }
    }

    /// The breakers a number feeds.
    fn breakers(&self, n: &Number) -> Vec<Breaker> {
        [
            breaker(
                Rule::ConversionCountry,
                &self.rules.conversion_country,
                format!("cc:{}", n.country),
            ),
            breaker(
                Rule::ConversionBlock,
                &self.rules.conversion_block,
                format!("cb:{}", n.block),
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn wrong_code_limit(&self, n: &Number, consume: bool) -> Option<Limit> {
        window_limit(
            Rule::WrongCodes,
            &self.rules.wrong_codes,
            format!("w:{}", n.digits),
            consume,
        )
    }

    /// Reads the send, checks the rules that need no store, and plans the
    /// rest.
    fn prepare(&self, now: Millis, facts: &SendFacts<'_>) -> Prepared {
        let Some(n) = Number::parse(facts.number) else {
            return Prepared::Done(self.denied(
                "send",
                None,
                Blocked {
                    rule: Rule::InvalidNumber,
                    retry_after: None,
                },
            ));
        };
        if self.allow.contains(&n.digits) {
            self.counters.allowed.fetch_add(1, Ordering::Relaxed);
            self.counters.bypassed.fetch_add(1, Ordering::Relaxed);
            tracing::info!(
                target: "verify_shield",
                decision = "allowed",
                bypassed = true,
                country = %n.country,
                block = %n.block,
                "send allowed: the number is on the allow-list"
            );
            return Prepared::Done(Decision::Allowed {
                monitored: Vec::new(),
                bypassed: true,
            });
        }
        let r = &self.rules;
        // The rules a store is not needed for.
        let mut fixed: Vec<(Rule, Mode)> = Vec::new();
        let c = &r.countries;
        if !c.allow.is_empty() && !c.allow.iter().any(|a| a.eq_ignore_ascii_case(&n.country)) {
            fixed.push((Rule::CountryNotAllowed, c.mode));
        }
        if c.deny.iter().any(|d| d.eq_ignore_ascii_case(&n.country)) {
            fixed.push((Rule::CountryDenied, c.mode));
        }
        if r.number_type.enabled && n.kind.is_some_and(|k| r.number_type.deny.contains(&k)) {
            fixed.push((Rule::NumberType, r.number_type.mode));
        }
        if let Some(&(rule, _)) = fixed.iter().find(|(_, m)| *m == Mode::Enforce) {
            return Prepared::Done(self.denied(
                "send",
                Some(&n),
                Blocked {
                    rule,
                    retry_after: None,
                },
            ));
        }
        let monitored = fixed.into_iter().map(|(rule, _)| rule).collect();

        let d = &n.digits;
        let mut limits: Vec<Limit> = [
            window_limit(
                Rule::NumberCooldown,
                &r.number_cooldown,
                format!("nc:{d}"),
                true,
            ),
            window_limit(
                Rule::NumberShortWindow,
                &r.number_short,
                format!("ns:{d}"),
                true,
            ),
            window_limit(
                Rule::NumberLongWindow,
                &r.number_long,
                format!("nl:{d}"),
                true,
            ),
            window_limit(
                Rule::NumberBlock,
                &r.number_block,
                format!("b:{}", n.block),
                true,
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        let mut keys: Vec<&String> = facts.client_keys.iter().collect();
        keys.sort();
        keys.dedup();
        limits.extend(
            keys.into_iter().filter_map(|k| {
                window_limit(Rule::ClientKey, &r.client_key, format!("k:{k}"), true)
            }),
        );
        if let Some(&max) = c
            .budgets
            .iter()
            .find(|(cc, _)| cc.eq_ignore_ascii_case(&n.country))
            .map(|(_, m)| m)
        {
            limits.push(Limit {
                rule: Rule::CountryBudget,
                key: format!("c:{}", n.country),
                window_ms: 3_600_000,
                max,
                mode: c.budget_mode,
                consume: true,
            });
        }
        limits.extend(window_limit(
            Rule::GlobalSends,
            &r.global_sends,
            "g".into(),
            true,
        ));
        let s = &r.global_spend;
        let spends = if s.enabled {
            vec![Spend {
                rule: Rule::GlobalSpend,
                key: "s".into(),
                window_ms: s.window.0,
                max: s.max,
                cost: u64::from(facts.segments.max(1)).saturating_mul(s.price(&n.country)),
                mode: s.mode,
            }]
        } else {
            Vec::new()
        };
        let plan = Plan {
            now,
            limits,
            spends,
            breakers: self.breakers(&n),
        };
        Prepared::Plan {
            plan,
            number: n,
            monitored,
        }
    }

    /// The store's verdict (or failure) as a decision.
    fn conclude(
        &self,
        what: &'static str,
        n: &Number,
        mut monitored: Vec<Rule>,
        verdict: Result<Verdict, StoreError>,
    ) -> Decision {
        let verdict = match verdict {
            Ok(v) => v,
            Err(e) => {
                self.counters.store_errors.fetch_add(1, Ordering::Relaxed);
                return match self.rules.on_store_error {
                    crate::rules::OnStoreError::FailClosed => self.denied(
                        what,
                        Some(n),
                        Blocked {
                            rule: Rule::StoreUnavailable,
                            retry_after: None,
                        },
                    ),
                    crate::rules::OnStoreError::Allow => {
                        tracing::warn!(
                            target: "verify_shield",
                            decision = "allowed",
                            what,
                            country = %n.country,
                            block = %n.block,
                            error = %e,
                            "allowed without a decision: the store failed"
                        );
                        self.counters.allowed.fetch_add(1, Ordering::Relaxed);
                        Decision::Allowed {
                            monitored,
                            bypassed: false,
                        }
                    }
                };
            }
        };
        monitored.extend(verdict.monitored.iter().map(|d| d.rule));
        monitored.sort_by_key(|r| rule_index(*r));
        monitored.dedup();
        for rule in &monitored {
            self.counters.monitored[rule_index(*rule)].fetch_add(1, Ordering::Relaxed);
        }
        if let Some(blocked) = first_denial(&verdict.denied) {
            return self.denied(what, Some(n), blocked);
        }
        self.counters.allowed.fetch_add(1, Ordering::Relaxed);
        let names: Vec<&str> = monitored.iter().map(|r| r.as_str()).collect();
        tracing::info!(
            target: "verify_shield",
            decision = "allowed",
            what,
            country = %n.country,
            block = %n.block,
            monitored = ?names,
            "{what} allowed"
        );
        Decision::Allowed {
            monitored,
            bypassed: false,
        }
    }

    /// Counts and logs a refusal.
    fn denied(&self, what: &'static str, n: Option<&Number>, blocked: Blocked) -> Decision {
        self.counters.denied[rule_index(blocked.rule)].fetch_add(1, Ordering::Relaxed);
        let retry_after_ms = blocked.retry_after.map(|d| d.as_millis() as u64);
        tracing::info!(
            target: "verify_shield",
            decision = "denied",
            what,
            rule = blocked.rule.as_str(),
            country = n.map_or("", |n| n.country.as_str()),
            block = n.map_or("", |n| n.block.as_str()),
            retry_after_ms,
            "{what} refused by the guard"
        );
        Decision::Denied(blocked)
    }

    /// The look before a check: `Err` when the number has had too many
    /// wrong codes (consumes nothing).
    fn prepare_check(&self, now: Millis, number: &str) -> Result<(Number, Option<Plan>), Decision> {
        let Some(n) = Number::parse(number) else {
            return Err(self.denied(
                "check",
                None,
                Blocked {
                    rule: Rule::InvalidNumber,
                    retry_after: None,
                },
            ));
        };
        if self.allow.contains(&n.digits) {
            return Ok((n, None));
        }
        let plan = self.wrong_code_limit(&n, false).map(|limit| Plan {
            now,
            limits: vec![limit],
            ..Plan::default()
        });
        Ok((n, plan))
    }
}

/// The refusal of a verdict: the first rule in [`Rule::ALL`] order, and the
/// latest time any refusing check allows again (`None` when one cannot
/// say).
fn first_denial(denied: &[Denial]) -> Option<Blocked> {
    let rule = denied
        .iter()
        .map(|d| d.rule)
        .min_by_key(|r| rule_index(*r))?;
    let retry_after = denied
        .iter()
        .map(|d| d.retry_after_ms)
        .try_fold(0u64, |max, r| r.map(|r| max.max(r)))
        .map(Duration::from_millis);
    Some(Blocked { rule, retry_after })
}

impl<S: Store> Shield<S> {
    /// Decides one logical send at `now` (ms since the Unix epoch): every
    /// rule is checked in one plan before anything is counted; a refused
    /// send counts nothing.
    pub fn decide_send(&self, now: Millis, facts: &SendFacts<'_>) -> Decision {
        match self.prepare(now, facts) {
            Prepared::Done(d) => d,
            Prepared::Plan {
                plan,
                number,
                monitored,
            } => self.conclude("send", &number, monitored, self.store.decide(&plan)),
        }
    }

    /// Whether a code check of `number` may reach the provider: refused
    /// after too many wrong codes (looks, counts nothing).
    pub fn check_allowed(&self, now: Millis, number: &str) -> Decision {
        match self.prepare_check(now, number) {
            Err(d) => d,
            Ok((n, None)) => self.conclude("check", &n, Vec::new(), Ok(Verdict::default())),
            Ok((n, Some(plan))) => self.conclude("check", &n, Vec::new(), self.store.decide(&plan)),
        }
    }

    /// Records a wrong code for `number`.
    pub fn wrong_code(&self, now: Millis, number: &str) -> Result<(), StoreError> {
        let Some(limit) = Number::parse(number).and_then(|n| self.wrong_code_limit(&n, true))
        else {
            return Ok(());
        };
        self.store.record(now, &limit)
    }

    /// Reports a verified code for `number`: feeds the conversion breakers
    /// of its country and block, and closes a half-open one. For
    /// applications that check codes elsewhere, too.
    pub fn verified(&self, now: Millis, number: &str) -> Result<(), StoreError> {
        let Some(n) = Number::parse(number) else {
            return Ok(());
        };
        let breakers = self.breakers(&n);
        if breakers.is_empty() {
            return Ok(());
        }
        self.store.verified(now, &breakers)
    }
}

impl<S: AsyncStore> Shield<S> {
    /// As [`decide_send`](Self::decide_send), over an async store.
    pub async fn decide_send_async(&self, now: Millis, facts: &SendFacts<'_>) -> Decision {
        match self.prepare(now, facts) {
            Prepared::Done(d) => d,
            Prepared::Plan {
                plan,
                number,
                monitored,
            } => {
                let verdict = AsyncStore::decide(&self.store, &plan).await;
                self.conclude("send", &number, monitored, verdict)
            }
        }
    }

    /// As [`check_allowed`](Self::check_allowed), over an async store.
    pub async fn check_allowed_async(&self, now: Millis, number: &str) -> Decision {
        match self.prepare_check(now, number) {
            Err(d) => d,
            Ok((n, None)) => self.conclude("check", &n, Vec::new(), Ok(Verdict::default())),
            Ok((n, Some(plan))) => {
                let verdict = AsyncStore::decide(&self.store, &plan).await;
                self.conclude("check", &n, Vec::new(), verdict)
            }
        }
    }

    /// As [`wrong_code`](Self::wrong_code), over an async store.
    pub async fn wrong_code_async(&self, now: Millis, number: &str) -> Result<(), StoreError> {
        let Some(limit) = Number::parse(number).and_then(|n| self.wrong_code_limit(&n, true))
        else {
            return Ok(());
        };
        AsyncStore::record(&self.store, now, &limit).await
    }

    /// As [`verified`](Self::verified), over an async store.
    pub async fn verified_async(&self, now: Millis, number: &str) -> Result<(), StoreError> {
        let Some(n) = Number::parse(number) else {
            return Ok(());
        };
        let breakers = self.breakers(&n);
        if breakers.is_empty() {
            return Ok(());
        }
        AsyncStore::verified(&self.store, now, &breakers).await
    }
}

fn facts<'a>(send: &CoreSendFacts<'a>) -> SendFacts<'a> {
    SendFacts {
        number: send.phone_number,
        client_keys: send.client_keys,
        segments: send.segments,
    }
}

/// Records a check's outcome, logging (never failing on) a store error.
fn log_record_error(result: Result<(), StoreError>) {
    if let Err(e) = result {
        tracing::warn!(target: "verify_shield", error = %e, "a check's outcome was not recorded");
    }
}

impl<S: Store + std::fmt::Debug> Guard for Shield<S> {
    fn before_send(&self, now: SystemTime, send: &CoreSendFacts<'_>) -> Result<(), Blocked> {
        self.decide_send(millis(now), &facts(send)).into_result()
    }

    fn before_check(&self, now: SystemTime, phone_number: &str) -> Result<(), Blocked> {
        self.check_allowed(millis(now), phone_number).into_result()
    }

    fn after_check(&self, now: SystemTime, phone_number: &str, outcome: CodeOutcome) {
        log_record_error(match outcome {
            CodeOutcome::Verified => self.verified(millis(now), phone_number),
            CodeOutcome::Wrong => self.wrong_code(millis(now), phone_number),
        });
    }
}

impl<S: AsyncStore + std::fmt::Debug> AsyncGuard for Shield<S> {
    fn before_send<'a>(
        &'a self,
        now: SystemTime,
        send: &'a CoreSendFacts<'a>,
    ) -> GuardFuture<'a, Result<(), Blocked>> {
        Box::pin(async move {
            self.decide_send_async(millis(now), &facts(send))
                .await
                .into_result()
        })
    }

    fn before_check<'a>(
        &'a self,
        now: SystemTime,
        phone_number: &'a str,
    ) -> GuardFuture<'a, Result<(), Blocked>> {
        Box::pin(async move {
            self.check_allowed_async(millis(now), phone_number)
                .await
                .into_result()
        })
    }

    fn after_check<'a>(
        &'a self,
        now: SystemTime,
        phone_number: &'a str,
        outcome: CodeOutcome,
    ) -> GuardFuture<'a, ()> {
        Box::pin(async move {
            log_record_error(match outcome {
                CodeOutcome::Verified => self.verified_async(millis(now), phone_number).await,
                CodeOutcome::Wrong => self.wrong_code_async(millis(now), phone_number).await,
            });
        })
    }
}
