//! Required bytes of a pattern: a set of bytes of which every match holds at
//! least one, chosen to be rare in running text (`{`/`}` for a code rule,
//! `[` for a bracketed credit). A line holding none of a rule's required
//! bytes cannot match it, so its automaton need not read the line.

use regex_syntax::hir::{Class, Hir, HirKind};

/// A set of bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSet([bool; 256]);

impl Default for ByteSet {
    fn default() -> ByteSet {
        ByteSet::EMPTY
    }
}

impl ByteSet {
    const EMPTY: ByteSet = ByteSet([false; 256]);

    pub fn contains(&self, byte: u8) -> bool {
        self.0[usize::from(byte)]
    }

    fn insert(&mut self, byte: u8) {
        self.0[usize::from(byte)] = true;
    }

    pub fn union(mut self, other: &ByteSet) -> ByteSet {
        for (mine, theirs) in self.0.iter_mut().zip(other.0.iter()) {
            *mine |= *theirs;
        }
        self
    }

    /// How common the bytes are in running text, roughly per thousand bytes
    /// of English news.
    fn weight(&self) -> u32 {
        (0..=255u8)
            .filter(|&b| self.contains(b))
            .map(byte_weight)
            .sum()
    }
}

fn byte_weight(byte: u8) -> u32 {
    const LOWER: [u32; 26] = [
        65, 12, 22, 32, 100, 18, 16, 40, 55, 1, 6, 32, 20, 55, 60, 15, 1, 50, 50, 70, 22, 8, 16, 1,
        16, 1,
    ];
    match byte {
        b' ' => 150,
        b'a'..=b'z' => LOWER[usize::from(byte - b'a')],
        b'A'..=b'Z' => LOWER[usize::from(byte - b'A')] / 10 + 2,
        b'0'..=b'9' => 5,
        b',' | b'.' => 10,
        b'"' | b'\'' | b'-' => 4,
        b'(' | b')' | b':' | b';' | b'/' => 2,
        0x80..=0xFF => 2,
        _ => 1,
    }
}

/// The required bytes of `pattern` as the `regex` crate reads it, if any
/// set of at most `max_weight` can be found.
pub fn required_bytes(pattern: &str, max_weight: u32) -> Option<ByteSet> {
    let hir = regex_syntax::parse(pattern).ok()?;
    required(&hir).filter(|set| set.weight() <= max_weight)
}

fn required(hir: &Hir) -> Option<ByteSet> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => None,
        HirKind::Literal(literal) => literal
            .0
            .iter()
            .map(|&b| {
                let mut set = ByteSet::EMPTY;
                set.insert(b);
                set
            })
            .min_by_key(ByteSet::weight),
        HirKind::Class(class) => Some(first_bytes(class)),
        HirKind::Repetition(repetition) if repetition.min > 0 => required(&repetition.sub),
        HirKind::Repetition(_) => None,
        HirKind::Capture(capture) => required(&capture.sub),
        HirKind::Concat(parts) => parts
            .iter()
            .filter_map(required)
            .min_by_key(ByteSet::weight),
        HirKind::Alternation(alternatives) => alternatives
            .iter()
            .map(required)
            .try_fold(ByteSet::EMPTY, |all, set| Some(all.union(&set?))),
    }
}

/// The bytes a character of `class` can start with.
fn first_bytes(class: &Class) -> ByteSet {
    let mut set = ByteSet::EMPTY;
    match class {
        Class::Bytes(bytes) => {
            for range in bytes.ranges() {
                for b in range.start()..=range.end() {
                    set.insert(b);
                }
            }
        }
        Class::Unicode(unicode) => {
            // The first byte of a character's UTF-8 form grows with the
            // character, so a range's first bytes form a range too.
            let lead = |c: char| c.encode_utf8(&mut [0; 4]).as_bytes()[0];
            for range in unicode.ranges() {
                for b in lead(range.start())..=lead(range.end()) {
                    set.insert(b);
                }
            }
        }
    }
    set
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes_of(pattern: &str) -> Option<String> {
        let set = required_bytes(pattern, u32::MAX)?;
        Some(
            (0..=255u8)
                .filter(|&b| set.contains(b))
                .map(char::from)
                .collect(),
        )
    }

    #[test]
    fn finds_rare_bytes_every_match_holds() {
        assert_eq!(
            bytes_of(r".*(\)\s*\{|;\s*\}|\}\s*(else|catch)\b).*").as_deref(),
            Some("{}")
        );
        assert_eq!(bytes_of(r"[^.!?]+\[[A-Z]+\]").as_deref(), Some("["));
        assert_eq!(bytes_of(r"(?i)x?y").as_deref(), Some("Yy"));
        assert_eq!(bytes_of(r".*|a"), None);
        assert_eq!(bytes_of(r"(ab)*"), None);
        assert!(required_bytes(r"(?i).*\b(the|and)\b.*", 20).is_none());
    }
}
