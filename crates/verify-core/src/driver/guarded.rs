//! The driver's one hook into the abuse guard: asked after the operation is
//! validated and before its first byte, told a check's outcome after it.
//! Retries and failover happen after the hook: one decision per logical
//! send.

use std::time::SystemTime;

use super::{Error, ErrorKind};
use crate::Operation;
use crate::guard::{AsyncGuard, Blocked, Guard, Guarded};

fn blocked<O: Operation>(op: &O, blocked: Blocked) -> Error {
    Error::new(
        ErrorKind::Blocked(blocked),
        op.name(),
        None,
        op.idempotency(),
        0,
    )
}

/// Asks `guard` whether `op` may go out.
pub(super) fn before<O: Operation>(
    guard: Option<&dyn Guard>,
    op: &O,
    now: SystemTime,
) -> Result<(), Error> {
    let Some(guard) = guard else { return Ok(()) };
    let decided = match op.guarded() {
        Guarded::Nothing => Ok(()),
        Guarded::Send(facts) => guard.before_send(now, &facts),
        Guarded::Check { phone_number } => guard.before_check(now, phone_number),
    };
    decided.map_err(|b| blocked(op, b))
}

/// Tells `guard` how a check of `op` came out.
pub(super) fn after<O: Operation>(
    guard: Option<&dyn Guard>,
    op: &O,
    output: &O::Output,
    now: SystemTime,
) {
    if let (Some(guard), Guarded::Check { phone_number }, Some(outcome)) =
        (guard, op.guarded(), op.code_outcome(output))
    {
        guard.after_check(now, phone_number, outcome);
    }
}

/// As [`before`], for an async guard.
pub(super) async fn before_async<O: Operation + Sync>(
    guard: Option<&dyn AsyncGuard>,
    op: &O,
    now: SystemTime,
) -> Result<(), Error> {
    let Some(guard) = guard else { return Ok(()) };
    let decided = match op.guarded() {
        Guarded::Nothing => Ok(()),
        Guarded::Send(facts) => guard.before_send(now, &facts).await,
        Guarded::Check { phone_number } => guard.before_check(now, phone_number).await,
    };
    decided.map_err(|b| blocked(op, b))
}

/// As [`after`], for an async guard (the outcome read before it awaits:
/// the output itself is not held across the await).
pub(super) async fn after_async<O: Operation + Sync>(
    guard: Option<&dyn AsyncGuard>,
    op: &O,
    outcome: Option<crate::guard::CodeOutcome>,
    now: SystemTime,
) {
    if let (Some(guard), Guarded::Check { phone_number }, Some(outcome)) =
        (guard, op.guarded(), outcome)
    {
        guard.after_check(now, phone_number, outcome).await;
    }
}
