//! Word tokens of one folded sentence unit: lowercased words with their
//! folded offsets, the actor mention each lies in (a whole mention is one
//! token), the punctuation before each word, clause numbers and quote state.

use super::pattern::NO_WORD;
use super::rules::{Function, Report};
use super::vocabulary::short_key;
use crate::fold::{fold_range_after_plain, plain_run, Folded};
use crate::text::{capital_lanes, word_lanes, LANE_HIGH_BITS, LANE_ONES};
use crate::types::{Mention, Span};

/// One word (or one whole actor mention) of a unit, small enough that a
/// unit's tokens stay in a few cache lines: its lowercase form lies in the
/// [`Tokens`] buffer ([`Tokens::lower`]).
#[derive(Debug, Clone, Copy)]
#[repr(align(8))]
pub struct Token {
    /// Where the lowercase word (a mention's whole surface for mention
    /// tokens) lies in [`Tokens::lower`].
    lower_start: u32,
    lower_len: u32,
    /// The rule vocabulary's id for the lowercase word
    /// (`PatternSet::intern`), or `NO_WORD` (always for a mention, so that
    /// the word after a token is read without testing for one).
    pub word: u32,
    /// Index into the unit's mentions when the token is an actor mention,
    /// else `NO_MENTION`.
    mention: u32,
    /// Clause number: grows at `,`, `;`, `:`, dashes, brackets and quotes.
    pub clause: u32,
    /// Punctuation between the previous token and this one (`,`, `"`, `:`).
    pub before: Marks,
    /// Bits of the function-word kinds matching this word (`Rules::mark`).
    pub functions: u16,
    /// The kind of non-actor source starting at this word (`Rules::mark`).
    pub source: Option<Report>,
    /// The token is a mention of the United States (`USA`).
    pub us: bool,
    /// The word starts with an uppercase letter.
    pub capitalized: bool,
    /// The word lies inside a quotation.
    pub quoted: bool,
}

/// [`Token::mention`] of a token that is no mention.
const NO_MENTION: u32 = u32::MAX;

impl Token {
    /// Whether a function word of `kind` matches this word.
    pub fn is(&self, kind: Function) -> bool {
        self.functions & kind.bit() != 0
    }

    /// Index into the unit's mentions when the token is an actor mention.
    pub fn mention(&self) -> Option<usize> {
        (self.mention != NO_MENTION).then_some(self.mention as usize)
    }

    /// Whether the token is an actor mention.
    pub fn is_mention(&self) -> bool {
        self.mention != NO_MENTION
    }
}

/// A unit's tokens and the buffer of their lowercase words, both reused
/// from one unit to the next.
#[derive(Debug, Default, Clone)]
pub struct Tokens {
    list: Vec<Token>,
    /// The unit's text with ASCII letters lowercased (an ASCII word's
    /// lowercase form lies at its own offsets), then the lowercase forms of
    /// words and mentions that are not ASCII.
    lower: String,
    /// Those lowercase forms while the unit is split, appended to `lower`
    /// at its end (so that `lower` stays unchanged meanwhile).
    forms: String,
    /// Some token is a mention of the United States.
    has_us: bool,
}

impl std::ops::Deref for Tokens {
    type Target = [Token];
    fn deref(&self) -> &[Token] {
        &self.list
    }
}

impl std::ops::DerefMut for Tokens {
    fn deref_mut(&mut self) -> &mut [Token] {
        &mut self.list
    }
}

impl Tokens {
    /// Whether some token is a mention of the United States
    /// ([`Token::us`]).
    pub fn has_us(&self) -> bool {
        self.has_us
    }

    /// The lowercase word of `token` (one of these tokens).
    pub fn lower(&self, token: &Token) -> &str {
        let start = token.lower_start as usize;
        self.lower
            .get(start..start + token.lower_len as usize)
            .unwrap_or_default()
    }
}

/// A set of punctuation marks (`,` `;` `:` `"` brackets, dashes and
/// sentence ends) standing between two tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Marks(u16);

impl Marks {
    const fn bit(mark: char) -> u16 {
        match mark {
            ',' => 1,
            ';' => 1 << 1,
            ':' => 1 << 2,
            '"' => 1 << 3,
            '(' => 1 << 4,
            ')' => 1 << 5,
            '[' => 1 << 6,
            ']' => 1 << 7,
            '\u{2014}' => 1 << 8,
            '-' => 1 << 9,
            '.' => 1 << 10,
            '!' => 1 << 11,
            '?' => 1 << 12,
            _ => 0,
        }
    }

    fn push(&mut self, mark: char) {
        self.0 |= Marks::bit(mark);
    }

    /// Whether `mark` is among the marks.
    pub fn has(self, mark: char) -> bool {
        self.0 & Marks::bit(mark) != 0
    }

    /// Whether any of `marks` is among the marks.
    pub fn any(self, marks: &[char]) -> bool {
        marks.iter().any(|&m| self.has(m))
    }
}

/// A unit's mentions seen from its folded text.
#[derive(Debug, Clone)]
pub struct UnitMention<'a> {
    pub actor: &'a str,
    pub start: usize,
    pub end: usize,
}

