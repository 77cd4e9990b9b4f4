//! Everything the command writes, with error handling: no write panics (a
//! closed stdout is `EPIPE`, which Rust's runtime turns into an error, not a
//! signal, since it ignores `SIGPIPE`).
//!
//! A failed write to stdout is remembered: `main` then exits with
//! [`crate::failure::EXIT_OUTPUT`] when the command otherwise succeeded. What
//! stdout should have shown after a send (the request id of a code that may
//! have gone out) is written to stderr instead, by [`results`].

use std::fmt;
use std::io::{self, Write};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use verify_ureq::redact::Secrets;

static STDOUT_FAILED: AtomicBool = AtomicBool::new(false);

/// The secrets this command was given (keys, passwords, codes, the password
/// of a store or proxy URL): whatever a provider or store echoes, no form of
/// them is ever written, on stdout or stderr.
static SECRETS: OnceLock<Secrets> = OnceLock::new();

/// Removes `secrets` from everything written from now on (set once).
pub fn keep_out(secrets: Secrets) {
    let _ = SECRETS.set(secrets);
}

/// `text` without any form of the command's secrets.
fn scrubbed(text: &str) -> std::borrow::Cow<'_, str> {
    match SECRETS.get() {
        Some(secrets) if !secrets.is_empty() => std::borrow::Cow::Owned(secrets.scrub(text)),
        _ => std::borrow::Cow::Borrowed(text),
    }
}

/// Whether a write to stdout has failed in this process.
pub fn stdout_failed() -> bool {
    STDOUT_FAILED.load(Ordering::Relaxed)
}

/// Writes `bytes` to stdout and flushes; a failure is remembered and returned.
pub fn bytes(bytes: &[u8]) -> io::Result<()> {
    let clean;
    let bytes = match std::str::from_utf8(bytes) {
        Ok(text) if SECRETS.get().is_some() => {
            clean = scrubbed(text).into_owned();
            clean.as_bytes()
        }
        _ => bytes,
    };
    let mut out = io::stdout().lock();
    let result = out.write_all(bytes).and_then(|()| out.flush());
    if result.is_err() {
        STDOUT_FAILED.store(true, Ordering::Relaxed);
    }
    result
}

/// Writes one line to stdout; a failure is remembered and returned.
pub fn line(args: fmt::Arguments<'_>) -> io::Result<()> {
    let mut text = args.to_string();
    text.push('\n');
    bytes(text.as_bytes())
}

/// Writes one line to stderr; a failure there has nowhere left to be told
/// and is ignored.
pub fn err_line(args: fmt::Arguments<'_>) {
    let mut text = scrubbed(&args.to_string()).into_owned();
    text.push('\n');
    let mut err = io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

/// Writes a result's `lines` to stdout; when stdout cannot take them, writes
/// them to stderr instead, after a line saying why, so that what a send
/// returned (its id) still reaches the user. Returns whether stdout took them.
pub fn results(lines: &[String]) -> bool {
    let mut text = String::new();
    for l in lines {
        text.push_str(l);
        text.push('\n');
    }
    match bytes(text.as_bytes()) {
        Ok(()) => true,
        Err(e) => {
            err_line(format_args!(
                "error: the result could not be written to stdout ({e}); here it is:"
            ));
            for l in lines {
                err_line(format_args!("{l}"));
            }
            false
        }
    }
}

/// `println!` that never panics: see [`line()`].
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::out::line(format_args!($($arg)*))
    };
}

/// `eprintln!` that never panics: see [`err_line()`].
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::out::err_line(format_args!($($arg)*))
    };
}

pub(crate) use {errln, outln};
