//! The score stage's rule lexicons compiled into patterns: claim cues,
//! reporting verbs and sources, function words, stance cues and stance
//! modifiers. A user's row replaces a built-in row with the same cue; a row
//! with weight 0 removes it.

use super::pattern::{Found, Pattern, PatternSet, Scratch, Sink};
use super::tokens::{Tokens, WordInfo};
use crate::lexicon::{read_rows, LexiconFile, Lexicons, Problem};
use serde::Deserialize;

/// One compiled lexicon row.
#[derive(Debug, Clone)]
pub struct Cue<K> {
    /// The cue as written in the lexicon.
    pub text: String,
    pub pattern: Pattern,
    pub kind: K,
    pub weight: f64,
}

/// What a `claim_cues.csv` row marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimCue {
    Prescriptive,
    Predictive,
    Evaluative,
    /// Author biographies and credits: not claims.
    Bio,
    /// A common noun standing for an actor (`the group`, `the regime`).
    ActorRef,
}

/// What a `reporting_verbs.csv` row marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    /// Speech verbs: said, told, warned.
    Speech,
    /// Attitude verbs: believes, fears; need an actor or source subject and a clause.
    Attitude,
    /// `according to`: the source follows.
    According,
    /// Non-actor sources (analyst, expert): holder `OTHER`.
    Source,
    /// Media (newspaper, BBC): `OTHER`, but an actor they quote holds the claim.
    Media,
    /// Officials and spokesmen: the actor named just before them, else `OTHER`.
    Official,
}

/// What a `function_words.csv` row marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    /// Third-person pronouns that continue a subject chain.
    Pronoun,
    /// First-person plural (we, our) of an author writing as a citizen.
    FirstPlural,
    /// Words that open a subordinate clause (while, although).
    Subordinator,
    /// Finite auxiliaries and modals: a title holding one is a sentence.
    Verb,
    /// Capitalized words that are not names (The, However).
    NotName,
    /// Passive helpers before a reporting verb (is believed, was reported).
    Passive,
    /// Pronouns that can be a reporting verb's subject (he, she, they).
    SubjectPronoun,
    /// Relative pronouns (who, which): the subject is the word before.
    Relative,
    /// Words that can open the clause after an attitude verb.
    ClauseStart,
    /// Words an attitude does not reach across to an event (and, who).
    Coordinator,
    /// Words right after a reporting word that make it no attribution
    /// (`promised to`, `said about`).
    ReportBlocker,
}

/// What a `stance_cues.csv` row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StanceKind {
    /// Carries its polarity on its own (`waning influence`, `push * out`).
    Frame,
    /// An engagement (favor) or disengagement (against) event: it takes a
    /// stance only through an attitude, a modal, or a negation.
    Event,
    /// Names the US role without naming the US (`foreign troops`).
    Target,
    /// A frame that takes a stance only in an actor's or source's words
    /// (`occupation`): authors use it to describe.
    ReportedFrame,
}

/// What a stance cue is: its polarity is +1 favor, -1 against.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StanceMeta {
    pub kind: StanceKind,
    pub polarity: f64,
    /// The cue names the US role itself, so no separate target is needed.
    pub self_targeted: bool,
}

/// The cues of one lexicon.
#[derive(Debug, Clone)]
pub struct CueSet<K> {
    pub cues: Vec<Cue<K>>,
}

impl<K> Default for CueSet<K> {
    fn default() -> Self {
        CueSet { cues: Vec::new() }
    }
}

impl<K> CueSet<K> {
    fn new(cues: Vec<Cue<K>>) -> CueSet<K> {
        CueSet { cues }
    }

    fn patterns(&self) -> impl Iterator<Item = Pattern> + '_ {
        self.cues.iter().map(|c| c.pattern.clone())
    }
}

/// One cue that matched a unit, over tokens `start..end`.
#[derive(Debug)]
pub struct CueMatch<'a, K> {
    pub cue: &'a Cue<K>,
    pub start: usize,
    pub end: usize,
}

impl<K> Clone for CueMatch<'_, K> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K> Copy for CueMatch<'_, K> {}

