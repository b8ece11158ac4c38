//! The literal gate of the floating boilerplate rules: one search of a whole
//! document for the literals those rules need (see [`super::needs`]) marks
//! the lines that hold one; the other lines cannot match any of those rules.
//! Single bytes (and pairs holding a rare byte, by that byte) are found with
//! `memchr`, other pairs with `memmem`, longer literals with one packed
//! (Teddy) searcher over an ASCII lower-cased copy; its 16-bucket form tells
//! the literals apart well enough that few false candidates need checking.

use super::needs::{byte_rarity, literal_rarity, Needed, FOLDS_TO_ASCII};
use aho_corasick::{packed, AhoCorasick, AhoCorasickBuilder, MatchKind};
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

/// Searches for the literals of some needed sets.
#[derive(Debug, Clone)]
pub struct Gate {
    /// Single bytes (both cases of a letter), searched in the text itself.
    bytes: Vec<u8>,
    /// Two-byte literals (lower case), searched one by one.
    pairs: Vec<memmem::Finder<'static>>,
    /// Longer literals (lower case).
    longer: Longer,
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
    /// A gate for the union of `sets`: a line holding no literal of any of
    /// them matches no pattern they were read from. `None` when a searcher
    /// does not build (the patterns are then left ungated).
    pub fn new<'a>(sets: impl IntoIterator<Item = &'a Needed>) -> Option<Gate> {
        let mut literals: Vec<Vec<u8>> = Vec::new();
        let mut folds = false;
        for set in sets {
            literals.extend(set.literals.iter().map(|literal| rarest_tail(literal)));
            folds |= set.folds;
        }
        if folds {
            literals.extend(FOLDS_TO_ASCII.iter().map(|c| c.to_string().into_bytes()));
        }
        let literals = without_longer(literals);
        let mut bytes = Vec::new();
        let mut pairs = Vec::new();
        let mut longer = Vec::new();
        for literal in literals {
            match *literal.as_slice() {
                [byte] => bytes.push(byte),
                // A line holding the pair holds each of its bytes.
                [a, b] if byte_rarity(a).max(byte_rarity(b)) >= RARE_BYTE => {
                    bytes.push(if byte_rarity(b) > byte_rarity(a) {
                        b
                    } else {
                        a
                    })
                }
                [_, _] => pairs.push(memmem::Finder::new(&literal).into_owned()),
                _ => longer.push(literal),
            }
        }
        let mut bytes: Vec<u8> = bytes
            .iter()
            .flat_map(|byte| [byte.to_ascii_lowercase(), byte.to_ascii_uppercase()])
            .collect();
        bytes.sort_unstable();
        bytes.dedup();
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
            bytes,
            pairs,
            longer,
        })
    }

    /// Marks (sets to `true`) every line of `lines` (sorted spans of `text`
    /// that do not overlap) that holds a literal, or may: a literal found
    /// across a line end marks the lines it touches.
    pub fn mark(&self, text: &str, lines: &[Range<usize>], marks: &mut [bool]) {
        let mut mark = |start: usize, end: usize| {
            let mut line = lines.partition_point(|span| span.end <= start);
            while let Some(span) = lines.get(line) {
                if span.start >= end {
                    break;
                }
                if let Some(flag) = marks.get_mut(line) {
                    *flag = true;
                }
                line += 1;
            }
        };
        let bytes = text.as_bytes();
        for three in self.bytes.chunks(3) {
            match *three {
                [a] => memchr::memchr_iter(a, bytes).for_each(|at| mark(at, at + 1)),
                [a, b] => memchr::memchr2_iter(a, b, bytes).for_each(|at| mark(at, at + 1)),
                [a, b, c] => memchr::memchr3_iter(a, b, c, bytes).for_each(|at| mark(at, at + 1)),
                _ => {}
            }
        }
        if self.pairs.is_empty() && matches!(self.longer, Longer::None) {
            return;
        }
        let lower = bytes.to_ascii_lowercase();
        for pair in &self.pairs {
            pair.find_iter(&lower).for_each(|at| mark(at, at + 2));
        }
        match &self.longer {
            Longer::None => {}
            Longer::Packed(searcher) => {
                for found in searcher.find_iter(&lower) {
                    mark(found.start(), found.end());
                }
            }
            Longer::Chunks(searchers) => {
                for searcher in searchers {
                    for found in searcher.find_iter(&lower) {
                        mark(found.start(), found.end());
                    }
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
        }
    }

    fn marked(gate: &Gate, text: &str) -> Vec<bool> {
        let mut lines = Vec::new();
        let mut start = 0;
        for line in text.split('\n') {
            lines.push(start..start + line.len());
            start += line.len() + 1;
        }
        let mut marks = vec![false; lines.len()];
        gate.mark(text, &lines, &mut marks);
        marks
    }

    #[test]
    fn marks_lines_with_a_literal_in_any_ascii_case() {
        let gate = Gate::new([&needed(&["{", "photo"]), &needed(&["(@", "x"])]).expect("builds");
        assert_eq!(
            marked(
                &gate,
                "a PhOtO here\nnothing\nbrace }{\nX marks\n(@handle)\nphot o"
            ),
            [true, false, true, true, true, false]
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
