//! End-to-end tests of the binary: the output contract on the seeds,
//! stage-by-stage equals `run`, thread counts, and input formats.

mod common;

use common::*;
use std::fs;
use std::path::Path;

const CONTRACT: &[(&str, &[&str])] = &[
    (
        "documents.csv",
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
    ),
    (
        "sentences.csv",
        &["doc_id", "sent_id", "start", "end", "text"],
    ),
    (
        "mentions.csv",
        &[
            "doc_id", "sent_id", "start", "end", "actor", "entity", "surface",
        ],
    ),
    (
        "claims.csv",
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
    ),
    (
        "doc_stance.csv",
        &[
            "doc_id",
            "stance",
            "score",
            "n_claims",
            "n_favor",
            "n_against",
        ],
    ),
    (
        "actor_stance.csv",
        &[
            "actor",
            "n_docs",
            "n_mentions",
            "n_claims_held",
            "n_favor",
            "n_against",
            "score",
        ],
    ),
];

fn run_seeds(out: &Path, extra: &[&str]) {
    let mut args = vec!["run", "seeds", "--out", path_str(out), "--quiet"];
    args.extend_from_slice(extra);
    let result = claimstance(&args);
    assert_eq!(
        result.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&result.stderr)
    );
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn run_on_seeds_honours_the_output_contract() {
    let dir = tempfile::tempdir().expect("temp dir");
    run_seeds(dir.path(), &[]);
    for (file, columns) in CONTRACT {
        let (header, _) = read_csv(&dir.path().join(file));
        assert_eq!(&header[..columns.len()], *columns, "{file} header");
    }
    let (_, documents) = read_csv(&dir.path().join("documents.csv"));
    assert_eq!(documents.len(), 5);
    let sources: Vec<String> = documents
        .iter()
        .map(|d| fs::read_to_string(seeds().join(format!("{}.txt", d[0]))).expect("seed"))
        .collect();
    for doc in &documents {
        assert_eq!(doc[7], "ok", "status of {}", doc[0]);
    }

    let (_, sentences) = read_csv(&dir.path().join("sentences.csv"));
    let mut last: Option<(String, usize, usize)> = None;
    for row in &sentences {
        let doc = documents
            .iter()
            .position(|d| d[0] == row[0])
            .expect("sentence of a known document");
        let (sent_id, start, end): (usize, usize, usize) = (
            row[1].parse().expect("sent_id"),
            row[2].parse().expect("start"),
            row[3].parse().expect("end"),
        );
        let expected_id = match &last {
            Some((d, id, prev_end)) if *d == row[0] => {
                assert!(start >= *prev_end, "units overlap in {}", row[0]);
                id + 1
            }
            _ => 1,
        };
        assert_eq!(sent_id, expected_id, "sent_id counts from 1 in {}", row[0]);
        let text = &sources[doc][start..end];
        assert_eq!(row[4].trim_start_matches('\''), collapse(text));
        last = Some((row[0].clone(), sent_id, end));
    }
    let per_doc: usize = documents
        .iter()
        .map(|d| d[4].parse::<usize>().expect("n_sentences"))
        .sum();
    assert_eq!(per_doc, sentences.len());

    let (_, mentions) = read_csv(&dir.path().join("mentions.csv"));
    for row in &mentions {
        let doc = documents
            .iter()
            .position(|d| d[0] == row[0])
            .expect("mention of a known document");
        let (start, end): (usize, usize) =
            (row[2].parse().expect("start"), row[3].parse().expect("end"));
        assert_eq!(
            collapse(&sources[doc][start..end]),
            row[6].trim_start_matches('\'')
        );
        assert!(
            !row[4].is_empty() && row[5].starts_with(&row[4]),
            "entity {} names actor {}",
            row[5],
            row[4]
        );
    }
    let per_doc: usize = documents
        .iter()
        .map(|d| d[5].parse::<usize>().expect("n_mentions"))
        .sum();
    assert_eq!(per_doc, mentions.len());

    let (_, claims) = read_csv(&dir.path().join("claims.csv"));
    assert_eq!(claims.len(), sentences.len(), "one claims row per sentence");
    for row in &claims {
        assert!(row[2] == "0" || row[2] == "1");
        assert!(["favor", "against", "neutral"].contains(&row[5].as_str()));
        let score: f64 = row[6].parse().expect("score");
        assert!((-1.0..=1.0).contains(&score));
        if row[2] == "0" {
            assert!(
                row[3].is_empty() && row[4].is_empty() && row[5] == "neutral",
                "non-claim row {row:?}"
            );
        } else {
            assert!([
                "reported",
                "prescriptive",
                "predictive",
                "evaluative",
                "factual"
            ]
            .contains(&row[3].as_str()));
            assert!(!row[4].is_empty());
        }
    }
    let (_, doc_stance) = read_csv(&dir.path().join("doc_stance.csv"));
    assert_eq!(doc_stance.len(), 5);
    let manifest: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(dir.path().join("manifest.json")).expect("manifest"),
    )
    .expect("JSON");
    for key in [
        "version",
        "command_line",
        "inputs",
        "lexicons",
        "counts",
        "seconds",
    ] {
        assert!(manifest.get(key).is_some(), "manifest has {key}");
    }
    assert_eq!(
        manifest["lexicons"][0]["sha256"].as_str().map(str::len),
        Some(64)
    );
}

