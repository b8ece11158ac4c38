//! Needed literals: read from a pattern's syntax tree, whether its anchored
//! automaton may have to read a whole line ([`floats`]), and a few short
//! strings of which every match holds one ([`needed_literals`]), so that a
//! line holding none of them can be proved not to match without running the
//! regex. Both are only ever used to skip work: a wrong answer here could
//! change a verdict, so every step keeps to what the syntax tree guarantees.
//!
//! Literals are compared ASCII case-insensitively (they are kept in ASCII
//! lower case, and so must the searched text be). Unicode case folding also
//! maps two non-ASCII characters to ASCII letters (`ſ` to `s`, the Kelvin
//! sign `K` to `k`); literals never list them, so a line holding either one
//! must always be taken as holding a needed literal ([`FOLDS_TO_ASCII`]).

use regex_syntax::hir::{Class, Hir, HirKind};

/// The non-ASCII characters that case-insensitive patterns match in place of
/// an ASCII letter. Literals ignore them: a line that holds one of them must
/// be treated as if it held every needed literal.
pub const FOLDS_TO_ASCII: [char; 2] = ['\u{17F}', '\u{212A}'];

/// At most this many literals make a set worth searching for.
const MAX_LITERALS: usize = 16;
/// At most this many strings are listed while sets are multiplied out.
const MAX_LISTED: usize = 256;
/// A class of more characters than this is not listed.
const MAX_CLASS: usize = 4;
/// A repetition of more than this many copies is not listed.
const MAX_COPIES: u32 = 4;

/// A set of literals of which every match of a pattern holds at least one
/// (ASCII lower case, none empty, none holding another).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Needed {
    pub literals: Vec<Vec<u8>>,
    /// The pattern matches a character of [`FOLDS_TO_ASCII`] somewhere.
    pub folds: bool,
    /// Sets of bytes (no ASCII letters) of which every match also holds one
    /// byte each (see [`needed_bytes`]).
    pub bytes: Vec<Vec<u8>>,
}

impl Needed {
    /// What searching for the set costs (see [`search_cost`]).
    pub fn cost(&self) -> u64 {
        search_cost(&self.literals)
    }
}

/// Whether the anchored automaton of `pattern` (parsed as the `regex` crate
/// parses it) may read any text from the start of a line: some part that can
/// start a match repeats, without bound, a class of letters and spaces (`.*`,
/// `[^.!?]+`). Such a pattern reads most lines to their end; the others give
/// up after the first few bytes of most lines. `false` when it does not parse.
#[cfg(test)]
fn floats(pattern: &str) -> bool {
    regex_syntax::Parser::new()
        .parse(pattern)
        .is_ok_and(|hir| floats_hir(&hir))
}

/// [`floats`] for a parsed pattern.
pub fn floats_hir(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) | HirKind::Literal(_) | HirKind::Class(_) => false,
        HirKind::Repetition(repetition) => {
            (repetition.max.is_none() && is_broad(&repetition.sub)) || floats_hir(&repetition.sub)
        }
        HirKind::Capture(capture) => floats_hir(&capture.sub),
        HirKind::Concat(parts) => {
            for part in parts {
                if floats_hir(part) {
                    return true;
                }
                if part.properties().minimum_len() != Some(0) {
                    return false;
                }
            }
            false
        }
        HirKind::Alternation(branches) => branches.iter().any(floats_hir),
    }
}

/// Whether `hir` is a class holding the space and every ASCII lower-case
/// letter (the bytes of ordinary text).
fn is_broad(hir: &Hir) -> bool {
    let text = b" abcdefghijklmnopqrstuvwxyz";
    match hir.kind() {
        HirKind::Class(Class::Unicode(class)) => text.iter().all(|&byte| {
            let c = char::from(byte);
            class
                .iter()
                .any(|range| range.start() <= c && c <= range.end())
        }),
        HirKind::Class(Class::Bytes(class)) => text.iter().all(|&byte| {
            class
                .iter()
                .any(|range| range.start() <= byte && byte <= range.end())
        }),
        _ => false,
    }
}

/// A set of literals every match of `pattern` holds one of, when one is
/// found (`None` also when the pattern does not parse).
#[cfg(test)]
fn needed_literals(pattern: &str) -> Option<Needed> {
    needed_in(&regex_syntax::Parser::new().parse(pattern).ok()?)
}

/// [`needed_literals`] for a parsed pattern.
pub fn needed_in(hir: &Hir) -> Option<Needed> {
    let literals = facts(hir).needed?;
    Some(Needed {
        literals,
        folds: matches_folding_chars(hir),
        bytes: needed_bytes(hir),
    })
}

