//! Segment: splits the kept lines of a document into sentence units
//! (ANNOTATION.md §2) and returns their trimmed source spans, in order.
//!
//! Lines are first grouped into blocks: every line break ends a unit except
//! a single break inside a sentence (the line has four words or more, no
//! final punctuation, and the next line starts in lower case). Inside a
//! block a unit ends at `.`, `?`, `!` or a four-dot ellipsis (with the
//! closing quotes and brackets after it) followed by a word that can start a
//! sentence; abbreviations (`lexicons/abbreviations.csv`), initials,
//! decimals, three-dot ellipses, URLs and e-mail addresses do not end one,
//! and numbered or lettered list items each make a unit. No unit is longer
//! than [`MAX_UNIT_BYTES`]: a longer one is split at its best break.

use crate::lexicon::{read_rows, Lexicons, Problem};
use crate::normalize::{ends_sentence, is_closing, trim_span, Normalized};
use crate::types::Span;
use rustc_hash::{FxHashMap, FxHashSet};

/// The bytes of `…` (U+2026).
const ELLIPSIS_LEN: usize = 3;

/// The longest sentence unit, in bytes.
pub const MAX_UNIT_BYTES: usize = 2000;

/// How an abbreviation behaves before a capitalized word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Abbreviation {
    /// Precedes a name (`Gen.`, `Mr.`): never ends a sentence.
    Title,
    /// Ends a sentence only before a sentence starter (`U.S. How`).
    General,
}

#[derive(Debug, serde::Deserialize)]
struct AbbreviationRow {
    abbreviation: String,
    #[serde(default)]
    kind: String,
}

/// Compiled segmentation rules (abbreviations from `lexicons/abbreviations.csv`).
#[derive(Debug, Clone)]
pub struct Segmenter {
    /// Abbreviations without their final period (`U.S`, `Gen`).
    abbreviations: FxHashMap<Box<str>, Abbreviation>,
    /// The length of the longest of them, in bytes: a longer word is none.
    longest_abbreviation: usize,
    /// For each first byte, the lengths of the abbreviations starting with
    /// it, one bit each (see [`length_bit`]): a word whose first byte and
    /// length have no bit is none, without a look-up.
    abbreviation_shapes: Box<[u64; 256]>,
    /// Words that start sentences.
    starters: FxHashSet<Box<str>>,
    max_unit: usize,
    ellipsis: memchr::memmem::Finder<'static>,
}

