//! Match: finds actor mentions (ANNOTATION.md §3) in sentence units with one
//! name trie (longest name first, ASCII-case-insensitive, walked where a word
//! starts; see `names`) over the folded text, built from `lexicons/actors.csv`
//! and `lexicons/non_actors.csv`, then verifies each candidate, and the
//! shorter names at the same start when it fails: word boundaries, the
//! alias's case rule, the non-actor names that contain it, and whether a
//! capital stands for its government (context words in
//! `lexicons/actor_context.csv`).

#[allow(unsafe_code)]
mod blocks;
mod context;
mod names;
mod tables;
mod text;

use crate::lexicon::{Lexicons, Problem, Severity};
use crate::types::{Mention, Span};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind, StartKind};
use context::CapitalRule;
use names::{Hit, Names};
use rustc_hash::FxHashMap;
use std::sync::Arc;
use tables::{context_key, Checks, ContextWords, Tables};
use text::{MatchText, Scratch};

pub use tables::{ActorType, CaseRule};

/// The compiled actor lexicon.
#[derive(Debug, Clone)]
pub struct Matcher {
    /// Every alias and non-actor name, ASCII-lowercased, once each.
    patterns: Vec<String>,
    names: Names,
    /// For each pattern, the entries that share its ASCII-lowercased form,
    /// in the order they are tried: non-actor names first, then actor
    /// aliases, later rows before earlier ones. Pattern `p`'s are
    /// `targets[target_starts[p]..target_starts[p + 1]]`.
    targets: Vec<Target>,
    target_starts: Vec<u32>,
    actors: Vec<Actor>,
    non_actors: Vec<Box<str>>,
    words: ContextWords,
}

#[derive(Debug, Clone, Copy)]
enum Target {
    Actor(usize),
    NonActor { index: usize, case: CaseRule },
}

#[derive(Debug, Clone)]
struct Actor {
    actor: Arc<str>,
    entity: Arc<str>,
    /// Whether the entity's (last) row is a person, for the surname pass.
    person_entity: bool,
    kind: ActorType,
    alias: Box<str>,
    case: CaseRule,
    /// Whether the alias has lowercase letters (so ALL-CAPS text may spell it
    /// in capitals).
    has_lowercase: bool,
    /// The context key of an alias of capital letters only (`IS`, `US`, not
    /// `U.S.`), for the ALL-CAPS common-word rules.
    caps_key: Option<String>,
    /// For a one-word person alias (`Gaddafi`): the first words of the
    /// entity's longer aliases that end with it (`Muammar`), so that a
    /// spelling variant (`Moammar Gaddafi`) is not taken for another person.
    /// Empty for other aliases, which do not use it.
    given_names: Vec<Box<str>>,
}

/// One candidate name found in a sentence and what became of it, for
/// `claimstance explain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub sent: usize,
    /// Source byte offsets.
    pub start: usize,
    pub end: usize,
    /// The source text of the span.
    pub surface: String,
    /// The actor code, or `None` for a non-actor name.
    pub actor: Option<Arc<str>>,
    /// The entity of the actor row, or the non-actor name.
    pub entity: Arc<str>,
    /// Whether it became a mention.
    pub kept: bool,
    /// The rule that kept or dropped it: `alias`, `case`, `boundary`,
    /// `non_actor:Georgetown University`, `capital:place-after-in`, ...
    pub rule: String,
}

/// Where `finder`'s needle occurs inside a sentence from sentence `from` on,
/// as (sentence, source offset), in text order: the matches of a search of
/// each sentence on its own, found with one search of the text they span
/// when the sentences are in order and on character boundaries.
fn surname_places(
    src: &str,
    sentences: &[Span],
    from: usize,
    finder: &memchr::memmem::Finder<'_>,
) -> Vec<(usize, usize)> {
    let mut places = Vec::new();
    let rest = sentences.get(from..).unwrap_or_default();
    let in_order = rest.iter().all(|span| src.get(span.clone()).is_some())
        && rest.windows(2).all(|pair| pair[0].end <= pair[1].start);
    if !in_order {
        for (sent, span) in sentences.iter().enumerate().skip(from) {
            let Some(text) = src.get(span.clone()) else {
                continue;
            };
            places.extend(
                finder
                    .find_iter(text.as_bytes())
                    .map(|offset| (sent, span.start + offset)),
            );
        }
        return places;
    }
    let (Some(first), Some(last)) = (rest.first(), rest.last()) else {
        return places;
    };
    let bytes = src.as_bytes();
    let len = finder.needle().len();
    let mut at = first.start;
    while let Some(offset) = bytes.get(at..last.end).and_then(|hay| finder.find(hay)) {
        let start = at + offset;
        let end = start + len;
        // The first sentence that ends after the match starts.
        let index = rest.partition_point(|span| span.end <= start);
        let Some(span) = rest.get(index) else {
            break;
        };
        if span.start > start {
            // In a gap between sentences: go on from the next one.
            at = span.start;
        } else if end <= span.end {
            places.push((from + index, start));
            at = end.max(start + 1);
        } else {
            // Across the sentence's end: no later match fits in it either.
            at = span.end.max(start + 1);
        }
    }
    places
}

