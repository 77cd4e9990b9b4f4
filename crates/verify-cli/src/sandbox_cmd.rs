//! `verify sandbox`: the simulator in the foreground until interrupted.

use std::net::SocketAddr;

use verify_sandbox::{Sandbox, SandboxConfig};

use crate::cli::SandboxArgs;
use crate::failure::Failure;
use crate::out::outln;

/// Serves until Ctrl-C. The sandbox reads the system clock (HMAC dates are
/// checked against it); `--seed` makes ids and codes reproducible.
pub fn run(args: &SandboxArgs, json_mode: bool) -> Result<(), Failure> {
    let listen: SocketAddr = args.listen.parse().map_err(|_| {
        Failure::usage(
            "--listen",
            "must be an IP address and port, e.g. 127.0.0.1:8080",
        )
    })?;
    let mut config = SandboxConfig::default().with_listen(listen);
    if let Some(latency) = &args.latency {
        config.latency = humantime::parse_duration(latency.trim())
            .ok()
            .filter(|d| *d <= std::time::Duration::from_secs(3600))
            .ok_or_else(|| {
                Failure::usage(
                    "--latency",
                    "must be a duration such as 50ms or 1s, at most 1h",
                )
            })?;
    }
    if let Some(seed) = args.seed {
        config = config.with_seed(seed);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::usage("runtime", e.to_string()))?;
    runtime.block_on(async move {
        let sandbox = Sandbox::start(config)
            .await
            .map_err(|e| Failure::usage("--listen", format!("cannot listen on {listen}: {e}")))?;
        let base = sandbox.base_url();
        let c = sandbox.config();
        // These are the sandbox's own throwaway credentials, accepted by
        // nothing but this process: printing them is how clients get them.
        if json_mode {
            let _ = outln!(
                "{}",
                serde_json::json!({
                    "ok": true,
                    "base_url": base,
                    "telesign_customer_id": c.telesign_customer_id,
                    "telesign_api_key": c.telesign_api_key,
                    "dotdigital_username": c.dotdigital_username,
                    "dotdigital_password": c.dotdigital_password,
                })
            );
        } else {
            let _ = outln!("verify sandbox listening on {base} (Ctrl-C to stop)");
            let _ = outln!("Sandbox-only credentials (they work nowhere else):");
            let _ = outln!("  export TELESIGN_CUSTOMER_ID='{}'", c.telesign_customer_id);
            let _ = outln!("  export TELESIGN_API_KEY='{}'", c.telesign_api_key);
            let _ = outln!("  export DOTDIGITAL_USERNAME='{}'", c.dotdigital_username);
            let _ = outln!("  export DOTDIGITAL_PASSWORD='{}'", c.dotdigital_password);
            let _ =
                outln!("Then for example: verify telesign send --base-url {base} --to 15555550100");
        }
        let _ = tokio::signal::ctrl_c().await;
        sandbox.shutdown().await;
        Ok(())
    })
}
