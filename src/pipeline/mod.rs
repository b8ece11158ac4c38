//! Pipeline: wires input, the four stages and output. Documents stream
//! through in bounded chunks: a reader thread fills chunks, rayon annotates
//! each chunk in parallel, and a writer thread writes rows in input order, so
//! memory does not grow with the dump and output does not depend on the
//! thread count. Stage commands start from the CSV files an earlier stage
//! left in the output folder and end with the same files as `run`.

mod cells;
mod progress;
mod render;
mod source;

use crate::annotate::Model;
use crate::input::{Input, InputOptions, RawDoc};
use crate::lexicon::Lexicons;
use crate::normalize::Normalized;
use crate::output::{self, safe_cell, OutputError};
use crate::types::{Claim, DocStance, Mention, Span};
use progress::Progress;
use rayon::prelude::*;
use render::{Batch, BatchPool, Renderer, Writers};
use serde::Serialize;
use source::WorkSource;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::mpsc::sync_channel;
use std::time::Instant;

/// Most documents a worker annotates and renders into one batch: small
/// enough that no worker waits long for the last batch of a chunk.
const MAX_BATCH_DOCS: usize = 8;

/// The stages, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    Normalize,
    Segment,
    Match,
    Score,
}

/// Exit code of a run where every document was read and annotated cleanly.
pub const EXIT_CLEAN: i32 = 0;
/// Exit code of a fatal error: nothing (more) could be written.
pub const EXIT_FATAL: i32 = 1;
/// Exit code of a run that completed but skipped or flagged documents.
pub const EXIT_FLAGGED: i32 = 3;

/// What a run does.
#[derive(Debug, Clone)]
pub struct Config {
    /// Inputs of the normalize stage (ignored by later stages, which read the
    /// output folder).
    pub inputs: Vec<Input>,
    pub input_options: InputOptions,
    pub out_dir: PathBuf,
    pub first: Stage,
    pub last: Stage,
    /// Worker threads; 0 means one per core.
    pub threads: usize,
    pub quiet: bool,
    /// Write a UTF-8 BOM at the start of each CSV (for spreadsheets).
    pub excel: bool,
    /// Write every file through the page cache: no direct I/O.
    pub buffered_output: bool,
    pub command_line: Vec<String>,
    /// Text bytes gathered before a chunk is annotated.
    pub chunk_bytes: usize,
}

impl Config {
    pub fn new(inputs: Vec<Input>, out_dir: PathBuf) -> Config {
        Config {
            inputs,
            input_options: InputOptions::default(),
            out_dir,
            first: Stage::Normalize,
            last: Stage::Score,
            threads: 0,
            quiet: true,
            excel: false,
            buffered_output: false,
            command_line: Vec::new(),
            chunk_bytes: 2 << 20,
        }
    }
}

/// Why a run stopped before its end.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error("{path}:{line}: {message}")]
    StageInput {
        path: String,
        line: u64,
        message: String,
    },
    #[error("cannot start {threads} worker threads: {message}")]
    Threads { threads: usize, message: String },
}

/// Totals of a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    pub documents: usize,
    /// Records that could not be read or annotated (status `error`).
    pub errors: usize,
    /// Documents with no content (status `empty`).
    pub empty: usize,
    /// Documents annotated with a warning (invalid UTF-8, duplicate id, ...).
    pub warned: usize,
    pub sentences: usize,
    pub mentions: usize,
    pub claims: usize,
    pub favor: usize,
    pub against: usize,
    pub input_bytes: u64,
    pub text_bytes: u64,
    pub seconds: f64,
}

impl Summary {
    pub fn exit_code(&self) -> i32 {
        if self.errors + self.empty + self.warned > 0 {
            EXIT_FLAGGED
        } else {
            EXIT_CLEAN
        }
    }

