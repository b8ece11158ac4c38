//! First bytes of a pattern: the bytes a non-empty match of a regex can
//! start with, read from its syntax tree, so that a line can be skipped
//! without running the regex when its first byte cannot start a match; and,
//! for a pattern that opens with one character of a class, the bytes that
//! can follow that character.

use regex_syntax::hir::{Class, Hir, HirKind};

/// A set of bytes (one flag per byte value).
#[derive(Debug, Clone)]
pub struct ByteSet(Box<[bool; 256]>);

impl ByteSet {
    fn empty() -> ByteSet {
        ByteSet(Box::new([false; 256]))
    }

    fn insert_range(&mut self, from: u8, to: u8) {
        for byte in from..=to {
            self.0[usize::from(byte)] = true;
        }
    }

    fn union(&mut self, other: &ByteSet) {
        for (mine, theirs) in self.0.iter_mut().zip(other.0.iter()) {
            *mine |= *theirs;
        }
    }

    pub fn contains(&self, byte: u8) -> bool {
        self.0[usize::from(byte)]
    }
}

/// The bytes a non-empty match of `pattern` (parsed as the `regex` crate
/// parses it) can start with; `None` when the pattern does not parse.
#[cfg(test)]
pub fn first_bytes(pattern: &str) -> Option<ByteSet> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    Some(first_bytes_of(&hir))
}

/// [`first_bytes`] of a parsed pattern.
pub fn first_bytes_of(hir: &Hir) -> ByteSet {
    first(hir).0
}

/// When `pattern` (parsed as the `regex` crate parses it) opens with one
/// character of a class, after any look-arounds: the bytes its matches can
/// go on with after that character (`None`: any, or none known).
#[cfg(test)]
pub fn second_bytes(pattern: &str) -> Option<ByteSet> {
    second_bytes_of(&regex_syntax::Parser::new().parse(pattern).ok()?)
}

/// [`second_bytes`] of a parsed pattern.
pub fn second_bytes_of(hir: &Hir) -> Option<ByteSet> {
    let HirKind::Concat(parts) = hir.kind() else {
        return None;
    };
    let mut parts = parts
        .iter()
        .skip_while(|part| matches!(part.kind(), HirKind::Look(_)));
    if !matches!(parts.next()?.kind(), HirKind::Class(_)) {
        return None;
    }
    let mut set = ByteSet::empty();
    for part in parts {
        let (part_set, nullable) = first(part);
        set.union(&part_set);
        if !nullable {
            return Some(set);
        }
    }
    None
}

/// The first bytes of the non-empty matches of `hir`, and whether it can
/// match without consuming a byte (then what follows may supply the first).
fn first(hir: &Hir) -> (ByteSet, bool) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => (ByteSet::empty(), true),
        HirKind::Literal(literal) => {
            let mut set = ByteSet::empty();
            if let Some(&byte) = literal.0.first() {
                set.insert_range(byte, byte);
            }
            (set, literal.0.is_empty())
        }
        HirKind::Class(Class::Unicode(class)) => {
            // Lead bytes grow with the code point: a range's chars start
            // with the lead bytes between those of its ends.
            let mut set = ByteSet::empty();
            for range in class.iter() {
                set.insert_range(lead_byte(range.start()), lead_byte(range.end()));
            }
            (set, false)
        }
        HirKind::Class(Class::Bytes(class)) => {
            let mut set = ByteSet::empty();
            for range in class.iter() {
                set.insert_range(range.start(), range.end());
            }
            (set, false)
        }
        HirKind::Repetition(repetition) => {
            let (set, nullable) = first(&repetition.sub);
            (set, nullable || repetition.min == 0)
        }
        HirKind::Capture(capture) => first(&capture.sub),
        HirKind::Concat(parts) => {
            let mut set = ByteSet::empty();
            for part in parts {
                let (part_set, nullable) = first(part);
                set.union(&part_set);
                if !nullable {
                    return (set, false);
                }
            }
            (set, true)
        }
        HirKind::Alternation(branches) => {
            let mut set = ByteSet::empty();
            let mut any_nullable = false;
            for branch in branches {
                let (branch_set, nullable) = first(branch);
                set.union(&branch_set);
                any_nullable |= nullable;
            }
            (set, any_nullable)
        }
    }
}

