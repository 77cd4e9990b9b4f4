//! Idempotent starts and pending verifications: what `start` and
//! `check_pending` do around `execute` with the client's ledger
//! (docs/PROTOCOL-DECISIONS.md, "Idempotent starts and pending
//! verifications").
//!
//! A start with an idempotency key claims the key atomically before
//! anything is sent. The claim's answer decides: send (the key was free),
//! answer the earlier success again (`replayed`), answer the earlier
//! failure that may have sent (`ErrorKind::Replayed`), or wait while
//! another start is in flight (polling with the transport's sleep, up to
//! the call's time limit, then `ErrorKind::InProgress`). After the send the
//! key keeps the success, keeps a failure that may have sent, or is
//! released when nothing was sent.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::{
    AsyncClient, AsyncTransport, Client, Error, ErrorKind, Execution, Settings, Transport,
};
use crate::Idempotency;
use crate::ledger::{
    Claim, DEFAULT_IDEMPOTENCY_TTL, DEFAULT_PENDING_TTL, Failure, LedgerError, Millis, Pending,
    PendingKey, PendingStatus, SharedLedger,
};
use crate::neutral::{Check, CheckOutcome, PendingCheck, Start, Started};
use crate::validate::ValidationError;

const START: &str = "neutral.start";
const CHECK: &str = "neutral.check";

/// The first pause while another start with the key is in flight; each
/// next one doubles, up to [`LONGEST_POLL`].
const FIRST_POLL: Duration = Duration::from_millis(25);
const LONGEST_POLL: Duration = Duration::from_millis(500);

/// How often a pending verification's update is tried again when another
/// instance changed it in between.
const UPDATE_TRIES: usize = 8;

/// Milliseconds since the Unix epoch of `date` (0 before it).
fn millis(date: SystemTime) -> Millis {
    date.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn start_error(kind: ErrorKind) -> Error {
    Error::new(kind, START, None, Idempotency::SendsMessage, 0)
}

fn check_error(kind: ErrorKind) -> Error {
    Error::new(kind, CHECK, None, Idempotency::NotIdempotent, 0)
}

fn error_of(op: &'static str, kind: ErrorKind) -> Error {
    if op == START {
        start_error(kind)
    } else {
        check_error(kind)
    }
}

fn ledger_error(op: &'static str) -> impl Fn(LedgerError) -> Error {
    move |e| error_of(op, ErrorKind::Ledger(e))
}

/// The client's ledger, or the error naming the field that needs one.
fn ledger_of<'s>(
    settings: &'s Settings,
    field: &'static str,
    op: &'static str,
) -> Result<&'s SharedLedger, Error> {
    settings.ledger.as_ref().ok_or_else(|| {
        let e = ValidationError::single(
            field,
            "needs a client with a ledger (Builder::ledger): nothing keeps the record otherwise",
        );
        error_of(op, ErrorKind::Validation(e))
    })
}

/// An earlier failure under the key, answered again.
fn replayed(failure: Failure) -> Error {
    Error::new(
        ErrorKind::Replayed {
            detail: failure.detail,
            message_may_have_been_sent: failure.message_may_have_been_sent,
        },
        START,
        failure.provider,
        Idempotency::SendsMessage,
        failure.attempts,
    )
}

/// What a start does after reading its claim.
enum Step {
    Send,
    Wait,
    Answer(Result<Started, Error>),
}

fn step(claim: Claim) -> Step {
    match claim {
        Claim::Claimed => Step::Send,
        Claim::InFlight => Step::Wait,
        Claim::Done(started) => Step::Answer(Ok(Started {
            replayed: true,
            ..started
        })),
        Claim::Failed(failure) => Step::Answer(Err(replayed(failure))),
    }
}

/// The start's ledger plan, read from its fields.
struct Plan {
    /// The ledger's key: the phone number, then the caller's key.
    key: Option<String>,
    key_ttl: Duration,
    at: Option<PendingKey>,
    pending_ttl: Duration,
    resend: bool,
}

impl Plan {
    fn of(start: &Start) -> Self {
        let kept = start.kept();
        Self {
            // Scoped to the number: a key reused for another number is
            // another start, never a replay of a verification sent elsewhere.
            key: kept
                .idempotency_key
                .as_ref()
                .map(|k| format!("{}:{k}", start.phone_number())),
            key_ttl: kept.idempotency_ttl.unwrap_or(DEFAULT_IDEMPOTENCY_TTL),
            at: kept
                .purpose
                .as_ref()
                .map(|p| PendingKey::new(p.clone(), start.phone_number())),
            pending_ttl: kept.pending_ttl.unwrap_or(DEFAULT_PENDING_TTL),
            resend: kept.resend,
        }
    }

