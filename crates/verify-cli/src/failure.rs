//! Why a command failed, and the exit code that says so.

use std::process::ExitCode;

use serde_json::{Value, json};

use crate::out::{self, errln};

/// Exit code: the provider refused or failed, or the network did.
pub const EXIT_PROVIDER: u8 = 1;
/// Exit code: invalid input or usage; nothing was sent.
pub const EXIT_USAGE: u8 = 2;
/// Exit code: the abuse shield (or the store it and the ledger keep their
/// records in, failing closed) refused; nothing was sent.
pub const EXIT_REFUSED: u8 = 3;
/// Exit code: the command did its work but its output could not be written
/// (stdout closed or full); what a send returned went to stderr instead.
pub const EXIT_OUTPUT: u8 = 4;

/// The text `--help` shows about exit codes and secrets.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  provider or transport failure (the typed error is printed with its code);
     also a start whose idempotency key is still in progress elsewhere
     (kind in_progress, nothing sent) or whose earlier attempt failed (kind
     replayed, nothing sent again)
  2  invalid input or usage (every problem on its own line; nothing was sent)
  3  refused by the guard (nothing was sent); also when --store cannot
     answer (rule store_unavailable: the command fails closed)
  4  output could not be written (stdout closed or full); the result, such as
     the id of a code that was sent, is written to stderr instead

Secrets: API keys, passwords and one-time codes are never printed, except by
--print-request, which shows the request exactly as it would be sent, so that
a signature can be compared byte for byte: a Basic Authorization header (which
carries the key or password itself) is masked unless --show-secrets, and an
HMAC-signed request printed without --date is a live credential until it
expires (TeleSign accepts it for 15 minutes; a warning says so). `verify demo` shows the codes it reads from the fake sandbox's
outbox, labelled as such.";

/// A failed command.
#[derive(Debug)]
pub enum Failure {
    /// The caller's input: every problem, one per entry. Nothing was sent.
    Usage(Vec<Problem>),
    /// The provider or the transport failed.
    Provider(ProviderFailure),
    /// The guard refused, or its store could not answer: nothing was sent.
    Refused(ProviderFailure),
}

/// One problem with the caller's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The field, flag or variable at fault.
    pub field: String,
    /// What is wrong with it.
    pub rule: String,
    /// The provider whose rule it breaks, when the input goes to several
    /// (a start with a backup) and only some of them refuse it.
    pub provider: Option<String>,
}

impl Problem {
    /// A problem with `field`.
    pub fn new(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            rule: rule.into(),
            provider: None,
        }
    }

    /// A field error from the library, with the provider it offends.
    pub fn from_field(f: &verify_ureq::FieldError) -> Self {
        Self {
            field: f.field.to_owned(),
            rule: f.rule.clone(),
            provider: f.provider.map(|p| p.to_string()),
        }
    }

    /// Problems of a validation error, each with the provider it offends.
    pub fn all_of(e: &verify_ureq::ValidationError) -> Vec<Self> {
        e.errors().iter().map(Self::from_field).collect()
    }

    fn json(&self) -> Value {
        match &self.provider {
            Some(p) => json!({"field": self.field, "rule": self.rule, "provider": p}),
            None => json!({"field": self.field, "rule": self.rule}),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.provider {
            Some(p) => write!(f, "{} (for {p}): {}", self.field, self.rule),
            None => write!(f, "{}: {}", self.field, self.rule),
        }
    }
}

/// A provider or transport failure, already made secret-free.
#[derive(Debug)]
pub struct ProviderFailure {
    /// One line for humans: the typed error's Display.
    pub message: String,
    /// The same for scripts.
    pub json: Value,
}

impl Failure {
    /// A single usage problem.
    pub fn usage(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Self::Usage(vec![Problem::new(field, rule)])
    }

    /// The exit code for this failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Usage(_) => EXIT_USAGE,
            Self::Provider(_) => EXIT_PROVIDER,
            Self::Refused(_) => EXIT_REFUSED,
        }
    }

    /// Prints the failure: human text on stderr, or JSON on stdout.
    pub fn report(&self, json_mode: bool) -> ExitCode {
        if json_mode {
            let value = match self {
                Self::Usage(problems) => json!({
                    "ok": false,
                    "error": {
                        "kind": "invalid_input",
                        "problems": problems.iter().map(Problem::json).collect::<Vec<_>>(),
                    }
                }),
                Self::Provider(p) | Self::Refused(p) => json!({"ok": false, "error": p.json}),
            };
            // Where stdout cannot take it, stderr gets it: the exit code
            // stays the failure's own.
            out::results(&[value.to_string()]);
        } else {
            match self {
                Self::Usage(problems) => {
                    errln!("error: invalid input, nothing was sent:");
                    for p in problems {
                        errln!("  {p}");
                    }
                }
                Self::Provider(p) | Self::Refused(p) => errln!("error: {}", p.message),
            }
        }
        ExitCode::from(self.exit_code())
    }
}

/// The flag in clap's rendering of an argument: `--to` for `--to <TO>`.
fn flag_name(rendered: &str) -> String {
    rendered
        .split_whitespace()
        .next()
        .unwrap_or(rendered)
        .to_owned()
}

/// Clap's message without its `error: ` prefix, usage and help hint: the
/// remaining paragraphs (the problem, a tip, the possible values) on one line.
fn clap_message(e: &clap::Error) -> String {
    let text = e.render().to_string();
    text.split("\n\n")
        .map(|paragraph| {
            paragraph
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|p| {
            !p.is_empty() && !p.starts_with("Usage:") && !p.starts_with("For more information")
        })
        .map(|p| p.strip_prefix("error: ").unwrap_or(&p).to_owned())
        .collect::<Vec<_>>()
        .join("; ")
}

impl From<&clap::Error> for Failure {
    /// A command line clap could not read, as usage problems: one per missing
    /// argument, else one naming the argument at fault (or the command).
    fn from(e: &clap::Error) -> Self {
        use clap::error::{ContextKind, ContextValue, ErrorKind};
        let problems = match (e.kind(), e.get(ContextKind::InvalidArg)) {
            (ErrorKind::MissingRequiredArgument, Some(ContextValue::Strings(args))) => args
                .iter()
                .map(|a| Problem::new(flag_name(a), "missing: this argument is required"))
                .collect(),
            (
                ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand,
                _,
            ) => {
                vec![Problem::new(
                    "command",
                    "missing: a subcommand is required (see --help)",
                )]
            }
            (_, Some(ContextValue::String(arg))) => {
                vec![Problem::new(flag_name(arg), clap_message(e))]
            }
            _ => {
                let field = match e.get(ContextKind::InvalidSubcommand) {
                    Some(ContextValue::String(s)) => s.clone(),
                    _ => "command line".to_owned(),
                };
                vec![Problem::new(field, clap_message(e))]
            }
        };
        Self::Usage(problems)
    }
}

impl From<verify_ureq::ValidationError> for Failure {
    fn from(e: verify_ureq::ValidationError) -> Self {
        Self::Usage(Problem::all_of(&e))
    }
}
