//! Eval on the hand-made fixture in tests/fixtures/eval/tiny: a run with
//! known flaws gives known metrics, diff rows and exit codes.

mod eval_support;

use claimstance::eval::EXIT_LIMIT_BROKEN;
use eval_support::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn tiny(part: &str) -> PathBuf {
    Path::new(FIXTURES).join(part)
}

fn flawed_args() -> claimstance::eval::EvalArgs {
    let mut args = args(&tiny("tiny/gold"), &tiny("tiny/run"));
    args.source = Some(tiny("source"));
    args
}

fn close(metrics: &BTreeMap<String, f64>, key: &str, expected: f64) {
    let value = metrics.get(key).copied().unwrap_or(f64::NAN);
    assert!(
        (value - expected).abs() < 1e-9,
        "{key}: got {value}, expected {expected}"
    );
}

#[test]
fn flawed_run_scores_as_worked_out_by_hand() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (code, m) = run_json(flawed_args(), dir.path());
    assert_eq!(code, 0);
    // Sentences: ends {title, s2, s4 (trailing newline trimmed), d2} shared;
    // "Share this" and the short s3 are extra, the real s3 end is missing.
    close(&m, "sentences.boundary_precision", 4.0 / 6.0);
    close(&m, "sentences.boundary_recall", 4.0 / 5.0);
    close(
        &m,
        "sentences.boundary_f1",
        2.0 * (4.0 / 6.0) * 0.8 / (4.0 / 6.0 + 0.8),
    );
    close(&m, "sentences.exact", 4.0 / 5.0);
    close(&m, "sentences.leak_bytes", 9.0); // "Share this" without its space
    close(&m, "sentences.missed_bytes", 1.0); // the final "." of s3
                                              // Mentions: Afghanistan missed, Pakistan labelled AFG, Smith extra.
    close(&m, "mentions.precision", 5.0 / 7.0);
    close(&m, "mentions.recall", 5.0 / 7.0);
    close(&m, "mentions.f1", 5.0 / 7.0);
    close(&m, "mentions.count_precision", 6.0 / 7.0);
    close(&m, "mentions.count_recall", 6.0 / 7.0);
    close(&m, "mentions.count_f1", 6.0 / 7.0);
    close(&m, "mentions.actor.USA.tp", 3.0);
    close(&m, "mentions.actor.USA.fp", 1.0);
    close(&m, "mentions.actor.AFG.fp", 1.0);
    close(&m, "mentions.actor.AFG.fn", 1.0);
    close(&m, "mentions.actor.PAK.fn", 1.0);
    close(&m, "mentions.actor.PAK.tp", 0.0);
    // Claims: the title is a false claim; s2 holder and s3 type are wrong.
    close(&m, "claims.precision", 0.8);
    close(&m, "claims.recall", 1.0);
    close(&m, "claims.f1", 2.0 * 0.8 / 1.8);
    close(&m, "claims.holder_acc", 0.75);
    close(&m, "claims.type_acc", 0.75);
    // Stance: s3 against predicted neutral.
    close(&m, "stance.acc", 0.8);
    close(&m, "stance.f1_favor", 1.0);
    close(&m, "stance.precision_against", 1.0);
    close(&m, "stance.recall_against", 0.5);
    close(&m, "stance.f1_against", 2.0 / 3.0);
    close(&m, "stance.favg", (1.0 + 2.0 / 3.0) / 2.0);
    close(&m, "stance.confusion.against.neutral", 1.0);
    close(&m, "stance.confusion.neutral.neutral", 2.0);
    close(&m, "documents.stance_acc", 0.5);
}

#[test]
fn flawed_run_diff_lists_every_disagreement() {
    let dir = tempfile::tempdir().expect("temp dir");
    let diff = dir.path().join("diff.csv");
    let mut args = flawed_args();
    args.diff = Some(diff.clone());
    assert_eq!(claimstance::eval::run(&args), 0);
    let rows: Vec<Vec<String>> = read_rows(&diff)
        .into_iter()
        .map(|r| {
            [
                "layer",
                "doc_id",
                "start",
                "end",
                "gold",
                "predicted",
                "text",
            ]
            .iter()
            .map(|k| r.get(*k).cloned().unwrap_or_default())
            .collect()
        })
        .collect();
    let expected: Vec<Vec<&str>> = vec![
        vec![
            "claims",
            "d1",
            "0",
            "23",
            "0",
            "1",
            "US allies weigh options",
        ],
        vec!["sentences", "d1", "24", "34", "", "boundary", "Share this"],
        vec![
            "claims.holder",
            "d1",
            "35",
            "106",
            "USA",
            "OTHER",
            "The United States must stay engaged in Afghanistan, Senator Smith said.",
        ],
        vec![
            "mentions",
            "d1",
            "74",
            "85",
            "AFG",
            "",
            "The United States must stay engaged in [[Afghanistan]], Senator Smith said.",
        ],
        vec![
            "mentions",
            "d1",
            "95",
            "100",
            "",
            "USA",
            "The United States must stay engaged in Afghanistan, Senator [[Smith]] said.",
        ],
        vec![
            "mentions",
            "d1",
            "107",
            "115",
            "PAK",
            "AFG",
            "[[Pakistan]] will refuse US bases.",
        ],
        vec![
            "sentences",
            "d1",
            "107",
            "136",
            "",
            "boundary",
            "Pakistan will refuse US bases",
        ],
        vec![
            "sentences",
            "d1",
            "107",
            "137",
            "boundary",
            "",
            "Pakistan will refuse US bases.",
        ],
        vec![
            "claims.type",
            "d1",
            "107",
            "137",
            "predictive",
            "factual",
            "Pakistan will refuse US bases.",
        ],
        vec![
            "stance",
            "d1",
            "107",
            "137",
            "against",
            "neutral",
            "Pakistan will refuse US bases.",
        ],
        vec![
            "documents",
            "d2",
            "",
            "",
            "neutral",
            "against",
            "Reports Turkey's offer.",
        ],
    ];
    assert_eq!(rows, expected);
}

