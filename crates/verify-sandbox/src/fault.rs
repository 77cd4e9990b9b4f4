//! Fault injection: per route, the next N requests misbehave in a chosen way.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// A route of the simulated APIs, as fault injection names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Route {
    /// `POST /v1/verify/sms`.
    #[serde(rename = "telesign.sms")]
    TeleSignSms,
    /// `POST /v1/verify/call`.
    #[serde(rename = "telesign.call")]
    TeleSignCall,
    /// `GET /v1/verify/{reference_id}`.
    #[serde(rename = "telesign.status")]
    TeleSignStatus,
    /// `PUT /v1/verify/completion/{reference_id}`.
    #[serde(rename = "telesign.completion")]
    TeleSignCompletion,
    /// `POST /webapi/verify`.
    #[serde(rename = "dotdigital.send")]
    DotdigitalSend,
    /// `PUT /WebApi/Verify/{requestId}/validate`.
    #[serde(rename = "dotdigital.validate")]
    DotdigitalValidate,
    /// TeleSign Verify API: `POST /verification` (create a verification process).
    #[serde(rename = "telesign_verify.create")]
    TeleSignVerifyCreate,
    /// TeleSign Verify API: `GET /verification/{reference_id}` (retrieve it).
    #[serde(rename = "telesign_verify.retrieve")]
    TeleSignVerifyRetrieve,
    /// TeleSign Verify API: `PATCH /verification/{reference_id}/state` (finalize it).
    #[serde(rename = "telesign_verify.finalize")]
    TeleSignVerifyFinalize,
    /// Every provider route.
    #[serde(rename = "*")]
    Any,
}

impl Route {
    /// Whether a fault registered for `self` applies to a request on `actual`.
    pub fn matches(self, actual: Route) -> bool {
        self == Route::Any || self == actual
    }

    /// Whether this is a TeleSign route (classic or Verify API).
    pub fn is_telesign(self) -> bool {
        matches!(
            self,
            Route::TeleSignSms
                | Route::TeleSignCall
                | Route::TeleSignStatus
                | Route::TeleSignCompletion
        ) || self.is_telesign_verify()
    }

    /// Whether this is a route of TeleSign's Verify API (`/verification`).
    pub fn is_telesign_verify(self) -> bool {
        matches!(
            self,
            Route::TeleSignVerifyCreate
                | Route::TeleSignVerifyRetrieve
                | Route::TeleSignVerifyFinalize
        )
    }

    /// Whether a request on this route sends a message. (A Verify API process also sends
    /// its fallback channels' messages later, whichever request happens to notice that
    /// their time has come.)
    pub fn sends_message(self) -> bool {
        matches!(
            self,
            Route::TeleSignSms
                | Route::TeleSignCall
                | Route::DotdigitalSend
                | Route::TeleSignVerifyCreate
        )
    }
}

/// A way for the sandbox to misbehave.
///
/// JSON (`POST /_sandbox/faults`): `{"kind":"telesign_status","code":503}`, `{"kind":"html_503"}`,
/// `{"kind":"delay","ms":250}`, `{"kind":"close_before"}`, `{"kind":"close_after"}`,
/// `{"kind":"truncate_body"}`, `{"kind":"huge_body","bytes":1000000000}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "FaultJson", from = "FaultJson")]
pub enum Fault {
    /// Answer with this TeleSign `status.code`:
    /// - 500: HTTP 503, status 500, error -90001; nothing is processed or recorded.
    /// - 501: HTTP 401, status 501, error -30006; nothing is processed.
    /// - 502..=599 on a send route: the request is processed (the message is recorded in the
    ///   outbox: the carrier was attempted) and the answer is HTTP 200 with this `status.code`
    ///   and no errors.
    /// - 502..=599 on the status or completion route: processed normally, reporting this
    ///   code as the message's delivery status.
    /// - other codes on TeleSign routes, and any code on a dotdigital route: that HTTP status
    ///   (when valid, else 500) with an empty body, nothing processed.
    ///
    /// On the Verify API's routes (`telesign_verify.*`) the classic codes are mapped to its
    /// own (see the README's fault table):
    /// - 500: HTTP 503, `{"status":{"code":3500,"description":"System unavailable"}}`;
    ///   nothing is processed or sent.
    /// - 501: HTTP 401, status 3400; nothing is processed.
    /// - 502..=599: the request is processed (a create's first message is in the outbox, a
    ///   finalize is applied), then answered with that HTTP status and an empty body: the
    ///   documented "5xx without a status body: a message may have gone out".
    /// - 3000..=3999: a Verify API status code, answered with its documented HTTP status
    ///   (e.g. 3041 and 3500: 503; 3204: 429 with `Retry-After`; 3400: 401) and the body
    ///   `{"status":{"code":N,"description":...}}`; nothing is processed.
    /// - other codes: that HTTP status with an empty body, nothing processed.
    TeleSignStatus(u16),
    /// HTTP 503 with an HTML page, as a load balancer in front of the API would answer;
    /// nothing is processed.
    Html503,
    /// Wait this long (real time, not the sandbox clock), then process normally.
    Delay(Duration),
    /// Drop the connection before processing anything (after reading the request head).
    CloseBeforeProcessing,
    /// Process the request fully (a message goes to the outbox), then drop the connection
    /// without answering.
    CloseAfterProcessing,
    /// Process, send the headers with the full `Content-Length`, half the body, then close.
    TruncateBody,
    /// Process, then answer 200 with a streamed body of this many bytes (never held in memory).
    HugeBody(u64),
}

