//! The progress bar (on a terminal only) and the problem lines on stderr.

use super::render::Problem;
use super::{Config, Status};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Most problems printed on stderr; the rest are only in documents.csv.
const MAX_PRINTED_PROBLEMS: usize = 200;

/// The progress bar (on a terminal only) and the problem lines on stderr.
pub(super) struct Progress {
    bar: Option<indicatif::ProgressBar>,
    quiet: bool,
    printed: AtomicUsize,
}

impl Progress {
    pub(super) fn new(config: &Config, total_bytes: Option<u64>) -> Progress {
        let bar = (!config.quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = match total_bytes {
                Some(total) => indicatif::ProgressBar::new(total),
                None => indicatif::ProgressBar::new_spinner(),
            };
            let template = if total_bytes.is_some() {
                "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}"
            } else {
                "{spinner} [{elapsed_precise}] {bytes} {binary_bytes_per_sec} {msg}"
            };
            if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
                bar.set_style(style);
            }
            bar
        });
        Progress {
            bar,
            quiet: config.quiet,
            printed: AtomicUsize::new(0),
        }
    }

    pub(super) fn update(&self, bytes: u64, documents: usize) {
        if let Some(bar) = &self.bar {
            bar.set_position(bytes);
            bar.set_message(format!("{documents} docs"));
        }
    }

    pub(super) fn eprintln(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    pub(super) fn report_problem(&self, problem: &Problem) {
        if self.quiet {
            return;
        }
        let n = self.printed.fetch_add(1, Ordering::Relaxed);
        if n < MAX_PRINTED_PROBLEMS {
            let level = if problem.status == Status::Ok {
                "warning"
            } else {
                problem.status.as_str()
            };
            self.eprintln(&format!(
                "claimstance: {}: {level}: {}",
                problem.source, problem.message
            ));
        }
    }

    pub(super) fn hidden_problems(&self) -> usize {
        self.printed
            .load(Ordering::Relaxed)
            .saturating_sub(MAX_PRINTED_PROBLEMS)
    }

    pub(super) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
