//! Malformed gold and run files are reported with file and line, and make
//! eval exit 1; nothing is skipped silently.

mod eval_support;

use claimstance::eval::{self, source, EvalProblem, GoldSet, PredSet};
use eval_support::*;
use std::path::{Path, PathBuf};

/// A copy of the tiny fixture (gold/ and run/) in a temp dir.
fn fixture_copy() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut folders = Vec::new();
    for part in ["gold", "run"] {
        let to = dir.path().join(part);
        std::fs::create_dir(&to).expect("dir");
        let from = Path::new(FIXTURES).join("tiny").join(part);
        for entry in std::fs::read_dir(&from).expect("fixture") {
            let path = entry.expect("entry").path();
            std::fs::copy(&path, to.join(path.file_name().expect("name"))).expect("copy");
        }
        folders.push(to);
    }
    let run = folders.pop().expect("run");
    let gold = folders.pop().expect("gold");
    drop_note_column(&gold.join("claims.csv"));
    (dir, gold, run)
}

/// Drops the fixture's trailing `note` column, so that the edits below can
/// write the six gold columns.
fn drop_note_column(path: &Path) {
    let mut reader = csv::Reader::from_path(path).expect("claims.csv");
    let mut writer = csv::WriterBuilder::new().from_writer(Vec::new());
    let header = reader.headers().expect("header").clone();
    let keep = header.len() - usize::from(header.iter().next_back() == Some("note"));
    writer
        .write_record(header.iter().take(keep))
        .expect("header");
    for record in reader.records() {
        let record = record.expect("row");
        writer.write_record(record.iter().take(keep)).expect("row");
    }
    std::fs::write(path, writer.into_inner().expect("bytes")).expect("write");
}

/// Replaces 1-based line `line` of `path` with `text`.
fn set_line(path: &Path, line: usize, text: &str) {
    let content = std::fs::read_to_string(path).expect("read");
    let mut lines: Vec<&str> = content.lines().collect();
    lines[line - 1] = text;
    std::fs::write(path, lines.join("\n") + "\n").expect("write");
}

fn append(path: &Path, text: &str) {
    let mut content = std::fs::read_to_string(path).expect("read");
    content.push_str(text);
    std::fs::write(path, content).expect("write");
}

fn sources_of(gold: &GoldSet, run: &Path) -> std::collections::BTreeMap<String, String> {
    let texts = Path::new(FIXTURES).join("source");
    source::load_sources(Some(&texts), run, &gold.ids())
        .expect("sources")
        .texts
}

/// Asserts one problem is at `file`:`line` and its message contains `needle`.
fn has_problem(problems: &[EvalProblem], file: &str, line: u64, needle: &str) {
    assert!(
        problems
            .iter()
            .any(|p| p.file.ends_with(file) && p.line == line && p.message.contains(needle)),
        "no problem {file}:{line} «{needle}» in {problems:#?}"
    );
}

fn gold_problems(gold: &Path) -> Vec<EvalProblem> {
    GoldSet::load(gold).expect_err("gold must be rejected")
}

#[test]
fn tiny_fixture_is_well_formed() {
    let (_dir, gold, run) = fixture_copy();
    let mut gold = GoldSet::load(&gold).expect("gold");
    let sources = sources_of(&gold, &run);
    let check = gold.check_sources(&sources);
    assert!(
        check.errors.is_empty() && check.warnings.is_empty(),
        "{check:?}"
    );
}

#[test]
fn missing_column_is_reported_on_the_header_line() {
    let (_dir, gold, _run) = fixture_copy();
    set_line(
        &gold.join("mentions.csv"),
        1,
        "doc_id,sent_id,start,end,surface",
    );
    has_problem(
        &gold_problems(&gold),
        "mentions.csv",
        1,
        "missing column(s) actor",
    );
}

#[test]
fn missing_file_is_reported() {
    let (_dir, gold, _run) = fixture_copy();
    std::fs::remove_file(gold.join("claims.csv")).expect("remove");
    has_problem(&gold_problems(&gold), "claims.csv", 0, "cannot read");
}