impl Segmenter {
    pub fn build(lexicons: &Lexicons) -> Result<Segmenter, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut abbreviations: FxHashMap<Box<str>, Abbreviation> = FxHashMap::default();
        let mut starters = FxHashSet::default();
        for file in lexicons.named("abbreviations.csv") {
            for (line, row) in read_rows::<AbbreviationRow>(file, &mut problems) {
                let term = row.abbreviation.trim();
                let kind = match row.kind.trim() {
                    "title" => Some(Abbreviation::Title),
                    "" | "general" => Some(Abbreviation::General),
                    "starter" => None,
                    other => {
                        problems.push(Problem::error(
                            file,
                            line,
                            format!("unknown kind {other:?} (use title, general or starter)"),
                        ));
                        continue;
                    }
                };
                match kind {
                    Some(kind) => {
                        let Some(stem) = term.strip_suffix('.').filter(|s| !s.is_empty()) else {
                            problems.push(Problem::error(
                                file,
                                line,
                                format!("abbreviation {term:?} must end with a period"),
                            ));
                            continue;
                        };
                        abbreviations.insert(stem.into(), kind);
                    }
                    None => {
                        if term.is_empty() || term.contains(char::is_whitespace) {
                            problems.push(Problem::error(file, line, "a starter is one word"));
                            continue;
                        }
                        starters.insert(term.into());
                    }
                }
            }
        }
        if problems.is_empty() {
            let mut abbreviation_shapes = Box::new([0; 256]);
            for stem in abbreviations.keys() {
                if let Some(&first) = stem.as_bytes().first() {
                    abbreviation_shapes[usize::from(first)] |= length_bit(stem.len());
                }
            }
            Ok(Segmenter {
                abbreviation_shapes,
                longest_abbreviation: abbreviations
                    .keys()
                    .map(|stem| stem.len())
                    .max()
                    .unwrap_or(0),
                abbreviations,
                starters,
                max_unit: MAX_UNIT_BYTES,
                ellipsis: memchr::memmem::Finder::new("\u{2026}"),
            })
        } else {
            Err(problems)
        }
    }

    pub fn check(lexicons: &Lexicons) -> Vec<Problem> {
        Segmenter::build(lexicons).err().unwrap_or_default()
    }

    /// Sentence units of `src`, trimmed source spans in order.
    pub fn segment(&self, src: &str, normalized: &Normalized) -> Vec<Span> {
        // Room for a unit per line and one per 100 bytes: few documents
        // need the vector to grow.
        let mut units = Vec::with_capacity(normalized.lines.len() + src.len() / 100);
        let mut cuts = Vec::new();
        // One search of the document finds its ellipses (few have any): a
        // search of every block would cost more in set-up than in reading.
        let ellipses: Vec<usize> = self.ellipsis.find_iter(src.as_bytes()).collect();
        let mut block: Option<Span> = None;
        let mut last_line: Option<Span> = None;
        for line in &normalized.lines {
            let Some(text) = src.get(line.clone()) else {
                continue;
            };
            if text.is_empty() {
                continue;
            }
            match (&mut block, &last_line) {
                (Some(b), Some(prev)) if joins(src, prev.clone(), line.clone()) => {
                    b.end = line.end;
                }
                _ => {
                    if let Some(b) = block.take() {
                        self.split_block(src, b, &ellipses, &mut cuts, &mut units);
                    }
                    block = Some(line.clone());
                }
            }
            last_line = Some(line.clone());
        }
        if let Some(b) = block {
            self.split_block(src, b, &ellipses, &mut cuts, &mut units);
        }
        units
    }

    /// Splits one block into units, appending them to `out` (`ellipses`
    /// are where the document's `…` start, in order; `cuts` is scratch
    /// space, reused from block to block).
    fn split_block(
        &self,
        src: &str,
        block: Span,
        ellipses: &[usize],
        cuts: &mut Vec<usize>,
        out: &mut Vec<Span>,
    ) {
        let Some(text) = src.get(block.clone()) else {
            return;
        };
        cuts.clear();
        let markers = list_markers(text, cuts);
        let bytes = text.as_bytes();
        // The ellipses inside the block, from its start.
        let first = ellipses.partition_point(|&at| at < block.start);
        let mut inside = ellipses[first..]
            .iter()
            .map(|&at| at - block.start)
            .take_while(|&at| at + ELLIPSIS_LEN <= bytes.len())
            .peekable();
        let mut i = 0;
        while i < bytes.len() {
            while inside.next_if(|&at| at < i).is_some() {}
            let next_ellipsis = inside.peek().copied();
            let next_stop = memchr::memchr3(b'.', b'?', b'!', &bytes[i..]).map(|s| s + i);
            i = match (next_stop, next_ellipsis) {
                (Some(s), Some(e)) => s.min(e),
                (Some(s), None) => s,
                (None, Some(e)) => e,
                (None, None) => break,
            };
            let (run_end, cut) = self.boundary_at(text, i, &markers);
            if let Some(cut) = cut {
                cuts.push(cut);
            }
            i = run_end.max(i + 1);
        }
        cuts.sort_unstable();
        cuts.dedup();
        let mut start = 0;
        for cut in cuts.iter().copied().chain(std::iter::once(text.len())) {
            if cut <= start {
                continue;
            }
            self.push_unit(
                src,
                trim_span(src, block.start + start..block.start + cut),
                out,
            );
            start = cut;
        }
    }

    /// Looks at the terminator run starting at `i`; returns where the run
    /// ends and, if the sentence ends there, the cut position.
    fn boundary_at(&self, text: &str, i: usize, markers: &[usize]) -> (usize, Option<usize>) {
        let bytes = text.as_bytes();
        // The run of terminators (spaced ellipses included).
        let mut j = i;
        let mut dots = 0;
        let mut exclaims = false;
        let mut spaced = false;
        loop {
            match bytes.get(j) {
                Some(b'.') => {
                    dots += 1;
                    j += 1;
                }
                Some(b'?' | b'!') => {
                    exclaims = true;
                    j += 1;
                }
                Some(0xE2) if text[j..].starts_with('\u{2026}') => {
                    dots += 3;
                    j += 3;
                }
                Some(b' ')
                    if dots > 0
                        && bytes.get(j + 1) == Some(&b'.')
                        && matches!(bytes.get(j + 2), None | Some(b' ' | b'.'))
                        || (dots > 0
                            && bytes.get(j + 1) == Some(&b'.')
                            && text[j + 2..].starts_with(is_closing)) =>
                {
                    spaced = true;
                    j += 1;
                }
                _ => break,
            }
        }
        let run_end = j;
        // An ASCII byte before the run tells without decoding a character.
        let attached = match i.checked_sub(1).and_then(|before| bytes.get(before)) {
            None => false,
            Some(&byte) if byte.is_ascii() => !char::from(byte).is_whitespace(),
            Some(_) => !text[..i].ends_with(char::is_whitespace),
        };
        // Closing quotes and brackets right after the run.
        let mut end = run_end + closers_len(&text[run_end..]);
        let mut m = skip_space(text, end);
        let mut had_space = m > end;
        // A closing quote set off by a space still closes this sentence.
        if had_space {
            let rest = &text[m..];
            let detached = rest.starts_with(['\u{201D}', '\u{00BB}'])
                || (rest.starts_with('"')
                    && rest[1..].chars().next().is_none_or(char::is_whitespace));
            if detached {
                end = m + closers_len(rest);
                m = skip_space(text, end);
            }
        }
        let Some(next) = text[m..].chars().next() else {
            return (run_end, Some(end));
        };
        had_space |= m > end;
        if next.is_lowercase() {
            return (run_end, None);
        }
        if !had_space {
            return (run_end, self.unspaced_cut(text, i, dots, end, m));
        }
        if dots >= 4 && attached && spaced && bytes.get(i + 1) == Some(&b' ') {
            return (run_end, Some(i + 1));
        }
        if dots >= 4 || exclaims && dots < 3 {
            return (run_end, Some(end));
        }
        if dots == 3 {
            return (run_end, None);
        }
        if markers.contains(&i) {
            return (run_end, None);
        }
        let (token_start, token) = token_before(text, i);
        let word = trim_word(token);
        if word.is_empty() {
            return (run_end, Some(end));
        }
        let cut = match self.classify(text, token_start, word) {
            Some(Abbreviation::Title) => None,
            Some(Abbreviation::General) => {
                let rest = &text[m..];
                (next_is_opening_quote(rest) || self.starts_with_starter(rest)).then_some(end)
            }
            None => Some(end),
        };
        (run_end, cut)
    }

    /// A period with no space after it ends a sentence only between a word
    /// and a capitalized word (`world.Today`), never inside a URL or e-mail.
    fn unspaced_cut(
        &self,
        text: &str,
        i: usize,
        dots: usize,
        end: usize,
        m: usize,
    ) -> Option<usize> {
        if dots > 1 {
            return None;
        }
        let before = text[..i].chars().next_back()?;
        if !(before.is_lowercase() || before.is_ascii_digit()) {
            return None;
        }
        let mut after = text[m..].chars();
        let (first, second) = (after.next()?, after.next()?);
        if !(first.is_uppercase() && second.is_lowercase()) {
            return None;
        }
        let (token_start, token) = token_before(text, i);
        let token_end = text[i..]
            .find(char::is_whitespace)
            .map_or(text.len(), |n| i + n);
        let whole = &text[token_start..token_end];
        if whole.contains('@') || whole.contains("://") || whole.contains("www.") {
            return None;
        }
        match self.classify(text, token_start, token.trim_start_matches(is_opening)) {
            Some(Abbreviation::Title) => None,
            Some(Abbreviation::General) => self.starts_with_starter(&text[m..]).then_some(end),
            None => Some(end),
        }
    }

    /// Whether the word before a period is an abbreviation, and which kind.
    fn classify(&self, text: &str, token_start: usize, word: &str) -> Option<Abbreviation> {
        if let Some(kind) = self.abbreviation(word) {
            return Some(kind);
        }
        // Most words hold no period: one search says so for both the checks
        // that need one.
        // Words are short: a byte loop costs less than a call of `memrchr`.
        let dotted = word.as_bytes().iter().rposition(|&byte| byte == b'.');
        // An abbreviation right after an unspaced sentence end (`Tuesday.Mr`).
        if let Some(tail) = dotted.and_then(|dot| word.get(dot + 1..)) {
            if tail.len() >= 2 {
                if let Some(kind) = self.abbreviation(tail) {
                    return Some(kind);
                }
            }
        }
        let mut chars = word.chars();
        let first = chars.next()?;
        if chars.next().is_none() {
            // One letter: a lower-case abbreviation (`p.`), or an initial
            // unless it follows a lower-case word (`you and I.`).
            if first.is_lowercase() {
                return Some(Abbreviation::General);
            }
            if first.is_uppercase() {
                let previous = text[..token_start].split_whitespace().next_back();
                let after_lowercase = previous
                    .and_then(|w| w.trim_start_matches(is_opening).chars().next())
                    .is_some_and(|c| c.is_lowercase() || c.is_ascii_digit());
                return (!after_lowercase).then_some(Abbreviation::General);
            }
            return None;
        }
        // Dotted abbreviations: U.S, a.m, Ph.D.
        if dotted.is_some()
            && word.split('.').all(|part| {
                !part.is_empty() && part.len() <= 3 && part.chars().all(char::is_alphabetic)
            })
        {
            return Some(Abbreviation::General);
        }
        None
    }

    /// The kind of `word` if it is an abbreviation (without its period).
    fn abbreviation(&self, word: &str) -> Option<Abbreviation> {
        if word.len() > self.longest_abbreviation {
            return None;
        }
        let first = word.as_bytes().first()?;
        if self.abbreviation_shapes[usize::from(*first)] & length_bit(word.len()) == 0 {
            return None;
        }
        self.abbreviations.get(word).copied()
    }

    fn starts_with_starter(&self, rest: &str) -> bool {
        let word_len = rest
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(rest.len());
        word_len > 0 && self.starters.contains(&rest[..word_len])
    }

    /// Appends a unit, split at its best breaks when it is too long.
    fn push_unit(&self, src: &str, mut unit: Span, out: &mut Vec<Span>) {
        while unit.end - unit.start > self.max_unit {
            let cut = best_break(src, unit.clone(), self.max_unit);
            let head = trim_span(src, unit.start..cut);
            if head.end > head.start {
                out.push(head);
            }
            unit = trim_span(src, cut..unit.end);
        }
        if unit.end > unit.start {
            out.push(unit);
        }
    }
}

