//! Score: claims, their holders and stance toward US engagement per sentence
//! (ANNOTATION.md §4-5), the document's stance, and per-actor tallies, with
//! cues from `lexicons/stance_cues.csv`, `claim_cues.csv` and
//! `reporting_verbs.csv`.

mod claims;
mod holder;
mod pattern;
mod rules;
mod stance;
mod tally;
mod tokens;
mod vocabulary;

pub use tally::{ActorTable, ActorTally, ActorTotals};

pub use stance::CueFired;

use crate::fold::Folded;
use crate::lexicon::{Lexicons, Problem};
use crate::types::{Claim, ClaimType, DocStance, Mention, Span, Stance};
use claims::{BioState, Rule, UnitFacts};
use holder::{Attribution, Chain};
use rules::{Function, Rules, StanceKind, UnitCues};
use std::borrow::Cow;
use std::sync::Arc;
use tokens::{tokenize, unit_mentions_into, PlainRuns, Tokens, UnitMention, UnitText};

/// Units a quotation may run over before an unmatched quote mark is
/// taken for a stray one.
const MAX_QUOTE_UNITS: usize = 8;
/// Units a reported holder stays available to pronouns.
const CHAIN_UNITS: usize = 3;
/// How much each kind of author claim weighs in the document stance.
const DOC_WEIGHTS: [(ClaimType, f64); 5] = [
    (ClaimType::Reported, 0.0),
    (ClaimType::Prescriptive, 3.0),
    (ClaimType::Predictive, 0.5),
    (ClaimType::Evaluative, 2.0),
    (ClaimType::Factual, 0.0),
];
/// The weighted share of stance a document needs to take a side.
const DOC_THRESHOLD: f64 = 0.15;
/// The weighted stance a document needs to take a side: more than one
/// prescriptive or evaluative claim.
const DOC_MIN_NET: f64 = 3.0;
/// Scores closer to 0 than this are neutral (VADER's compound threshold).
const NEUTRAL_BAND: f64 = 0.05;

/// The compiled claim and stance rules.
#[derive(Debug, Clone)]
pub struct Scorer {
    rules: Rules,
    /// `AUTHOR` and `OTHER`, the holders of most claims, shared by every
    /// document's claims rather than made anew for each document.
    common_holders: [Arc<str>; 2],
}

/// Why one unit got its claim, holder and stance (`claimstance explain`).
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    pub claim: Claim,
    /// The rule that decided `is_claim` (`actor-mention`, `question`, `bio:...`).
    pub claim_rule: Rule,
    /// The rule that decided the type (`prescriptive:must`, `reported`).
    pub type_rule: Rule,
    /// The attribution rule (`said-after-subject/mention`, `according-to/...`,
    /// `quote-continues`, `author`).
    pub holder_rule: Rule,
    /// The reporting word that attributed the unit, if any.
    pub holder_cue: Option<String>,
    /// Why US engagement is in play (`us-mention`, `us-role:foreign troops`,
    /// `us-chain`), or `None`.
    pub target: Option<Rule>,
    /// Every stance cue that matched, including dropped ones (weight 0).
    pub cues: Vec<CueFired>,
}

/// What [`Explanation`] tells of a unit beyond its claim, kept only when
/// [`Scorer::explain`] asks for it.
struct Detail {
    claim_rule: Rule,
    type_rule: Rule,
    holder_rule: Rule,
    holder_cue: Option<String>,
    target: Option<Rule>,
    cues: Vec<CueFired>,
}

/// The units of a document worked out so far: every unit's claim and, when
/// explaining, its [`Detail`] (the two lists in step then).
#[derive(Default)]
struct Units {
    claims: Vec<Claim>,
    details: Vec<Detail>,
}