    /// One line for stderr at the end of a run.
    pub fn line(&self, out_dir: &Path) -> String {
        let mb = self.input_bytes as f64 / 1e6;
        let rate = if self.seconds > 0.0 {
            mb / self.seconds
        } else {
            0.0
        };
        format!(
            "claimstance: {} documents ({} error, {} empty, {} with warnings), {} sentences, {} mentions, \
             {} claims ({} favor, {} against); {:.1} MB in {:.2} s ({:.1} MB/s) -> {}",
            self.documents,
            self.errors,
            self.empty,
            self.warned,
            self.sentences,
            self.mentions,
            self.claims,
            self.favor,
            self.against,
            mb,
            self.seconds,
            rate,
            out_dir.display()
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Ok,
    Empty,
    Error,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Empty => "empty",
            Status::Error => "error",
        }
    }

    fn parse(s: &str) -> Status {
        match s {
            "ok" => Status::Ok,
            "empty" => Status::Empty,
            _ => Status::Error,
        }
    }
}

/// One document on its way through the stages.
#[derive(Debug, Clone)]
struct Work {
    doc_id: String,
    source: String,
    status: Status,
    notes: Vec<String>,
    invalid_bytes: usize,
    meta: Vec<String>,
    text: String,
    normalized: Option<Normalized>,
    sentences: Option<Vec<Span>>,
    mentions: Option<Vec<Mention>>,
    claims: Option<(Vec<Claim>, DocStance)>,
}

impl Work {
    fn from_raw(raw: RawDoc) -> Work {
        let mut notes = raw.warnings;
        if raw.invalid_bytes > 0 {
            notes.push(format!(
                "{} invalid UTF-8 bytes replaced by U+FFFD; offsets refer to the repaired text",
                raw.invalid_bytes
            ));
        }
        let doc_id = match safe_cell(&raw.id) {
            std::borrow::Cow::Owned(safe) => safe,
            std::borrow::Cow::Borrowed(_) => raw.id,
        };
        Work {
            doc_id,
            source: raw.source,
            status: Status::Ok,
            notes,
            invalid_bytes: raw.invalid_bytes,
            meta: raw.meta,
            text: raw.text,
            normalized: None,
            sentences: None,
            mentions: None,
            claims: None,
        }
    }

    fn skipped(source: String, message: String, keep: usize) -> Work {
        Work {
            doc_id: String::new(),
            source,
            status: Status::Error,
            notes: vec![message],
            invalid_bytes: 0,
            meta: vec![String::new(); keep],
            text: String::new(),
            normalized: None,
            sentences: None,
            mentions: None,
            claims: None,
        }
    }

    fn error_text(&self) -> String {
        self.notes.join("; ")
    }
}

