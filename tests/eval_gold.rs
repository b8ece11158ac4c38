//! The seed gold scored against itself, turned into a run output folder,
//! scores 1 on every ratio and leaks nothing.

mod eval_support;

use claimstance::eval::{evaluate, GoldSet, PredSet};
use eval_support::*;
use std::path::Path;

fn assert_perfect(metrics: &std::collections::BTreeMap<String, f64>) {
    for key in claimstance::eval::CORE_METRICS {
        let expected = if key.ends_with("_bytes") { 0.0 } else { 1.0 };
        assert_eq!(metrics.get(*key), Some(&expected), "{key}");
    }
    for (key, value) in metrics {
        let is_ratio = [
            ".precision",
            ".recall",
            ".f1",
            "_acc",
            ".acc",
            ".exact",
            "favg",
        ]
        .iter()
        .any(|suffix| key.ends_with(suffix))
            || key.contains(".precision_")
            || key.contains(".recall_")
            || key.contains(".f1_");
        if is_ratio {
            assert_eq!(*value, 1.0, "{key}");
        }
    }
    assert_eq!(metrics.get("documents.n"), Some(&5.0));
    assert_eq!(metrics.get("documents.with_source"), Some(&5.0));
    assert!(metrics.get("mentions.tp").is_some_and(|tp| *tp > 400.0));
}

#[test]
fn seed_gold_against_itself_is_perfect_with_normalized_text() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = dir.path().join("run");
    std::fs::create_dir(&run).expect("run dir");
    gold_to_run(Path::new(SEED_GOLD), Some(Path::new(SEED_TEXTS)), &run);
    let mut args = args(Path::new(SEED_GOLD), &run);
    args.fail_under = vec![limit("mentions.f1=1"), limit("stance.favg=1")];
    args.fail_over = vec![limit("sentences.leak_bytes=0")];
    let diff = dir.path().join("diff.csv");
    args.diff = Some(diff.clone());
    let (code, metrics) = run_json(args, dir.path());
    assert_eq!(code, 0);
    assert_perfect(&metrics);
    let diff_rows = read_rows(&diff);
    assert!(diff_rows.is_empty(), "{diff_rows:?}");
}

#[test]
fn seed_gold_against_itself_is_perfect_with_source_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = dir.path().join("run");
    std::fs::create_dir(&run).expect("run dir");
    gold_to_run(Path::new(SEED_GOLD), None, &run);
    let mut args = args(Path::new(SEED_GOLD), &run);
    args.source = Some(SEED_TEXTS.into());
    let (code, metrics) = run_json(args, dir.path());
    assert_eq!(code, 0);
    assert_perfect(&metrics);
}

#[test]
fn seed_gold_loads_without_problems_and_matches_its_texts() {
    let mut gold = GoldSet::load(Path::new(SEED_GOLD)).expect("seed gold is well formed");
    let sources = claimstance::eval::source::load_sources(
        Some(Path::new(SEED_TEXTS)),
        Path::new(SEED_GOLD),
        &gold.ids(),
    )
    .expect("sources");
    assert_eq!(sources.texts.len(), 5);
    let check = gold.check_sources(&sources.texts);
    assert!(check.errors.is_empty(), "{:?}", check.errors);
    for warning in &check.warnings {
        println!("gold warning: {warning}");
    }
    let report = evaluate(&gold, &PredSet::default());
    assert_eq!(report.metrics().get("mentions.recall"), Some(&0.0));
}
