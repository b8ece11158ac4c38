//! Short word patterns used by every rule lexicon, matched over a unit's
//! tokens. Syntax, space separated: `word`, `a|b|c` (any of), `withdr*`
//! (prefix), `*` (a gap of up to 4 words in the same clause), `**` (up to 12
//! words in the same clause), `{us}` (a US actor mention), `{actor}` (any
//! actor mention). Words are lowercase; hyphens split words like the text.

use super::tokens::Token;

#[derive(Debug, Clone, PartialEq)]
enum Element {
    /// Alternatives, each a sequence of words (`pull-out` is two words).
    Words(Vec<Vec<String>>),
    Prefixes(Vec<String>),
    Gap(usize),
    Us,
    Actor,
}

/// A compiled word pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    elements: Vec<Element>,
}

impl Pattern {
    /// Compiles a pattern; `Err` explains what is wrong with it.
    pub fn parse(text: &str) -> Result<Pattern, String> {
        let mut elements = Vec::new();
        for raw in text.split_whitespace() {
            let element = match raw {
                "*" => Element::Gap(4),
                "**" => Element::Gap(12),
                "{us}" => Element::Us,
                "{actor}" => Element::Actor,
                _ => word_element(&raw.to_lowercase())?,
            };
            elements.push(element);
        }
        match (elements.first(), elements.last()) {
            (None, _) => Err("empty pattern".into()),
            (Some(Element::Gap(_)), _) | (_, Some(Element::Gap(_))) => {
                Err("a pattern cannot start or end with a gap".into())
            }
            _ => Ok(Pattern { elements }),
        }
    }

    /// Every non-overlapping match, as token ranges `start..end`.
    #[cfg(test)]
    pub fn find_all(&self, tokens: &[Token]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut at = 0;
        while at < tokens.len() {
            match self.match_at(tokens, at) {
                Some(end) => {
                    out.push((at, end));
                    at = end.max(at + 1);
                }
                None => at += 1,
            }
        }
        out
    }

    /// The end of the shortest match starting at token `at`.
    pub fn match_at(&self, tokens: &[Token], at: usize) -> Option<usize> {
        match_from(&self.elements, tokens, at, tokens.get(at)?.clause)
    }
}

/// Where a pattern can start: its first element's words, prefixes, or any
/// mention.
enum Start {
    Words(Vec<String>),
    Prefixes(Vec<String>),
    Mention,
}

impl Pattern {
    fn start(&self) -> Start {
        match self.elements.first() {
            Some(Element::Words(alternatives)) => Start::Words(
                alternatives
                    .iter()
                    .filter_map(|words| words.first().cloned())
                    .collect(),
            ),
            Some(Element::Prefixes(prefixes)) => Start::Prefixes(prefixes.clone()),
            _ => Start::Mention,
        }
    }
}

/// A match of pattern number `id` over tokens `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub id: usize,
    pub start: usize,
    pub end: usize,
}

/// A key for a lowercased word, computed once per token: cue words are
/// looked up by it. Different words may share a key; a match still
/// compares the words themselves, so that only costs a wasted try.
pub fn word_key(word: &str) -> u64 {
    // FxHash's mixing step, then a fold so that low bits vary too.
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    let bytes = word.as_bytes();
    let mut hash = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(chunk);
        hash = (hash.rotate_left(5) ^ u64::from_le_bytes(eight)).wrapping_mul(SEED);
    }
    for &byte in chunks.remainder() {
        hash = (hash.rotate_left(5) ^ u64::from(byte)).wrapping_mul(SEED);
    }
    hash ^ (hash >> 32)
}