fn csv_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = fs::read_dir(dir)
        .expect("output folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .map(|p| {
            (
                p.file_name().expect("name").to_string_lossy().into_owned(),
                fs::read(&p).expect("file"),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn stages_in_sequence_equal_run() {
    let whole = tempfile::tempdir().expect("temp dir");
    let staged = tempfile::tempdir().expect("temp dir");
    run_seeds(whole.path(), &[]);
    let out = path_str(staged.path());
    for args in [
        vec!["normalize", "seeds", "--out", out, "-q"],
        vec!["segment", "--out", out, "-q"],
        vec!["match", "--out", out, "-q"],
        vec!["score", "--out", out, "-q"],
    ] {
        let result = claimstance(&args);
        assert_eq!(
            result.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&result.stderr)
        );
    }
    let a = csv_files(whole.path());
    let b = csv_files(staged.path());
    assert_eq!(a.len(), 7);
    assert_eq!(
        a.iter().map(|f| &f.0).collect::<Vec<_>>(),
        b.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "{name} differs between run and the stages");
    }
}

#[test]
fn a_stage_without_its_input_fails_with_a_useful_message() {
    let empty = tempfile::tempdir().expect("temp dir");
    let result = claimstance(&["score", "--out", path_str(empty.path()), "-q"]);
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr.contains("normalized.csv") && stderr.contains("run the stage"),
        "{stderr}"
    );
}

#[test]
fn output_does_not_depend_on_the_thread_count() {
    let one = tempfile::tempdir().expect("temp dir");
    // The first 600 articles of the real dump, where this machine has it.
    let input = match shared("corpora/fnc1_bodies.jsonl") {
        Some(dump) => {
            let text = fs::read_to_string(dump).expect("dump");
            let head: String = text.lines().take(600).map(|l| format!("{l}\n")).collect();
            let path = one.path().join("head.jsonl");
            fs::write(&path, head).expect("write");
            path
        }
        None => seeds(),
    };
    let two = tempfile::tempdir().expect("temp dir");
    for (dir, threads) in [(&one, "1"), (&two, "2")] {
        let out = dir.path().join("out");
        let result = claimstance(&[
            "run",
            path_str(&input),
            "--out",
            path_str(&out),
            "--threads",
            threads,
            "-q",
        ]);
        assert!(matches!(result.status.code(), Some(0) | Some(3)));
    }
    let a = csv_files(&one.path().join("out"));
    let b = csv_files(&two.path().join("out"));
    assert_eq!(a.len(), 7);
    assert_eq!(a.len(), b.len());
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "{name} differs between 1 and 2 threads");
    }
}