#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum FaultJson {
    TelesignStatus {
        code: u16,
    },
    #[serde(rename = "html_503")]
    Html503,
    Delay {
        ms: u64,
    },
    CloseBefore,
    CloseAfter,
    TruncateBody,
    HugeBody {
        bytes: u64,
    },
}

impl From<Fault> for FaultJson {
    fn from(f: Fault) -> Self {
        match f {
            Fault::TeleSignStatus(code) => FaultJson::TelesignStatus { code },
            Fault::Html503 => FaultJson::Html503,
            Fault::Delay(d) => FaultJson::Delay {
                ms: u64::try_from(d.as_millis()).unwrap_or(u64::MAX),
            },
            Fault::CloseBeforeProcessing => FaultJson::CloseBefore,
            Fault::CloseAfterProcessing => FaultJson::CloseAfter,
            Fault::TruncateBody => FaultJson::TruncateBody,
            Fault::HugeBody(bytes) => FaultJson::HugeBody { bytes },
        }
    }
}

impl From<FaultJson> for Fault {
    fn from(f: FaultJson) -> Self {
        match f {
            FaultJson::TelesignStatus { code } => Fault::TeleSignStatus(code),
            FaultJson::Html503 => Fault::Html503,
            FaultJson::Delay { ms } => Fault::Delay(Duration::from_millis(ms)),
            FaultJson::CloseBefore => Fault::CloseBeforeProcessing,
            FaultJson::CloseAfter => Fault::CloseAfterProcessing,
            FaultJson::TruncateBody => Fault::TruncateBody,
            FaultJson::HugeBody { bytes } => Fault::HugeBody(bytes),
        }
    }
}

/// The JSON accepted by `POST /_sandbox/faults`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FaultRequest {
    /// Where.
    pub route: Route,
    /// What.
    pub fault: Fault,
    /// For how many requests (default 1).
    #[serde(default = "one")]
    pub count: u32,
}

fn one() -> u32 {
    1
}

/// Most fault entries pending at once, over all routes. An injection identical (same route,
/// same fault) to the latest pending one adds to its count instead of taking an entry.
pub const MAX_PENDING_FAULTS: usize = 4096;

/// A fault was refused because [`MAX_PENDING_FAULTS`] entries are already pending.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooManyFaults {
    /// The limit that was reached.
    pub limit: usize,
}

impl std::fmt::Display for TooManyFaults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "too many pending faults: at most {} are held; let them be used or clear them (DELETE /_sandbox/faults)",
            self.limit
        )
    }
}

impl std::error::Error for TooManyFaults {}

/// Pending faults, consumed in registration order, at most [`MAX_PENDING_FAULTS`] entries.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    pending: Vec<(Route, Fault, u32)>,
}

impl Faults {
    pub(crate) fn inject(
        &mut self,
        route: Route,
        fault: Fault,
        count: u32,
    ) -> Result<(), TooManyFaults> {
        if count == 0 {
            return Ok(());
        }
        // Merging into an identical latest entry changes nothing a request can observe.
        if let Some(last) = self.pending.last_mut()
            && last.0 == route
            && last.1 == fault
            && let Some(sum) = last.2.checked_add(count)
        {
            last.2 = sum;
            return Ok(());
        }
        if self.pending.len() >= MAX_PENDING_FAULTS {
            return Err(TooManyFaults {
                limit: MAX_PENDING_FAULTS,
            });
        }
        self.pending.push((route, fault, count));
        Ok(())
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.pending.len()
    }

