//! Stance toward US engagement in one unit, in the spirit of VADER: cues
//! from `stance_cues.csv` (frames carry their polarity, events take it from
//! an attitude, a modal or a negation), a negation window that flips and
//! damps, boosters and hedges that scale, `but` that shifts weight to the
//! clause after it, and modals that strengthen prescriptive claims. Cues
//! count only where the target (US engagement) is in play.

use super::rules::{ClaimCue, Function, Modifier, StanceKind, UnitCues};
use super::tokens::Tokens;

/// VADER's negation scalar.
const NEGATION_SCALAR: f64 = -0.74;
/// Words before a cue that a negation may stand in.
const NEGATION_WINDOW: usize = 3;
/// Words between a negation and the event it refuses (`will not cooperate`,
/// `no longer cooperate`); farther ones negate something else.
const EVENT_NEGATION_WINDOW: usize = 1;
/// Words before a cue that a booster or hedge may stand in.
const BOOSTER_WINDOW: usize = 2;
/// Words around an event an attitude word may stand in.
const ATTITUDE_WINDOW: usize = 6;
/// Words an endorsing verb may stand before its event (`urged Washington
/// to keep troops`).
const ENDORSE_WINDOW: usize = 4;
/// Harm must stand closer to an engagement event (`costly war`) than to a
/// disengagement event, whose harm is often told in the next clause.
const HARM_ENGAGEMENT_WINDOW: usize = 3;
/// VADER's normalization constant for the sum of cue weights.
const ALPHA: f64 = 15.0;
/// Weight factors of the clauses before and after `but` (VADER).
const BEFORE_BUT: f64 = 0.5;
const AFTER_BUT: f64 = 1.5;
/// How much a prescriptive claim strengthens its cues.
const PRESCRIPTIVE_FACTOR: f64 = 1.25;

/// One stance cue that matched, with what happened to its weight.
#[derive(Debug, Clone, PartialEq)]
pub struct CueFired {
    /// The words that matched (with the attitude word that gave an event
    /// its stance: `withdrawal+flaws`).
    pub cue: String,
    /// The `stance_cues.csv` row that matched.
    pub rule: String,
    /// The lexicon weight times polarity.
    pub base: f64,
    /// The weight it contributes (0 when it was dropped).
    pub weight: f64,
    /// What changed it: `negated`, `boosted(absolutely)`, `but-clause`, ...
    pub modifiers: Vec<String>,
    /// Token index where it matched.
    pub at: usize,
}

impl CueFired {
    /// `withdraw*+flaws[harm](+0.80)`, as the `cues` column shows it.
    pub fn label(&self) -> String {
        let mods = if self.modifiers.is_empty() {
            String::new()
        } else {
            format!("[{}]", self.modifiers.join(","))
        };
        format!("{}{}({:+.2})", self.cue, mods, self.weight)
    }
}

#[derive(Debug, Clone)]
struct Hit {
    kind: Modifier,
    weight: f64,
    start: usize,
    end: usize,
}

impl Hit {
    /// The words the modifier covered, read only for the labels that
    /// name them.
    fn words(&self, tokens: &Tokens) -> String {
        words(tokens, self.start, self.end)
    }
}

/// The words a match covered, as the text has them, one space apart.
fn words(tokens: &Tokens, start: usize, end: usize) -> String {
    let mut out = String::new();
    for (k, t) in tokens
        .get(start..end)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        if k > 0 {
            out.push(' ');
        }
        out.push_str(tokens.lower(t));
    }
    out
}

/// Token ranges of prescriptive phrases (must, no choice but).
fn prescriptive_phrases(cues: &UnitCues) -> Vec<(usize, usize)> {
    cues.claim
        .iter()
        .filter(|m| m.cue.kind == ClaimCue::Prescriptive)
        .map(|m| (m.start, m.end))
        .collect()
}

/// Modifier matches, leaving out negations and contrasts that belong to a
/// prescriptive phrase (`no choice but`, `not only`).
fn modifier_hits(cues: &UnitCues) -> Vec<Hit> {
    let phrases: Vec<(usize, usize)> = prescriptive_phrases(cues)
        .into_iter()
        .filter(|(s, e)| e - s > 1)
        .collect();
    let mut hits = Vec::new();
    for &super::rules::CueMatch { cue: m, start, end } in &cues.modifiers {
        {
            let inside = phrases.iter().any(|&(s, e)| start >= s && end <= e);
            if inside && matches!(m.kind, Modifier::Negation | Modifier::Contrast) {
                continue;
            }
            hits.push(Hit {
                kind: m.kind,
                weight: m.weight,
                start,
                end,
            });
        }
    }
    hits.sort_by_key(|h| (h.start, h.end));
    hits
}

