//! TeleSign's official Python SDK, timed in the same run as the library
//! (`benches/python/telesign_sdk_round.py`, run by the core benchmark).
//!
//! [`Sdk::start`] installs the SDK (pinned, as CI's SDK check pins it) into
//! `target/telesign-sdk-venv` when it is not there, and starts the script as
//! a worker that times a number of rounds each time it is asked, so that the
//! benchmark can alternate Python runs with its own.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use crate::stats::target_dir;

/// The TeleSign Python SDK version measured.
pub const SDK_VERSION: &str = "4.1.1";

/// What the worker times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// The SDK's share of the SMS round: `urlencode`,
    /// `RestClient.generate_telesign_headers` at the fixed date and nonce,
    /// `json.loads` of the answer (the counterpart of `round/telesign_sms`).
    Share,
    /// The SDK's whole call, `RestClient.post("/v1/verify/sms", ...)`, with
    /// the socket replaced by an adapter that answers at once (the
    /// counterpart of `call/telesign_sms`).
    Call,
}

/// A running worker of `telesign_sdk_round.py --serve`.
pub struct Sdk {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    /// The SDK's version, as installed.
    pub sdk: String,
    /// Python's version.
    pub python: String,
}

impl Sdk {
    /// Installs the SDK when needed and starts the worker, which first checks
    /// that the SDK signs as the library does. `Err` says why it cannot run
    /// (no `python3`, no package index, a failed check).
    pub fn start() -> Result<Sdk, String> {
        let python = install()?;
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("python/telesign_sdk_round.py");
        let mut child = Command::new(&python)
            .arg(&script)
            .arg("--serve")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err("the Python worker has no pipes".into());
        };
        let mut sdk = Sdk {
            child,
            stdin,
            stdout: BufReader::new(stdout),
            sdk: String::new(),
            python: String::new(),
        };
        let line = sdk.line()?;
        let v: serde_json::Value = serde_json::from_str(&line)
            .map_err(|e| format!("the Python worker's first line is not JSON ({e}): {line}"))?;
        let text = |k: &str| v.get(k).and_then(|s| s.as_str()).unwrap_or("?").to_owned();
        (sdk.sdk, sdk.python) = (text("sdk"), text("python"));
        Ok(sdk)
    }

    /// Nanoseconds per round of `rounds` rounds of `measure`.
    pub fn time(&mut self, measure: Measure, rounds: u32) -> Result<f64, String> {
        let what = match measure {
            Measure::Share => "share",
            Measure::Call => "call",
        };
        writeln!(self.stdin, "{what} {rounds}")
            .and_then(|()| self.stdin.flush())
            .map_err(|e| format!("the Python worker stopped reading: {e}"))?;
        let line = self.line()?;
        line.trim()
            .parse()
            .map_err(|e| format!("the Python worker answered {line:?} ({e})"))
    }

    fn line(&mut self) -> Result<String, String> {
        let mut line = String::new();
        match self.stdout.read_line(&mut line) {
            Ok(0) => Err("the Python worker stopped (its error is above)".into()),
            Ok(_) => Ok(line),
            Err(e) => Err(format!("reading the Python worker: {e}")),
        }
    }
}

impl Drop for Sdk {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The venv's Python with the pinned SDK, installing it when it is not
/// there.
fn install() -> Result<PathBuf, String> {
    let venv = target_dir().join("telesign-sdk-venv");
    let python = venv.join("bin/python");
    let installed = || {
        Command::new(&python)
            .args([
                "-c",
                "from importlib.metadata import version; print(version('telesign'))",
            ])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .is_some_and(|o| String::from_utf8_lossy(&o.stdout).trim() == SDK_VERSION)
    };
    if installed() {
        return Ok(python);
    }
    eprintln!(
        "$ python3 -m venv {0} && {0}/bin/pip install telesign=={SDK_VERSION}",
        venv.display()
    );
    let ran = |c: &mut Command| c.output().is_ok_and(|o| o.status.success());
    let ok = ran(Command::new("python3").args(["-m", "venv"]).arg(&venv))
        && ran(Command::new(venv.join("bin/pip")).args([
            "install",
            "-q",
            &format!("telesign=={SDK_VERSION}"),
        ]));
    if ok && installed() {
        Ok(python)
    } else {
        Err(format!(
            "could not install TeleSign's Python SDK {SDK_VERSION} (python3 -m venv, pip)"
        ))
    }
}