/// Sets of at most three bytes, none an ASCII letter, of which every match
/// of `hir` holds one byte each: the one-byte literals and small classes
/// among the parts of its outermost concatenation (the `:` of `.*Photo\s*:.*`),
/// leaving out any part that matches a character of [`FOLDS_TO_ASCII`].
fn needed_bytes(hir: &Hir) -> Vec<Vec<u8>> {
    let parts = match hir.kind() {
        HirKind::Concat(parts) => parts.as_slice(),
        _ => std::slice::from_ref(hir),
    };
    let mut sets: Vec<Vec<u8>> = parts
        .iter()
        .filter(|part| !matches_folding_chars(part))
        .filter_map(|part| facts(part).needed)
        .filter(|set| set.len() <= 3)
        .filter_map(|set| {
            set.iter()
                .map(|literal| match *literal.as_slice() {
                    [byte] if !byte.is_ascii_alphabetic() => Some(byte),
                    _ => None,
                })
                .collect::<Option<Vec<u8>>>()
        })
        .collect();
    sets.sort();
    sets.dedup();
    sets
}

/// Whether a class of `hir` holds a character of [`FOLDS_TO_ASCII`].
fn matches_folding_chars(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) | HirKind::Literal(_) => false,
        HirKind::Class(Class::Unicode(class)) => FOLDS_TO_ASCII.iter().any(|&c| {
            class
                .iter()
                .any(|range| range.start() <= c && c <= range.end())
        }),
        HirKind::Class(Class::Bytes(_)) => false,
        HirKind::Repetition(repetition) => matches_folding_chars(&repetition.sub),
        HirKind::Capture(capture) => matches_folding_chars(&capture.sub),
        HirKind::Concat(parts) | HirKind::Alternation(parts) => {
            parts.iter().any(matches_folding_chars)
        }
    }
}

/// What is known of the texts a part of a pattern matches.
struct Facts {
    /// Every text it matches is one of these (`None`: too many to list).
    all: Option<Vec<Vec<u8>>>,
    /// Every text it matches holds one of these (`None`: none known).
    needed: Option<Vec<Vec<u8>>>,
}

fn facts(hir: &Hir) -> Facts {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Facts {
            all: Some(vec![Vec::new()]),
            needed: None,
        },
        HirKind::Literal(literal) => {
            let text = literal.0.to_ascii_lowercase();
            Facts {
                needed: (!text.is_empty()).then(|| vec![text.clone()]),
                all: Some(vec![text]),
            }
        }
        HirKind::Class(class) => {
            let members = class_members(class);
            Facts {
                needed: members.clone(),
                all: members,
            }
        }
        HirKind::Repetition(repetition) => {
            let sub = facts(&repetition.sub);
            let all = match (&sub.all, repetition.max) {
                (Some(all), _) if all.iter().all(Vec::is_empty) => Some(vec![Vec::new()]),
                (Some(all), Some(max)) if max <= MAX_COPIES => repeated(all, repetition.min, max),
                _ => None,
            };
            Facts {
                all,
                needed: if repetition.min > 0 { sub.needed } else { None },
            }
        }
        HirKind::Capture(capture) => facts(&capture.sub),
        HirKind::Concat(parts) => concat_facts(parts),
        HirKind::Alternation(branches) => {
            let facts: Vec<Facts> = branches.iter().map(facts).collect();
            let all = facts
                .iter()
                .map(|f| f.all.clone())
                .collect::<Option<Vec<_>>>()
                .and_then(|lists| minimal_list(lists.concat()));
            let union = facts
                .iter()
                .map(|f| f.needed.clone())
                .collect::<Option<Vec<_>>>()
                .and_then(|sets| needed_set(sets.concat()));
            let from_all = all.clone().and_then(needed_set);
            Facts {
                all,
                needed: better(union, from_all),
            }
        }
    }
}

/// A concatenation: what one part needs, or what a run of listed parts
/// spells out (`(?i)like us` needs `like us`, not only `l`).
fn concat_facts(parts: &[Hir]) -> Facts {
    let facts: Vec<Facts> = parts.iter().map(facts).collect();
    let mut needed = None;
    for fact in &facts {
        needed = better(needed, fact.needed.clone());
    }
    for start in 0..facts.len() {
        let mut run: Vec<Vec<u8>> = vec![Vec::new()];
        for fact in &facts[start..] {
            let Some(next) = fact.all.as_ref().and_then(|all| product(&run, all)) else {
                break;
            };
            run = next;
            needed = better(needed, needed_set(run.clone()));
        }
    }
    let mut all = Some(vec![Vec::new()]);
    for fact in &facts {
        all = match (all, &fact.all) {
            (Some(so_far), Some(next)) => product(&so_far, next),
            _ => None,
        };
    }
    Facts {
        all: all.and_then(minimal_list),
        needed,
    }
}

