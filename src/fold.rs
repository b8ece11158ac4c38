//! Folding: a matching-and-scoring form of a source slice with a byte-offset
//! map back to the source, so every span found in folded text carries source
//! offsets. Folding repairs UTF-8 read as Windows-1252 (`â€™` → `'`),
//! composes to Unicode NFC, turns curly quotes and primes into ASCII quotes,
//! dashes into `-`, Unicode spaces into ` `, CR and CRLF into `\n`, and
//! removes soft hyphens, zero-width and format characters, the BOM and
//! control characters.

use crate::types::Span;
use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// One piece of the folded text and where it came from. A `verbatim` piece
/// maps byte for byte onto the source; any other piece maps as a whole onto
/// its source range.
#[derive(Debug, Clone, Copy)]
struct Piece {
    folded: u32,
    source: u32,
    source_len: u32,
    verbatim: bool,
}

/// Folded text and the map of its pieces back to the source.
#[derive(Debug, Clone, Default)]
pub struct Folded {
    text: String,
    /// Pieces in folded order; they tile `text` without gaps.
    pieces: Vec<Piece>,
    /// Source offset of the end of the folded range.
    source_end: usize,
}

impl Folded {
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The piece holding folded byte `folded` (`folded < text.len()`).
    fn piece_at(&self, folded: usize) -> Option<&Piece> {
        let after = self.pieces.partition_point(|p| p.folded as usize <= folded);
        self.pieces.get(after.checked_sub(1)?)
    }

    /// The source offset of a folded byte offset (`text().len()` maps to the
    /// end of the folded source range). Offsets inside a replaced character
    /// map to that character's source start.
    pub fn to_source(&self, folded: usize) -> usize {
        if folded >= self.text.len() {
            return self.source_end;
        }
        match self.piece_at(folded) {
            Some(p) if p.verbatim => (p.source + (folded as u32 - p.folded)) as usize,
            Some(p) => p.source as usize,
            None => self.source_end,
        }
    }

    /// The source span of a folded span; the end maps past the last source
    /// character that contributed to the span.
    pub fn source_span(&self, folded: Span) -> Span {
        let start = self.to_source(folded.start);
        if folded.end <= folded.start || folded.end == 0 {
            return start..start;
        }
        let last = folded.end.min(self.text.len()).saturating_sub(1);
        let end = match self.piece_at(last) {
            Some(p) if p.verbatim => (p.source + (last as u32 + 1 - p.folded)) as usize,
            Some(p) => (p.source + p.source_len) as usize,
            None => self.source_end,
        };
        start..end.max(start)
    }
}

/// Builds a [`Folded`] piece by piece.
struct Builder<'f> {
    out: &'f mut Folded,
}

impl Builder<'_> {
    /// Appends `text`, which maps byte for byte onto the source at `source`
    /// (the source itself, or one-byte characters replaced by one-byte ones).
    fn verbatim(&mut self, source: usize, text: &str) {
        let folded = self.out.text.len() as u32;
        let source = source as u32;
        let len = text.len() as u32;
        match self.out.pieces.last_mut() {
            Some(p) if p.verbatim && p.source + p.source_len == source => p.source_len += len,
            _ => self.out.pieces.push(Piece {
                folded,
                source,
                source_len: len,
                verbatim: true,
            }),
        }
        self.out.text.push_str(text);
    }

    /// Appends `text`, which replaces `source_len` source bytes at `source`.
    fn replace(&mut self, source: usize, source_len: usize, text: &str) {
        if text.is_empty() {
            return;
        }
        if text.len() == 1 && source_len == 1 {
            self.verbatim(source, text);
            return;
        }
        self.out.pieces.push(Piece {
            folded: self.out.text.len() as u32,
            source: source as u32,
            source_len: source_len as u32,
            verbatim: false,
        });
        self.out.text.push_str(text);
    }
}