/// The bit of a word length in `Segmenter::abbreviation_shapes` (lengths
/// from 63 on share the last one).
fn length_bit(len: usize) -> u64 {
    1 << len.min(63)
}

/// Whether a single line break between two kept lines falls inside a
/// sentence: nothing was dropped between them, the first line has four
/// words or more and no final punctuation, and the second starts in lower
/// case.
fn joins(src: &str, prev: Span, next: Span) -> bool {
    let (Some(gap), Some(prev_text), Some(next_text)) = (
        src.get(prev.end..next.start),
        src.get(prev.clone()),
        src.get(next),
    ) else {
        return false;
    };
    // The cheapest test first: most lines start in upper case.
    next_text.chars().next().is_some_and(char::is_lowercase)
        && line_breaks(gap) == 1
        && gap
            .chars()
            .all(|c| c.is_whitespace() || crate::fold::is_invisible(c))
        && !ends_sentence(prev_text)
        && prev_text.split_whitespace().count() >= 4
}

/// Line breaks in `gap` (`\n`, `\r\n` and `\r` each count once).
fn line_breaks(gap: &str) -> usize {
    let bytes = gap.as_bytes();
    bytes
        .iter()
        .enumerate()
        .filter(|&(i, &b)| (b == b'\n' && (i == 0 || bytes[i - 1] != b'\r')) || b == b'\r')
        .count()
}

