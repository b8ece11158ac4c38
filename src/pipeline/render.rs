//! Rendering a document's rows into CSV bytes (in parallel, on the worker
//! threads) and writing them, in input order, into the output folder's
//! files; then actor_stance.csv and manifest.json at the end of a run.

use super::cells::{write_number, Cell, Repeated, Row};
use super::progress::Progress;
use super::{Config, PipelineError, Stage, Status, Summary, Work};
use crate::input::Input;
use crate::lexicon::Lexicons;
use crate::output::{self, header_with, CsvFile, DocumentRow, NormalizedRow, OutputError};
use crate::score::ActorTally;
use crate::types::{Claim, Mention, Span};
use serde::Serialize;
use std::collections::VecDeque;

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

/// The rows of consecutive documents rendered as CSV bytes, one buffer per
/// file, and what the writer still needs of each document.
#[derive(Debug, Default)]
pub(super) struct Batch {
    files: [Vec<u8>; 6],
    docs: Vec<Written>,
    /// Reused for cells that must be rebuilt: collapsed text, joined lists.
    scratch: String,
    list: String,
}

/// Most buffer bytes the pool of emptied batches keeps for reuse (about
/// what the chunks in flight fill).
const POOLED_BYTES: usize = 32 << 20;

/// Batches the writer has emptied, handed back to the workers so that their
/// buffers are reused instead of being allocated and faulted in again.
#[derive(Debug, Default)]
pub(super) struct BatchPool {
    free: std::sync::Mutex<Pooled>,
}

/// The pool's contents. A batch's file buffers are kept apart from it, by
/// file and size class, so that a batch gets for each file a buffer of the
/// smallest class its rows fit in (batches of a few documents differ much
/// in size: one taken whole would seldom fit the next batch's rows), the
/// one given back last, whose bytes are likeliest still in a cache.
#[derive(Debug, Default)]
struct Pooled {
    /// Emptied batches without their file buffers.
    batches: Vec<Batch>,
    /// Emptied buffers of each file.
    files: [Classes; FILE_KINDS.len()],
    /// The capacity of the buffers in `files`.
    bytes: usize,
}

/// Size classes pooled; larger buffers are let go.
const CLASSES: usize = 64;

/// Emptied buffers by size class: every buffer of a class holds at least
/// [`class_bytes`] of it; the last one of a class came back last.
#[derive(Debug)]
struct Classes {
    buffers: [VecDeque<Vec<u8>>; CLASSES],
    /// Bit `c` set when class `c` holds a buffer.
    filled: u64,
}

impl Default for Classes {
    fn default() -> Classes {
        Classes {
            buffers: std::array::from_fn(|_| VecDeque::new()),
            filled: 0,
        }
    }
}

impl Classes {
    /// The buffer given back last of the smallest class from `class` up.
    fn take(&mut self, class: u32) -> Option<Vec<u8>> {
        let above = self.filled.checked_shr(class).filter(|&bits| bits != 0)?;
        let fit = class + above.trailing_zeros();
        self.take_from(fit, VecDeque::pop_back)
    }

    /// The oldest buffer of the smallest class.
    fn take_smallest(&mut self) -> Option<Vec<u8>> {
        let smallest = self.filled.trailing_zeros();
        self.take_from(smallest, VecDeque::pop_front)
    }

    fn take_from(
        &mut self,
        class: u32,
        pop: fn(&mut VecDeque<Vec<u8>>) -> Option<Vec<u8>>,
    ) -> Option<Vec<u8>> {
        let buffers = self.buffers.get_mut(class as usize)?;
        let buffer = pop(buffers);
        if buffers.is_empty() {
            self.filled &= !(1 << class);
        }
        buffer
    }

    /// Pools `buffer`, or hands it back when its class is not pooled.
    fn give(&mut self, buffer: Vec<u8>) -> Result<(), Vec<u8>> {
        let class = size_class(buffer.capacity(), false);
        match self.buffers.get_mut(class as usize) {
            Some(buffers) => {
                buffers.push_back(buffer);
                self.filled |= 1 << class;
                Ok(())
            }
            None => Err(buffer),
        }
    }

