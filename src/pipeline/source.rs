//! Where the documents of a run come from: the inputs (the normalize
//! stage), or the CSV files an earlier stage left in the output folder.

use super::{Config, PipelineError, Stage, Status, Work};
use crate::input::{Input, Reader, Record};
use crate::normalize::Normalized;
use crate::output::{self, MentionRow, NormalizedRow, SentenceRow};
use crate::types::{Mention, Span};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Where the documents of a run come from, handed out a chunk at a time.
pub(super) struct WorkSource {
    origin: Origin,
    /// Documents in the last chunk: room made for as many in the next one,
    /// rather than the chunk growing (and copying its documents) step by step.
    last_chunk: usize,
}

/// Where the documents of a run come from: the inputs (normalize) or the
/// files an earlier stage left in the output folder.
enum Origin {
    Inputs {
        reader: Box<Reader>,
        keep: usize,
        seen_ids: SeenIds,
        total_bytes: Option<u64>,
    },
    Folder(Box<StageFiles>),
}

impl WorkSource {
    pub(super) fn open(config: &Config) -> Result<(WorkSource, Vec<String>), PipelineError> {
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
            let origin = Origin::Inputs {
                reader: Box::new(Reader::new(&config.inputs, config.input_options.clone())),
                keep: keep.len(),
                seen_ids: SeenIds::default(),
                total_bytes,
            };
            Ok((WorkSource::new(origin), keep))
        } else {
            let files = StageFiles::open(&config.out_dir, config.first)?;
            let keep = files.keep.clone();
            Ok((WorkSource::new(Origin::Folder(Box::new(files))), keep))
        }
    }

    fn new(origin: Origin) -> WorkSource {
        WorkSource {
            origin,
            last_chunk: 0,
        }
    }

    pub(super) fn bytes_read(&self) -> Arc<AtomicU64> {
        match &self.origin {
            Origin::Inputs { reader, .. } => reader.bytes_read(),
            Origin::Folder(files) => Arc::clone(&files.bytes_read),
        }
    }

    pub(super) fn total_bytes(&self) -> Option<u64> {
        match &self.origin {
            Origin::Inputs { total_bytes, .. } => *total_bytes,
            Origin::Folder(files) => files.total_bytes,
        }
    }

    #[inline(never)]
    pub(super) fn next_chunk(&mut self, chunk_bytes: usize) -> Result<Vec<Work>, PipelineError> {
        const MAX_DOCS: usize = 8192;
        // A few more than last time, so that a chunk like the last one
        // fits without growing.
        let mut chunk = Vec::with_capacity((self.last_chunk + self.last_chunk / 8).min(MAX_DOCS));
        let mut bytes = 0;
        while bytes < chunk_bytes && chunk.len() < MAX_DOCS {
            let Some(work) = self.origin.next_work()? else {
                break;
            };
            bytes += work.text.len() + 64;
            chunk.push(work);
        }
        self.last_chunk = chunk.len();
        Ok(chunk)
    }
}

impl Origin {
    fn next_work(&mut self) -> Result<Option<Work>, PipelineError> {
        match self {
            Origin::Inputs {
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
            Origin::Folder(files) => files.next_work(),
        }
    }
}

pub(super) fn input_size(path: &Path) -> Option<u64> {
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

/// The document ids seen so far, kept as 64-bit hashes so that memory stays
/// small on dumps of millions of documents (a collision, about one in 10^8
/// for a million ids, would rename a document needlessly, never lose it).
#[derive(Debug, Default)]
pub(super) struct SeenIds {
    /// Hash of the id -> (times seen, record number of the first).
    ids: HashMap<u64, (u32, u64)>,
    records: u64,
}

impl SeenIds {
    fn hash(id: &str) -> u64 {
        use std::hash::{BuildHasher, BuildHasherDefault};
        BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(id)
    }
}

/// Renames the second and later documents with the same id to `id#2`, ...,
/// so that every row of every file joins unambiguously.
pub(super) fn make_id_unique(work: &mut Work, seen: &mut SeenIds) {
    seen.records += 1;
    let record = seen.records;
    let entry = seen
        .ids
        .entry(SeenIds::hash(&work.doc_id))
        .or_insert((0, record));
    entry.0 += 1;
    if entry.0 > 1 {
        let renamed = format!("{}#{}", work.doc_id, entry.0);
        work.notes.push(format!(
            "duplicate doc_id {:?} (first seen in record {} of the input); renamed {:?}",
            work.doc_id, entry.1, renamed
        ));
        work.doc_id = renamed;
    }
}

/// Reads back the files an earlier stage wrote, document by document.
pub(super) struct StageFiles {
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
                ..Normalized::default()
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
pub(super) fn parse_lines(lines: &str, text: &str) -> Result<Vec<Span>, String> {
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
