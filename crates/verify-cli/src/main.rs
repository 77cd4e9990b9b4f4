//! The `verify` command: send and check SMS one-time verification codes
//! through TeleSign Verify or dotdigital CPaaS Verify, print the exact
//! request a command would send, or run the whole flow against the embedded
//! sandbox (`verify demo`).
#![forbid(unsafe_code)]

mod callback_cmd;
mod cli;
mod config;
mod demo;
mod dotdigital_cmd;
mod failure;
mod guard;
mod logging;
mod neutral_cmd;
mod out;
mod render;
mod run;
mod sandbox_cmd;
mod secrets;
mod segments_cmd;
mod spinner;
mod telesign_cmd;
mod telesign_verify_cmd;
mod transport;
mod wire;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser as _;

use crate::cli::{Cli, Command};
use crate::failure::Failure;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return command_line_error(&e),
    };
    let json_mode = cli.json;
    out::keep_out(secrets::given(std::env::args_os()));
    if cli.verbose {
        logging::init();
    }
    let result = match cli.command {
        Command::Telesign(c) => telesign_cmd::run(c, json_mode),
        Command::Dotdigital(c) => dotdigital_cmd::run(c, json_mode),
        Command::Demo(a) => match demo::run(&a, json_mode) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::from(failure::EXIT_PROVIDER),
            Err(f) => Err(f),
        },
        Command::Sandbox(a) => sandbox_cmd::run(&a, json_mode),
        Command::Start(a) => neutral_cmd::start(a, json_mode),
        Command::Check(a) => neutral_cmd::check(a, json_mode),
        Command::Segments(a) => segments_cmd::run(&a, json_mode),
    };
    match result {
        // The work is done, but what it printed was lost: the result went
        // to stderr instead (see `out`); the exit code says so.
        Ok(()) if out::stdout_failed() => {
            out::errln!("error: the output could not be written to stdout");
            ExitCode::from(failure::EXIT_OUTPUT)
        }
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => f.report(json_mode),
    }
}

/// Whether `--json` is among the arguments (before a `--`), for a command
/// line clap could not read.
fn json_requested(args: impl IntoIterator<Item = OsString>) -> bool {
    args.into_iter()
        .skip(1)
        .take_while(|a| a != "--")
        .any(|a| a == "--json")
}

/// A command line clap refused, or `--help`/`--version`: clap's own output,
/// except that errors become a JSON object (exit code 2) under `--json`.
fn command_line_error(e: &clap::Error) -> ExitCode {
    if !e.use_stderr() {
        // --help, --version: stdout, whose failure is told like any other.
        let written = e
            .print()
            .and_then(|()| std::io::Write::flush(&mut std::io::stdout()));
        return match written {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                out::errln!("error: the output could not be written to stdout ({err})");
                ExitCode::from(failure::EXIT_OUTPUT)
            }
        };
    }
    if json_requested(std::env::args_os()) {
        return Failure::from(e).report(true);
    }
    e.exit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<OsString> {
        a.iter().map(OsString::from).collect()
    }

    #[test]
    fn json_is_found_anywhere_before_a_double_dash() {
        assert!(json_requested(args(&["verify", "--json", "start"])));
        assert!(json_requested(args(&[
            "verify", "start", "--to", "1", "--json"
        ])));
        assert!(!json_requested(args(&["verify", "start"])));
        assert!(!json_requested(args(&["verify", "start", "--", "--json"])));
        assert!(!json_requested(args(&["--json"])));
    }
}