    #[cfg(test)]
    fn iter(&self) -> impl Iterator<Item = &Vec<u8>> {
        self.buffers.iter().flatten()
    }
}

/// The smallest buffer a batch gets, in bytes (size class 0).
const SMALLEST_BUFFER: usize = 4096;

/// The size class of buffers of `bytes` bytes: four classes per doubling,
/// so a buffer is at most a quarter larger than asked. `up` rounds a size
/// asked for up to its class; else a capacity is rounded down to the class
/// it holds.
fn size_class(bytes: usize, up: bool) -> u32 {
    if bytes <= SMALLEST_BUFFER {
        return 0;
    }
    // bytes in (2^k, 2^(k+1)] when rounding up, [2^k, 2^(k+1)) when down.
    let k = if up {
        usize::BITS - 1 - (bytes - 1).leading_zeros()
    } else {
        usize::BITS - 1 - bytes.leading_zeros()
    };
    let step = 1usize << (k - 2);
    let over = bytes - (1usize << k);
    let steps = if up { over.div_ceil(step) } else { over / step } as u32;
    (k - SMALLEST_BUFFER.trailing_zeros()) * 4 + steps
}

/// The bytes of a buffer of size class `class`.
fn class_bytes(class: u32) -> usize {
    let (k, steps) = (
        SMALLEST_BUFFER.trailing_zeros() + class / 4,
        (class % 4) as usize,
    );
    let base = 1usize.checked_shl(k).unwrap_or(usize::MAX);
    base.saturating_add(steps.saturating_mul(base / 4))
}

impl BatchPool {
    /// An empty batch whose file buffers hold at least `sizes` bytes.
    fn take(&self, sizes: &[usize; FILE_KINDS.len()]) -> Batch {
        let classes = sizes.map(|size| size_class(size, true));
        let mut batch = match self.free.lock() {
            Ok(mut free) => {
                let Pooled {
                    batches,
                    files,
                    bytes,
                } = &mut *free;
                let mut batch = batches.pop().unwrap_or_default();
                for ((file, pooled), &class) in batch.files.iter_mut().zip(files).zip(&classes) {
                    if let Some(buffer) = pooled.take(class) {
                        *bytes -= buffer.capacity();
                        *file = buffer;
                    }
                }
                batch
            }
            Err(_) => Batch::default(),
        };
        for ((file, &size), &class) in batch.files.iter_mut().zip(sizes).zip(&classes) {
            if file.capacity() < size {
                *file = Vec::with_capacity(class_bytes(class).max(size));
            }
        }
        batch
    }

    fn give(&self, mut batch: Batch) {
        batch.docs.clear();
        let mut files = std::mem::take(&mut batch.files);
        // What the pool has no room for, freed after the lock is released.
        let mut dropped = Vec::new();
        if let Ok(mut free) = self.free.lock() {
            let Pooled {
                batches,
                files: pooled,
                bytes,
            } = &mut *free;
            for (file, pooled) in files.iter_mut().zip(pooled.iter_mut()) {
                let mut file = std::mem::take(file);
                // Never taken from the pool (a batch of a poisoned lock).
                if file.capacity() < SMALLEST_BUFFER {
                    continue;
                }
                file.clear();
                let capacity = file.capacity();
                match pooled.give(file) {
                    Ok(()) => *bytes += capacity,
                    Err(file) => dropped.push(file),
                }
                // Over the limit, the file's smallest buffers go first,
                // the oldest of a class first.
                while *bytes > POOLED_BYTES {
                    let Some(smallest) = pooled.take_smallest() else {
                        break;
                    };
                    *bytes -= smallest.capacity();
                    dropped.push(smallest);
                }
            }
            batches.push(batch);
        }
        drop(dropped);
    }
}

