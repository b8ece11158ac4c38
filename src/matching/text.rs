//! The text the automaton reads for one sentence: the source slice itself
//! when folding would not change it, else its folded form
//! (`crate::fold::fold_range`, or the same text and offsets built here when
//! the sentence is ASCII with typographic quotes, dashes and ellipses only),
//! with every whitespace run collapsed to one space when it has any, and the
//! map of its offsets back to the source.

use super::blocks::plain_and_spaces;
#[cfg(all(test, target_arch = "x86_64"))]
use super::blocks::plain_single_spaced;
#[cfg(target_arch = "x86_64")]
use super::blocks::plain_single_spaced_with;
use super::blocks::Wide;
use crate::fold::{fold_range, Folded};
use crate::types::Span;
use memchr::memmem::Finder;
use std::sync::LazyLock;

/// Buffers reused from one sentence to the next.
#[derive(Debug)]
pub struct Scratch {
    folded: Folded,
    quick: QuickFold,
    collapsed: String,
    /// For each byte of `collapsed`, its offset in the folded text.
    to_folded: Vec<u32>,
    /// Whether the plain text test runs with AVX2 (see `blocks::Wide`).
    wide: Option<Wide>,
}

impl Default for Scratch {
    fn default() -> Scratch {
        Scratch {
            folded: Folded::default(),
            quick: QuickFold::default(),
            collapsed: String::new(),
            to_folded: Vec::new(),
            wide: Wide::detect(),
        }
    }
}

/// One sentence's match text and its map to source offsets.
#[derive(Debug, Clone, Copy)]
pub enum MatchText<'a> {
    /// The source slice itself, at `base`.
    Source { text: &'a str, base: usize },
    /// The folded slice.
    Folded { folded: FoldedText<'a> },
    /// The folded slice with whitespace runs collapsed.
    Collapsed {
        folded: FoldedText<'a>,
        text: &'a str,
        to_folded: &'a [u32],
    },
}

/// A folded slice: by `fold_range`, or by `QuickFold`, which gives the same
/// text and source spans.
#[derive(Debug, Clone, Copy)]
pub enum FoldedText<'a> {
    Full(&'a Folded),
    Quick(&'a QuickFold),
}

impl<'a> FoldedText<'a> {
    fn text(self) -> &'a str {
        match self {
            FoldedText::Full(folded) => folded.text(),
            FoldedText::Quick(quick) => &quick.text,
        }
    }

    fn source_span(self, span: Span) -> Span {
        match self {
            FoldedText::Full(folded) => folded.source_span(span),
            FoldedText::Quick(quick) => quick.source_span(span),
        }
    }
}

/// `fold_range` of a slice made of ASCII and the typographic characters in
/// `quick_fold_char` only, built without its general machinery: for such a
/// slice folding keeps every ASCII byte but a tab (a space) and a backquote
/// (`'`), and replaces each typographic character as a whole; no
/// Windows-1252 repair, composition or combining mark can apply, as none of
/// these characters is a lead byte in Windows-1252, decomposes or combines.
#[derive(Debug, Default)]
pub struct QuickFold {
    text: String,
    /// Each replaced character: its folded offset and length, its source
    /// offset and length, in text order.
    replaced: Vec<Replaced>,
    /// The source offset of the slice.
    base: usize,
    /// The source offset of the end of the slice.
    source_end: usize,
}

#[derive(Debug, Clone, Copy)]
struct Replaced {
    folded: usize,
    folded_len: usize,
    source: usize,
    source_len: usize,
}

/// What `crate::fold::fold_char` folds a typographic character to, for the
/// characters `QuickFold` handles.
fn quick_fold_char(c: char) -> Option<&'static str> {
    match c {
        '\u{2018}' | '\u{2019}' => Some("'"),
        '\u{201C}' | '\u{201D}' => Some("\""),
        '\u{2013}' | '\u{2014}' => Some("-"),
        '\u{2026}' => Some("..."),
        _ => None,
    }
}