/// State carried from one unit to the next within a document.
#[derive(Default)]
struct DocState {
    quote_open: bool,
    /// The holder of the open quotation.
    quote_holder: Option<String>,
    /// Units inside an open quotation still waiting for their speaker, and
    /// whether each was a question (a question becomes the speaker's claim
    /// as well).
    quote_pending: Vec<(usize, bool)>,
    bio: BioState,
    chain: Chain,
    holder_age: usize,
    /// Units the open quotation has run over.
    quote_units: usize,
    prev_target: bool,
    /// Units since the US was last named.
    target_age: usize,
    prev_end: usize,
    /// The holder of the previous unit when it was reported speech: a
    /// quotation opening right after it with no speaker of its own goes on
    /// with that speaker (`"X," Graham said. "Y.`).
    last_reported: Option<String>,
    /// The buffers `last_reported` and `chain.last_holder` had when last
    /// unset ([`set_text`]).
    spare_reported: String,
    spare_holder: String,
    /// Holder codes already shared in this document, so that every claim
    /// of one holder points at one string.
    holders: Vec<Arc<str>>,
    /// Explanations name their cues (see [`Scorer::explain_units`]).
    detailed: bool,
}

/// The buffers a unit is worked out in, reused from one unit to the next
/// (and, but for the cue lists, from one document to the next: see
/// [`Buffers`]).
struct UnitBuffers<'r> {
    scratch: pattern::Scratch,
    /// The unit's tokens.
    tokens: Tokens,
    /// The unit's folded text when it differs from the source.
    folded: Folded,
    /// The cue lists.
    cues: UnitCues<'r>,
    /// Where the document's bytes fold to themselves.
    plain_runs: PlainRuns,
    /// The unit's attributions.
    attributions: Vec<Attribution<'r>>,
}

/// The buffers a thread's units reuse, kept from one document to the next
/// so that each document does not grow them again.
#[derive(Default)]
struct Buffers {
    scratch: pattern::Scratch,
    tokens: Tokens,
    folded: Folded,
}

thread_local! {
    static BUFFERS: std::cell::RefCell<Buffers> = std::cell::RefCell::default();
}

impl DocState {
    /// The shared string of `holder`: most claims are the author's, whose
    /// string comes first, or others' (`OTHER`), whose string comes second
    /// (see [`Scorer::explain_units`]); these are found here without a
    /// search.
    #[inline(always)]
    fn shared(&mut self, holder: &str) -> Arc<str> {
        let common = match holder {
            "AUTHOR" => self.holders.first(),
            "OTHER" => self.holders.get(1),
            _ => None,
        };
        if let Some(common) = common.filter(|h| &***h == holder) {
            return Arc::clone(common);
        }
        self.shared_searched(holder)
    }

    fn shared_searched(&mut self, holder: &str) -> Arc<str> {
        if let Some(known) = self.holders.iter().find(|h| &***h == holder) {
            return Arc::clone(known);
        }
        let new: Arc<str> = Arc::from(holder);
        self.holders.push(Arc::clone(&new));
        new
    }
}

/// Sets `slot` to `value`, writing into the buffer `slot` has or, when it
/// is unset, into `spare`; an unset slot's buffer goes to `spare`. The
/// holders kept from unit to unit change every few units, and this way do
/// not allocate each time.
#[inline(always)]
fn set_text(slot: &mut Option<String>, value: Option<&str>, spare: &mut String) {
    match (slot.as_mut(), value) {
        (Some(text), Some(value)) => {
            if text != value {
                text.clear();
                text.push_str(value);
            }
        }
        (None, Some(value)) => {
            let mut text = std::mem::take(spare);
            text.clear();
            text.push_str(value);
            *slot = Some(text);
        }
        (Some(_), None) => {
            if let Some(text) = slot.take() {
                *spare = text;
            }
        }
        (None, None) => {}
    }
}

/// The mentions of sentences `0..sentences` grouped by sentence, each group
/// in input order (a stable sort; mentions come in sentence order already),
/// without a list per sentence: sentence `i`'s lie at
/// `grouped[starts[i]..starts[i + 1]]`.
fn group_by_sentence(mentions: &[Mention], sentences: usize) -> (Vec<&Mention>, Vec<usize>) {
    // Every mention's sentence is known as a rule: one list of known length.
    let mut grouped: Vec<&Mention> = if mentions.iter().all(|m| m.sent < sentences) {
        mentions.iter().collect()
    } else {
        mentions.iter().filter(|m| m.sent < sentences).collect()
    };
    if !grouped.is_sorted_by_key(|m| m.sent) {
        grouped.sort_by_key(|m| m.sent);
    }
    let mut starts: Vec<usize> = Vec::with_capacity(sentences + 1);
    let mut taken = 0;
    for i in 0..sentences {
        starts.push(taken);
        while grouped.get(taken).is_some_and(|m| m.sent == i) {
            taken += 1;
        }
    }
    starts.push(taken);
    (grouped, starts)
}

