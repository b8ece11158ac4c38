//! Short word patterns used by every rule lexicon, matched over a unit's
//! tokens. Syntax, space separated: `word`, `a|b|c` (any of), `withdr*`
//! (prefix), `*` (a gap of up to 4 words in the same clause), `**` (up to 12
//! words in the same clause), `{us}` (a US actor mention), `{actor}` (any
//! actor mention). Words are lowercase; hyphens split words like the text.

use super::tokens::{Token, Tokens, MAY_START, NEEDS_NEXT};
use super::vocabulary::Vocabulary;

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
    /// The words of a pattern that is one word from a list (`he|she|they`),
    /// which matches exactly the tokens holding one of them.
    pub fn single_words(&self) -> Option<impl Iterator<Item = &str>> {
        match self.elements.as_slice() {
            [Element::Words(alternatives)] if alternatives.iter().all(|w| w.len() == 1) => Some(
                alternatives
                    .iter()
                    .filter_map(|words| words.first().map(String::as_str)),
            ),
            _ => None,
        }
    }

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
}

/// A pattern element with its words as vocabulary ids.
#[derive(Debug, Clone)]
pub(super) enum Step {
    /// Alternatives, with the first word of each (`NO_WORD` for none) in
    /// one list, scanned before any alternative is read.
    Words {
        alternatives: Vec<Vec<u32>>,
        firsts: Vec<u32>,
    },
    Prefixes(Vec<String>),
    Gap(usize),
    Us,
    Actor,
}

/// A match of pattern number `id` over tokens `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub id: usize,
    pub start: usize,
    pub end: usize,
}

/// A pattern whose alternative number `alternative` starts with a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct WordStart {
    id: u32,
    alternative: u32,
    /// The pattern is that one word: it matches as soon as the word does.
    whole: bool,
    /// Every match of the pattern is one word long, so its matches never
    /// overlap and need no bookkeeping.
    one_word: bool,
    /// The alternative's second word, or `NO_WORD`: most candidates fail
    /// on it, checked here without reading the pattern.
    second: u32,
    /// The [`word_bit`]s the word after a one-word alternative may have
    /// when the pattern's next step is words, else `ANY_NEXT`.
    next_bits: u64,
    /// The pattern has steps after its first.
    more_steps: bool,
    /// Where the alternative's words lie in `PatternSet::flat_words`, so
    /// that they are read without going through the pattern.
    words_at: u32,
    words_len: u32,
}

pub use super::vocabulary::NO_WORD;

/// Many patterns indexed by the words they can start with, so a unit is
/// matched in one pass over its tokens. Pattern words are interned: a
/// token's word is looked up once ([`PatternSet::intern`]) and compared as
/// a number after that.
#[derive(Debug, Clone, Default)]
pub struct PatternSet {
    vocabulary: Vocabulary,
    pub(super) patterns: Vec<Vec<Step>>,
    /// By the vocabulary id of a word: the range of `word_starts` holding
    /// the patterns that start with it.
    by_word: Vec<(u32, u32)>,
    /// By the vocabulary id of a word: the [`word_bit`]s the next word must
    /// have for some pattern starting with it to go on (the union of its
    /// starts' `second` and `next_bits`), or `ANY_NEXT` when one of them
    /// goes on after any token. Most tokens that may start a pattern are
    /// turned away on it without reading their starts.
    follow: Vec<u64>,
    word_starts: Vec<WordStart>,
    /// The words of every alternative a pattern starts with, one after
    /// another ([`WordStart::words_at`]).
    flat_words: Vec<u32>,
    by_prefix: Vec<(String, usize)>,
    /// Whether some prefix starts with this byte: most words skip the
    /// prefix scan on their first byte.
    prefix_first_byte: Vec<bool>,
    by_mention: Vec<usize>,
    /// `by_mention` as pattern starts, for tokens that are mentions.
    mention_starts: Vec<WordStart>,
}

impl PatternSet {
    #[cfg(test)]
    pub fn new(patterns: Vec<Pattern>) -> PatternSet {
        PatternSet::with_unmatched(patterns, |_| false)
    }

