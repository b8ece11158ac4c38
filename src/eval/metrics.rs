//! Metrics: aligns a run's units with the gold units of each document and
//! counts agreement per layer (sentences, mentions, claims, stance,
//! documents), keeping one [`Disagreement`] per difference for the diff.

use super::load::{ClaimLabel, Doc, GoldSet, PredSet, Sentence};
use crate::text::collapse_whitespace;
use crate::types::{Span, Stance};
use std::collections::{BTreeMap, BTreeSet};

/// True positives, false positives and false negatives of one decision.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub true_pos: u64,
    pub false_pos: u64,
    pub false_neg: u64,
}

impl Counts {
    /// tp / (tp + fp); with nothing predicted, 1 if there was nothing to
    /// find and 0 otherwise.
    pub fn precision(&self) -> f64 {
        ratio(
            self.true_pos,
            self.true_pos + self.false_pos,
            self.false_neg == 0,
        )
    }

    /// tp / (tp + fn); with nothing to find, 1 if nothing was predicted and
    /// 0 otherwise.
    pub fn recall(&self) -> f64 {
        ratio(
            self.true_pos,
            self.true_pos + self.false_neg,
            self.false_pos == 0,
        )
    }

    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    /// tp + fn.
    pub fn gold(&self) -> u64 {
        self.true_pos + self.false_neg
    }

    /// tp + fp.
    pub fn predicted(&self) -> u64 {
        self.true_pos + self.false_pos
    }

    fn add(&mut self, other: Counts) {
        self.true_pos += other.true_pos;
        self.false_pos += other.false_pos;
        self.false_neg += other.false_neg;
    }
}

/// `num / den`, or 1 / 0 when `den` is 0 (`empty_is_perfect`).
fn ratio(num: u64, den: u64, empty_is_perfect: bool) -> f64 {
    if den == 0 {
        if empty_is_perfect {
            1.0
        } else {
            0.0
        }
    } else {
        num as f64 / den as f64
    }
}

/// Correct decisions out of a total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub correct: u64,
    pub total: u64,
}

impl Tally {
    /// correct / total; 1 when there was nothing to decide.
    pub fn accuracy(&self) -> f64 {
        ratio(self.correct, self.total, true)
    }

    fn count(&mut self, correct: bool) {
        self.total += 1;
        self.correct += u64::from(correct);
    }
}

/// Sentence units: boundaries, exact units, bytes leaked and missed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SentenceScores {
    /// Sentence ends (after trimming whitespace) found in both.
    pub boundary: Counts,
    pub gold_units: u64,
    pub predicted_units: u64,
    /// Gold units whose trimmed (start, end) a predicted unit has too.
    pub exact_units: u64,
    /// Non-whitespace bytes of predicted units outside every gold unit.
    pub leak_bytes: u64,
    /// Non-whitespace bytes of gold units outside every predicted unit.
    pub missed_bytes: u64,
}

impl SentenceScores {
    /// Share of gold units matched exactly.
    pub fn exact(&self) -> f64 {
        ratio(self.exact_units, self.gold_units, self.predicted_units == 0)
    }
}

/// Actor mentions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MentionScores {
    /// Exact (start, end, actor) matches.
    pub exact: Counts,
    /// Per document, the multiset of actor codes.
    pub actor_counts: Counts,
    /// Exact-match counts per actor code (fp under the predicted code, fn
    /// under the gold code).
    pub per_actor: BTreeMap<String, Counts>,
}

/// Claims, over gold units and the predicted unit aligned with each.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClaimScores {
    pub is_claim: Counts,
    /// Holder agreement on true-positive claims.
    pub holder: Tally,
    /// claim_type agreement on true-positive claims.
    pub claim_type: Tally,
}

impl ClaimScores {
    /// Holder accuracy on true positives; 0 when gold claims were all missed.
    pub fn holder_acc(&self) -> f64 {
        self.on_true_positives(self.holder)
    }

    /// claim_type accuracy on true positives; 0 when gold claims were all missed.
    pub fn type_acc(&self) -> f64 {
        self.on_true_positives(self.claim_type)
    }

    fn on_true_positives(&self, tally: Tally) -> f64 {
        if tally.total == 0 {
            ratio(0, 0, self.is_claim.gold() == 0)
        } else {
            tally.accuracy()
        }
    }
}

/// The stances in confusion-matrix order.
pub const STANCES: [Stance; 3] = [Stance::Favor, Stance::Against, Stance::Neutral];

fn stance_index(stance: Stance) -> usize {
    match stance {
        Stance::Favor => 0,
        Stance::Against => 1,
        Stance::Neutral => 2,
    }
}