/// Opening quotes and brackets before a word.
fn is_opening(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | '\u{201C}'
            | '\u{2018}'
            | '\u{00AB}'
            | '\u{2039}'
            | '('
            | '['
            | '{'
            | '\u{201E}'
    )
}

/// `token` without the opening quotes and brackets before it and the
/// closing ones after it.
fn trim_word(token: &str) -> &str {
    // An ASCII byte that opens (or closes) nothing tells without decoding.
    let plain = |byte: Option<&u8>, quote: fn(char) -> bool| {
        byte.is_some_and(|&byte| byte.is_ascii() && !quote(char::from(byte)))
    };
    let opened = if plain(token.as_bytes().first(), is_opening) {
        token
    } else {
        token.trim_start_matches(is_opening)
    };
    if plain(opened.as_bytes().last(), is_closing) {
        opened
    } else {
        opened.trim_end_matches(is_closing)
    }
}

fn next_is_opening_quote(rest: &str) -> bool {
    let mut chars = rest.chars();
    chars.next().is_some_and(is_opening) && chars.next().is_some_and(|c| c.is_uppercase())
}

/// Bytes of closing quotes and brackets at the start of `rest`.
fn closers_len(rest: &str) -> usize {
    // Most terminators are followed by a space: an ASCII byte that closes
    // nothing tells without decoding a character.
    match rest.as_bytes().first() {
        None => 0,
        Some(&byte) if byte.is_ascii() && !is_closing(char::from(byte)) => 0,
        Some(_) => rest.len() - rest.trim_start_matches(is_closing).len(),
    }
}