#[test]
fn fail_under_names_each_metric_below_its_floor() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut args = flawed_args();
    args.fail_under = vec![
        limit("mentions.f1=0.7"),
        limit("stance.acc=0.81"),
        limit("documents.stance_acc=0.5"),
    ];
    assert_eq!(run_json(args.clone(), dir.path()).0, EXIT_LIMIT_BROKEN);
    args.fail_under = vec![limit("mentions.f1=0.7"), limit("stance.acc=0.8")];
    assert_eq!(run_json(args.clone(), dir.path()).0, 0);
    args.fail_over = vec![limit("sentences.leak_bytes=8")];
    assert_eq!(run_json(args.clone(), dir.path()).0, EXIT_LIMIT_BROKEN);
    args.fail_over = vec![limit("sentences.leak_bytes=9")];
    assert_eq!(run_json(args, dir.path()).0, 0);
}

#[test]
fn unknown_metric_in_a_limit_is_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut args = flawed_args();
    args.fail_under = vec![limit("mentions.f2=0.5")];
    assert_eq!(run_json(args, dir.path()).0, 1);
}

#[test]
fn limits_check_reports_each_failure() {
    let mut metrics = BTreeMap::new();
    metrics.insert("a".to_string(), 0.5);
    metrics.insert("b".to_string(), 0.9);
    let (failed, unknown) = claimstance::eval::check_limits(
        &metrics,
        &[limit("a=0.6"), limit("b=0.9"), limit("c=1")],
        &[limit("b=0.8")],
    );
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert!(failed[0].starts_with("a = 0.5000 is under its floor 0.6"));
    assert!(failed[1].starts_with("b = 0.9000 is over its ceiling 0.8"));
    assert_eq!(unknown, vec!["c".to_string()]);
}

#[test]
fn fail_under_takes_several_values_after_one_flag() {
    use clap::Parser;
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        eval: claimstance::eval::EvalArgs,
    }
    let cli = Cli::try_parse_from([
        "eval",
        "--gold",
        "g",
        "--pred",
        "p",
        "--fail-under",
        "mentions.f1=0.9",
        "stance.favg=0.5",
        "--diff",
        "d.csv",
        "--fail-under",
        "claims.f1=0.25",
    ])
    .expect("parses");
    let metrics: Vec<(String, f64)> = cli
        .eval
        .fail_under
        .iter()
        .map(|l| (l.metric.clone(), l.value))
        .collect();
    assert_eq!(
        metrics,
        vec![
            ("mentions.f1".to_string(), 0.9),
            ("stance.favg".to_string(), 0.5),
            ("claims.f1".to_string(), 0.25)
        ]
    );
    assert!(
        Cli::try_parse_from(["eval", "--gold", "g", "--pred", "p", "--fail-under", "f1"]).is_err()
    );
    assert!(
        Cli::try_parse_from(["eval", "--gold", "g", "--pred", "p", "--fail-under", "f1=x"])
            .is_err()
    );
}

#[test]
fn without_source_offsets_are_compared_untrimmed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let args = args(&tiny("tiny/gold"), &tiny("tiny/run"));
    let (code, m) = run_json(args, dir.path());
    assert_eq!(code, 0);
    close(&m, "documents.with_source", 0.0);
    // s4 ends one byte (a newline) later in the run: now a boundary miss.
    close(&m, "sentences.exact", 3.0 / 5.0);
    close(&m, "sentences.leak_bytes", 11.0); // "Share this" and the newline
}

#[test]
fn table_prints_every_layer() {
    let gold = claimstance::eval::GoldSet::load(&tiny("tiny/gold")).expect("gold");
    let pred = claimstance::eval::PredSet::load(&tiny("tiny/run"), &gold.ids()).expect("run");
    let report = claimstance::eval::evaluate(&gold, &pred);
    let table = claimstance::eval::report::render_table(&report);
    println!("{table}");
    for row in [
        "sentence ends",
        "mentions",
        "actor counts",
        "claims",
        "stance favor",
        "stance against",
        "documents",
        "confusion",
        "AFG 0/1/1",
    ] {
        assert!(table.contains(row), "{row} missing from\n{table}");
    }
}