/// Every text of `min` to `max` copies of texts of `all`, if not too many.
fn repeated(all: &[Vec<u8>], min: u32, max: u32) -> Option<Vec<Vec<u8>>> {
    let mut listed = Vec::new();
    let mut copies = vec![Vec::new()];
    for count in 0..=max {
        if count >= min {
            listed.extend(copies.iter().cloned());
        }
        if count < max {
            copies = product(&copies, all)?;
        }
    }
    minimal_list(listed)
}

/// Every text of `left` followed by every text of `right`, if not too many.
fn product(left: &[Vec<u8>], right: &[Vec<u8>]) -> Option<Vec<Vec<u8>>> {
    if left.len().saturating_mul(right.len()) > MAX_LISTED {
        return None;
    }
    let mut out = Vec::with_capacity(left.len() * right.len());
    for l in left {
        for r in right {
            let mut text = l.clone();
            text.extend_from_slice(r);
            out.push(text);
        }
    }
    out.sort();
    out.dedup();
    Some(out)
}

/// `list` sorted without repeats, if not too long.
fn minimal_list(mut list: Vec<Vec<u8>>) -> Option<Vec<Vec<u8>>> {
    list.sort();
    list.dedup();
    (list.len() <= MAX_LISTED).then_some(list)
}

/// `literals` as a needed set: none empty, none holding another (a line
/// holding the longer one holds the shorter), not too many.
fn needed_set(mut literals: Vec<Vec<u8>>) -> Option<Vec<Vec<u8>>> {
    if literals.is_empty() || literals.iter().any(Vec::is_empty) {
        return None;
    }
    literals.sort_by(|a, b| a.len().cmp(&b.len()).then(a.cmp(b)));
    literals.dedup();
    let mut kept: Vec<Vec<u8>> = Vec::new();
    for literal in literals {
        if !kept.iter().any(|shorter| contains(&literal, shorter)) {
            kept.push(literal);
        }
    }
    (kept.len() <= MAX_LITERALS).then(|| {
        kept.sort();
        kept
    })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

/// The better of two needed sets: the one of lower [`search_cost`].
fn better(a: Option<Vec<Vec<u8>>>, b: Option<Vec<Vec<u8>>>) -> Option<Vec<Vec<u8>>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if search_cost(&b) < search_cost(&a) {
            b
        } else {
            a
        }),
        (a, b) => a.or(b),
    }
}

/// A rough cost of using `literals` to skip lines, where 10 000 is what
/// trying a floating rule on every line costs: a line holding a literal
/// runs the gated rules (a literal is taken to be in one line of
/// `2^(2/3 rarity)`), and each literal costs its search (a single byte is found
/// with `memchr`, three at a time; a longer literal takes a share of a
/// Teddy searcher).
pub fn search_cost(literals: &[Vec<u8>]) -> u64 {
    literals
        .iter()
        .map(|literal| {
            // Byte rarities overrate words: a third is taken off.
            let rarity = (literal_rarity(literal) * 2 / 3).min(40);
            let lines = 10_000u64 >> rarity;
            let search = if literal.len() == 1 { 15 } else { 100 };
            lines + search
        })
        .sum()
}

/// The members of a small class, as ASCII lower-case UTF-8 strings, without
/// the characters of [`FOLDS_TO_ASCII`] (`None`: too many, or none left).
fn class_members(class: &Class) -> Option<Vec<Vec<u8>>> {
    let mut members = Vec::new();
    match class {
        Class::Unicode(class) => {
            for range in class.iter() {
                let count = u32::from(range.end()) - u32::from(range.start()) + 1;
                if count as usize > 4 * MAX_CLASS {
                    return None;
                }
                for code in u32::from(range.start())..=u32::from(range.end()) {
                    let Some(c) = char::from_u32(code) else {
                        continue;
                    };
                    if FOLDS_TO_ASCII.contains(&c) {
                        continue;
                    }
                    let mut buf = [0; 4];
                    members.push(c.encode_utf8(&mut buf).as_bytes().to_ascii_lowercase());
                }
            }
        }
        Class::Bytes(class) => {
            for range in class.iter() {
                let count = usize::from(range.end()) - usize::from(range.start()) + 1;
                if count > 4 * MAX_CLASS {
                    return None;
                }
                for byte in range.start()..=range.end() {
                    members.push(vec![byte.to_ascii_lowercase()]);
                }
            }
        }
    }
    members.sort();
    members.dedup();
    (!members.is_empty() && members.len() <= MAX_CLASS).then_some(members)
}