impl QuickFold {
    /// Folds `src[span]` if it holds only what `QuickFold` handles.
    fn fold(&mut self, src: &str, span: Span) -> bool {
        // (An empty slice goes to `fold_range`, whose map of it is odd.)
        let Some(slice) = src.get(span.clone()).filter(|s| !s.is_empty()) else {
            return false;
        };
        self.text.clear();
        // The folded slice is no longer than the slice.
        self.text.reserve(slice.len());
        self.replaced.clear();
        self.base = span.start;
        self.source_end = span.end;
        let bytes = slice.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            let run = at + plain_run(bytes.get(at..).unwrap_or_default());
            self.text.push_str(slice.get(at..run).unwrap_or(""));
            at = run;
            let Some(&byte) = bytes.get(at) else {
                break;
            };
            match byte {
                b'\t' => self.text.push(' '),
                b'`' => self.text.push('\''),
                0x80.. => {
                    let Some(c) = slice.get(at..).and_then(|rest| rest.chars().next()) else {
                        return false;
                    };
                    let Some(folded) = quick_fold_char(c) else {
                        return false;
                    };
                    self.replaced.push(Replaced {
                        folded: self.text.len(),
                        folded_len: folded.len(),
                        source: span.start + at,
                        source_len: c.len_utf8(),
                    });
                    self.text.push_str(folded);
                    at += c.len_utf8();
                    continue;
                }
                _ => return false,
            }
            at += 1;
        }
        true
    }

    /// As `Folded::to_source`, and whether `folded` lies in a replaced
    /// character (whose source range ends at the second number then).
    fn locate(&self, folded: usize) -> (usize, Option<usize>) {
        let before = self.replaced.partition_point(|r| r.folded <= folded);
        match before.checked_sub(1).and_then(|i| self.replaced.get(i)) {
            Some(r) if folded < r.folded + r.folded_len => {
                (r.source, Some(r.source + r.source_len))
            }
            Some(r) => (
                r.source + r.source_len + (folded - r.folded - r.folded_len),
                None,
            ),
            None => (self.base + folded, None),
        }
    }

    /// As `Folded::source_span`.
    fn source_span(&self, span: Span) -> Span {
        let len = self.text.len();
        let start = if span.start >= len {
            self.source_end
        } else {
            self.locate(span.start).0
        };
        if span.end <= span.start || span.end == 0 {
            return start..start;
        }
        let end = if len == 0 {
            self.source_end
        } else {
            match self.locate(span.end.min(len) - 1) {
                (_, Some(char_end)) => char_end,
                (last, None) => last + 1,
            }
        };
        start..end.max(start)
    }
}

/// `crate::fold::plain_run` (the length of the run of bytes at the start of
/// `bytes` that fold to themselves: printable ASCII but the backquote, and
/// line feeds), 16 bytes at a time (see `blocks::plain_and_spaces`), the
/// last few bytes in a chunk padded with a byte that does not fold to itself.
fn plain_run(bytes: &[u8]) -> usize {
    let others = |chunk: &[u8; 16]| {
        let (plain, _, line_feeds) = plain_and_spaces(chunk);
        !(plain | line_feeds)
    };
    let mut chunks = bytes.chunks_exact(16);
    let mut run = 0;
    for chunk in &mut chunks {
        let Some(chunk) = chunk.first_chunk() else {
            break;
        };
        let others = others(chunk);
        if others != 0 {
            return run + others.trailing_zeros() as usize;
        }
        run += 16;
    }
    let rest = chunks.remainder();
    let mut padded = [0u8; 16];
    if let Some(head) = padded.get_mut(..rest.len()) {
        head.copy_from_slice(rest);
    }
    // A NUL does not fold to itself, so the run stops at the end at the latest.
    run + (others(&padded).trailing_zeros() as usize).min(rest.len())
}

/// Whether every byte of `bytes` stays as it is in match text (printable
/// ASCII but the backquote) and no two spaces follow each other: tested 16
/// bytes at a time (see `blocks::plain_and_spaces`) with no early exit, so
/// that most sentences, which pass, take no branch but the loop's. On x86_64
/// `blocks::plain_single_spaced` does it with fewer steps.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn plain_single_spaced_by_chunks(bytes: &[u8]) -> bool {
    let mut bad = 0u16;
    // Bit 0 when the byte before the chunk is a space.
    let mut space_before = 0u16;
    for_each_chunk16(bytes, |chunk| {
        let (plain, spaces, _) = plain_and_spaces(chunk);
        bad |= !plain | (spaces & ((spaces << 1) | space_before));
        space_before = spaces >> 15;
    });
    bad == 0
}

/// Calls `test` on each 16-byte chunk of `bytes`, the last one padded with
/// `x`, a plain byte that is no whitespace.
#[inline(always)]
fn for_each_chunk16(bytes: &[u8], mut test: impl FnMut(&[u8; 16])) {
    let mut chunks = bytes.chunks_exact(16);
    for chunk in &mut chunks {
        if let Some(chunk) = chunk.first_chunk() {
            test(chunk);
        }
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut padded = [b'x'; 16];
        if let Some(head) = padded.get_mut(..rest.len()) {
            head.copy_from_slice(rest);
        }
        test(&padded);
    }
}

/// Whether `bytes` has a line feed, tab or carriage return, or two spaces
/// in a row: whitespace that match text collapses.
fn has_whitespace_run(bytes: &[u8]) -> bool {
    static TWO_SPACES: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"  "));
    memchr::memchr3(b'\n', b'\t', b'\r', bytes).is_some() || TWO_SPACES.find(bytes).is_some()
}

