//! Server-side checks of TeleSign (Basic and HMAC "TSA") and dotdigital (Basic) credentials.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// How far a request's `Date` may be from the system clock (what clients sign with).
pub(crate) const DATE_TOLERANCE: Duration = Duration::from_secs(15 * 60);
/// How long a nonce is remembered, by the system clock: as long as a `Date` stays acceptable.
pub(crate) const NONCE_WINDOW: Duration = Duration::from_secs(15 * 60);

/// A TeleSign authentication failure: its error code and the documented description.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AuthError {
    /// -30000
    InvalidCustomerId,
    /// -30004
    MissingAuthorization,
    /// -30005
    MalformedAuthorization,
    /// -30006
    InvalidSignature,
    /// -30007
    MissingDate,
    /// -30008
    InvalidAuthMethod,
    /// -30009
    DateNotRfc822,
    /// -30010
    DateOutOfRange,
    /// -30011
    NonceLength,
    /// -30012
    NonceReused,
    /// -30015: Basic authentication with the right customer id and the wrong API key.
    InvalidApiKey,
}

impl AuthError {
    pub(crate) fn code(self) -> i64 {
        match self {
            AuthError::InvalidCustomerId => -30000,
            AuthError::MissingAuthorization => -30004,
            AuthError::MalformedAuthorization => -30005,
            AuthError::InvalidSignature => -30006,
            AuthError::MissingDate => -30007,
            AuthError::InvalidAuthMethod => -30008,
            AuthError::DateNotRfc822 => -30009,
            AuthError::DateOutOfRange => -30010,
            AuthError::NonceLength => -30011,
            AuthError::NonceReused => -30012,
            AuthError::InvalidApiKey => -30015,
        }
    }

    pub(crate) fn description(self) -> &'static str {
        match self {
            AuthError::InvalidCustomerId => "Invalid Customer ID.",
            AuthError::MissingAuthorization => "Missing required 'Authorization' header",
            AuthError::MalformedAuthorization => {
                "Required 'Authorization' header is not in the correct format"
            }
            AuthError::InvalidSignature => "Invalid Signature",
            AuthError::MissingDate => "Missing required 'Date' or 'x-ts-date' header",
            AuthError::InvalidAuthMethod => "Invalid 'x-ts-auth-method' header.",
            AuthError::DateNotRfc822 => "'Date' or 'x-ts-date' header is not RFC822 compliant",
            AuthError::DateOutOfRange => {
                "'Date' or 'x-ts-date' header is not within tolerable range"
            }
            AuthError::NonceLength => "'x-ts-nonce' header value is either too long or too short",
            AuthError::NonceReused => "'x-ts-nonce' header value has been used recently",
            AuthError::InvalidApiKey => "Invalid API Key.",
        }
    }

    /// The documented `status.code`: 500 for -30008, 501 for the rest.
    pub(crate) fn status_code(self) -> u16 {
        if self == AuthError::InvalidAuthMethod {
            500
        } else {
            501
        }
    }
}

/// The parts of a request TeleSign authentication looks at.
pub(crate) struct SignedParts<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub authorization: Option<&'a [u8]>,
    pub content_type: Option<&'a [u8]>,
    pub date: Option<&'a [u8]>,
    pub x_ts_date: Option<&'a [u8]>,
    pub auth_method: Option<&'a [u8]>,
    pub nonce: Option<&'a [u8]>,
    pub body: &'a [u8],
}

/// What a TeleSign request proved, once its signature checks out.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verified {
    /// Basic authentication: nothing more to check.
    Basic,
    /// HMAC: the nonce still has to be checked against (and recorded in) the replay cache.
    Hmac { nonce: String },
}

/// The TeleSign account known to the sandbox.
pub(crate) struct TeleSignAccount {
    pub customer_id: String,
    pub api_key: String,
    pub key_bytes: Vec<u8>,
}