/// A negation ending within the window before `at` in the same clause, not
/// inside `inside`.
fn negation_before<'a>(
    hits: &'a [Hit],
    tokens: &Tokens,
    at: usize,
    inside: (usize, usize),
) -> Option<&'a Hit> {
    let clause = tokens.get(at).map(|t| t.clause);
    hits.iter().find(|h| {
        h.kind == Modifier::Negation
            && h.end <= at
            && tokens.get(h.start).map(|t| t.clause) == clause
            && h.end + NEGATION_WINDOW >= at
            && !(h.start >= inside.0 && h.end <= inside.1)
    })
}

fn scale_before(hits: &[Hit], at: usize) -> Option<&Hit> {
    hits.iter().find(|h| {
        matches!(h.kind, Modifier::Booster | Modifier::Hedge)
            && h.end <= at
            && h.end + BOOSTER_WINDOW >= at
    })
}

/// Whether the target is in play, decided by the caller.
pub struct Context {
    pub target: Option<super::claims::Rule>,
    pub prescriptive: bool,
    /// The claim is attributed to someone other than the author.
    pub reported: bool,
    /// Each cue names its lexicon row ([`CueFired::rule`], for `explain`);
    /// otherwise the row is left empty.
    pub detailed: bool,
}

/// The cues that fired in a unit and its score in [-1, 1]. Kept out of
/// the unit's loop, whose code it would crowd.
#[inline(never)]
pub fn score(cues: &UnitCues, tokens: &Tokens, context: &Context) -> (Vec<CueFired>, f64) {
    if cues
        .stance
        .iter()
        .all(|m| m.cue.kind.kind == StanceKind::Target)
    {
        // No cue can fire: most units end here, before any modifier is read.
        return (Vec::new(), 0.0);
    }
    let hits = modifier_hits(cues);
    let contrast = hits
        .iter()
        .find(|h| {
            h.kind == Modifier::Contrast
                && h.start > 0
                && !tokens.get(h.start).is_some_and(|t| t.quoted)
        })
        .map(|h| h.start);
    let modals = prescriptive_phrases(cues);

    let mut frames: Vec<(usize, usize)> = Vec::new();
    let mut fired = Vec::new();
    let mut ordered: Vec<_> = cues
        .stance
        .iter()
        .filter(|m| m.cue.kind.kind != StanceKind::Target)
        .map(|m| (m.cue, (m.start, m.end)))
        .collect();
    // Frames first so that events inside them stay quiet; then by place.
    ordered
        .sort_by_key(|(c, (s, e))| (c.kind.kind == StanceKind::Event, *s, std::cmp::Reverse(*e)));
    let cue_spans: Vec<(usize, usize)> = ordered.iter().map(|(_, span)| *span).collect();
    for (cue, (start, end)) in ordered {
        let overlaps = frames.iter().any(|&(s, e)| start < e && s < end);
        let other_actor = cue.kind.kind != StanceKind::Event
            && tokens
                .get(start..end)
                .is_some_and(|ts| ts.iter().any(|t| t.is_mention() && !t.us));
        if overlaps || other_actor {
            // A frame about another actor (`push the rebels out`) says nothing of the US.
            continue;
        }
        let base = cue.weight * cue.kind.polarity;
        let mut label = words(tokens, start, end);
        let mut modifiers = Vec::new();
        let mut weight = base;
        if cue.kind.self_targeted {
            modifiers.push("names-target".to_string());
        } else if context.target.is_none() {
            modifiers.push("no-target".to_string());
            weight = 0.0;
        }
        let mut scaled_at = start;
        match cue.kind.kind {
            StanceKind::Frame | StanceKind::ReportedFrame => {
                frames.push((start, end));
                if cue.kind.kind == StanceKind::ReportedFrame && !context.reported {
                    modifiers.push("author-voice".to_string());
                    weight = 0.0;
                }
                if let Some(neg) = negation_before(&hits, tokens, start, (start, end)) {
                    weight *= NEGATION_SCALAR;
                    modifiers.push(format!("negated({})", neg.words(tokens)));
                }
            }
            StanceKind::Event | StanceKind::Target => {
                let usable: Vec<&Hit> = hits
                    .iter()
                    .filter(|h| {
                        matches!(
                            h.kind,
                            Modifier::Endorse | Modifier::Value | Modifier::Oppose | Modifier::Harm
                        ) && (h.end <= start
                            || (h.start >= end
                                && matches!(h.kind, Modifier::Value | Modifier::Harm)))
                            && !cue_spans.iter().any(|&(s, e)| h.start >= s && h.end <= e)
                            && {
                                let window = match h.kind {
                                    Modifier::Harm if cue.kind.polarity > 0.0 => {
                                        HARM_ENGAGEMENT_WINDOW
                                    }
                                    Modifier::Endorse => ENDORSE_WINDOW,
                                    _ => ATTITUDE_WINDOW,
                                };
                                h.end + window >= start && h.start <= end + window
                            }
                    })
                    .collect();
                // Attitudes before the event compose (`rejected requests for
                // bases`: against); without them the nearest one after it
                // (`the withdrawal's flaws`).
                let before: Vec<&Hit> = usable
                    .iter()
                    .copied()
                    .filter(|h| {
                        h.end <= start
                            && !tokens.get(h.end..start).is_some_and(|between| {
                                between.iter().any(|t| t.is(Function::Coordinator))
                            })
                    })
                    .collect();
                let chosen: Vec<&Hit> = if before.is_empty() {
                    usable
                        .iter()
                        .copied()
                        .filter(|h| h.start >= end)
                        .min_by_key(|h| h.start - end)
                        .into_iter()
                        .collect()
                } else {
                    before
                };
                if let Some(nearest) = chosen.iter().max_by_key(|h| h.end) {
                    let mut factor = nearest.weight;
                    for att in &chosen {
                        if matches!(att.kind, Modifier::Oppose | Modifier::Harm) {
                            factor = -factor;
                        }
                        label = format!("{label}+{}", att.words(tokens));
                        modifiers.push(match att.kind {
                            Modifier::Endorse | Modifier::Value => "endorsed".to_string(),
                            Modifier::Oppose => "opposed".to_string(),
                            _ => "harm".to_string(),
                        });
                        if let Some(neg) =
                            negation_before(&hits, tokens, att.start, (att.start, att.end))
                        {
                            factor *= NEGATION_SCALAR;
                            modifiers.push(format!("negated({})", neg.words(tokens)));
                        }
                        scaled_at = scaled_at.min(att.start);
                    }
                    weight *= factor;
                } else if let Some(neg) = negation_before(&hits, tokens, start, (start, end))
                    .filter(|n| n.end + EVENT_NEGATION_WINDOW >= start)
                {
                    // A refused engagement argues against it, a refused withdrawal for it.
                    weight *= NEGATION_SCALAR;
                    modifiers.push(format!("negated({})", neg.words(tokens)));
                    scaled_at = scaled_at.min(neg.start);
                } else if context.prescriptive
                    && modals.iter().any(|&(s, _)| {
                        s < start
                            && tokens.get(s).map(|t| t.clause)
                                == tokens.get(start).map(|t| t.clause)
                    })
                {
                    modifiers.push("modal".to_string());
                } else {
                    modifiers.push("no-attitude".to_string());
                    weight = 0.0;
                }
            }
        }
        if let Some(scale) = scale_before(&hits, scaled_at) {
            weight *= 1.0 + scale.weight;
            let what = if scale.kind == Modifier::Booster {
                "boosted"
            } else {
                "hedged"
            };
            modifiers.push(format!("{what}({})", scale.words(tokens)));
        }
        if let Some(c) = contrast {
            if start < c {
                weight *= BEFORE_BUT;
                modifiers.push("before-but".to_string());
            } else {
                weight *= AFTER_BUT;
                modifiers.push("after-but".to_string());
            }
        }
        if context.prescriptive && weight != 0.0 {
            weight *= PRESCRIPTIVE_FACTOR;
            modifiers.push("prescriptive".to_string());
        }
        fired.push(CueFired {
            cue: label,
            rule: if context.detailed {
                cue.text.clone()
            } else {
                String::new()
            },
            base,
            weight,
            modifiers,
            at: start,
        });
    }
    fired.sort_by_key(|f| f.at);
    let sum: f64 = fired.iter().map(|f| f.weight).sum();
    let score = if sum == 0.0 {
        0.0
    } else {
        (sum / (sum * sum + ALPHA).sqrt()).clamp(-1.0, 1.0)
    };
    (fired, score)
}
