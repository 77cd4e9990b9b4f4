//! `verify-sandbox`: run the TeleSign (classic and Verify API) / dotdigital simulator from
//! the command line.

use std::io::Write as _;
use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
use verify_sandbox::{Sandbox, SandboxConfig};

/// Offline simulator of TeleSign's Verify APIs (classic and verify.telesign.com) and dotdigital's.
#[derive(Parser, Debug)]
#[command(name = "verify-sandbox", version, about)]
struct Args {
    /// Address to listen on (loopback unless you ask otherwise).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// TeleSign customer id (generated when absent).
    #[arg(long)]
    telesign_customer_id: Option<String>,
    /// TeleSign API key, base64 (generated when absent).
    #[arg(long)]
    telesign_api_key: Option<String>,
    /// dotdigital API user (generated when absent).
    #[arg(long)]
    dotdigital_user: Option<String>,
    /// dotdigital API password (generated when absent).
    #[arg(long)]
    dotdigital_password: Option<String>,
    /// Seed for reproducible codes and ids.
    #[arg(long)]
    seed: Option<u64>,
    /// TeleSign code lifetime, e.g. "5m" or "90s".
    #[arg(long, value_parser = humantime::parse_duration, default_value = "5m")]
    telesign_code_ttl: Duration,
    /// Lifetime of a code of TeleSign's Verify API (/verification), e.g. "300s".
    #[arg(long, value_parser = humantime::parse_duration, default_value = "300s")]
    telesign_verify_code_ttl: Duration,
    /// TeleSign requests per second per account before -40007 (and, on a window of its
    /// own, before the Verify API's 3204).
    #[arg(long, default_value_t = 1_000_000)]
    telesign_rate_limit: u32,
    /// dotdigital requests per second per account before Throttled.
    #[arg(long, default_value_t = 1_000_000)]
    dotdigital_rate_limit: u32,
    /// Hold every provider answer this long, e.g. "50ms" (a provider across a network).
    #[arg(long, value_parser = humantime::parse_duration, default_value = "0s")]
    latency: Duration,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let mut config = SandboxConfig {
        listen: args.listen,
        ..SandboxConfig::default()
    };
    let (ts_id_given, ts_key_given) = (
        args.telesign_customer_id.is_some(),
        args.telesign_api_key.is_some(),
    );
    let (dd_user_given, dd_pass_given) = (
        args.dotdigital_user.is_some(),
        args.dotdigital_password.is_some(),
    );
    if let Some(v) = args.telesign_customer_id {
        config.telesign_customer_id = v;
    }
    if let Some(v) = args.telesign_api_key {
        config.telesign_api_key = v;
    }
    if let Some(v) = args.dotdigital_user {
        config.dotdigital_username = v;
    }
    if let Some(v) = args.dotdigital_password {
        config.dotdigital_password = v;
    }
    config.seed = args.seed;
    config.telesign_code_ttl = args.telesign_code_ttl;
    config.telesign_verify_code_ttl = args.telesign_verify_code_ttl;
    config.telesign_rate_limit = args.telesign_rate_limit;
    config.dotdigital_rate_limit = args.dotdigital_rate_limit;
    config.latency = args.latency;

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("verify-sandbox: cannot start runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let sandbox = match Sandbox::start(config).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("verify-sandbox: cannot listen: {e}");
                return std::process::ExitCode::FAILURE;
            }
        };
        let c = sandbox.config();
        let mut out = std::io::stdout().lock();
        // The first line is machine-read by scripts: keep its format.
        let _ = writeln!(out, "listening on {}", sandbox.base_url());
        // Generated credentials are printed so a client can use them; given ones are not echoed.
        let _ = writeln!(out, "telesign customer id: {}", c.telesign_customer_id);
        if !ts_key_given {
            let _ = writeln!(out, "telesign api key (generated): {}", c.telesign_api_key);
        } else if !ts_id_given {
            let _ = writeln!(out, "telesign api key: as given");
        }
        let _ = writeln!(out, "dotdigital user: {}", c.dotdigital_username);
        if !dd_pass_given {
            let _ = writeln!(
                out,
                "dotdigital password (generated): {}",
                c.dotdigital_password
            );
        } else if !dd_user_given {
            let _ = writeln!(out, "dotdigital password: as given");
        }
        let _ = writeln!(out, "outbox: GET {}/_sandbox/messages", sandbox.base_url());
        let _ = out.flush();
        drop(out);
        let _ = tokio::signal::ctrl_c().await;
        sandbox.shutdown().await;
        std::process::ExitCode::SUCCESS
    })
}
