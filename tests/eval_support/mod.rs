//! Helpers shared by the eval tests: turning a gold folder into a run output
//! folder, and running eval on folders.

#![allow(dead_code)]

use claimstance::eval::{self, EvalArgs, Limit};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const SEED_GOLD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/gold/seeds");
pub const SEED_TEXTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds");
pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/eval");

/// Rows of a CSV file as header-name → cell maps.
pub fn read_rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).expect("readable csv");
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    reader
        .records()
        .map(|r| {
            let r = r.expect("record");
            header
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// Spreadsheet protection as the run's writer applies it.
pub fn protect(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

fn write(path: &Path, header: &[&str], rows: &[Vec<String>]) {
    let mut writer = csv::Writer::from_path(path).expect("writable csv");
    writer.write_record(header).expect("header");
    for row in rows {
        writer.write_record(row).expect("row");
    }
    writer.flush().expect("flush");
}

/// Writes `out` as a run output folder holding exactly the gold of `gold`,
/// in the run's column layout, with text cells protected for spreadsheets;
/// `texts` (a folder of `<doc_id>.txt`) fills normalized.csv when given.
pub fn gold_to_run(gold: &Path, texts: Option<&Path>, out: &Path) {
    let get = |row: &BTreeMap<String, String>, key: &str| row.get(key).cloned().unwrap_or_default();
    let docs = read_rows(&gold.join("documents.csv"));
    let documents: Vec<Vec<String>> = docs
        .iter()
        .map(|d| {
            let mut row = vec![protect(&get(d, "doc_id")), "src".into()];
            row.extend(["0", "0", "0", "0", "0", "ok", ""].map(String::from));
            row
        })
        .collect();
    write(
        &out.join("documents.csv"),
        &[
            "doc_id",
            "source",
            "bytes",
            "dropped_bytes",
            "n_sentences",
            "n_mentions",
            "n_claims",
            "status",
            "error",
        ],
        &documents,
    );
    let doc_stance: Vec<Vec<String>> = docs
        .iter()
        .map(|d| {
            vec![
                protect(&get(d, "doc_id")),
                get(d, "stance"),
                "0".into(),
                "0".into(),
                "0".into(),
                "0".into(),
            ]
        })
        .collect();
    write(
        &out.join("doc_stance.csv"),
        &[
            "doc_id",
            "stance",
            "score",
            "n_claims",
            "n_favor",
            "n_against",
        ],
        &doc_stance,
    );
    if let Some(texts) = texts {
        let normalized: Vec<Vec<String>> = docs
            .iter()
            .map(|d| {
                let id = get(d, "doc_id");
                let text =
                    std::fs::read_to_string(texts.join(format!("{id}.txt"))).expect("seed text");
                let mut row = vec![protect(&id), "src".into(), "ok".into(), String::new()];
                row.extend(["0", "0", "0", "0"].map(String::from));
                row.push(protect(&text));
                row
            })
            .collect();
        write(
            &out.join("normalized.csv"),
            &[
                "doc_id",
                "source",
                "status",
                "error",
                "bytes",
                "dropped_bytes",
                "invalid_bytes",
                "lines",
                "text",
            ],
            &normalized,
        );
    }
    let sentences: Vec<Vec<String>> = read_rows(&gold.join("sentences.csv"))
        .iter()
        .map(|s| {
            vec![
                protect(&get(s, "doc_id")),
                get(s, "sent_id"),
                get(s, "start"),
                get(s, "end"),
                protect(&get(s, "text")),
            ]
        })
        .collect();
    write(
        &out.join("sentences.csv"),
        &["doc_id", "sent_id", "start", "end", "text"],
        &sentences,
    );
    let mentions: Vec<Vec<String>> = read_rows(&gold.join("mentions.csv"))
        .iter()
        .map(|m| {
            vec![
                protect(&get(m, "doc_id")),
                get(m, "sent_id"),
                get(m, "start"),
                get(m, "end"),
                get(m, "actor"),
                format!("{}/{}", get(m, "actor"), get(m, "surface")),
                protect(&get(m, "surface")),
            ]
        })
        .collect();
    write(
        &out.join("mentions.csv"),
        &[
            "doc_id", "sent_id", "start", "end", "actor", "entity", "surface",
        ],
        &mentions,
    );
    let claims: Vec<Vec<String>> = read_rows(&gold.join("claims.csv"))
        .iter()
        .map(|c| {
            let score = match get(c, "stance").as_str() {
                "favor" => "0.5",
                "against" => "-0.5",
                _ => "0",
            };
            vec![
                protect(&get(c, "doc_id")),
                get(c, "sent_id"),
                get(c, "is_claim"),
                get(c, "claim_type"),
                get(c, "holder"),
                get(c, "stance"),
                protect(score),
                String::new(),
                String::new(),
                String::new(),
            ]
        })
        .collect();
    write(
        &out.join("claims.csv"),
        &[
            "doc_id",
            "sent_id",
            "is_claim",
            "claim_type",
            "holder",
            "stance",
            "score",
            "cues",
            "actors",
            "text",
        ],
        &claims,
    );
}

/// EvalArgs for a gold and a run folder, nothing else set.
pub fn args(gold: &Path, pred: &Path) -> EvalArgs {
    EvalArgs {
        gold: gold.to_path_buf(),
        pred: pred.to_path_buf(),
        source: None,
        fail_under: Vec::new(),
        fail_over: Vec::new(),
        diff: None,
        json: None,
        quiet: true,
    }
}

pub fn limit(text: &str) -> Limit {
    eval::parse_limit(text).expect("valid limit")
}

/// Runs eval with `--json` into `dir` and returns (exit code, metrics).
pub fn run_json(mut args: EvalArgs, dir: &Path) -> (i32, BTreeMap<String, f64>) {
    let json: PathBuf = dir.join("metrics.json");
    args.json = Some(json.clone());
    let code = eval::run(&args);
    let metrics = std::fs::read_to_string(&json)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    (code, metrics)
}