    /// The pending record of a new send at `now`, after `previous`.
    fn pending(&self, started: &Started, previous: Option<&Pending>, now: Millis) -> Pending {
        let life = crate::ledger::ttl_millis(self.pending_ttl);
        let mut pending = Pending::new(started.id.clone(), now, now.saturating_add(life));
        if let Some(p) = previous.filter(|p| self.resend && p.is_open(now)) {
            pending.started_at = p.started_at;
            pending.resends = p.resends.saturating_add(1);
        }
        pending
    }

    /// A pending record lives its time, then as long again closed (so a
    /// later check answers "already verified" or "expired").
    fn pending_record_ttl(&self) -> Duration {
        self.pending_ttl.saturating_mul(2)
    }
}

/// The verification a new start replaces, if one was still open.
fn replaced(previous: Option<&Pending>, now: Millis) -> Option<crate::neutral::VerificationId> {
    previous.filter(|p| p.is_open(now)).map(|p| p.id.clone())
}

/// The failure a key keeps, or `None` when nothing can have been sent (the
/// key is released).
fn kept_failure(error: &Error) -> Option<Failure> {
    error.message_may_have_been_sent().then(|| Failure {
        provider: error.provider(),
        attempts: error.attempts(),
        detail: crate::text::provider_text(&error.kind().to_string()),
        message_may_have_been_sent: true,
    })
}

/// The check a pending verification runs at its provider.
///
/// It carries the number, so the abuse guard's wrong-code limit and
/// conversion breaker see it. A verification closed in the ledger
/// never reaches here, so a repeated check never feeds the breaker twice;
/// an expired one feeds it nothing (it counts as a send never verified).
fn provider_check(check: &PendingCheck, pending: &Pending) -> Check {
    check
        .against(pending.id.clone())
        .phone_number(check.phone_number())
}

/// What a kept verification answers without the provider, if anything.
fn closed_outcome(pending: &Pending, now: Millis) -> Option<CheckOutcome> {
    match pending.status {
        PendingStatus::Verified => Some(CheckOutcome::AlreadyVerified),
        PendingStatus::Expired => Some(CheckOutcome::Expired),
        PendingStatus::Pending if now >= pending.ends_at => Some(CheckOutcome::Expired),
        PendingStatus::Pending => None,
    }
}

/// The record after the provider's `outcome`, when it changes.
fn settled(pending: &Pending, outcome: &CheckOutcome, now: Millis) -> Option<Pending> {
    let mut next = pending.clone();
    match outcome {
        CheckOutcome::Verified => next.status = PendingStatus::Verified,
        CheckOutcome::Incorrect => next.wrong_codes = next.wrong_codes.saturating_add(1),
        CheckOutcome::Expired
        | CheckOutcome::TooManyAttempts
        | CheckOutcome::NotFoundOrAlreadyUsed => next.status = PendingStatus::Expired,
        _ if now >= pending.ends_at => next.status = PendingStatus::Expired,
        _ => return None,
    }
    Some(next)
}

/// How long a record is kept from `now`: while open, the rest of its time
/// and then as long as it lived; once closed, as long as it lived.
fn record_ttl(pending: &Pending, now: Millis) -> Duration {
    let life = pending.ends_at.saturating_sub(pending.started_at);
    let left = if pending.status == PendingStatus::Pending {
        pending.ends_at.saturating_sub(now)
    } else {
        0
    };
    Duration::from_millis(life.saturating_add(left).max(1000))
}

/// After a failed update: what the caller is told, or the record to try
/// again from.
enum Reread {
    Answer(CheckOutcome),
    Again(Pending),
}

fn reread(now_record: Option<Pending>, ours: &Pending, outcome: CheckOutcome) -> Reread {
    match now_record {
        Some(p) if p.id == ours.id && p.status == PendingStatus::Pending => Reread::Again(p),
        // Another check closed it as verified first: the code proved it
        // once, to that check.
        Some(p)
            if p.id == ours.id && p.status == PendingStatus::Verified && !outcome.is_verified() =>
        {
            Reread::Answer(CheckOutcome::AlreadyVerified)
        }
        _ => Reread::Answer(outcome),
    }
}