/// A unit's folded text: the source slice itself when folding changes none
/// of its bytes (most units), which saves the copy and the offset map.
pub enum UnitText<'s> {
    Plain { text: &'s str, base: usize },
    Folded(&'s Folded),
}

impl<'s> UnitText<'s> {
    /// The folded text of `src[span]`, as `crate::fold::fold_range` has it;
    /// `buffer` holds it when it is not the source slice.
    #[cfg(test)]
    pub fn fold(src: &'s str, span: Span, buffer: &'s mut Folded) -> UnitText<'s> {
        UnitText::fold_in_order(src, span, &mut PlainRuns::default(), buffer)
    }

    /// [`UnitText::fold`] of the next unit of a document whose units are
    /// read in order, as `runs` has seen them.
    pub fn fold_in_order(
        src: &'s str,
        span: Span,
        runs: &mut PlainRuns,
        buffer: &'s mut Folded,
    ) -> UnitText<'s> {
        let text = src.get(span.clone());
        let run = text.map_or(0, |_| runs.run(src.as_bytes(), &span));
        match text {
            Some(text) if run == text.len() => UnitText::Plain {
                text,
                base: span.start,
            },
            _ => {
                fold_range_after_plain(buffer, src, span, run);
                UnitText::Folded(buffer)
            }
        }
    }

    pub fn text(&self) -> &str {
        match self {
            UnitText::Plain { text, .. } => text,
            UnitText::Folded(folded) => folded.text(),
        }
    }

    /// The source offset of folded byte `folded` (`< text().len()`).
    fn to_source(&self, folded: usize) -> usize {
        match self {
            UnitText::Plain { base, .. } => base + folded,
            UnitText::Folded(f) => f.to_source(folded),
        }
    }
}

/// Where a document's bytes fold to themselves, learnt as its units are
/// read in order: every byte of `from..until` does, the byte at `until`
/// (if any) does not. Each stretch is read once for all the units in it,
/// rather than unit by unit.
#[derive(Debug, Clone)]
pub struct PlainRuns {
    from: usize,
    until: usize,
}

impl Default for PlainRuns {
    fn default() -> Self {
        // Nothing known yet.
        PlainRuns { from: 1, until: 0 }
    }
}

impl PlainRuns {
    /// `crate::fold::plain_run` of `src[span]` (a valid span).
    fn run(&mut self, src: &[u8], span: &Span) -> usize {
        if !(self.from <= span.start && span.start <= self.until) {
            self.from = span.start;
            self.until = span.start + plain_run(src.get(span.start..).unwrap_or_default());
        }
        self.until.min(span.end).saturating_sub(span.start)
    }
}

/// The first folded offset of `unit` (of `len` bytes) whose source offset
/// is `src` or more, `len` if none, as a binary search over `0..len` finds
/// it (source offsets never fall as folded ones grow); galloped to from
/// `guess`, which is seldom more than a few bytes off.
fn folded_offset(unit: &UnitText, len: usize, src: usize, guess: usize) -> usize {
    let reached = |folded: usize| folded >= len || unit.to_source(folded) >= src;
    let guess = guess.min(len);
    // The offset lies in `lo..=hi`.
    let (mut lo, mut hi);
    let mut step = 1;
    if reached(guess) {
        hi = guess;
        loop {
            if hi == 0 {
                return 0;
            }
            let probe = hi.saturating_sub(step);
            if reached(probe) {
                hi = probe;
                step *= 2;
            } else {
                lo = probe + 1;
                break;
            }
        }
    } else {
        lo = guess + 1;
        loop {
            let probe = (lo + step - 1).min(len);
            if reached(probe) {
                hi = probe;
                break;
            }
            lo = probe + 1;
            step *= 2;
        }
    }
    while lo < hi {
        let mid = (lo + hi) / 2;
        if reached(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

/// Folded offsets of the unit's mentions (folded text covers the source
/// range the mentions lie in).
#[cfg(test)]
pub fn unit_mentions<'a>(unit: &UnitText, mentions: &[&'a Mention]) -> Vec<UnitMention<'a>> {
    let mut out = Vec::new();
    unit_mentions_into(unit, mentions, &mut out);
    out
}

