//! The words around a candidate: word boundaries, neighbouring words, ALL-CAPS
//! context, and the rules that decide whether a capital stands for its
//! government and whether an ALL-CAPS alias is a common word.

use std::borrow::Cow;

use super::tables::{context_key, ContextWords};

/// A letter, digit or combining mark: what words are made of.
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || ('\u{0300}'..='\u{036F}').contains(&c)
}

pub fn char_before(text: &str, at: usize) -> Option<char> {
    text.get(..at).and_then(|s| s.chars().next_back())
}

pub fn char_after(text: &str, at: usize) -> Option<char> {
    text.get(at..).and_then(|s| s.chars().next())
}

/// Whether `text[start..end]` stands on word boundaries: a side that is a
/// word character must not touch another word character.
#[inline]
pub fn on_boundaries(text: &str, start: usize, end: usize) -> bool {
    let open = !(word_char_after(text, start) && word_char_before(text, start));
    let close = !(word_char_before(text, end) && word_char_after(text, end));
    open && close
}

/// Whether `char_before(text, at)` is a word character, read from the byte
/// before `at` when it is ASCII (`at` is then a character boundary).
#[inline]
pub fn word_char_before(text: &str, at: usize) -> bool {
    match at.checked_sub(1).and_then(|i| text.as_bytes().get(i)) {
        Some(&byte) if byte.is_ascii() => byte.is_ascii_alphanumeric(),
        _ => char_before(text, at).is_some_and(is_word_char),
    }
}

/// Whether `char_after(text, at)` is a word character, read from the byte at
/// `at` when it is ASCII (`at` is then a character boundary).
#[inline]
pub fn word_char_after(text: &str, at: usize) -> bool {
    match text.as_bytes().get(at) {
        Some(&byte) if byte.is_ascii() => byte.is_ascii_alphanumeric(),
        _ => char_after(text, at).is_some_and(is_word_char),
    }
}

/// The end of the run of word characters that contains `at`.
pub fn word_end(text: &str, at: usize) -> usize {
    let rest = text.get(at..).unwrap_or("");
    at + rest.find(|c: char| !is_word_char(c)).unwrap_or(rest.len())
}

/// A word next to a candidate: its start in the text and its comparison key
/// (ASCII-lowercased, dots removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word<'a> {
    pub start: usize,
    pub text: &'a str,
    key: WordKey<'a>,
}

impl Word<'_> {
    /// The comparison key, as `context_key` makes it.
    pub fn key(&self) -> &str {
        self.key.as_str()
    }
}

/// The `context_key` of one word (no whitespace in it): the word itself
/// when it has no dot and no ASCII capital, as most words next to a name.
#[derive(Debug, Clone, PartialEq, Eq)]
struct WordKey<'a>(Cow<'a, str>);

impl<'a> WordKey<'a> {
    fn of(word: &'a str) -> WordKey<'a> {
        if word.bytes().any(|b| b == b'.' || b.is_ascii_uppercase()) {
            WordKey(Cow::Owned(context_key(word)))
        } else {
            WordKey(Cow::Borrowed(word))
        }
    }

    fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_inner_word_char(c: char) -> bool {
    is_word_char(c) || matches!(c, '-' | '.' | '\'')
}

/// The word that ends right before `at`, separated from it by spaces only.
pub fn word_before(text: &str, at: usize) -> Option<Word<'_>> {
    let head = text.get(..at)?;
    let trimmed = head.trim_end_matches(' ');
    let start = trimmed
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_inner_word_char(c))
        .last()
        .map(|(i, _)| i)?;
    let run = trimmed.get(start..)?;
    let from_word = run.trim_start_matches(|c: char| !is_word_char(c));
    let word = from_word.trim_end_matches(|c: char| !is_word_char(c));
    if word.is_empty() {
        return None;
    }
    // The characters trimmed off the front are no word characters, so the
    // word begins right after them.
    let start = start + (run.len() - from_word.len());
    Some(Word {
        start,
        text: word,
        key: WordKey::of(word),
    })
}

