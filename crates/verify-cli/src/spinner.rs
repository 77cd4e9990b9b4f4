//! A small progress indicator on stderr, shown only when stderr is a terminal.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const FRAMES: [char; 4] = ['|', '/', '-', '\\'];

/// Spins with a label and the elapsed seconds until dropped. When stderr is
/// not a terminal (scripts, tests, CI) it does nothing at all.
pub struct Spinner {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Spinner {
    /// Starts spinning with `label` (nothing happens unless stderr is a terminal).
    pub fn start(label: impl Into<String>) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        if !std::io::stderr().is_terminal() {
            return Self { stop, thread: None };
        }
        let label = label.into();
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("spinner".into())
            .spawn(move || {
                let started = Instant::now();
                let mut frame = 0usize;
                while !flag.load(Ordering::Relaxed) {
                    let glyph = FRAMES[frame % FRAMES.len()];
                    let secs = started.elapsed().as_secs();
                    let mut err = std::io::stderr().lock();
                    let _ = write!(err, "\r{glyph} {label} ({secs} s)\x1b[K");
                    let _ = err.flush();
                    drop(err);
                    frame = frame.wrapping_add(1);
                    std::thread::sleep(Duration::from_millis(100));
                }
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "\r\x1b[K");
                let _ = err.flush();
            })
            .ok();
        Self { stop, thread }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
