//! Per-actor totals over a whole run (`actor_stance.csv`): mentions,
//! documents, held claims and their stance, accumulated in input order.

use crate::types::{Claim, Mention, Stance};
use std::collections::BTreeMap;

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
    /// The actor's totals, allocating its key only the first time.
    fn totals(&mut self, actor: &str) -> Option<&mut ActorTotals> {
        if !self.actors.contains_key(actor) {
            self.actors
                .insert(actor.to_string(), ActorTotals::default());
        }
        self.actors.get_mut(actor)
    }

    pub fn add_document(&mut self, mentions: &[Mention], claims: &[Claim]) {
        let mut seen: Vec<&str> = Vec::new();
        for m in mentions {
            let Some(totals) = self.totals(&m.actor) else {
                continue;
            };
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
            let Some(totals) = self.totals(holder) else {
                continue;
            };
            totals.n_claims_held += 1;
            match claim.stance {
                Stance::Favor => totals.n_favor += 1,
                Stance::Against => totals.n_against += 1,
                Stance::Neutral => {}
            }
            totals.score_sum += claim.score;
        }
    }
}