impl<T: Transport> Client<T> {
    /// Starts a verification: as [`execute`](Self::execute), and with the
    /// ledger when the start carries an idempotency key or a purpose (see
    /// [`Start::idempotency_key`], [`Start::purpose`], [`Start::resend`]).
    ///
    /// With a key, another start with it within its time to live sends
    /// nothing: it answers the earlier success with `replayed` set, the
    /// earlier failure that may have sent as [`ErrorKind::Replayed`], or,
    /// while the earlier one is in flight, waits for it up to the call's
    /// time limit and then fails with [`ErrorKind::InProgress`].
    pub fn start(&self, start: &Start) -> Result<Started, Error> {
        if !start.kept().wants_ledger() {
            return self.execute(start);
        }
        let start = start.by_ledger();
        Execution::new(self.settings(), &start).map(drop)?;
        let field = if start.key().is_some() {
            "idempotency_key"
        } else {
            "purpose"
        };
        let ledger = ledger_of(self.settings(), field, START)?.blocking();
        let t = self.transport();
        let plan = Plan::of(&start);
        if let Some(key) = plan.key.as_deref() {
            let mut waited: Option<(Instant, Duration)> = None;
            loop {
                let claim = ledger
                    .claim(key, plan.key_ttl, millis(t.date()), plan.resend)
                    .map_err(ledger_error(START))?;
                match step(claim) {
                    Step::Send => break,
                    Step::Answer(answer) => return answer,
                    Step::Wait => {
                        let now = t.now();
                        let (deadline, pause) = waited
                            .get_or_insert_with(|| (wait_until(self.settings(), now), FIRST_POLL));
                        if now >= *deadline {
                            return Err(start_error(ErrorKind::InProgress));
                        }
                        t.sleep((*pause).min(deadline.saturating_duration_since(now)));
                        *pause = (*pause * 2).min(LONGEST_POLL);
                    }
                }
            }
        }
        let previous = match &plan.at {
            // A store that cannot say whether one is pending cannot keep the
            // new one either: nothing is sent (the key, if claimed, freed).
            Some(at) => match ledger.pending(at, millis(t.date())) {
                Ok(previous) => previous,
                Err(e) => {
                    if let Some(key) = plan.key.as_deref() {
                        let _ = ledger.release(key, millis(t.date()));
                    }
                    return Err(ledger_error(START)(e));
                }
            },
            None => None,
        };
        let result = self.execute(&start);
        let now = millis(t.date());
        match result {
            Ok(mut started) => {
                started.replaces = replaced(previous.as_ref(), now);
                // The message went out: a ledger failure from here on loses
                // no send; the key stays in flight until its time to live.
                if let Some(at) = &plan.at {
                    let pending = plan.pending(&started, previous.as_ref(), now);
                    let _ = ledger.put_pending(at, &pending, plan.pending_record_ttl(), now);
                }
                if let Some(key) = plan.key.as_deref() {
                    let _ = ledger.complete(key, &started, plan.key_ttl, now);
                }
                Ok(started)
            }
            Err(error) => {
                if let Some(key) = plan.key.as_deref() {
                    let _ = match kept_failure(&error) {
                        Some(failure) => ledger.fail(key, &failure, plan.key_ttl, now),
                        None => ledger.release(key, now),
                    };
                }
                Err(error)
            }
        }
    }