/// Runs the stages from `config.first` to `config.last` and writes their
/// files and documents.csv into `config.out_dir`.
pub fn run(config: &Config, lexicons: &Lexicons, model: &Model) -> Result<Summary, PipelineError> {
    let started = Instant::now();
    std::fs::create_dir_all(&config.out_dir).map_err(|source| OutputError::Folder {
        path: config.out_dir.clone(),
        source,
    })?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.threads)
        .thread_name(|i| format!("worker-{i}"))
        .build()
        .map_err(|e| PipelineError::Threads {
            threads: config.threads,
            message: e.to_string(),
        })?;

    let (source, keep) = WorkSource::open(config)?;
    let bytes_read = source.bytes_read();
    let total_bytes = source.total_bytes();
    let mut writers = Writers::create(config, &keep)?;
    let progress = Progress::new(config, total_bytes);

    let (chunk_tx, chunk_rx) = sync_channel::<Result<Vec<Work>, PipelineError>>(2);
    // Up to eight rendered chunks (about 7 MB of CSV each) wait for the writer,
    // so that a stall of the output device does not stop the workers at once.
    let (done_tx, done_rx) = sync_channel::<Vec<Batch>>(8);
    let renderer = Renderer::new(config);
    let pool_of_batches = BatchPool::default();
    let chunk_bytes = config.chunk_bytes.max(1);
    let last = config.last;

    let thread_error = |e: std::io::Error| PipelineError::Threads {
        threads: 2,
        message: e.to_string(),
    };
    let outcome = std::thread::scope(|scope| {
        let reader = std::thread::Builder::new()
            .name("reader".into())
            .spawn_scoped(scope, move || {
                let mut source = source;
                loop {
                    match source.next_chunk(chunk_bytes) {
                        Ok(chunk) if chunk.is_empty() => break,
                        Ok(chunk) => {
                            if chunk_tx.send(Ok(chunk)).is_err() {
                                break;
                            }
                        }
                        Err(e) => {
                            let _ = chunk_tx.send(Err(e));
                            break;
                        }
                    }
                }
            });
        if let Err(e) = reader {
            return Err(thread_error(e));
        }
        let writer = std::thread::Builder::new()
            .name("writer".into())
            .spawn_scoped(scope, || -> Result<Summary, PipelineError> {
                let mut summary = Summary::default();
                for batches in done_rx {
                    writers.write(batches, &mut summary, &progress, &pool_of_batches)?;
                    progress.update(bytes_read.load(Ordering::Relaxed), summary.documents);
                }
                summary.input_bytes = bytes_read.load(Ordering::Relaxed);
                Ok(summary)
            });
        let writer = match writer {
            Ok(writer) => writer,
            Err(e) => return Err(thread_error(e)),
        };
        let mut failure = None;
        for chunk in chunk_rx {
            match chunk {
                Ok(chunk) => {
                    // Each rayon split annotates its consecutive documents and
                    // renders them into one batch; collecting keeps the
                    // batches in input order.
                    let done: Vec<Batch> = pool.install(|| {
                        chunk
                            .into_par_iter()
                            .with_max_len(MAX_BATCH_DOCS)
                            .map(|work| annotate(model, work, last))
                            .fold(Vec::new, |mut works, work| {
                                works.push(work);
                                works
                            })
                            .map(|works| renderer.render_batch(works, &pool_of_batches))
                            .collect()
                    });
                    if done_tx.send(done).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        drop(done_tx);
        let written = writer.join().unwrap_or_else(|_| {
            Err(PipelineError::Threads {
                threads: 1,
                message: "the writer thread stopped unexpectedly".into(),
            })
        });
        match failure {
            Some(e) => Err(e),
            None => written,
        }
    });
    progress.finish();
    let mut summary = outcome?;
    summary.seconds = started.elapsed().as_secs_f64();
    writers.finish(config, lexicons, &summary)?;
    if !config.quiet {
        progress.eprintln(&summary.line(&config.out_dir));
        let hidden = progress.hidden_problems();
        if hidden > 0 {
            progress.eprintln(&format!(
                "claimstance: {hidden} more problems not printed; see the status and error columns of {}",
                config.out_dir.join(output::DOCUMENTS).display()
            ));
        }
    }
    Ok(summary)
}

/// Runs the stages that `work` still lacks, up to `last`, never panicking
/// out: a stage that panics flags the document instead.
fn annotate(model: &Model, mut work: Work, last: Stage) -> Work {
    if work.status == Status::Error {
        return work;
    }
    let text = std::mem::take(&mut work.text);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let normalized = match work.normalized.take() {
            Some(n) => n,
            None => model.normalize(&text),
        };
        let sentences = match (work.sentences.take(), last >= Stage::Segment) {
            (Some(s), _) => Some(s),
            (None, true) => Some(model.segment(&text, &normalized)),
            (None, false) => None,
        };
        let mentions = match (work.mentions.take(), &sentences, last >= Stage::Match) {
            (Some(m), _, _) => Some(m),
            (None, Some(s), true) => Some(model.mentions(&text, s)),
            _ => None,
        };
        let claims = match (&sentences, &mentions, last >= Stage::Score) {
            (Some(s), Some(m), true) => Some(model.score(&text, s, m)),
            _ => None,
        };
        (normalized, sentences, mentions, claims)
    }));
    work.text = text;
    match result {
        Ok((normalized, sentences, mentions, claims)) => {
            if work.status == Status::Ok && normalized.lines.is_empty() {
                work.status = Status::Empty;
                work.notes.push(if work.text.trim().is_empty() {
                    "no text".to_string()
                } else {
                    format!(
                        "only boilerplate ({} bytes dropped)",
                        normalized.dropped_bytes
                    )
                });
            }
            work.normalized = Some(normalized);
            work.sentences = sentences;
            work.mentions = mentions;
            work.claims = claims;
        }
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            work.status = Status::Error;
            work.notes.push(format!(
                "internal error while annotating ({message}); please report it with this document"
            ));
        }
    }
    work
}

