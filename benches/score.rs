//! Benchmarks of the score stage (divan): claims, holders and stance over
//! FNC-1 news bodies (from ../shared, skipped when absent) and over a
//! synthetic text, with naive sentence spans and US mentions found by
//! plain search so the stage runs alone.

use claimstance::lexicon::Lexicons;
use claimstance::score::Scorer;
use claimstance::types::{Mention, Span};
use std::sync::{Arc, OnceLock};

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/corpora/fnc1_bodies.jsonl"
);
const DOCS: usize = 200;

fn main() {
    divan::main();
}

struct Doc {
    text: String,
    sentences: Vec<Span>,
    mentions: Vec<Mention>,
}

/// Sentence spans split after `.`, `?` or `!` followed by whitespace.
fn naive_sentences(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let end_mark = matches!(b, b'.' | b'?' | b'!' | b'\n')
            && bytes.get(i + 1).is_none_or(|n| n.is_ascii_whitespace());
        if end_mark {
            if text[start..=i].trim().len() > 1 {
                out.push(start..i + 1);
            }
            start = i + 1;
        }
    }
    if start < text.len() && !text[start..].trim().is_empty() {
        out.push(start..text.len());
    }
    out
}

fn us_mentions(text: &str, sentences: &[Span]) -> Vec<Mention> {
    let mut out = Vec::new();
    for (sent, span) in sentences.iter().enumerate() {
        let slice = &text[span.clone()];
        for name in [
            "United States",
            "U.S.",
            "American",
            "Washington",
            "Pentagon",
        ] {
            for (at, _) in slice.match_indices(name) {
                out.push(Mention {
                    sent,
                    start: span.start + at,
                    end: span.start + at + name.len(),
                    actor: Arc::from("USA"),
                    entity: Arc::from(format!("USA/{name}").as_str()),
                });
            }
        }
    }
    out.sort_by_key(|m| (m.start, m.end));
    out
}

fn doc(text: String) -> Doc {
    let sentences = naive_sentences(&text);
    let mentions = us_mentions(&text, &sentences);
    Doc {
        text,
        sentences,
        mentions,
    }
}

fn corpus() -> &'static Option<Vec<Doc>> {
    static DOCS_CELL: OnceLock<Option<Vec<Doc>>> = OnceLock::new();
    DOCS_CELL.get_or_init(|| {
        let Ok(raw) = std::fs::read_to_string(CORPUS) else {
            eprintln!("skipping corpus bench: {CORPUS} is absent");
            return None;
        };
        let docs = raw
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter_map(|v| v.get("text")?.as_str().map(str::to_string))
            .take(DOCS)
            .map(doc)
            .collect();
        Some(docs)
    })
}

fn synthetic() -> Doc {
    let paragraph =
        "Pakistani President Imran Khan told Axios that the CIA will absolutely not be \
allowed to operate from Pakistani soil after the United States completes its withdrawal. \
Analysts fear that the disorderly American departure has left a vacuum. \
\"We will hunt you down,\" the president said. The United States must get involved. \
Is Washington ready to stay? ";
    doc(paragraph.repeat(50))
}

fn scorer() -> Scorer {
    Scorer::build(&Lexicons::builtin())
        .unwrap_or_else(|problems| panic!("built-in lexicons have problems: {problems:?}"))
}

#[divan::bench]
fn build_rules() -> Scorer {
    scorer()
}

#[divan::bench]
fn score_synthetic(bencher: divan::Bencher) {
    let scorer = scorer();
    let doc = synthetic();
    bencher
        .counter(divan::counter::BytesCount::new(doc.text.len()))
        .bench(|| scorer.score(&doc.text, &doc.sentences, &doc.mentions));
}

#[divan::bench]
fn score_fnc1_corpus(bencher: divan::Bencher) {
    let Some(docs) = corpus() else {
        return;
    };
    let scorer = scorer();
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    bencher
        .counter(divan::counter::BytesCount::new(bytes))
        .bench(|| {
            docs.iter()
                .map(|d| scorer.score(&d.text, &d.sentences, &d.mentions).0.len())
                .sum::<usize>()
        });
}
