//! The demo's steps: each one run, timed and recorded, and whether every
//! step behaved as documented.

use std::time::{Duration, Instant};

use crate::spinner::Spinner;

use super::output;

/// One step's outcome: a one-line detail, or why it did not behave as documented.
pub type StepResult<T> = Result<(T, String), String>;

/// A step that ran (or could not run), as the report shows it.
pub struct Step {
    /// The section title the step belongs to.
    pub section: String,
    /// What the step does.
    pub name: String,
    /// Whether it behaved as documented.
    pub ok: bool,
    /// How long it took.
    pub elapsed: Duration,
    /// What it found, or why it failed. Never a timing: two runs with the
    /// same seed give the same details.
    pub detail: String,
}

/// Runs steps, timing and printing each as it ends.
pub struct Report {
    json_mode: bool,
    section: String,
    steps: Vec<Step>,
}

impl Report {
    /// An empty report; text is printed as steps end unless `json_mode`.
    pub fn new(json_mode: bool) -> Self {
        Self {
            json_mode,
            section: String::new(),
            steps: Vec::new(),
        }
    }

    /// Starts a section: the steps recorded from now on belong to it.
    pub fn section(&mut self, title: impl Into<String>) {
        self.section = title.into();
        if !self.json_mode {
            output::print_section(&self.section);
        }
    }

    /// Runs `f` as a step; `None` when it failed.
    pub fn step<T>(
        &mut self,
        name: impl Into<String>,
        f: impl FnOnce() -> StepResult<T>,
    ) -> Option<T> {
        let name = name.into();
        let spinner = Spinner::start(name.clone());
        let started = Instant::now();
        let result = f();
        let elapsed = started.elapsed();
        drop(spinner);
        let (ok, detail, value) = match result {
            Ok((v, detail)) => (true, detail, Some(v)),
            Err(why) => (false, why, None),
        };
        self.record(name, ok, elapsed, detail);
        value
    }

    /// Records a step that could not run because an earlier one failed.
    pub fn skip(&mut self, name: impl Into<String>, because: &str) {
        self.record(
            name.into(),
            false,
            Duration::ZERO,
            format!("not run: {because} failed"),
        );
    }

    /// Records steps that could not run because an earlier one failed.
    pub fn skip_all(&mut self, names: &[&str], because: &str) {
        for name in names {
            self.skip(*name, because);
        }
    }

    /// Records a step that has ended, printing it unless in JSON mode.
    pub fn record(&mut self, name: String, ok: bool, elapsed: Duration, detail: String) {
        let step = Step {
            section: self.section.clone(),
            name,
            ok,
            elapsed,
            detail,
        };
        if !self.json_mode {
            output::print_step(&step);
        }
        self.steps.push(step);
    }

    /// Every step recorded so far, in order.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Whether there were steps and every one behaved as documented.
    pub fn all_ok(&self) -> bool {
        !self.steps.is_empty() && self.steps.iter().all(|s| s.ok)
    }
}