#[test]
fn bad_values_are_all_reported_with_their_lines() {
    let (_dir, gold, _run) = fixture_copy();
    set_line(
        &gold.join("sentences.csv"),
        3,
        "d1,2,x35,106,The United States",
    );
    set_line(&gold.join("mentions.csv"), 2, "d1,1,2,0,USA,US");
    set_line(&gold.join("claims.csv"), 3, "d1,2,1,reported,USA,pro");
    set_line(&gold.join("claims.csv"), 4, "d1,3,1,opinion,AUTHOR,against");
    set_line(&gold.join("claims.csv"), 5, "d1,4,2,factual,AUTHOR,against");
    set_line(&gold.join("documents.csv"), 3, "d2,neutrall,note");
    let problems = gold_problems(&gold);
    has_problem(
        &problems,
        "sentences.csv",
        3,
        "start `x35` is not a byte offset",
    );
    has_problem(&problems, "mentions.csv", 2, "start 2 is not before end 0");
    has_problem(&problems, "claims.csv", 3, "unknown stance `pro`");
    has_problem(&problems, "claims.csv", 4, "unknown claim_type `opinion`");
    has_problem(&problems, "claims.csv", 5, "is_claim `2` is not 0 or 1");
    has_problem(&problems, "documents.csv", 3, "unknown stance `neutrall`");
}

#[test]
fn inconsistent_claim_rows_are_reported() {
    let (_dir, gold, _run) = fixture_copy();
    set_line(&gold.join("claims.csv"), 2, "d1,1,0,,AUTHOR,neutral");
    set_line(&gold.join("claims.csv"), 3, "d1,2,1,,USA,favor");
    let problems = gold_problems(&gold);
    has_problem(&problems, "claims.csv", 2, "is_claim 0 must have empty");
    has_problem(
        &problems,
        "claims.csv",
        3,
        "needs a claim_type and a holder",
    );
}

#[test]
fn duplicate_rows_are_reported_with_the_first_line() {
    let (_dir, gold, _run) = fixture_copy();
    append(&gold.join("documents.csv"), "d1,favor,again\n");
    append(&gold.join("sentences.csv"), "d1,2,35,106,again\n");
    append(&gold.join("mentions.csv"), "d1,1,0,2,USA,US\n");
    append(&gold.join("claims.csv"), "d1,1,0,,,neutral\n");
    let problems = gold_problems(&gold);
    has_problem(
        &problems,
        "documents.csv",
        4,
        "duplicate doc_id d1 (first on line 2)",
    );
    has_problem(
        &problems,
        "sentences.csv",
        7,
        "duplicate sentence d1 #2 (first on line 3)",
    );
    has_problem(
        &problems,
        "mentions.csv",
        9,
        "duplicate mention d1 0..2 (first on line 2)",
    );
    has_problem(
        &problems,
        "claims.csv",
        7,
        "duplicate claim of sentence d1 #1 (first on line 2)",
    );
}

#[test]
fn references_to_unknown_documents_and_sentences_are_reported() {
    let (_dir, gold, _run) = fixture_copy();
    append(&gold.join("sentences.csv"), "d9,1,0,5,Hello\n");
    has_problem(
        &gold_problems(&gold),
        "sentences.csv",
        7,
        "doc_id d9 is not in documents.csv",
    );
    let (_dir, gold, _run) = fixture_copy();
    append(&gold.join("claims.csv"), "d1,7,0,,,neutral\n");
    append(&gold.join("mentions.csv"), "d1,1,30,32,USA,US\n");
    let problems = gold_problems(&gold);
    has_problem(&problems, "claims.csv", 7, "d1 has no sentence #7");
    has_problem(&problems, "mentions.csv", 9, "lies outside its sentence #1");
}

#[test]
fn one_bad_row_does_not_cascade() {
    let (_dir, gold, _run) = fixture_copy();
    set_line(&gold.join("sentences.csv"), 3, "d1,2,35,1x06,x");
    let problems = gold_problems(&gold);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    has_problem(&problems, "sentences.csv", 3, "end `1x06`");
}