/// Up to `n` words before `at`, nearest first, each separated from the next
/// by spaces only.
pub fn words_before(text: &str, at: usize, n: usize) -> Vec<Word<'_>> {
    let mut words = Vec::with_capacity(n);
    let mut at = at;
    while words.len() < n {
        match word_before(text, at) {
            Some(word) => {
                at = word.start;
                words.push(word);
            }
            None => break,
        }
    }
    words
}

/// The word (letters, digits and dots) that starts after `at` once spaces
/// and at most one hyphen or comma are skipped.
pub fn word_after(text: &str, at: usize) -> Option<Word<'_>> {
    let rest = text.get(at..)?;
    let mut skipped = rest.len() - rest.trim_start_matches(' ').len();
    if let Some(tail) = rest[skipped..].strip_prefix(['-', ',']) {
        skipped = rest.len() - tail.trim_start_matches(' ').len();
    }
    let tail = &rest[skipped..];
    let len = tail
        .find(|c: char| !(is_word_char(c) || c == '.'))
        .unwrap_or(tail.len());
    let word = tail[..len].trim_end_matches('.');
    if !word.chars().next().is_some_and(is_word_char) {
        return None;
    }
    Some(Word {
        start: at + skipped,
        text: word,
        key: WordKey::of(word),
    })
}

/// Whether the alphabetic words around `start..end` (two on each side, if
/// there are) are all in capitals, so that case tells nothing.
pub fn in_caps_context(text: &str, start: usize, end: usize) -> bool {
    if ascii_small_word_before(text, start) {
        // Most candidates: the nearest word before settles it (a small
        // letter in any word looked at does).
        return false;
    }
    let before = text.get(..start).unwrap_or("");
    let after = text.get(end..).unwrap_or("");
    let not_empty = |w: &&str| !w.is_empty();
    let around = before
        .rsplit(|c: char| !c.is_alphabetic())
        .filter(not_empty)
        .take(2)
        .chain(
            after
                .split(|c: char| !c.is_alphabetic())
                .filter(not_empty)
                .take(2),
        );
    let mut letters = 0usize;
    for word in around {
        if word.chars().any(char::is_lowercase) {
            // Most candidates: the first word with a small letter settles it.
            return false;
        }
        letters += word.chars().count();
    }
    letters >= 2 || !text.chars().any(char::is_lowercase)
}

/// Whether the nearest run of letters before `at` is ASCII and has a small
/// letter, read byte by byte back from `at`; no when a byte that is not
/// ASCII comes first (it may be a letter).
fn ascii_small_word_before(text: &str, at: usize) -> bool {
    let head = text.as_bytes().get(..at).unwrap_or_default();
    let Some(word_end) = head
        .iter()
        .rposition(|b| !b.is_ascii() || b.is_ascii_alphabetic())
    else {
        return false;
    };
    let word = head.get(..=word_end).unwrap_or_default();
    let mut small = false;
    for &byte in word.iter().rev() {
        if !byte.is_ascii() {
            return false;
        }
        if !byte.is_ascii_alphabetic() {
            break;
        }
        small |= byte.is_ascii_lowercase();
    }
    small
}

/// Whether most longer words of the sentence are capitalized (a headline in
/// title case), where a capitalized word tells nothing.
pub fn is_title_case(text: &str) -> bool {
    let mut words = 0usize;
    let mut capitalized = 0usize;
    for word in text.split(|c: char| !c.is_alphabetic()) {
        if word.chars().count() >= 4 {
            words += 1;
            if word.chars().next().is_some_and(char::is_uppercase) {
                capitalized += 1;
            }
        }
    }
    words > 0 && capitalized * 10 >= words * 6
}