impl Scorer {
    pub fn build(lexicons: &Lexicons) -> Result<Scorer, Vec<Problem>> {
        let (rules, problems) = Rules::build(lexicons);
        if problems
            .iter()
            .any(|p| p.severity == crate::lexicon::Severity::Error)
        {
            return Err(problems);
        }
        Ok(Scorer {
            rules,
            common_holders: [Arc::from("AUTHOR"), Arc::from("OTHER")],
        })
    }

    pub fn check(lexicons: &Lexicons) -> Vec<Problem> {
        Rules::build(lexicons).1
    }

    /// One claim per sentence, and the document's stance. `mentions` are in
    /// sentence order with `Mention::sent` indexing `sentences`.
    pub fn score(
        &self,
        src: &str,
        sentences: &[Span],
        mentions: &[Mention],
    ) -> (Vec<Claim>, DocStance) {
        let (units, doc) = self.explain_units(src, sentences, mentions, false);
        (units.claims, doc)
    }

    /// Like [`Scorer::score`], with the rule behind every decision.
    pub fn explain(
        &self,
        src: &str,
        sentences: &[Span],
        mentions: &[Mention],
    ) -> (Vec<Explanation>, DocStance) {
        let (units, doc) = self.explain_units(src, sentences, mentions, true);
        let explained = units
            .claims
            .into_iter()
            .zip(units.details)
            .map(|(claim, detail)| Explanation {
                claim,
                claim_rule: detail.claim_rule,
                type_rule: detail.type_rule,
                holder_rule: detail.holder_rule,
                holder_cue: detail.holder_cue,
                target: detail.target,
                cues: detail.cues,
            })
            .collect();
        (explained, doc)
    }

    /// Every unit's claim, and its [`Detail`] only when `detailed` (when
    /// rules name their cues and the holder's reporting word is kept; claims
    /// are the same either way).
    fn explain_units(
        &self,
        src: &str,
        sentences: &[Span],
        mentions: &[Mention],
        detailed: bool,
    ) -> (Units, DocStance) {
        let (by_sentence, group_start) = group_by_sentence(mentions, sentences.len());
        let mut unit_mentions_scratch: Vec<UnitMention> = Vec::new();
        let doc_us = mentions.iter().filter(|m| &*m.actor == "USA").count();
        let Buffers {
            scratch,
            tokens,
            folded,
        } = BUFFERS.with(std::cell::RefCell::take);
        let mut buffers = UnitBuffers {
            scratch,
            tokens,
            folded,
            cues: UnitCues::default(),
            plain_runs: PlainRuns::default(),
            attributions: Vec::new(),
        };
        let mut state = DocState {
            detailed,
            holders: self.common_holders.to_vec(),
            ..DocState::default()
        };
        let mut out = Units {
            claims: Vec::with_capacity(sentences.len()),
            details: Vec::with_capacity(if detailed { sentences.len() } else { 0 }),
        };
        // Sentence `i`'s mentions lie at `by_sentence[bounds[0]..bounds[1]]`.
        for ((i, span), bounds) in sentences.iter().enumerate().zip(group_start.windows(2)) {
            let valid = span.start <= span.end
                && span.end <= src.len()
                && src.is_char_boundary(span.start)
                && src.is_char_boundary(span.end);
            if !valid {
                out.claims.push(Claim::default());
                if detailed {
                    out.details.push(Detail {
                        claim_rule: Rule::Owned("invalid-span".to_string()),
                        type_rule: Rule::Borrowed(""),
                        holder_rule: Rule::Borrowed(""),
                        holder_cue: None,
                        target: None,
                        cues: Vec::new(),
                    });
                }
                continue;
            }
            let group = match *bounds {
                [start, end] => by_sentence.get(start..end).unwrap_or_default(),
                _ => &[],
            };
            self.unit(
                src,
                span,
                group,
                doc_us,
                i,
                &mut state,
                &mut buffers,
                &mut out,
                &mut unit_mentions_scratch,
            );
        }
        let UnitBuffers {
            scratch,
            tokens,
            folded,
            ..
        } = buffers;
        BUFFERS.with(|buffers| {
            buffers.replace(Buffers {
                scratch,
                tokens,
                folded,
            })
        });
        let doc = doc_stance(&out.claims);
        (out, doc)
    }

