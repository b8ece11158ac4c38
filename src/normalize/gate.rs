//! The literal gate of the floating boilerplate rules: one search of a whole
//! document for the literals those rules need (see [`super::needs`]) marks
//! each line with the rules whose literals it holds; a line cannot match a
//! rule it is not marked with. A mark is then checked on the line itself:
//! the rule's own literals (the search looks for shorter parts of them,
//! shared between rules) and the bytes it needs besides (the `:` of
//! `.*Photo\s*:.*`) must all be there, or the mark is taken off.
//! Single bytes (and pairs holding a rare byte, by that byte) are found with
//! `memchr`, other pairs with `memmem`, longer literals with one packed
//! (Teddy) searcher over an ASCII lower-cased copy; its 16-bucket form tells
//! the literals apart well enough that few false candidates need checking.

use super::needs::{byte_rarity, literal_rarity, Needed, FOLDS_TO_ASCII};
use aho_corasick::{packed, AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use memchr::memmem;
use std::ops::Range;

/// Longer literals are searched this many to a searcher when the CPU cannot
/// run the packed one: Aho-Corasick's own prefilter uses Teddy only for few
/// literals.
const LITERALS_PER_SEARCHER: usize = 8;

/// A two-byte literal is searched as its rarer byte alone when that byte is
/// at least this rare (see [`byte_rarity`]): a pass of `memchr` for a rare
/// byte costs less than one of `memmem` for the pair.
const RARE_BYTE: u32 = 6;

/// The lead bytes of the two-byte characters from U+0100 to U+03FF (Latin
/// Extended, IPA, Greek), searched as rare bytes.
const RARE_LEAD_FROM: u8 = 0xC4;
const RARE_LEAD_TO: u8 = 0xCF;

/// The rules of a line, one bit each (see [`rule_bit`]).
pub type RuleMask = u64;

/// The bit of the rule at `position` among the gated rules: the rules from
/// the 64th on share the last bit.
pub fn rule_bit(position: usize) -> RuleMask {
    1 << position.min(RuleMask::BITS as usize - 1)
}

/// Searches for the literals of some needed sets.
#[derive(Debug, Clone)]
pub struct Gate {
    /// The rules marked by each byte: the single bytes (both cases of a
    /// letter), searched in the text itself.
    byte_rules: Box<[RuleMask; 256]>,
    /// The bytes of `byte_rules` that mark rules.
    bytes: Vec<u8>,
    /// Two-byte literals (lower case), searched one by one, and their rules.
    pairs: Vec<(memmem::Finder<'static>, RuleMask)>,
    /// Longer literals (lower case).
    longer: Longer,
    /// The rules marked by each longer literal, in the searcher's order.
    longer_rules: Vec<RuleMask>,
    /// The checks of the marks, for the rules that have one.
    checks: Vec<Check>,
}

/// What a line marked with a rule must hold for the mark to stay.
#[derive(Debug, Clone)]
struct Check {
    bit: RuleMask,
    /// One of the rule's needed literals (lower case), when the gate's own
    /// literals do not prove it.
    literals: Option<AhoCorasick>,
    /// One byte of each set.
    bytes: Vec<Vec<u8>>,
}

impl Check {
    /// Whether `line` (ASCII lower case) passes.
    fn passes(&self, line: &[u8]) -> bool {
        let holds = |set: &Vec<u8>| match *set.as_slice() {
            [a] => memchr::memchr(a, line).is_some(),
            [a, b] => memchr::memchr2(a, b, line).is_some(),
            [a, b, c] => memchr::memchr3(a, b, c, line).is_some(),
            _ => true,
        };
        self.bytes.iter().all(holds)
            && self
                .literals
                .as_ref()
                .is_none_or(|literals| literals.is_match(line))
    }
}

/// The searcher of the longer literals.
#[derive(Debug, Clone)]
enum Longer {
    None,
    /// All in one pass (Teddy, where the CPU has its vector instructions).
    Packed(packed::Searcher),
    /// A few to a searcher.
    Chunks(Vec<AhoCorasick>),
}

impl Gate {
    /// A gate for `sets`, the needed sets of the gated rules in order: a
    /// line holding no literal of a rule's set cannot match that rule.
    /// `None` when a searcher does not build (the rules are then left
    /// ungated).
    pub fn new<'a>(sets: impl IntoIterator<Item = &'a Needed>) -> Option<Gate> {
        let sets: Vec<&Needed> = sets.into_iter().collect();
        // Every literal a line may hold for a rule, with the rule's bit.
        let mut held: Vec<(Vec<u8>, RuleMask)> = Vec::new();
        for (position, set) in sets.iter().enumerate() {
            let bit = rule_bit(position);
            held.extend(
                set.literals
                    .iter()
                    .map(|literal| (rarest_tail(literal), bit)),
            );
            if set.folds {
                held.extend(
                    FOLDS_TO_ASCII
                        .iter()
                        .map(|c| (c.to_string().into_bytes(), bit)),
                );
            }
        }
        let literals = without_longer(held.iter().map(|(literal, _)| literal.clone()).collect());
        // A line holding a literal holds every shorter literal inside it.
        let rules_of = |literal: &[u8]| -> RuleMask {
            held.iter()
                .filter(|(longer, _)| memmem::find(longer, literal).is_some())
                .fold(0, |mask, (_, bit)| mask | bit)
        };
        let checks = Gate::checks(&sets, &literals, rules_of)?;
        let mut byte_rules = Box::new([0; 256]);
        let mut pairs = Vec::new();
        let mut longer = Vec::new();
        let mut longer_rules = Vec::new();
        for literal in literals {
            let rules = rules_of(&literal);
            let byte = match *literal.as_slice() {
                [byte] => Some(byte),
                // A line holding the pair holds each of its bytes.
                [a, b] if byte_rarity(a).max(byte_rarity(b)) >= RARE_BYTE => {
                    Some(if byte_rarity(b) > byte_rarity(a) {
                        b
                    } else {
                        a
                    })
                }
                // A two-byte character past Latin-1 and before Cyrillic
                // (`ſ`): its lead byte is rare in the world's news.
                [lead @ RARE_LEAD_FROM..=RARE_LEAD_TO, _] => Some(lead),
                [_, _] => {
                    pairs.push((memmem::Finder::new(&literal).into_owned(), rules));
                    None
                }
                _ => {
                    longer.push(literal);
                    longer_rules.push(rules);
                    None
                }
            };
            if let Some(byte) = byte {
                for case in [byte.to_ascii_lowercase(), byte.to_ascii_uppercase()] {
                    byte_rules[usize::from(case)] |= rules;
                }
            }
        }
        let bytes = (0..=u8::MAX)
            .filter(|&byte| byte_rules[usize::from(byte)] != 0)
            .collect();
        let longer = if longer.is_empty() {
            Longer::None
        } else if let Some(searcher) = packed::Config::new()
            .match_kind(packed::MatchKind::LeftmostFirst)
            .only_teddy_fat(Some(true))
            .builder()
            .extend(&longer)
            .build()
        {
            Longer::Packed(searcher)
        } else {
            let searchers = longer
                .chunks(LITERALS_PER_SEARCHER)
                .map(|chunk| {
                    AhoCorasickBuilder::new()
                        .match_kind(MatchKind::LeftmostFirst)
                        .build(chunk)
                        .ok()
                })
                .collect::<Option<Vec<_>>>()?;
            Longer::Chunks(searchers)
        };
        Some(Gate {
            byte_rules,
            bytes,
            pairs,
            longer,
            longer_rules,
            checks,
        })
    }

    /// The checks of the rules of `sets` (those with a bit of their own),
    /// where `literals` are what the gate searches for, each marking
    /// `rules_of` it. `None` when a searcher does not build.
    fn checks(
        sets: &[&Needed],
        literals: &[Vec<u8>],
        rules_of: impl Fn(&[u8]) -> RuleMask,
    ) -> Option<Vec<Check>> {
        let mut checks = Vec::new();
        for (position, set) in sets.iter().enumerate() {
            let bit = rule_bit(position);
            if position + 1 >= RuleMask::BITS as usize {
                break;
            }
            // A line holding a literal that marks the rule holds one of the
            // rule's own when every such literal is one of them.
            let proven = literals
                .iter()
                .filter(|literal| rules_of(literal) & bit != 0)
                .all(|literal| set.literals.contains(literal));
            let literals = if proven {
                None
            } else {
                let mut own = set.literals.clone();
                if set.folds {
                    own.extend(FOLDS_TO_ASCII.iter().map(|c| c.to_string().into_bytes()));
                }
                Some(
                    AhoCorasickBuilder::new()
                        .match_kind(MatchKind::LeftmostFirst)
                        // Quick to build; lines are short.
                        .kind(Some(AhoCorasickKind::ContiguousNFA))
                        .build(&own)
                        .ok()?,
                )
            };
            if literals.is_some() || !set.bytes.is_empty() {
                checks.push(Check {
                    bit,
                    literals,
                    bytes: set.bytes.clone(),
                });
            }
        }
        Some(checks)
    }

    /// Adds to each line of `lines` (sorted spans of `text` that do not
    /// overlap) the rules whose literals it holds, or may: a literal found
    /// across a line end marks the lines it touches.
    pub fn mark(&self, text: &str, lines: &[Range<usize>], marks: &mut [RuleMask]) {
        let mut mark = |start: usize, end: usize, rules: RuleMask| {
            let mut line = lines.partition_point(|span| span.end <= start);
            while let Some(span) = lines.get(line) {
                if span.start >= end {
                    break;
                }
                if let Some(mask) = marks.get_mut(line) {
                    *mask |= rules;
                }
                line += 1;
            }
        };
        let bytes = text.as_bytes();
        let mut mark_byte = |at: usize| {
            let rules = bytes
                .get(at)
                .map_or(0, |&b| self.byte_rules[usize::from(b)]);
            mark(at, at + 1, rules);
        };
        for three in self.bytes.chunks(3) {
            match *three {
                [a] => memchr::memchr_iter(a, bytes).for_each(&mut mark_byte),
                [a, b] => memchr::memchr2_iter(a, b, bytes).for_each(&mut mark_byte),
                [a, b, c] => memchr::memchr3_iter(a, b, c, bytes).for_each(&mut mark_byte),
                _ => {}
            }
        }
        if self.pairs.is_empty() && matches!(self.longer, Longer::None) && self.checks.is_empty() {
            return;
        }
        // Lower-cased as it is copied: one pass rather than a copy and a pass.
        let lower: Vec<u8> = bytes.iter().map(u8::to_ascii_lowercase).collect();
        for (pair, rules) in &self.pairs {
            pair.find_iter(&lower)
                .for_each(|at| mark(at, at + 2, *rules));
        }
        let rules_of = |literal: usize| self.longer_rules.get(literal).copied().unwrap_or(0);
        match &self.longer {
            Longer::None => {}
            Longer::Packed(searcher) => {
                for found in searcher.find_iter(&lower) {
                    mark(
                        found.start(),
                        found.end(),
                        rules_of(found.pattern().as_usize()),
                    );
                }
            }
            Longer::Chunks(searchers) => {
                for (chunk, searcher) in searchers.iter().enumerate() {
                    for found in searcher.find_iter(&lower) {
                        let literal = chunk * LITERALS_PER_SEARCHER + found.pattern().as_usize();
                        mark(found.start(), found.end(), rules_of(literal));
                    }
                }
            }
        }
        let checked = self.checks.iter().fold(0, |mask, check| mask | check.bit);
        for (span, mask) in lines.iter().zip(marks.iter_mut()) {
            if *mask & checked == 0 {
                continue;
            }
            let Some(line) = lower.get(span.clone()) else {
                continue;
            };
            for check in &self.checks {
                if *mask & check.bit != 0 && !check.passes(line) {
                    *mask &= !check.bit;
                }
            }
        }
    }
}

/// The part of `literal` from its rarest-looking three bytes on (every line
/// holding `literal` holds it): Teddy looks first for a literal's first
/// three bytes, which had better be rare (`fac` rather than ` on`).
fn rarest_tail(literal: &[u8]) -> Vec<u8> {
    let Some(last_start) = literal.len().checked_sub(3) else {
        return literal.to_vec();
    };
    let start = (0..=last_start)
        .rev()
        .max_by_key(|&at| literal_rarity(&literal[at..at + 3]))
        .unwrap_or(0);
    literal[start..].to_vec()
}

/// `literals` without repeats and without any that holds another one.
fn without_longer(mut literals: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    literals.sort_by(|a, b| a.len().cmp(&b.len()).then(a.cmp(b)));
    literals.dedup();
    let mut kept: Vec<Vec<u8>> = Vec::new();
    for literal in literals {
        if !kept
            .iter()
            .any(|shorter| memmem::find(&literal, shorter).is_some())
        {
            kept.push(literal);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needed(literals: &[&str]) -> Needed {
        Needed {
            literals: literals.iter().map(|l| l.as_bytes().to_vec()).collect(),
            folds: false,
            bytes: Vec::new(),
        }
    }

    fn marked(gate: &Gate, text: &str) -> Vec<RuleMask> {
        let mut lines = Vec::new();
        let mut start = 0;
        for line in text.split('\n') {
            lines.push(start..start + line.len());
            start += line.len() + 1;
        }
        let mut marks = vec![0; lines.len()];
        gate.mark(text, &lines, &mut marks);
        marks
    }

    #[test]
    fn marks_lines_with_the_rules_of_their_literals_in_any_ascii_case() {
        let gate = Gate::new([&needed(&["{", "photo"]), &needed(&["(@", "x"])]).expect("builds");
        assert_eq!(
            marked(
                &gate,
                "a PhOtO here\nnothing\nbrace }{\nX marks\n(@handle)\nphot o\n{x}"
            ),
            [1, 0, 1, 2, 2, 0, 3]
        );
    }

    #[test]
    fn a_shorter_literal_marks_the_rules_whose_own_literals_the_line_holds() {
        let gate = Gate::new([&needed(&["photos"]), &needed(&["photo"]), &needed(&["k"])])
            .expect("builds");
        assert_eq!(
            marked(&gate, "Photo\nPHOTOS\nK\nthe \u{212A}elvin sign"),
            [2, 3, 4, 0]
        );
        let folding = Needed {
            literals: vec![b"zz".to_vec()],
            folds: true,
            bytes: Vec::new(),
        };
        let gate = Gate::new([&needed(&["photo"]), &folding]).expect("builds");
        assert_eq!(marked(&gate, "lon\u{17F}\nzz\nphoto"), [2, 2, 1]);
        assert_eq!(rule_bit(70), rule_bit(63));
    }

    #[test]
    fn a_mark_stays_only_on_a_line_holding_the_rules_own_literal_and_bytes() {
        let colon = Needed {
            bytes: vec![b":".to_vec(), b"([".to_vec()],
            ..needed(&["photo"])
        };
        let gate = Gate::new([&colon, &needed(&["(photograph"]), &needed(&["on facebook"])])
            .expect("builds");
        assert_eq!(
            marked(
                &gate,
                "a photo\n(Photo: AFP)\nPHOTO: x\n[photograph:\nlike us on FACEBOOK\nnot on ebook"
            ),
            [0, 1, 0, 1, 4, 0]
        );
    }

    #[test]
    fn rarest_tail_keeps_the_end_of_the_literal() {
        assert_eq!(rarest_tail(b" on facebook"), b"cebook".to_vec());
        assert_eq!(rarest_tail(b"ab"), b"ab".to_vec());
        assert_eq!(
            without_longer(vec![b"mages".to_vec(), b"mage".to_vec(), b"x".to_vec()]),
            [b"x".to_vec(), b"mage".to_vec()]
        );
    }
}
