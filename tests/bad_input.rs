//! Bad input never loses data silently and never panics: each case runs the
//! binary and checks the other documents, the report in documents.csv and on
//! stderr, and the exit code (0 clean, 3 skipped or flagged, 1 fatal).

mod common;

use common::*;
use std::fs;
use std::io::Write;
use std::path::Path;

const GOOD: &str = "The United States said it would stay in Afghanistan.";

struct Outcome {
    code: Option<i32>,
    stderr: String,
    documents: Vec<Vec<String>>,
    header: Vec<String>,
}

fn run_on(out: &Path, inputs: &[&Path]) -> Outcome {
    let mut args = vec!["run".to_string()];
    args.extend(inputs.iter().map(|p| path_str(p).to_string()));
    args.extend(["--out".to_string(), path_str(out).to_string()]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = claimstance(&refs);
    let (header, documents) = if out.join("documents.csv").exists() {
        read_csv(&out.join("documents.csv"))
    } else {
        (Vec::new(), Vec::new())
    };
    Outcome {
        code: result.status.code(),
        stderr: String::from_utf8_lossy(&result.stderr).into_owned(),
        documents,
        header,
    }
}

impl Outcome {
    fn status_of(&self, doc_id: &str) -> (&str, &str) {
        let status = column(&self.header, "status");
        let error = column(&self.header, "error");
        let row = self
            .documents
            .iter()
            .find(|d| d[0] == doc_id)
            .unwrap_or_else(|| panic!("no documents.csv row for {doc_id}: {:?}", self.documents));
        (&row[status], &row[error])
    }

    fn errors(&self) -> Vec<(&str, &str)> {
        let (source, status, error) = (
            column(&self.header, "source"),
            column(&self.header, "status"),
            column(&self.header, "error"),
        );
        self.documents
            .iter()
            .filter(|d| d[status] == "error")
            .map(|d| (d[source].as_str(), d[error].as_str()))
            .collect()
    }
}

fn jsonl(lines: &[&str]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

#[test]
fn invalid_utf8_and_nul_bytes_are_repaired_and_flagged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("in");
    fs::create_dir(&input).expect("dir");
    fs::write(
        input.join("bad.txt"),
        b"The US \xff\xfe said\x00 it would stay.\n",
    )
    .expect("write");
    fs::write(input.join("good.txt"), GOOD).expect("write");
    let out = run_on(&dir.path().join("out"), &[&input]);
    assert_eq!(out.code, Some(3), "{}", out.stderr);
    let (status, error) = out.status_of("bad");
    assert_eq!(status, "ok");
    assert!(error.contains("2 invalid UTF-8 bytes"), "{error}");
    assert!(
        out.stderr.contains("bad.txt") && out.stderr.contains("invalid UTF-8"),
        "{}",
        out.stderr
    );
    assert_eq!(out.status_of("good"), ("ok", ""));
}

#[test]
fn broken_jsonl_lines_are_reported_with_their_lines() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("d.jsonl");
    let text = jsonl(&[
        &serde_json::json!({"id": "a", "text": GOOD}).to_string(),
        "{not json",
        r#"{"id": "c"}"#,
        r#"{"id": "d", "text": 42}"#,
        &serde_json::json!({"id": "e", "text": GOOD}).to_string(),
        r#"{"id": "f", "text": ""}"#,
        &serde_json::json!({"id": "a", "text": GOOD}).to_string(),
    ]);
    fs::write(&input, text).expect("write");
    let out = run_on(&dir.path().join("out"), &[&input]);
    assert_eq!(out.code, Some(3));
    assert_eq!(out.documents.len(), 7, "one row per record");
    let errors = out.errors();
    let sources: Vec<&str> = errors.iter().map(|e| e.0).collect();
    let input_name = path_str(&input);
    assert_eq!(
        sources,
        [
            format!("{input_name}:2"),
            format!("{input_name}:3"),
            format!("{input_name}:4")
        ]
    );
    assert!(errors[0].1.contains("not a JSON object"));
    assert!(errors[1].1.contains("no field \"text\""));
    assert!(errors[2].1.contains("not a string"));
    assert_eq!(out.status_of("a").0, "ok");
    assert_eq!(out.status_of("e").0, "ok");
    assert_eq!(out.status_of("f"), ("empty", "no text"));
    let (status, error) = out.status_of("a#2");
    assert_eq!(status, "ok");
    assert!(error.contains("duplicate doc_id"), "{error}");
    for line in [":2", ":3", ":4"] {
        assert!(
            out.stderr.contains(&format!("{input_name}{line}")),
            "stderr names {line}: {}",
            out.stderr
        );
    }
    let (_, sentences) = read_csv(&dir.path().join("out/sentences.csv"));
    assert!(sentences.iter().any(|s| s[0] == "e"));
    assert!(sentences.iter().any(|s| s[0] == "a#2"));
}