/// Whether a bare surname stands inside another name: a capitalized word
/// right after it (`Karzai International Airport`) or a capitalized given
/// name right before it (`Hunter Biden`); short titles (`Gen`, `Sen.`) pass.
fn inside_longer_name(src: &str, start: usize, end: usize) -> bool {
    let capital_after = src
        .get(end..)
        .and_then(|rest| rest.strip_prefix(' '))
        .and_then(|rest| rest.chars().next())
        .is_some_and(char::is_uppercase);
    let before = src.get(..start).unwrap_or_default();
    let word_before = before
        .strip_suffix(' ')
        .and_then(|b| b.split_whitespace().next_back())
        .unwrap_or_default();
    let given_name_before = word_before.chars().next().is_some_and(char::is_uppercase)
        && word_before.chars().all(char::is_alphabetic)
        && word_before.chars().count() > 4;
    capital_after || given_name_before
}

/// At most how many mentions `find` makes room for before its scan.
const MENTIONS_RESERVED: usize = 64;

/// What the scan reports to: mentions for `find`, candidates for `explain`.
trait Sink {
    const EXPLAIN: bool;
    fn kept(&mut self, found: Found<'_>);
    fn dropped(&mut self, found: Found<'_>, rule: String);
}

/// A candidate in match-text offsets.
struct Found<'a> {
    start: usize,
    end: usize,
    target: Target,
    rule: &'a dyn Fn() -> String,
}

impl Matcher {
    /// Compiles the actor lexicons; fails with the error-level problems.
    pub fn build(lexicons: &Lexicons) -> Result<Matcher, Vec<Problem>> {
        let mut problems = Vec::new();
        let tables = tables::load(lexicons, &mut problems, Checks::ErrorsOnly);
        problems.retain(|p| p.severity == Severity::Error);
        if !problems.is_empty() {
            return Err(problems);
        }
        Matcher::compile(tables).map_err(|message| {
            vec![Problem {
                severity: Severity::Error,
                file: "lexicons/actors.csv".into(),
                line: 0,
                message,
            }]
        })
    }

    /// Every problem (errors and warnings) in the actor lexicons.
    pub fn check(lexicons: &Lexicons) -> Vec<Problem> {
        let mut problems = Vec::new();
        let tables = tables::load(lexicons, &mut problems, Checks::All);
        if let Err(message) = Matcher::compile(tables) {
            problems.push(Problem {
                severity: Severity::Error,
                file: "lexicons/actors.csv".into(),
                line: 0,
                message,
            });
        }
        problems
    }

