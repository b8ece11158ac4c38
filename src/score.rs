//! Score: claims, their holders and stance toward US engagement per sentence
//! (ANNOTATION.md §4-5), the document's stance, and per-actor tallies, with
//! cues from `lexicons/stance_cues.csv`, `claim_cues.csv` and
//! `reporting_verbs.csv`.

use crate::lexicon::{Lexicons, Problem};
use crate::types::{Claim, DocStance, Mention, Span};
use std::collections::BTreeMap;

/// The compiled claim and stance rules.
#[derive(Debug, Clone)]
pub struct Scorer {}

impl Scorer {
    pub fn build(_lexicons: &Lexicons) -> Result<Scorer, Vec<Problem>> {
        Ok(Scorer {})
    }

    pub fn check(lexicons: &Lexicons) -> Vec<Problem> {
        Scorer::build(lexicons).err().unwrap_or_default()
    }

    /// One claim per sentence, and the document's stance. `mentions` are in
    /// sentence order with `Mention::sent` indexing `sentences`.
    pub fn score(
        &self,
        _src: &str,
        sentences: &[Span],
        _mentions: &[Mention],
    ) -> (Vec<Claim>, DocStance) {
        (
            vec![Claim::default(); sentences.len()],
            DocStance::default(),
        )
    }
}

/// Per-actor totals over a whole run (`actor_stance.csv`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActorTotals {
    pub n_docs: usize,
    pub n_mentions: usize,
    pub n_claims_held: usize,
    pub n_favor: usize,
    pub n_against: usize,
    /// Sum of the held claims' scores.
    pub score_sum: f64,
}

impl ActorTotals {
    /// Mean score of the actor's held claims, in [-1, 1].
    pub fn score(&self) -> f64 {
        if self.n_claims_held == 0 {
            0.0
        } else {
            self.score_sum / self.n_claims_held as f64
        }
    }
}

/// Accumulates `actor_stance.csv` document by document, in input order.
#[derive(Debug, Clone, Default)]
pub struct ActorTally {
    pub actors: BTreeMap<String, ActorTotals>,
}

impl ActorTally {
    pub fn add_document(&mut self, mentions: &[Mention], claims: &[Claim]) {
        let mut seen: Vec<&str> = Vec::new();
        for m in mentions {
            let totals = self.actors.entry(m.actor.to_string()).or_default();
            totals.n_mentions += 1;
            if !seen.contains(&&*m.actor) {
                seen.push(&m.actor);
                totals.n_docs += 1;
            }
        }
        for claim in claims.iter().filter(|c| c.is_claim) {
            let Some(holder) = claim.holder.as_deref() else {
                continue;
            };
            let totals = self.actors.entry(holder.to_string()).or_default();
            totals.n_claims_held += 1;
            match claim.stance {
                crate::types::Stance::Favor => totals.n_favor += 1,
                crate::types::Stance::Against => totals.n_against += 1,
                crate::types::Stance::Neutral => {}
            }
            totals.score_sum += claim.score;
        }
    }
}
