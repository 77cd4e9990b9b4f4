//! The `verify` command: send and check SMS one-time verification codes
//! through TeleSign Verify or dotdigital CPaaS Verify, print the exact
//! request a command would send, or run the whole flow against the embedded
//! sandbox (`verify demo`).
#![forbid(unsafe_code)]

mod cli;
mod config;
mod demo;
mod dotdigital_cmd;
mod failure;
mod neutral_cmd;
mod render;
mod run;
mod sandbox_cmd;
mod spinner;
mod telesign_cmd;
mod transport;
mod wire;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::failure::Failure;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json_mode = cli.json;
    let result = match cli.command {
        Command::Telesign(c) => telesign_cmd::run(c, json_mode),
        Command::Dotdigital(c) => dotdigital_cmd::run(c, json_mode),
        Command::Demo(a) => {
            return match demo::run(a.seed, json_mode) {
                Ok(true) => ExitCode::SUCCESS,
                Ok(false) => ExitCode::from(failure::EXIT_PROVIDER),
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(failure::EXIT_PROVIDER)
                }
            };
        }
        Command::Sandbox(a) => sandbox_cmd::run(&a, json_mode),
        Command::Start(a) => neutral_cmd::start(a, json_mode),
        Command::Check(a) => neutral_cmd::check(a, json_mode),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => report(f, json_mode),
    }
}

fn report(f: Failure, json_mode: bool) -> ExitCode {
    f.report(json_mode)
}