#[test]
fn a_clean_run_exits_zero() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("d.jsonl");
    fs::write(
        &input,
        jsonl(&[&serde_json::json!({"id": "a", "text": GOOD}).to_string()]),
    )
    .expect("write");
    let out = run_on(&dir.path().join("out"), &[&input]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
}

#[test]
fn csv_with_a_broken_quote_keeps_the_records_before_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("d.csv");
    fs::write(
        &input,
        format!("id,text\na,\"{GOOD}\"\nb,\"{GOOD}\" trailing\"\nc,\"never closed\n"),
    )
    .expect("write");
    let out = run_on(&dir.path().join("out"), &[&input]);
    assert_eq!(out.status_of("a").0, "ok");
    assert!(out.documents.len() >= 2, "{:?}", out.documents);
    // The unclosed quote swallows the rest of the file into one field: the
    // record is still reported, never dropped silently.
    let ids: Vec<&str> = out.documents.iter().map(|d| d[0].as_str()).collect();
    assert!(ids.contains(&"c") || !out.errors().is_empty(), "{ids:?}");
    assert!(matches!(out.code, Some(0) | Some(3)));
}

#[test]
fn an_unreadable_file_among_readable_ones_is_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("in");
    fs::create_dir(&input).expect("dir");
    fs::write(input.join("a.txt"), GOOD).expect("write");
    std::os::unix::fs::symlink(dir.path().join("nowhere"), input.join("b.txt")).expect("symlink");
    fs::write(input.join("c.txt"), GOOD).expect("write");
    let out = run_on(&dir.path().join("out"), &[&input]);
    assert_eq!(out.code, Some(3));
    assert_eq!(out.status_of("a").0, "ok");
    assert_eq!(out.status_of("c").0, "ok");
    let errors = out.errors();
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].0.ends_with("b.txt") && errors[0].1.contains("cannot open"),
        "{errors:?}"
    );
    assert!(out.stderr.contains("b.txt"));
}

#[test]
fn a_missing_input_file_is_reported_and_the_others_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = dir.path().join("good.txt");
    fs::write(&good, GOOD).expect("write");
    let out = run_on(
        &dir.path().join("out"),
        &[&dir.path().join("missing.jsonl"), &good],
    );
    assert_eq!(out.code, Some(3));
    assert_eq!(out.status_of("good").0, "ok");
    assert_eq!(out.errors().len(), 1);
}

#[test]
fn a_gzip_file_cut_short_keeps_what_was_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut lines = String::new();
    for i in 0..2000 {
        lines.push_str(
            &serde_json::json!({"id": format!("d{i}"), "text": format!("{GOOD} Number {i}.")})
                .to_string(),
        );
        lines.push('\n');
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(lines.as_bytes()).expect("gzip");
    let full = gz.finish().expect("gzip end");
    let input = dir.path().join("cut.jsonl.gz");
    fs::write(&input, &full[..full.len() * 2 / 3]).expect("write");
    let out = run_on(&dir.path().join("out"), &[&input]);
    assert_eq!(out.code, Some(3), "{}", out.stderr);
    let ok = out
        .documents
        .iter()
        .filter(|d| d[column(&out.header, "status")] == "ok")
        .count();
    assert!(ok > 100 && ok < 2000, "{ok} documents read before the cut");
    let errors = out.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].0.starts_with(path_str(&input)), "{errors:?}");
}