    pub(crate) fn clear(&mut self) {
        self.pending.clear();
    }

    /// Takes one use of the first fault matching `route`.
    pub(crate) fn take(&mut self, route: Route) -> Option<Fault> {
        let idx = self.pending.iter().position(|(r, _, _)| r.matches(route))?;
        let entry = self.pending.get_mut(idx)?;
        let fault = entry.1;
        entry.2 = entry.2.saturating_sub(1);
        if entry.2 == 0 {
            self.pending.remove(idx);
        }
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shapes() {
        let r: FaultRequest = serde_json::from_str(
            r#"{"route":"telesign.sms","fault":{"kind":"telesign_status","code":503},"count":2}"#,
        )
        .unwrap();
        assert_eq!(r.route, Route::TeleSignSms);
        assert_eq!(r.fault, Fault::TeleSignStatus(503));
        assert_eq!(r.count, 2);
        for (json, fault) in [
            (r#"{"kind":"html_503"}"#, Fault::Html503),
            (
                r#"{"kind":"delay","ms":250}"#,
                Fault::Delay(Duration::from_millis(250)),
            ),
            (r#"{"kind":"close_before"}"#, Fault::CloseBeforeProcessing),
            (r#"{"kind":"close_after"}"#, Fault::CloseAfterProcessing),
            (r#"{"kind":"truncate_body"}"#, Fault::TruncateBody),
            (
                r#"{"kind":"huge_body","bytes":1000000000}"#,
                Fault::HugeBody(1_000_000_000),
            ),
        ] {
            assert_eq!(serde_json::from_str::<Fault>(json).unwrap(), fault);
            assert_eq!(serde_json::to_string(&fault).unwrap(), json);
        }
        let any: FaultRequest =
            serde_json::from_str(r#"{"route":"*","fault":{"kind":"html_503"}}"#).unwrap();
        assert_eq!((any.route, any.count), (Route::Any, 1));
        for (name, route) in [
            ("telesign_verify.create", Route::TeleSignVerifyCreate),
            ("telesign_verify.retrieve", Route::TeleSignVerifyRetrieve),
            ("telesign_verify.finalize", Route::TeleSignVerifyFinalize),
        ] {
            assert_eq!(
                serde_json::from_value::<Route>(serde_json::json!(name)).unwrap(),
                route
            );
            assert_eq!(serde_json::to_value(route).unwrap(), name);
            assert!(route.is_telesign() && route.is_telesign_verify());
        }
        assert!(!Route::TeleSignSms.is_telesign_verify());
    }

    #[test]
    fn counts_down_per_route() {
        let mut f = Faults::default();
        f.inject(Route::TeleSignSms, Fault::Html503, 2).unwrap();
        f.inject(Route::Any, Fault::TruncateBody, 1).unwrap();
        assert_eq!(f.take(Route::DotdigitalSend), Some(Fault::TruncateBody));
        assert_eq!(f.take(Route::DotdigitalSend), None);
        assert_eq!(f.take(Route::TeleSignSms), Some(Fault::Html503));
        assert_eq!(f.take(Route::TeleSignSms), Some(Fault::Html503));
        assert_eq!(f.take(Route::TeleSignSms), None);
    }

    #[test]
    fn bounded_and_identical_injections_merge() {
        let mut f = Faults::default();
        for _ in 0..10 {
            f.inject(Route::TeleSignSms, Fault::Html503, 1).unwrap();
        }
        assert_eq!(f.len(), 1);
        f.inject(Route::TeleSignSms, Fault::Html503, u32::MAX)
            .unwrap();
        assert_eq!(f.len(), 2, "a count that would overflow takes a new entry");
        f.clear();
        for n in 0..MAX_PENDING_FAULTS {
            let ms = u64::try_from(n).unwrap();
            f.inject(Route::Any, Fault::Delay(Duration::from_millis(ms)), 1)
                .unwrap();
        }
        assert_eq!(
            f.inject(Route::TeleSignSms, Fault::Html503, 1),
            Err(TooManyFaults {
                limit: MAX_PENDING_FAULTS
            })
        );
        assert_eq!(f.inject(Route::TeleSignSms, Fault::Html503, 0), Ok(()));
        assert_eq!(f.len(), MAX_PENDING_FAULTS);
        assert_eq!(
            f.take(Route::DotdigitalSend),
            Some(Fault::Delay(Duration::ZERO))
        );
        assert_eq!(f.inject(Route::TeleSignSms, Fault::Html503, 1), Ok(()));
    }
}