/// What the writer thread needs of a document whose rows are rendered: its
/// counts, the annotations the actor tally adds up in input order, and the
/// problem line to print, if any. The counts are taken, and the annotations
/// the tally does not read dropped, on the worker that rendered them, where
/// they are still in the cache and were allocated.
#[derive(Debug)]
struct Written {
    status: Status,
    warned: bool,
    text_bytes: usize,
    n_sentences: usize,
    n_mentions: usize,
    /// Sentence units that are claims, and those in favor, against.
    n_claims: usize,
    n_favor: usize,
    n_against: usize,
    /// For the actor tally (empty when the run has none): every mention,
    /// and the claims it counts (claims with a holder), without their cues.
    mentions: Vec<Mention>,
    claims: Vec<Claim>,
    problem: Option<Problem>,
}

/// A document that was skipped, found empty, or annotated with a warning.
#[derive(Debug)]
pub(super) struct Problem {
    pub(super) source: String,
    pub(super) status: Status,
    pub(super) message: String,
}

/// Which files a run writes; renders documents on any thread.
#[derive(Debug, Clone)]
pub(super) struct Renderer {
    first: Stage,
    last: Stage,
}

/// Appends the actor codes of a sentence's mentions, first appearance first,
/// separated by `;`.
fn join_sentence_actors(mentions: &[Mention], out: &mut String) {
    out.clear();
    for (i, m) in mentions.iter().enumerate() {
        // Mentions of an actor share its lexicon's text: most equal codes
        // are found by address.
        let seen = |earlier: &Mention| {
            std::sync::Arc::ptr_eq(&earlier.actor, &m.actor) || earlier.actor == m.actor
        };
        if !mentions[..i].iter().any(seen) {
            if !out.is_empty() {
                out.push(';');
            }
            out.push_str(&m.actor);
        }
    }
}

/// Appends line spans as `start-end`, space-separated.
fn write_lines(out: &mut Vec<u8>, lines: &[Span]) {
    for (i, span) in lines.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        write_number(out, span.start);
        out.push(b'-');
        write_number(out, span.end);
    }
}

#[cfg(test)]
pub(super) fn format_lines(lines: &[Span]) -> String {
    let mut out = Vec::new();
    write_lines(&mut out, lines);
    String::from_utf8(out).unwrap_or_default()
}