    #[allow(clippy::too_many_arguments)]
    fn unit<'r>(
        &'r self,
        src: &str,
        span: &Span,
        unit_mentions_src: &[&'r Mention],
        doc_us: usize,
        index: usize,
        state: &mut DocState,
        buffers: &mut UnitBuffers<'r>,
        done: &mut Units,
        mentions: &mut Vec<UnitMention<'r>>,
    ) {
        let rules = &self.rules;
        let gap = src
            .as_bytes()
            .get(state.prev_end.min(span.start)..span.start)
            .unwrap_or_default();
        if gap.contains(&b'\n') {
            // Quotations do not run over paragraph breaks here.
            state.quote_open = false;
            state.quote_pending.clear();
        }
        state.prev_end = span.end;
        let UnitBuffers {
            scratch,
            tokens,
            folded: folded_buffer,
            cues: unit_cues,
            plain_runs,
            attributions: found,
        } = buffers;
        let folded = UnitText::fold_in_order(src, span.clone(), plain_runs, folded_buffer);
        let text = folded.text();
        if unit_mentions_src.is_empty() {
            // Most units: nothing to map.
            mentions.clear();
        } else {
            unit_mentions_into(&folded, unit_mentions_src, mentions);
        }
        let mentions: &[UnitMention] = mentions;
        let in_quote = state.quote_open;
        let quote_open_after = tokenize(text, mentions, in_quote, rules, tokens);
        rules.find(tokens, scratch, unit_cues);
        let tokens: &Tokens = tokens;
        let cues: &UnitCues = unit_cues;

        // Most units hold no reporting word: nothing to attribute.
        found.clear();
        if !cues.report.is_empty() {
            holder::attributions(cues, tokens, mentions, &state.chain, found);
        }
        let attribution: Option<&Attribution> = holder::choose(found);
        let has_us = tokens.has_us();
        let stance_cue = cues
            .stance
            .iter()
            .any(|m| m.cue.kind.kind != StanceKind::Target);
        let facts = UnitFacts {
            text,
            tokens,
            cues,
            has_mention: !mentions.is_empty(),
            attributed: attribution.is_some(),
            in_quote,
            stance_cue,
            detailed: state.detailed,
        };
        let (is_claim, claim_rule) = claims::decide(&facts, &mut state.bio);

        // Holder and type.
        let mut holder_cue = attribution
            .as_ref()
            .filter(|_| state.detailed)
            .map(|a| a.cue.to_string());
        let (holder, holder_rule, claim_type, type_rule) = if !is_claim {
            (None, Rule::Borrowed(""), None, Rule::Borrowed(""))
        } else if let Some(a) = attribution {
            (
                Some(Cow::Borrowed(&*a.holder)),
                if state.detailed {
                    Rule::Owned(a.rule())
                } else {
                    Rule::Borrowed(a.order)
                },
                Some(ClaimType::Reported),
                Rule::Borrowed("reported"),
            )
        } else if let Some(speaker) = state
            .last_reported
            .as_ref()
            .filter(|_| !in_quote && opens_with_quote(text))
        {
            (
                Some(Cow::Owned(speaker.clone())),
                Rule::Borrowed("quote-follows-speaker"),
                Some(ClaimType::Reported),
                Rule::Borrowed("reported:quotation"),
            )
        } else if in_quote {
            match &state.quote_holder {
                Some(h) => (
                    Some(Cow::Owned(h.clone())),
                    Rule::Borrowed("quote-continues"),
                    Some(ClaimType::Reported),
                    Rule::Borrowed("reported:quotation"),
                ),
                None => {
                    // The speaker may come later; until then the author's.
                    let (t, rule) = claims::claim_type(cues, state.detailed);
                    (
                        Some(Cow::Borrowed("AUTHOR")),
                        Rule::Borrowed("quote-awaiting-speaker"),
                        Some(t),
                        rule,
                    )
                }
            }
        } else {
            let (t, rule) = claims::claim_type(cues, state.detailed);
            (
                Some(Cow::Borrowed("AUTHOR")),
                Rule::Borrowed("author"),
                Some(t),
                rule,
            )
        };

        // Quotations over several units.
        let opened_here = !in_quote && quote_open_after;
        if opened_here {
            state.quote_holder = attribution
                .as_ref()
                .map(|a| a.holder.to_string())
                .or_else(|| {
                    (holder_rule == "quote-follows-speaker")
                        .then(|| holder.clone().map(Cow::into_owned))
                        .flatten()
                });
            if state.quote_holder.is_none() {
                state.quote_pending.push((index, claim_rule == "question"));
            }
        } else if in_quote && state.quote_holder.is_none() {
            if let Some(a) = &attribution {
                state.quote_holder = Some(a.holder.to_string());
                let shared = state.shared(&a.holder);
                for &(p, question) in &state.quote_pending {
                    let Some(claim) = done.claims.get_mut(p) else {
                        continue;
                    };
                    if claim.is_claim || question {
                        claim.is_claim = true;
                        claim.holder = Some(Arc::clone(&shared));
                        claim.claim_type = Some(ClaimType::Reported);
                        if let Some(detail) = done.details.get_mut(p) {
                            detail.holder_rule = Rule::Borrowed("quote-continues");
                            detail.type_rule = Rule::Borrowed("reported:quotation");
                        }
                    }
                }
                state.quote_pending.clear();
            } else {
                state.quote_pending.push((index, claim_rule == "question"));
            }
        }
        state.quote_units = if in_quote { state.quote_units + 1 } else { 0 };
        let runaway = state.quote_units >= MAX_QUOTE_UNITS;
        if !quote_open_after || runaway {
            state.quote_holder = None;
            state.quote_pending.clear();
        }
        state.quote_open = quote_open_after && !runaway;

        set_text(
            &mut state.last_reported,
            holder
                .as_deref()
                .filter(|_| claim_type == Some(ClaimType::Reported)),
            &mut state.spare_reported,
        );

        // Target: is US engagement in play?
        let role = cues
            .stance
            .iter()
            .find(|m| m.cue.kind.kind == StanceKind::Target)
            .map(|m| claims::cue_rule("us-role", &m.cue.text, state.detailed));
        let no_other_actor = mentions.is_empty();
        // These two are read only when the rules before them do not decide.
        let starts_with_reference =
            || (0..6).any(|at| tokens.get(at).is_some_and(|t| t.is(Function::Pronoun)));
        let first_plural = || {
            tokens
                .iter()
                .any(|t| !t.quoted && t.is(Function::FirstPlural))
        };
        let role_named = role.is_some();
        let target = if has_us {
            Some(Rule::Borrowed("us-mention"))
        } else if let Some(role) = role {
            Some(role)
        } else if holder.as_deref() == Some("USA") {
            Some(Rule::Borrowed("us-holder"))
        } else if state.prev_target && (no_other_actor || starts_with_reference()) {
            Some(Rule::Borrowed("us-chain"))
        } else if doc_us >= 2 && holder.as_deref() == Some("AUTHOR") && first_plural() {
            Some(Rule::Borrowed("we-author"))
        } else {
            None
        };
        // The chain runs on through units that name no other actor, for a
        // few units.
        // The target is `us-mention` or `us-role...`.
        let names_us = has_us || role_named;
        state.target_age = if names_us { 0 } else { state.target_age + 1 };
        state.prev_target =
            names_us || (state.prev_target && no_other_actor && state.target_age <= CHAIN_UNITS);

        // Subject chain for pronouns in later units.
        if let Some(a) = attribution.as_ref().filter(|a| a.holder != "OTHER") {
            set_text(
                &mut state.chain.last_holder,
                Some(&*a.holder),
                &mut state.spare_holder,
            );
            state.holder_age = 0;
        } else {
            state.holder_age += 1;
            if state.holder_age > CHAIN_UNITS {
                set_text(&mut state.chain.last_holder, None, &mut state.spare_holder);
            }
        }
        if let Some(first) = mentions.first() {
            // Never unset once set: no spare buffer.
            set_text(
                &mut state.chain.last_subject,
                Some(first.actor),
                &mut String::new(),
            );
        }

        // Stance.
        let (cues, score) = if is_claim {
            let context = stance::Context {
                target: target.clone(),
                prescriptive: claim_type == Some(ClaimType::Prescriptive),
                reported: claim_type == Some(ClaimType::Reported),
                detailed: state.detailed,
            };
            stance::score(cues, tokens, &context)
        } else {
            holder_cue = None;
            (Vec::new(), 0.0)
        };
        let score = if score.abs() < NEUTRAL_BAND {
            0.0
        } else {
            score
        };
        done.claims.push(Claim {
            is_claim,
            claim_type,
            holder: holder.map(|h| state.shared(&h)),
            stance: Stance::from_score(score),
            score,
            // Most units have no cue: no list to make.
            cues: if cues.is_empty() {
                Vec::new()
            } else {
                cues.iter()
                    .filter(|c| c.weight != 0.0)
                    .map(CueFired::label)
                    .collect()
            },
        });
        if state.detailed {
            done.details.push(Detail {
                claim_rule,
                type_rule,
                holder_rule,
                holder_cue,
                target,
                cues,
            });
        } else if cues.capacity() == 0 {
            // Nothing to free: let go without the call that drops elements.
            std::mem::forget(cues);
        }
    }
}

