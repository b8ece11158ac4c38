//! Pipeline: wires input, the four stages and output. Documents stream
//! through in bounded chunks: a reader thread fills chunks, rayon annotates
//! each chunk in parallel, and a writer thread writes rows in input order, so
//! memory does not grow with the dump and output does not depend on the
//! thread count. Stage commands start from the CSV files an earlier stage
//! left in the output folder and end with the same files as `run`.

use crate::annotate::Model;
use crate::input::{Input, InputOptions, RawDoc, Reader, Record};
use crate::lexicon::Lexicons;
use crate::normalize::Normalized;
use crate::output::{
    self, format_score, header_with, safe_cell, ActorStanceRow, ClaimRow, CsvFile, DocStanceRow,
    DocumentRow, MentionRow, NormalizedRow, OutputError, SentenceRow,
};
use crate::score::ActorTally;
use crate::text::collapse_whitespace;
use crate::types::{Claim, DocStance, Mention, Span, Stance};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::sync_channel;
use std::sync::Arc;
use std::time::Instant;

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

/// Most problems printed on stderr; the rest are only in documents.csv.
const MAX_PRINTED_PROBLEMS: usize = 200;

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
            command_line: Vec::new(),
            chunk_bytes: 4 << 20,
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
        Work {
            doc_id: safe_cell(&raw.id).into_owned(),
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
    let (done_tx, done_rx) = sync_channel::<Vec<Work>>(2);
    let chunk_bytes = config.chunk_bytes.max(1);
    let last = config.last;

    let outcome = std::thread::scope(|scope| {
        scope.spawn(move || {
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
        let writer = scope.spawn(|| -> Result<Summary, PipelineError> {
            let mut summary = Summary::default();
            for chunk in done_rx {
                for work in &chunk {
                    writers.write(work, &mut summary)?;
                    progress.report_problem(work);
                }
                progress.update(bytes_read.load(Ordering::Relaxed), summary.documents);
            }
            summary.input_bytes = bytes_read.load(Ordering::Relaxed);
            Ok(summary)
        });
        let mut failure = None;
        for chunk in chunk_rx {
            match chunk {
                Ok(chunk) => {
                    let done: Vec<Work> = pool.install(|| {
                        chunk
                            .into_par_iter()
                            .map(|work| annotate(model, work, last))
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

/// Where the documents of a run come from: the inputs (normalize) or the
/// files an earlier stage left in the output folder.
enum WorkSource {
    Inputs {
        reader: Reader,
        keep: usize,
        seen_ids: HashMap<String, (usize, String)>,
        total_bytes: Option<u64>,
    },
    Folder(Box<StageFiles>),
}

impl WorkSource {
    fn open(config: &Config) -> Result<(WorkSource, Vec<String>), PipelineError> {
        if config.first == Stage::Normalize {
            let total_bytes = config
                .inputs
                .iter()
                .map(|input| match input {
                    Input::Path(p) => input_size(p),
                    Input::Stdin => None,
                })
                .sum::<Option<u64>>();
            let keep = config.input_options.keep.clone();
            Ok((
                WorkSource::Inputs {
                    reader: Reader::new(&config.inputs, config.input_options.clone()),
                    keep: keep.len(),
                    seen_ids: HashMap::new(),
                    total_bytes,
                },
                keep,
            ))
        } else {
            let files = StageFiles::open(&config.out_dir, config.first)?;
            let keep = files.keep.clone();
            Ok((WorkSource::Folder(Box::new(files)), keep))
        }
    }

    fn bytes_read(&self) -> Arc<AtomicU64> {
        match self {
            WorkSource::Inputs { reader, .. } => reader.bytes_read(),
            WorkSource::Folder(files) => Arc::clone(&files.bytes_read),
        }
    }

    fn total_bytes(&self) -> Option<u64> {
        match self {
            WorkSource::Inputs { total_bytes, .. } => *total_bytes,
            WorkSource::Folder(files) => files.total_bytes,
        }
    }

    fn next_chunk(&mut self, chunk_bytes: usize) -> Result<Vec<Work>, PipelineError> {
        let mut chunk = Vec::new();
        let mut bytes = 0;
        while bytes < chunk_bytes && chunk.len() < 8192 {
            let Some(work) = self.next_work()? else { break };
            bytes += work.text.len() + 64;
            chunk.push(work);
        }
        Ok(chunk)
    }

    fn next_work(&mut self) -> Result<Option<Work>, PipelineError> {
        match self {
            WorkSource::Inputs {
                reader,
                keep,
                seen_ids,
                ..
            } => Ok(reader.next().map(|record| match record {
                Record::Doc(raw) => {
                    let mut work = Work::from_raw(raw);
                    make_id_unique(&mut work, seen_ids);
                    work
                }
                Record::Skipped { source, message } => Work::skipped(source, message, *keep),
            })),
            WorkSource::Folder(files) => files.next_work(),
        }
    }
}

fn input_size(path: &Path) -> Option<u64> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_file() {
        return Some(meta.len());
    }
    let mut total = 0;
    for input in crate::input::expand(&[Input::Path(path.to_path_buf())])
        .into_iter()
        .flatten()
    {
        if let Input::Path(p) = input {
            total += std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        }
    }
    Some(total)
}

/// Renames the second and later documents with the same id to `id#2`, ...,
/// so that every row of every file joins unambiguously.
fn make_id_unique(work: &mut Work, seen: &mut HashMap<String, (usize, String)>) {
    match seen.get_mut(&work.doc_id) {
        None => {
            seen.insert(work.doc_id.clone(), (1, work.source.clone()));
        }
        Some((count, first_source)) => {
            *count += 1;
            let renamed = format!("{}#{}", work.doc_id, count);
            work.notes.push(format!(
                "duplicate doc_id {:?} (first at {}); renamed {:?}",
                work.doc_id, first_source, renamed
            ));
            work.doc_id = renamed;
        }
    }
}

/// Reads back the files an earlier stage wrote, document by document.
struct StageFiles {
    first: Stage,
    dir: PathBuf,
    normalized: csv::Reader<std::io::BufReader<std::fs::File>>,
    sentences: Option<Grouped<SentenceRow>>,
    mentions: Option<Grouped<MentionRow>>,
    keep: Vec<String>,
    line: u64,
    bytes_read: Arc<AtomicU64>,
    total_bytes: Option<u64>,
}

/// Rows of a per-sentence file, handed out a document at a time.
struct Grouped<T> {
    path: String,
    rows: csv::DeserializeRecordsIntoIter<std::io::BufReader<std::fs::File>, T>,
    peeked: Option<(u64, T)>,
}

trait DocRow {
    fn doc_id(&self) -> &str;
}

impl DocRow for SentenceRow {
    fn doc_id(&self) -> &str {
        &self.doc_id
    }
}

impl DocRow for MentionRow {
    fn doc_id(&self) -> &str {
        &self.doc_id
    }
}

fn open_csv(
    dir: &Path,
    name: &str,
    stage: Stage,
) -> Result<csv::Reader<std::io::BufReader<std::fs::File>>, PipelineError> {
    let path = dir.join(name);
    let file = std::fs::File::open(&path).map_err(|e| PipelineError::StageInput {
        path: path.display().to_string(),
        line: 0,
        message: format!(
            "cannot open ({e}); run the stage before {:?} first, with the same --out folder",
            stage
        ),
    })?;
    Ok(csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(std::io::BufReader::with_capacity(1 << 20, file)))
}

impl<T: serde::de::DeserializeOwned + DocRow> Grouped<T> {
    fn open(dir: &Path, name: &str, stage: Stage) -> Result<Grouped<T>, PipelineError> {
        let reader = open_csv(dir, name, stage)?;
        Ok(Grouped {
            path: dir.join(name).display().to_string(),
            rows: reader.into_deserialize(),
            peeked: None,
        })
    }

    /// The rows of document `doc_id` (all consecutive, in order).
    fn take(&mut self, doc_id: &str) -> Result<Vec<(u64, T)>, PipelineError> {
        let mut rows = Vec::new();
        loop {
            if self.peeked.is_none() {
                match self.rows.next() {
                    None => break,
                    Some(Ok(row)) => {
                        let line = self
                            .rows
                            .reader()
                            .position()
                            .line()
                            .saturating_sub(1)
                            .max(2);
                        self.peeked = Some((line, row));
                    }
                    Some(Err(e)) => {
                        return Err(PipelineError::StageInput {
                            path: self.path.clone(),
                            line: e.position().map_or(0, |p| p.line()),
                            message: format!("malformed row: {e}"),
                        })
                    }
                }
            }
            match self.peeked.take() {
                Some((line, row)) if row.doc_id() == doc_id => rows.push((line, row)),
                other => {
                    self.peeked = other;
                    break;
                }
            }
        }
        Ok(rows)
    }

    fn leftover(&mut self) -> Option<(u64, String)> {
        if let Some((line, row)) = self.peeked.take() {
            return Some((line, row.doc_id().to_string()));
        }
        match self.rows.next() {
            Some(Ok(row)) => Some((
                self.rows.reader().position().line(),
                row.doc_id().to_string(),
            )),
            Some(Err(e)) => Some((
                e.position().map_or(0, |p| p.line()),
                "(malformed row)".into(),
            )),
            None => None,
        }
    }
}

impl StageFiles {
    fn open(dir: &Path, first: Stage) -> Result<StageFiles, PipelineError> {
        let mut normalized = open_csv(dir, output::NORMALIZED, first)?;
        let headers = normalized
            .headers()
            .map_err(|e| PipelineError::StageInput {
                path: dir.join(output::NORMALIZED).display().to_string(),
                line: 1,
                message: format!("unreadable header: {e}"),
            })?;
        let fixed = NormalizedRow::HEADER.len();
        if headers
            .iter()
            .take(fixed)
            .ne(NormalizedRow::HEADER.iter().copied())
        {
            return Err(PipelineError::StageInput {
                path: dir.join(output::NORMALIZED).display().to_string(),
                line: 1,
                message: format!(
                    "header is not {}; rerun `claimstance normalize`",
                    NormalizedRow::HEADER.join(",")
                ),
            });
        }
        let keep = headers.iter().skip(fixed).map(str::to_string).collect();
        let sentences = if first > Stage::Segment {
            Some(Grouped::open(dir, output::SENTENCES, first)?)
        } else {
            None
        };
        let mentions = if first > Stage::Match {
            Some(Grouped::open(dir, output::MENTIONS, first)?)
        } else {
            None
        };
        let total_bytes = std::fs::metadata(dir.join(output::NORMALIZED))
            .ok()
            .map(|m| m.len());
        Ok(StageFiles {
            first,
            dir: dir.to_path_buf(),
            normalized,
            sentences,
            mentions,
            keep,
            line: 1,
            bytes_read: Arc::new(AtomicU64::new(0)),
            total_bytes,
        })
    }

    fn stage_error(&self, name: &str, line: u64, message: String) -> PipelineError {
        PipelineError::StageInput {
            path: self.dir.join(name).display().to_string(),
            line,
            message,
        }
    }

    fn next_work(&mut self) -> Result<Option<Work>, PipelineError> {
        let mut record = csv::StringRecord::new();
        let read = self.normalized.read_record(&mut record).map_err(|e| {
            self.stage_error(
                output::NORMALIZED,
                e.position().map_or(0, |p| p.line()),
                format!("malformed row: {e}"),
            )
        })?;
        if !read {
            return self.check_leftovers().map(|_| None);
        }
        self.line = record.position().map_or(self.line + 1, |p| p.line());
        self.bytes_read
            .store(record.position().map_or(0, |p| p.byte()), Ordering::Relaxed);
        let fixed = NormalizedRow::HEADER.len();
        let row: NormalizedRow = record
            .deserialize(None)
            .or_else(|_| {
                let head: csv::StringRecord = record.iter().take(fixed).collect();
                head.deserialize(None)
            })
            .map_err(|e| {
                self.stage_error(output::NORMALIZED, self.line, format!("malformed row: {e}"))
            })?;
        let meta: Vec<String> = record.iter().skip(fixed).map(str::to_string).collect();
        let lines = parse_lines(&row.lines, &row.text)
            .map_err(|message| self.stage_error(output::NORMALIZED, self.line, message))?;
        let status = Status::parse(&row.status);
        let mut work = Work {
            doc_id: row.doc_id,
            source: row.source,
            status,
            notes: if row.error.is_empty() {
                Vec::new()
            } else {
                vec![row.error]
            },
            invalid_bytes: row.invalid_bytes,
            meta,
            text: row.text,
            normalized: Some(Normalized {
                lines,
                dropped_bytes: row.dropped_bytes,
            }),
            sentences: None,
            mentions: None,
            claims: None,
        };
        if let Some(sentences) = self.sentences.as_mut() {
            let rows = sentences.take(&work.doc_id)?;
            let mut spans = Vec::with_capacity(rows.len());
            for (i, (line, row)) in rows.into_iter().enumerate() {
                if row.sent_id != i + 1 || !valid_span(&work.text, row.start, row.end) {
                    return Err(self.stage_error(
                        output::SENTENCES,
                        line,
                        format!("sentence {} of {:?} is out of order or off the text; rerun `claimstance segment`", row.sent_id, work.doc_id),
                    ));
                }
                spans.push(row.start..row.end);
            }
            work.sentences = Some(spans);
        }
        if let Some(mentions) = self.mentions.as_mut() {
            let rows = mentions.take(&work.doc_id)?;
            let n_sentences = work.sentences.as_ref().map_or(0, Vec::len);
            let mut found = Vec::with_capacity(rows.len());
            for (line, row) in rows {
                if row.sent_id == 0
                    || row.sent_id > n_sentences
                    || !valid_span(&work.text, row.start, row.end)
                {
                    return Err(self.stage_error(
                        output::MENTIONS,
                        line,
                        format!("mention of {:?} points outside its document; rerun `claimstance match`", work.doc_id),
                    ));
                }
                found.push(Mention {
                    sent: row.sent_id - 1,
                    start: row.start,
                    end: row.end,
                    actor: Arc::from(row.actor),
                    entity: Arc::from(row.entity),
                });
            }
            work.mentions = Some(found);
        }
        Ok(Some(work))
    }

    fn check_leftovers(&mut self) -> Result<(), PipelineError> {
        let first = self.first;
        for (name, leftover) in [
            (
                output::SENTENCES,
                self.sentences.as_mut().and_then(Grouped::leftover),
            ),
            (
                output::MENTIONS,
                self.mentions.as_mut().and_then(Grouped::leftover),
            ),
        ] {
            if let Some((line, doc_id)) = leftover {
                return Err(self.stage_error(
                    name,
                    line,
                    format!(
                        "rows of {doc_id:?} do not follow the order of normalized.csv; rerun the stages before {first:?} with the same --out folder"
                    ),
                ));
            }
        }
        Ok(())
    }
}

fn valid_span(text: &str, start: usize, end: usize) -> bool {
    start <= end && end <= text.len() && text.is_char_boundary(start) && text.is_char_boundary(end)
}

/// Parses `normalized.csv`'s `lines` column (`start-end` pairs).
fn parse_lines(lines: &str, text: &str) -> Result<Vec<Span>, String> {
    lines
        .split_ascii_whitespace()
        .map(|pair| {
            let (start, end) = pair
                .split_once('-')
                .ok_or_else(|| format!("bad line span {pair:?}"))?;
            let start: usize = start
                .parse()
                .map_err(|_| format!("bad line span {pair:?}"))?;
            let end: usize = end.parse().map_err(|_| format!("bad line span {pair:?}"))?;
            if valid_span(text, start, end) {
                Ok(start..end)
            } else {
                Err(format!(
                    "line span {pair:?} is off the text; rerun `claimstance normalize`"
                ))
            }
        })
        .collect()
}

fn format_lines(lines: &[Span]) -> String {
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

/// The open files of a run's output folder.
struct Writers {
    keep: Vec<String>,
    documents: CsvFile,
    normalized: Option<CsvFile>,
    sentences: Option<CsvFile>,
    mentions: Option<CsvFile>,
    claims: Option<CsvFile>,
    doc_stance: Option<CsvFile>,
    tally: Option<ActorTally>,
    last: Stage,
}

impl Writers {
    fn create(config: &Config, keep: &[String]) -> Result<Writers, PipelineError> {
        let dir = &config.out_dir;
        let excel = config.excel;
        let writes = |stage: Stage| config.first <= stage && stage <= config.last;
        let open =
            |stage: Stage, name: &str, header: &[&str]| -> Result<Option<CsvFile>, OutputError> {
                if writes(stage) {
                    CsvFile::create(dir, name, header, excel).map(Some)
                } else {
                    Ok(None)
                }
            };
        Ok(Writers {
            keep: keep.to_vec(),
            documents: CsvFile::create(
                dir,
                output::DOCUMENTS,
                &header_with(&DocumentRow::HEADER, keep),
                excel,
            )?,
            normalized: open(
                Stage::Normalize,
                output::NORMALIZED,
                &header_with(&NormalizedRow::HEADER, keep),
            )?,
            sentences: open(
                Stage::Segment,
                output::SENTENCES,
                &["doc_id", "sent_id", "start", "end", "text"],
            )?,
            mentions: open(
                Stage::Match,
                output::MENTIONS,
                &[
                    "doc_id", "sent_id", "start", "end", "actor", "entity", "surface",
                ],
            )?,
            claims: open(
                Stage::Score,
                output::CLAIMS,
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
            )?,
            doc_stance: open(
                Stage::Score,
                output::DOC_STANCE,
                &[
                    "doc_id",
                    "stance",
                    "score",
                    "n_claims",
                    "n_favor",
                    "n_against",
                ],
            )?,
            tally: writes(Stage::Score).then(ActorTally::default),
            last: config.last,
        })
    }

    fn write(&mut self, work: &Work, summary: &mut Summary) -> Result<(), PipelineError> {
        summary.documents += 1;
        summary.text_bytes += work.text.len() as u64;
        match work.status {
            Status::Error => summary.errors += 1,
            Status::Empty => summary.empty += 1,
            Status::Ok if !work.notes.is_empty() => summary.warned += 1,
            Status::Ok => {}
        }
        let meta: Vec<String> = work
            .meta
            .iter()
            .map(|m| safe_cell(m).into_owned())
            .collect();
        let normalized = work.normalized.as_ref();
        let dropped_bytes = normalized.map_or(0, |n| n.dropped_bytes);
        let error = work.error_text();
        if let Some(file) = self.normalized.as_mut() {
            file.row((
                NormalizedRow {
                    doc_id: work.doc_id.clone(),
                    source: safe_cell(&work.source).into_owned(),
                    status: work.status.as_str().to_string(),
                    error: safe_cell(&error).into_owned(),
                    bytes: work.text.len(),
                    dropped_bytes,
                    invalid_bytes: work.invalid_bytes,
                    lines: normalized
                        .map(|n| format_lines(&n.lines))
                        .unwrap_or_default(),
                    text: work.text.clone(),
                },
                &meta,
            ))?;
        }
        let sentences = work.sentences.as_deref().unwrap_or(&[]);
        let mentions = work.mentions.as_deref().unwrap_or(&[]);
        if let Some(file) = self.sentences.as_mut() {
            for (i, span) in sentences.iter().enumerate() {
                file.row(SentenceRow {
                    doc_id: work.doc_id.clone(),
                    sent_id: i + 1,
                    start: span.start,
                    end: span.end,
                    text: safe_cell(&collapse_whitespace(&work.text[span.clone()])).into_owned(),
                })?;
            }
        }
        if let Some(file) = self.mentions.as_mut() {
            for m in mentions {
                file.row(MentionRow {
                    doc_id: work.doc_id.clone(),
                    sent_id: m.sent + 1,
                    start: m.start,
                    end: m.end,
                    actor: m.actor.to_string(),
                    entity: safe_cell(&m.entity).into_owned(),
                    surface: safe_cell(&collapse_whitespace(&work.text[m.start..m.end]))
                        .into_owned(),
                })?;
            }
        }
        let no_claims = (Vec::new(), DocStance::default());
        let (claims, doc) = work.claims.as_ref().unwrap_or(&no_claims);
        if let Some(file) = self.claims.as_mut() {
            let mut by_sentence = mentions;
            for (i, span) in sentences.iter().enumerate() {
                let here = by_sentence.iter().take_while(|m| m.sent == i).count();
                let (sentence_mentions, rest) = by_sentence.split_at(here);
                by_sentence = rest;
                let claim = claims.get(i).cloned().unwrap_or_default();
                file.row(ClaimRow {
                    doc_id: work.doc_id.clone(),
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
                    text: safe_cell(&collapse_whitespace(&work.text[span.clone()])).into_owned(),
                })?;
            }
        }
        if let Some(file) = self.doc_stance.as_mut() {
            if work.status == Status::Ok {
                file.row(DocStanceRow {
                    doc_id: work.doc_id.clone(),
                    stance: doc.stance.as_str().to_string(),
                    score: format_score(doc.score),
                    n_claims: doc.n_claims,
                    n_favor: doc.n_favor,
                    n_against: doc.n_against,
                })?;
            }
        }
        if let Some(tally) = self.tally.as_mut() {
            tally.add_document(mentions, claims);
        }
        summary.sentences += sentences.len();
        summary.mentions += mentions.len();
        let n_claims = claims.iter().filter(|c| c.is_claim).count();
        summary.claims += n_claims;
        summary.favor += claims
            .iter()
            .filter(|c| c.is_claim && c.stance == Stance::Favor)
            .count();
        summary.against += claims
            .iter()
            .filter(|c| c.is_claim && c.stance == Stance::Against)
            .count();
        let ran = |stage: Stage, n: usize| (self.last >= stage).then_some(n);
        self.documents.row((
            DocumentRow {
                doc_id: work.doc_id.clone(),
                source: safe_cell(&work.source).into_owned(),
                bytes: work.text.len(),
                dropped_bytes,
                n_sentences: ran(Stage::Segment, sentences.len()),
                n_mentions: ran(Stage::Match, mentions.len()),
                n_claims: ran(Stage::Score, n_claims),
                status: work.status.as_str().to_string(),
                error: safe_cell(&error).into_owned(),
            },
            &meta,
        ))?;
        Ok(())
    }

    fn finish(
        self,
        config: &Config,
        lexicons: &Lexicons,
        summary: &Summary,
    ) -> Result<(), PipelineError> {
        let dir = &config.out_dir;
        self.documents.finish()?;
        for file in [
            self.normalized,
            self.sentences,
            self.mentions,
            self.claims,
            self.doc_stance,
        ]
        .into_iter()
        .flatten()
        {
            file.finish()?;
        }
        if let Some(tally) = self.tally {
            let mut file = CsvFile::create(
                dir,
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
                    Input::Path(p) => input_size(p),
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

/// The progress bar (on a terminal only) and the problem lines on stderr.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    quiet: bool,
    printed: std::sync::atomic::AtomicUsize,
}

impl Progress {
    fn new(config: &Config, total_bytes: Option<u64>) -> Progress {
        let bar = (!config.quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = match total_bytes {
                Some(total) => indicatif::ProgressBar::new(total),
                None => indicatif::ProgressBar::new_spinner(),
            };
            let template = if total_bytes.is_some() {
                "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}"
            } else {
                "{spinner} [{elapsed_precise}] {bytes} {binary_bytes_per_sec} {msg}"
            };
            if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
                bar.set_style(style);
            }
            bar
        });
        Progress {
            bar,
            quiet: config.quiet,
            printed: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    fn update(&self, bytes: u64, documents: usize) {
        if let Some(bar) = &self.bar {
            bar.set_position(bytes);
            bar.set_message(format!("{documents} docs"));
        }
    }

    fn eprintln(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    fn report_problem(&self, work: &Work) {
        if self.quiet || (work.status == Status::Ok && work.notes.is_empty()) {
            return;
        }
        let n = self.printed.fetch_add(1, Ordering::Relaxed);
        if n < MAX_PRINTED_PROBLEMS {
            let level = if work.status == Status::Ok {
                "warning"
            } else {
                work.status.as_str()
            };
            self.eprintln(&format!(
                "claimstance: {}: {level}: {}",
                work.source,
                work.error_text()
            ));
        }
    }

    fn hidden_problems(&self) -> usize {
        self.printed
            .load(Ordering::Relaxed)
            .saturating_sub(MAX_PRINTED_PROBLEMS)
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let mut seen = HashMap::new();
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