/// [`unit_mentions`] into `out` (cleared first), whose buffer is reused
/// from one unit to the next.
pub fn unit_mentions_into<'a>(
    unit: &UnitText,
    mentions: &[&'a Mention],
    out: &mut Vec<UnitMention<'a>>,
) {
    let len = unit.text().len();
    // The last offsets mapped, source and folded: folding seldom changes
    // the length of the text between two offsets, so the next offset is
    // looked for from as far after them in the folded text.
    let mut last = (unit.to_source(0), 0usize);
    let mut to_folded = |src: usize| -> usize {
        if let UnitText::Plain { base, .. } = unit {
            // Folded bytes are source bytes from `base` on.
            return src.saturating_sub(*base).min(len);
        }
        let (last_src, last_folded) = last;
        let folded = folded_offset(unit, len, src, last_folded + src.saturating_sub(last_src));
        last = (src, folded);
        folded
    };
    let text = unit.text();
    out.clear();
    out.extend(mentions.iter().filter_map(|m| {
        let start = to_folded(m.start);
        let end = to_folded(m.end).max(start);
        (start < end && text.is_char_boundary(start) && text.is_char_boundary(end)).then(|| {
            UnitMention {
                actor: &m.actor,
                start,
                end,
            }
        })
    }));
    let order = |m: &UnitMention| (m.start, std::cmp::Reverse(m.end));
    // Mentions come in order already but for overlaps.
    if !out.is_sorted_by_key(order) {
        out.sort_by_key(order);
    }
    let mut last_end = 0;
    out.retain(|m| {
        let keep = m.start >= last_end;
        if keep {
            last_end = m.end;
        }
        keep
    });
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// The character starting at byte `at`, if `at` is inside `text` on a
/// character boundary.
fn char_at(text: &str, at: usize) -> Option<char> {
    match text.as_bytes().get(at) {
        Some(&byte) if byte.is_ascii() => Some(char::from(byte)),
        Some(_) => text.get(at..).and_then(|rest| rest.chars().next()),
        None => None,
    }
}

/// The character ending at byte `at` (a character boundary of `text`):
/// what the tokenizer passed last, be it a word, a mention or a mark.
#[inline(never)]
fn char_before(text: &str, at: usize) -> Option<char> {
    text.get(..at).and_then(|head| head.chars().next_back())
}

/// An apostrophe at byte `at` inside a contraction (don't, we'll), not a
/// possessive `'s`.
fn contraction_at(text: &str, at: usize) -> bool {
    let next = char_at(text, at + 1);
    let next_letter = next.is_some_and(char::is_alphabetic);
    let possessive =
        matches!(next, Some('s' | 'S')) && !char_at(text, at + 2).is_some_and(char::is_alphabetic);
    next_letter && !possessive
}

/// Byte classes of ASCII: letters and digits, uppercase letters, and the
/// bytes the tokenizer acts on between words.
const WORD: u8 = 2;
/// Bit 0, so that a token's `capitalized` is its class masked.
const UPPER: u8 = 1;
/// `,` `;` `:` brackets and sentence ends: a clause break.
const BREAK: u8 = 4;
/// `"`, `'` and `-`: each has its own rule.
const SPECIAL: u8 = 8;

const fn ascii_classes() -> [u8; 256] {
    let mut classes = [0u8; 256];
    let mut byte = 0;
    while byte < 128 {
        let b = byte as u8;
        if b.is_ascii_alphanumeric() {
            classes[byte] |= WORD;
        }
        if b.is_ascii_uppercase() {
            classes[byte] |= UPPER;
        }
        if matches!(
            b,
            b',' | b';' | b':' | b'(' | b')' | b'[' | b']' | b'.' | b'!' | b'?'
        ) {
            classes[byte] |= BREAK;
        }
        if matches!(b, b'"' | b'\'' | b'-') {
            classes[byte] |= SPECIAL;
        }
        byte += 1;
    }
    classes
}

/// By byte: its class; 0 for every byte of 0x80 and above.
static ASCII_CLASSES: [u8; 256] = ascii_classes();

/// The class of a non-ASCII character: `WORD` and `UPPER` only.
fn char_class(c: char) -> u8 {
    let mut class = 0;
    if is_word_char(c) {
        class |= WORD;
    }
    if c.is_uppercase() {
        class |= UPPER;
    }
    class
}

fn ascii_class(byte: u8) -> u8 {
    ASCII_CLASSES[usize::from(byte)]
}

/// A bit of the function-word bits a [`WordInfo`] gives and
/// [`Token::functions`] keeps (no `Function` kind has it): a pattern may
/// start with the word. Every mention has it.
pub const MAY_START: u16 = 1 << 15;

/// A bit of the function-word bits a [`WordInfo`] gives (no `Function`
/// kind has it): every pattern starting with the word needs one of a few
/// words after it (`PatternSet::find_all` reads which).
pub const NEEDS_NEXT: u16 = 1 << 14;

/// What the tokenizer learns about a lowercase word: its vocabulary id and
/// its function-word bits (with [`MAY_START`]).
pub trait WordInfo {
    fn word(&self, lower: &str) -> (u32, u16);

    /// [`WordInfo::word`] of an ASCII word of `len` bytes (at most 8)
    /// given as its `vocabulary::short_key`.
    fn short_word(&self, key: u64, len: u32) -> (u32, u16) {
        let bytes = key.to_le_bytes();
        let word = bytes
            .get(..len as usize)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or_default();
        self.word(word)
    }

    /// [`WordInfo::word`] of an ASCII word `lower` of 9 to 15 bytes given
    /// also as its first eight bytes and the rest, zero-padded.
    fn mid_word(&self, head: u64, tail: u64, lower: &str) -> (u32, u16) {
        let _ = (head, tail);
        self.word(lower)
    }
}

impl<F: Fn(&str) -> (u32, u16)> WordInfo for F {
    fn word(&self, lower: &str) -> (u32, u16) {
        self(lower)
    }
}

/// A lowercase form appended to `forms`, as its (start, length) in
/// `forms`.
#[inline(never)]
fn append_lower(forms: &mut String, form: impl Iterator<Item = char>) -> (usize, usize) {
    let start = forms.len();
    forms.extend(form);
    (start, forms.len() - start)
}

/// Splits a folded unit into `out` (its earlier tokens dropped);
/// `quoted_at_start` says whether a quotation opened in an earlier unit is
/// still open; `word_info` gives a lowercase word's vocabulary id and its
/// function-word bits. Returns whether a quotation is open at the end of
/// the unit.
pub fn tokenize(
    text: &str,
    mentions: &[UnitMention],
    quoted_at_start: bool,
    word_info: &impl WordInfo,
    out: &mut Tokens,
) -> bool {
    let Tokens {
        list,
        lower,
        forms,
        has_us,
    } = out;
    list.clear();
    *has_us = false;
    lower.clear();
    forms.clear();
    // Lowercasing all the unit's ASCII at once lowercases every ASCII word
    // and mention in place; the other bytes are never read from here. Zero
    // bytes after the text let words be read eight bytes at a time without
    // a test for its end, and make the lowercased length a whole number
    // of the blocks `make_ascii_lowercase` works in.
    lower.push_str(text);
    lower.push_str(PADDING);
    let blocks = text.len().div_ceil(PADDING.len()) * PADDING.len();
    if let Some(head) = lower.get_mut(..blocks) {
        head.make_ascii_lowercase();
    }
    // Most units hold no mention: their split skips every mention test.
    let quoted = if mentions.is_empty() {
        split_unit::<false>(
            text,
            mentions,
            quoted_at_start,
            word_info,
            list,
            lower,
            forms,
            has_us,
        )
    } else {
        split_unit::<true>(
            text,
            mentions,
            quoted_at_start,
            word_info,
            list,
            lower,
            forms,
            has_us,
        )
    };
    lower.push_str(forms);
    quoted
}

/// [`tokenize`] once `lower` holds the unit's lowercased text and its
/// padding: the lowercase forms that are not ASCII go to `forms`, to lie
/// after that padding in `lower` once appended.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn split_unit<const MENTIONS: bool>(
    text: &str,
    mentions: &[UnitMention],
    quoted_at_start: bool,
    word_info: &impl WordInfo,
    list: &mut Vec<Token>,
    lower: &str,
    forms: &mut String,
    has_us: &mut bool,
) -> bool {
    let bytes = text.as_bytes();
    // The lowercase text and the padding a word's two eight-byte reads may
    // reach, whose length the compiler can relate to the text's.
    let Some(lower_bytes) = bytes
        .len()
        .checked_add(16)
        .and_then(|padded| lower.as_bytes().get(..padded))
    else {
        // `tokenize` pads `lower`: never reached.
        return quoted_at_start;
    };
    let forms_start = lower.len();
    let mut quoted = quoted_at_start;
    let mut clause = 0u32;
    let mut before = Marks::default();
    let mut next_mention = 0usize;
    let mut mention_start = mentions.first().map_or(usize::MAX, |m| m.start);
    let mut i = 0usize;
    while let Some(&byte) = bytes.get(i) {
        if MENTIONS && i >= mention_start {
            while mentions.get(next_mention).is_some_and(|m| m.end <= i) {
                next_mention += 1;
            }
            mention_start = mentions.get(next_mention).map_or(usize::MAX, |m| m.start);
            if i == mention_start {
                let Some(m) = mentions.get(next_mention) else {
                    break;
                };
                let surface = text.get(m.start..m.end).unwrap_or_default();
                let (lower_start, lower_len) = if surface.is_ascii() {
                    (m.start as u32, surface.len() as u32)
                } else {
                    let (start, len) = append_lower(forms, surface.to_lowercase().chars());
                    ((forms_start + start) as u32, len as u32)
                };
                let us = m.actor == "USA";
                *has_us |= us;
                list.push(Token {
                    lower_start,
                    lower_len,
                    word: NO_WORD,
                    mention: next_mention as u32,
                    clause,
                    before: std::mem::take(&mut before),
                    functions: MAY_START,
                    source: None,
                    us,
                    capitalized: true,
                    quoted,
                });
                i = m.end;
                next_mention += 1;
                mention_start = mentions.get(next_mention).map_or(usize::MAX, |m| m.start);
                if bytes.get(i) == Some(&b' ') && i < mention_start {
                    i += 1;
                }
                continue;
            }
        }
        let (c, class) = if byte.is_ascii() {
            (char::from(byte), ascii_class(byte))
        } else {
            let Some(c) = text.get(i..).and_then(|rest| rest.chars().next()) else {
                break;
            };
            (c, char_class(c))
        };
        if class & WORD != 0 {
            let mut class = class;
            // Where the words from here must stop: the next mention's
            // start, unless `i` lies inside that mention (after a
            // possessive 's that ran into it), where none stops them.
            let word_stop = if MENTIONS && mention_start > i {
                mention_start
            } else {
                usize::MAX
            };
            loop {
                let short = ascii_word(lower_bytes, i, word_stop);
                let (end, ascii, next) = match short {
                    Some(w) => (w.end, true, w.next),
                    None => {
                        let (end, _, ascii, _) = word_end(text, i, word_stop);
                        (end, ascii, bytes.get(end).copied().unwrap_or(0))
                    }
                };
                // Where the lowercase form lies in `forms` when not in `lower`.
                let (lower_start, lower_len, in_forms) = if ascii {
                    (i as u32, (end - i) as u32, None)
                } else {
                    let word = text.get(i..end).unwrap_or_default();
                    let (start, len) =
                        append_lower(forms, word.chars().flat_map(char::to_lowercase));
                    (
                        (forms_start + start) as u32,
                        len as u32,
                        Some(start..start + len),
                    )
                };
                let (word, functions) = match short {
                    Some(w) if lower_len <= 8 => word_info.short_word(w.head, lower_len),
                    // A short word is ASCII: its lowercase form is in `lower`.
                    Some(w) => {
                        word_info.mid_word(w.head, w.tail, lower.get(i..end).unwrap_or_default())
                    }
                    None => word_info.word(
                        match in_forms {
                            None => lower.get(i..end),
                            Some(range) => forms.get(range),
                        }
                        .unwrap_or_default(),
                    ),
                };
                list.push(Token {
                    lower_start,
                    lower_len,
                    word,
                    mention: NO_MENTION,
                    clause,
                    before: std::mem::take(&mut before),
                    functions,
                    source: None,
                    us: false,
                    capitalized: class & UPPER != 0,
                    quoted,
                });
                i = end;
                // The usual space after a word, passed here at once, and
                // the word after it taken at once when it starts with an
                // ASCII letter or digit and no mention starts there.
                if next == b' ' && (!MENTIONS || end < mention_start) {
                    i = end + 1;
                    let next_class = bytes.get(i).map_or(0, |&b| ascii_class(b));
                    if next_class & WORD != 0 && (!MENTIONS || i < mention_start) {
                        class = next_class;
                        continue;
                    }
                }
                break;
            }
            continue;
        }
        if class & (BREAK | SPECIAL) != 0 {
            match byte {
                // Possessive `'s` after a word is skipped entirely.
                b'\'' => {
                    if matches!(bytes.get(i + 1), Some(b's' | b'S'))
                        && !char_at(text, i + 2).is_some_and(char::is_alphabetic)
                        && char_before(text, i).is_some_and(char::is_alphanumeric)
                    {
                        i += 2;
                        continue;
                    }
                }
                b'"' => {
                    quoted = !quoted;
                    clause = clause.wrapping_add(1);
                    before.push('"');
                }
                b'-' => {
                    // A spaced dash separates clauses; a hyphen joins words.
                    let spaced = char_before(text, i).is_some_and(char::is_whitespace)
                        || char_at(text, i + 1).is_some_and(char::is_whitespace);
                    if spaced {
                        clause = clause.wrapping_add(1);
                        before.push('\u{2014}');
                    } else {
                        before.push('-');
                    }
                }
                _ => {
                    clause = clause.wrapping_add(1);
                    before.push(c);
                }
            }
        }
        i += c.len_utf8();
        // A space before the next mention does nothing: passed here at once.
        if bytes.get(i) == Some(&b' ') && (!MENTIONS || i < mention_start) {
            i += 1;
        }
    }
    quoted
}

