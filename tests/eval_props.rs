//! Property: evaluate never panics, whatever units it is given (offsets past
//! the text or inside characters included), and every ratio stays in [0, 1].

use claimstance::eval::{evaluate, ClaimLabel, Doc, GoldSet, MentionRow, PredSet, Sentence};
use claimstance::types::{ClaimType, Stance};
use proptest::prelude::*;

fn stance() -> impl Strategy<Value = Stance> {
    prop_oneof![
        Just(Stance::Favor),
        Just(Stance::Against),
        Just(Stance::Neutral)
    ]
}

fn sentence() -> impl Strategy<Value = Sentence> {
    (0usize..80, 0usize..80, any::<bool>(), stance(), 0usize..5).prop_map(
        |(a, b, is_claim, stance, kind)| Sentence {
            span: a.min(b)..a.max(b),
            claim: ClaimLabel {
                is_claim,
                claim_type: is_claim.then(|| ClaimType::ALL[kind % 5]),
                holder: is_claim.then(|| ["AUTHOR", "USA", "OTHER"][kind % 3].to_string()),
                stance,
            },
            ..Sentence::default()
        },
    )
}

fn mention() -> impl Strategy<Value = MentionRow> {
    (0usize..80, 0usize..80, 0usize..3).prop_map(|(a, b, actor)| MentionRow {
        span: a.min(b)..a.max(b),
        actor: ["USA", "AFG", "PAK"][actor].to_string(),
        ..MentionRow::default()
    })
}

fn doc() -> impl Strategy<Value = Doc> {
    (
        proptest::collection::vec(sentence(), 0..8),
        proptest::collection::vec(mention(), 0..8),
        stance(),
    )
        .prop_map(|(sentences, mentions, stance)| Doc {
            id: "d".into(),
            stance,
            sentences,
            mentions,
            ..Doc::default()
        })
}

proptest! {
    #[test]
    fn evaluate_never_panics_and_ratios_stay_in_range(
        text in "[a-z ’\n]{0,40}",
        with_source in any::<bool>(),
        (gold, pred) in (doc(), doc()),
    ) {
        let mut gold = gold;
        if with_source {
            gold.source = Some(text);
        }
        let pred_set = PredSet {
            docs: [(pred.id.clone(), pred)].into_iter().collect(),
            ..PredSet::default()
        };
        let report = evaluate(&GoldSet { docs: vec![gold], ..GoldSet::default() }, &pred_set);
        for (key, value) in report.metrics() {
            prop_assert!(value.is_finite(), "{key} = {value}");
            let last = key.rsplit('.').next().unwrap_or_default();
            let is_ratio = ["precision", "recall", "f1", "acc", "exact", "favg"].contains(&last)
                || ["precision_", "recall_", "f1_"].iter().any(|p| last.starts_with(p))
                || ["_precision", "_recall", "_f1", "_acc"].iter().any(|s| last.ends_with(s));
            if is_ratio {
                prop_assert!((0.0..=1.0).contains(&value), "{key} = {value}");
            } else {
                prop_assert!(value >= 0.0, "{key} = {value}");
            }
        }
    }
}