fn lead_byte(c: char) -> u8 {
    let mut buf = [0; 4];
    c.encode_utf8(&mut buf)
        .as_bytes()
        .first()
        .copied()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starts(pattern: &str, text: &str) -> bool {
        let set = first_bytes(pattern).expect("pattern parses");
        text.as_bytes().first().is_some_and(|&b| set.contains(b))
    }

    #[test]
    fn literals_classes_and_case_folding() {
        assert!(starts(r"^(?:(?i)updated?\s*:)", "Updated: x"));
        assert!(starts(r"^(?:(?i)updated?\s*:)", "updated: x"));
        assert!(!starts(r"^(?:(?i)updated?\s*:)", "The update"));
        assert!(starts(r"^(?:\(\p{Lu}\w*\))", "(CNN)"));
        assert!(!starts(r"^(?:\(\p{Lu}\w*\))", "CNN"));
        assert!(starts(r"^(?:\p{Lu}+)", "Élan"));
        assert!(starts(r"^(?:\p{Lu}+)", "Ωmega"));
        assert!(!starts(r"^(?:\p{Lu}+)", "elan"));
    }

    #[test]
    fn second_bytes_follow_an_opening_class() {
        let dateline =
            r"^(?:\p{Lu}[\p{Lu}.'’-]+(?:[ /-]\p{Lu}[\p{Lu}.'’-]+){0,3}\s*(?:—|–|--?|:)\s+)";
        let set = second_bytes(dateline).expect("opens with a class");
        assert!(set.contains(b'A') && set.contains(b'.') && set.contains(0xE2));
        assert!(!set.contains(b'h') && !set.contains(b' '));
        assert!(second_bytes(r"^(?:x\p{Lu})").is_none());
        assert!(second_bytes(r"^(?:[ab]c?)").is_none());
        let optional = second_bytes(r"^(?:[ab]c?d)").expect("opens with a class");
        assert!(optional.contains(b'c') && optional.contains(b'd') && !optional.contains(b'a'));
    }

    #[test]
    fn optional_parts_let_later_ones_start() {
        assert!(starts(r"^(?:x?y*z)", "zebra"));
        assert!(starts(r"^(?:x?y*z)", "yz"));
        assert!(!starts(r"^(?:x?y*z)", "abc"));
        assert!(starts(r"^(?:a|b?c)", "c"));
        assert!(starts(r"^(?:(?:)|q)", "q"));
    }

    #[test]
    fn every_match_start_is_in_the_set() {
        let patterns = [
            r"^(?:(?i)refresh automatically on \| off\s*)",
            r"^(?:\p{Lu}[\p{Lu}.'’-]+(?:[ /-]\p{Lu}[\p{Lu}.'’-]+){0,3}\s*(?:—|–|--?|:)\s+)",
            r"^(?:[^\p{L}\p{N}]*x)",
            r"^(?:\s*(?:«|„)?\d)",
        ];
        let texts = [
            "Refresh automatically On | Off rest",
            "WASHINGTON — The",
            "KYIV / ODESA: x",
            "... x",
            "«1",
            "  „2",
            "9",
            "x",
        ];
        for pattern in patterns {
            let regex = regex::Regex::new(pattern).expect("compiles");
            let set = first_bytes(pattern).expect("parses");
            for text in texts {
                if regex.find(text).is_some_and(|m| m.end() > 0) {
                    let first = text.as_bytes().first().copied().unwrap_or(0);
                    assert!(set.contains(first), "{pattern} on {text}");
                }
            }
        }
    }
}
