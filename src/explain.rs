//! Explain: a human-readable trace of every stage on one text — the units,
//! every actor candidate with the rule that kept or dropped it, and each
//! claim, holder and stance decision with the cues that fired. It is how
//! lexicon authors debug a rule.

use crate::annotate::Model;
use crate::output::format_score;
use crate::text::collapse_whitespace;
use std::fmt::Write;

/// The trace of every stage on `src`, as printed by `claimstance explain`.
pub fn explain(model: &Model, src: &str) -> String {
    let normalized = model.normalize(src);
    let sentences = model.segment(src, &normalized);
    let mentions = model.mentions(src, &sentences);
    let candidates = model.matcher.explain(src, &sentences);
    let (explanations, doc) = model.scorer.explain(src, &sentences, &mentions);

    let mut out = String::new();
    let _ = writeln!(
        out,
        "normalize: {} content lines kept, {} bytes of boilerplate dropped",
        normalized.lines.len(),
        normalized.dropped_bytes
    );
    for dropped in &normalized.dropped {
        let _ = writeln!(out, "  dropped {dropped:?}");
    }
    for (i, span) in sentences.iter().enumerate() {
        let _ = writeln!(
            out,
            "\n[{}] {}..{} {}",
            i + 1,
            span.start,
            span.end,
            collapse_whitespace(&src[span.clone()])
        );
        for c in candidates.iter().filter(|c| c.sent == i) {
            let _ = writeln!(
                out,
                "    {} {}..{} {:?} {} {} ({})",
                if c.kept { "mention" } else { "dropped" },
                c.start,
                c.end,
                c.surface,
                c.actor.as_deref().unwrap_or("-"),
                c.entity,
                c.rule
            );
        }
        let Some(e) = explanations.get(i) else {
            continue;
        };
        let claim = &e.claim;
        if claim.is_claim {
            let _ = writeln!(
                out,
                "    claim   yes ({}); type {} ({}); holder {} ({}{})",
                e.claim_rule,
                claim.claim_type.map(|t| t.as_str()).unwrap_or("?"),
                e.type_rule,
                claim.holder.as_deref().unwrap_or("?"),
                e.holder_rule,
                e.holder_cue
                    .as_deref()
                    .map(|c| format!(", cue {c:?}"))
                    .unwrap_or_default()
            );
        } else {
            let _ = writeln!(out, "    claim   no ({})", e.claim_rule);
        }
        let _ = writeln!(
            out,
            "    stance  {} ({}); target {}",
            claim.stance,
            format_score(claim.score),
            e.target.as_deref().unwrap_or("not in play")
        );
        for cue in &e.cues {
            let _ = writeln!(
                out,
                "      cue {} row {:?} base {:+.2}",
                cue.label(),
                cue.rule,
                cue.base
            );
        }
    }
    let _ = writeln!(
        out,
        "\ndocument: stance {} ({}), {} claims, {} favor, {} against",
        doc.stance,
        format_score(doc.score),
        doc.n_claims,
        doc.n_favor,
        doc.n_against
    );
    out
}