/// The source text of a span (empty if the span is off the text).
fn slice(text: &str, span: std::ops::Range<usize>) -> &str {
    text.get(span).unwrap_or_default()
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

    /// Renders the rows of consecutive documents into a batch from `pool`,
    /// its buffers sized for them first so that they do not grow row by row.
    #[inline(never)]
    pub(super) fn render_batch(&self, works: Vec<Work>, pool: &BatchPool) -> Batch {
        let mut sizes = [0; FILE_KINDS.len()];
        for work in &works {
            for (size, bytes) in sizes.iter_mut().zip(self.estimate(work)) {
                *size += bytes;
            }
        }
        let mut batch = pool.take(&sizes);
        batch.docs.reserve(works.len());
        for work in works {
            self.render_into(work, &mut batch);
        }
        batch
    }

    /// About how many bytes `work` adds to each file (a little more, unless
    /// its text holds many `"`), in the order of [`FILE_KINDS`].
    fn estimate(&self, work: &Work) -> [usize; FILE_KINDS.len()] {
        /// A number field with its comma.
        const NUMBER: usize = 21;
        /// Room for `"` around a text field and a few doubled quotes in it.
        fn quoted(len: usize) -> usize {
            len + len / 32 + 8
        }
        let id = quoted(work.doc_id.len());
        let notes: usize = work.notes.iter().map(|n| n.len() + 2).sum();
        let meta: usize = work.meta.iter().map(|m| quoted(m.len()) + 1).sum();
        let sentences = work.sentences.as_deref().unwrap_or(&[]);
        let mentions = work.mentions.as_deref().unwrap_or(&[]);
        let claims = work.claims.as_ref().map_or(&[][..], |(c, _)| c.as_slice());
        let lines = work.normalized.as_ref().map_or(0, |n| n.lines.len());
        let sentence_bytes: usize = sentences
            .iter()
            .map(|span| quoted(span.end.saturating_sub(span.start)))
            .sum();
        let mention_bytes: usize = mentions
            .iter()
            .map(|m| m.actor.len() + quoted(m.entity.len()) + quoted(m.end.saturating_sub(m.start)))
            .sum();
        let claim_bytes: usize = claims
            .iter()
            .map(|c| {
                let cues: usize = c.cues.iter().map(|cue| cue.len() + 1).sum();
                c.holder.as_ref().map_or(0, |h| h.len()) + quoted(cues)
            })
            .sum();
        let actors: usize = mentions.iter().map(|m| m.actor.len() + 1).sum();
        let per_row = id + 4 * NUMBER;
        [
            per_row + quoted(work.source.len()) + 4 * NUMBER + quoted(notes) + meta,
            per_row
                + quoted(work.source.len())
                + quoted(notes)
                + lines * 2 * NUMBER
                + quoted(work.text.len())
                + meta,
            sentences.len() * per_row + sentence_bytes,
            mentions.len() * (per_row + 8) + mention_bytes,
            sentences.len() * (per_row + 3 * NUMBER + 32) + sentence_bytes + claim_bytes + actors,
            per_row + 3 * NUMBER,
        ]
    }

    /// Renders every row `work` contributes to the files this run writes at
    /// the end of `batch`, and keeps what the writer needs of it.
    fn render_into(&self, mut work: Work, batch: &mut Batch) {
        let error = work.error_text();
        self.render_rows(&work, &error, batch);
        let problem = (work.status != Status::Ok || !work.notes.is_empty()).then(|| Problem {
            source: std::mem::take(&mut work.source),
            status: work.status,
            message: error,
        });
        let mut mentions = work.mentions.take().unwrap_or_default();
        // The document's stance counted its claims already.
        let (mut claims, n_claims, n_favor, n_against) = match work.claims.take() {
            Some((claims, doc)) => (claims, doc.n_claims, doc.n_favor, doc.n_against),
            None => (Vec::new(), 0, 0, 0),
        };
        let n_mentions = mentions.len();
        if self.writes(FileKind::Claims) {
            // What `ActorTally::add_document` reads, in the same order.
            claims.retain(|c| c.is_claim && c.holder.is_some());
            for claim in &mut claims {
                claim.cues = Vec::new();
            }
        } else {
            mentions = Vec::new();
            claims = Vec::new();
        }
        batch.docs.push(Written {
            status: work.status,
            warned: work.status == Status::Ok && !work.notes.is_empty(),
            text_bytes: work.text.len(),
            n_sentences: work.sentences.as_ref().map_or(0, Vec::len),
            n_mentions,
            n_claims,
            n_favor,
            n_against,
            mentions,
            claims,
            problem,
        });
    }

    fn render_rows(&self, work: &Work, error: &str, batch: &mut Batch) {
        let [documents, normalized, sentence_rows, mention_rows, claim_rows, doc_stance] =
            &mut batch.files;
        let (scratch, list) = (&mut batch.scratch, &mut batch.list);
        let dropped_bytes = work.normalized.as_ref().map_or(0, |n| n.dropped_bytes);
        let sentences = work.sentences.as_deref().unwrap_or(&[]);
        let mentions = work.mentions.as_deref().unwrap_or(&[]);
        let claims = work
            .claims
            .as_ref()
            .map(|(c, _)| c.as_slice())
            .unwrap_or(&[]);
        let text = work.text.as_str();
        // Written in every row: its quoting is found once.
        let doc_id = &Repeated::exact(&work.doc_id);

        let ran = |stage: Stage, n: usize| (self.last >= stage).then_some(n);
        let mut row = Row::new(documents);
        row.repeated(doc_id);
        row.safe(&work.source);
        row.number(text.len());
        row.number(dropped_bytes);
        row.number_or_empty(ran(Stage::Segment, sentences.len()));
        row.number_or_empty(ran(Stage::Match, mentions.len()));
        row.number_or_empty(ran(
            Stage::Score,
            claims.iter().filter(|c| c.is_claim).count(),
        ));
        row.plain(work.status.as_str().as_bytes());
        row.safe(error);
        for meta in &work.meta {
            row.safe(meta);
        }
        row.end();

        if self.writes(FileKind::Normalized) {
            let mut row = Row::new(normalized);
            row.repeated(doc_id);
            row.safe(&work.source);
            row.plain(work.status.as_str().as_bytes());
            row.safe(error);
            row.number(text.len());
            row.number(dropped_bytes);
            row.number(work.invalid_bytes);
            let lines = work.normalized.as_ref().map_or(&[][..], |n| &n.lines);
            write_lines(row.begin_raw(), lines);
            row.text(text);
            for meta in &work.meta {
                row.safe(meta);
            }
            row.end();
        }

        // sentences.csv and claims.csv share each sentence's cell text.
        let write_sentences = self.writes(FileKind::Sentences);
        let write_claims = self.writes(FileKind::Claims);
        if write_sentences || write_claims {
            let no_claim = Claim::default();
            let mut rest = mentions;
            for (i, span) in sentences.iter().enumerate() {
                let cell = Cell::collapsed(slice(text, span.clone()), scratch);
                // The bytes of the cell as the sentence row wrote them.
                let mut written = 0..0;
                if write_sentences {
                    let mut row = Row::new(sentence_rows);
                    row.repeated(doc_id);
                    row.number(i + 1);
                    row.number(span.start);
                    row.number(span.end);
                    written = row.cell_at(&cell);
                    row.end();
                }
                if write_claims {
                    let here = rest.iter().take_while(|m| m.sent == i).count();
                    let (sentence_mentions, after) = rest.split_at(here);
                    rest = after;
                    let claim = claims.get(i).unwrap_or(&no_claim);
                    let mut row = Row::new(claim_rows);
                    row.repeated(doc_id);
                    row.number(i + 1);
                    row.plain(if claim.is_claim { b"1" } else { b"0" });
                    // Claim types and stances are fixed words: no quotes.
                    row.plain(
                        claim
                            .claim_type
                            .map(|t| t.as_str())
                            .unwrap_or_default()
                            .as_bytes(),
                    );
                    row.text(claim.holder.as_deref().unwrap_or_default());
                    row.plain(claim.stance.as_str().as_bytes());
                    row.score(claim.score);
                    if claim.cues.is_empty() {
                        row.empty();
                    } else {
                        list.clear();
                        for (j, cue) in claim.cues.iter().enumerate() {
                            if j > 0 {
                                list.push(';');
                            }
                            list.push_str(cue);
                        }
                        row.safe(list);
                    }
                    if sentence_mentions.is_empty() {
                        row.empty();
                    } else {
                        join_sentence_actors(sentence_mentions, list);
                        row.text(list);
                    }
                    match sentence_rows.get(written) {
                        Some(field) if write_sentences => row.written(field),
                        _ => row.cell(&cell),
                    }
                    row.end();
                }
            }
        }

        if self.writes(FileKind::Mentions) {
            for m in mentions {
                let mut row = Row::new(mention_rows);
                row.repeated(doc_id);
                row.number(m.sent + 1);
                row.number(m.start);
                row.number(m.end);
                row.text(&m.actor);
                row.safe(&m.entity);
                row.cell(&Cell::collapsed(slice(text, m.start..m.end), scratch));
                row.end();
            }
        }

        if self.writes(FileKind::DocStance) {
            if let (Status::Ok, Some((_, doc))) = (work.status, &work.claims) {
                let mut row = Row::new(doc_stance);
                row.repeated(doc_id);
                row.plain(doc.stance.as_str().as_bytes());
                row.score(doc.score);
                row.number(doc.n_claims);
                row.number(doc.n_favor);
                row.number(doc.n_against);
                row.end();
            }
        }
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
                    config.buffered_output,
                )?,
            ));
        }
        Ok(Writers {
            keep: keep.to_vec(),
            files,
            tally: renderer.writes(FileKind::Claims).then(ActorTally::default),
        })
    }

    /// Writes the rendered rows of a chunk's batches, in order, and adds
    /// their documents to the totals, reporting their problems.
    #[inline(never)]
    pub(super) fn write(
        &mut self,
        batches: Vec<Batch>,
        summary: &mut Summary,
        progress: &Progress,
        pool: &BatchPool,
    ) -> Result<(), PipelineError> {
        for (kind, file) in &mut self.files {
            for batch in &batches {
                file.write_bytes(&batch.files[*kind as usize])?;
            }
        }
        for batch in batches {
            for doc in &batch.docs {
                summary.documents += 1;
                summary.text_bytes += doc.text_bytes as u64;
                match doc.status {
                    Status::Error => summary.errors += 1,
                    Status::Empty => summary.empty += 1,
                    Status::Ok if doc.warned => summary.warned += 1,
                    Status::Ok => {}
                }
                summary.sentences += doc.n_sentences;
                summary.mentions += doc.n_mentions;
                summary.claims += doc.n_claims;
                summary.favor += doc.n_favor;
                summary.against += doc.n_against;
                if let Some(tally) = self.tally.as_mut() {
                    tally.add_document(&doc.mentions, &doc.claims);
                }
                if let Some(problem) = &doc.problem {
                    progress.report_problem(problem);
                }
            }
            pool.give(batch);
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
                config.buffered_output,
            )?;
            // The bytes `ActorStanceRow`s would serialize to, without a
            // serializer per row.
            let mut rows = Vec::new();
            for (actor, totals) in tally.actors.iter() {
                let mut row = Row::new(&mut rows);
                row.safe(actor);
                row.number(totals.n_docs);
                row.number(totals.n_mentions);
                row.number(totals.n_claims_held);
                row.number(totals.n_favor);
                row.number(totals.n_against);
                row.score(totals.score());
                row.end();
            }
            file.write_bytes(&rows)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn addresses(batch: &Batch) -> Vec<*const u8> {
        batch.files.iter().map(|f| f.as_ptr()).collect()
    }

    #[test]
    fn pooled_buffers_go_to_the_batches_they_fit() {
        let pool = BatchPool::default();
        let (small, large) = ([10; 6], [100_000; 6]);
        let big = pool.take(&large);
        assert!(big.files.iter().all(|f| f.capacity() >= 100_000));
        let little = pool.take(&small);
        let (big_buffers, little_buffers) = (addresses(&big), addresses(&little));
        pool.give(big);
        pool.give(little);
        // Large rows get the large buffers back, though the small ones came
        // back last.
        let again_big = pool.take(&large);
        assert_eq!(addresses(&again_big), big_buffers);
        let again_little = pool.take(&small);
        assert_eq!(addresses(&again_little), little_buffers);
        assert!(again_little.files.iter().all(Vec::is_empty));
    }

    #[test]
    fn size_classes_hold_what_they_are_asked_for() {
        let mut sizes: Vec<usize> = (0..70_000).step_by(7).collect();
        sizes.extend((12..62).flat_map(|k| {
            let p = 1usize << k;
            [p - 1, p, p + 1, p + p / 4, p + p / 4 + 1]
        }));
        for size in sizes {
            let up = size_class(size, true);
            assert!(class_bytes(up) >= size, "{size}");
            assert!(
                class_bytes(up) <= (size + size / 4).max(SMALLEST_BUFFER),
                "{size}"
            );
            if size >= SMALLEST_BUFFER {
                let down = size_class(size, false);
                assert!(class_bytes(down) <= size, "{size}");
                assert!(class_bytes(down + 1) > size, "{size}");
            }
        }
    }

    #[test]
    fn the_pool_keeps_no_more_than_its_limit() {
        let pool = BatchPool::default();
        let huge = [POOLED_BYTES / 8; 6];
        let batches: Vec<Batch> = (0..3).map(|_| pool.take(&huge)).collect();
        for batch in batches {
            pool.give(batch);
        }
        let Ok(free) = pool.free.lock() else {
            panic!("pool lock poisoned");
        };
        let pooled: usize = free
            .files
            .iter()
            .flat_map(Classes::iter)
            .map(Vec::capacity)
            .sum();
        assert_eq!(free.bytes, pooled);
        assert!(pooled <= POOLED_BYTES && pooled > 0, "{pooled}");
    }
}