/// Every input format yields the same rows for the same texts.
#[test]
fn every_input_format_gives_the_same_rows() {
    let work = tempfile::tempdir().expect("temp dir");
    let mut seeds_sorted: Vec<_> = fs::read_dir(seeds())
        .expect("seeds")
        .map(|e| e.expect("entry").path())
        .collect();
    seeds_sorted.sort();
    let texts: Vec<(String, String)> = seeds_sorted
        .iter()
        .map(|p| {
            (
                p.file_stem().expect("stem").to_string_lossy().into_owned(),
                fs::read_to_string(p).expect("seed"),
            )
        })
        .collect();

    let jsonl: String = texts
        .iter()
        .map(|(id, text)| serde_json::json!({"id": id, "text": text}).to_string() + "\n")
        .collect();
    let jsonl_path = work.path().join("seeds.jsonl");
    fs::write(&jsonl_path, &jsonl).expect("write jsonl");

    let csv_path = work.path().join("seeds.csv");
    let mut writer = csv::Writer::from_path(&csv_path).expect("csv");
    writer.write_record(["id", "text"]).expect("header");
    for (id, text) in &texts {
        writer.write_record([id, text]).expect("row");
    }
    writer.flush().expect("flush");

    let gz_path = work.path().join("seeds.jsonl.gz");
    let mut gz = flate2::write::GzEncoder::new(
        fs::File::create(&gz_path).expect("gz"),
        flate2::Compression::fast(),
    );
    std::io::Write::write_all(&mut gz, jsonl.as_bytes()).expect("gzip");
    gz.finish().expect("gzip end");

    let reference = work.path().join("ref");
    run_seeds(&reference, &[]);
    let compare = |dir: &Path, label: &str| {
        for file in [
            "sentences.csv",
            "mentions.csv",
            "claims.csv",
            "doc_stance.csv",
            "actor_stance.csv",
        ] {
            assert!(
                fs::read(reference.join(file)).expect("reference")
                    == fs::read(dir.join(file)).expect("output"),
                "{file} differs for {label}"
            );
        }
    };
    for (label, input) in [
        ("jsonl", &jsonl_path),
        ("csv", &csv_path),
        ("gzip", &gz_path),
    ] {
        let out = work.path().join(label);
        let result = claimstance(&["run", path_str(input), "--out", path_str(&out), "-q"]);
        assert_eq!(
            result.status.code(),
            Some(0),
            "{label}: {}",
            String::from_utf8_lossy(&result.stderr)
        );
        compare(&out, label);
    }
    let out = work.path().join("stdin");
    let result = claimstance_with_stdin(
        &["run", "-", "--out", path_str(&out), "-q"],
        jsonl.as_bytes(),
    );
    assert_eq!(
        result.status.code(),
        Some(0),
        "stdin: {}",
        String::from_utf8_lossy(&result.stderr)
    );
    compare(&out, "stdin");
}

#[test]
fn keep_fields_reach_documents_csv() {
    let work = tempfile::tempdir().expect("temp dir");
    let input = work.path().join("d.jsonl");
    fs::write(
        &input,
        "{\"id\":\"a\",\"text\":\"The US said so.\",\"date\":\"2021-08-30\",\"url\":\"=cmd\"}\n",
    )
    .expect("write");
    let out = work.path().join("out");
    let result = claimstance(&[
        "run",
        path_str(&input),
        "--out",
        path_str(&out),
        "--keep",
        "date,url,outlet",
        "-q",
    ]);
    assert_eq!(result.status.code(), Some(0));
    let (header, rows) = read_csv(&out.join("documents.csv"));
    assert_eq!(&header[9..], ["date", "url", "outlet"]);
    assert_eq!(&rows[0][9..], ["2021-08-30", "'=cmd", ""]);
}

#[test]
fn excel_flag_writes_a_byte_order_mark() {
    let dir = tempfile::tempdir().expect("temp dir");
    run_seeds(dir.path(), &["--excel"]);
    let bytes = fs::read(dir.path().join("claims.csv")).expect("claims");
    assert!(bytes.starts_with("\u{FEFF}doc_id".as_bytes()));
}

#[test]
fn run_without_inputs_reads_the_bundled_seeds() {
    let dir = tempfile::tempdir().expect("temp dir");
    let result = claimstance(&["run", "--out", path_str(dir.path()), "-q"]);
    assert_eq!(result.status.code(), Some(0));
    let (_, documents) = read_csv(&dir.path().join("documents.csv"));
    assert_eq!(documents.len(), 5);
}