#[test]
fn sentence_without_claim_and_overlapping_units_are_reported() {
    let (_dir, gold, _run) = fixture_copy();
    set_line(&gold.join("claims.csv"), 6, "");
    set_line(&gold.join("sentences.csv"), 5, "d1,4,130,195,x");
    let problems = gold_problems(&gold);
    has_problem(
        &problems,
        "sentences.csv",
        6,
        "sentence d2 #1 has no row in claims.csv",
    );
    has_problem(
        &problems,
        "sentences.csv",
        5,
        "overlaps the sentence on line 4",
    );
}

#[test]
fn offsets_beyond_the_source_or_inside_a_character_are_reported() {
    let (_dir, gold, run) = fixture_copy();
    // d1 is 206 bytes; "’" of "Taliban’s" spans bytes 159..162.
    set_line(&gold.join("sentences.csv"), 5, "d1,4,148,999,x");
    set_line(
        &gold.join("mentions.csv"),
        7,
        "d1,4,152,160,TALIBAN,Taliban",
    );
    let mut loaded = GoldSet::load(&gold).expect("well formed before sources");
    let sources = sources_of(&loaded, &run);
    let check = loaded.check_sources(&sources);
    has_problem(
        &check.errors,
        "sentences.csv",
        5,
        "end 999 is beyond the source text",
    );
    has_problem(
        &check.errors,
        "mentions.csv",
        7,
        "end 160 falls inside a multi-byte character",
    );
}

#[test]
fn text_that_disagrees_with_the_source_is_a_warning() {
    let (_dir, gold, run) = fixture_copy();
    set_line(
        &gold.join("sentences.csv"),
        2,
        "d1,1,0,23,US allies weigh option",
    );
    set_line(&gold.join("mentions.csv"), 2, "d1,1,0,2,USA,U.S.");
    let mut loaded = GoldSet::load(&gold).expect("gold");
    let sources = sources_of(&loaded, &run);
    let check = loaded.check_sources(&sources);
    assert!(check.errors.is_empty());
    has_problem(
        &check.warnings,
        "sentences.csv",
        2,
        "text differs from the source slice 0..23",
    );
    has_problem(&check.warnings, "mentions.csv", 2, "surface «U.S.» differs");
}

#[test]
fn malformed_gold_makes_eval_exit_1() {
    let (_dir, gold, run) = fixture_copy();
    set_line(&gold.join("mentions.csv"), 2, "d1,1,zero,2,USA,US");
    assert_eq!(eval::run(&args(&gold, &run)), 1);
    let (_dir, gold, run) = fixture_copy();
    set_line(
        &gold.join("mentions.csv"),
        7,
        "d1,4,152,160,TALIBAN,Taliban",
    );
    let mut args = args(&gold, &run);
    args.source = Some(Path::new(FIXTURES).join("source"));
    assert_eq!(eval::run(&args), 1);
}

#[test]
fn gold_document_missing_from_the_run_is_named() {
    let (_dir, gold, run) = fixture_copy();
    let documents = run.join("documents.csv");
    let content = std::fs::read_to_string(&documents).expect("read");
    let kept: Vec<&str> = content.lines().filter(|l| !l.starts_with("d2,")).collect();
    std::fs::write(&documents, kept.join("\n") + "\n").expect("write");
    let ids = GoldSet::load(&gold).expect("gold").ids();
    let problems = PredSet::load(&run, &ids).expect_err("d2 is missing");
    has_problem(
        &problems,
        "documents.csv",
        0,
        "gold document d2 is missing from the run",
    );
    assert_eq!(eval::run(&args(&gold, &run)), 1);
}