    fn compile(tables: Tables) -> Result<Matcher, String> {
        let Tables {
            actors,
            non_actors,
            context: words,
        } = tables;
        // Each entry's pattern, in the order the entries are tried: the
        // non-actor names, then the actor aliases from the last row up.
        let mut patterns: Vec<String> = Vec::new();
        let mut index_of: FxHashMap<String, u32> = FxHashMap::with_capacity_and_hasher(
            non_actors.len() + actors.len(),
            Default::default(),
        );
        let entries = non_actors
            .iter()
            .enumerate()
            .map(|(index, entry)| {
                let target = Target::NonActor {
                    index,
                    case: entry.case,
                };
                (&*entry.name, target)
            })
            .chain(
                actors
                    .iter()
                    .enumerate()
                    .rev()
                    .map(|(index, entry)| (&*entry.alias, Target::Actor(index))),
            );
        let mut pattern_of: Vec<(u32, Target)> =
            Vec::with_capacity(non_actors.len() + actors.len());
        for (name, target) in entries {
            let key = name.to_ascii_lowercase();
            let pattern = match index_of.get(&key) {
                Some(&pattern) => pattern,
                None => {
                    let pattern = u32::try_from(patterns.len()).map_err(|_| too_many_names())?;
                    index_of.insert(key.clone(), pattern);
                    patterns.push(key);
                    pattern
                }
            };
            pattern_of.push((pattern, target));
        }
        drop(index_of);
        // Grouped by pattern, in that order within each (a counting sort).
        let mut target_starts = vec![0u32; patterns.len() + 1];
        for &(pattern, _) in &pattern_of {
            target_starts[pattern as usize + 1] += 1;
        }
        for i in 1..target_starts.len() {
            target_starts[i] += target_starts[i - 1];
        }
        let mut next = target_starts.clone();
        let mut targets = vec![Target::Actor(0); pattern_of.len()];
        for &(pattern, target) in &pattern_of {
            let at = &mut next[pattern as usize];
            targets[*at as usize] = target;
            *at += 1;
        }
        let targets_of = |pattern: usize| -> &[Target] {
            match (target_starts.get(pattern), target_starts.get(pattern + 1)) {
                (Some(&from), Some(&to)) => {
                    targets.get(from as usize..to as usize).unwrap_or_default()
                }
                _ => &[],
            }
        };
        let small_start: Vec<bool> = (0..patterns.len())
            .map(|pattern| {
                targets_of(pattern).iter().any(|target| match *target {
                    Target::Actor(index) => actors
                        .get(index)
                        .is_none_or(|entry| accepts_small_start(entry.case, &entry.alias)),
                    Target::NonActor { index, case } => non_actors
                        .get(index)
                        .is_none_or(|entry| accepts_small_start(case, &entry.name)),
                })
            })
            .collect();
        let names = Names::build(&patterns, &small_start)?;
        // The rows of each entity, in row order.
        let mut rows_of: FxHashMap<&str, Vec<&tables::ActorEntry>> =
            FxHashMap::with_capacity_and_hasher(actors.len(), Default::default());
        for entry in &actors {
            rows_of.entry(&*entry.entity).or_default().push(entry);
        }
        let given_names = |entry: &tables::ActorEntry| -> Vec<Box<str>> {
            if entry.kind != ActorType::Person || entry.alias.contains(' ') {
                return Vec::new();
            }
            rows_of
                .get(&*entry.entity)
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .filter_map(|other| {
                    let (first, rest) = other.alias.split_once(' ')?;
                    let last = rest.rsplit(' ').next()?;
                    last.eq_ignore_ascii_case(&entry.alias)
                        .then(|| first.into())
                })
                .collect()
        };
        let given: Vec<Vec<Box<str>>> = actors.iter().map(given_names).collect();
        let kinds: FxHashMap<&str, ActorType> =
            actors.iter().map(|a| (&*a.entity, a.kind)).collect();
        let person_entity: Vec<bool> = actors
            .iter()
            .map(|a| kinds.get(&*a.entity) == Some(&ActorType::Person))
            .collect();
        drop(kinds);
        let actors: Vec<Actor> = actors
            .into_iter()
            .zip(given)
            .zip(person_entity)
            .map(|((e, given_names), person_entity)| {
                let has_lowercase = e.alias.chars().any(char::is_lowercase);
                Actor {
                    caps_key: (!has_lowercase && e.alias.chars().all(|c| c.is_ascii_alphabetic()))
                        .then(|| context_key(&e.alias)),
                    has_lowercase,
                    given_names,
                    actor: e.actor,
                    entity: e.entity,
                    person_entity,
                    kind: e.kind,
                    alias: e.alias,
                    case: e.case,
                }
            })
            .collect();
        let non_actors: Vec<Box<str>> = non_actors.into_iter().map(|e| e.name).collect();
        Ok(Matcher {
            patterns,
            names,
            targets,
            target_starts,
            actors,
            non_actors,
            words,
        })
    }

    /// The entries of `pattern`, in the order they are tried.
    fn targets_of(&self, pattern: usize) -> &[Target] {
        match (
            self.target_starts.get(pattern),
            self.target_starts.get(pattern + 1),
        ) {
            (Some(&from), Some(&to)) => self
                .targets
                .get(from as usize..to as usize)
                .unwrap_or_default(),
            _ => &[],
        }
    }

    /// The number of aliases and non-actor names compiled.
    pub fn pattern_count(&self) -> usize {
        self.patterns.len()
    }

    /// Heap bytes of the matcher's name automaton.
    pub fn automaton_memory(&self) -> usize {
        self.names.memory_usage()
    }