/// Zero bytes [`tokenize`] puts after the unit's lowercase copy: at least
/// as many as two eight-byte reads from a word's start may pass its end,
/// and a whole block of `make_ascii_lowercase`'s vector loop.
const PADDING: &str = "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";

/// The eight bytes at `start` as one little-endian number, zero-padded
/// past the end of `bytes` (a zero byte is no word character, so a word
/// running to the end stops there as it does at a space).
#[inline]
fn window(bytes: &[u8], start: usize) -> u64 {
    match bytes.get(start..) {
        Some(rest) => match rest.first_chunk::<8>() {
            Some(&lanes) => u64::from_le_bytes(lanes),
            None => short_key(rest),
        },
        None => 0,
    }
}

/// The lanes of `chunk` (ASCII lowercased) holding a small letter or a
/// digit, exact up to the first lane holding neither: a lane of 0x80 or
/// above, no word byte itself, may carry into the lanes after it, as the
/// sums are not kept to seven bits (which saves a mask per word).
#[inline]
fn lowercase_word_lanes(chunk: u64) -> u64 {
    let from = |lo: u8| chunk.wrapping_add(u64::from(0x80 - lo) * LANE_ONES);
    let letters = from(b'a') & !from(b'z' + 1);
    let digits = from(b'0') & !from(b'9' + 1);
    (letters | digits) & !chunk & LANE_HIGH_BITS
}

