//! The text the automaton reads for one sentence: the source slice itself
//! when folding would not change it, else its folded form (`crate::fold`
//! rules) with every whitespace run collapsed to one space, built into a
//! reusable buffer with a sparse offset map back to the source.

use crate::fold::fold_char;
use crate::types::Span;

/// A stretch of match text that maps to the source from `src` on.
#[derive(Debug, Clone, Copy)]
struct Segment {
    folded: u32,
    src: u32,
    /// Every byte of a constant segment maps to `src` (a replaced character);
    /// a linear one maps byte for byte.
    constant: bool,
    /// For a constant segment, the source end of the replaced character.
    src_end: u32,
}

/// Buffers reused from one sentence to the next.
#[derive(Debug, Default)]
pub struct Scratch {
    text: String,
    segments: Vec<Segment>,
}

/// One sentence's match text and its map to source offsets.
#[derive(Debug, Clone, Copy)]
pub struct MatchText<'a> {
    text: &'a str,
    /// Source offset of the text when it is the source slice itself.
    base: usize,
    /// Empty when the text is the source slice itself.
    segments: &'a [Segment],
}

fn needs_folding(byte: u8) -> bool {
    !(0x20..0x7f).contains(&byte) || byte == b'`'
}

impl Scratch {
    /// The match text of `src[span]` (empty if the span is not on character
    /// boundaries of `src`).
    pub fn prepare<'a>(&'a mut self, src: &'a str, span: Span) -> MatchText<'a> {
        let Some(slice) = src.get(span.clone()) else {
            return MatchText {
                text: "",
                base: 0,
                segments: &[],
            };
        };
        let bytes = slice.as_bytes();
        // Whole-slice tests first: they vectorize, and most sentences pass.
        let foldable = bytes.iter().fold(false, |any, &b| any | needs_folding(b));
        if !foldable && memchr::memmem::find(bytes, b"  ").is_none() {
            return MatchText {
                text: slice,
                base: span.start,
                segments: &[],
            };
        }
        let prefix = bytes
            .iter()
            .position(|&b| needs_folding(b))
            .unwrap_or(bytes.len());
        let prefix = memchr::memmem::find(&bytes[..prefix], b"  ").unwrap_or(prefix);
        self.text.clear();
        self.segments.clear();
        self.segments.push(Segment {
            folded: 0,
            src: span.start as u32,
            constant: false,
            src_end: 0,
        });
        self.text.push_str(&slice[..prefix]);
        let mut last_space = self.text.ends_with(' ');
        let mut at = prefix;
        while at < bytes.len() {
            // A run of bytes that stay as they are (but for repeated spaces),
            // copied at once.
            if last_space && bytes[at] == b' ' {
                at += 1;
                continue;
            }
            let run_end = bytes[at..]
                .iter()
                .position(|&b| needs_folding(b))
                .map_or(bytes.len(), |n| at + n);
            let run_end =
                memchr::memmem::find(&bytes[at..run_end], b"  ").map_or(run_end, |n| at + n + 1);
            if run_end > at {
                self.append(&slice[at..run_end], span.start + at, run_end - at, false);
                last_space = bytes[run_end - 1] == b' ';
                at = run_end;
                continue;
            }
            let Some(c) = slice[at..].chars().next() else {
                break;
            };
            let src = span.start + at;
            let len = c.len_utf8();
            at += len;
            let replaced = if c == '\r' && bytes.get(at) == Some(&b'\n') {
                Some("")
            } else if c.is_ascii_whitespace() {
                None
            } else {
                fold_char(c)
            };
            let out = replaced.unwrap_or("");
            let is_space = if replaced.is_some() {
                !out.is_empty() && out.bytes().all(|b| b.is_ascii_whitespace())
            } else {
                c.is_ascii_whitespace()
            };
            if is_space {
                if last_space {
                    continue;
                }
                last_space = true;
                self.append(" ", src, len, len > 1);
            } else if let Some(out) = replaced {
                if out.is_empty() {
                    continue;
                }
                last_space = false;
                self.append(out, src, len, len > 1 || out.len() != len);
            } else {
                last_space = false;
                self.append(&slice[at - len..at], src, len, false);
            }
        }
        MatchText {
            text: &self.text,
            base: span.start,
            segments: &self.segments,
        }
    }

    fn append(&mut self, out: &str, src: usize, src_len: usize, constant: bool) {
        let folded = self.text.len() as u32;
        let linear_here = self
            .segments
            .last()
            .is_some_and(|s| !s.constant && s.src as usize + (folded - s.folded) as usize == src);
        if constant || !linear_here {
            self.segments.push(Segment {
                folded,
                src: src as u32,
                constant,
                src_end: (src + src_len) as u32,
            });
        }
        if constant {
            // The next character starts a new segment.
            self.text.push_str(out);
            self.segments.push(Segment {
                folded: self.text.len() as u32,
                src: (src + src_len) as u32,
                constant: false,
                src_end: 0,
            });
        } else {
            self.text.push_str(out);
        }
    }
}

impl<'a> MatchText<'a> {
    pub fn text(&self) -> &'a str {
        self.text
    }

    fn segment(&self, at: usize) -> Option<&Segment> {
        let n = self.segments.partition_point(|s| s.folded as usize <= at);
        self.segments.get(n.checked_sub(1)?)
    }

    fn start(&self, at: usize) -> usize {
        match self.segment(at) {
            None => self.base + at,
            Some(s) if s.constant => s.src as usize,
            Some(s) => s.src as usize + (at - s.folded as usize),
        }
    }

    fn end(&self, at: usize) -> usize {
        if at == 0 {
            return self.start(0);
        }
        match self.segment(at - 1) {
            None => self.base + at,
            Some(s) if s.constant => s.src_end as usize,
            Some(s) => s.src as usize + (at - s.folded as usize),
        }
    }

    /// The source span of a span of the match text.
    pub fn source_span(&self, span: Span) -> Span {
        let start = self.start(span.start);
        start..self.end(span.end).max(start)
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
