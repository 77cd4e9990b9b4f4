//! A throwaway `redis-server` for tests and benchmarks.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// A `redis-server` of its own on a free loopback port, with no
/// persistence, in a temporary directory; killed on drop.
pub struct RedisServer {
    child: Child,
    port: u16,
    dir: PathBuf,
    password: Option<String>,
}

impl std::fmt::Debug for RedisServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisServer")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

static NEXT: AtomicU32 = AtomicU32::new(0);

/// Runs `"$@"` (the server), and kills it once standard input (a pipe from
/// this process) reaches its end; exits with the server.
const WATCHDOG: &str = r#"exec 3<&0
"$@" </dev/null &
pid=$!
( while read -r _; do :; done; kill "$pid" 2>/dev/null ) <&3 &
exec 3<&-
wait "$pid"
"#;

fn binary() -> Option<PathBuf> {
    let fixed = Path::new("/usr/bin/redis-server");
    if fixed.is_file() {
        return Some(fixed.to_path_buf());
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("redis-server"))
            .find(|p| p.is_file())
    })
}

fn ping(port: u16, password: Option<&str>) -> bool {
    let Ok(mut s) = TcpStream::connect((Ipv4Addr::LOCALHOST, port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(1)));
    let mut req = Vec::new();
    if let Some(p) = password {
        req.extend_from_slice(format!("*2\r\n$4\r\nAUTH\r\n${}\r\n{p}\r\n", p.len()).as_bytes());
    }
    req.extend_from_slice(b"*1\r\n$4\r\nPING\r\n");
    if s.write_all(&req).is_err() {
        return false;
    }
    let mut got = Vec::new();
    let mut buf = [0u8; 64];
    while !got.windows(5).any(|w| w == b"+PONG") {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return false,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    true
}

impl RedisServer {
    /// Starts one. Without `redis-server` it prints
    /// `redis-server not found: skipping` and returns `None`, except when
    /// `CI=true`, where it panics: in CI a skip is a failure.
    pub fn start() -> Option<Self> {
        Self::start_with(None)
    }

    /// Starts one that requires `password`.
    pub fn start_with_password(password: &str) -> Option<Self> {
        Self::start_with(Some(password))
    }

    fn start_with(password: Option<&str>) -> Option<Self> {
        let Some(bin) = binary() else {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("redis-server not found, and CI=true: a Redis test may not skip in CI");
            }
            eprintln!("redis-server not found: skipping");
            return None;
        };
        for _ in 0..5 {
            let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
                .and_then(|l| l.local_addr())
                .map(|a| a.port())
                .expect("a free loopback port");
            let dir = std::env::temp_dir().join(format!(
                "verify-shield-redis-{}-{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::create_dir_all(&dir).expect("a temporary directory");
            // Through a watchdog shell: the server is killed when this
            // process's end of the pipe closes, on drop or at exit (a
            // server held in a `static` is never dropped).
            let mut cmd = Command::new("sh");
            cmd.arg("-c")
                .arg(WATCHDOG)
                .arg("redis-server")
                .arg(&bin)
                .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
                .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
                .arg("--dir")
                .arg(&dir)
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            if let Some(p) = password {
                cmd.args(["--requirepass", p]);
            }
            let child = cmd.spawn().expect("redis-server starts");
            let mut server = Self {
                child,
                port,
                dir,
                password: password.map(str::to_owned),
            };
            // Polls until it answers (or exits: the port was taken meanwhile).
            let deadline = Instant::now() + Duration::from_secs(20);
            while Instant::now() < deadline {
                if ping(port, password) {
                    return Some(server);
                }
                if matches!(server.child.try_wait(), Ok(Some(_))) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            drop(server);
        }
        panic!("redis-server did not start on a free loopback port after 5 tries");
    }

    /// Its port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:PORT/0` (with the password when it has one).
    pub fn url(&self) -> String {
        match &self.password {
            Some(p) => format!("redis://:{p}@127.0.0.1:{}/0", self.port),
            None => format!("redis://127.0.0.1:{}/0", self.port),
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