    /// An unanchored automaton of the same names (every alias and non-actor
    /// name, ASCII-lowercased, leftmost-longest, ASCII-case-insensitive, a
    /// DFA), for benchmarks: a bare scan of every byte to compare the
    /// matcher with.
    pub fn unanchored_automaton(&self) -> Result<AhoCorasick, String> {
        AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(true)
            .kind(Some(AhoCorasickKind::DFA))
            .start_kind(StartKind::Unanchored)
            .build(&self.patterns)
            .map_err(|e| e.to_string())
    }

    /// Whether the longest name that starts at `at` (in match text) stands on
    /// word boundaries.
    fn candidate_at(&self, text: &str, at: usize) -> bool {
        self.names
            .longest_at(text, at)
            .is_some_and(|hit| context::on_boundaries(text, at, hit.end))
    }

    /// Appends the mentions of every sentence in `sentences` to `out`, in
    /// order, with `Mention::sent` set to the sentence index.
    pub fn find(&self, src: &str, sentences: &[Span], out: &mut Vec<Mention>) {
        // Room for a mention per sentence, up to a point: most documents then
        // need no regrowth (a mention for every other sentence is usual).
        out.reserve(sentences.len().min(MENTIONS_RESERVED));
        let first = out.len();
        let mut scratch = Scratch::default();
        let mut hits = Vec::new();
        let mut persons = Vec::new();
        for (sent, span) in sentences.iter().enumerate() {
            let text = scratch.prepare(src, span.clone());
            let mut sink = MentionSink {
                matcher: self,
                text,
                sent,
                out,
                persons: &mut persons,
            };
            self.scan(text.text(), &mut hits, &mut sink);
        }
        self.add_surnames(src, sentences, first, &persons, out);
    }

    /// The document-level pass: a person named in full earlier in the
    /// document (`Secretary of State John Kerry`) is the same actor when only
    /// the surname comes back later (`Kerry said`). `persons` holds the
    /// indexes in `out` of the mentions (from `first` on) of entities whose
    /// (last) row is a person, in order.
    fn add_surnames(
        &self,
        src: &str,
        sentences: &[Span],
        first: usize,
        persons: &[usize],
        out: &mut Vec<Mention>,
    ) {
        // Surname -> (first sentence it was named in full, mention).
        let mut surnames: Vec<(String, usize, Mention)> = Vec::new();
        for mention in persons.iter().filter_map(|&index| out.get(index)) {
            let Some(surface) = src.get(mention.start..mention.end) else {
                continue;
            };
            let mut words = surface.split_whitespace();
            let Some(last) = words.next_back() else {
                continue;
            };
            let is_name = words.next().is_some()
                && last.chars().count() >= 3
                && last.chars().next().is_some_and(char::is_uppercase)
                && last
                    .chars()
                    .all(|c| c.is_alphabetic() || c == '-' || c == '\'');
            if is_name && !surnames.iter().any(|(s, _, _)| s == last) {
                surnames.push((last.to_string(), mention.sent, mention.clone()));
            }
        }
        if surnames.is_empty() {
            return;
        }
        let mut added = Vec::new();
        for (surname, named_in, named) in &surnames {
            let finder = memchr::memmem::Finder::new(surname.as_bytes());
            for (sent, start) in surname_places(src, sentences, *named_in, &finder) {
                let end = start + surname.len();
                let bounded = context::char_before(src, start)
                    .is_none_or(|c| !context::is_word_char(c))
                    && context::char_after(src, end).is_none_or(|c| !context::is_word_char(c));
                let taken = out
                    .get(first..)
                    .unwrap_or_default()
                    .iter()
                    .chain(added.iter())
                    .any(|m: &Mention| m.start < end && start < m.end);
                if bounded && !taken && !inside_longer_name(src, start, end) {
                    added.push(Mention {
                        sent,
                        start,
                        end,
                        actor: named.actor.clone(),
                        entity: named.entity.clone(),
                    });
                }
            }
        }
        if added.is_empty() {
            return;
        }
        out.extend(added);
        if let Some(document) = out.get_mut(first..) {
            document.sort_by_key(|m| (m.sent, m.start));
        }
    }