impl TeleSignAccount {
    pub(crate) fn new(customer_id: String, api_key: String) -> Self {
        // A key that is not base64 (user-supplied on the command line) is used as raw bytes.
        let key_bytes = STANDARD
            .decode(api_key.trim())
            .unwrap_or_else(|_| api_key.as_bytes().to_vec());
        Self {
            customer_id,
            api_key,
            key_bytes,
        }
    }

    /// Checks everything but nonce reuse (which needs the shared cache). `now` is the time
    /// the HMAC `Date` is compared with: the system clock, since clients sign with it.
    pub(crate) fn verify(
        &self,
        req: &SignedParts<'_>,
        now: SystemTime,
    ) -> Result<Verified, AuthError> {
        let auth = req.authorization.ok_or(AuthError::MissingAuthorization)?;
        let auth = std::str::from_utf8(auth)
            .map_err(|_| AuthError::MalformedAuthorization)?
            .trim();
        let (scheme, rest) = auth
            .split_once(' ')
            .ok_or(AuthError::MalformedAuthorization)?;
        let rest = rest.trim();
        if scheme.eq_ignore_ascii_case("Basic") {
            let decoded = STANDARD
                .decode(rest)
                .map_err(|_| AuthError::MalformedAuthorization)?;
            let decoded =
                String::from_utf8(decoded).map_err(|_| AuthError::MalformedAuthorization)?;
            let (customer, key) = decoded
                .split_once(':')
                .ok_or(AuthError::MalformedAuthorization)?;
            if !ct_eq(customer.as_bytes(), self.customer_id.as_bytes()) {
                return Err(AuthError::InvalidCustomerId);
            }
            if !ct_eq(key.as_bytes(), self.api_key.as_bytes()) {
                // Seed 001 documents -30015 "Invalid API Key."; a wrong HMAC key can only
                // show as a signature mismatch (-30006).
                return Err(AuthError::InvalidApiKey);
            }
            return Ok(Verified::Basic);
        }
        if !scheme.eq_ignore_ascii_case("TSA") {
            return Err(AuthError::MalformedAuthorization);
        }
        let (customer, signature) = rest
            .rsplit_once(':')
            .ok_or(AuthError::MalformedAuthorization)?;
        if customer.is_empty() || signature.is_empty() {
            return Err(AuthError::MalformedAuthorization);
        }
        if !ct_eq(customer.as_bytes(), self.customer_id.as_bytes()) {
            return Err(AuthError::InvalidCustomerId);
        }
        if let Some(m) = req.auth_method
            && !m.eq_ignore_ascii_case(b"HMAC-SHA256")
        {
            return Err(AuthError::InvalidAuthMethod);
        }
        let date = req.x_ts_date.or(req.date).ok_or(AuthError::MissingDate)?;
        let date = std::str::from_utf8(date).map_err(|_| AuthError::DateNotRfc822)?;
        let at = parse_rfc822(date).ok_or(AuthError::DateNotRfc822)?;
        let skew = match now.duration_since(at) {
            Ok(d) => d,
            Err(e) => e.duration(),
        };
        if skew > DATE_TOLERANCE {
            return Err(AuthError::DateOutOfRange);
        }
        let nonce = req.nonce.ok_or(AuthError::NonceLength)?;
        let nonce = std::str::from_utf8(nonce).map_err(|_| AuthError::NonceLength)?;
        if nonce.is_empty() || nonce.len() > 128 {
            return Err(AuthError::NonceLength);
        }
        let content_type = req.content_type.unwrap_or_default();
        let expected = sign(
            &self.key_bytes,
            req.method,
            content_type,
            date.as_bytes(),
            nonce.as_bytes(),
            req.body,
            req.path,
        );
        let given = STANDARD
            .decode(signature)
            .map_err(|_| AuthError::InvalidSignature)?;
        if !ct_eq(&given, &expected) {
            return Err(AuthError::InvalidSignature);
        }
        Ok(Verified::Hmac {
            nonce: nonce.to_owned(),
        })
    }
}

fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// The raw HMAC-SHA256 of TeleSign's string-to-sign.
pub(crate) fn sign(
    key: &[u8],
    method: &str,
    content_type: &[u8],
    date: &[u8],
    nonce: &[u8],
    body: &[u8],
    resource: &str,
) -> [u8; 32] {
    // new_from_slice accepts keys of every length for HMAC.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return [0; 32];
    };
    mac.update(method.as_bytes());
    mac.update(b"\n");
    mac.update(content_type);
    mac.update(b"\n");
    mac.update(date);
    mac.update(b"\nx-ts-auth-method:HMAC-SHA256\nx-ts-nonce:");
    mac.update(nonce);
    if !content_type.is_empty() && !body.is_empty() {
        mac.update(b"\n");
        mac.update(body);
    }
    mac.update(b"\n");
    mac.update(resource.as_bytes());
    mac.finalize().into_bytes().into()
}

/// Parses an RFC 822 / 1123 / 2822 date (also RFC 850 and asctime, which HTTP allows).
pub(crate) fn parse_rfc822(s: &str) -> Option<SystemTime> {
    if let Ok(t) = httpdate::parse_http_date(s) {
        return Some(t);
    }
    let s = s.trim();
    let s = match s.split_once(',') {
        Some((day, rest)) if day.trim().len() == 3 => rest,
        Some(_) => return None,
        None => s,
    };
    let mut parts = s.split_whitespace();
    let day: u32 = parts.next()?.parse().ok()?;
    let month = match parts.next()?.to_ascii_lowercase().as_str() {
        "jan" => 1,
        "feb" => 2,
        "mar" => 3,
        "apr" => 4,
        "may" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "oct" => 10,
        "nov" => 11,
        "dec" => 12,
        _ => return None,
    };
    let year_str = parts.next()?;
    let mut year: i64 = year_str.parse().ok()?;
    if year_str.len() == 2 {
        year += if year < 50 { 2000 } else { 1900 };
    }
    let mut hms = parts.next()?.split(':');
    let hour: i64 = hms.next()?.parse().ok()?;
    let minute: i64 = hms.next()?.parse().ok()?;
    let second: i64 = match hms.next() {
        Some(sec) => sec.parse().ok()?,
        None => 0,
    };
    if hms.next().is_some() {
        return None;
    }
    let offset_minutes: i64 = match parts.next()? {
        "GMT" | "UT" | "UTC" | "Z" => 0,
        z if z.len() == 5 && (z.starts_with('+') || z.starts_with('-')) => {
            let digits = z.get(1..)?;
            if !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let v: i64 = digits.parse().ok()?;
            let m = (v / 100) * 60 + v % 100;
            if z.starts_with('-') { -m } else { m }
        }
        _ => return None,
    };
    if parts.next().is_some() {
        return None;
    }
    if !(1..=31).contains(&day)
        || !(0..24).contains(&hour)
        || !(0..60).contains(&minute)
        || !(0..=60).contains(&second)
    {
        return None;
    }
    if !(1970..=9999).contains(&year) {
        return None;
    }
    let days = days_from_civil(year, month, i64::from(day));
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    let secs = u64::try_from(secs).ok()?;
    UNIX_EPOCH.checked_add(Duration::from_secs(secs))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Nonces seen in the last 15 minutes, bounded in count.
#[derive(Debug)]
pub(crate) struct NonceCache {
    seen: HashMap<String, SystemTime>,
    order: VecDeque<(String, SystemTime)>,
    capacity: usize,
}

impl NonceCache {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            seen: HashMap::new(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
        }
    }

    /// Records `nonce`; false when it was already seen within the window.
    pub(crate) fn check_and_insert(&mut self, nonce: String, now: SystemTime) -> bool {
        self.evict(now);
        if let Some(at) = self.seen.get(&nonce)
            && now.duration_since(*at).map_or(true, |d| d <= NONCE_WINDOW)
        {
            return false;
        }
        while self.order.len() >= self.capacity {
            self.pop_oldest();
        }
        self.seen.insert(nonce.clone(), now);
        self.order.push_back((nonce, now));
        true
    }

    fn evict(&mut self, now: SystemTime) {
        while let Some((_, at)) = self.order.front() {
            if now.duration_since(*at).is_ok_and(|d| d > NONCE_WINDOW) {
                self.pop_oldest();
            } else {
                break;
            }
        }
    }

    fn pop_oldest(&mut self) {
        if let Some((nonce, at)) = self.order.pop_front()
            && self.seen.get(&nonce) == Some(&at)
        {
            self.seen.remove(&nonce);
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.seen.len()
    }
}

/// Checks a dotdigital `Authorization: Basic` header.
pub(crate) fn dotdigital_basic_ok(header: Option<&[u8]>, user: &str, password: &str) -> bool {
    let Some(h) = header.and_then(|h| std::str::from_utf8(h).ok()) else {
        return false;
    };
    let Some((scheme, rest)) = h.trim().split_once(' ') else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("Basic") {
        return false;
    }
    let Ok(decoded) = STANDARD.decode(rest.trim()) else {
        return false;
    };
    let Some(colon) = decoded.iter().position(|&b| b == b':') else {
        return false;
    };
    let (u, p) = decoded.split_at(colon);
    let p = p.get(1..).unwrap_or_default();
    // Evaluate both comparisons so timing does not reveal which one failed.
    let user_ok = ct_eq(u, user.as_bytes());
    let pass_ok = ct_eq(p, password.as_bytes());
    user_ok & pass_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Vectors {
        hmac: Vec<HmacVector>,
        basic: Vec<BasicVector>,
    }
    #[derive(serde::Deserialize)]
    struct HmacVector {
        customer_id: String,
        api_key: String,
        method: String,
        content_type: String,
        date: String,
        nonce: String,
        body: String,
        resource: String,
        signature: String,
    }
    #[derive(serde::Deserialize)]
    struct BasicVector {
        customer_id: String,
        api_key: String,
        authorization: String,
    }

    fn vectors() -> Vectors {
        serde_json::from_str(include_str!(
            "../tests/vectors/telesign-signing-vectors.json"
        ))
        .unwrap()
    }

    fn opt(s: &str) -> Option<&[u8]> {
        if s.is_empty() {
            None
        } else {
            Some(s.as_bytes())
        }
    }

    #[test]
    fn hmac_vectors_authenticate_and_tampering_fails() {
        let v = vectors();
        assert!(v.hmac.len() >= 10);
        for t in &v.hmac {
            let account = TeleSignAccount::new(t.customer_id.clone(), t.api_key.clone());
            let now = parse_rfc822(&t.date).unwrap() + Duration::from_secs(60);
            let auth = format!("TSA {}:{}", t.customer_id, t.signature);
            let mut parts = SignedParts {
                method: &t.method,
                path: &t.resource,
                authorization: Some(auth.as_bytes()),
                content_type: opt(&t.content_type),
                date: Some(t.date.as_bytes()),
                x_ts_date: None,
                auth_method: Some(b"HMAC-SHA256"),
                nonce: Some(t.nonce.as_bytes()),
                body: t.body.as_bytes(),
            };
            assert_eq!(
                account.verify(&parts, now),
                Ok(Verified::Hmac {
                    nonce: t.nonce.clone()
                }),
                "{}",
                t.signature
            );
            // The wrong key signs differently: -30006, never -30015 (that is Basic's).
            let other = TeleSignAccount::new(t.customer_id.clone(), STANDARD.encode(b"other"));
            assert_eq!(other.verify(&parts, now), Err(AuthError::InvalidSignature));
            parts.path = "/v1/other";
            assert_eq!(
                account.verify(&parts, now),
                Err(AuthError::InvalidSignature)
            );
            parts.path = &t.resource;
            parts.nonce = Some(b"other-nonce");
            assert_eq!(
                account.verify(&parts, now),
                Err(AuthError::InvalidSignature)
            );
            // Same headers via x-ts-date.
            parts.nonce = Some(t.nonce.as_bytes());
            parts.date = None;
            parts.x_ts_date = Some(t.date.as_bytes());
            assert!(account.verify(&parts, now).is_ok());
            // Too far from the server's clock.
            assert_eq!(
                account.verify(&parts, now + Duration::from_secs(16 * 60)),
                Err(AuthError::DateOutOfRange)
            );
        }
    }

    #[test]
    fn basic_vectors() {
        for t in vectors().basic {
            let account = TeleSignAccount::new(t.customer_id.clone(), t.api_key.clone());
            let parts = SignedParts {
                method: "GET",
                path: "/v1/verify/x",
                authorization: Some(t.authorization.as_bytes()),
                content_type: None,
                date: None,
                x_ts_date: None,
                auth_method: None,
                nonce: None,
                body: b"",
            };
            assert_eq!(
                account.verify(&parts, SystemTime::now()),
                Ok(Verified::Basic)
            );
            let other = TeleSignAccount::new(t.customer_id.clone(), format!("{}x", t.api_key));
            assert_eq!(
                other.verify(&parts, SystemTime::now()),
                Err(AuthError::InvalidApiKey)
            );
            let stranger = TeleSignAccount::new("someone-else".into(), t.api_key.clone());
            assert_eq!(
                stranger.verify(&parts, SystemTime::now()),
                Err(AuthError::InvalidCustomerId)
            );
        }
    }

    #[test]
    fn dates() {
        let want = UNIX_EPOCH + Duration::from_secs(1_481_739_612);
        assert_eq!(parse_rfc822("Wed, 14 Dec 2016 18:20:12 GMT"), Some(want));
        assert_eq!(parse_rfc822("Wed, 14 Dec 2016 18:20:12 -0000"), Some(want));
        assert_eq!(parse_rfc822("14 Dec 2016 19:20:12 +0100"), Some(want));
        assert_eq!(parse_rfc822("Wed, 14 Dec 16 18:20:12 GMT"), Some(want));
        assert_eq!(
            parse_rfc822("Wednesday, 14-Dec-16 18:20:12 GMT"),
            Some(want)
        );
        for bad in [
            "",
            "2016-12-14T18:20:12Z",
            "Wed, 14 Dec 2016 18:20:12",
            "Wed, 32 Dec 2016 18:20:12 GMT",
            "Wed, 14 Foo 2016 18:20:12 GMT",
            "Wed, 14 Dec 2016 18:20:12 +01:00",
        ] {
            assert_eq!(parse_rfc822(bad), None, "{bad}");
        }
    }

    #[test]
    fn nonce_cache_is_bounded_and_forgets_after_window() {
        let t0 = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut c = NonceCache::new(3);
        assert!(c.check_and_insert("a".into(), t0));
        assert!(!c.check_and_insert("a".into(), t0 + Duration::from_secs(60)));
        for n in ["b", "c", "d"] {
            assert!(c.check_and_insert(n.into(), t0));
        }
        assert_eq!(c.len(), 3);
        assert!(c.check_and_insert("x".into(), t0 + NONCE_WINDOW + Duration::from_secs(1)));
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn dotdigital_basic() {
        let h = format!("Basic {}", STANDARD.encode("user:pa:ss"));
        assert!(dotdigital_basic_ok(Some(h.as_bytes()), "user", "pa:ss"));
        assert!(!dotdigital_basic_ok(Some(h.as_bytes()), "user", "pa"));
        assert!(!dotdigital_basic_ok(None, "user", "pa:ss"));
        assert!(!dotdigital_basic_ok(Some(b"Basic !!"), "user", "pa:ss"));
    }
}