/// Whether the unit opens with a quotation mark, after an optional
/// ellipsis (`... They're`, `"It's`).
fn opens_with_quote(text: &str) -> bool {
    let start = text.trim_start_matches(|c: char| c.is_whitespace() || c == '.' || c == '\u{2026}');
    start.starts_with(['"', '\u{201C}', '\'', '\u{2018}'])
}

/// A document's stance from its claims: the author's own claims weigh by
/// type (prescriptive most), reported claims relay others and weigh nothing.
fn doc_stance(claims: &[Claim]) -> DocStance {
    let mut doc = DocStance::default();
    let mut net = 0.0;
    let mut total = 0.0;
    for claim in claims.iter().filter(|c| c.is_claim) {
        doc.n_claims += 1;
        match claim.stance {
            Stance::Favor => doc.n_favor += 1,
            Stance::Against => doc.n_against += 1,
            Stance::Neutral => {}
        }
        if claim.holder.as_deref() != Some("AUTHOR") {
            continue;
        }
        let weight = claim
            .claim_type
            .and_then(|t| DOC_WEIGHTS.iter().find(|(k, _)| *k == t))
            .map_or(0.0, |(_, w)| *w);
        total += weight;
        net += weight * claim.score.signum() * (claim.score != 0.0) as u8 as f64;
    }
    let share = if total > 0.0 { net / total } else { 0.0 };
    doc.score = share.clamp(-1.0, 1.0);
    doc.stance = if share >= DOC_THRESHOLD && net >= DOC_MIN_NET {
        Stance::Favor
    } else if share <= -DOC_THRESHOLD && net <= -DOC_MIN_NET {
        Stance::Against
    } else {
        Stance::Neutral
    };
    doc
}

#[cfg(test)]
mod grouping_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn mentions_group_by_sentence_as_one_list_per_sentence_has_them(
            sents in proptest::collection::vec(0..8usize, 0..20),
            sentences in 0..7usize,
        ) {
            let mentions: Vec<Mention> = sents
                .iter()
                .enumerate()
                .map(|(at, &sent)| Mention {
                    sent,
                    start: at,
                    end: at + 1,
                    actor: Arc::from("USA"),
                    entity: Arc::from("USA"),
                })
                .collect();
            let mut expected: Vec<Vec<&Mention>> = vec![Vec::new(); sentences];
            for m in &mentions {
                if let Some(list) = expected.get_mut(m.sent) {
                    list.push(m);
                }
            }
            let (grouped, starts) = group_by_sentence(&mentions, sentences);
            prop_assert_eq!(starts.len(), sentences + 1);
            for (i, list) in expected.iter().enumerate() {
                let group = &grouped[starts[i]..starts[i + 1]];
                let ends: Vec<usize> = group.iter().map(|m| m.end).collect();
                let want: Vec<usize> = list.iter().map(|m| m.end).collect();
                prop_assert_eq!(ends, want);
            }
        }
    }
}
