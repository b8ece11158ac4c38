//! Benchmarks of the matching stage (divan): `Matcher::find` with the full
//! built-in lexicon over the FNC-1 article bodies, against a bare scan of the
//! same automaton (same patterns, same spans, counting leftmost-longest
//! matches). Texts are split into sentence-sized spans at line breaks and
//! after `. `, `? `, `! `; both benchmarks read the same spans. Skipped with a
//! message when ../shared is absent. `CLAIMSTANCE_BENCH_LEXICONS=dir` merges
//! a lexicon folder over the built-in one.

use claimstance::lexicon::Lexicons;
use claimstance::matching::Matcher;
use claimstance::types::Span;
use divan::counter::BytesCount;
use divan::{black_box, Bencher};
use std::sync::OnceLock;

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/corpora/fnc1_bodies.jsonl"
);

struct Corpus {
    docs: Vec<(String, Vec<Span>)>,
    bytes: usize,
}

fn sentence_spans(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let ends =
            b == b'\n' || (matches!(b, b'.' | b'?' | b'!') && bytes.get(i + 1) == Some(&b' '));
        if ends {
            if i + 1 > start {
                spans.push(start..i + 1);
            }
            start = i + 1;
        }
    }
    if start < text.len() {
        spans.push(start..text.len());
    }
    spans
}

fn corpus() -> Option<&'static Corpus> {
    static CORPUS_CELL: OnceLock<Option<Corpus>> = OnceLock::new();
    CORPUS_CELL
        .get_or_init(|| {
            let Ok(raw) = std::fs::read_to_string(CORPUS) else {
                eprintln!("skipping matching benchmarks: {CORPUS} is absent");
                return None;
            };
            let mut docs = Vec::new();
            let mut bytes = 0;
            for line in raw.lines() {
                let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else {
                    continue;
                };
                if let Some(text) = value.get("text").and_then(|t| t.as_str()) {
                    bytes += text.len();
                    docs.push((text.to_string(), sentence_spans(text)));
                }
            }
            Some(Corpus { docs, bytes })
        })
        .as_ref()
}

fn matcher() -> &'static Matcher {
    static MATCHER: OnceLock<Matcher> = OnceLock::new();
    MATCHER.get_or_init(|| {
        // A folder of extra lexicons to merge over the built-in ones, if set.
        let extra = std::env::var_os("CLAIMSTANCE_BENCH_LEXICONS").map(std::path::PathBuf::from);
        let lexicons = Lexicons::load(extra.as_deref()).expect("lexicon folder readable");
        let matcher = Matcher::build(&lexicons).expect("lexicons compile");
        eprintln!(
            "{} patterns, {:?}, {} bytes of automaton",
            matcher.pattern_count(),
            matcher.automaton().kind(),
            matcher.automaton().memory_usage()
        );
        matcher
    })
}

fn main() {
    divan::main();
}

#[divan::bench(sample_count = 10)]
fn find_mentions(bencher: Bencher) {
    let Some(corpus) = corpus() else { return };
    let matcher = matcher();
    let mut out = Vec::new();
    bencher
        .counter(BytesCount::new(corpus.bytes))
        .bench_local(|| {
            let mut total = 0;
            for (text, spans) in &corpus.docs {
                out.clear();
                matcher.find(text, spans, &mut out);
                total += out.len();
            }
            black_box(total)
        });
}

#[divan::bench(sample_count = 10)]
fn bare_automaton_scan(bencher: Bencher) {
    let Some(corpus) = corpus() else { return };
    let automaton = matcher().automaton();
    bencher
        .counter(BytesCount::new(corpus.bytes))
        .bench_local(|| {
            let mut total = 0;
            for (text, spans) in &corpus.docs {
                for span in spans {
                    total += automaton.find_iter(&text[span.clone()]).count();
                }
            }
            black_box(total)
        });
}

#[divan::bench(sample_count = 5)]
fn build_builtin_matcher() -> Matcher {
    Matcher::build(&Lexicons::builtin()).expect("built-in lexicons compile")
}
