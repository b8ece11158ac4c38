//! The score stage's rule lexicons compiled into patterns: claim cues,
//! reporting verbs and sources, function words, stance cues and stance
//! modifiers. A user's row replaces a built-in row with the same cue; a row
//! with weight 0 removes it.

use super::pattern::{Pattern, PatternSet};
use super::tokens::Token;
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

/// The cues of one lexicon with an index for matching them in one pass.
#[derive(Debug, Clone)]
pub struct CueSet<K> {
    pub cues: Vec<Cue<K>>,
    set: PatternSet,
}

impl<K> Default for CueSet<K> {
    fn default() -> Self {
        CueSet {
            cues: Vec::new(),
            set: PatternSet::default(),
        }
    }
}

impl<K> CueSet<K> {
    fn new(cues: Vec<Cue<K>>) -> CueSet<K> {
        let set = PatternSet::new(cues.iter().map(|c| c.pattern.clone()).collect());
        CueSet { cues, set }
    }

    /// Every match in the unit: the cue and its token range, by start.
    pub fn find<'a>(&'a self, tokens: &[Token]) -> Vec<(&'a Cue<K>, usize, usize)> {
        self.set
            .find_all(tokens)
            .into_iter()
            .filter_map(|f| self.cues.get(f.id).map(|c| (c, f.start, f.end)))
            .collect()
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
}

impl Rules {
    /// Marks each token with the function-word kinds and the source kind
    /// (analyst, medium, official) that match at it.
    pub fn mark(&self, tokens: &mut [Token]) {
        let functions: Vec<(Function, usize, usize)> = self
            .function
            .find(tokens)
            .into_iter()
            .map(|(c, s, e)| (c.kind, s, e))
            .collect();
        let sources: Vec<(Report, usize)> = self
            .report
            .find(tokens)
            .into_iter()
            .map(|(c, s, _)| (c.kind, s))
            .collect();
        for (kind, start, end) in functions {
            if end == start + 1 {
                if let Some(t) = tokens.get_mut(start) {
                    t.functions |= kind.bit();
                }
            }
        }
        for (kind, start) in sources {
            if matches!(kind, Report::Source | Report::Media | Report::Official) {
                if let Some(t) = tokens.get_mut(start) {
                    t.source.get_or_insert(kind);
                }
            }
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
        let rules = Rules {
            claim: CueSet::new(cues(claim)),
            report: CueSet::new(cues(report)),
            function: CueSet::new(cues(function)),
            stance: CueSet::new(stance),
            modifiers: CueSet::new(cues(modifiers)),
        };
        (rules, problems)
    }
}
