//! The text the automaton reads for one sentence: the source slice itself
//! when folding would not change it, else its folded form
//! (`crate::fold::fold_range`), with every whitespace run collapsed to one
//! space when it has any, and the map of its offsets back to the source.

use crate::fold::{fold_range, Folded};
use crate::types::Span;

/// Buffers reused from one sentence to the next.
#[derive(Debug, Default)]
pub struct Scratch {
    folded: Folded,
    collapsed: String,
    /// For each byte of `collapsed`, its offset in the folded text.
    to_folded: Vec<u32>,
}

/// One sentence's match text and its map to source offsets.
#[derive(Debug, Clone, Copy)]
pub enum MatchText<'a> {
    /// The source slice itself, at `base`.
    Source { text: &'a str, base: usize },
    /// The folded slice.
    Folded { folded: &'a Folded },
    /// The folded slice with whitespace runs collapsed.
    Collapsed {
        folded: &'a Folded,
        text: &'a str,
        to_folded: &'a [u32],
    },
}

/// Whether an ASCII byte stays as it is in match text (a line break does
/// not: it becomes a space).
fn plain(byte: u8) -> bool {
    (b' '..=b'~').contains(&byte) && byte != b'`'
}

impl Scratch {
    /// The match text of `src[span]` (empty if the span is not on character
    /// boundaries of `src`).
    pub fn prepare<'a>(&'a mut self, src: &'a str, span: Span) -> MatchText<'a> {
        let Some(slice) = src.get(span.clone()) else {
            return MatchText::Source { text: "", base: 0 };
        };
        let bytes = slice.as_bytes();
        // Whole-slice tests first: they vectorize, and most sentences pass.
        let all_plain = bytes.iter().fold(true, |all, &b| all & plain(b));
        if all_plain && memchr::memmem::find(bytes, b"  ").is_none() {
            return MatchText::Source {
                text: slice,
                base: span.start,
            };
        }
        self.folded = fold_range(src, span);
        let text = self.folded.text();
        let runs = memchr::memchr3(b'\n', b'\t', b'\r', text.as_bytes()).is_some()
            || memchr::memmem::find(text.as_bytes(), b"  ").is_some();
        if !runs {
            return MatchText::Folded {
                folded: &self.folded,
            };
        }
        self.collapsed.clear();
        self.to_folded.clear();
        // Runs between ASCII whitespace bytes (always character boundaries)
        // are copied whole; each whitespace run becomes one space.
        let bytes = text.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            let run_end = bytes[at..]
                .iter()
                .position(u8::is_ascii_whitespace)
                .map_or(bytes.len(), |n| at + n);
            self.collapsed.push_str(text.get(at..run_end).unwrap_or(""));
            self.to_folded.extend(at as u32..run_end as u32);
            if run_end < bytes.len() {
                self.collapsed.push(' ');
                self.to_folded.push(run_end as u32);
            }
            at = bytes[run_end..]
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .map_or(bytes.len(), |n| run_end + n);
        }
        self.to_folded.push(text.len() as u32);
        MatchText::Collapsed {
            folded: &self.folded,
            text: &self.collapsed,
            to_folded: &self.to_folded,
        }
    }
}

impl<'a> MatchText<'a> {
    pub fn text(&self) -> &'a str {
        match *self {
            MatchText::Source { text, .. } => text,
            MatchText::Folded { folded } => folded.text(),
            MatchText::Collapsed { text, .. } => text,
        }
    }

    /// The source span of a span of the match text.
    pub fn source_span(&self, span: Span) -> Span {
        match *self {
            MatchText::Source { base, .. } => base + span.start..base + span.end,
            MatchText::Folded { folded } => folded.source_span(span),
            MatchText::Collapsed {
                folded, to_folded, ..
            } => {
                let at = |i: usize| {
                    to_folded
                        .get(i)
                        .or(to_folded.last())
                        .map_or(0, |&v| v as usize)
                };
                let start = at(span.start);
                let end = if span.end > span.start {
                    at(span.end - 1) + 1
                } else {
                    start
                };
                folded.source_span(start..end.max(start))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(src: &str, needle: &str) -> String {
        let mut scratch = Scratch::default();
        let text = scratch.prepare(src, 0..src.len());
        let at = text.text().find(needle).expect("needle in match text");
        let span = text.source_span(at..at + needle.len());
        src[span].to_string()
    }

    #[test]
    fn plain_ascii_is_the_source_itself() {
        let src = "xx The US said.";
        let mut scratch = Scratch::default();
        let text = scratch.prepare(src, 3..src.len());
        assert_eq!(text.text(), "The US said.");
        assert_eq!(text.source_span(4..6), 7..9);
    }

    #[test]
    fn folds_and_collapses_with_source_offsets() {
        let src = "\u{201C}Afghanistan\u{2019}s\u{00A0}\u{00A0}future\u{201D}, the United\r\n  States\u{2026} al\u{2011}Qaeda";
        let mut scratch = Scratch::default();
        let text = scratch.prepare(src, 0..src.len());
        assert_eq!(
            text.text(),
            "\"Afghanistan's future\", the United States... al-Qaeda"
        );
        assert_eq!(round_trip(src, "Afghanistan"), "Afghanistan");
        assert_eq!(round_trip(src, "'s"), "\u{2019}s");
        assert_eq!(round_trip(src, "United States"), "United\r\n  States");
        assert_eq!(round_trip(src, "al-Qaeda"), "al\u{2011}Qaeda");
        assert_eq!(round_trip(src, "States."), "States\u{2026}");
        assert_eq!(round_trip(src, "future\""), "future\u{201D}");
    }

    #[test]
    fn invisible_characters_vanish() {
        let src = "Paki\u{00AD}stan and \u{200B}Iran";
        assert_eq!(round_trip(src, "Pakistan"), "Paki\u{00AD}stan");
        assert_eq!(round_trip(src, "Iran"), "Iran");
    }
}