/// Whether `bytes` has a line feed or two spaces in a row, tested 16 bytes
/// at a time (see `blocks::plain_and_spaces`): `has_whitespace_run` for
/// text with no tab or carriage return.
fn line_feed_or_two_spaces(bytes: &[u8]) -> bool {
    let mut found = 0u16;
    // Bit 0 when the byte before the chunk is a space.
    let mut space_before = 0u16;
    for_each_chunk16(bytes, |chunk| {
        let (_, spaces, line_feeds) = plain_and_spaces(chunk);
        found |= line_feeds | (spaces & ((spaces << 1) | space_before));
        space_before = spaces >> 15;
    });
    found != 0
}

impl Scratch {
    /// The match text of `src[span]` (empty if the span is not on character
    /// boundaries of `src`).
    pub fn prepare<'a>(&'a mut self, src: &'a str, span: Span) -> MatchText<'a> {
        let Some(slice) = src.get(span.clone()) else {
            return MatchText::Source { text: "", base: 0 };
        };
        #[cfg(target_arch = "x86_64")]
        let plain = plain_single_spaced_with(self.wide, slice.as_bytes());
        #[cfg(not(target_arch = "x86_64"))]
        let plain = {
            let _ = self.wide;
            plain_single_spaced_by_chunks(slice.as_bytes())
        };
        if plain {
            return MatchText::Source {
                text: slice,
                base: span.start,
            };
        }
        let folded = if self.quick.fold(src, span.clone()) {
            FoldedText::Quick(&self.quick)
        } else {
            self.folded = fold_range(src, span);
            FoldedText::Full(&self.folded)
        };
        let text = folded.text();
        let runs = match folded {
            // Quick folding leaves no tab or carriage return.
            FoldedText::Quick(_) => line_feed_or_two_spaces(text.as_bytes()),
            FoldedText::Full(_) => has_whitespace_run(text.as_bytes()),
        };
        if !runs {
            return MatchText::Folded { folded };
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
            folded,
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

    /// Whether an ASCII byte stays as it is in match text (a line break
    /// does not: it becomes a space).
    fn plain(byte: u8) -> bool {
        (b' '..=b'~').contains(&byte) && byte != b'`'
    }

    proptest::proptest! {
        #[test]
        fn the_plain_run_is_the_fold_plain_run(
            text in "(The quick brown fox jumped| |a|~|\n|`|\t|\r|\u{7f}|\u{e9}|\u{2019}){0,20}"
        ) {
            let bytes = text.as_bytes();
            for at in 0..bytes.len() {
                proptest::prop_assert_eq!(plain_run(&bytes[at..]), crate::fold::plain_run(&bytes[at..]));
            }
        }

        #[test]
        fn line_feeds_and_two_spaces_are_found_as_the_searches_find_them(
            text in "[ a\n\u{e9}]{0,80}",
        ) {
            proptest::prop_assert_eq!(
                line_feed_or_two_spaces(text.as_bytes()),
                has_whitespace_run(text.as_bytes())
            );
        }

        #[test]
        fn the_sixteen_byte_test_is_the_byte_test(text in "[ a`~\t\n\u{7f}\u{e9}\u{2019}]{0,80}") {
            let bytes = text.as_bytes();
            let expected = bytes.iter().all(|&b| plain(b)) && !text.contains("  ");
            proptest::prop_assert_eq!(plain_single_spaced_by_chunks(bytes), expected);
            #[cfg(target_arch = "x86_64")]
            proptest::prop_assert_eq!(plain_single_spaced(bytes), expected);
            #[cfg(target_arch = "x86_64")]
            proptest::prop_assert_eq!(plain_single_spaced_with(Wide::detect(), bytes), expected);
        }
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

    #[test]
    fn quick_folding_is_fold_range() {
        let sources = [
            "He said \u{201C}the U.S.\u{201D} would\u{2014}or not\u{2026}",
            "Ankara\u{2019}s \u{2018}plan\u{2019} \u{2013} x\ty `z`\n\nnext  line",
            "\u{2026}\u{2026}",
            "plain text",
        ];
        for src in sources {
            for (from, to) in [(0, src.len()), (1.min(src.len()), src.len())] {
                if !src.is_char_boundary(from) {
                    continue;
                }
                let mut quick = QuickFold::default();
                assert!(quick.fold(src, from..to), "{src:?}");
                let full = fold_range(src, from..to);
                assert_eq!(quick.text, full.text());
                let len = full.text().len();
                for start in 0..=len + 1 {
                    for end in 0..=len + 1 {
                        assert_eq!(
                            quick.source_span(start..end),
                            full.source_span(start..end),
                            "{src:?} {start}..{end}"
                        );
                    }
                }
            }
        }
        // Anything else goes to `fold_range`.
        for other in [
            "",
            "caf\u{e9}",
            "a\r\nb",
            "\u{e2}\u{20ac}\u{2122}",
            "x\u{00AD}y",
            "\u{7}",
        ] {
            assert!(
                !QuickFold::default().fold(other, 0..other.len()),
                "{other:?}"
            );
        }
    }
}
