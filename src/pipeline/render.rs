//! Rendering a document's rows into CSV bytes (in parallel, on the worker
//! threads) and writing them, in input order, into the output folder's
//! files; then actor_stance.csv and manifest.json at the end of a run.

use super::{Config, PipelineError, Stage, Status, Summary, Work};
use crate::input::Input;
use crate::lexicon::Lexicons;
use crate::output::{
    self, format_score, header_with, safe_cell, ActorStanceRow, ClaimRow, CsvFile, DocStanceRow,
    DocumentRow, MentionRow, NormalizedRow, OutputError, SentenceRow,
};
use crate::score::ActorTally;
use crate::text::collapsed;
use crate::types::{Mention, Span, Stance};
use serde::Serialize;

/// The per-document files of the output folder, in writing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Documents,
    Normalized,
    Sentences,
    Mentions,
    Claims,
    DocStance,
}

const FILE_KINDS: [FileKind; 6] = [
    FileKind::Documents,
    FileKind::Normalized,
    FileKind::Sentences,
    FileKind::Mentions,
    FileKind::Claims,
    FileKind::DocStance,
];

impl FileKind {
    /// The stage that writes the file (documents.csv: every stage).
    fn stage(self) -> Option<Stage> {
        match self {
            FileKind::Documents => None,
            FileKind::Normalized => Some(Stage::Normalize),
            FileKind::Sentences => Some(Stage::Segment),
            FileKind::Mentions => Some(Stage::Match),
            FileKind::Claims | FileKind::DocStance => Some(Stage::Score),
        }
    }

    fn name(self) -> &'static str {
        match self {
            FileKind::Documents => output::DOCUMENTS,
            FileKind::Normalized => output::NORMALIZED,
            FileKind::Sentences => output::SENTENCES,
            FileKind::Mentions => output::MENTIONS,
            FileKind::Claims => output::CLAIMS,
            FileKind::DocStance => output::DOC_STANCE,
        }
    }

    fn header(self, keep: &[String]) -> Vec<&str> {
        match self {
            FileKind::Documents => header_with(&DocumentRow::HEADER, keep),
            FileKind::Normalized => header_with(&NormalizedRow::HEADER, keep),
            FileKind::Sentences => vec!["doc_id", "sent_id", "start", "end", "text"],
            FileKind::Mentions => vec![
                "doc_id", "sent_id", "start", "end", "actor", "entity", "surface",
            ],
            FileKind::Claims => vec![
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
            FileKind::DocStance => vec![
                "doc_id",
                "stance",
                "score",
                "n_claims",
                "n_favor",
                "n_against",
            ],
        }
    }
}

/// A document's rows, rendered as CSV bytes, one buffer per file.
#[derive(Debug, Default)]
pub(super) struct Rendered {
    files: [Vec<u8>; 6],
}

/// Which files a run writes; renders documents on any thread.
#[derive(Debug, Clone)]
pub(super) struct Renderer {
    first: Stage,
    last: Stage,
}

fn row_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .has_headers(false)
        .buffer_capacity(4096)
        .from_writer(Vec::new())
}

fn into_bytes(writer: csv::Writer<Vec<u8>>) -> Vec<u8> {
    writer.into_inner().unwrap_or_default()
}

/// The actor codes of a sentence's mentions, first appearance first.
fn sentence_actors(mentions: &[Mention]) -> String {
    let mut codes: Vec<&str> = Vec::new();
    for m in mentions {
        if !codes.contains(&&*m.actor) {
            codes.push(&m.actor);
        }
    }
    codes.join(";")
}

pub(super) fn format_lines(lines: &[Span]) -> String {
    let mut out = String::with_capacity(lines.len() * 10);
    for (i, span) in lines.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&span.start.to_string());
        out.push('-');
        out.push_str(&span.end.to_string());
    }
    out
}

impl Renderer {
    pub(super) fn new(config: &Config) -> Renderer {
        Renderer {
            first: config.first,
            last: config.last,
        }
    }

    fn writes(&self, kind: FileKind) -> bool {
        kind.stage()
            .is_none_or(|stage| self.first <= stage && stage <= self.last)
    }

    /// Renders every row `work` contributes to the files this run writes.
    /// Serializing into memory cannot fail for these rows, so errors only
    /// leave a buffer short and are not expected.
    pub(super) fn render(&self, work: &Work) -> Rendered {
        let mut rendered = Rendered::default();
        for kind in FILE_KINDS {
            if self.writes(kind) {
                let mut writer = row_writer();
                let _ = self.render_file(kind, work, &mut writer);
                rendered.files[kind as usize] = into_bytes(writer);
            }
        }
        rendered
    }