    /// Every candidate in the sentences with whether it was kept and the rule
    /// that kept or dropped it, in text order.
    pub fn explain(&self, src: &str, sentences: &[Span]) -> Vec<Candidate> {
        let mut out = Vec::new();
        let mut scratch = Scratch::default();
        let mut hits = Vec::new();
        for (sent, span) in sentences.iter().enumerate() {
            let text = scratch.prepare(src, span.clone());
            let mut sink = CandidateSink {
                matcher: self,
                src,
                text,
                sent,
                out: &mut out,
            };
            self.scan(text.text(), &mut hits, &mut sink);
        }
        out.sort_by(|a, b| {
            (a.sent, a.start, std::cmp::Reverse(a.end)).cmp(&(
                b.sent,
                b.start,
                std::cmp::Reverse(b.end),
            ))
        });
        out
    }

    /// Walks one sentence's match text: the leftmost-longest candidate at each
    /// place, shorter ones at the same start when it fails, the next place
    /// when none holds.
    fn scan<S: Sink>(&self, text: &str, hits: &mut Vec<Hit>, sink: &mut S) {
        let mut at = 0;
        // The end of the last capital and whether it was a place, for lists
        // (`in London, Berlin and Paris`).
        let mut last_capital: Option<(usize, bool)> = None;
        while at < text.len() {
            // Names inside a word fail their start boundary: only `explain`
            // looks for them, to report them.
            let Some((start, longest)) = self.names.next_start(text, at, S::EXPLAIN) else {
                break;
            };
            let starts_word =
                context::word_char_before(text, start) && context::word_char_after(text, start);
            if starts_word {
                if S::EXPLAIN {
                    for target in self.targets_of(longest.pattern).iter() {
                        sink.dropped(self.found(start, longest.end, *target), "boundary".into());
                    }
                }
                at = context::word_end(text, start);
                continue;
            }
            let small_start = text
                .as_bytes()
                .get(start)
                .is_some_and(u8::is_ascii_lowercase);
            if !S::EXPLAIN && small_start && !self.names.small_start_ok(longest.pattern) {
                // No name here can pass its case rule.
                at = context::word_end(text, start);
                continue;
            }
            // The longest name first, then the shorter ones at the same start.
            let mut accepted = None;
            let mut end = longest.end;
            if let Some(target) =
                self.decide(text, start, end, longest.pattern, &mut last_capital, sink)
            {
                accepted = Some(target);
            } else {
                self.names.all_at(text, start, hits);
                while let Some(hit) = hits.pop() {
                    if hit.end >= longest.end {
                        continue;
                    }
                    end = hit.end;
                    if let Some(target) =
                        self.decide(text, start, end, hit.pattern, &mut last_capital, sink)
                    {
                        accepted = Some(target);
                        break;
                    }
                }
            }
            match accepted {
                Some(target) => {
                    if S::EXPLAIN {
                        self.explain_inside(text, start, end, target, sink);
                    }
                    at = end;
                }
                None => {
                    // Candidates starting inside this word would fail their
                    // start boundary.
                    at = match context::char_after(text, start) {
                        Some(c) if context::is_word_char(c) => context::word_end(text, start),
                        Some(c) => start + c.len_utf8(),
                        None => text.len(),
                    };
                }
            }
        }
    }

    fn found(&self, start: usize, end: usize, target: Target) -> Found<'static> {
        Found {
            start,
            end,
            target,
            rule: &|| String::new(),
        }
    }

    /// The first target of `pattern` that holds at `start..end`.
    fn decide<S: Sink>(
        &self,
        text: &str,
        start: usize,
        end: usize,
        pattern: usize,
        last_capital: &mut Option<(usize, bool)>,
        sink: &mut S,
    ) -> Option<Target> {
        let targets = self.targets_of(pattern);
        let surface = text.get(start..end)?;
        if !context::on_boundaries(text, start, end) {
            if S::EXPLAIN {
                for target in targets.iter() {
                    sink.dropped(self.found(start, end, *target), "boundary".into());
                }
            }
            return None;
        }
        for (n, target) in targets.iter().enumerate() {
            match *target {
                Target::NonActor { index, case } => {
                    if case == CaseRule::Exact && surface != &*self.non_actors[index] {
                        if S::EXPLAIN {
                            sink.dropped(self.found(start, end, *target), "case".into());
                        }
                        continue;
                    }
                    sink.kept(Found {
                        start,
                        end,
                        target: *target,
                        rule: &|| "non_actor_name".into(),
                    });
                    return Some(*target);
                }
                Target::Actor(index) => {
                    let actor = &self.actors[index];
                    match self.actor_rule(text, start, end, surface, actor, last_capital) {
                        Ok(rule) => {
                            if S::EXPLAIN {
                                for shadowed in &targets[n + 1..] {
                                    sink.dropped(
                                        self.found(start, end, *shadowed),
                                        format!("shadowed:{}", actor.entity),
                                    );
                                }
                            }
                            sink.kept(Found {
                                start,
                                end,
                                target: *target,
                                rule: &|| rule.describe(),
                            });
                            return Some(*target);
                        }
                        Err(rule) => {
                            if S::EXPLAIN {
                                sink.dropped(self.found(start, end, *target), rule.describe());
                            }
                        }
                    }
                }
            }
        }
        None
    }

