//! The compiled model of all four stages, and annotation of one document from
//! its source text (pure: no I/O).

use crate::lexicon::{Lexicons, Problem, Severity};
use crate::matching::Matcher;
use crate::normalize::{Normalized, Normalizer};
use crate::score::Scorer;
use crate::segment::Segmenter;
use crate::types::{Claim, DocStance, Mention, Span};

/// Every stage, compiled from one set of lexicons.
#[derive(Debug, Clone)]
pub struct Model {
    pub normalizer: Normalizer,
    pub segmenter: Segmenter,
    pub matcher: Matcher,
    pub scorer: Scorer,
}

/// Everything the stages found in one document.
#[derive(Debug, Clone, Default)]
pub struct Annotation {
    pub normalized: Normalized,
    pub sentences: Vec<Span>,
    pub mentions: Vec<Mention>,
    pub claims: Vec<Claim>,
    pub doc: DocStance,
}

impl Model {
    /// Compiles every stage; fails with every error-level problem found.
    pub fn build(lexicons: &Lexicons) -> Result<Model, Vec<Problem>> {
        // The boilerplate rules take as long to compile as the rest
        // together: they are compiled beside them.
        let (normalizer, (segmenter, matcher, scorer)) = std::thread::scope(|scope| {
            let normalizer = std::thread::Builder::new()
                .name("build".into())
                .spawn_scoped(scope, || Normalizer::build(lexicons));
            let rest = (
                Segmenter::build(lexicons),
                Matcher::build(lexicons),
                Scorer::build(lexicons),
            );
            let normalizer = match normalizer {
                Ok(thread) => thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                Err(_) => Normalizer::build(lexicons),
            };
            (normalizer, rest)
        });
        match (normalizer, segmenter, matcher, scorer) {
            (Ok(normalizer), Ok(segmenter), Ok(matcher), Ok(scorer)) => Ok(Model {
                normalizer,
                segmenter,
                matcher,
                scorer,
            }),
            (n, s, m, c) => {
                let mut problems = Vec::new();
                problems.extend(n.err().unwrap_or_default());
                problems.extend(s.err().unwrap_or_default());
                problems.extend(m.err().unwrap_or_default());
                problems.extend(c.err().unwrap_or_default());
                problems.retain(|p| p.severity == Severity::Error);
                Err(problems)
            }
        }
    }

    /// Every problem (errors and warnings) in the lexicons, for `lexicon check`.
    pub fn check(lexicons: &Lexicons) -> Vec<Problem> {
        let mut problems = Vec::new();
        problems.extend(Normalizer::check(lexicons));
        problems.extend(Segmenter::check(lexicons));
        problems.extend(Matcher::check(lexicons));
        problems.extend(Scorer::check(lexicons));
        for file in lexicons.unknown_files() {
            problems.push(Problem::warning(file, 0, "no stage reads this file"));
        }
        problems
    }

    pub fn normalize(&self, src: &str) -> Normalized {
        self.normalizer.normalize(src)
    }

    pub fn segment(&self, src: &str, normalized: &Normalized) -> Vec<Span> {
        self.segmenter.segment(src, normalized)
    }

    pub fn mentions(&self, src: &str, sentences: &[Span]) -> Vec<Mention> {
        let mut out = Vec::new();
        self.matcher.find(src, sentences, &mut out);
        out
    }

    pub fn score(
        &self,
        src: &str,
        sentences: &[Span],
        mentions: &[Mention],
    ) -> (Vec<Claim>, DocStance) {
        self.scorer.score(src, sentences, mentions)
    }

    /// Runs every stage on one document's source text.
    pub fn annotate(&self, src: &str) -> Annotation {
        let normalized = self.normalize(src);
        let sentences = self.segment(src, &normalized);
        let mentions = self.mentions(src, &sentences);
        let (claims, doc) = self.score(src, &sentences, &mentions);
        Annotation {
            normalized,
            sentences,
            mentions,
            claims,
            doc,
        }
    }
}