/// Stance of every gold unit against its aligned predicted unit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StanceScores {
    /// `confusion[gold][predicted]`, indexed in [`STANCES`] order.
    pub confusion: [[u64; 3]; 3],
}

impl StanceScores {
    pub fn units(&self) -> u64 {
        self.confusion.iter().flatten().sum()
    }

    pub fn accuracy(&self) -> f64 {
        let correct = (0..3).map(|i| self.confusion[i][i]).sum::<u64>();
        ratio(correct, self.units(), true)
    }

    /// One stance as a detection task.
    pub fn counts(&self, stance: Stance) -> Counts {
        let i = stance_index(stance);
        let true_pos = self.confusion[i][i];
        let gold: u64 = self.confusion[i].iter().sum();
        let predicted: u64 = self.confusion.iter().map(|row| row[i]).sum();
        Counts {
            true_pos,
            false_pos: predicted - true_pos,
            false_neg: gold - true_pos,
        }
    }

    /// Mean of the F1 of favor and of against (SemEval-2016 Task 6).
    pub fn favg(&self) -> f64 {
        (self.counts(Stance::Favor).f1() + self.counts(Stance::Against).f1()) / 2.0
    }

    fn count(&mut self, gold: Stance, predicted: Stance) {
        self.confusion[stance_index(gold)][stance_index(predicted)] += 1;
    }
}

/// One difference between gold and run, a row of the `--diff` CSV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disagreement {
    /// `sentences`, `mentions`, `claims`, `claims.holder`, `claims.type`,
    /// `stance` or `documents`.
    pub layer: &'static str,
    pub doc_id: String,
    pub start: Option<usize>,
    pub end: Option<usize>,
    /// The gold value (empty when the run has something gold has not).
    pub gold: String,
    /// The predicted value (empty when the run misses something).
    pub predicted: String,
    /// The sentence text (a mention marked `[[like this]]`), or the gold
    /// note for a document.
    pub text: String,
}

/// Every score of a run against the gold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub documents: u64,
    /// Gold documents whose source text was known.
    pub documents_with_source: u64,
    pub sentences: SentenceScores,
    pub mentions: MentionScores,
    pub claims: ClaimScores,
    pub stance: StanceScores,
    pub doc_stance: Tally,
    /// In gold document order, then by offsets.
    pub disagreements: Vec<Disagreement>,
}

impl Report {
    /// Every metric by its flat name (`mentions.f1`, `stance.favg`, ...):
    /// the names `--json` writes and `--fail-under` accepts.
    pub fn metrics(&self) -> BTreeMap<String, f64> {
        let mut m = BTreeMap::new();
        let mut put = |key: &str, value: f64| {
            m.insert(key.to_string(), value);
        };
        let s = &self.sentences;
        put("documents.n", self.documents as f64);
        put("documents.with_source", self.documents_with_source as f64);
        put("documents.stance_acc", self.doc_stance.accuracy());
        put("documents.stance_correct", self.doc_stance.correct as f64);
        put("sentences.boundary_precision", s.boundary.precision());
        put("sentences.boundary_recall", s.boundary.recall());
        put("sentences.boundary_f1", s.boundary.f1());
        put("sentences.boundary_tp", s.boundary.true_pos as f64);
        put("sentences.boundary_fp", s.boundary.false_pos as f64);
        put("sentences.boundary_fn", s.boundary.false_neg as f64);
        put("sentences.exact", s.exact());
        put("sentences.exact_units", s.exact_units as f64);
        put("sentences.gold", s.gold_units as f64);
        put("sentences.predicted", s.predicted_units as f64);
        put("sentences.leak_bytes", s.leak_bytes as f64);
        put("sentences.missed_bytes", s.missed_bytes as f64);
        counts_metrics(&mut put, "mentions", &self.mentions.exact);
        let c = &self.mentions.actor_counts;
        put("mentions.count_precision", c.precision());
        put("mentions.count_recall", c.recall());
        put("mentions.count_f1", c.f1());
        for (actor, counts) in &self.mentions.per_actor {
            counts_metrics(&mut put, &format!("mentions.actor.{actor}"), counts);
        }
        counts_metrics(&mut put, "claims", &self.claims.is_claim);
        put("claims.holder_acc", self.claims.holder_acc());
        put("claims.type_acc", self.claims.type_acc());
        let st = &self.stance;
        put("stance.acc", st.accuracy());
        put("stance.units", st.units() as f64);
        for (stance, name) in [(Stance::Favor, "favor"), (Stance::Against, "against")] {
            let counts = st.counts(stance);
            put(&format!("stance.precision_{name}"), counts.precision());
            put(&format!("stance.recall_{name}"), counts.recall());
            put(&format!("stance.f1_{name}"), counts.f1());
        }
        put("stance.favg", st.favg());
        for (g, gold) in STANCES.iter().enumerate() {
            for (p, predicted) in STANCES.iter().enumerate() {
                put(
                    &format!("stance.confusion.{gold}.{predicted}"),
                    st.confusion[g][p] as f64,
                );
            }
        }
        m
    }
}