    /// Whether an actor alias found at `start..end` is a mention, and why.
    fn actor_rule<'t>(
        &self,
        text: &'t str,
        start: usize,
        end: usize,
        surface: &str,
        actor: &Actor,
        last_capital: &mut Option<(usize, bool)>,
    ) -> Result<ActorRule<'t>, ActorRule<'t>> {
        let mut rule = ActorRule::Alias;
        if actor.case == CaseRule::Exact
            && surface != &*actor.alias
            && !capitalized_form(surface, &actor.alias)
        {
            let shouted = actor.has_lowercase
                && !surface.chars().any(char::is_lowercase)
                && surface.eq_ignore_ascii_case(&actor.alias)
                && context::in_caps_context(text, start, end);
            if !shouted {
                return Err(ActorRule::Case);
            }
            rule = ActorRule::CapsText;
        }
        if let Some(key) = &actor.caps_key {
            if context::in_caps_context(text, start, end) {
                if let Some(reason) = context::caps_word_rule(&self.words, text, start, end, key) {
                    return Err(ActorRule::CapsWord(reason));
                }
            }
        }
        let is_candidate = |at: usize| self.candidate_at(text, at);
        let one_word_name =
            actor.kind == ActorType::Person && actor.has_lowercase && !actor.alias.contains(' ');
        if one_word_name {
            if let Some(name) = context::name_before(&self.words, text, start, end, is_candidate) {
                let variant = actor.given_names.iter().any(|g| spelling_variant(g, name));
                if !variant {
                    return Err(ActorRule::OtherName(name));
                }
            }
        }
        if actor.kind == ActorType::Capital {
            if let Some(after) = self.own_state_after(text, end, actor) {
                return Err(ActorRule::Capital(CapitalRule::PlaceNounAfter(after)));
            }
            let in_place_list = last_capital.is_some_and(|(last_end, place)| {
                place && text.get(last_end..start).is_some_and(context::joins_list)
            });
            let capital = if in_place_list {
                CapitalRule::InPlaceList
            } else {
                context::capital_rule(&self.words, text, start, end, is_candidate)
            };
            *last_capital = Some((end, !capital.keeps()));
            return if capital.keeps() {
                Ok(ActorRule::Capital(capital))
            } else {
                Err(ActorRule::Capital(capital))
            };
        }
        Ok(rule)
    }

    /// `Kabul, Afghanistan`: the capital's own state named after a comma.
    fn own_state_after<'t>(&self, text: &'t str, end: usize, capital: &Actor) -> Option<&'t str> {
        let rest = text.get(end..)?;
        let gap = rest.len() - rest.strip_prefix(',')?.trim_start_matches(' ').len();
        let at = end + gap;
        let found = self.names.longest_at(text, at)?;
        if !context::on_boundaries(text, at, found.end) {
            return None;
        }
        let surface = text.get(at..found.end)?;
        let names_state = self.targets_of(found.pattern).iter().any(|t| {
            matches!(*t, Target::Actor(i) if {
                let a = &self.actors[i];
                a.kind == ActorType::State
                    && a.actor == capital.actor
                    && (a.case == CaseRule::Any || surface == &*a.alias)
            })
        });
        names_state.then_some(surface)
    }

    /// For `explain`: the names found inside an accepted span, which the
    /// longer name hides.
    fn explain_inside<S: Sink>(
        &self,
        text: &str,
        start: usize,
        end: usize,
        winner: Target,
        sink: &mut S,
    ) {
        let reason = match winner {
            Target::NonActor { index, .. } => format!("non_actor:{}", self.non_actors[index]),
            Target::Actor(index) => format!("inside:{}", self.actors[index].alias),
        };
        let mut hits = Vec::new();
        self.names.all_at(text, start, &mut hits);
        for found in hits.iter().rev().filter(|hit| hit.end < end) {
            if context::on_boundaries(text, start, found.end) {
                for target in self.targets_of(found.pattern).iter() {
                    if matches!(target, Target::Actor(_)) {
                        sink.dropped(self.found(start, found.end, *target), reason.clone());
                    }
                }
            }
        }
        let mut at = start + context::char_after(text, start).map_or(1, char::len_utf8);
        while at < end {
            let Some((found_at, found)) = self.names.next_start(text, at, true) else {
                break;
            };
            if found_at >= end {
                break;
            }
            if context::on_boundaries(text, found_at, found.end) {
                for target in self.targets_of(found.pattern).iter() {
                    if matches!(target, Target::Actor(_)) {
                        sink.dropped(self.found(found_at, found.end, *target), reason.clone());
                    }
                }
            }
            at = found_at + context::char_after(text, found_at).map_or(1, char::len_utf8);
        }
    }
}

