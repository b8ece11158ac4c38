//! The English Golden Rules of the Pragmatic Segmenter (tests/data, MIT; see
//! tests/data/GOLDEN_RULES_SOURCE.md), run through `claimstance run` on a
//! JSONL of the cases. A case passes when its units' texts, whitespace
//! collapsed, equal the expected list.

mod common;

use common::*;
use std::collections::BTreeMap;

/// Cases passed so far; this floor only goes up.
const MIN_PASSED: usize = 51;

#[test]
fn golden_rules_pass_count() {
    let cases = std::fs::read_to_string(repo().join("tests/data/golden_rules_en.jsonl"))
        .expect("golden rules");
    let cases: Vec<serde_json::Value> = cases
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("case"))
        .collect();
    assert_eq!(cases.len(), 52);

    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("golden.jsonl");
    let jsonl: String = cases
        .iter()
        .map(|c| serde_json::json!({"id": c["id"], "text": c["text"]}).to_string() + "\n")
        .collect();
    std::fs::write(&input, jsonl).expect("write cases");
    let out = dir.path().join("out");
    let result = claimstance(&["run", path_str(&input), "--out", path_str(&out), "-q"]);
    assert!(
        matches!(result.status.code(), Some(0) | Some(3)),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );

    let (_, rows) = read_csv(&out.join("sentences.csv"));
    let mut units: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in rows {
        let text = claimstance::output::unsafe_cell(&row[4]).to_string();
        units.entry(row[0].clone()).or_default().push(text);
    }
    let collapse = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut failed = Vec::new();
    for case in &cases {
        let id = case["id"].as_str().expect("id");
        let expected: Vec<String> = case["expected"]
            .as_array()
            .expect("expected")
            .iter()
            .map(|e| collapse(e.as_str().unwrap_or("")))
            .collect();
        let got: Vec<String> = units
            .get(id)
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|u| collapse(u))
            .collect();
        if got != expected {
            failed.push(id.to_string());
        }
    }
    let passed = cases.len() - failed.len();
    eprintln!(
        "golden rules: {passed}/52 passed; failed: {}",
        failed.join(", ")
    );
    assert!(
        passed >= MIN_PASSED,
        "{passed} < {MIN_PASSED}; failed: {failed:?}"
    );
}
