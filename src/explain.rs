//! Explain: a human-readable trace of every stage on one text — the units,
//! the mentions, and each claim and stance decision with the cues that fired.
//! It is how lexicon authors debug a rule.

use crate::annotate::Model;
use crate::output::format_score;
use crate::text::collapse_whitespace;
use std::fmt::Write;

/// The trace of every stage on `src`, as printed by `claimstance explain`.
pub fn explain(model: &Model, src: &str) -> String {
    let annotation = model.annotate(src);
    let mut out = String::new();
    let n = &annotation.normalized;
    let _ = writeln!(
        out,
        "normalize: {} content lines kept, {} bytes of boilerplate dropped",
        n.lines.len(),
        n.dropped_bytes
    );
    for (i, span) in annotation.sentences.iter().enumerate() {
        let _ = writeln!(
            out,
            "\n[{}] {}..{} {}",
            i + 1,
            span.start,
            span.end,
            collapse_whitespace(&src[span.clone()])
        );
        for m in annotation.mentions.iter().filter(|m| m.sent == i) {
            let _ = writeln!(
                out,
                "    mention {}..{} {:<8} {:<28} {:?}",
                m.start,
                m.end,
                m.actor,
                m.entity,
                &src[m.start..m.end]
            );
        }
        if let Some(claim) = annotation.claims.get(i) {
            if claim.is_claim {
                let _ = writeln!(
                    out,
                    "    claim   {} held by {}; stance {} ({})",
                    claim.claim_type.map(|t| t.as_str()).unwrap_or("?"),
                    claim.holder.as_deref().unwrap_or("?"),
                    claim.stance,
                    format_score(claim.score)
                );
            } else {
                let _ = writeln!(out, "    not a claim; stance {}", claim.stance);
            }
            if !claim.cues.is_empty() {
                let _ = writeln!(out, "    cues    {}", claim.cues.join("; "));
            }
        }
    }
    let doc = &annotation.doc;
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