/// A common ASCII word as [`ascii_word`] reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct AsciiWord {
    end: usize,
    /// The byte after the word (0 at the end of the text).
    next: u8,
    /// The lowercase word's first eight bytes, zero-padded: its
    /// `vocabulary::short_key`.
    head: u64,
    /// Bytes 8 to 15 of the lowercase word, zero-padded (0 for words of at most eight
    /// bytes).
    tail: u64,
}

/// [`word_end`] of the common word, read as one or two eight-byte numbers
/// from `lower`, the text with its ASCII lowercased: ASCII letters and
/// digits, at most 15 bytes, before an ASCII byte other than an apostrophe
/// or before a possessive `'s` ([`possessive_at`]) (or the end of `lower`)
/// and not past `stop` (a mention start after
/// `start`, or `usize::MAX`). `None` for any other word.
#[inline(always)]
fn ascii_word(lower: &[u8], start: usize, stop: usize) -> Option<AsciiWord> {
    let v = window(lower, start);
    let other = !lowercase_word_lanes(v) & LANE_HIGH_BITS;
    let (len, next, head, tail);
    if other != 0 {
        // Bytes are taken from the number, not the array: a byte load
        // from the eight-byte store would wait for it.
        let bits = other.trailing_zeros() & !7;
        if bits == 0 {
            return None;
        }
        len = (bits / 8) as usize;
        next = (v >> bits) as u8;
        head = v & ((1u64 << bits) - 1);
        tail = 0;
    } else {
        let w = window(lower, start + 8);
        let other = !lowercase_word_lanes(w) & LANE_HIGH_BITS;
        if other == 0 {
            return None;
        }
        let bits = other.trailing_zeros() & !7;
        len = 8 + (bits / 8) as usize;
        next = (w >> bits) as u8;
        head = v;
        tail = w & ((1u64 << bits) - 1);
    }
    let end = start + len;
    // `next == b'\'' || !next.is_ascii()` in one test: the xor keeps the
    // top bit and makes the apostrophe zero, which wraps to 0xff.
    if (next ^ b'\'').wrapping_sub(1) >= 0x7f && !(next == b'\'' && possessive_at(lower, end)) {
        return None;
    }
    if end > stop {
        return None;
    }
    Some(AsciiWord {
        end,
        next,
        head,
        tail,
    })
}

/// A possessive `'s` at byte `at` of `lower` (an apostrophe), as
/// [`contraction_at`] tells it from a contraction, when the byte after the
/// `s` is ASCII (`false` otherwise, left to `contraction_at`).
#[cold]
#[inline(never)]
fn possessive_at(lower: &[u8], at: usize) -> bool {
    lower.get(at + 1) == Some(&b's')
        && lower
            .get(at + 2)
            .is_some_and(|&b| b.is_ascii() && !b.is_ascii_alphabetic())
}

/// The length of the run of ASCII letters and digits at the start of
/// `bytes`, and whether it holds an uppercase letter; eight bytes at a time.
fn ascii_word_run(bytes: &[u8]) -> (usize, bool) {
    let mut run = 0;
    let mut upper = false;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let Ok(lanes) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let v = u64::from_le_bytes(lanes);
        let capital = capital_lanes(v);
        let other = !word_lanes(v) & LANE_HIGH_BITS;
        if other == 0 {
            upper |= capital != 0;
            run += 8;
            continue;
        }
        let word_bytes = other.trailing_zeros() / 8;
        let kept = (1u64 << (8 * word_bytes)).wrapping_sub(1);
        upper |= capital & kept != 0;
        return (run + word_bytes as usize, upper);
    }
    for &d in chunks.remainder() {
        let class = ascii_class(d);
        if class & WORD == 0 {
            break;
        }
        upper |= class & UPPER != 0;
        run += 1;
    }
    (run, upper)
}