#[test]
fn malformed_run_files_are_reported_with_their_lines() {
    let (_dir, gold, run) = fixture_copy();
    set_line(&run.join("sentences.csv"), 3, "d1,2,24,,Share this");
    set_line(
        &run.join("claims.csv"),
        4,
        "d1,3,1,reported,OTHER,pro-US,0.5,,,",
    );
    set_line(&run.join("doc_stance.csv"), 3, "d2,maybe,0,0,0,0");
    let ids = GoldSet::load(&gold).expect("gold").ids();
    let problems = PredSet::load(&run, &ids).expect_err("run is malformed");
    has_problem(&problems, "sentences.csv", 3, "end `` is not a byte offset");
    has_problem(&problems, "claims.csv", 4, "unknown stance `pro-US`");
    has_problem(&problems, "doc_stance.csv", 3, "unknown stance `maybe`");
    assert_eq!(eval::run(&args(&gold, &run)), 1);
}

#[test]
fn run_offsets_are_checked_against_the_source() {
    let (_dir, gold, run) = fixture_copy();
    set_line(
        &run.join("mentions.csv"),
        7,
        "d1,5,152,160,TALIBAN,TALIBAN/x,Taliban",
    );
    let ids = GoldSet::load(&gold).expect("gold").ids();
    let mut pred = PredSet::load(&run, &ids).expect("run");
    let texts = Path::new(FIXTURES).join("source");
    let sources = source::load_sources(Some(&texts), &run, &ids).expect("sources");
    let check = pred.check_sources(&sources.texts);
    has_problem(
        &check.errors,
        "mentions.csv",
        7,
        "end 160 falls inside a multi-byte character",
    );
}

#[test]
fn missing_source_path_is_an_error() {
    let (dir, gold, run) = fixture_copy();
    let mut args = args(&gold, &run);
    args.source = Some(dir.path().join("nowhere"));
    assert_eq!(eval::run(&args), 1);
}

#[test]
fn gold_document_the_run_failed_on_is_an_error_and_empty_is_a_warning() {
    let (_dir, gold, run) = fixture_copy();
    let ids = GoldSet::load(&gold).expect("gold").ids();
    set_line(
        &run.join("documents.csv"),
        3,
        "d2,src,0,0,0,0,0,error,cannot open file",
    );
    let problems = PredSet::load(&run, &ids).expect_err("d2 failed");
    has_problem(
        &problems,
        "documents.csv",
        3,
        "the run failed on gold document d2 (cannot open file)",
    );
    set_line(&run.join("documents.csv"), 3, "d2,src,0,0,0,0,0,empty,");
    let pred = PredSet::load(&run, &ids).expect("empty is scored");
    assert_eq!(
        pred.not_ok,
        vec![("d2".to_string(), "empty".to_string(), String::new())]
    );
}

#[test]
fn byte_order_mark_and_crlf_line_ends_are_tolerated() {
    let (_dir, gold, _run) = fixture_copy();
    for name in ["documents.csv", "claims.csv"] {
        let path = gold.join(name);
        let content = std::fs::read_to_string(&path).expect("read");
        std::fs::write(&path, format!("\u{feff}{}", content.replace('\n', "\r\n"))).expect("write");
    }
    let loaded = GoldSet::load(&gold).expect("BOM and CRLF are fine");
    assert_eq!(loaded.ids(), vec!["d1".to_string(), "d2".to_string()]);
    assert_eq!(loaded.docs[1].note, "Reports Turkey's offer.");
}

#[test]
fn rows_of_documents_outside_the_gold_are_checked_but_not_kept() {
    let (_dir, gold, run) = fixture_copy();
    append(&run.join("documents.csv"), "d3,src,5,0,1,0,0,ok,\n");
    append(&run.join("sentences.csv"), "d3,1,0,5,Hello\n");
    append(&run.join("claims.csv"), "d3,1,0,,,neutral,0,,,\n");
    append(&run.join("doc_stance.csv"), "d3,neutral,0,0,0,0\n");
    let ids = GoldSet::load(&gold).expect("gold").ids();
    let pred = PredSet::load(&run, &ids).expect("extra document is fine");
    assert_eq!(pred.docs.keys().collect::<Vec<_>>(), vec!["d1", "d2"]);
    append(&run.join("mentions.csv"), "d3,1,4,2,USA,USA/x,US\n");
    let problems = PredSet::load(&run, &ids).expect_err("bad row of d3");
    has_problem(&problems, "mentions.csv", 9, "start 4 is not before end 2");
}
