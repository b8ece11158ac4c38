//! The pipeline's current model, run in process on the five seed articles and
//! scored against the seed gold. Prints the table (`cargo test --test
//! eval_seeds -- --nocapture`); the CLI gate with floors lives with `run`.

mod eval_support;

use claimstance::annotate::Model;
use claimstance::eval::{evaluate, report, GoldSet, PredSet};
use claimstance::lexicon::Lexicons;
use eval_support::*;
use std::path::Path;

#[test]
fn current_model_is_scored_on_every_seed_document() {
    let mut gold = GoldSet::load(Path::new(SEED_GOLD)).expect("seed gold");
    let model = Model::build(&Lexicons::builtin()).expect("built-in lexicons compile");
    let mut pred = PredSet::default();
    let mut sources = std::collections::BTreeMap::new();
    for id in gold.ids() {
        let text = std::fs::read_to_string(Path::new(SEED_TEXTS).join(format!("{id}.txt")))
            .expect("seed text");
        pred.insert_annotation(&id, &text, &model.annotate(&text));
        sources.insert(id, text);
    }
    let gold_check = gold.check_sources(&sources);
    assert!(gold_check.errors.is_empty(), "{:?}", gold_check.errors);
    let pred_check = pred.check_sources(&sources);
    assert!(pred_check.errors.is_empty(), "{:?}", pred_check.errors);
    let scored = evaluate(&gold, &pred);
    println!("{}", report::render_table(&scored));
    let metrics = scored.metrics();
    assert_eq!(metrics.get("documents.n"), Some(&5.0));
    assert_eq!(metrics.get("documents.with_source"), Some(&5.0));
    for key in claimstance::eval::CORE_METRICS {
        let value = metrics.get(*key).copied().unwrap_or(f64::NAN);
        let ok = if key.ends_with("_bytes") {
            value >= 0.0
        } else {
            (0.0..=1.0).contains(&value)
        };
        assert!(ok, "{key} = {value}");
    }
}
