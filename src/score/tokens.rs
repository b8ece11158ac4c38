//! Word tokens of one folded sentence unit: lowercased words with their
//! folded offsets, the actor mention each lies in (a whole mention is one
//! token), the punctuation before each word, clause numbers and quote state.

use super::pattern::NO_WORD;
use super::rules::{Function, Report};
use crate::fold::Folded;
use crate::text::{capital_lanes, word_lanes, LANE_HIGH_BITS};
use crate::types::Mention;
use compact_str::CompactString;

/// One word (or one whole actor mention) of a unit.
#[derive(Debug, Clone)]
pub struct Token {
    /// Lowercased word; a mention's whole surface for mention tokens.
    pub lower: CompactString,
    /// The rule vocabulary's id for `lower` (`PatternSet::intern`), or
    /// `NO_WORD`.
    pub word: u32,
    /// Index into the unit's mentions when the token is an actor mention.
    pub mention: Option<usize>,
    /// The token is a mention of the United States (`USA`).
    pub us: bool,
    /// The word starts with an uppercase letter.
    pub capitalized: bool,
    /// Punctuation between the previous token and this one (`,`, `"`, `:`).
    pub before: Marks,
    /// Clause number: grows at `,`, `;`, `:`, dashes, brackets and quotes.
    pub clause: usize,
    /// The word lies inside a quotation.
    pub quoted: bool,
    /// Bits of the function-word kinds matching this word (`Rules::mark`).
    pub functions: u16,
    /// The kind of non-actor source starting at this word (`Rules::mark`).
    pub source: Option<Report>,
}

impl Token {
    /// Whether a function word of `kind` matches this word.
    pub fn is(&self, kind: Function) -> bool {
        self.functions & kind.bit() != 0
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

/// Folded offsets of the unit's mentions (folded text covers the source
/// range the mentions lie in).
pub fn unit_mentions<'a>(folded: &Folded, mentions: &[&'a Mention]) -> Vec<UnitMention<'a>> {
    let len = folded.text().len();
    let to_folded = |src: usize| -> usize {
        // First folded byte whose source offset is >= src.
        let (mut lo, mut hi) = (0usize, len);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if folded.to_source(mid) < src {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    };
    let text = folded.text();
    let mut out: Vec<UnitMention<'a>> = mentions
        .iter()
        .filter_map(|m| {
            let start = to_folded(m.start);
            let end = to_folded(m.end).max(start);
            (start < end && text.is_char_boundary(start) && text.is_char_boundary(end)).then(|| {
                UnitMention {
                    actor: &m.actor,
                    start,
                    end,
                }
            })
        })
        .collect();
    out.sort_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
    let mut last_end = 0;
    out.retain(|m| {
        let keep = m.start >= last_end;
        if keep {
            last_end = m.end;
        }
        keep
    });
    out
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
const WORD: u8 = 1;
const UPPER: u8 = 2;
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

fn ascii_class(byte: u8) -> u8 {
    ASCII_CLASSES[usize::from(byte)]
}

/// The lowercase form of a word that is not all lowercase ASCII.
fn lowercase(word: &str, ascii: bool) -> CompactString {
    if ascii {
        let mut lower = CompactString::new(word);
        lower.as_mut_str().make_ascii_lowercase();
        return lower;
    }
    word.chars().flat_map(char::to_lowercase).collect()
}

/// Splits a folded unit into tokens; `quoted_at_start` says whether a
/// quotation opened in an earlier unit is still open; `intern` gives a
/// lowercase word's vocabulary id. Returns the tokens and whether a
/// quotation is open at the end of the unit.
pub fn tokenize(
    text: &str,
    mentions: &[UnitMention],
    quoted_at_start: bool,
    intern: impl Fn(&str) -> u32,
) -> (Vec<Token>, bool) {
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
                tokens.push(Token {
                    word: NO_WORD,
                    lower: if surface.is_ascii() {
                        lowercase(surface, true)
                    } else {
                        CompactString::from(surface.to_lowercase())
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
            let mut class = 0;
            if is_word_char(c) {
                class |= WORD;
            }
            if c.is_uppercase() {
                class |= UPPER;
            }
            (c, class)
        };
        if class & WORD != 0 {
            let (end, last, ascii, upper) = word_end(text, i, mention_start);
            let word = text.get(i..end).unwrap_or_default();
            let lower = if ascii && !upper {
                CompactString::new(word)
            } else {
                lowercase(word, ascii)
            };
            tokens.push(Token {
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

    /// `ascii_word_run` one byte at a time.
    fn ascii_word_run_bytewise(bytes: &[u8]) -> (usize, bool) {
        let run = bytes
            .iter()
            .position(|&b| ascii_class(b) & WORD == 0)
            .unwrap_or(bytes.len());
        let upper = bytes[..run].iter().any(u8::is_ascii_uppercase);
        (run, upper)
    }

    proptest! {
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
        let (tokens, open) = tokenize(text, &mentions, false, |_| NO_WORD);
        let words: Vec<&str> = tokens.iter().map(|t| t.lower.as_str()).collect();
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
        assert_eq!(tokens[0].mention, Some(0));
        assert_eq!(tokens[5].mention, Some(1));
    }

    #[test]
    fn open_quote_carries_over() {
        let (tokens, open) = tokenize("He vowed: \"We will not forgive.", &[], false, |_| NO_WORD);
        assert!(open);
        assert!(tokens.last().is_some_and(|t| t.quoted));
        let (tokens, open) = tokenize("We will hunt you.\"", &[], true, |_| NO_WORD);
        assert!(!open);
        assert!(tokens[0].quoted);
    }
}