/// Why a capital counts or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CapitalRule<'a> {
    Government,
    Possessive,
    GovernmentCue(&'a str),
    Dateline,
    PlaceNounAfter(&'a str),
    PlaceBefore(String),
    PlaceAfterPreposition(&'a str),
    InName(&'a str),
    Modifier(&'a str),
    InPlaceList,
    AfterPossessive,
}

impl CapitalRule<'_> {
    pub fn keeps(&self) -> bool {
        matches!(
            self,
            CapitalRule::Government | CapitalRule::Possessive | CapitalRule::GovernmentCue(_)
        )
    }

    pub fn describe(&self) -> String {
        match self {
            CapitalRule::Government => "capital:government".into(),
            CapitalRule::Possessive => "capital:possessive".into(),
            CapitalRule::GovernmentCue(w) => format!("capital:government-cue-{w}"),
            CapitalRule::Dateline => "capital:dateline".into(),
            CapitalRule::PlaceNounAfter(w) => format!("capital:place-before-{w}"),
            CapitalRule::PlaceBefore(w) => format!("capital:place-after-{w}"),
            CapitalRule::PlaceAfterPreposition(w) => format!("capital:place-after-{w}"),
            CapitalRule::InName(w) => format!("capital:inside-name-{w}"),
            CapitalRule::Modifier(w) => format!("capital:place-modifier-of-{w}"),
            CapitalRule::InPlaceList => "capital:place-in-list".into(),
            CapitalRule::AfterPossessive => "capital:place-after-possessive".into(),
        }
    }
}

/// The length of a possessive (`'s` or `'`) at `at`, if one is there.
pub fn possessive_len(text: &str, at: usize) -> Option<usize> {
    let rest = text.get(at..)?;
    if rest.starts_with("'s") && !rest[2..].starts_with(is_word_char) {
        Some(2)
    } else if rest.starts_with('\'')
        && !rest[1..].starts_with(is_word_char)
        && char_before(text, at).is_some_and(|c| c == 's' || c == 'S')
    {
        Some(1)
    } else {
        None
    }
}

/// Whether only non-word characters come before `at`.
pub fn at_unit_start(text: &str, at: usize) -> bool {
    !text.get(..at).unwrap_or("").chars().any(is_word_char)
}

fn is_capitalized(word: &str) -> bool {
    word.chars().count() > 1 && word.chars().next().is_some_and(char::is_uppercase)
}

fn starts_head_noun(words: &ContextWords, key: &str) -> bool {
    words.head_noun_first_words.contains(key)
}

/// The capital rules that look at the words around `start..end` (ANNOTATION.md
/// §3): a dateline, a possessive, a place noun after, a place word or
/// preposition before, a longer name, a modifier; `is_candidate` tells
/// whether an actor name starts at an offset (`Washington Taliban` is not one
/// longer name).
pub fn capital_rule<'a>(
    words: &ContextWords,
    text: &'a str,
    start: usize,
    end: usize,
    is_candidate: impl Fn(usize) -> bool,
) -> CapitalRule<'a> {
    let surface = text.get(start..end).unwrap_or("");
    let next = word_after(text, end);
    let rest = text.get(end..).unwrap_or("").trim_start_matches(' ');
    // Asked for only where needed (most capitals are written in small letters).
    let caps_context = || in_caps_context(text, start, end);
    let shouting = !surface.chars().any(char::is_lowercase)
        && surface.chars().filter(|c| c.is_alphabetic()).count() > 3
        && !caps_context();
    let alone = at_unit_start(text, start) && !rest.chars().any(is_word_char);
    if shouting || alone {
        return CapitalRule::Dateline;
    }
    if at_unit_start(text, start) {
        let dated = rest.starts_with(',')
            && next
                .as_ref()
                .is_some_and(|w| words.not_name_word.contains(w.key()));
        if rest.starts_with(['(', '-', ':', '/']) || dated {
            return CapitalRule::Dateline;
        }
    }
    if let Some(len) = possessive_len(text, end) {
        return match word_after(text, end + len) {
            Some(w) if words.capital_place_after.contains(w.key()) => {
                CapitalRule::PlaceNounAfter(w.text)
            }
            _ => CapitalRule::Possessive,
        };
    }
    let title_case = || caps_context() || is_title_case(text);
    let directly_after = next.as_ref().filter(|w| {
        text.get(end..w.start)
            .is_some_and(|gap| !gap.is_empty() && gap.chars().all(|c| c == ' '))
    });
    if let Some(w) = &next {
        if words.capital_place_after.contains(w.key()) {
            return CapitalRule::PlaceNounAfter(w.text);
        }
    }
    if let Some(w) = directly_after {
        if is_capitalized(w.text)
            && !words.not_name_word.contains(w.key())
            && !starts_head_noun(words, w.key())
            && !is_candidate(w.start)
            && !title_case()
        {
            return CapitalRule::InName(w.text);
        }
    }
    let before = words_before(text, start, 3);
    if let Some(name) = name_before(words, text, start, end, &is_candidate) {
        return CapitalRule::InName(name);
    }
    if let Some(first) = before.first() {
        if first.text.ends_with("'s") {
            return CapitalRule::AfterPossessive;
        }
        if words.capital_place_preposition.contains(first.key()) {
            return match before.get(1) {
                Some(cue) if words.capital_government_before.contains(cue.key()) => {
                    CapitalRule::GovernmentCue(cue.text)
                }
                _ => CapitalRule::PlaceAfterPreposition(first.text),
            };
        }
    }
    let ends_phrase = |seen: &[Word<'_>], phrase: &[String]| {
        phrase.len() <= seen.len()
            && phrase
                .iter()
                .rev()
                .zip(seen)
                .all(|(word, seen)| word == seen.key())
    };
    // The phrases that may end the words seen: those whose last word is the
    // nearest one, in lexicon order.
    let ending_with = |seen: &[Word<'_>]| {
        seen.first()
            .and_then(|nearest| words.capital_place_before_by_last.get(nearest.key()))
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter_map(|&index| words.capital_place_before.get(index))
    };
    for phrase in ending_with(&before) {
        if ends_phrase(&before, phrase) {
            return CapitalRule::PlaceBefore(phrase.join(" "));
        }
    }
    // An appositive: `the Macedonian capital, Skopje`.
    let head = text.get(..start).unwrap_or("").trim_end_matches(' ');
    if let Some(comma) = head.strip_suffix(',') {
        let seen = words_before(text, comma.len(), 3);
        for phrase in ending_with(&seen).filter(|p| p.len() == 1) {
            if ends_phrase(&seen, phrase) {
                return CapitalRule::PlaceBefore(phrase.join(" "));
            }
        }
    }
    // A modifier: `a Paris supermarket`, but `the Kabul government`.
    if let (Some(first), Some(w)) = (before.first(), directly_after) {
        let modifies = words.determiner.contains(first.key())
            && w.text.chars().next().is_some_and(char::is_lowercase)
            && !starts_head_noun(words, w.key())
            && !words.capital_government_before.contains(w.key());
        if modifies {
            return CapitalRule::Modifier(w.text);
        }
    }
    CapitalRule::Government
}

/// For a one-word name (`Haines`, `Jordan`): the capitalized word right
/// before it that makes it part of another name (`David Haines`), if any.
pub fn name_before<'a>(
    words: &ContextWords,
    text: &'a str,
    start: usize,
    end: usize,
    is_candidate: impl Fn(usize) -> bool,
) -> Option<&'a str> {
    let first = word_before(text, start)?;
    let spaced = text.get(..start).is_some_and(|head| head.ends_with(' '));
    let opens_clause = text
        .get(..first.start)
        .map(|head| head.trim_end_matches(' '))
        .is_some_and(|head| head.ends_with(['"', '\'', '(', ':', '.', '!', '?', '-', ';']));
    let is_name = spaced
        && !opens_clause
        && is_capitalized(first.text)
        && first.text.chars().any(char::is_lowercase)
        && !at_unit_start(text, first.start)
        && !first.text.ends_with("'s")
        && !words.title_words.contains(first.key())
        && !words.not_name_word.contains(first.key())
        && !words.determiner.contains(first.key())
        && !in_caps_context(text, start, end)
        && !is_title_case(text)
        && !is_candidate(first.start);
    is_name.then_some(first.text)
}