#[test]
fn an_unwritable_output_folder_is_fatal_with_a_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    let blocker = dir.path().join("file");
    fs::write(&blocker, "x").expect("write");
    let good = dir.path().join("good.txt");
    fs::write(&good, GOOD).expect("write");
    let out = run_on(&blocker.join("out"), &[&good]);
    assert_eq!(out.code, Some(1));
    assert!(
        out.stderr.contains("cannot create output folder") && out.stderr.contains("--out"),
        "{}",
        out.stderr
    );
}

#[test]
fn empty_and_whitespace_documents_are_flagged_empty() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("in");
    fs::create_dir(&input).expect("dir");
    fs::write(input.join("empty.txt"), "").expect("write");
    fs::write(input.join("blank.txt"), " \n\r\n\t ").expect("write");
    let out = run_on(&dir.path().join("out"), &[&input]);
    assert_eq!(out.code, Some(3));
    assert_eq!(out.status_of("empty"), ("empty", "no text"));
    assert_eq!(out.status_of("blank"), ("empty", "no text"));
}

#[test]
fn an_unknown_format_is_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("data.bin");
    fs::write(&input, "whatever").expect("write");
    let out = run_on(&dir.path().join("out"), &[&input]);
    assert_eq!(out.code, Some(3));
    assert!(out.errors()[0].1.contains("--format"));
}

#[test]
fn a_50_mb_document_without_punctuation_is_cut_into_bounded_units() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("big.jsonl");
    let text: String =
        "the troops moved along the road near the village and the people watched them go "
            .repeat(700_000)
            .chars()
            .take(50_000_000)
            .collect();
    let lines = jsonl(&[
        &serde_json::json!({"id": "big", "text": text}).to_string(),
        &serde_json::json!({"id": "small", "text": GOOD}).to_string(),
    ]);
    fs::write(&input, lines).expect("write");
    drop(text);
    let out = run_on(&dir.path().join("out"), &[&input]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(out.status_of("big").0, "ok");
    assert_eq!(out.status_of("small").0, "ok");
    let (_, sentences) = read_csv(&dir.path().join("out/sentences.csv"));
    let longest = sentences
        .iter()
        .map(|s| s[3].parse::<usize>().expect("end") - s[2].parse::<usize>().expect("start"))
        .max()
        .expect("units");
    assert!(longest <= 2000, "a unit of {longest} bytes");
    assert!(sentences.len() >= 25_000);
}

#[test]
fn a_document_of_only_boilerplate_is_flagged_empty_with_its_dropped_bytes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("d.jsonl");
    let lines = jsonl(&[
        &serde_json::json!({"id": "bp", "text": "Scroll down for video\n\nLeave a Comment\n\nShare this article\n"})
            .to_string(),
        &serde_json::json!({"id": "ok", "text": GOOD}).to_string(),
    ]);
    fs::write(&input, lines).expect("write");
    let out = run_on(&dir.path().join("out"), &[&input]);
    assert_eq!(out.code, Some(3));
    let (status, error) = out.status_of("bp");
    assert_eq!(status, "empty");
    assert!(error.starts_with("only boilerplate"), "{error}");
    let dropped = column(&out.header, "dropped_bytes");
    let row = out.documents.iter().find(|d| d[0] == "bp").expect("row");
    assert!(row[dropped].parse::<usize>().expect("dropped_bytes") >= 50);
    assert_eq!(out.status_of("ok").0, "ok");
    assert!(out.stderr.contains("d.jsonl:1") && out.stderr.contains("only boilerplate"));
}