    /// Like [`PatternSet::new`]; the patterns for which `unmatched` holds
    /// only have their words numbered and are never matched by
    /// [`PatternSet::find_all`] (their caller matches them another way).
    pub fn with_unmatched(patterns: Vec<Pattern>, unmatched: impl Fn(usize) -> bool) -> PatternSet {
        let mut set = PatternSet {
            prefix_first_byte: vec![false; 256],
            ..PatternSet::default()
        };
        let mut by_word: Vec<Vec<WordStart>> = Vec::new();
        for (id, pattern) in patterns.iter().enumerate() {
            let steps: Vec<Step> = pattern
                .elements
                .iter()
                .map(|element| match element {
                    Element::Words(alternatives) => {
                        let alternatives: Vec<Vec<u32>> = alternatives
                            .iter()
                            .map(|words| words.iter().map(|w| set.word_id_or_add(w)).collect())
                            .collect();
                        let firsts = alternatives
                            .iter()
                            .map(|words| words.first().copied().unwrap_or(NO_WORD))
                            .collect();
                        Step::Words {
                            alternatives,
                            firsts,
                        }
                    }
                    Element::Prefixes(prefixes) => Step::Prefixes(prefixes.clone()),
                    Element::Gap(max) => Step::Gap(*max),
                    Element::Us => Step::Us,
                    Element::Actor => Step::Actor,
                })
                .collect();
            if unmatched(id) {
                set.patterns.push(steps);
                continue;
            }
            match steps.first() {
                Some(Step::Words { alternatives, .. }) => {
                    for (alternative, words) in alternatives.iter().enumerate() {
                        let (Some(&word), Ok(alternative)) =
                            (words.first(), u32::try_from(alternative))
                        else {
                            continue;
                        };
                        if by_word.len() <= word as usize {
                            by_word.resize(word as usize + 1, Vec::new());
                        }
                        let next_bits = match (words.len(), steps.get(1)) {
                            (1, Some(Step::Words { firsts, .. })) if !firsts.contains(&NO_WORD) => {
                                firsts.iter().fold(0, |bits, &w| bits | word_bit(w))
                            }
                            _ => ANY_NEXT,
                        };
                        let words_at = u32::try_from(set.flat_words.len()).unwrap_or(u32::MAX);
                        set.flat_words.extend_from_slice(words);
                        if let Some(entries) = by_word.get_mut(word as usize) {
                            entries.push(WordStart {
                                id: id as u32,
                                alternative,
                                whole: steps.len() == 1 && words.len() == 1,
                                one_word: steps.len() == 1
                                    && alternatives.iter().all(|w| w.len() == 1),
                                second: words.get(1).copied().unwrap_or(NO_WORD),
                                next_bits,
                                more_steps: steps.len() > 1,
                                words_at,
                                words_len: u32::try_from(words.len()).unwrap_or(0),
                            });
                        }
                    }
                }
                Some(Step::Prefixes(prefixes)) => {
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
                        set.by_prefix.push((prefix.clone(), id));
                    }
                }
                _ => set.by_mention.push(id),
            }
            set.patterns.push(steps);
        }
        set.mention_starts = set.by_mention.iter().map(|&id| any_start(id)).collect();
        for mut entries in by_word {
            entries.sort_unstable();
            entries.dedup();
            let start = u32::try_from(set.word_starts.len()).unwrap_or(u32::MAX);
            set.follow.push(
                entries
                    .iter()
                    .fold(0, |bits, entry| bits | next_word_needs(entry)),
            );
            set.word_starts.extend(entries);
            let end = u32::try_from(set.word_starts.len()).unwrap_or(u32::MAX);
            set.by_word.push((start, end));
        }
        for (word, (&(start, end), &follow)) in set.by_word.iter().zip(&set.follow).enumerate() {
            if start < end {
                let needs_next = if follow == ANY_NEXT { 0 } else { NEEDS_NEXT };
                set.vocabulary.add_bits(word as u32, MAY_START | needs_next);
            }
        }
        set
    }

    /// Sets `bits` (function-word bits) in the bits word `id` is looked up
    /// with ([`PatternSet::word_info`]).
    pub fn add_word_bits(&mut self, id: u32, bits: u16) {
        self.vocabulary.add_bits(id, bits);
    }

    /// The vocabulary id of a lowercase word and its bits, as a
    /// [`WordInfo`] gives them: [`MAY_START`] when a pattern
    /// [`PatternSet::find_all`] matches starts with it, and those added
    /// with [`PatternSet::add_word_bits`].
    pub fn word_info(&self, lower: &str) -> (u32, u16) {
        self.vocabulary.get_with_bits(lower)
    }

    fn word_id_or_add(&mut self, word: &str) -> u32 {
        self.vocabulary.get_or_add(word)
    }

    /// The vocabulary id of a lowercase word, or [`NO_WORD`].
    pub fn word_id(&self, lower: &str) -> u32 {
        self.vocabulary.get(lower)
    }

    /// [`PatternSet::word_info`] of a lowercase word of `len` bytes (at
    /// most 8) given as its `vocabulary::short_key`.
    #[inline]
    pub fn short_word_info(&self, key: u64, len: u32) -> (u32, u16) {
        self.vocabulary.get_short(key, len)
    }

    /// [`PatternSet::word_info`] of a lowercase word of 9 to 15 bytes
    /// given also as its first eight bytes and the rest, zero-padded.
    #[inline]
    pub fn mid_word_info(&self, head: u64, tail: u64, lower: &str) -> (u32, u16) {
        self.vocabulary.get_mid(head, tail, lower)
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

    /// `from_word` and the patterns starting with a prefix of `lower`, in
    /// `candidates`, sorted and without duplicates. Kept out of
    /// [`PatternSet::find_all`]'s loop: few rule sets have prefix patterns.
    #[inline(never)]
    fn with_prefixes<'c>(
        &self,
        lower: &str,
        from_word: &[WordStart],
        candidates: &'c mut Vec<WordStart>,
    ) -> &'c [WordStart] {
        candidates.clear();
        candidates.extend_from_slice(from_word);
        candidates.extend(
            self.by_prefix
                .iter()
                .filter(|(p, _)| lower.starts_with(p.as_str()))
                .map(|(_, id)| any_start(*id)),
        );
        candidates.sort_unstable();
        candidates.dedup();
        candidates
    }

    /// Every match of every pattern over interned tokens, each pattern's
    /// matches not overlapping one another; ordered by start, then pattern
    /// number.
    #[cfg(test)]
    pub fn find_all<'s>(&self, tokens: &Tokens, scratch: &'s mut Scratch) -> &'s [Found] {
        let mut found = std::mem::take(&mut scratch.found);
        found.clear();
        self.each_match(tokens, scratch, &mut found);
        scratch.found = found;
        &scratch.found
    }

    /// Every match [`PatternSet::find_all`] finds, in its order, handed to
    /// `sink` one by one rather than listed.
    #[inline]
    pub fn each_match(&self, tokens: &Tokens, scratch: &mut Scratch, sink: &mut impl Sink) {
        let Scratch {
            next_free,
            candidates,
            ..
        } = scratch;
        next_free.clear();
        // The patterns that may start here: the alternative of their first
        // words that starts with this word, or `ANY_START` for patterns
        // starting with a prefix or a mention.
        // Only tokens that may start a pattern ([`MAY_START`]) are visited,
        // found from their bits 64 tokens at a time without a branch per
        // token; a prefix may start at any word.
        let every_token = u64::from(!self.by_prefix.is_empty()).wrapping_neg();
        for (chunk_index, chunk) in tokens.chunks(64).enumerate() {
            // Shifted in from the last token on: a short chain per token
            // that beats the vector gather of one bit from each.
            let mut may_start = chunk.iter().rev().fold(0u64, |bits, token| {
                (bits << 1) | u64::from(token.functions >> MAY_START.trailing_zeros())
            });
            if chunk.len() < 64 {
                may_start |= every_token & ((1 << chunk.len()) - 1);
            } else {
                may_start |= every_token;
            }
            // A word whose patterns all need one of a few words after it
            // ([`NEEDS_NEXT`]) is turned away on the next word alone
            // ([`PatternSet::follow`]); a word that may start a prefix
            // pattern is not.
            let mut starting = may_start & !every_token;
            while starting != 0 {
                let bit = starting.trailing_zeros();
                starting &= starting - 1;
                let at = chunk_index * 64 + bit as usize;
                let (Some(token), next) = (tokens.get(at), tokens.get(at + 1)) else {
                    break;
                };
                if token.functions & NEEDS_NEXT == 0 {
                    continue;
                }
                // A mention's word is `NO_WORD` (`Token::word`).
                let next_word = next.map_or(NO_WORD, |t| t.word);
                let follow = self
                    .follow
                    .get(token.word as usize)
                    .copied()
                    .unwrap_or(ANY_NEXT);
                if follow & word_bit(next_word) == 0 {
                    may_start &= !(1 << bit);
                }
            }
            while may_start != 0 {
                let at = chunk_index * 64 + may_start.trailing_zeros() as usize;
                may_start &= may_start - 1;
                let Some(token) = tokens.get(at) else {
                    break;
                };
                // Most tokens start patterns from one source only, whose list is
                // sorted and free of duplicates already: it is read in place.
                let from_word: &[WordStart] = if token.is_mention() {
                    &self.mention_starts
                } else {
                    self.by_word
                        .get(token.word as usize)
                        .and_then(|&(start, end)| {
                            self.word_starts.get(start as usize..end as usize)
                        })
                        .unwrap_or_default()
                };
                // The word of the next token: `NO_WORD` after the last token or
                // before a mention, which no word of a pattern is.
                let next_word = tokens.get(at + 1).map_or(NO_WORD, |t| t.word);
                let next_bit = word_bit(next_word);
                let starts: &[WordStart] = if !token.is_mention()
                    && !self.by_prefix.is_empty()
                    && self.may_start_prefix(tokens.lower(token))
                {
                    self.with_prefixes(tokens.lower(token), from_word, candidates)
                } else {
                    from_word
                };
                if starts.is_empty() {
                    continue;
                }
                let mut matched_here = None;
                for &WordStart {
                    id,
                    alternative,
                    whole,
                    one_word,
                    second,
                    next_bits,
                    more_steps,
                    words_at,
                    words_len,
                } in starts.iter()
                {
                    let id = id as usize;
                    if (second != NO_WORD && second != next_word)
                        || (next_bits != ANY_NEXT && next_bits & next_bit == 0)
                    {
                        continue;
                    }
                    if matched_here == Some(id) {
                        // An earlier alternative of this pattern matched.
                        continue;
                    }
                    if one_word {
                        matched_here = Some(id);
                        sink.found(Found {
                            id,
                            start: at,
                            end: at + 1,
                        });
                        continue;
                    }
                    let slot = next_free.iter().position(|&(p, _)| p == id);
                    if slot
                        .and_then(|k| next_free.get(k))
                        .is_some_and(|&(_, free)| at < free)
                    {
                        continue;
                    }
                    let end = if whole {
                        Some(at + 1)
                    } else if alternative == ANY_START {
                        let steps = self.patterns.get(id).map(Vec::as_slice).unwrap_or_default();
                        match_from(steps, tokens, at, token.clause)
                    } else {
                        let words_at = words_at as usize;
                        let words = self
                            .flat_words
                            .get(words_at..words_at + words_len as usize)
                            .unwrap_or_default();
                        let rest = if more_steps {
                            self.patterns
                                .get(id)
                                .and_then(|steps| steps.get(1..))
                                .unwrap_or_default()
                        } else {
                            &[]
                        };
                        match_words(words, rest, tokens, at, token.clause)
                    };
                    if let Some(end) = end {
                        matched_here = Some(id);
                        sink.found(Found { id, start: at, end });
                        let free = end.max(at + 1);
                        match slot.and_then(|k| next_free.get_mut(k)) {
                            Some(entry) => entry.1 = free,
                            None => next_free.push((id, free)),
                        }
                    }
                }
            }
        }
    }
}