    /// Checks a code by (purpose, phone number): the verification kept in
    /// the ledger by a start with that purpose. A closed one answers
    /// without the provider ([`CheckOutcome::AlreadyVerified`],
    /// [`CheckOutcome::Expired`]); none kept is
    /// [`CheckOutcome::NotFoundOrAlreadyUsed`]. A right code closes it; a
    /// wrong one is counted on it.
    pub fn check_pending(&self, check: &PendingCheck) -> Result<CheckOutcome, Error> {
        check
            .validate()
            .map_err(|e| check_error(ErrorKind::Validation(e)))?;
        let ledger = ledger_of(self.settings(), "purpose", CHECK)?.blocking();
        let t = self.transport();
        let at = PendingKey::new(check.purpose(), check.phone_number());
        let now = millis(t.date());
        let Some(mut pending) = ledger.pending(&at, now).map_err(ledger_error(CHECK))? else {
            return Ok(CheckOutcome::NotFoundOrAlreadyUsed);
        };
        let outcome = match closed_outcome(&pending, now) {
            Some(answer) => answer,
            None => self.execute(&provider_check(check, &pending))?,
        };
        if pending.status != PendingStatus::Pending {
            return Ok(outcome);
        }
        for _ in 0..UPDATE_TRIES {
            let now = millis(t.date());
            let Some(next) = settled(&pending, &outcome, now) else {
                return Ok(outcome);
            };
            let ttl = record_ttl(&next, now);
            match ledger.replace_pending(&at, &pending, &next, ttl, now) {
                Ok(true) | Err(_) => return Ok(outcome),
                Ok(false) => {}
            }
            match reread(
                ledger.pending(&at, now).unwrap_or(None),
                &pending,
                outcome.clone(),
            ) {
                Reread::Answer(answer) => return Ok(answer),
                Reread::Again(p) => pending = p,
            }
        }
        Ok(outcome)
    }
}

impl<T: AsyncTransport> AsyncClient<T> {
    /// As [`Client::start`].
    pub async fn start(&self, start: &Start) -> Result<Started, Error> {
        if !start.kept().wants_ledger() {
            return self.execute(start).await;
        }
        let start = start.by_ledger();
        Execution::new(self.settings(), &start).map(drop)?;
        let field = if start.key().is_some() {
            "idempotency_key"
        } else {
            "purpose"
        };
        let ledger = ledger_of(self.settings(), field, START)?.nonblocking();
        let t = self.transport();
        let plan = Plan::of(&start);
        if let Some(key) = plan.key.as_deref() {
            let mut waited: Option<(Instant, Duration)> = None;
            loop {
                let claim = ledger
                    .claim(key, plan.key_ttl, millis(t.date()), plan.resend)
                    .await
                    .map_err(ledger_error(START))?;
                match step(claim) {
                    Step::Send => break,
                    Step::Answer(answer) => return answer,
                    Step::Wait => {
                        let now = t.now();
                        let (deadline, pause) = waited
                            .get_or_insert_with(|| (wait_until(self.settings(), now), FIRST_POLL));
                        if now >= *deadline {
                            return Err(start_error(ErrorKind::InProgress));
                        }
                        t.sleep((*pause).min(deadline.saturating_duration_since(now)))
                            .await;
                        *pause = (*pause * 2).min(LONGEST_POLL);
                    }
                }
            }
        }
        let previous = match &plan.at {
            // A store that cannot say whether one is pending cannot keep the
            // new one either: nothing is sent (the key, if claimed, freed).
            Some(at) => match ledger.pending(at, millis(t.date())).await {
                Ok(previous) => previous,
                Err(e) => {
                    if let Some(key) = plan.key.as_deref() {
                        let _ = ledger.release(key, millis(t.date())).await;
                    }
                    return Err(ledger_error(START)(e));
                }
            },
            None => None,
        };
        let result = self.execute(&start).await;
        let now = millis(t.date());
        match result {
            Ok(mut started) => {
                started.replaces = replaced(previous.as_ref(), now);
                if let Some(at) = &plan.at {
                    let pending = plan.pending(&started, previous.as_ref(), now);
                    let _ = ledger
                        .put_pending(at, &pending, plan.pending_record_ttl(), now)
                        .await;
                }
                if let Some(key) = plan.key.as_deref() {
                    let _ = ledger.complete(key, &started, plan.key_ttl, now).await;
                }
                Ok(started)
            }
            Err(error) => {
                if let Some(key) = plan.key.as_deref() {
                    let _ = match kept_failure(&error) {
                        Some(failure) => ledger.fail(key, &failure, plan.key_ttl, now).await,
                        None => ledger.release(key, now).await,
                    };
                }
                Err(error)
            }
        }
    }

