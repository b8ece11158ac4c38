//! Benchmarks of normalize + segment (divan) on the FNC-1 article bodies in
//! ../shared/corpora/fnc1_bodies.jsonl, loaded before timing; reports bytes
//! per second. Skipped, with a message, when the corpus is absent.

use claimstance::annotate::Model;
use claimstance::lexicon::Lexicons;
use divan::counter::BytesCount;
use divan::Bencher;
use std::sync::OnceLock;

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/corpora/fnc1_bodies.jsonl"
);

#[derive(serde::Deserialize)]
struct Doc {
    text: String,
}

/// The article texts, or `None` when the corpus is absent.
fn corpus() -> Option<&'static [String]> {
    static DOCS: OnceLock<Option<Vec<String>>> = OnceLock::new();
    DOCS.get_or_init(|| {
        let data = std::fs::read_to_string(CORPUS).ok()?;
        Some(
            data.lines()
                .filter_map(|l| serde_json::from_str::<Doc>(l).ok())
                .map(|d| d.text)
                .collect(),
        )
    })
    .as_deref()
}

fn main() {
    if corpus().is_none() {
        println!("skipping segment benchmarks: {CORPUS} is absent");
        return;
    }
    divan::main();
}

fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| Model::build(&Lexicons::builtin()).expect("built-in lexicons compile"))
}

fn bench_corpus(bencher: Bencher, stage: impl Fn(&Model, &str) -> usize + Sync) {
    let docs = corpus().unwrap_or_default();
    let model = model();
    let bytes: usize = docs.iter().map(String::len).sum();
    bencher.counter(BytesCount::new(bytes)).bench(|| {
        docs.iter()
            .map(|d| stage(model, divan::black_box(d)))
            .sum::<usize>()
    });
}

/// Normalize and segment every article.
#[divan::bench(sample_count = 10)]
fn normalize_and_segment(bencher: Bencher) {
    bench_corpus(bencher, |model, text| {
        let normalized = model.normalize(text);
        model.segment(text, &normalized).len()
    });
}

/// Normalize only (boilerplate rules and captions).
#[divan::bench(sample_count = 10)]
fn normalize_only(bencher: Bencher) {
    bench_corpus(bencher, |model, text| model.normalize(text).lines.len());
}

/// Fold every article (the matcher's and scorer's view of the text).
#[divan::bench(sample_count = 10)]
fn fold_only(bencher: Bencher) {
    bench_corpus(bencher, |_, text| {
        claimstance::fold::fold(text).text().len()
    });
}