/// Hashes a [`word_key`] as itself: it is already a hash.
#[derive(Debug, Clone, Copy, Default)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 << 8) | u64::from(byte);
        }
    }

    fn write_u64(&mut self, key: u64) {
        self.0 = key;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type KeyMap<V> = std::collections::HashMap<u64, V, std::hash::BuildHasherDefault<KeyHasher>>;

/// Many patterns indexed by the words they can start with, so a unit is
/// matched in one pass over its tokens.
#[derive(Debug, Clone, Default)]
pub struct PatternSet {
    patterns: Vec<Pattern>,
    by_word: KeyMap<Vec<usize>>,
    by_prefix: Vec<(String, usize)>,
    /// Whether some prefix starts with this byte: most words skip the
    /// prefix scan on their first byte.
    prefix_first_byte: Vec<bool>,
    by_mention: Vec<usize>,
}

impl PatternSet {
    pub fn new(patterns: Vec<Pattern>) -> PatternSet {
        let mut set = PatternSet {
            patterns,
            prefix_first_byte: vec![false; 256],
            ..PatternSet::default()
        };
        for (id, pattern) in set.patterns.iter().enumerate() {
            match pattern.start() {
                Start::Words(words) => {
                    for word in words {
                        let ids = set.by_word.entry(word_key(&word)).or_default();
                        if !ids.contains(&id) {
                            ids.push(id);
                        }
                    }
                }
                Start::Prefixes(prefixes) => {
                    for prefix in prefixes {
                        match prefix.as_bytes().first() {
                            Some(&byte) => {
                                if let Some(flag) = set.prefix_first_byte.get_mut(usize::from(byte))
                                {
                                    *flag = true;
                                }
                            }
                            // An empty prefix matches every word.
                            None => set.prefix_first_byte.iter_mut().for_each(|f| *f = true),
                        }
                        set.by_prefix.push((prefix, id));
                    }
                }
                Start::Mention => set.by_mention.push(id),
            }
        }
        set
    }

    /// Whether a prefix may match `word` (checked on its first byte).
    fn may_start_prefix(&self, word: &str) -> bool {
        match word.as_bytes().first() {
            Some(&byte) => self
                .prefix_first_byte
                .get(usize::from(byte))
                .copied()
                .unwrap_or(false),
            None => !self.by_prefix.is_empty(),
        }
    }

    /// Every match of every pattern, each pattern's matches not
    /// overlapping one another; ordered by start, then pattern number.
    pub fn find_all(&self, tokens: &[Token]) -> Vec<Found> {
        let mut found = Vec::new();
        // (pattern, first token its next match may start at); few patterns
        // match in one unit, so a short list beats a map.
        let mut next_free: Vec<(usize, usize)> = Vec::new();
        let mut candidates: Vec<usize> = Vec::new();
        for (at, token) in tokens.iter().enumerate() {
            candidates.clear();
            if token.mention.is_some() {
                candidates.extend(&self.by_mention);
            } else {
                if let Some(ids) = self.by_word.get(&token.key) {
                    candidates.extend(ids);
                }
                if self.may_start_prefix(&token.lower) {
                    candidates.extend(
                        self.by_prefix
                            .iter()
                            .filter(|(p, _)| token.lower.starts_with(p.as_str()))
                            .map(|(_, id)| *id),
                    );
                }
            }
            if candidates.is_empty() {
                continue;
            }
            if candidates.len() > 1 {
                candidates.sort_unstable();
                candidates.dedup();
            }
            for &id in &candidates {
                let slot = next_free.iter().position(|&(p, _)| p == id);
                if slot
                    .and_then(|k| next_free.get(k))
                    .is_some_and(|&(_, free)| at < free)
                {
                    continue;
                }
                let Some(pattern) = self.patterns.get(id) else {
                    continue;
                };
                if let Some(end) = pattern.match_at(tokens, at) {
                    found.push(Found { id, start: at, end });
                    let free = end.max(at + 1);
                    match slot.and_then(|k| next_free.get_mut(k)) {
                        Some(entry) => entry.1 = free,
                        None => next_free.push((id, free)),
                    }
                }
            }
        }
        found
    }
}

fn word_element(word: &str) -> Result<Element, String> {
    let alternatives: Vec<&str> = word.split('|').filter(|w| !w.is_empty()).collect();
    if alternatives.is_empty() {
        return Err(format!("empty word in pattern: {word:?}"));
    }
    if alternatives.iter().all(|w| w.ends_with('*') && w.len() > 1) {
        Ok(Element::Prefixes(
            alternatives
                .iter()
                .map(|w| w.trim_end_matches('*').to_string())
                .collect(),
        ))
    } else if alternatives.iter().any(|w| w.contains('*')) {
        Err(format!(
            "mix of prefixes and words, or a `*` inside a word: {word:?}"
        ))
    } else {
        Ok(Element::Words(
            alternatives
                .iter()
                .map(|w| {
                    w.split('-')
                        .filter(|p| !p.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .collect(),
        ))
    }
}

fn element_matches(element: &Element, token: &Token, us: bool) -> bool {
    match element {
        Element::Words(_) => false,
        Element::Prefixes(prefixes) => {
            token.mention.is_none() && prefixes.iter().any(|p| token.lower.starts_with(p.as_str()))
        }
        Element::Us => us,
        Element::Actor => token.mention.is_some(),
        Element::Gap(_) => false,
    }
}

fn match_from(elements: &[Element], tokens: &[Token], at: usize, clause: usize) -> Option<usize> {
    let Some((first, rest)) = elements.split_first() else {
        return Some(at);
    };
    if let Element::Gap(max) = first {
        for skip in 0..=*max {
            let next = at + skip;
            if tokens.get(next).is_none_or(|t| t.clause != clause) {
                break;
            }
            if let Some(end) = match_from(rest, tokens, next, clause) {
                return Some(end);
            }
        }
        return None;
    }
    if let Element::Words(alternatives) = first {
        return alternatives.iter().find_map(|words| {
            let all = words.iter().enumerate().all(|(k, w)| {
                tokens
                    .get(at + k)
                    .is_some_and(|t| t.mention.is_none() && t.lower == *w)
            });
            if !all || words.is_empty() {
                return None;
            }
            let last = tokens.get(at + words.len() - 1)?;
            let clause = if matches!(rest.first(), Some(Element::Gap(_))) {
                last.clause
            } else {
                clause
            };
            match_from(rest, tokens, at + words.len(), clause)
        });
    }
    let token = tokens.get(at)?;
    if !element_matches(first, token, token.us) {
        return None;
    }
    let clause = if matches!(rest.first(), Some(Element::Gap(_))) {
        token.clause
    } else {
        clause
    };
    match_from(rest, tokens, at + 1, clause)
}

#[cfg(test)]
mod tests {
    use super::super::tokens::tokenize;
    use super::*;

    fn find(pattern: &str, text: &str) -> Vec<(usize, usize)> {
        let (tokens, _) = tokenize(text, &[], false);
        Pattern::parse(pattern).unwrap().find_all(&tokens)
    }

    #[test]
    fn words_prefixes_and_gaps() {
        assert_eq!(
            find("pull|pulled out", "They pulled out fast."),
            vec![(1, 3)]
        );
        assert_eq!(find("withdr*", "The withdrawal began."), vec![(1, 2)]);
        assert_eq!(
            find("push * out", "push all foreign forces out"),
            vec![(0, 5)]
        );
        assert!(find("push * out", "push them, and out").is_empty());
        assert_eq!(find("ill-conceived", "an ill-conceived war"), vec![(1, 3)]);
    }

    #[test]
    fn rejects_bad_patterns() {
        assert!(Pattern::parse("").is_err());
        assert!(Pattern::parse("* out").is_err());
        assert!(Pattern::parse("wi*th").is_err());
    }
}