/// What a source character folds to, when it changes.
pub fn fold_char(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{2035}'
        | '\u{02BC}' | '\u{0060}' | '\u{00B4}' | '\u{2039}' | '\u{203A}' | '\u{FF07}' => "'",
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{2036}'
        | '\u{00AB}' | '\u{00BB}' | '\u{FF02}' | '\u{301D}' | '\u{301E}' => "\"",
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' | '\u{2E3A}' | '\u{2E3B}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}'
        | '\u{2043}' => "-",
        '\u{2026}' => "...",
        '\r' | '\u{0085}' | '\u{2028}' | '\u{2029}' => "\n",
        '\u{00AD}'
        | '\u{034F}'
        | '\u{061C}'
        | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}'
        | '\u{FE00}'..='\u{FE0F}' => "",
        '\n' => return None,
        c if c.is_control() && c != '\t' => "",
        c if c.is_whitespace() => " ",
        _ => return None,
    })
}

/// Whether a character is invisible in print (removed by folding): format
/// and zero-width characters, the BOM, soft hyphens, control characters.
pub fn is_invisible(c: char) -> bool {
    c != '\n' && c != '\t' && c != '\r' && fold_char(c) == Some("")
}

/// The Windows-1252 byte a character decodes from, if any (C1 controls stand
/// for the bytes Windows-1252 leaves undefined).
fn cp1252_byte(c: char) -> Option<u8> {
    let b = match c {
        '\u{0080}'..='\u{00FF}' => c as u32 as u8,
        '\u{20AC}' => 0x80,
        '\u{201A}' => 0x82,
        '\u{0192}' => 0x83,
        '\u{201E}' => 0x84,
        '\u{2026}' => 0x85,
        '\u{2020}' => 0x86,
        '\u{2021}' => 0x87,
        '\u{02C6}' => 0x88,
        '\u{2030}' => 0x89,
        '\u{0160}' => 0x8A,
        '\u{2039}' => 0x8B,
        '\u{0152}' => 0x8C,
        '\u{017D}' => 0x8E,
        '\u{2018}' => 0x91,
        '\u{2019}' => 0x92,
        '\u{201C}' => 0x93,
        '\u{201D}' => 0x94,
        '\u{2022}' => 0x95,
        '\u{2013}' => 0x96,
        '\u{2014}' => 0x97,
        '\u{02DC}' => 0x98,
        '\u{2122}' => 0x99,
        '\u{0161}' => 0x9A,
        '\u{203A}' => 0x9B,
        '\u{0153}' => 0x9C,
        '\u{017E}' => 0x9E,
        '\u{0178}' => 0x9F,
        _ => return None,
    };
    Some(b)
}

/// Repairs UTF-8 that was read as Windows-1252 at the start of `s`: the
/// characters are re-encoded as Windows-1252 bytes, and when those bytes form
/// one valid multi-byte UTF-8 character, returns it with the source length.
fn mojibake_at(s: &str) -> Option<(char, usize)> {
    let mut chars = s.char_indices();
    let (_, first) = chars.next()?;
    let lead = cp1252_byte(first)?;
    let width = match lead {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return None,
    };
    let mut bytes = [lead, 0, 0, 0];
    for slot in bytes.iter_mut().take(width).skip(1) {
        let (_, c) = chars.next()?;
        let b = cp1252_byte(c)?;
        if !(0x80..=0xBF).contains(&b) {
            return None;
        }
        *slot = b;
    }
    let decoded = std::str::from_utf8(&bytes[..width]).ok()?.chars().next()?;
    let source_len = chars.next().map_or(s.len(), |(i, _)| i);
    Some((decoded, source_len))
}

/// Appends the folded form of `c`, which replaces `source_len` bytes.
fn push_folded(out: &mut Builder, at: usize, source_len: usize, c: char) {
    match fold_char(c) {
        Some(rep) => out.replace(at, source_len, rep),
        None => {
            let mut buf = [0u8; 4];
            out.replace(at, source_len, c.encode_utf8(&mut buf));
        }
    }
}

/// Whether `s` starts with a combining mark. None lies below U+0300, whose
/// characters open with a byte below 0xCC: most are told on that byte.
fn starts_with_combining(s: &str) -> bool {
    s.as_bytes().first().is_some_and(|&b| b >= 0xCC)
        && s.chars()
            .next()
            .is_some_and(|c| canonical_combining_class(c) != 0)
}

