//! Benchmarks of the matching stage (divan): `Matcher::find` with the full
//! built-in lexicon over the FNC-1 article bodies, against a bare scan of an
//! unanchored DFA of the same names (same patterns, same spans, counting
//! leftmost-longest matches; the matcher itself walks a trie at word starts
//! only). The spans are the sentence units of the real pipeline (normalize
//! and segment with the built-in lexicons, computed before timing); both
//! benchmarks read the same spans. Throughput counts the bytes of the whole
//! article texts. Skipped with a message when ../shared is absent.
//! `CLAIMSTANCE_BENCH_LEXICONS=dir` merges a lexicon folder over the built-in
//! one.

use claimstance::annotate::Model;
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

/// The lexicons: the built-in ones, with a folder merged over them if
/// `CLAIMSTANCE_BENCH_LEXICONS` is set.
fn lexicons() -> &'static Lexicons {
    static LEXICONS: OnceLock<Lexicons> = OnceLock::new();
    LEXICONS.get_or_init(|| {
        let extra = std::env::var_os("CLAIMSTANCE_BENCH_LEXICONS").map(std::path::PathBuf::from);
        Lexicons::load(extra.as_deref()).expect("lexicon folder readable")
    })
}

/// The sentence units of the real pipeline.
fn sentence_spans(model: &Model, text: &str) -> Vec<Span> {
    model.segment(text, &model.normalize(text))
}

fn corpus() -> Option<&'static Corpus> {
    static CORPUS_CELL: OnceLock<Option<Corpus>> = OnceLock::new();
    CORPUS_CELL
        .get_or_init(|| {
            let Ok(raw) = std::fs::read_to_string(CORPUS) else {
                eprintln!("skipping matching benchmarks: {CORPUS} is absent");
                return None;
            };
            let model = Model::build(lexicons()).expect("lexicons compile");
            let mut docs = Vec::new();
            let mut bytes = 0;
            for line in raw.lines() {
                let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else {
                    continue;
                };
                if let Some(text) = value.get("text").and_then(|t| t.as_str()) {
                    bytes += text.len();
                    docs.push((text.to_string(), sentence_spans(&model, text)));
                }
            }
            Some(Corpus { docs, bytes })
        })
        .as_ref()
}

fn matcher() -> &'static Matcher {
    static MATCHER: OnceLock<Matcher> = OnceLock::new();
    MATCHER.get_or_init(|| {
        let matcher = Matcher::build(lexicons()).expect("lexicons compile");
        eprintln!(
            "{} patterns, {} bytes of anchored automaton",
            matcher.pattern_count(),
            matcher.automaton_memory(),
        );
        matcher
    })
}

fn unanchored() -> &'static aho_corasick::AhoCorasick {
    static AUTOMATON: OnceLock<aho_corasick::AhoCorasick> = OnceLock::new();
    AUTOMATON.get_or_init(|| {
        let automaton = matcher()
            .unanchored_automaton()
            .expect("unanchored automaton compiles");
        eprintln!(
            "{:?}, {} bytes of unanchored automaton",
            automaton.kind(),
            automaton.memory_usage()
        );
        automaton
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
    let automaton = unanchored();
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