/// What takes the matches of [`PatternSet::each_match`]; `found` is
/// inlined where a match is made (a closure there may not be).
pub trait Sink {
    fn found(&mut self, found: Found);
}

impl Sink for Vec<Found> {
    #[inline(always)]
    fn found(&mut self, found: Found) {
        self.push(found);
    }
}

/// Buffers [`PatternSet::each_match`] reuses from one unit to the next.
#[derive(Debug, Default)]
pub struct Scratch {
    /// The matches [`PatternSet::find_all`] lists.
    #[cfg(test)]
    found: Vec<Found>,
    /// (pattern, first token its next match may start at); few patterns
    /// match in one unit, so a short list beats a map.
    next_free: Vec<(usize, usize)>,
    candidates: Vec<WordStart>,
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

fn step_matches(step: &Step, tokens: &Tokens, token: &Token) -> bool {
    match step {
        Step::Words { .. } => false,
        Step::Prefixes(prefixes) => {
            !token.is_mention() && {
                let lower = tokens.lower(token);
                prefixes.iter().any(|p| lower.starts_with(p.as_str()))
            }
        }
        Step::Us => token.us,
        Step::Actor => token.is_mention(),
        Step::Gap(_) => false,
    }
}

/// Marks a candidate pattern that starts with a prefix or a mention.
const ANY_START: u32 = u32::MAX;

/// [`WordStart::next_bits`] of a pattern that may go on with any token.
const ANY_NEXT: u64 = u64::MAX;

/// A word's bit in [`WordStart::next_bits`]; none for `NO_WORD`.
fn word_bit(word: u32) -> u64 {
    if word == NO_WORD {
        0
    } else {
        1 << (word % 64)
    }
}

/// The [`word_bit`]s the word after `start`'s first word must have for it
/// to go on, as `find_all` tests it: `ANY_NEXT` when any token will do.
fn next_word_needs(start: &WordStart) -> u64 {
    let second = if start.second == NO_WORD {
        ANY_NEXT
    } else {
        word_bit(start.second)
    };
    second & start.next_bits
}

/// Pattern `id`, which starts with a prefix or a mention, as a candidate.
fn any_start(id: usize) -> WordStart {
    WordStart {
        id: id as u32,
        alternative: ANY_START,
        whole: false,
        one_word: false,
        second: NO_WORD,
        next_bits: ANY_NEXT,
        more_steps: true,
        words_at: 0,
        words_len: 0,
    }
}

/// The end of the shortest match of `words` then `rest` starting at `at`.
fn match_words(
    words: &[u32],
    rest: &[Step],
    tokens: &Tokens,
    at: usize,
    clause: u32,
) -> Option<usize> {
    let all = words.iter().enumerate().all(|(k, &w)| {
        tokens
            .get(at + k)
            .is_some_and(|t| !t.is_mention() && t.word == w)
    });
    if !all || words.is_empty() {
        return None;
    }
    let last = tokens.get(at + words.len() - 1)?;
    let clause = if matches!(rest.first(), Some(Step::Gap(_))) {
        last.clause
    } else {
        clause
    };
    match_from(rest, tokens, at + words.len(), clause)
}

/// The end of the shortest match of `steps` starting at token `at`.
pub(super) fn match_from(steps: &[Step], tokens: &Tokens, at: usize, clause: u32) -> Option<usize> {
    let Some((first, rest)) = steps.split_first() else {
        return Some(at);
    };
    if let Step::Gap(max) = first {
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
    if let Step::Words {
        alternatives,
        firsts,
    } = first
    {
        // Only alternatives whose first word is this token's can match.
        let word = match tokens.get(at) {
            Some(t) if !t.is_mention() => t.word,
            _ => return None,
        };
        return firsts
            .iter()
            .zip(alternatives)
            .filter(|&(&first, _)| first == word)
            .find_map(|(_, words)| match_words(words, rest, tokens, at, clause));
    }
    let token = tokens.get(at)?;
    if !step_matches(first, tokens, token) {
        return None;
    }
    let clause = if matches!(rest.first(), Some(Step::Gap(_))) {
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
        let set = PatternSet::new(vec![Pattern::parse(pattern).unwrap()]);
        let mut tokens = Tokens::default();
        tokenize(text, &[], false, &|w: &str| set.word_info(w), &mut tokens);
        set.find_all(&tokens, &mut Scratch::default())
            .iter()
            .map(|f| (f.start, f.end))
            .collect()
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