/// How rare a literal looks in text: the sum of its bytes' [`byte_rarity`].
pub fn literal_rarity(literal: &[u8]) -> u32 {
    literal.iter().map(|&byte| byte_rarity(byte)).sum()
}

/// A rough rarity of a byte in news text (1: the commonest letters and the
/// space; 8: braces and other code punctuation).
pub fn byte_rarity(byte: u8) -> u32 {
    match byte.to_ascii_lowercase() {
        b' ' | b'e' | b't' | b'a' | b'o' | b'i' | b'n' | b's' | b'r' | b'h' => 1,
        b'l' | b'd' | b'c' | b'u' | b'm' | b'f' | b'p' | b'g' | b'w' | b'y' => 2,
        b'b' | b'v' | b'k' | b'.' | b',' | b'0'..=b'9' | b':' | 0x80..=0xFF => 3,
        b'x' | b'j' | b'q' | b'z' | b'\'' | b'"' | b'-' | b'(' | b')' | b'/' => 4,
        b';' | b'[' | b']' | b'@' | b'#' => 6,
        _ => 8,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needed(pattern: &str) -> Vec<String> {
        needed_literals(pattern)
            .map(|n| {
                n.literals
                    .iter()
                    .map(|l| String::from_utf8_lossy(l).into_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn floating_patterns_are_told_apart() {
        assert!(floats(r"^(?:(?i).*\b(like|follow) us)$"));
        assert!(floats(r"^(?:(<!--|-->).*|.*-->)$"));
        assert!(floats(r"^(?:[^.!?]+\[[A-Z]+\])$"));
        assert!(floats(r"^(?:(?i:x)?(.*y))$"));
        assert!(floats(r"^(?:([—–-]+\s*)?[^.!?]+\(@\w+\))$"));
        assert!(!floats(r"^(?:(\d+)?x.*)$"));
        assert!(!floats(r"^(?:(?i)(share|tweet)\s*:?)$"));
        assert!(!floats(r"^(?:\S+@\S+)$"));
        assert!(!floats(r"^(?:[^\p{L}\p{N}]*)$"));
        assert!(!floats(r"^(?:\(?(?i:more|related)\s*:.*\)?)$"));
    }

    #[test]
    fn literals_of_runs_alternations_and_case_insensitive_parts() {
        assert_eq!(
            needed(r"(?i).*\b(like|follow) (us|me) on (facebook|twitter)\b.*"),
            [" on facebook", " on twitter"]
        );
        assert_eq!(
            needed(r".*[\(\[](Photo|Photos)s?\b.*"),
            ["(photo", "[photo"]
        );
        assert_eq!(needed(r".*(\)\s*\{|;\s*\}).*"), ["{", "}"]);
        assert_eq!(needed(r"[^.!?]+\(@\w+\)"), ["(@"]);
        assert_eq!(needed(r"(?i)x+"), ["x"]);
        assert!(needed(r".*").is_empty());
        assert!(needed(r"a|.*").is_empty());
        assert!(needed(r"\p{L}+").is_empty());
    }

    #[test]
    fn bytes_every_match_holds_beside_the_literals() {
        let bytes = |pattern: &str| {
            needed_literals(pattern)
                .map(|n| n.bytes)
                .unwrap_or_default()
        };
        assert_eq!(bytes(r"^(?:.*\b(Photo|Image)\s*:.*)$"), [b":".to_vec()]);
        assert_eq!(
            bytes(r"^(?:.*[\(\[](Photo|Image)s?[^)\]]*[\)\]]\.?)$"),
            [b"([".to_vec(), b")]".to_vec()]
        );
        // Letters may be matched by the characters case folding maps to them.
        assert_eq!(bytes(r"(?i)^(?:.*\bphotos:.*)$"), [b":".to_vec()]);
        assert!(bytes(r"^(?:.*[:\x{17F}]x.*)$").is_empty());
    }

    #[test]
    fn folding_characters_are_left_out() {
        // `(?i)k` matches the Kelvin sign too; the literal keeps only `k`.
        assert_eq!(needed(r"(?i)kz"), ["kz"]);
        assert_eq!(needed(r"(?i)sz"), ["sz"]);
    }
}
