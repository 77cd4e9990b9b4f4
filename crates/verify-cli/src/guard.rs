//! `--guard`, `--guard-rules`, `--store` and `--client-key`: the abuse
//! shield and the ledger of idempotent starts, in this process's memory or
//! in a Redis every process shares.
//!
//! With Redis the shield fails closed ([`OnUnavailable::FailClosed`]): a
//! command lives for one send, so a memory of its own would count nothing
//! (docs/PROTOCOL-DECISIONS.md, "The command line"). Nothing here connects:
//! the first decision does, bounded by [`STORE_TIMEOUT`].

use std::sync::Arc;
use std::time::Duration;

use verify_shield::{MemoryLedger, MemoryStore, Rules, Shield};
use verify_shield_redis::{OnUnavailable, RedisLedger, RedisStore};

use crate::cli::{GuardOptions, ShieldOptions};
use crate::failure::{Failure, Problem};

/// The bound on connecting to Redis and on each of its commands: an
/// unreachable Redis costs at most this per call, never a hang.
pub const STORE_TIMEOUT: Duration = Duration::from_secs(1);

/// What `--store` accepts, for messages (never the value given: it may hold
/// a password).
const STORE_FORMS: &str = "must be `memory` or `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]`";

/// Where counts and keys live. No `Debug`: the URL may hold a password.
enum Store {
    /// This process's memory.
    Memory,
    /// A Redis server: the URL as given (with its password, to connect;
    /// never printed).
    Redis { url: String },
}

/// The shield, over the store chosen.
enum GuardImpl {
    Memory(Arc<Shield<MemoryStore>>),
    Redis(Arc<Shield<RedisStore>>),
}

/// The shield and the ledger a command runs with, as its flags describe.
pub struct Protection {
    guard: Option<GuardImpl>,
    store: Store,
    client_keys: Vec<String>,
}

/// Reads `--store`; the problem never repeats the value.
fn store(value: Option<&str>, problems: &mut Vec<Problem>) -> Option<Store> {
    let Some(value) = value else {
        return Some(Store::Memory);
    };
    let value = value.trim();
    if value.eq_ignore_ascii_case("memory") {
        return Some(Store::Memory);
    }
    if !value.starts_with("redis://") {
        let rule = if value.starts_with("rediss://") {
            format!("{STORE_FORMS} (TLS, rediss://, is not supported)")
        } else {
            STORE_FORMS.to_owned()
        };
        problems.push(Problem::new("--store", rule));
        return None;
    }
    match RedisStore::open(value) {
        Ok(_) => Some(Store::Redis {
            url: value.to_owned(),
        }),
        Err(_) => {
            problems.push(Problem::new("--store", STORE_FORMS));
            None
        }
    }
}

/// Reads the `--guard-rules` file.
fn rules(path: &std::path::Path, problems: &mut Vec<Problem>) -> Option<Rules> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            problems.push(Problem::new(
                "--guard-rules",
                format!("cannot read {}: {e}", path.display()),
            ));
            return None;
        }
    };
    match toml::from_str::<Rules>(&text) {
        Ok(r) => Some(r),
        Err(e) => {
            let why = e.message().trim().to_owned();
            let at = e
                .span()
                .and_then(|s| text.get(..s.start))
                .map(|before| format!(" (line {})", before.matches('\n').count() + 1))
                .unwrap_or_default();
            problems.push(Problem::new(
                "--guard-rules",
                format!("{}{at}: {why}", path.display()),
            ));
            None
        }
    }
}

/// Said when `--guard` counts in memory: one command makes one send.
const MEMORY_GUARD_WARNING: &str = "with --store memory (the default) the shield counts only this command's own send: number types and countries are checked, but the cooldown and the per-number, per-block, per-key and budget limits cannot bind across runs; pass --store redis://... to count across runs";