/// Folds the character at the start of `rest` (at source offset `at`) with
/// the combining marks after it; returns the source bytes consumed.
fn fold_cluster(out: &mut Builder, at: usize, rest: &str) -> usize {
    let Some(c) = rest.chars().next() else {
        return rest.len().max(1);
    };
    if let Some((repaired, len)) = mojibake_at(rest) {
        push_folded(out, at, len, repaired);
        return len;
    }
    let mut cluster_len = c.len_utf8();
    for m in rest[cluster_len..].chars() {
        if canonical_combining_class(m) == 0 {
            break;
        }
        cluster_len += m.len_utf8();
    }
    let cluster = &rest[..cluster_len];
    if cluster_len > c.len_utf8() || is_nfc_quick(std::iter::once(c)) != IsNormalized::Yes {
        let composed: String = cluster.nfc().collect();
        if composed != cluster {
            let folded: String = composed
                .chars()
                .map(|c| fold_char(c).map_or_else(|| c.to_string(), str::to_string))
                .collect();
            out.replace(at, cluster_len, &folded);
            return cluster_len;
        }
    }
    match fold_char(c) {
        Some(rep) => out.replace(at, c.len_utf8(), rep),
        None => out.verbatim(at, &rest[..c.len_utf8()]),
    }
    c.len_utf8()
}

/// Whether an ASCII byte folds to itself.
fn plain_ascii(b: u8) -> bool {
    // Written without short-circuits so that runs of bytes vectorize.
    ((b.wrapping_sub(b' ') <= b'~' - b' ') & (b != b'`')) | (b == b'\n')
}

/// Whether every byte of `bytes` folds to itself, tested without early
/// exit, which vectorizes.
#[inline(always)]
fn all_plain(bytes: &[u8]) -> bool {
    bytes.iter().fold(true, |all, &b| all & plain_ascii(b))
}

/// The high bit of each byte of `word` (eight bytes, the first lowest) that
/// does not fold to itself, as `plain_ascii` has it.
#[inline(always)]
fn others_in_word(word: u64) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const ONES: u64 = 0x0101_0101_0101_0101;
    // Each byte's low seven bits: adding at most 0x7F keeps each sum in
    // its byte.
    let ascii = word & LOW7;
    let at_least_space = ascii + ONES * (0x80 - u64::from(b' '));
    let delete = ascii + ONES;
    let not_backquote = (ascii ^ (ONES * u64::from(b'`'))) + LOW7;
    let not_line_feed = (ascii ^ (ONES * u64::from(b'\n'))) + LOW7;
    let printable = at_least_space & !delete & not_backquote;
    let plain = (printable | !not_line_feed) & !word;
    !plain & HIGH
}

