//! `soak [--requests N] [--in-flight N] [--timeout-ms N] [--shield]`: the
//! soak of `verify_benches::soak`, printing its report (Markdown) and writing
//! it to `target/verify-benches/soak.md` (`soak-shield.md` with `--shield`:
//! behind the abuse shield on a Redis it starts); exits 1 when a check failed.
//! Run it with `cargo xtask soak`, which builds it in release mode.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use verify_benches::soak::{self, Config};
use verify_benches::stats::results_path;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut requests = 1_000_000u64;
    let mut in_flight = 256u64;
    let mut timeout = None;
    let mut shield = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| -> u64 {
            it.next()
                .and_then(|v| v.replace('_', "").parse().ok())
                .unwrap_or_else(|| {
                    eprintln!("{name} needs a number");
                    std::process::exit(2)
                })
        };
        match a.as_str() {
            "--shield" => shield = true,
            "--requests" => requests = value("--requests"),
            "--in-flight" => in_flight = value("--in-flight"),
            "--timeout-ms" => timeout = Some(Duration::from_millis(value("--timeout-ms"))),
            _ => {
                eprintln!("usage: soak [--requests N] [--in-flight N] [--timeout-ms N] [--shield]");
                return ExitCode::from(2);
            }
        }
    }
    let mut config = Config::new(requests, in_flight);
    if let Some(t) = timeout {
        config = config.with_overall_timeout(t);
    }
    if shield {
        config = config.with_shield();
    }
    eprintln!("soak: {config:?}");
    let began = Instant::now();
    let mut last = Instant::now();
    let report = soak::run(&config, |done, r| {
        if last.elapsed() >= Duration::from_secs(10) || done == requests {
            last = Instant::now();
            eprintln!(
                "soak: {done}/{requests} calls after {:.0} s; {} messages, {} broken, resident {} MB, {} descriptors",
                began.elapsed().as_secs_f64(),
                r.messages,
                r.outbox_violations,
                soak::resident_bytes() >> 20,
                soak::open_fds(),
            );
        }
    });
    let text = format!(
        "`cargo xtask soak --requests {requests} --in-flight {in_flight}{}` (time limit {} ms per call):\n\n{}",
        if shield { " --shield" } else { "" },
        config.timeouts.overall.as_millis(),
        report.markdown()
    );
    println!("{text}");
    let path = results_path(if shield { "soak-shield.md" } else { "soak.md" });
    if let Err(e) = std::fs::write(&path, &text) {
        eprintln!("{}: {e}", path.display());
    }
    if report.failures().is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