impl Protection {
    /// What the flags describe, or their problems. `keeps` says whether the
    /// command keeps records in the store besides the shield's counts (a
    /// start with an idempotency key or a purpose, a check by number):
    /// `--store` without either is refused, as `--client-key` without the
    /// shield, since nothing would use them.
    pub fn from_options(
        shield: &ShieldOptions,
        client_keys: &[String],
        keeps: bool,
        problems: &mut Vec<Problem>,
    ) -> Self {
        let guarded = shield.guard || shield.guard_rules.is_some();
        let store = store(shield.store.as_deref(), problems);
        let rules = match &shield.guard_rules {
            Some(path) => rules(path, problems),
            None => Some(Rules::default()),
        };
        if !client_keys.is_empty() && !guarded {
            problems.push(Problem::new(
                "--client-key",
                "needs --guard or --guard-rules: the keys are for the shield only",
            ));
        }
        if client_keys.iter().any(|k| k.trim().is_empty()) {
            problems.push(Problem::new("--client-key", "must not be empty"));
        }
        if shield.store.is_some() && store.is_some() && !guarded && !keeps {
            problems.push(Problem::new(
                "--store",
                "needs --guard (or, with `verify start`, --idempotency-key or --purpose): nothing else keeps records in it",
            ));
        }
        let guard = match (guarded, &store, rules) {
            (true, Some(Store::Memory), Some(rules)) => Some(GuardImpl::Memory(Arc::new(
                Shield::new(rules, MemoryStore::new()),
            ))),
            (true, Some(Store::Redis { url, .. }), Some(rules)) => {
                RedisStore::open(url).ok().map(|s| {
                    let s = s
                        .with_timeout(STORE_TIMEOUT)
                        .with_on_unavailable(OnUnavailable::FailClosed);
                    GuardImpl::Redis(Arc::new(Shield::new(rules, s)))
                })
            }
            _ => None,
        };
        Self {
            guard,
            store: store.unwrap_or(Store::Memory),
            client_keys: client_keys.to_vec(),
        }
    }

    /// The options of a sending command.
    pub fn for_send(options: &GuardOptions, keeps: bool, problems: &mut Vec<Problem>) -> Self {
        Self::from_options(&options.shield, &options.client_keys, keeps, problems)
    }

    /// The client keys to give the operation.
    pub fn client_keys(&self) -> &[String] {
        &self.client_keys
    }

    /// `other` with, when the shield counts in this process's memory, the
    /// warning that its counting limits cannot bind across runs.
    pub fn warned(&self, other: Option<String>) -> Option<String> {
        let memory = matches!(
            (&self.guard, &self.store),
            (Some(GuardImpl::Memory(_)), Store::Memory)
        );
        let own = memory.then(|| MEMORY_GUARD_WARNING.to_owned());
        match (other, own) {
            (Some(a), Some(b)) => Some(format!("{a}\nwarning: {b}")),
            (a, b) => a.or(b),
        }
    }

    /// Whether `--store` names a Redis server.
    pub fn shared(&self) -> bool {
        matches!(self.store, Store::Redis { .. })
    }

    /// `builder` with the shield, when asked for.
    pub fn apply(&self, builder: verify_ureq::Builder) -> verify_ureq::Builder {
        match &self.guard {
            Some(GuardImpl::Memory(s)) => builder.guard(Arc::clone(s)),
            Some(GuardImpl::Redis(s)) => builder.guard(Arc::clone(s)),
            None => builder,
        }
    }

    /// `builder` with the ledger in the store: this process's memory, or
    /// the Redis server, never a memory standing in for it.
    pub fn with_ledger(
        &self,
        builder: verify_ureq::Builder,
    ) -> Result<verify_ureq::Builder, Failure> {
        match &self.store {
            Store::Memory => Ok(builder.ledger(MemoryLedger::new())),
            Store::Redis { url, .. } => match RedisLedger::open(url) {
                Ok(l) => Ok(builder.ledger(l.with_timeout(STORE_TIMEOUT))),
                // Checked by `store` already; never the URL in the message.
                Err(_) => Err(Failure::usage("--store", STORE_FORMS)),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(guard: bool, store: Option<&str>) -> ShieldOptions {
        ShieldOptions {
            guard,
            guard_rules: None,
            store: store.map(str::to_owned),
        }
    }

    #[test]
    fn a_bad_store_is_named_and_never_echoed() {
        for bad in [
            "redis://:hunter2@[bad",
            "http://:hunter2@host",
            "rediss://:hunter2@host:6379",
            "",
            "memoryx",
        ] {
            let mut problems = Vec::new();
            Protection::from_options(&opts(true, Some(bad)), &[], false, &mut problems);
            assert_eq!(problems.len(), 1, "{bad}: {problems:?}");
            assert_eq!(problems[0].field, "--store");
            assert!(!problems[0].rule.contains("hunter2"), "{problems:?}");
        }
    }

    #[test]
    fn a_redis_url_with_a_password_is_a_store() {
        let mut problems = Vec::new();
        let p = Protection::from_options(
            &opts(true, Some("redis://:hunter2@127.0.0.1:6390/3")),
            &[],
            false,
            &mut problems,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert!(p.shared());
    }

    #[test]
    fn unused_options_are_refused_together() {
        let mut problems = Vec::new();
        Protection::from_options(
            &opts(false, Some("memory")),
            &["ip:192.0.2.1".to_owned(), " ".to_owned()],
            false,
            &mut problems,
        );
        let fields: Vec<_> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["--client-key", "--client-key", "--store"]);
    }
}