fn counts_metrics(put: &mut impl FnMut(&str, f64), prefix: &str, c: &Counts) {
    put(&format!("{prefix}.precision"), c.precision());
    put(&format!("{prefix}.recall"), c.recall());
    put(&format!("{prefix}.f1"), c.f1());
    put(&format!("{prefix}.tp"), c.true_pos as f64);
    put(&format!("{prefix}.fp"), c.false_pos as f64);
    put(&format!("{prefix}.fn"), c.false_neg as f64);
}

/// Scores `pred` against every gold document (a gold document the run lacks
/// counts as an empty prediction). Offsets are trimmed of whitespace and
/// whitespace is left out of byte counts where the gold document's source
/// text is known.
pub fn evaluate(gold: &GoldSet, pred: &PredSet) -> Report {
    let mut report = Report::default();
    let empty = Doc::default();
    for g in &gold.docs {
        let p = pred.docs.get(&g.id).unwrap_or(&empty);
        let src = g.source.as_deref();
        report.documents += 1;
        report.documents_with_source += u64::from(src.is_some());
        let mut rows = Vec::new();
        score_sentences(g, p, src, &mut report.sentences, &mut rows);
        score_mentions(g, p, src, &mut report.mentions, &mut rows);
        score_claims(g, p, src, &mut report, &mut rows);
        report.doc_stance.count(g.stance == p.stance);
        if g.stance != p.stance {
            rows.push(Disagreement {
                layer: "documents",
                doc_id: g.id.clone(),
                start: None,
                end: None,
                gold: g.stance.to_string(),
                predicted: p.stance.to_string(),
                text: g.note.clone(),
            });
        }
        rows.sort_by(|a, b| {
            (a.start, a.end, layer_rank(a.layer)).cmp(&(b.start, b.end, layer_rank(b.layer)))
        });
        report.disagreements.extend(rows);
    }
    report
}

fn layer_rank(layer: &str) -> usize {
    [
        "documents",
        "sentences",
        "claims",
        "claims.holder",
        "claims.type",
        "stance",
        "mentions",
    ]
    .iter()
    .position(|l| *l == layer)
    .unwrap_or(usize::MAX)
}

/// `span` without whitespace at either end (unchanged without source text).
pub fn trim_span(src: Option<&str>, span: &Span) -> Span {
    let Some(slice) = src.and_then(|s| s.get(span.clone())) else {
        return span.clone();
    };
    let start = span.start + (slice.len() - slice.trim_start().len());
    let end = span.end - (slice.len() - slice.trim_end().len());
    start..end.max(start)
}

/// The whitespace-collapsed source slice, or `fallback` without source.
fn unit_text(src: Option<&str>, span: &Span, fallback: &str) -> String {
    match src.and_then(|s| s.get(span.clone())) {
        Some(slice) => collapse_whitespace(slice),
        None => collapse_whitespace(fallback),
    }
}

fn score_sentences(
    g: &Doc,
    p: &Doc,
    src: Option<&str>,
    scores: &mut SentenceScores,
    rows: &mut Vec<Disagreement>,
) {
    let gold: Vec<Span> = g
        .sentences
        .iter()
        .map(|s| trim_span(src, &s.span))
        .collect();
    let pred: Vec<Span> = p
        .sentences
        .iter()
        .map(|s| trim_span(src, &s.span))
        .collect();
    let gold_ends: BTreeSet<usize> = gold.iter().map(|s| s.end).collect();
    let pred_ends: BTreeSet<usize> = pred.iter().map(|s| s.end).collect();
    let shared = gold_ends.intersection(&pred_ends).count() as u64;
    scores.boundary.add(Counts {
        true_pos: shared,
        false_pos: pred_ends.len() as u64 - shared,
        false_neg: gold_ends.len() as u64 - shared,
    });
    scores.gold_units += gold.len() as u64;
    scores.predicted_units += pred.len() as u64;
    let pred_spans: BTreeSet<(usize, usize)> = pred.iter().map(|s| (s.start, s.end)).collect();
    scores.exact_units += gold
        .iter()
        .filter(|s| pred_spans.contains(&(s.start, s.end)))
        .count() as u64;
    let gold_cover = merged(g.sentences.iter().map(|s| s.span.clone()));
    let pred_cover = merged(p.sentences.iter().map(|s| s.span.clone()));
    scores.leak_bytes += uncovered_bytes(src, &pred_cover, &gold_cover);
    scores.missed_bytes += uncovered_bytes(src, &gold_cover, &pred_cover);

    let mut reported = BTreeSet::new();
    for (span, s) in gold.iter().zip(&g.sentences) {
        if !pred_ends.contains(&span.end) && reported.insert(span.end) {
            rows.push(boundary_row(g, span, src, s, "boundary", ""));
        }
    }
    let mut reported = BTreeSet::new();
    for (span, s) in pred.iter().zip(&p.sentences) {
        if !gold_ends.contains(&span.end) && reported.insert(span.end) {
            rows.push(boundary_row(g, span, src, s, "", "boundary"));
        }
    }
}