/// Every cue of every rule lexicon that matched one unit, each list by
/// start, then lexicon row. Found in one pass and shared by every rule.
#[derive(Debug, Default)]
pub struct UnitCues<'a> {
    pub claim: Vec<CueMatch<'a, ClaimCue>>,
    pub report: Vec<CueMatch<'a, Report>>,
    pub function: Vec<CueMatch<'a, Function>>,
    pub stance: Vec<CueMatch<'a, StanceMeta>>,
    pub modifiers: Vec<CueMatch<'a, Modifier>>,
}

impl<'a> UnitCues<'a> {
    /// The first claim cue of `kind`, as the lexicon writes it.
    pub fn first_claim(&self, kind: ClaimCue) -> Option<&'a str> {
        self.claim
            .iter()
            .find(|m| m.cue.kind == kind)
            .map(|m| m.cue.text.as_str())
    }
}

/// What a `stance_modifiers.csv` row does to a nearby cue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modifier {
    Negation,
    Booster,
    Hedge,
    /// `but`, `however`: weight shifts to the clause after it.
    Contrast,
    /// Welcoming, asking for, promising: keeps the polarity of an event
    /// after it.
    Endorse,
    /// Valuing (important, useful): keeps the polarity of an event before or
    /// after it.
    Value,
    /// Refusing, rejecting: flips an event's polarity.
    Oppose,
    /// Harm, flaws, consequences: flips an event's polarity (a harmful
    /// withdrawal argues for staying).
    Harm,
}

/// Every rule lexicon of the score stage.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    pub claim: CueSet<ClaimCue>,
    pub report: CueSet<Report>,
    pub function: CueSet<Function>,
    pub stance: CueSet<StanceMeta>,
    pub modifiers: CueSet<Modifier>,
    /// Every lexicon's patterns in one index, in the order above, so that a
    /// unit is matched once; function words that are one word from a list
    /// are not matched there but marked through the bits their words are
    /// looked up with (`PatternSet::add_word_bits`).
    all: PatternSet,
    /// Where each lexicon's patterns start in `all`.
    offsets: [usize; 5],
}

impl Rules {
    fn new(
        claim: CueSet<ClaimCue>,
        report: CueSet<Report>,
        function: CueSet<Function>,
        stance: CueSet<StanceMeta>,
        modifiers: CueSet<Modifier>,
    ) -> Rules {
        let lens = [
            claim.cues.len(),
            report.cues.len(),
            function.cues.len(),
            stance.cues.len(),
            modifiers.cues.len(),
        ];
        let mut offsets = [0; 5];
        let mut total = 0;
        for (offset, len) in offsets.iter_mut().zip(lens) {
            *offset = total;
            total += len;
        }
        let patterns: Vec<Pattern> = claim
            .patterns()
            .chain(report.patterns())
            .chain(function.patterns())
            .chain(stance.patterns())
            .chain(modifiers.patterns())
            .collect();
        let [_, _, function_start, _, _] = offsets;
        let one_word_function: Vec<bool> = (0..patterns.len())
            .map(|id| {
                id >= function_start
                    && id - function_start < function.cues.len()
                    && patterns.get(id).is_some_and(|p| p.single_words().is_some())
            })
            .collect();
        let mut all = PatternSet::with_unmatched(patterns, |id| {
            one_word_function.get(id).copied().unwrap_or(false)
        });
        // A word's function-word kinds are read with its id.
        for cue in &function.cues {
            for word in cue.pattern.single_words().into_iter().flatten() {
                let id = all.word_id(word);
                all.add_word_bits(id, cue.kind.bit());
            }
        }
        Rules {
            all,
            offsets,
            claim,
            report,
            function,
            stance,
            modifiers,
        }
    }

    /// The vocabulary id of a lowercase word (for [`Token::word`]) and the
    /// bits of the function-word kinds it is one of (for
    /// [`Token::functions`]).
    ///
    /// [`Token::word`]: super::tokens::Token::word
    /// [`Token::functions`]: super::tokens::Token::functions
    pub fn word_info(&self, lower: &str) -> (u32, u16) {
        self.all.word_info(lower)
    }
}

impl WordInfo for Rules {
    fn word(&self, lower: &str) -> (u32, u16) {
        self.word_info(lower)
    }

    #[inline]
    fn short_word(&self, key: u64, len: u32) -> (u32, u16) {
        self.all.short_word_info(key, len)
    }

    #[inline]
    fn mid_word(&self, head: u64, tail: u64, lower: &str) -> (u32, u16) {
        self.all.mid_word_info(head, tail, lower)
    }
}