/// The first position at or after `at` that is not whitespace or invisible.
#[inline]
fn skip_space(text: &str, at: usize) -> usize {
    // Spaces and printable ASCII tell without decoding a character.
    let bytes = text.as_bytes();
    let mut at = at;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b' ' => at += 1,
            0x21..=0x7E => return at,
            _ => break,
        }
    }
    // Past the end nothing is left to skip.
    if at >= bytes.len() {
        return at;
    }
    skip_space_by_chars(text, at)
}

/// [`skip_space`] a character at a time.
fn skip_space_by_chars(text: &str, at: usize) -> usize {
    let rest = &text[at..];
    at + (rest.len()
        - rest
            .trim_start_matches(|c: char| c.is_whitespace() || crate::fold::is_invisible(c))
            .len())
}

/// The whitespace-delimited token that ends at `i` and its start.
fn token_before(text: &str, i: usize) -> (usize, &str) {
    // Printable ASCII is read back a byte at a time, up to a space.
    let bytes = text.as_bytes();
    let mut end = i;
    while let Some(&byte) = end.checked_sub(1).and_then(|before| bytes.get(before)) {
        match byte {
            0x21..=0x7E => end -= 1,
            b' ' => return (end, &text[end..i]),
            _ => break,
        }
    }
    // The bytes passed are no whitespace: the token starts where the one
    // ending at `end` does.
    let (start, _) = token_before_by_chars(text, end);
    (start, &text[start..i])
}

