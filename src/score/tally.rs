//! Per-actor totals over a whole run (`actor_stance.csv`): mentions,
//! documents, held claims and their stance, accumulated in input order.

use crate::types::{Claim, Mention, Stance};
use rustc_hash::FxHashMap;
use std::sync::Arc;

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

/// The totals of every actor seen, found by a hash of the actor code.
#[derive(Debug, Clone, Default)]
pub struct ActorTable {
    slots: FxHashMap<Arc<str>, usize>,
    totals: Vec<(Arc<str>, ActorTotals)>,
    /// Per slot: the number of the last document that mentioned the actor.
    last_doc: Vec<u64>,
    /// Slots found lately, by the address of the actor's shared text
    /// (mentions share their lexicon's): most lookups end here without
    /// hashing the text.
    recent: RecentSlots,
}

/// Entries of [`RecentSlots`]: a power of two.
const RECENT: usize = 32;

/// A small cache of slots by the address of an actor's text, each entry
/// checked against the text before it is used (an address may be reused
/// by another text once its first one is freed).
#[derive(Debug, Clone, Default)]
struct RecentSlots([(usize, usize); RECENT]);

impl RecentSlots {
    fn place(address: usize) -> usize {
        (address >> 4 ^ address >> 10) % RECENT
    }
}

impl ActorTable {
    /// The totals of `actor`, if it was seen.
    pub fn get(&self, actor: &str) -> Option<&ActorTotals> {
        let &slot = self.slots.get(actor)?;
        self.totals.get(slot).map(|(_, totals)| totals)
    }

    /// Every actor with its totals, in the byte order of the actor codes.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ActorTotals)> {
        let mut sorted: Vec<(&str, &ActorTotals)> = self
            .totals
            .iter()
            .map(|(actor, totals)| (&**actor, totals))
            .collect();
        sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
        sorted.into_iter()
    }

    pub fn len(&self) -> usize {
        self.totals.len()
    }

    pub fn is_empty(&self) -> bool {
        self.totals.is_empty()
    }

    /// The slot of `actor`'s totals, added the first time it is seen.
    fn slot(&mut self, actor: &Arc<str>) -> usize {
        let address = actor.as_ptr() as usize;
        let place = RecentSlots::place(address);
        if let Some(&(seen, slot)) = self.recent.0.get(place) {
            if seen == address
                && self.totals.get(slot).is_some_and(|(known, _)| {
                    std::ptr::eq(known.as_ptr(), actor.as_ptr()) || **known == **actor
                })
            {
                return slot;
            }
        }
        let slot = match self.slots.get(&**actor) {
            Some(&slot) => slot,
            None => {
                let slot = self.totals.len();
                self.slots.insert(Arc::clone(actor), slot);
                self.totals
                    .push((Arc::clone(actor), ActorTotals::default()));
                self.last_doc.push(0);
                slot
            }
        };
        if let Some(entry) = self.recent.0.get_mut(place) {
            *entry = (address, slot);
        }
        slot
    }
}

/// Accumulates `actor_stance.csv` document by document, in input order.
#[derive(Debug, Clone, Default)]
pub struct ActorTally {
    pub actors: ActorTable,
    documents: u64,
}

impl ActorTally {
    pub fn add_document(&mut self, mentions: &[Mention], claims: &[Claim]) {
        self.documents += 1;
        let document = self.documents;
        let table = &mut self.actors;
        for m in mentions {
            let slot = table.slot(&m.actor);
            let (Some((_, totals)), Some(last_doc)) =
                (table.totals.get_mut(slot), table.last_doc.get_mut(slot))
            else {
                continue;
            };
            totals.n_mentions += 1;
            if *last_doc != document {
                *last_doc = document;
                totals.n_docs += 1;
            }
        }
        for claim in claims.iter().filter(|c| c.is_claim) {
            let Some(holder) = claim.holder.as_ref() else {
                continue;
            };
            let slot = table.slot(holder);
            let Some((_, totals)) = table.totals.get_mut(slot) else {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn mention(actor: &str) -> Mention {
        Mention {
            sent: 0,
            start: 0,
            end: 1,
            actor: actor.into(),
            entity: actor.into(),
        }
    }

    fn held(holder: &str, stance: Stance, score: f64) -> Claim {
        Claim {
            is_claim: true,
            holder: Some(holder.into()),
            stance,
            score,
            ..Claim::default()
        }
    }

    #[test]
    fn totals_count_documents_once_and_list_actors_in_code_order() {
        let mut tally = ActorTally::default();
        let doc = [mention("USA"), mention("PAK"), mention("USA")];
        let claims = [
            held("PAK", Stance::Against, -0.5),
            held("AUTHOR", Stance::Favor, 0.25),
            Claim::default(),
        ];
        tally.add_document(&doc, &claims);
        tally.add_document(&doc[..1], &claims[..1]);
        let usa = tally.actors.get("USA").expect("USA tallied");
        assert_eq!((usa.n_docs, usa.n_mentions), (2, 3));
        let pak = tally.actors.get("PAK").expect("PAK tallied");
        assert_eq!((pak.n_docs, pak.n_claims_held, pak.n_against), (1, 2, 2));
        assert_eq!(pak.score(), -0.5);
        let order: Vec<&str> = tally.actors.iter().map(|(actor, _)| actor).collect();
        assert_eq!(order, ["AUTHOR", "PAK", "USA"]);
        assert_eq!(tally.actors.len(), 3);
        assert!(tally.actors.get("OTHER").is_none());
    }
}