impl Rules {
    /// Every cue matching the unit (its tokens carrying their vocabulary
    /// ids and the function-word kinds of their words), into `cues`
    /// (cleared first; function words that are one word from a list are
    /// not listed, only marked); marks the tokens with the function-word
    /// kinds of the other function patterns and with source kinds.
    pub fn find<'r>(&'r self, tokens: &mut Tokens, scratch: &mut Scratch, cues: &mut UnitCues<'r>) {
        cues.claim.clear();
        cues.report.clear();
        cues.function.clear();
        cues.stance.clear();
        cues.modifiers.clear();
        self.all
            .each_match(tokens, scratch, &mut CueSink { rules: self, cues });
        Rules::mark(tokens, cues);
    }

    /// Marks each token with the function-word kinds and the source kind
    /// (analyst, medium, official) that match at it.
    fn mark(tokens: &mut Tokens, cues: &UnitCues) {
        for m in &cues.function {
            if m.end == m.start + 1 {
                if let Some(t) = tokens.get_mut(m.start) {
                    t.functions |= m.cue.kind.bit();
                }
            }
        }
        for m in &cues.report {
            if matches!(
                m.cue.kind,
                Report::Source | Report::Media | Report::Official
            ) {
                if let Some(t) = tokens.get_mut(m.start) {
                    t.source.get_or_insert(m.cue.kind);
                }
            }
        }
    }
}

/// Sorts matches of the rules' patterns into the cue lists.
struct CueSink<'a, 'r> {
    rules: &'r Rules,
    cues: &'a mut UnitCues<'r>,
}

impl<'r> Sink for CueSink<'_, 'r> {
    #[inline(always)]
    fn found(&mut self, Found { id, start, end }: Found) {
        fn cue<K>(
            set: &CueSet<K>,
            index: usize,
            start: usize,
            end: usize,
        ) -> Option<CueMatch<'_, K>> {
            set.cues.get(index).map(|cue| CueMatch { cue, start, end })
        }
        let Rules {
            claim,
            report,
            function,
            stance,
            modifiers,
            offsets,
            ..
        } = self.rules;
        let cues = &mut *self.cues;
        let [_, report_at, function_at, stance_at, modifiers_at] = *offsets;
        if id >= modifiers_at {
            cues.modifiers
                .extend(cue(modifiers, id - modifiers_at, start, end));
        } else if id >= stance_at {
            cues.stance.extend(cue(stance, id - stance_at, start, end));
        } else if id >= function_at {
            cues.function
                .extend(cue(function, id - function_at, start, end));
        } else if id >= report_at {
            cues.report.extend(cue(report, id - report_at, start, end));
        } else {
            cues.claim.extend(cue(claim, id, start, end));
        }
    }
}