/// [`token_before`] a character at a time.
fn token_before_by_chars(text: &str, i: usize) -> (usize, &str) {
    let start = text[..i]
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(at, c)| at + c.len_utf8());
    (start, &text[start..i])
}

/// List items: when a block starts with a marker (`1.`, `2)`, `a.`, `• 9.`),
/// every later marker with the next label starts a unit. Returns the
/// positions of marker periods (not sentence ends) and pushes the cuts.
fn list_markers(text: &str, cuts: &mut Vec<usize>) -> Vec<usize> {
    let mut dots = Vec::new();
    let Some(first) = marker_at(text, 0) else {
        return dots;
    };
    dots.extend(first.dot);
    let mut label = first.label;
    let mut from = first.end;
    while let Some(next_label) = next_label(&label) {
        let Some(found) = find_marker(text, from, &next_label, first.separator) else {
            break;
        };
        cuts.push(found.start);
        dots.extend(found.dot);
        from = found.end;
        label = next_label;
    }
    dots
}

#[derive(Debug)]
struct Marker {
    start: usize,
    end: usize,
    label: String,
    separator: &'static str,
    dot: Option<usize>,
}

const BULLETS: &[char] = &[
    '\u{2022}', '\u{2043}', '-', '*', '\u{00B7}', '\u{25AA}', '\u{2023}', '\u{25E6}', '\u{2013}',
];

/// A list marker at `at` (after optional bullet and spaces), followed by a
/// space.
#[inline]
fn marker_at(text: &str, at: usize) -> Option<Marker> {
    // Most blocks start with a capital or a quote: an ASCII byte that is no
    // bullet, space, digit or lower-case letter starts no marker.
    let first = *text.as_bytes().get(at)?;
    if first.is_ascii()
        && !(first.is_ascii_digit()
            || first.is_ascii_lowercase()
            || matches!(first, b'-' | b'*' | b' '))
    {
        return None;
    }
    marker_past_first_byte(text, at)
}

/// [`marker_at`] once the first byte may start a marker.
fn marker_past_first_byte(text: &str, at: usize) -> Option<Marker> {
    let rest = &text[at..];
    let after_bullet = rest.trim_start_matches(BULLETS).trim_start_matches(' ');
    let label_at = at + (rest.len() - after_bullet.len());
    let digits = after_bullet.bytes().take_while(u8::is_ascii_digit).count();
    let label_len = match digits {
        1..=3 => digits,
        0 if after_bullet
            .as_bytes()
            .first()
            .is_some_and(u8::is_ascii_lowercase) =>
        {
            1
        }
        _ => return None,
    };
    let after_label = &after_bullet[label_len..];
    let separator = [".)", ".", ")"]
        .into_iter()
        .find(|s| after_label.starts_with(s))?;
    let end = label_at + label_len + separator.len();
    if !text[end..].starts_with(' ') {
        return None;
    }
    Some(Marker {
        start: at,
        end,
        label: after_bullet[..label_len].to_string(),
        separator,
        dot: separator.starts_with('.').then_some(label_at + label_len),
    })
}

/// The next marker with `label` and `separator` after `from`, set off by a
/// space before it (or its bullet).
fn find_marker(text: &str, from: usize, label: &str, separator: &str) -> Option<Marker> {
    let needle = format!("{label}{separator} ");
    let mut search = from;
    while let Some(found) = text[search..].find(&needle) {
        let at = search + found;
        // Walk back over a bullet and spaces to the marker start.
        let before = &text[..at];
        let bulletless = before.trim_end_matches(' ');
        let with_bullet = bulletless.trim_end_matches(BULLETS);
        let start = if with_bullet.len() < bulletless.len() {
            with_bullet.len()
        } else {
            at
        };
        let set_off = text[..start].ends_with(char::is_whitespace) || start == 0;
        let label_start_ok = !before.ends_with(|c: char| c.is_alphanumeric());
        if set_off && label_start_ok {
            if let Some(marker) = marker_at(text, start) {
                if marker.label == label && marker.separator == separator {
                    return Some(marker);
                }
            }
        }
        search = at + needle.len();
    }
    None
}