    fn render_file(
        &self,
        kind: FileKind,
        work: &Work,
        out: &mut csv::Writer<Vec<u8>>,
    ) -> csv::Result<()> {
        let meta: Vec<String> = work
            .meta
            .iter()
            .map(|m| safe_cell(m).into_owned())
            .collect();
        let dropped_bytes = work.normalized.as_ref().map_or(0, |n| n.dropped_bytes);
        let sentences = work.sentences.as_deref().unwrap_or(&[]);
        let mentions = work.mentions.as_deref().unwrap_or(&[]);
        let claims = work
            .claims
            .as_ref()
            .map(|(c, _)| c.as_slice())
            .unwrap_or(&[]);
        let doc_id = || work.doc_id.clone();
        match kind {
            FileKind::Documents => {
                let ran = |stage: Stage, n: usize| (self.last >= stage).then_some(n);
                out.serialize((
                    DocumentRow {
                        doc_id: doc_id(),
                        source: safe_cell(&work.source).into_owned(),
                        bytes: work.text.len(),
                        dropped_bytes,
                        n_sentences: ran(Stage::Segment, sentences.len()),
                        n_mentions: ran(Stage::Match, mentions.len()),
                        n_claims: ran(Stage::Score, claims.iter().filter(|c| c.is_claim).count()),
                        status: work.status.as_str().to_string(),
                        error: safe_cell(&work.error_text()).into_owned(),
                    },
                    &meta,
                ))?;
            }
            FileKind::Normalized => {
                out.serialize((
                    NormalizedRow {
                        doc_id: doc_id(),
                        source: safe_cell(&work.source).into_owned(),
                        status: work.status.as_str().to_string(),
                        error: safe_cell(&work.error_text()).into_owned(),
                        bytes: work.text.len(),
                        dropped_bytes,
                        invalid_bytes: work.invalid_bytes,
                        lines: work
                            .normalized
                            .as_ref()
                            .map(|n| format_lines(&n.lines))
                            .unwrap_or_default(),
                        text: work.text.clone(),
                    },
                    &meta,
                ))?;
            }
            FileKind::Sentences => {
                for (i, span) in sentences.iter().enumerate() {
                    out.serialize(SentenceRow {
                        doc_id: doc_id(),
                        sent_id: i + 1,
                        start: span.start,
                        end: span.end,
                        text: safe_cell(&collapsed(&work.text[span.clone()])).into_owned(),
                    })?;
                }
            }
            FileKind::Mentions => {
                for m in mentions {
                    out.serialize(MentionRow {
                        doc_id: doc_id(),
                        sent_id: m.sent + 1,
                        start: m.start,
                        end: m.end,
                        actor: m.actor.to_string(),
                        entity: safe_cell(&m.entity).into_owned(),
                        surface: safe_cell(&collapsed(&work.text[m.start..m.end])).into_owned(),
                    })?;
                }
            }
            FileKind::Claims => {
                let mut rest = mentions;
                for (i, span) in sentences.iter().enumerate() {
                    let here = rest.iter().take_while(|m| m.sent == i).count();
                    let (sentence_mentions, after) = rest.split_at(here);
                    rest = after;
                    let claim = claims.get(i).cloned().unwrap_or_default();
                    out.serialize(ClaimRow {
                        doc_id: doc_id(),
                        sent_id: i + 1,
                        is_claim: u8::from(claim.is_claim),
                        claim_type: claim
                            .claim_type
                            .map(|t| t.as_str().to_string())
                            .unwrap_or_default(),
                        holder: claim.holder.as_deref().unwrap_or_default().to_string(),
                        stance: claim.stance.as_str().to_string(),
                        score: format_score(claim.score),
                        cues: safe_cell(&claim.cues.join(";")).into_owned(),
                        actors: sentence_actors(sentence_mentions),
                        text: safe_cell(&collapsed(&work.text[span.clone()])).into_owned(),
                    })?;
                }
            }
            FileKind::DocStance => {
                if let (Status::Ok, Some((_, doc))) = (work.status, &work.claims) {
                    out.serialize(DocStanceRow {
                        doc_id: doc_id(),
                        stance: doc.stance.as_str().to_string(),
                        score: format_score(doc.score),
                        n_claims: doc.n_claims,
                        n_favor: doc.n_favor,
                        n_against: doc.n_against,
                    })?;
                }
            }
        }
        Ok(())
    }
}

/// The open files of a run's output folder, written in input order.
pub(super) struct Writers {
    keep: Vec<String>,
    files: Vec<(FileKind, CsvFile)>,
    tally: Option<ActorTally>,
}