fn boundary_row(
    g: &Doc,
    span: &Span,
    src: Option<&str>,
    s: &Sentence,
    gold: &str,
    predicted: &str,
) -> Disagreement {
    Disagreement {
        layer: "sentences",
        doc_id: g.id.clone(),
        start: Some(span.start),
        end: Some(span.end),
        gold: gold.to_string(),
        predicted: predicted.to_string(),
        text: unit_text(src, &s.span, &s.text),
    }
}

/// Sorted, non-empty spans with overlapping and touching ones merged.
fn merged(spans: impl Iterator<Item = Span>) -> Vec<Span> {
    let mut spans: Vec<Span> = spans.filter(|s| s.start < s.end).collect();
    spans.sort_by_key(|s| (s.start, s.end));
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans {
        match out.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => out.push(span),
        }
    }
    out
}

/// Bytes of `cover` outside `minus` (both merged), whitespace left out when
/// the source text is known.
fn uncovered_bytes(src: Option<&str>, cover: &[Span], minus: &[Span]) -> u64 {
    let mut total = 0;
    let mut next = 0;
    for span in cover {
        let mut at = span.start;
        while minus.get(next).is_some_and(|m| m.end <= at) {
            next += 1;
        }
        let mut k = next;
        while at < span.end {
            match minus.get(k) {
                Some(m) if m.start < span.end => {
                    if m.start > at {
                        total += text_bytes(src, at..m.start);
                    }
                    at = at.max(m.end);
                    k += 1;
                }
                _ => {
                    total += text_bytes(src, at..span.end);
                    at = span.end;
                }
            }
        }
    }
    total
}

/// Non-whitespace bytes of a span, or all its bytes without source text.
fn text_bytes(src: Option<&str>, span: Span) -> u64 {
    match src.and_then(|s| s.get(span.clone())) {
        Some(slice) => slice
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.len_utf8() as u64)
            .sum(),
        None => span.len() as u64,
    }
}

fn score_mentions(
    g: &Doc,
    p: &Doc,
    src: Option<&str>,
    scores: &mut MentionScores,
    rows: &mut Vec<Disagreement>,
) {
    let key = |span: &Span, actor: &str| (span.start, span.end, actor.to_string());
    let mut unmatched_gold: BTreeMap<(usize, usize, String), usize> = g
        .mentions
        .iter()
        .enumerate()
        .map(|(i, m)| (key(&m.span, &m.actor), i))
        .collect();
    let mut extra = Vec::new();
    let mut counts = Counts::default();
    for (i, m) in p.mentions.iter().enumerate() {
        if unmatched_gold.remove(&key(&m.span, &m.actor)).is_some() {
            counts.true_pos += 1;
            scores
                .per_actor
                .entry(m.actor.clone())
                .or_default()
                .true_pos += 1;
        } else {
            counts.false_pos += 1;
            scores
                .per_actor
                .entry(m.actor.clone())
                .or_default()
                .false_pos += 1;
            extra.push(i);
        }
    }
    for (_, _, actor) in unmatched_gold.keys() {
        counts.false_neg += 1;
        scores.per_actor.entry(actor.clone()).or_default().false_neg += 1;
    }
    scores.exact.add(counts);

    let mut per_actor: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for m in &g.mentions {
        per_actor.entry(&m.actor).or_default().0 += 1;
    }
    for m in &p.mentions {
        per_actor.entry(&m.actor).or_default().1 += 1;
    }
    for (gold, predicted) in per_actor.values() {
        scores.actor_counts.add(Counts {
            true_pos: *gold.min(predicted),
            false_pos: predicted.saturating_sub(*gold),
            false_neg: gold.saturating_sub(*predicted),
        });
    }

    // Diff: a gold and a predicted mention on the same span are one actor
    // disagreement; the rest are missed or extra mentions.
    let mut extra_by_span: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
    for i in extra {
        if let Some(m) = p.mentions.get(i) {
            extra_by_span
                .entry((m.span.start, m.span.end))
                .or_default()
                .push(i);
        }
    }
    for &i in unmatched_gold.values() {
        let Some(m) = g.mentions.get(i) else {
            continue;
        };
        let paired = extra_by_span
            .get_mut(&(m.span.start, m.span.end))
            .and_then(|list| (!list.is_empty()).then(|| list.remove(0)))
            .and_then(|j| p.mentions.get(j));
        rows.push(Disagreement {
            layer: "mentions",
            doc_id: g.id.clone(),
            start: Some(m.span.start),
            end: Some(m.span.end),
            gold: m.actor.clone(),
            predicted: paired.map_or(String::new(), |pm| pm.actor.clone()),
            text: marked_mention(g, p, src, &m.span, &m.surface),
        });
    }
    for i in extra_by_span.into_values().flatten() {
        let Some(m) = p.mentions.get(i) else {
            continue;
        };
        rows.push(Disagreement {
            layer: "mentions",
            doc_id: g.id.clone(),
            start: Some(m.span.start),
            end: Some(m.span.end),
            gold: String::new(),
            predicted: m.actor.clone(),
            text: marked_mention(g, p, src, &m.span, &m.surface),
        });
    }
}