    /// As [`Client::check_pending`].
    pub async fn check_pending(&self, check: &PendingCheck) -> Result<CheckOutcome, Error> {
        check
            .validate()
            .map_err(|e| check_error(ErrorKind::Validation(e)))?;
        let ledger = ledger_of(self.settings(), "purpose", CHECK)?.nonblocking();
        let t = self.transport();
        let at = PendingKey::new(check.purpose(), check.phone_number());
        let now = millis(t.date());
        let Some(mut pending) = ledger
            .pending(&at, now)
            .await
            .map_err(ledger_error(CHECK))?
        else {
            return Ok(CheckOutcome::NotFoundOrAlreadyUsed);
        };
        let outcome = match closed_outcome(&pending, now) {
            Some(answer) => answer,
            None => self.execute(&provider_check(check, &pending)).await?,
        };
        if pending.status != PendingStatus::Pending {
            return Ok(outcome);
        }
        for _ in 0..UPDATE_TRIES {
            let now = millis(t.date());
            let Some(next) = settled(&pending, &outcome, now) else {
                return Ok(outcome);
            };
            let ttl = record_ttl(&next, now);
            match ledger.replace_pending(&at, &pending, &next, ttl, now).await {
                Ok(true) | Err(_) => return Ok(outcome),
                Ok(false) => {}
            }
            let current = ledger.pending(&at, now).await.unwrap_or(None);
            match reread(current, &pending, outcome.clone()) {
                Reread::Answer(answer) => return Ok(answer),
                Reread::Again(p) => pending = p,
            }
        }
        Ok(outcome)
    }
}