impl Writers {
    pub(super) fn create(config: &Config, keep: &[String]) -> Result<Writers, PipelineError> {
        let renderer = Renderer::new(config);
        let mut files = Vec::new();
        for kind in FILE_KINDS.into_iter().filter(|&k| renderer.writes(k)) {
            files.push((
                kind,
                CsvFile::create(
                    &config.out_dir,
                    kind.name(),
                    &kind.header(keep),
                    config.excel,
                )?,
            ));
        }
        Ok(Writers {
            keep: keep.to_vec(),
            files,
            tally: renderer.writes(FileKind::Claims).then(ActorTally::default),
        })
    }

    /// Writes one document's rendered rows and adds it to the totals.
    pub(super) fn write(
        &mut self,
        work: &Work,
        rendered: &Rendered,
        summary: &mut Summary,
    ) -> Result<(), PipelineError> {
        for (kind, file) in &mut self.files {
            file.write_bytes(&rendered.files[*kind as usize])?;
        }
        summary.documents += 1;
        summary.text_bytes += work.text.len() as u64;
        match work.status {
            Status::Error => summary.errors += 1,
            Status::Empty => summary.empty += 1,
            Status::Ok if !work.notes.is_empty() => summary.warned += 1,
            Status::Ok => {}
        }
        let mentions = work.mentions.as_deref().unwrap_or(&[]);
        let claims = work
            .claims
            .as_ref()
            .map(|(c, _)| c.as_slice())
            .unwrap_or(&[]);
        summary.sentences += work.sentences.as_ref().map_or(0, Vec::len);
        summary.mentions += mentions.len();
        for claim in claims.iter().filter(|c| c.is_claim) {
            summary.claims += 1;
            match claim.stance {
                Stance::Favor => summary.favor += 1,
                Stance::Against => summary.against += 1,
                Stance::Neutral => {}
            }
        }
        if let Some(tally) = self.tally.as_mut() {
            tally.add_document(mentions, claims);
        }
        Ok(())
    }

    pub(super) fn finish(
        self,
        config: &Config,
        lexicons: &Lexicons,
        summary: &Summary,
    ) -> Result<(), PipelineError> {
        for (_, file) in self.files {
            file.finish()?;
        }
        if let Some(tally) = self.tally {
            let mut file = CsvFile::create(
                &config.out_dir,
                output::ACTOR_STANCE,
                &[
                    "actor",
                    "n_docs",
                    "n_mentions",
                    "n_claims_held",
                    "n_favor",
                    "n_against",
                    "score",
                ],
                config.excel,
            )?;
            for (actor, totals) in &tally.actors {
                file.row(ActorStanceRow {
                    actor: safe_cell(actor).into_owned(),
                    n_docs: totals.n_docs,
                    n_mentions: totals.n_mentions,
                    n_claims_held: totals.n_claims_held,
                    n_favor: totals.n_favor,
                    n_against: totals.n_against,
                    score: format_score(totals.score()),
                })?;
            }
            file.finish()?;
        }
        write_manifest(config, lexicons, summary, &self.keep)
    }
}

#[derive(Serialize)]
struct Manifest<'a> {
    version: &'static str,
    command_line: &'a [String],
    stages: String,
    inputs: Vec<ManifestInput>,
    keep: &'a [String],
    lexicons: Vec<ManifestLexicon>,
    counts: &'a Summary,
    seconds: f64,
    threads: usize,
}

#[derive(Serialize)]
struct ManifestInput {
    path: String,
    bytes: Option<u64>,
}

#[derive(Serialize)]
struct ManifestLexicon {
    name: String,
    origin: String,
    sha256: String,
}

fn write_manifest(
    config: &Config,
    lexicons: &Lexicons,
    summary: &Summary,
    keep: &[String],
) -> Result<(), PipelineError> {
    let manifest = Manifest {
        version: env!("CARGO_PKG_VERSION"),
        command_line: &config.command_line,
        stages: format!("{:?}..={:?}", config.first, config.last).to_lowercase(),
        inputs: config
            .inputs
            .iter()
            .map(|input| ManifestInput {
                path: input.display(),
                bytes: match input {
                    Input::Path(p) => super::source::input_size(p),
                    Input::Stdin => None,
                },
            })
            .collect(),
        keep,
        lexicons: lexicons
            .files()
            .iter()
            .map(|f| ManifestLexicon {
                name: f.name.clone(),
                origin: f.origin.clone(),
                sha256: f.sha256(),
            })
            .collect(),
        counts: summary,
        seconds: summary.seconds,
        threads: if config.threads == 0 {
            rayon::current_num_threads()
        } else {
            config.threads
        },
    };
    let path = config.out_dir.join(output::MANIFEST);
    let mut json = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    json.push('\n');
    std::fs::write(&path, json)
        .map_err(|source| PipelineError::Output(OutputError::Write { path, source }))
}