/// The sentence around a mention with the mention marked `[[...]]`; only the
/// marked surface without source text.
fn marked_mention(g: &Doc, p: &Doc, src: Option<&str>, span: &Span, surface: &str) -> String {
    let around = g
        .sentences
        .iter()
        .chain(&p.sentences)
        .map(|s| &s.span)
        .find(|s| s.start <= span.start && span.end <= s.end);
    let marked = src.and_then(|src| {
        let around = around.unwrap_or(span);
        Some(format!(
            "{}[[{}]]{}",
            src.get(around.start..span.start)?,
            src.get(span.clone())?,
            src.get(span.end..around.end)?
        ))
    });
    collapse_whitespace(&marked.unwrap_or_else(|| format!("[[{surface}]]")))
}

const NOT_A_CLAIM: ClaimLabel = ClaimLabel {
    is_claim: false,
    claim_type: None,
    holder: None,
    stance: Stance::Neutral,
};

/// The predicted unit that overlaps `gold` most (ties: the earliest).
/// `pred` holds trimmed spans sorted by (start, end) with unit indices.
fn align(gold: &Span, pred: &[(Span, usize)]) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (span, index) in pred {
        if span.start >= gold.end {
            break;
        }
        let overlap = span
            .end
            .min(gold.end)
            .saturating_sub(span.start.max(gold.start));
        if overlap > 0 && best.is_none_or(|(most, _)| overlap > most) {
            best = Some((overlap, *index));
        }
    }
    best.map(|(_, index)| index)
}