fn next_label(label: &str) -> Option<String> {
    if let Ok(n) = label.parse::<u32>() {
        return Some((n + 1).to_string());
    }
    let c = label.chars().next()?;
    (c.is_ascii_lowercase() && c != 'z').then(|| ((c as u8 + 1) as char).to_string())
}

/// Where to cut an over-long unit: the last `;`, `:` or `,` + space, or the
/// last space, within `max` bytes of its start; otherwise a character
/// boundary at `max`.
fn best_break(src: &str, unit: Span, max: usize) -> usize {
    let mut limit = (unit.start + max).min(unit.end);
    while limit > unit.start && !src.is_char_boundary(limit) {
        limit -= 1;
    }
    let window = &src[unit.start..limit];
    let floor = window.len() / 2;
    for marks in [&[';', ':'][..], &[','][..]] {
        if let Some(at) = window
            .match_indices(marks)
            .map(|(at, _)| at)
            .rfind(|&at| at >= floor && window[at + 1..].starts_with(char::is_whitespace))
        {
            return unit.start + at + 1;
        }
    }
    if let Some(at) = window.rfind(char::is_whitespace).filter(|&at| at > 0) {
        return unit.start + at;
    }
    if limit > unit.start {
        limit
    } else {
        // A single character longer than the cap: cut after it.
        unit.start + src[unit.start..].chars().next().map_or(1, char::len_utf8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn words_are_trimmed_as_trim_matches_trims_them(
            token in "([a-zA-Z.]{1,4}|[\"'()\\[\\]{}*]|\u{201C}|\u{201D}|\u{2018}|\u{2019}|\u{AB}|\u{BB}|\u{201E}|é){0,8}"
        ) {
            proptest::prop_assert_eq!(
                trim_word(&token),
                token.trim_start_matches(is_opening).trim_end_matches(is_closing)
            );
        }
    }

    #[test]
    fn every_abbreviation_passes_the_shape_filter_and_others_may_not() {
        let segmenter = Segmenter::build(&Lexicons::builtin()).expect("builds");
        assert!(!segmenter.abbreviations.is_empty());
        for (stem, kind) in &segmenter.abbreviations {
            assert_eq!(segmenter.abbreviation(stem), Some(*kind), "{stem}");
        }
        for word in ["", "said", "Monday", "Washington", "x".repeat(80).as_str()] {
            assert_eq!(
                segmenter.abbreviation(word),
                segmenter.abbreviations.get(word).copied(),
                "{word}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn spaces_and_tokens_are_found_as_a_char_at_a_time_would(
            text in "([a-zA-Z.,]{1,5}|[ \t\n\x0B\x0C\r\x00\x7F]|\u{A0}|\u{AD}|\u{200B}|\u{2009}|\u{FEFF}|é|’){0,16}"
        ) {
            for (at, _) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
                proptest::prop_assert_eq!(skip_space(&text, at), skip_space_by_chars(&text, at));
                proptest::prop_assert_eq!(token_before(&text, at), token_before_by_chars(&text, at));
            }
        }
    }
    use crate::normalize::Normalizer;

    fn units(text: &str) -> Vec<String> {
        let lexicons = Lexicons::builtin();
        let normalizer = Normalizer::build(&lexicons).expect("rules compile");
        let segmenter = Segmenter::build(&lexicons).expect("abbreviations load");
        let normalized = normalizer.normalize(text);
        segmenter
            .segment(text, &normalized)
            .into_iter()
            .map(|s| text[s].to_string())
            .collect()
    }

    #[test]
    fn builtin_abbreviations_load() {
        let problems = Segmenter::check(&Lexicons::builtin());
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn splits_at_final_punctuation() {
        assert_eq!(
            units("Hello World. My name is Jonas? Yes! Fine."),
            ["Hello World.", "My name is Jonas?", "Yes!", "Fine."]
        );
    }

    #[test]
    fn abbreviations_do_not_end_units() {
        assert_eq!(
            units("Gen. Kenneth McKenzie met Sen. Graham and Dr. Smith on Jan. 5 at No. 10 St. James."),
            ["Gen. Kenneth McKenzie met Sen. Graham and Dr. Smith on Jan. 5 at No. 10 St. James."]
        );
        assert_eq!(
            units("I work for the U.S. Government. I live in the U.S. How about you?"),
            [
                "I work for the U.S. Government.",
                "I live in the U.S.",
                "How about you?"
            ]
        );
    }

    #[test]
    fn initials_decimals_and_money_do_not_end_units() {
        assert_eq!(
            units("George W. Bush paid $3.5 million. It was 2.5 percent."),
            ["George W. Bush paid $3.5 million.", "It was 2.5 percent."]
        );
    }

    #[test]
    fn ellipses_inside_sentences_do_not_end_units() {
        assert_eq!(
            units("He paused … and went on... I never meant that.... She left."),
            [
                "He paused … and went on... I never meant that....",
                "She left."
            ]
        );
    }

    #[test]
    fn closing_quotes_and_brackets_stay_with_the_sentence() {
        assert_eq!(
            units("He vowed: “We will not forgive. We’ll make you pay. ”One thing was clear. (He said so.) Then “it ended”. Done."),
            [
                "He vowed: “We will not forgive.",
                "We’ll make you pay. ”",
                "One thing was clear.",
                "(He said so.)",
                "Then “it ended”.",
                "Done."
            ]
        );
    }

    #[test]
    fn urls_and_emails_do_not_end_units() {
        assert_eq!(
            units("Write to Jane.Doe@example.com. See https://www.example.com/a.html for more."),
            [
                "Write to Jane.Doe@example.com.",
                "See https://www.example.com/a.html for more."
            ]
        );
    }

    #[test]
    fn numbered_lists_make_one_unit_per_item() {
        assert_eq!(
            units("1. The first item 2. The second item"),
            ["1. The first item", "2. The second item"]
        );
        assert_eq!(units("1) First. 2) Second."), ["1) First.", "2) Second."]);
    }

    #[test]
    fn titles_and_paragraphs_are_units() {
        let text = "The Taliban’s Governance Paralysis\nAll of this is happening.\n\nA new paragraph without end";
        assert_eq!(
            units(text),
            [
                "The Taliban’s Governance Paralysis",
                "All of this is happening.",
                "A new paragraph without end"
            ]
        );
    }

    #[test]
    fn a_line_broken_inside_a_sentence_is_joined() {
        assert_eq!(
            units("In search of security, the US has\nhas close ties with many."),
            ["In search of security, the US has\nhas close ties with many."]
        );
        assert_eq!(
            units("features\ncontact manager\n"),
            ["features", "contact manager"]
        );
    }

    #[test]
    fn long_units_are_capped_at_a_break() {
        let text = "word ".repeat(1000);
        let got = units(&text);
        assert!(got.len() >= 3);
        assert!(got.iter().all(|u| u.len() <= MAX_UNIT_BYTES));
        let clauses = "a clause of words, ".repeat(200);
        let got = units(&clauses);
        assert!(got
            .iter()
            .all(|u| u.len() <= MAX_UNIT_BYTES && u.ends_with(',')));
        let unbroken = "x".repeat(5000);
        assert!(units(&unbroken).iter().all(|u| u.len() <= MAX_UNIT_BYTES));
    }
}