fn too_many_names() -> String {
    "cannot compile the actor names: too many".to_string()
}

/// Whether a surface that begins with a small ASCII letter can pass the
/// case rule `case` of the alias or non-actor name `name`: a name of any
/// case, or an exact one that begins with that small letter itself
/// (capitals, `capitalized_form` and ALL-CAPS text need a capital there).
fn accepts_small_start(case: CaseRule, name: &str) -> bool {
    case == CaseRule::Any || name.as_bytes().first().is_some_and(u8::is_ascii_lowercase)
}

/// Whether `surface` is `alias` with its first letter capitalized (an alias
/// written with a lowercase particle, `al-Qaeda`, as `Al-Qaeda`).
fn capitalized_form(surface: &str, alias: &str) -> bool {
    let (Some(s), Some(a)) = (surface.chars().next(), alias.chars().next()) else {
        return false;
    };
    a.is_ascii_lowercase() && s == a.to_ascii_uppercase() && surface.get(1..) == alias.get(1..)
}

/// Whether two given names look like spellings of one name (`Muammar` and
/// `Moammar`, `Haider` and `Haidar`): same first and last letter, lengths
/// within two.
fn spelling_variant(known: &str, seen: &str) -> bool {
    let first = |s: &str| s.chars().next().map(|c| c.to_ascii_lowercase());
    let last = |s: &str| s.chars().next_back().map(|c| c.to_ascii_lowercase());
    let (a, b) = (known.chars().count(), seen.chars().count());
    first(known) == first(seen) && last(known) == last(seen) && a.abs_diff(b) <= 2
}

/// Why an actor alias is or is not a mention.
enum ActorRule<'a> {
    Alias,
    Case,
    CapsText,
    CapsWord(String),
    OtherName(&'a str),
    Capital(CapitalRule<'a>),
}

impl ActorRule<'_> {
    fn describe(&self) -> String {
        match self {
            ActorRule::Alias => "alias".into(),
            ActorRule::Case => "case".into(),
            ActorRule::CapsText => "case:all-caps-text".into(),
            ActorRule::CapsWord(reason) => reason.clone(),
            ActorRule::OtherName(word) => format!("name:part-of-{word}"),
            ActorRule::Capital(rule) => rule.describe(),
        }
    }
}

struct MentionSink<'a, 'm> {
    matcher: &'m Matcher,
    text: MatchText<'a>,
    sent: usize,
    out: &'a mut Vec<Mention>,
    /// The indexes in `out` of the mentions of person entities.
    persons: &'a mut Vec<usize>,
}

impl Sink for MentionSink<'_, '_> {
    const EXPLAIN: bool = false;

    fn kept(&mut self, found: Found<'_>) {
        if let Target::Actor(index) = found.target {
            let actor = &self.matcher.actors[index];
            let span = self.text.source_span(found.start..found.end);
            if actor.person_entity {
                self.persons.push(self.out.len());
            }
            self.out.push(Mention {
                sent: self.sent,
                start: span.start,
                end: span.end,
                actor: actor.actor.clone(),
                entity: actor.entity.clone(),
            });
        }
    }