fn score_claims(
    g: &Doc,
    p: &Doc,
    src: Option<&str>,
    report: &mut Report,
    rows: &mut Vec<Disagreement>,
) {
    let mut pred: Vec<(Span, usize)> = p
        .sentences
        .iter()
        .enumerate()
        .map(|(i, s)| (trim_span(src, &s.span), i))
        .collect();
    pred.sort_by_key(|(span, i)| (span.start, span.end, *i));
    for s in &g.sentences {
        let span = trim_span(src, &s.span);
        let predicted = align(&span, &pred)
            .and_then(|i| p.sentences.get(i))
            .map_or(&NOT_A_CLAIM, |unit| &unit.claim);
        let gold = &s.claim;
        let mut row = |layer: &'static str, gold: String, predicted: String| {
            rows.push(Disagreement {
                layer,
                doc_id: g.id.clone(),
                start: Some(s.span.start),
                end: Some(s.span.end),
                gold,
                predicted,
                text: unit_text(src, &s.span, &s.text),
            });
        };
        let claims = &mut report.claims;
        match (gold.is_claim, predicted.is_claim) {
            (true, true) => {
                claims.is_claim.true_pos += 1;
                claims.holder.count(gold.holder == predicted.holder);
                claims
                    .claim_type
                    .count(gold.claim_type == predicted.claim_type);
                if gold.holder != predicted.holder {
                    row(
                        "claims.holder",
                        gold.holder.clone().unwrap_or_default(),
                        predicted.holder.clone().unwrap_or_default(),
                    );
                }
                if gold.claim_type != predicted.claim_type {
                    let name = |t: Option<crate::types::ClaimType>| {
                        t.map_or(String::new(), |t| t.to_string())
                    };
                    row(
                        "claims.type",
                        name(gold.claim_type),
                        name(predicted.claim_type),
                    );
                }
            }
            (true, false) => claims.is_claim.false_neg += 1,
            (false, true) => claims.is_claim.false_pos += 1,
            (false, false) => {}
        }
        if gold.is_claim != predicted.is_claim {
            let flag = |b: bool| if b { "1" } else { "0" }.to_string();
            row("claims", flag(gold.is_claim), flag(predicted.is_claim));
        }
        report.stance.count(gold.stance, predicted.stance);
        if gold.stance != predicted.stance {
            row(
                "stance",
                gold.stance.to_string(),
                predicted.stance.to_string(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::load::{MentionRow, Sentence};
    use crate::types::ClaimType;

    //                     0         1         2         3         4
    //                     0123456789012345678901234567890123456789012345
    const SRC: &str = "US must stay. Pakistan says no.\nShare\nTaliban win.";

    fn claim(stance: Stance, holder: &str, claim_type: ClaimType) -> ClaimLabel {
        ClaimLabel {
            is_claim: true,
            claim_type: Some(claim_type),
            holder: Some(holder.to_string()),
            stance,
        }
    }

    fn sentence(span: Span, claim: ClaimLabel) -> Sentence {
        Sentence {
            sent_id: span.start as u64,
            span,
            claim,
            ..Sentence::default()
        }
    }

    fn mention(span: Span, actor: &str) -> MentionRow {
        MentionRow {
            span,
            actor: actor.to_string(),
            ..MentionRow::default()
        }
    }

    /// Gold: three units (the "Share" line is boilerplate) and four mentions.
    fn gold_doc() -> Doc {
        Doc {
            id: "d".into(),
            stance: Stance::Favor,
            source: Some(SRC.to_string()),
            sentences: vec![
                sentence(
                    0..13,
                    claim(Stance::Favor, "AUTHOR", ClaimType::Prescriptive),
                ),
                sentence(14..31, claim(Stance::Against, "PAK", ClaimType::Reported)),
                sentence(38..50, ClaimLabel::default()),
            ],
            mentions: vec![
                mention(0..2, "USA"),
                mention(14..22, "PAK"),
                mention(38..45, "TALIBAN"),
                mention(46..49, "USA"),
            ],
            ..Doc::default()
        }
    }

    fn score(gold: Doc, pred: Doc) -> Report {
        let pred = PredSet {
            docs: [(pred.id.clone(), pred)].into_iter().collect(),
            ..PredSet::default()
        };
        evaluate(
            &GoldSet {
                docs: vec![gold],
                ..GoldSet::default()
            },
            &pred,
        )
    }

    fn metric(report: &Report, key: &str) -> f64 {
        report.metrics().get(key).copied().unwrap_or(f64::NAN)
    }

    fn assert_close(actual: f64, expected: f64) {
        assert!((actual - expected).abs() < 1e-9, "{actual} != {expected}");
    }

    #[test]
    fn counts_give_known_precision_recall_f1() {
        let c = Counts {
            true_pos: 2,
            false_pos: 1,
            false_neg: 3,
        };
        assert_close(c.precision(), 2.0 / 3.0);
        assert_close(c.recall(), 0.4);
        assert_close(c.f1(), 0.5);
        let nothing = Counts::default();
        assert_eq!(
            (nothing.precision(), nothing.recall(), nothing.f1()),
            (1.0, 1.0, 1.0)
        );
        let none_found = Counts {
            false_neg: 4,
            ..Counts::default()
        };
        assert_eq!(
            (none_found.precision(), none_found.recall(), none_found.f1()),
            (0.0, 0.0, 0.0)
        );
        let all_wrong = Counts {
            false_pos: 2,
            ..Counts::default()
        };
        assert_eq!(
            (all_wrong.precision(), all_wrong.recall(), all_wrong.f1()),
            (0.0, 0.0, 0.0)
        );
    }

    #[test]
    fn perfect_prediction_scores_one_everywhere() {
        let report = score(gold_doc(), gold_doc());
        for (key, value) in report.metrics() {
            let is_count = [
                ".tp",
                ".fp",
                ".fn",
                "_tp",
                "_fp",
                "_fn",
                ".n",
                "_bytes",
                ".gold",
                ".predicted",
                "_units",
                ".units",
                "_correct",
                ".with_source",
            ]
            .iter()
            .any(|s| key.ends_with(s))
                || key.starts_with("stance.confusion.");
            if !is_count {
                assert_eq!(value, 1.0, "{key}");
            }
        }
        assert_eq!(metric(&report, "sentences.leak_bytes"), 0.0);
        assert!(report.disagreements.is_empty());
    }

    #[test]
    fn empty_prediction_scores_zero_and_misses_every_byte() {
        let pred = Doc {
            id: "d".into(),
            ..Doc::default()
        };
        let report = score(gold_doc(), pred);
        for key in [
            "sentences.boundary_f1",
            "sentences.exact",
            "mentions.f1",
            "mentions.count_f1",
            "claims.f1",
            "claims.holder_acc",
            "claims.type_acc",
            "stance.f1_favor",
            "stance.f1_against",
            "stance.favg",
            "documents.stance_acc",
        ] {
            assert_eq!(metric(&report, key), 0.0, "{key}");
        }
        // The neutral gold unit is right by default: 1 of 3.
        assert_close(metric(&report, "stance.acc"), 1.0 / 3.0);
        assert_eq!(metric(&report, "stance.confusion.favor.neutral"), 1.0);
        // "US must stay." 11 + "Pakistan says no." 15 + "Taliban win." 11
        assert_eq!(metric(&report, "sentences.missed_bytes"), 37.0);
        assert_eq!(metric(&report, "sentences.leak_bytes"), 0.0);
    }

    #[test]
    fn off_by_one_offsets() {
        let mut pred = gold_doc();
        // One byte too far onto whitespace: trimmed away, still exact.
        pred.sentences[0].span = 0..14;
        // One byte short: a wrong boundary, one missed byte.
        pred.sentences[1].span = 14..30;
        // A mention one byte short and one a byte too early.
        pred.mentions[1].span = 14..21;
        pred.mentions[3].span = 45..49;
        let report = score(gold_doc(), pred);
        let s = &report.sentences;
        assert_eq!(
            s.boundary,
            Counts {
                true_pos: 2,
                false_pos: 1,
                false_neg: 1
            }
        );
        assert_close(s.exact(), 2.0 / 3.0);
        assert_eq!((s.leak_bytes, s.missed_bytes), (0, 1));
        assert_eq!(
            report.mentions.exact,
            Counts {
                true_pos: 2,
                false_pos: 2,
                false_neg: 2
            }
        );
        // Actor counts do not look at offsets.
        assert_eq!(metric(&report, "mentions.count_f1"), 1.0);
        // The short unit still overlaps its gold unit most: claims unchanged.
        assert_eq!(metric(&report, "claims.f1"), 1.0);
        assert_eq!(metric(&report, "stance.acc"), 1.0);
    }

    #[test]
    fn extra_and_missing_rows() {
        let mut pred = gold_doc();
        // Boilerplate "Share" becomes a unit; the Taliban unit is lost.
        pred.sentences[2] = sentence(32..37, ClaimLabel::default());
        pred.mentions.pop();
        pred.mentions.push(mention(32..37, "USA"));
        pred.mentions[2].actor = "AFG".into();
        let report = score(gold_doc(), pred);
        let s = &report.sentences;
        assert_eq!(
            s.boundary,
            Counts {
                true_pos: 2,
                false_pos: 1,
                false_neg: 1
            }
        );
        assert_eq!((s.leak_bytes, s.missed_bytes), (5, 11));
        let m = &report.mentions;
        assert_eq!(
            m.exact,
            Counts {
                true_pos: 2,
                false_pos: 2,
                false_neg: 2
            }
        );
        // Gold {USA 2, PAK 1, TALIBAN 1}, run {USA 2, PAK 1, AFG 1}.
        assert_eq!(
            m.actor_counts,
            Counts {
                true_pos: 3,
                false_pos: 1,
                false_neg: 1
            }
        );
        assert_eq!(
            m.per_actor.get("USA"),
            Some(&Counts {
                true_pos: 1,
                false_pos: 1,
                false_neg: 1
            })
        );
        assert_eq!(m.per_actor.get("TALIBAN").map(|c| c.false_neg), Some(1));
        assert_eq!(m.per_actor.get("AFG").map(|c| c.false_pos), Some(1));
        let layers: Vec<(&str, String, String)> = report
            .disagreements
            .iter()
            .map(|d| (d.layer, d.gold.clone(), d.predicted.clone()))
            .collect();
        assert!(layers.contains(&("mentions", "TALIBAN".into(), "AFG".into())));
        assert!(layers.contains(&("mentions", "USA".into(), String::new())));
        assert!(layers.contains(&("mentions", String::new(), "USA".into())));
        assert!(layers.contains(&("sentences", String::new(), "boundary".into())));
        assert!(layers.contains(&("sentences", "boundary".into(), String::new())));
    }

    #[test]
    fn ties_in_overlap_go_to_the_earliest_unit() {
        let mut pred = gold_doc();
        // "Pakistan says no." split in two halves of 8 and 8 non-space bytes:
        // 14..22 "Pakistan" and 22..31 " says no." (trimmed 23..31).
        pred.sentences[1] = sentence(14..22, claim(Stance::Favor, "OTHER", ClaimType::Factual));
        pred.sentences.insert(
            2,
            sentence(22..31, claim(Stance::Against, "PAK", ClaimType::Reported)),
        );
        let report = score(gold_doc(), pred);
        assert_eq!(
            report.stance.confusion[1][0], 1,
            "gold against → first half's favor"
        );
        assert_eq!(
            report.claims.holder,
            Tally {
                correct: 1,
                total: 2
            }
        );
        assert_eq!(
            report.claims.claim_type,
            Tally {
                correct: 1,
                total: 2
            }
        );
        let mut pred = gold_doc();
        // A longer second part wins over the earlier one.
        pred.sentences[1] = sentence(14..18, claim(Stance::Favor, "OTHER", ClaimType::Factual));
        pred.sentences.insert(
            2,
            sentence(18..31, claim(Stance::Against, "PAK", ClaimType::Reported)),
        );
        let report = score(gold_doc(), pred);
        assert_eq!(report.stance.accuracy(), 1.0);
    }

    #[test]
    fn stance_scores_from_a_known_confusion_matrix() {
        let stance = StanceScores {
            // gold favor: 3 favor, 1 against, 1 neutral; gold against: 0, 2, 2;
            // gold neutral: 1, 0, 10.
            confusion: [[3, 1, 1], [0, 2, 2], [1, 0, 10]],
        };
        assert_eq!(stance.units(), 20);
        assert_close(stance.accuracy(), 15.0 / 20.0);
        // favor: P 3/4, R 3/5 → F1 2/3; against: P 2/3, R 2/4 → F1 4/7.
        assert_close(stance.counts(Stance::Favor).f1(), 2.0 / 3.0);
        assert_close(stance.counts(Stance::Against).f1(), 4.0 / 7.0);
        assert_close(stance.favg(), (2.0 / 3.0 + 4.0 / 7.0) / 2.0);
    }

    #[test]
    fn claim_decisions_holders_and_types() {
        let mut pred = gold_doc();
        pred.sentences[0].claim.holder = Some("USA".into());
        pred.sentences[1].claim = ClaimLabel::default();
        pred.sentences[2].claim = claim(Stance::Neutral, "AUTHOR", ClaimType::Factual);
        let report = score(gold_doc(), pred);
        assert_eq!(
            report.claims.is_claim,
            Counts {
                true_pos: 1,
                false_pos: 1,
                false_neg: 1
            }
        );
        assert_eq!(report.claims.holder_acc(), 0.0);
        assert_eq!(report.claims.type_acc(), 1.0);
        assert_eq!(report.stance.confusion[1][2], 1);
    }

    #[test]
    fn gold_unit_without_an_overlapping_unit_counts_as_neutral_non_claim() {
        let mut pred = gold_doc();
        pred.sentences.truncate(1);
        let report = score(gold_doc(), pred);
        assert_eq!(report.claims.is_claim.false_neg, 1);
        assert_eq!(report.stance.confusion[1][2], 1);
        assert_eq!(report.stance.confusion[2][2], 1);
    }

    #[test]
    fn document_stance_accuracy() {
        let mut pred = gold_doc();
        pred.stance = Stance::Neutral;
        let report = score(gold_doc(), pred);
        assert_eq!(
            report.doc_stance,
            Tally {
                correct: 0,
                total: 1
            }
        );
        let first = report.disagreements.first().map(|d| (d.layer, d.start));
        assert_eq!(first, Some(("documents", None)));
    }

    #[test]
    #[allow(clippy::single_range_in_vec_init)]
    fn uncovered_bytes_skip_whitespace_and_covered_parts() {
        let src = Some("ab cd\nef gh");
        assert_eq!(uncovered_bytes(src, &[0..11], &[3..5]), 6);
        assert_eq!(uncovered_bytes(src, &[0..11], &[0..2, 6..11]), 2);
        assert_eq!(uncovered_bytes(src, &[0..5, 6..11], &[0..11]), 0);
        assert_eq!(uncovered_bytes(None, &[0..11], &[3..5]), 9);
        assert_eq!(
            merged([5..7, 0..2, 1..3, 3..4].into_iter()),
            vec![0..4, 5..7]
        );
    }

    #[test]
    fn trim_span_keeps_character_boundaries() {
        let src = Some(" \u{a0}Kabul’s\n");
        assert_eq!(trim_span(src, &(0..13)), 3..12);
        assert_eq!(trim_span(None, &(0..13)), 0..13);
        assert_eq!(trim_span(Some("   "), &(0..3)), 3..3);
    }
}