/// Whether `gap` only joins two items of a list (`, `, ` and `, `/`).
pub fn joins_list(gap: &str) -> bool {
    matches!(
        gap.trim_matches(' '),
        "," | "and" | "or" | ", and" | ", or" | "/" | "&"
    )
}

/// Why an ALL-CAPS alias in ALL-CAPS text is a common word, if it is.
pub fn caps_word_rule(
    words: &ContextWords,
    text: &str,
    start: usize,
    end: usize,
    alias_key: &str,
) -> Option<String> {
    if words.caps_word.contains(alias_key) {
        if text.get(end..).is_some_and(|r| r.starts_with('-')) {
            return None;
        }
        return Some(format!("caps:common-word-{alias_key}"));
    }
    if words.caps_pronoun.contains(alias_key) {
        let before = word_before(text, start);
        if let Some(cue) = before
            .as_ref()
            .filter(|w| words.pronoun_cue.contains(w.key()))
        {
            return Some(format!("caps:pronoun-after-{}", cue.key()));
        }
        let rest = text.get(end..).unwrap_or("").trim_start_matches(' ');
        let clause_end =
            rest.is_empty() || rest.starts_with(['.', ',', '!', '?', ';', ':', ')', '"']);
        if clause_end && before.is_some_and(|w| w.key() != "the") {
            return Some("caps:pronoun-at-clause-end".into());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn boundaries_read_from_bytes_are_boundaries_read_from_chars(
            text in "(a|Z|9|é|e\u{301}|’|-| |'|\\.|Ω|\u{300})*",
        ) {
            for start in 0..=text.len() + 1 {
                for end in start..=text.len() + 1 {
                    let word_after = char_after(&text, start).is_some_and(is_word_char);
                    let word_before = char_before(&text, start).is_some_and(is_word_char);
                    let last_word = char_before(&text, end).is_some_and(is_word_char);
                    let next_word = char_after(&text, end).is_some_and(is_word_char);
                    let open = !(word_after && word_before);
                    let close = !(last_word && next_word);
                    let by_chars = open && close;
                    proptest::prop_assert_eq!(on_boundaries(&text, start, end), by_chars);
                }
            }
        }
    }

    /// `word_before` as it was first written: the word found again in its
    /// run by substring search.
    fn word_before_by_search(text: &str, at: usize) -> Option<(usize, &str)> {
        let trimmed = text.get(..at)?.trim_end_matches(' ');
        let start = trimmed
            .char_indices()
            .rev()
            .take_while(|&(_, c)| is_inner_word_char(c))
            .last()
            .map(|(i, _)| i)?;
        let word = trimmed[start..].trim_matches(|c: char| !is_word_char(c));
        if word.is_empty() {
            return None;
        }
        Some((start + trimmed[start..].find(word).unwrap_or(0), word))
    }

    /// `in_caps_context` as it was first written: every word looked at.
    fn in_caps_context_looking_at_all(text: &str, start: usize, end: usize) -> bool {
        let before = text.get(..start).unwrap_or("");
        let after = text.get(end..).unwrap_or("");
        let mut letters = 0usize;
        let mut ok = true;
        let mut check = |words: &mut dyn Iterator<Item = &str>| {
            for word in words.filter(|w| !w.is_empty()).take(2) {
                if word.chars().any(char::is_lowercase) {
                    ok = false;
                }
                letters += word.chars().count();
            }
        };
        check(&mut before.rsplit(|c: char| !c.is_alphabetic()));
        check(&mut after.split(|c: char| !c.is_alphabetic()));
        ok && (letters >= 2 || !text.chars().any(char::is_lowercase))
    }

    proptest::proptest! {
        #[test]
        fn caps_context_stops_at_the_first_small_letter_with_the_same_answer(
            text in "[ aAbB.é\u{c9}1]{0,14}",
        ) {
            let bounds: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .collect();
            for &start in &bounds {
                for &end in bounds.iter().filter(|&&e| e >= start) {
                    proptest::prop_assert_eq!(
                        in_caps_context(&text, start, end),
                        in_caps_context_looking_at_all(&text, start, end)
                    );
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn a_word_key_is_the_context_key_of_the_word(
            text in "[ aAzZ.'\\-é\u{c9}\u{301}1]{0,16}",
        ) {
            for (at, _) in text.char_indices().chain([(text.len(), ' ')]) {
                for word in word_before(&text, at).into_iter().chain(word_after(&text, at)) {
                    proptest::prop_assert_eq!(word.key(), context_key(word.text));
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn the_word_before_starts_where_a_search_finds_it(
            text in "[ a.'\\-é\u{301}Z]{0,16}",
        ) {
            for (at, _) in text.char_indices().chain([(text.len(), ' ')]) {
                let found = word_before(&text, at).map(|w| (w.start, w.text));
                proptest::prop_assert_eq!(found, word_before_by_search(&text, at));
            }
        }
    }
}
