//! One vocabulary over both providers.
//!
//! An application codes against [`Start`] and [`Check`] and picks the
//! provider in configuration (a [`ProviderConfig`](crate::ProviderConfig)):
//!
//! - [`Start`] sends a code and answers [`Started`]: a [`VerificationId`]
//!   that remembers its provider and serializes, the [`DeliveryState`], and
//!   whether a message may have gone out;
//! - [`Check`] checks the user's code against that id and answers a
//!   [`CheckOutcome`];
//! - templates use one placeholder, [`CODE_PLACEHOLDER`] (`{code}`), and
//!   [`segments`] / [`template_segments`] tell how many SMS a text costs.
//!
//! The mapping from each provider's words is `PROVIDERS.md` section 3.

mod check;
mod delivery;
mod id;
mod segments;
mod start;
mod template;

pub use check::{Check, CheckOutcome, PendingCheck};
pub use delivery::DeliveryState;
pub use id::VerificationId;
pub use segments::{Encoding, Segments, segments};
pub use start::{DEFAULT_DOTDIGITAL_SENDER, Start, Started};
pub use template::{CODE_PLACEHOLDER, provider_template, render, template_segments};

use crate::validate::ValidationError;
use crate::validate::Validator;

/// A provider's field name in neutral words.
fn rename(field: &'static str) -> &'static str {
    match field {
        "to" => "phone_number",
        "verify_code" | "security_factor" => "code",
        "body" => "template",
        "sender_id" | "from" => "sender",
        other => other,
    }
}

/// The neutral checks' result and the provider operation's, as one error
/// naming every field once, in neutral words.
fn merge(
    neutral: Result<(), ValidationError>,
    built: Result<http::Request<Vec<u8>>, ValidationError>,
) -> Result<http::Request<Vec<u8>>, ValidationError> {
    let (neutral, provider) = match (neutral, built) {
        (Ok(()), Ok(request)) => return Ok(request),
        (Err(n), Ok(_)) => return Err(n),
        (n, Err(p)) => (n.err(), p),
    };
    let mut v = Validator::new();
    let mut seen = Vec::new();
    for e in neutral.iter().flat_map(ValidationError::errors) {
        seen.push(e.field);
        v.fail(e.field, e.rule.clone());
    }
    for e in provider.errors() {
        let field = rename(e.field);
        if !seen.contains(&field) {
            seen.push(field);
            v.fail(field, e.rule.clone());
        }
    }
    match v.finish() {
        Err(e) => Err(e),
        Ok(()) => Err(provider),
    }
}
