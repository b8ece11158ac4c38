//! The project's gold regression test: `run` on the bundled seeds, then
//! `eval` against tests/gold/seeds (copied unchanged from the workplace's
//! shared gold; see tests/gold/README.md), gated with `--fail-under` at the
//! levels the pipeline has reached. These floors only ever go up.

mod common;

use common::*;

/// Floors reached so far (`claimstance eval` metric names).
const FLOORS: &[(&str, f64)] = &[
    ("sentences.boundary_f1", 0.99),
    ("sentences.exact", 0.98),
    ("mentions.f1", 0.97),
    ("mentions.count_f1", 0.98),
    ("claims.f1", 0.95),
    ("claims.holder_acc", 0.90),
    ("stance.favg", 0.60),
    ("documents.stance_acc", 1.0),
];

/// Most boilerplate bytes allowed to leak into units.
const MAX_LEAK_BYTES: f64 = 0.0;

#[test]
fn seeds_score_at_least_the_floors_reached() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    let result = claimstance(&["run", "seeds", "--out", path_str(&out), "-q"]);
    assert_eq!(
        result.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );

    let json = dir.path().join("metrics.json");
    let diff = dir.path().join("diff.csv");
    let floors: Vec<String> = FLOORS
        .iter()
        .map(|(metric, floor)| format!("{metric}={floor}"))
        .collect();
    let leak = format!("sentences.leak_bytes={MAX_LEAK_BYTES}");
    let mut args = vec![
        "eval",
        "--gold",
        "tests/gold/seeds",
        "--pred",
        path_str(&out),
        "--json",
        path_str(&json),
        "--diff",
        path_str(&diff),
        "--fail-over",
        &leak,
        "--fail-under",
    ];
    args.extend(floors.iter().map(String::as_str));
    let result = claimstance(&args);
    let stdout = String::from_utf8_lossy(&result.stdout);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(0), "{stdout}\n{stderr}");

    let metrics: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("metrics.json")).expect("JSON");
    for key in [
        "sentences.boundary_f1",
        "sentences.exact",
        "sentences.leak_bytes",
        "mentions.precision",
        "mentions.recall",
        "mentions.f1",
        "mentions.count_f1",
        "claims.f1",
        "claims.holder_acc",
        "claims.type_acc",
        "stance.acc",
        "stance.f1_favor",
        "stance.f1_against",
        "stance.favg",
        "documents.stance_acc",
    ] {
        assert!(
            metrics.get(key).and_then(|v| v.as_f64()).is_some(),
            "metrics.json has {key}"
        );
    }
    let (header, _) = read_csv(&diff);
    assert_eq!(header[..2], ["layer", "doc_id"]);
}

#[test]
fn a_floor_above_the_score_fails_and_names_the_metric() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    let result = claimstance(&["run", "seeds", "--out", path_str(&out), "-q"]);
    assert_eq!(result.status.code(), Some(0));
    let result = claimstance(&[
        "eval",
        "--gold",
        "tests/gold/seeds",
        "--pred",
        path_str(&out),
        "-q",
        "--fail-under",
        "mentions.f1=1.01",
    ]);
    assert_eq!(result.status.code(), Some(4));
    let output = String::from_utf8_lossy(&result.stdout).into_owned()
        + &String::from_utf8_lossy(&result.stderr);
    assert!(output.contains("mentions.f1"), "{output}");
}