/// The index of the first byte of `bytes` (at most 16) that does not fold
/// to itself, or `bytes.len()`: eight bytes at a time.
#[inline(always)]
fn first_other(bytes: &[u8]) -> usize {
    let mut at = 0;
    while let Some(word) = bytes.get(at..).and_then(<[u8]>::first_chunk::<8>) {
        let others = others_in_word(u64::from_le_bytes(*word));
        if others != 0 {
            return at + (others.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    let tail = bytes.get(at..).unwrap_or_default();
    // The last eight bytes, shifted so that the tail's come first and zero
    // bytes (which do not fold to themselves) after them.
    let last = bytes
        .len()
        .checked_sub(8)
        .and_then(|from| bytes.get(from..))
        .and_then(<[u8]>::first_chunk::<8>);
    match last {
        Some(last) if !tail.is_empty() => {
            let word = u64::from_le_bytes(*last) >> (8 * (8 - tail.len()));
            at + ((others_in_word(word).trailing_zeros() / 8) as usize).min(tail.len())
        }
        _ => {
            at + tail
                .iter()
                .position(|&b| !plain_ascii(b))
                .unwrap_or(tail.len())
        }
    }
}

/// The length of the run of bytes that fold to themselves at the start of
/// `bytes`: tested 64, then 16 at a time without early exit, which
/// vectorizes, then eight at a time in the chunk that ends the run.
pub(crate) fn plain_run(bytes: &[u8]) -> usize {
    let mut run = 0;
    for block in bytes.chunks_exact(64) {
        if !all_plain(block) {
            break;
        }
        run += 64;
    }
    let rest = bytes.get(run..).unwrap_or_default();
    for chunk in rest.chunks_exact(16) {
        if !all_plain(chunk) {
            return run + first_other(chunk);
        }
        run += 16;
    }
    run + first_other(bytes.get(run..).unwrap_or_default())
}

/// The folded form and source length of the character at the start of
/// `rest` when it is one of the common typographic characters (curly quotes,
/// en and em dashes, the ellipsis, the no-break space) and no combining mark
/// follows it. For these `fold_cluster` comes to the same: none is a
/// Windows-1252 lead byte (so no repair starts at it), each is NFC on its own,
/// and each folds as `fold_char` has it.
fn quick_typographic(rest: &[u8]) -> Option<(&'static str, usize)> {
    let (folded, len) = match rest {
        [0xE2, 0x80, 0x98 | 0x99, ..] => ("'", 3),
        [0xE2, 0x80, 0x9C | 0x9D, ..] => ("\"", 3),
        [0xE2, 0x80, 0x93 | 0x94, ..] => ("-", 3),
        [0xE2, 0x80, 0xA6, ..] => ("...", 3),
        [0xC2, 0xA0, ..] => (" ", 2),
        _ => return None,
    };
    match rest.get(len) {
        None => Some((folded, len)),
        Some(&next) if next < 0x80 => Some((folded, len)),
        // A combining mark after it goes through `fold_cluster`.
        Some(_) => None,
    }
}

/// Folds `src[range]`; offsets in the result map back into `src`. A range
/// that is out of bounds or off character boundaries folds to empty text.
pub fn fold_range(src: &str, range: Span) -> Folded {
    let Some(slice) = src.get(range.clone()) else {
        let mut out = Folded::default();
        fold_range_into(&mut out, src, range);
        return out;
    };
    let plain = plain_run(slice.as_bytes());
    if plain == slice.len() {
        // Folds to itself: one verbatim piece.
        return Folded {
            text: slice.to_string(),
            pieces: vec![Piece {
                folded: 0,
                source: range.start as u32,
                source_len: slice.len() as u32,
                verbatim: true,
            }],
            source_end: range.end,
        };
    }
    let mut out = Folded {
        text: String::with_capacity(slice.len()),
        ..Folded::default()
    };
    fold_range_with::<true>(&mut out, src, range, Some(plain));
    out
}

/// [`fold_range`] into `out`, whose buffers are reused from one call to the
/// next.
pub fn fold_range_into(out: &mut Folded, src: &str, range: Span) {
    fold_range_with::<true>(out, src, range, None);
}

/// [`fold_range_into`] when the caller already knows `plain_run` of the
/// slice (`plain_prefix`), which is not scanned again.
pub(crate) fn fold_range_after_plain(
    out: &mut Folded,
    src: &str,
    range: Span,
    plain_prefix: usize,
) {
    fold_range_with::<true>(out, src, range, Some(plain_prefix));
}

/// [`fold_range_into`]; `QUICK` lets the common typographic characters skip
/// the general cluster machinery (`false` only to test that it changes
/// nothing).
fn fold_range_with<const QUICK: bool>(
    folded: &mut Folded,
    src: &str,
    range: Span,
    plain_prefix: Option<usize>,
) {
    folded.text.clear();
    folded.pieces.clear();
    let Some(slice) = src.get(range.clone()) else {
        folded.source_end = range.start.min(src.len());
        return;
    };
    folded.source_end = range.end;
    folded.text.reserve(slice.len());
    let base = range.start;
    let bytes = slice.as_bytes();
    let mut out = Builder { out: folded };
    if bytes.is_empty() {
        // The map of an empty slice has one empty piece.
        out.verbatim(base, slice);
        return;
    }
    let mut known_run = plain_prefix;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let known = known_run.take();
        if b < 0x80 {
            let mut run = known.unwrap_or_else(|| plain_run(&bytes[i..]));
            // The last letter before a combining mark composes with it.
            if run > 0 && starts_with_combining(&slice[i + run..]) {
                run -= 1;
            }
            if run > 0 {
                out.verbatim(base + i, &slice[i..i + run]);
                i += run;
                continue;
            }
            if plain_ascii(b) {
                i += fold_cluster(&mut out, base + i, &slice[i..]);
                continue;
            }
            match b {
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {}
                b'\r' => out.verbatim(base + i, "\n"),
                b'\t' => out.verbatim(base + i, " "),
                b'`' => out.verbatim(base + i, "'"),
                _ => {} // other control characters are removed
            }
            i += 1;
            continue;
        }
        if QUICK {
            if let Some((rep, len)) = quick_typographic(&bytes[i..]) {
                out.replace(base + i, len, rep);
                i += len;
                continue;
            }
        }
        i += fold_cluster(&mut out, base + i, &slice[i..]);
    }
}

/// Folds a whole source text.
pub fn fold(src: &str) -> Folded {
    fold_range(src, 0..src.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(src: &str, needle: &str) -> String {
        let f = fold(src);
        let at = f.text().find(needle).expect("needle in folded text");
        src[f.source_span(at..at + needle.len())].to_string()
    }

    #[test]
    fn folds_quotes_and_maps_back() {
        let src = "Ankara\u{2019}s \u{201C}plan\u{201D}";
        let f = fold(src);
        assert_eq!(f.text(), "Ankara's \"plan\"");
        assert_eq!(round_trip(src, "plan"), "plan");
        let q = f.text().rfind('"').unwrap();
        assert_eq!(&src[f.source_span(q..q + 1)], "\u{201D}");
        assert_eq!(round_trip(src, "'s"), "\u{2019}s");
    }

    #[test]
    fn range_offsets_are_absolute() {
        let src = "ab \u{2013} cd";
        let f = fold_range(src, 3..src.len());
        assert_eq!(f.text(), "- cd");
        assert_eq!(&src[f.source_span(2..4)], "cd");
    }

    #[test]
    fn no_character_below_u0300_combines() {
        for c in (0..0x300).filter_map(char::from_u32) {
            assert_eq!(canonical_combining_class(c), 0, "{c:?}");
            assert!(!starts_with_combining(c.encode_utf8(&mut [0; 4])));
        }
        assert!(starts_with_combining("\u{0301}a"));
        assert!(starts_with_combining("\u{20D7}"));
    }

    #[test]
    fn plain_ascii_maps_one_to_one() {
        let src = "The US said so.";
        let f = fold_range(src, 4..src.len());
        assert_eq!(f.text(), "US said so.");
        assert_eq!(f.to_source(0), 4);
        assert_eq!(f.source_span(3..7), 7..11);
        assert_eq!(f.to_source(f.text().len()), src.len());
    }

    #[test]
    fn repairs_mojibake_generally() {
        let src = "Washington\u{e2}\u{20ac}\u{2122}s \u{e2}\u{20ac}\u{0153}plan\u{e2}\u{20ac}\u{009d} caf\u{c3}\u{a9} \u{c2}\u{a0}x";
        let f = fold(src);
        assert_eq!(f.text(), "Washington's \"plan\" café  x");
        assert_eq!(round_trip(src, "'s"), "\u{e2}\u{20ac}\u{2122}s");
        assert_eq!(round_trip(src, "café"), "caf\u{c3}\u{a9}");
        // Real Latin-1 text is left alone.
        assert_eq!(fold("São Paulo, Ã").text(), "São Paulo, Ã");
    }

    #[test]
    fn composes_nfc_and_maps_whole_cluster() {
        let src = "Erdog\u{0306}an said";
        let f = fold(src);
        assert_eq!(f.text(), "Erdo\u{011F}an said");
        assert_eq!(round_trip(src, "Erdo\u{011F}an"), "Erdog\u{0306}an");
        assert_eq!(round_trip(src, "said"), "said");
        assert_eq!(fold("\u{212B}").text(), "\u{00C5}");
    }

    #[test]
    fn removes_invisibles_and_folds_spaces_and_line_ends() {
        let src = "\u{FEFF}Kab\u{00AD}ul\u{200B} is\u{00A0}here\r\nnext\rline\u{0007}\tend";
        let f = fold(src);
        assert_eq!(f.text(), "Kabul is here\nnext\nline end");
        assert_eq!(round_trip(src, "Kabul"), "Kab\u{00AD}ul");
        assert_eq!(round_trip(src, "next"), "next");
        assert_eq!(round_trip(src, "end"), "end");
    }

    #[test]
    fn ellipsis_and_dash_map_to_whole_source_char() {
        let src = "wait\u{2026} now \u{2014} go";
        let f = fold(src);
        assert_eq!(f.text(), "wait... now - go");
        assert_eq!(&src[f.source_span(4..5)], "\u{2026}");
        assert_eq!(&src[f.source_span(5..7)], "\u{2026}");
        assert_eq!(round_trip(src, "- go"), "\u{2014} go");
    }

    /// Pieces as plain tuples, to compare two maps.
    fn pieces(folded: &Folded) -> Vec<(u32, u32, u32, bool)> {
        folded
            .pieces
            .iter()
            .map(|p| (p.folded, p.source, p.source_len, p.verbatim))
            .collect()
    }

    #[test]
    fn quick_characters_fold_as_the_general_path_does() {
        let src = "\u{2018}a\u{2019} \u{201C}b\u{201D}\u{2013}\u{2014}\u{2026}\u{a0}x\u{2019}\u{301}\u{2019}";
        let mut general = Folded::default();
        fold_range_with::<false>(&mut general, src, 0..src.len(), None);
        let quick = fold(src);
        assert_eq!(quick.text(), "'a' \"b\"--... x'\u{301}'");
        assert_eq!(quick.text(), general.text());
        assert_eq!(pieces(&quick), pieces(&general));
    }

    #[test]
    fn buffers_are_reused_without_leftovers() {
        let src = "caf\u{e9}\u{2019}s \u{201C}long\u{201D} text, and more";
        let mut out = Folded::default();
        fold_range_into(&mut out, src, 0..src.len());
        fold_range_into(&mut out, src, 8..12);
        let fresh = fold_range(src, 8..12);
        assert_eq!(out.text(), fresh.text());
        assert_eq!(pieces(&out), pieces(&fresh));
        assert_eq!(out.source_end, fresh.source_end);
    }

    proptest::proptest! {
        #[test]
        fn plain_run_is_the_first_byte_that_does_not_fold_to_itself(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    4 => proptest::sample::select(b"ab Z.\n,'".to_vec()),
                    1 => proptest::num::u8::ANY,
                ],
                0..200,
            ),
        ) {
            let expected = bytes.iter().position(|&b| !plain_ascii(b)).unwrap_or(bytes.len());
            proptest::prop_assert_eq!(plain_run(&bytes), expected);
        }

        #[test]
        fn quick_path_matches_general_path(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "a", "Z", " ", ".", "`", "\t", "\r", "\n", "\r\n", "\u{7}",
                "\u{2018}", "\u{2019}", "\u{201C}", "\u{201D}", "\u{2013}", "\u{2014}",
                "\u{2026}", "\u{a0}", "\u{301}", "\u{308}", "\u{e9}", "\u{e2}", "\u{20ac}",
                "\u{2122}", "\u{e2}\u{20ac}\u{2122}", "\u{e2}\u{20ac}\u{201C}", "\u{c3}\u{a9}",
                "\u{c2}\u{a0}", "\u{ad}", "\u{200b}", "\u{feff}", "\u{212b}",
            ]), 0..24),
            from in 0usize..80,
            len in 0usize..80,
            plain_known in proptest::bool::ANY,
        ) {
            let src: String = parts.concat();
            let start = from.min(src.len());
            let end = (start + len).min(src.len() + 2);
            let mut general = Folded::default();
            fold_range_with::<false>(&mut general, &src, start..end, None);
            let mut quick = Folded::default();
            if plain_known {
                let prefix = src.get(start..end).map_or(0, |s| plain_run(s.as_bytes()));
                fold_range_after_plain(&mut quick, &src, start..end, prefix);
            } else {
                fold_range_into(&mut quick, &src, start..end);
            }
            proptest::prop_assert_eq!(quick.text(), general.text());
            proptest::prop_assert_eq!(pieces(&quick), pieces(&general));
            proptest::prop_assert_eq!(quick.source_end, general.source_end);
            let fresh = fold_range(&src, start..end);
            proptest::prop_assert_eq!(fresh.text(), general.text());
            proptest::prop_assert_eq!(pieces(&fresh), pieces(&general));
            proptest::prop_assert_eq!(fresh.source_end, general.source_end);
        }
    }

    #[test]
    fn bad_range_folds_to_nothing() {
        let src = "é";
        assert_eq!(fold_range(src, 1..2).text(), "");
        assert_eq!(fold_range(src, 0..9).text(), "");
        #[allow(clippy::reversed_empty_ranges)]
        let reversed = fold_range(src, 2..0);
        assert_eq!((reversed.text(), reversed.source_end), ("", 2));
    }
}