impl Function {
    /// This kind's bit in [`Token::functions`].
    pub fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

#[derive(Deserialize)]
struct ClaimRow {
    cue: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    weight: Option<f64>,
}

#[derive(Deserialize)]
struct ReportRow {
    verb: String,
    kind: String,
}

#[derive(Deserialize)]
struct FunctionRow {
    word: String,
    kind: String,
}

#[derive(Deserialize)]
struct StanceRow {
    cue: String,
    polarity: String,
    weight: f64,
    kind: String,
    #[serde(default)]
    target: String,
}

#[derive(Deserialize)]
struct ModifierRow {
    term: String,
    kind: String,
    weight: f64,
}

/// Compiles rows of one lexicon name, later rows replacing earlier ones with
/// the same cue text.
fn compile<R: serde::de::DeserializeOwned, T>(
    lexicons: &Lexicons,
    name: &str,
    problems: &mut Vec<Problem>,
    mut convert: impl FnMut(R) -> Result<(String, f64, T), String>,
) -> Vec<(String, Pattern, f64, T)> {
    let mut out: Vec<(String, Pattern, f64, T)> = Vec::new();
    for file in lexicons.named(name) {
        for (line, row) in read_rows::<R>(file, problems) {
            match convert(row).and_then(|(text, weight, kind)| {
                let pattern = Pattern::parse(&text)?;
                Ok((text, pattern, weight, kind))
            }) {
                Ok(entry) => {
                    out.retain(|e| e.0 != entry.0);
                    if entry.2 != 0.0 {
                        out.push(entry);
                    }
                }
                Err(message) => problems.push(problem(file, line, message)),
            }
        }
    }
    out
}

fn problem(file: &LexiconFile, line: u64, message: String) -> Problem {
    Problem::error(file, line, message)
}

fn cues<T>(entries: Vec<(String, Pattern, f64, T)>) -> Vec<Cue<T>> {
    entries
        .into_iter()
        .map(|(text, pattern, weight, kind)| Cue {
            text,
            pattern,
            kind,
            weight,
        })
        .collect()
}

impl Rules {
    pub fn build(lexicons: &Lexicons) -> (Rules, Vec<Problem>) {
        let mut problems = Vec::new();
        let claim = compile(lexicons, "claim_cues.csv", &mut problems, |r: ClaimRow| {
            let kind = match r.kind.as_str() {
                "prescriptive" => ClaimCue::Prescriptive,
                "predictive" => ClaimCue::Predictive,
                "evaluative" => ClaimCue::Evaluative,
                "bio" => ClaimCue::Bio,
                "actor_ref" => ClaimCue::ActorRef,
                other => {
                    return Err(format!(
                    "unknown type {other:?} (prescriptive, predictive, evaluative, bio, actor_ref)"
                ))
                }
            };
            Ok((r.cue, r.weight.unwrap_or(1.0), kind))
        });
        let report = compile(
            lexicons,
            "reporting_verbs.csv",
            &mut problems,
            |r: ReportRow| {
                let kind = match r.kind.as_str() {
                "speech" => Report::Speech,
                "attitude" => Report::Attitude,
                "according" => Report::According,
                "source" => Report::Source,
                "media" => Report::Media,
                "official" => Report::Official,
                other => return Err(format!("unknown kind {other:?} (speech, attitude, according, source, media, official)")),
            };
                Ok((r.verb, 1.0, kind))
            },
        );
        let function = compile(
            lexicons,
            "function_words.csv",
            &mut problems,
            |r: FunctionRow| {
                let kind = match r.kind.as_str() {
                "pronoun" => Function::Pronoun,
                "first_plural" => Function::FirstPlural,
                "subordinator" => Function::Subordinator,
                "verb" => Function::Verb,
                "not_name" => Function::NotName,
                "passive" => Function::Passive,
                "subject_pronoun" => Function::SubjectPronoun,
                "relative" => Function::Relative,
                "clause_start" => Function::ClauseStart,
                "report_blocker" => Function::ReportBlocker,
                "coordinator" => Function::Coordinator,
                other => return Err(format!("unknown kind {other:?} (pronoun, first_plural, subordinator, verb, not_name, passive, subject_pronoun, relative, clause_start, report_blocker, coordinator)")),
            };
                Ok((r.word, 1.0, kind))
            },
        );
        let stance: Vec<Cue<StanceMeta>> = compile(
            lexicons,
            "stance_cues.csv",
            &mut problems,
            |r: StanceRow| {
                let polarity = match r.polarity.as_str() {
                    "favor" => 1.0,
                    "against" => -1.0,
                    other => return Err(format!("unknown polarity {other:?} (favor, against)")),
                };
                let kind = match r.kind.as_str() {
                    "frame" | "" => StanceKind::Frame,
                    "event" => StanceKind::Event,
                    "target" => StanceKind::Target,
                    "reported_frame" => StanceKind::ReportedFrame,
                    other => {
                        return Err(format!(
                            "unknown kind {other:?} (frame, reported_frame, event, target)"
                        ))
                    }
                };
                let self_targeted = match r.target.as_str() {
                    "self" => true,
                    "us" | "" => false,
                    other => return Err(format!("unknown target {other:?} (us, self)")),
                };
                if !(r.weight.is_finite() && (0.0..=4.0).contains(&r.weight)) {
                    return Err(format!("weight {} is not in [0, 4]", r.weight));
                }
                Ok((r.cue, r.weight, (kind, polarity, self_targeted)))
            },
        )
        .into_iter()
        .map(
            |(text, pattern, weight, (kind, polarity, self_targeted))| Cue {
                text,
                pattern,
                weight,
                kind: StanceMeta {
                    kind,
                    polarity,
                    self_targeted,
                },
            },
        )
        .collect();
        let modifiers = compile(
            lexicons,
            "stance_modifiers.csv",
            &mut problems,
            |r: ModifierRow| {
                let kind = match r.kind.as_str() {
                "negation" => Modifier::Negation,
                "booster" => Modifier::Booster,
                "hedge" => Modifier::Hedge,
                "contrast" => Modifier::Contrast,
                "endorse" => Modifier::Endorse,
                "value" => Modifier::Value,
                "oppose" => Modifier::Oppose,
                "harm" => Modifier::Harm,
                other => return Err(format!("unknown kind {other:?} (negation, booster, hedge, contrast, endorse, value, oppose, harm)")),
            };
                if !r.weight.is_finite() || r.weight.abs() > 4.0 {
                    return Err(format!("weight {} is not in [-4, 4]", r.weight));
                }
                Ok((r.term, r.weight, kind))
            },
        );
        let rules = Rules::new(
            CueSet::new(cues(claim)),
            CueSet::new(cues(report)),
            CueSet::new(cues(function)),
            CueSet::new(stance),
            CueSet::new(cues(modifiers)),
        );
        (rules, problems)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tokens::{tokenize, UnitMention, MAY_START, NEEDS_NEXT};
    use super::*;
    use proptest::prelude::*;

    /// Words from the lexicons and around them, so that most cues can match.
    const WORDS: &[&str] = &[
        "the",
        "he",
        "she",
        "they",
        "said",
        "told",
        "that",
        "who",
        "not",
        "no",
        "longer",
        "must",
        "will",
        "is",
        "was",
        "according",
        "to",
        "officials",
        "analysts",
        "withdraw",
        "troops",
        "from",
        "us",
        "we",
        "our",
        "while",
        "and",
        "it",
        "its",
        "Washington",
        "should",
        "pull",
        "out",
        "end",
        "war",
        "send",
        "forces",
        "believes",
        "has",
        "been",
    ];

    fn rules() -> Rules {
        Rules::build(&Lexicons::builtin()).0
    }

    /// Every pattern of every cue lexicon, in pattern-number order.
    fn every_pattern(rules: &Rules) -> Vec<Pattern> {
        rules
            .claim
            .patterns()
            .chain(rules.report.patterns())
            .chain(rules.function.patterns())
            .chain(rules.stance.patterns())
            .chain(rules.modifiers.patterns())
            .collect()
    }

    /// The unit matched the simple way: every pattern of every lexicon in
    /// one set, function words marked from their matches.
    fn reference(rules: &Rules, tokens: &mut Tokens) -> Vec<Found> {
        let patterns = every_pattern(rules);
        let set = PatternSet::new(patterns);
        let [_, report, function, stance, _] = rules.offsets;
        let found = set.find_all(tokens, &mut Scratch::default()).to_vec();
        for f in &found {
            if (function..stance).contains(&f.id) && f.end == f.start + 1 {
                if let (Some(cue), Some(t)) = (
                    rules.function.cues.get(f.id - function),
                    tokens.get_mut(f.start),
                ) {
                    t.functions |= cue.kind.bit();
                }
            }
            if (report..function).contains(&f.id) {
                if let (Some(cue), Some(t)) = (
                    rules.report.cues.get(f.id - report),
                    tokens.get_mut(f.start),
                ) {
                    if matches!(cue.kind, Report::Source | Report::Media | Report::Official) {
                        t.source.get_or_insert(cue.kind);
                    }
                }
            }
        }
        found
            .into_iter()
            .filter(|f| !(function..stance).contains(&f.id))
            .collect()
    }

    /// Text of picked words, every sixth an actor mention (`USA` or
    /// `IRN`), with the separators picked.
    fn unit_text(picks: &[(usize, usize)]) -> (String, Vec<UnitMention<'static>>) {
        let mut text = String::new();
        let mut mentions = Vec::new();
        for &(w, sep) in picks {
            let start = text.len();
            if w % 6 == 5 {
                text.push_str(if w % 4 == 1 { "Iran" } else { "Washington" });
                mentions.push(UnitMention {
                    actor: if w % 4 == 1 { "IRN" } else { "USA" },
                    start,
                    end: text.len(),
                });
            } else {
                text.push_str(WORDS[w % WORDS.len()]);
            }
            text.push_str([" ", " ", ", ", " \"", ". ", "-"][sep]);
        }
        (text, mentions)
    }

    /// Every pattern tried at every token, in pattern order: the matches
    /// `PatternSet::find_all` must find.
    fn find_all_simply(set: &PatternSet, tokens: &Tokens) -> Vec<Found> {
        let mut found = Vec::new();
        let mut next_free = vec![0; set.patterns.len()];
        for (at, token) in tokens.iter().enumerate() {
            for (id, steps) in set.patterns.iter().enumerate() {
                if at < next_free[id] {
                    continue;
                }
                if let Some(end) =
                    super::super::pattern::match_from(steps, tokens, at, token.clause)
                {
                    found.push(Found { id, start: at, end });
                    next_free[id] = end.max(at + 1);
                }
            }
        }
        found
    }

    fn index<K>(all: &[Cue<K>], cue: &Cue<K>) -> Option<usize> {
        all.iter().position(|c| std::ptr::eq(c, cue))
    }

    proptest! {
        #[test]
        fn the_indexed_matcher_finds_what_trying_every_pattern_finds(
            picks in proptest::collection::vec((0..WORDS.len() + 12, 0..6usize), 1..30),
            with_prefix in any::<bool>(),
        ) {
            let rules = rules();
            let mut patterns = every_pattern(&rules);
            for extra in [
                "{us} forces", "{actor} ** said", "pull|pulled-out of",
                "not * {us}", "the|a * war|forces", "we|they must|should|will", "an|the",
            ] {
                patterns.push(Pattern::parse(extra).unwrap());
            }
            // A prefix may start at any word: without one, only the tokens
            // marked `MAY_START` are visited.
            if with_prefix {
                patterns.push(Pattern::parse("withdr* * troops").unwrap());
            }
            let set = PatternSet::new(patterns);
            let (text, mentions) = unit_text(&picks);
            let mut tokens = Tokens::default();
            tokenize(&text, &mentions, false, &|w: &str| set.word_info(w), &mut tokens);
            let expected = find_all_simply(&set, &tokens);
            let found = set.find_all(&tokens, &mut Scratch::default()).to_vec();
            prop_assert_eq!(found, expected);
        }

        #[test]
        fn cues_and_marks_match_the_simple_matcher(
            picks in proptest::collection::vec((0..WORDS.len(), 0..6usize), 1..30),
        ) {
            let text: String = picks
                .iter()
                .map(|&(w, sep)| format!("{}{}", WORDS[w], [" ", " ", ", ", " \"", ". ", "-"][sep]))
                .collect();
            let rules = rules();
            let mut tokens = Tokens::default();
            tokenize(&text, &[], false, &rules, &mut tokens);
            for t in tokens.iter().filter(|t| !t.is_mention()) {
                prop_assert_eq!((t.word, t.functions), rules.word_info(tokens.lower(t)));
            }
            let mut expected_tokens = tokens.clone();
            // The reference visits every token.
            for t in expected_tokens.iter_mut() {
                t.functions = MAY_START;
            }
            let expected = reference(&rules, &mut expected_tokens);
            let mut cues = UnitCues::default();
            rules.find(&mut tokens, &mut Scratch::default(), &mut cues);
            let [_, report, _, stance, modifiers] = rules.offsets;
            let mut found: Vec<Found> = Vec::new();
            for m in &cues.claim {
                found.extend(index(&rules.claim.cues, m.cue).map(|id| Found { id, start: m.start, end: m.end }));
            }
            for m in &cues.report {
                found.extend(index(&rules.report.cues, m.cue).map(|id| Found { id: report + id, start: m.start, end: m.end }));
            }
            for m in &cues.stance {
                found.extend(index(&rules.stance.cues, m.cue).map(|id| Found { id: stance + id, start: m.start, end: m.end }));
            }
            for m in &cues.modifiers {
                found.extend(index(&rules.modifiers.cues, m.cue).map(|id| Found { id: modifiers + id, start: m.start, end: m.end }));
            }
            found.sort_by_key(|f| (f.start, f.id));
            prop_assert_eq!(found, expected);
            prop_assert!(cues.function.is_empty() || rules.function.cues.iter().any(|c| c.pattern.single_words().is_none()));
            for (t, e) in tokens.iter().zip(expected_tokens.iter()) {
                let kinds = !(MAY_START | NEEDS_NEXT);
                prop_assert_eq!(t.functions & kinds, e.functions & kinds);
                prop_assert_eq!(t.source, e.source);
            }
        }
    }
}