/// The end of a wait for another start in flight: the primary provider's
/// overall time limit from `now` (no longer than the driver's longest).
fn wait_until(settings: &Settings, now: Instant) -> Instant {
    let limit = settings.timeouts_for(settings.primary.provider()).overall;
    now.checked_add(limit.min(super::LONGEST_LIMIT))
        .unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{AsyncLedger, Ledger, LedgerFuture};
    use std::cell::Cell;
    use std::sync::Mutex;

    /// A ledger whose every claim answers `claim`, counting the claims.
    struct Fixed {
        claim: Claim,
        claims: Mutex<u32>,
        /// Whether reading a pending verification fails (a store down).
        pending_down: std::sync::atomic::AtomicBool,
        releases: Mutex<u32>,
    }

    impl Ledger for Fixed {
        fn claim(&self, _: &str, _: Duration, _: Millis, _: bool) -> Result<Claim, LedgerError> {
            *self.claims.lock().unwrap() += 1;
            Ok(self.claim.clone())
        }
        fn complete(
            &self,
            _: &str,
            _: &Started,
            _: Duration,
            _: Millis,
        ) -> Result<(), LedgerError> {
            Ok(())
        }
        fn fail(&self, _: &str, _: &Failure, _: Duration, _: Millis) -> Result<(), LedgerError> {
            Ok(())
        }
        fn release(&self, _: &str, _: Millis) -> Result<(), LedgerError> {
            *self.releases.lock().unwrap() += 1;
            Ok(())
        }
        fn put_pending(
            &self,
            _: &PendingKey,
            _: &Pending,
            _: Duration,
            _: Millis,
        ) -> Result<(), LedgerError> {
            Ok(())
        }
        fn pending(&self, _: &PendingKey, _: Millis) -> Result<Option<Pending>, LedgerError> {
            if self.pending_down.load(std::sync::atomic::Ordering::Relaxed) {
                return Err(LedgerError::new("connection refused"));
            }
            Ok(None)
        }
        fn replace_pending(
            &self,
            _: &PendingKey,
            _: &Pending,
            _: &Pending,
            _: Duration,
            _: Millis,
        ) -> Result<bool, LedgerError> {
            Ok(false)
        }
    }

    impl AsyncLedger for Fixed {
        fn claim<'a>(
            &'a self,
            k: &'a str,
            t: Duration,
            n: Millis,
            r: bool,
        ) -> LedgerFuture<'a, Claim> {
            Box::pin(std::future::ready(Ledger::claim(self, k, t, n, r)))
        }
        fn complete<'a>(
            &'a self,
            _: &'a str,
            _: &'a Started,
            _: Duration,
            _: Millis,
        ) -> LedgerFuture<'a, ()> {
            Box::pin(std::future::ready(Ok(())))
        }
        fn fail<'a>(
            &'a self,
            _: &'a str,
            _: &'a Failure,
            _: Duration,
            _: Millis,
        ) -> LedgerFuture<'a, ()> {
            Box::pin(std::future::ready(Ok(())))
        }
        fn release<'a>(&'a self, _: &'a str, _: Millis) -> LedgerFuture<'a, ()> {
            Box::pin(std::future::ready(Ok(())))
        }
        fn put_pending<'a>(
            &'a self,
            _: &'a PendingKey,
            _: &'a Pending,
            _: Duration,
            _: Millis,
        ) -> LedgerFuture<'a, ()> {
            Box::pin(std::future::ready(Ok(())))
        }
        fn pending<'a>(
            &'a self,
            _: &'a PendingKey,
            _: Millis,
        ) -> LedgerFuture<'a, Option<Pending>> {
            Box::pin(std::future::ready(Ok(None)))
        }
        fn replace_pending<'a>(
            &'a self,
            _: &'a PendingKey,
            _: &'a Pending,
            _: &'a Pending,
            _: Duration,
            _: Millis,
        ) -> LedgerFuture<'a, bool> {
            Box::pin(std::future::ready(Ok(false)))
        }
    }

    /// A transport whose clock moves only when it sleeps, and that counts
    /// what it is asked to send (answering nothing useful).
    struct Still {
        start: Instant,
        slept: Cell<Duration>,
        sends: Cell<u32>,
    }

    impl super::super::Runtime for Still {
        fn now(&self) -> Instant {
            self.start + self.slept.get()
        }
        fn date(&self) -> SystemTime {
            UNIX_EPOCH + Duration::from_secs(1_700_000_000) + self.slept.get()
        }
        fn random(&self) -> [u8; 16] {
            [7; 16]
        }
    }

    impl Transport for Still {
        type Body = Vec<u8>;
        fn send(
            &self,
            _: http::Request<Vec<u8>>,
            _: super::super::Limits,
            _: &super::super::AttemptInfo,
        ) -> Result<http::Response<Vec<u8>>, ErrorKind> {
            self.sends.set(self.sends.get() + 1);
            Err(ErrorKind::transport(false, "refused"))
        }
        fn sleep(&self, d: Duration) {
            self.slept.set(self.slept.get() + d);
        }
    }

    fn client(claim: Claim) -> (Client<Still>, std::sync::Arc<Fixed>) {
        let ledger = std::sync::Arc::new(Fixed {
            claim,
            claims: Mutex::new(0),
            pending_down: std::sync::atomic::AtomicBool::new(false),
            releases: Mutex::new(0),
        });
        let creds = crate::telesign::Credentials::new("CUSTOMER", "VGVzdCBLZXk=").unwrap();
        let settings = Settings::builder(crate::telesign::Config::new(creds))
            .timeouts(super::super::Timeouts {
                connect: Duration::from_secs(1),
                overall: Duration::from_secs(3),
            })
            .ledger(std::sync::Arc::clone(&ledger))
            .build();
        let still = Still {
            start: Instant::now(),
            slept: Cell::new(Duration::ZERO),
            sends: Cell::new(0),
        };
        (Client::new(settings, still), ledger)
    }

    #[test]
    fn a_start_in_flight_elsewhere_waits_its_time_limit_then_is_in_progress() {
        let (client, ledger) = client(Claim::InFlight);
        let error = client
            .start(&Start::new("15555550100").idempotency_key("k"))
            .unwrap_err();
        assert!(matches!(error.kind(), ErrorKind::InProgress), "{error}");
        assert!(!error.message_may_have_been_sent());
        assert_eq!(client.transport().sends.get(), 0);
        // It waited the whole limit, no longer, polling more than once.
        assert_eq!(client.transport().slept.get(), Duration::from_secs(3));
        assert!(*ledger.claims.lock().unwrap() > 2);
    }

    #[test]
    fn a_finished_start_is_answered_again_without_a_send() {
        let started = Started {
            id: "telesign:0123456789ABCDEF0123456789ABCDEF".parse().unwrap(),
            delivery: crate::neutral::DeliveryState::Pending,
            message_may_have_been_sent: true,
            replayed: false,
            replaces: None,
        };
        let (client, _) = client(Claim::Done(started.clone()));
        let start = Start::new("15555550100").idempotency_key("k");
        let again = client.start(&start).unwrap();
        assert_eq!(
            again,
            Started {
                replayed: true,
                ..started
            }
        );

        let (client, _) = client_failed();
        let error = client.start(&start).unwrap_err();
        assert!(
            matches!(error.kind(), ErrorKind::Replayed { .. }),
            "{error}"
        );
        assert!(error.message_may_have_been_sent());
        assert_eq!(error.provider(), Some(crate::Provider::TeleSign));
        assert_eq!(client.transport().sends.get(), 0);
    }

    #[test]
    fn a_store_that_cannot_read_the_pending_one_sends_nothing() {
        for key in [false, true] {
            let (client, ledger) = client(Claim::Claimed);
            ledger
                .pending_down
                .store(true, std::sync::atomic::Ordering::Relaxed);
            let mut start = Start::new("15555550100").purpose("login");
            if key {
                start = start.idempotency_key("k");
            }
            let error = client.start(&start).unwrap_err();
            assert!(!error.message_may_have_been_sent(), "{error}");
            assert_eq!(client.transport().sends.get(), 0, "{error}");
            // A claimed key is freed for the next try.
            assert_eq!(*ledger.releases.lock().unwrap(), u32::from(key));
        }
    }

    fn client_failed() -> (Client<Still>, std::sync::Arc<Fixed>) {
        client(Claim::Failed(Failure {
            provider: Some(crate::Provider::TeleSign),
            attempts: 1,
            detail: "timed out".into(),
            message_may_have_been_sent: true,
        }))
    }

    fn pending() -> Pending {
        Pending::new(
            "telesign:0123456789ABCDEF0123456789ABCDEF".parse().unwrap(),
            1_000,
            601_000,
        )
    }

    #[test]
    fn a_closed_verification_answers_without_the_provider() {
        let mut p = pending();
        assert_eq!(closed_outcome(&p, 2_000), None);
        assert_eq!(closed_outcome(&p, 601_000), Some(CheckOutcome::Expired));
        p.status = PendingStatus::Verified;
        assert_eq!(
            closed_outcome(&p, 2_000),
            Some(CheckOutcome::AlreadyVerified)
        );
    }

    #[test]
    fn outcomes_close_or_count() {
        let p = pending();
        let v = settled(&p, &CheckOutcome::Verified, 2_000).unwrap();
        assert_eq!(v.status, PendingStatus::Verified);
        let w = settled(&p, &CheckOutcome::Incorrect, 2_000).unwrap();
        assert_eq!((w.status, w.wrong_codes), (PendingStatus::Pending, 1));
        let locked = settled(&p, &CheckOutcome::TooManyAttempts, 2_000).unwrap();
        assert_eq!(locked.status, PendingStatus::Expired);
        assert_eq!(settled(&p, &CheckOutcome::Unknown("x".into()), 2_000), None);
        assert_eq!(record_ttl(&v, 2_000), Duration::from_millis(600_000));
        assert_eq!(record_ttl(&w, 2_000), Duration::from_millis(1_199_000));
    }

    #[test]
    fn a_lost_race_to_close_answers_already_verified() {
        let ours = pending();
        let mut theirs = ours.clone();
        theirs.status = PendingStatus::Verified;
        assert!(matches!(
            reread(
                Some(theirs.clone()),
                &ours,
                CheckOutcome::NotFoundOrAlreadyUsed
            ),
            Reread::Answer(CheckOutcome::AlreadyVerified)
        ));
        assert!(matches!(
            reread(Some(theirs), &ours, CheckOutcome::Verified),
            Reread::Answer(CheckOutcome::Verified)
        ));
        assert!(matches!(
            reread(Some(ours.clone()), &ours, CheckOutcome::Incorrect),
            Reread::Again(_)
        ));
        assert!(matches!(
            reread(None, &ours, CheckOutcome::Incorrect),
            Reread::Answer(CheckOutcome::Incorrect)
        ));
    }

    #[test]
    fn a_resend_keeps_the_first_start_and_counts() {
        let started = Started {
            id: "telesign:FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF".parse().unwrap(),
            delivery: crate::neutral::DeliveryState::Pending,
            message_may_have_been_sent: true,
            replayed: false,
            replaces: None,
        };
        let start = Start::new("15555550100").purpose("login").resend();
        let plan = Plan::of(&start);
        let previous = pending();
        let next = plan.pending(&started, Some(&previous), 5_000);
        assert_eq!((next.started_at, next.resends), (1_000, 1));
        assert_eq!(next.ends_at, 605_000);
        let fresh_start = Start::new("15555550100").purpose("login");
        let fresh = Plan::of(&fresh_start);
        let next = fresh.pending(&started, Some(&previous), 5_000);
        assert_eq!((next.started_at, next.resends), (5_000, 0));
        assert_eq!(replaced(Some(&previous), 5_000), Some(previous.id.clone()));
        assert_eq!(replaced(Some(&previous), 601_000), None);
    }
}
