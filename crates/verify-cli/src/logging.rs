//! `--verbose`: what the HTTP stacks log, on stderr, through the filter both
//! adapters publish (`LOG_FILTER_DIRECTIVES`), so that no record carries an
//! `Authorization` header, a key, a password or a code.

use log::{LevelFilter, Log, Metadata, Record};

use crate::out::errln;

/// A `log` logger to stderr: everything at `trace`, except the targets the
/// adapters' directives set lower.
struct Stderr {
    directives: Vec<(String, LevelFilter)>,
}

/// The directives the command applies: both adapters' own, each once.
pub fn directives() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = Vec::new();
    for d in verify_ureq::LOG_FILTER_DIRECTIVES
        .iter()
        .chain(verify_hyper::LOG_FILTER_DIRECTIVES)
    {
        if !all.contains(d) {
            all.push(d);
        }
    }
    all
}

/// The directives as (target, level); a directive that does not read as
/// `target=level` turns its target off (never more output than asked for).
fn parse(directives: &[&str]) -> Vec<(String, LevelFilter)> {
    directives
        .iter()
        .map(|d| match d.split_once('=') {
            Some((target, level)) => (
                target.trim().to_owned(),
                level.trim().parse().unwrap_or(LevelFilter::Off),
            ),
            None => (d.trim().to_owned(), LevelFilter::Off),
        })
        .collect()
}

impl Stderr {
    /// The level for `target`: the most specific directive naming it or a
    /// module above it (`ureq_proto` covers `ureq_proto::client`), else trace.
    fn level_for(&self, target: &str) -> LevelFilter {
        self.directives
            .iter()
            .filter(|(name, _)| {
                target == name
                    || target
                        .strip_prefix(name.as_str())
                        .is_some_and(|rest| rest.starts_with("::"))
            })
            .max_by_key(|(name, _)| name.len())
            .map_or(LevelFilter::Trace, |(_, level)| *level)
    }
}

impl Log for Stderr {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= self.level_for(metadata.target())
    }

    fn log(&self, record: &Record<'_>) {
        if self.enabled(record.metadata()) {
            errln!("[{} {}] {}", record.level(), record.target(), record.args());
        }
    }

    fn flush(&self) {}
}

/// Turns on `--verbose` logging; says which filter applies.
pub fn init() {
    let directives = directives();
    let logger = Stderr {
        directives: parse(&directives),
    };
    if log::set_boxed_logger(Box::new(logger)).is_ok() {
        log::set_max_level(LevelFilter::Trace);
        log::info!(
            target: "verify",
            "logging at trace, filtered by {}",
            directives.join(",")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_specific_directive_decides() {
        let logger = Stderr {
            directives: parse(&["ureq_proto=off", "ureq=info", "h2=info", "broken"]),
        };
        assert_eq!(logger.level_for("ureq_proto"), LevelFilter::Off);
        assert_eq!(logger.level_for("ureq_proto::client"), LevelFilter::Off);
        assert_eq!(logger.level_for("ureq::unversioned"), LevelFilter::Info);
        assert_eq!(logger.level_for("ureqx"), LevelFilter::Trace);
        assert_eq!(logger.level_for("broken"), LevelFilter::Off);
        assert_eq!(logger.level_for("verify"), LevelFilter::Trace);
    }

    #[test]
    fn both_adapters_directives_apply() {
        let all = directives();
        for d in verify_ureq::LOG_FILTER_DIRECTIVES
            .iter()
            .chain(verify_hyper::LOG_FILTER_DIRECTIVES)
        {
            assert!(all.contains(d), "{d}");
        }
    }
}