#[cfg(test)]
mod tests {
    use super::render::format_lines;
    use super::source::{make_id_unique, parse_lines};
    use super::*;

    /// Chunks of one document each, on four workers: the files must come out
    /// as one thread writes them.
    #[test]
    fn many_small_chunks_on_many_workers_are_written_in_input_order() {
        let dir = tempfile::tempdir().expect("temp dir");
        let seeds = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds"))
            .expect("seeds folder")
            .filter_map(|entry| std::fs::read_to_string(entry.ok()?.path()).ok())
            .collect::<Vec<_>>();
        assert!(!seeds.is_empty());
        let mut dump = String::new();
        for i in 0..60 {
            let text = &seeds[i % seeds.len()];
            // Documents of very different lengths, so workers finish them
            // at different times.
            let cut = text.len() * (i % 7 + 1) / 7;
            let text = text.get(..cut).unwrap_or(text);
            let line = serde_json::json!({ "id": format!("d{i}"), "text": text });
            dump.push_str(&line.to_string());
            dump.push('\n');
        }
        let input = dir.path().join("dump.jsonl");
        std::fs::write(&input, dump).expect("write dump");
        let lexicons = Lexicons::load(None).expect("built-in lexicons");
        let model = Model::build(&lexicons).expect("model");
        let run_with = |name: &str, threads: usize, chunk_bytes: usize| {
            let mut config = Config::new(vec![Input::Path(input.clone())], dir.path().join(name));
            config.threads = threads;
            config.chunk_bytes = chunk_bytes;
            run(&config, &lexicons, &model).expect("run");
            config.out_dir
        };
        let one = run_with("one", 1, 2 << 20);
        let many = run_with("many", 4, 1);
        for file in [
            "documents.csv",
            "normalized.csv",
            "sentences.csv",
            "mentions.csv",
            "claims.csv",
        ] {
            let a = std::fs::read(one.join(file)).expect("read");
            let b = std::fs::read(many.join(file)).expect("read");
            assert!(a.len() > 100, "{file} is nearly empty");
            assert!(a == b, "{file} differs");
        }
    }

    #[test]
    fn line_spans_round_trip() {
        let text = "ab cd\nef";
        let spans = vec![0..5, 6..8];
        let formatted = format_lines(&spans);
        assert_eq!(formatted, "0-5 6-8");
        assert_eq!(parse_lines(&formatted, text), Ok(spans));
        assert!(parse_lines("0-99", text).is_err());
        assert!(parse_lines("x", text).is_err());
    }

    #[test]
    fn duplicate_ids_are_renamed_and_noted() {
        let mut seen = source::SeenIds::default();
        let raw = |id: &str| RawDoc {
            id: id.into(),
            source: "f:1".into(),
            ..RawDoc::default()
        };
        let mut a = Work::from_raw(raw("a"));
        let mut b = Work::from_raw(raw("a"));
        make_id_unique(&mut a, &mut seen);
        make_id_unique(&mut b, &mut seen);
        assert_eq!(a.doc_id, "a");
        assert_eq!(b.doc_id, "a#2");
        assert!(b.error_text().contains("duplicate"));
    }
}