    fn dropped(&mut self, _found: Found<'_>, _rule: String) {}
}

struct CandidateSink<'a, 'm> {
    matcher: &'m Matcher,
    src: &'a str,
    text: MatchText<'a>,
    sent: usize,
    out: &'a mut Vec<Candidate>,
}

impl CandidateSink<'_, '_> {
    fn push(&mut self, found: &Found<'_>, kept: bool, rule: String) {
        let span = self.text.source_span(found.start..found.end);
        let (actor, entity) = match found.target {
            Target::Actor(index) => {
                let a = &self.matcher.actors[index];
                (Some(a.actor.clone()), a.entity.clone())
            }
            Target::NonActor { index, .. } => (None, Arc::from(&*self.matcher.non_actors[index])),
        };
        self.out.push(Candidate {
            sent: self.sent,
            surface: self.src.get(span.clone()).unwrap_or("").to_string(),
            start: span.start,
            end: span.end,
            actor,
            entity,
            kept: kept && matches!(found.target, Target::Actor(_)),
            rule,
        });
    }
}

impl Sink for CandidateSink<'_, '_> {
    const EXPLAIN: bool = true;

    fn kept(&mut self, found: Found<'_>) {
        let rule = (found.rule)();
        self.push(&found, true, rule);
    }

    fn dropped(&mut self, found: Found<'_>, rule: String) {
        self.push(&found, false, rule);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    fn matcher() -> &'static Matcher {
        static MATCHER: OnceLock<Matcher> = OnceLock::new();
        MATCHER.get_or_init(|| {
            Matcher::build(&crate::lexicon::Lexicons::builtin()).expect("built-in lexicons")
        })
    }

    /// Mentions as (start, end, actor).
    type Spans = Vec<(usize, usize, String)>;

    /// The mentions `find` gives (its filters and shortcuts) against the kept
    /// candidates of `explain`, which tries every position and every name.
    fn find_and_explain(text: &str) -> (Spans, Spans) {
        let whole: Span = 0..text.len();
        let spans = vec![whole];
        let mut out = Vec::new();
        matcher().find(text, &spans, &mut out);
        let found = out
            .iter()
            .map(|m| (m.start, m.end, m.actor.to_string()))
            .collect();
        let kept = matcher()
            .explain(text, &spans)
            .into_iter()
            .filter(|c| c.kept)
            .filter_map(|c| Some((c.start, c.end, c.actor?.to_string())))
            .collect();
        (found, kept)
    }

    #[test]
    fn a_small_letter_skips_only_names_whose_case_rule_needs_a_capital() {
        let text = "who is with us in the car? WHO, IS and US; the bahamas, afghan and al-Qaeda";
        let (found, kept) = find_and_explain(text);
        assert_eq!(found, kept);
        let surfaces: Vec<&str> = found.iter().map(|(s, e, _)| &text[*s..*e]).collect();
        assert!(surfaces.contains(&"afghan"), "{surfaces:?}");
        assert!(!surfaces.contains(&"is"), "{surfaces:?}");
    }

    proptest::proptest! {
        #[test]
        fn surnames_are_found_where_a_search_of_each_sentence_finds_them(
            text in "(Anan|ana|Kerry| |\\.|é)*",
            cuts in proptest::collection::vec(0usize..80, 0..12),
            from in 0usize..4,
            needle in "(Anana|ana|Kerry|na)",
        ) {
            let mut cuts: Vec<usize> = cuts
                .into_iter()
                .filter(|&cut| cut <= text.len() && text.is_char_boundary(cut))
                .collect();
            cuts.sort_unstable();
            // Sentences between every other pair of cuts: gaps, touching
            // sentences and empty ones.
            let sentences: Vec<Span> = cuts.chunks(2).filter_map(|pair| match pair {
                [start, end] => Some(*start..*end),
                _ => None,
            }).collect();
            let finder = memchr::memmem::Finder::new(needle.as_bytes());
            let mut expected = Vec::new();
            for (sent, span) in sentences.iter().enumerate().skip(from) {
                let Some(part) = text.get(span.clone()) else { continue };
                expected.extend(
                    finder.find_iter(part.as_bytes()).map(|offset| (sent, span.start + offset)),
                );
            }
            proptest::prop_assert_eq!(surname_places(&text, &sentences, from, &finder), expected);
        }

        #[test]
        fn find_keeps_what_explain_keeps(
            pieces in proptest::collection::vec(
                "(is|IS|Is|who|WHO|us|US|U\\.S\\.|car|CAR|let|LeT|the|The|bahamas|Bahamas|hague|Hague|al|Al|-|qaeda|Qaeda|afghan|Afghan|kabul|Kabul|Washington|washington|university|University|George|in|said| |, |\\. |'s|é|’)",
                0..30,
            )
        ) {
            let text: String = pieces.concat();
            let (found, kept) = find_and_explain(&text);
            proptest::prop_assert_eq!(found, kept);
        }
    }
}