/// The end of the word starting at `start` (stopping at `stop`, a mention
/// start on a character boundary), its last character, whether it is ASCII
/// and whether it has uppercase letters. Contractions (don't, we'll) stay
/// one word; possessive 's does not.
#[inline(never)]
fn word_end(text: &str, start: usize, stop: usize) -> (usize, char, bool, bool) {
    let bytes = text.as_bytes();
    let limit = if stop > start {
        stop.min(bytes.len())
    } else {
        bytes.len()
    };
    let mut j = start;
    let mut ascii = true;
    let mut classes = 0u8;
    let mut last = ' ';
    loop {
        // ASCII letters and digits: the bulk of every word.
        let run_start = j;
        let (run, upper) = ascii_word_run(bytes.get(j..limit).unwrap_or_default());
        j += run;
        if upper {
            classes |= UPPER;
        }
        if j > run_start {
            if let Some(&d) = bytes.get(j - 1) {
                last = char::from(d);
            }
        }
        if j >= limit {
            break;
        }
        match bytes.get(j) {
            Some(&b'\'') if contraction_at(text, j) => {
                last = '\'';
                j += 1;
            }
            Some(&d) if !d.is_ascii() => match char_at(text, j) {
                Some(d) if is_word_char(d) => {
                    ascii = false;
                    last = d;
                    j += d.len_utf8();
                }
                _ => break,
            },
            _ => break,
        }
    }
    (j, last, ascii, classes & UPPER != 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The tokenizer as it was before tokens kept their lowercase words in
    /// one buffer and their function-word kinds from the vocabulary: the
    /// reference the fast one is tested against.
    #[derive(Debug)]
    struct RefToken {
        lower: String,
        word: u32,
        mention: Option<usize>,
        us: bool,
        capitalized: bool,
        before: Marks,
        clause: usize,
        quoted: bool,
        #[allow(dead_code)]
        functions: u16,
        #[allow(dead_code)]
        source: Option<Report>,
    }

    /// The lowercase form of a word that is not all lowercase ASCII.
    fn reference_lowercase(word: &str, ascii: bool) -> String {
        if ascii {
            let mut lower = word.to_string();
            lower.as_mut_str().make_ascii_lowercase();
            return lower;
        }
        word.chars().flat_map(char::to_lowercase).collect()
    }

    /// Splits a folded unit into tokens; `quoted_at_start` says whether a
    /// quotation opened in an earlier unit is still open; `intern` gives a
    /// lowercase word's vocabulary id. Returns the tokens and whether a
    /// quotation is open at the end of the unit.
    fn reference_tokenize(
        text: &str,
        mentions: &[UnitMention],
        quoted_at_start: bool,
        intern: impl Fn(&str) -> u32,
    ) -> (Vec<RefToken>, bool) {
        let bytes = text.as_bytes();
        let mut tokens = Vec::with_capacity(bytes.len() / 5 + 1);
        let mut quoted = quoted_at_start;
        let mut clause = 0usize;
        let mut before = Marks::default();
        let mut next_mention = 0usize;
        let mut mention_start = mentions.first().map_or(usize::MAX, |m| m.start);
        let mut previous: Option<char> = None;
        let mut i = 0usize;
        while let Some(&byte) = bytes.get(i) {
            if i >= mention_start {
                while mentions.get(next_mention).is_some_and(|m| m.end <= i) {
                    next_mention += 1;
                }
                mention_start = mentions.get(next_mention).map_or(usize::MAX, |m| m.start);
                if i == mention_start {
                    let Some(m) = mentions.get(next_mention) else {
                        break;
                    };
                    let surface = text.get(m.start..m.end).unwrap_or_default();
                    tokens.push(RefToken {
                        word: NO_WORD,
                        lower: if surface.is_ascii() {
                            reference_lowercase(surface, true)
                        } else {
                            surface.to_lowercase()
                        },
                        mention: Some(next_mention),
                        us: m.actor == "USA",
                        capitalized: true,
                        before: std::mem::take(&mut before),
                        clause,
                        quoted,
                        functions: 0,
                        source: None,
                    });
                    previous = surface.chars().next_back().or(previous);
                    i = m.end;
                    next_mention += 1;
                    mention_start = mentions.get(next_mention).map_or(usize::MAX, |m| m.start);
                    continue;
                }
            }
            let (c, class) = if byte.is_ascii() {
                (char::from(byte), ascii_class(byte))
            } else {
                let Some(c) = text.get(i..).and_then(|rest| rest.chars().next()) else {
                    break;
                };
                (c, char_class(c))
            };
            if class & WORD != 0 {
                let (end, last, ascii, upper) = word_end(text, i, mention_start);
                let word = text.get(i..end).unwrap_or_default();
                let lower = if ascii && !upper {
                    word.to_string()
                } else {
                    reference_lowercase(word, ascii)
                };
                tokens.push(RefToken {
                    word: intern(&lower),
                    lower,
                    mention: None,
                    us: false,
                    capitalized: class & UPPER != 0,
                    before: std::mem::take(&mut before),
                    clause,
                    quoted,
                    functions: 0,
                    source: None,
                });
                previous = Some(last);
                i = end;
                continue;
            }
            if class & (BREAK | SPECIAL) != 0 {
                match byte {
                    // Possessive `'s` after a word is skipped entirely.
                    b'\'' => {
                        if matches!(bytes.get(i + 1), Some(b's' | b'S'))
                            && !char_at(text, i + 2).is_some_and(char::is_alphabetic)
                            && previous.is_some_and(char::is_alphanumeric)
                        {
                            previous = Some('s');
                            i += 2;
                            continue;
                        }
                    }
                    b'"' => {
                        quoted = !quoted;
                        clause += 1;
                        before.push('"');
                    }
                    b'-' => {
                        // A spaced dash separates clauses; a hyphen joins words.
                        let spaced = previous.is_some_and(char::is_whitespace)
                            || char_at(text, i + 1).is_some_and(char::is_whitespace);
                        if spaced {
                            clause += 1;
                            before.push('\u{2014}');
                        } else {
                            before.push('-');
                        }
                    }
                    _ => {
                        clause += 1;
                        before.push(c);
                    }
                }
            }
            previous = Some(c);
            i += c.len_utf8();
        }
        (tokens, quoted)
    }

    fn split(text: &str, mentions: &[UnitMention], quoted: bool) -> (Tokens, bool) {
        let mut tokens = Tokens::default();
        let open = tokenize(text, mentions, quoted, &|_: &str| (NO_WORD, 0), &mut tokens);
        (tokens, open)
    }

    /// `ascii_word_run` one byte at a time.
    fn ascii_word_run_bytewise(bytes: &[u8]) -> (usize, bool) {
        let run = bytes
            .iter()
            .position(|&b| ascii_class(b) & WORD == 0)
            .unwrap_or(bytes.len());
        let upper = bytes[..run].iter().any(u8::is_ascii_uppercase);
        (run, upper)
    }

    /// A small vocabulary for the tokenizer tests.
    fn test_word_id(word: &str) -> u32 {
        [
            "the",
            "he",
            "said",
            "don't",
            "\u{e9}t\u{e9}",
            "i\u{307}stanbul",
            "\u{3c3}\u{3c2}",
        ]
        .iter()
        .position(|w| *w == word)
        .map_or(NO_WORD, |id| id as u32)
    }

    /// Mentions from byte positions: snapped to character boundaries,
    /// sorted and without overlaps, as `unit_mentions` gives them.
    fn mentions_at(text: &str, cuts: &[(usize, usize)]) -> Vec<UnitMention<'static>> {
        let snap = |mut at: usize| {
            at = at.min(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        let mut spans: Vec<(usize, usize)> = cuts
            .iter()
            .map(|&(a, len)| (snap(a), snap(a + len)))
            .filter(|(a, b)| a < b)
            .collect();
        spans.sort_by_key(|&(a, b)| (a, std::cmp::Reverse(b)));
        let mut last_end = 0;
        spans.retain(|&(a, b)| {
            let keep = a >= last_end;
            if keep {
                last_end = b;
            }
            keep
        });
        spans
            .into_iter()
            .enumerate()
            .map(|(k, (start, end))| UnitMention {
                actor: if k % 2 == 0 { "USA" } else { "IRN" },
                start,
                end,
            })
            .collect()
    }

    proptest! {
        #[test]
        fn unit_text_and_mentions_match_fold_range(
            src in "([a-zA-Z ,.'\"-]|\u{2019}|\u{e9}|\u{60}|\t){0,40}",
            from in 0usize..40,
            len in 0usize..40,
            cuts in proptest::collection::vec((0usize..50, 0usize..12), 0..4),
        ) {
            let start = from.min(src.len());
            let end = (start + len).min(src.len());
            prop_assume!(src.is_char_boundary(start) && src.is_char_boundary(end));
            let mut buffer = Folded::default();
            let unit = UnitText::fold(&src, start..end, &mut buffer);
            let full = crate::fold::fold_range(&src, start..end);
            let folded = UnitText::Folded(&full);
            prop_assert_eq!(unit.text(), folded.text());
            let mentions: Vec<Mention> = cuts
                .iter()
                .map(|&(at, n)| Mention {
                    sent: 0,
                    start: at,
                    end: at + n,
                    actor: "USA".into(),
                    entity: "USA".into(),
                })
                .collect();
            let refs: Vec<&Mention> = mentions.iter().collect();
            let spans = |list: Vec<UnitMention>| -> Vec<(usize, usize)> {
                list.iter().map(|m| (m.start, m.end)).collect()
            };
            prop_assert_eq!(spans(unit_mentions(&unit, &refs)), spans(unit_mentions(&folded, &refs)));
        }

        #[test]
        fn tokens_match_the_reference_tokenizer(
            text in "([a-zA-Z0-9 ,;:.!?()\\[\\]\"'-]|\u{e9}|\u{c9}|\u{130}|\u{df}|\u{3a3}|\u{2019}|\u{301}|\u{a0}|\n){0,60}",
            cuts in proptest::collection::vec((0usize..80, 1usize..12), 0..4),
            quoted in any::<bool>(),
        ) {
            let mentions = mentions_at(&text, &cuts);
            let (expected, expected_open) =
                reference_tokenize(&text, &mentions, quoted, test_word_id);
            let mut tokens = Tokens::default();
            let open = tokenize(&text, &mentions, quoted, &|w: &str| (test_word_id(w), 7), &mut tokens);
            prop_assert_eq!(open, expected_open);
            prop_assert_eq!(tokens.len(), expected.len());
            prop_assert_eq!(tokens.has_us(), expected.iter().any(|t| t.us));
            for (t, e) in tokens.iter().zip(&expected) {
                prop_assert_eq!(tokens.lower(t), e.lower.as_str());
                prop_assert_eq!(t.word, e.word);
                prop_assert_eq!(t.mention(), e.mention);
                prop_assert_eq!(t.us, e.us);
                prop_assert_eq!(t.capitalized, e.capitalized);
                prop_assert_eq!(t.before, e.before);
                prop_assert_eq!(t.clause as usize, e.clause);
                prop_assert_eq!(t.quoted, e.quoted);
                prop_assert_eq!(t.functions, if t.is_mention() { MAY_START } else { 7 });
                prop_assert_eq!(t.source, None);
            }
        }

        #[test]
        fn ascii_words_match_word_end(
            text in "([a-zA-Z0-9 ,.'-]|\u{e9}|\u{c9}){0,40}",
            start in 0usize..40,
            stop in 0usize..44,
        ) {
            let start = start.min(text.len());
            let first_is_word = text.as_bytes().get(start).is_some_and(u8::is_ascii_alphanumeric);
            if first_is_word && text.is_char_boundary(stop.min(text.len())) {
                let (end, _, ascii, _) = word_end(&text, start, stop);
                let lowercase = text.to_ascii_lowercase();
                let word_stop = if stop > start { stop } else { usize::MAX };
                match ascii_word(lowercase.as_bytes(), start, word_stop) {
                    Some(w) => {
                        prop_assert_eq!((w.end, true), (end, ascii));
                        let lower = &lowercase[start..end];
                        prop_assert!(lower.len() <= 15);
                        prop_assert_eq!(w.head, short_key(lower.as_bytes()));
                        prop_assert_eq!(w.tail, short_key(lower.as_bytes().get(8..).unwrap_or_default()));
                    }
                    None => {
                        // Only other words are left to `word_end`: long
                        // ones, those followed by an apostrophe or a
                        // character that is not ASCII, and those a mention
                        // cuts.
                        let run = text.as_bytes()[start..]
                            .iter()
                            .take_while(|b| b.is_ascii_alphanumeric())
                            .count();
                        let next = text.as_bytes().get(start + run);
                        prop_assert!(
                            run > 15
                                || next == Some(&b'\'')
                                || next.is_some_and(|b| !b.is_ascii())
                                || (stop > start && start + run > stop)
                        );
                    }
                }
            }
        }

        #[test]
        fn folded_offsets_galloped_to_are_the_binary_searched_ones(
            src in "([a-z ,.'\"-]|\u{2019}|\u{201C}|\u{2014}|\u{2026}|\u{a0}|\u{e9}|e\u{301}|\u{200B}|\u{FB01}|\u{BD}){0,30}",
            guesses in proptest::collection::vec(0usize..80, 1..6),
        ) {
            let full = crate::fold::fold_range(&src, 0..src.len());
            let unit = UnitText::Folded(&full);
            let len = unit.text().len();
            for target in 0..=src.len() + 1 {
                let (mut lo, mut hi) = (0usize, len);
                while lo < hi {
                    let mid = (lo + hi) / 2;
                    if unit.to_source(mid) < target {
                        lo = mid + 1;
                    } else {
                        hi = mid;
                    }
                }
                for &guess in &guesses {
                    prop_assert_eq!(folded_offset(&unit, len, target, guess), lo);
                }
            }
        }

        #[test]
        fn plain_runs_of_units_in_order_are_their_own_plain_runs(
            bytes in proptest::collection::vec(
                prop_oneof![8 => 0x20u8..0x7f, 1 => Just(b'\n'), 1 => any::<u8>()],
                0..90,
            ),
            cuts in proptest::collection::vec(0usize..90, 0..8),
            back in proptest::collection::vec(0usize..90, 0..3),
        ) {
            // Units in order, touching or not, then a few out of order.
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(bytes.len())).collect();
            cuts.sort_unstable();
            let mut spans: Vec<Span> = cuts.windows(2).map(|w| w[0]..w[1]).collect();
            spans.extend(back.iter().map(|&b| b.min(bytes.len())..bytes.len()));
            let mut runs = PlainRuns::default();
            for span in spans {
                let own = plain_run(&bytes[span.clone()]);
                prop_assert_eq!(runs.run(&bytes, &span), own, "{:?}", span);
            }
        }

        #[test]
        fn word_runs_match_the_bytewise_scan(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            prop_assert_eq!(ascii_word_run(&bytes), ascii_word_run_bytewise(&bytes));
        }

        #[test]
        fn word_runs_of_ascii_text_match(text in "[a-zA-Z0-9 @`\\[{_.,'\u{e9}-]{0,40}") {
            let bytes = text.as_bytes();
            prop_assert_eq!(ascii_word_run(bytes), ascii_word_run_bytewise(bytes));
        }
    }

    #[test]
    fn word_runs_stop_at_every_kind_of_byte() {
        assert_eq!(ascii_word_run(b"Washington said"), (10, true));
        assert_eq!(ascii_word_run(b"abcdefgh"), (8, false));
        assert_eq!(ascii_word_run(b"abcdefghZ"), (9, true));
        assert_eq!(ascii_word_run(b"abcdefgh@"), (8, false));
        assert_eq!(ascii_word_run("caf\u{e9}s".as_bytes()), (3, false));
        assert_eq!(ascii_word_run(b"09az AZ"), (4, false));
        assert_eq!(ascii_word_run(b"a`b[c{d"), (1, false));
        assert_eq!(ascii_word_run(b""), (0, false));
    }

    #[test]
    fn splits_words_possessives_and_mentions() {
        let text = "Washington's allies don't trust the \"United States\", he said.";
        let mentions = vec![
            UnitMention {
                actor: "USA",
                start: 0,
                end: 10,
            },
            UnitMention {
                actor: "USA",
                start: 37,
                end: 50,
            },
        ];
        let (tokens, open) = split(text, &mentions, false);
        let words: Vec<&str> = tokens.iter().map(|t| tokens.lower(t)).collect();
        assert_eq!(
            words,
            vec![
                "washington",
                "allies",
                "don't",
                "trust",
                "the",
                "united states",
                "he",
                "said"
            ]
        );
        assert!(!open);
        assert!(tokens[5].quoted);
        assert!(!tokens[6].quoted);
        assert!(tokens[6].before.has('"') && tokens[6].before.has(','));
        assert!(!tokens[6].before.has(':'));
        assert_eq!(tokens[0].mention(), Some(0));
        assert_eq!(tokens[5].mention(), Some(1));
    }

    #[test]
    fn a_mention_right_after_a_word_and_a_space_stays_whole() {
        let text = "Officials in Washington said so";
        let mentions = vec![UnitMention {
            actor: "USA",
            start: 13,
            end: 23,
        }];
        let (tokens, _) = split(text, &mentions, false);
        let words: Vec<&str> = tokens.iter().map(|t| tokens.lower(t)).collect();
        assert_eq!(words, ["officials", "in", "washington", "said", "so"]);
        assert_eq!(tokens[2].mention(), Some(0));
        assert!(tokens[2].us && !tokens[1].is_mention() && !tokens[3].is_mention());
    }

    #[test]
    fn open_quote_carries_over() {
        let (tokens, open) = split("He vowed: \"We will not forgive.", &[], false);
        assert!(open);
        assert!(tokens.last().is_some_and(|t| t.quoted));
        let (tokens, open) = split("We will hunt you.\"", &[], true);
        assert!(!open);
        assert!(tokens[0].quoted);
    }
}
