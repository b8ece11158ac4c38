//! Loading: a gold folder and a run's output folder read into per-document
//! units (sentences with their claim labels, mentions, document stance), with
//! every malformed row reported by file and line, and offsets checked against
//! the source texts when those are known.

use super::table::{read_table, EvalProblem, Row, Table};
use crate::annotate::Annotation;
use crate::text::collapse_whitespace;
use crate::types::{ClaimType, Span, Stance};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// The claim decision of one sentence unit.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClaimLabel {
    pub is_claim: bool,
    pub claim_type: Option<ClaimType>,
    /// Actor code, `OTHER` or `AUTHOR`; `None` when not a claim.
    pub holder: Option<String>,
    pub stance: Stance,
}

/// One sentence unit and its claim label.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sentence {
    pub sent_id: u64,
    pub span: Span,
    /// The `text` cell (whitespace-collapsed source slice), empty if absent.
    pub text: String,
    pub claim: ClaimLabel,
    /// Line of the row in sentences.csv (0 for units built in code).
    pub line: u64,
}

/// One actor mention.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MentionRow {
    pub sent_id: u64,
    pub span: Span,
    pub actor: String,
    pub surface: String,
    /// Line of the row in mentions.csv (0 for mentions built in code).
    pub line: u64,
}

/// Everything annotated (gold) or produced (run) for one document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Doc {
    pub id: String,
    pub stance: Stance,
    /// Gold documents.csv `note`, shown in the diff.
    pub note: String,
    /// The source text the offsets refer to, when known.
    pub source: Option<String>,
    /// In file order.
    pub sentences: Vec<Sentence>,
    pub mentions: Vec<MentionRow>,
}

/// The gold annotations, documents in documents.csv order.
#[derive(Debug, Clone, Default)]
pub struct GoldSet {
    pub docs: Vec<Doc>,
    /// The folder it was read from (empty when built in code).
    pub dir: PathBuf,
}

/// A run's output for the gold documents, by doc_id.
#[derive(Debug, Clone, Default)]
pub struct PredSet {
    pub docs: BTreeMap<String, Doc>,
    /// The folder it was read from (empty when built in code).
    pub dir: PathBuf,
    /// Gold documents the run marked with a status other than `ok` or
    /// `error` (e.g. `empty`): (doc_id, status, error). A gold document with
    /// status `error` is a load problem.
    pub not_ok: Vec<(String, String, String)>,
}

/// Problems found while checking offsets against source texts.
#[derive(Debug, Clone, Default)]
pub struct SourceCheck {
    pub errors: Vec<EvalProblem>,
    /// Text cells that disagree with the source slice they name.
    pub warnings: Vec<EvalProblem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Gold,
    Pred,
}

impl GoldSet {
    /// Reads `documents.csv`, `sentences.csv`, `mentions.csv` and
    /// `claims.csv` of a gold folder; fails with every problem found.
    pub fn load(dir: &Path) -> Result<GoldSet, Vec<EvalProblem>> {
        let mut problems = Vec::new();
        let mut docs = Vec::new();
        if let Some(mut table) = read_table(
            &dir.join("documents.csv"),
            &["doc_id", "stance"],
            &["note"],
            &mut problems,
        ) {
            let mut seen = HashMap::new();
            while let Some(row) = table.next_row(&mut problems) {
                let row = &row;
                let Some(id) = take(parse_id(row.get(0)), &table, row, &mut problems) else {
                    continue;
                };
                let stance = take(parse_stance(row.get(1)), &table, row, &mut problems);
                if let Some(first) = seen.insert(id.clone(), row.line) {
                    problems.push(duplicate(&table, row, &format!("doc_id {id}"), first));
                    continue;
                }
                docs.push(Doc {
                    id,
                    stance: stance.unwrap_or_default(),
                    note: row.get(2).trim().to_string(),
                    ..Doc::default()
                });
            }
        }
        let mut folder = Folder::new(Side::Gold, docs, |_| true);
        folder.read_units(dir, &mut problems);
        if problems.is_empty() {
            Ok(GoldSet {
                docs: folder.docs,
                dir: dir.to_path_buf(),
            })
        } else {
            Err(problems)
        }
    }

    pub fn ids(&self) -> Vec<String> {
        self.docs.iter().map(|d| d.id.clone()).collect()
    }

    /// Attaches source texts (doc_id → text) and checks every offset against
    /// them: inside the text, on character boundaries, sentence text and
    /// mention surface equal to the slice they name.
    pub fn check_sources(&mut self, sources: &BTreeMap<String, String>) -> SourceCheck {
        let mut check = SourceCheck::default();
        for doc in &mut self.docs {
            doc.source = sources.get(&doc.id).cloned();
            check_doc(doc, Side::Gold, &self.dir, &mut check);
        }
        check
    }
}

impl PredSet {
    /// Reads a run's output folder (`documents.csv`, `sentences.csv`,
    /// `mentions.csv`, `claims.csv`, `doc_stance.csv`), keeping the documents
    /// in `gold_ids`. Every row is validated; a gold document absent from
    /// the run is a problem.
    pub fn load(dir: &Path, gold_ids: &[String]) -> Result<PredSet, Vec<EvalProblem>> {
        let mut problems = Vec::new();
        let mut run_ids = Vec::new();
        let mut not_ok = Vec::new();
        let wanted: BTreeSet<&str> = gold_ids.iter().map(String::as_str).collect();
        let documents = dir.join("documents.csv");
        let table = read_table(&documents, &["doc_id"], &["status", "error"], &mut problems);
        if let Some(mut table) = table {
            let mut seen = HashMap::new();
            while let Some(row) = table.next_row(&mut problems) {
                let row = &row;
                let Some(id) = take(parse_id(row.get(0)), &table, row, &mut problems) else {
                    continue;
                };
                if let Some(first) = seen.insert(id.clone(), row.line) {
                    problems.push(duplicate(&table, row, &format!("doc_id {id}"), first));
                    continue;
                }
                let status = row.get(1).trim();
                let error = row.get(2).trim();
                if wanted.contains(id.as_str()) {
                    match status {
                        "" | "ok" => {}
                        "error" => problems.push(EvalProblem::new(
                            &table.file,
                            row.line,
                            format!(
                                "the run failed on gold document {id} ({error}); fix its input \
                                 and run again"
                            ),
                        )),
                        _ => not_ok.push((id.clone(), status.to_string(), error.to_string())),
                    }
                }
                run_ids.push(id);
            }
            for id in gold_ids {
                if !seen.contains_key(id) {
                    problems.push(EvalProblem::new(
                        &table.file,
                        0,
                        format!(
                            "gold document {id} is missing from the run; run claimstance on \
                             the gold's source texts, or remove {id} from the gold"
                        ),
                    ));
                }
            }
        }
        let docs = run_ids
            .into_iter()
            .map(|id| Doc {
                id,
                ..Doc::default()
            })
            .collect();
        let mut folder = Folder::new(Side::Pred, docs, |id| wanted.contains(id));
        folder.read_units(dir, &mut problems);
        folder.read_doc_stance(dir, &wanted, &mut problems);
        if !problems.is_empty() {
            return Err(problems);
        }
        let docs = folder
            .docs
            .into_iter()
            .filter(|d| wanted.contains(d.id.as_str()))
            .map(|d| (d.id.clone(), d))
            .collect();
        Ok(PredSet {
            docs,
            dir: dir.to_path_buf(),
            not_ok,
        })
    }

    /// Adds a document annotated in process (no run folder needed), so a
    /// stage can be scored from a test: `sent_id` is the 1-based unit index.
    pub fn insert_annotation(&mut self, id: &str, source: &str, annotation: &Annotation) {
        let sentences = annotation
            .sentences
            .iter()
            .enumerate()
            .map(|(i, span)| {
                let claim = annotation.claims.get(i).cloned().unwrap_or_default();
                Sentence {
                    sent_id: i as u64 + 1,
                    span: span.clone(),
                    text: source
                        .get(span.clone())
                        .map(collapse_whitespace)
                        .unwrap_or_default(),
                    claim: ClaimLabel {
                        is_claim: claim.is_claim,
                        claim_type: claim.claim_type,
                        holder: claim.holder.map(|h| h.to_string()),
                        stance: claim.stance,
                    },
                    line: 0,
                }
            })
            .collect();
        let mentions = annotation
            .mentions
            .iter()
            .map(|m| MentionRow {
                sent_id: m.sent as u64 + 1,
                span: m.start..m.end,
                actor: m.actor.to_string(),
                surface: source.get(m.start..m.end).unwrap_or_default().to_string(),
                line: 0,
            })
            .collect();
        let doc = Doc {
            id: id.to_string(),
            stance: annotation.doc.stance,
            note: String::new(),
            source: Some(source.to_string()),
            sentences,
            mentions,
        };
        self.docs.insert(id.to_string(), doc);
    }

    /// Attaches source texts and checks that every offset lies inside the
    /// text and on character boundaries.
    pub fn check_sources(&mut self, sources: &BTreeMap<String, String>) -> SourceCheck {
        let mut check = SourceCheck::default();
        for doc in self.docs.values_mut() {
            doc.source = sources.get(&doc.id).cloned();
            check_doc(doc, Side::Pred, &self.dir, &mut check);
        }
        check
    }
}

/// The documents of one folder while its unit files are read.
struct Folder {
    side: Side,
    docs: Vec<Doc>,
    /// Per document: whether its units are kept (rows of other documents
    /// are only checked for format, so a huge run is not held in memory).
    kept: Vec<bool>,
    index: HashMap<String, usize>,
    /// Per document: sent_id → index into `sentences`.
    sent_index: Vec<HashMap<u64, usize>>,
    /// Per document: which sentences got a claims row (line of that row).
    claim_lines: Vec<HashMap<u64, u64>>,
    sentences_file: String,
    mentions_file: String,
    /// Whether every row of sentences.csv / claims.csv was readable; rows
    /// that refer to them are only checked against a clean file, so one bad
    /// row does not cascade into more problems.
    sentences_clean: bool,
    claims_clean: bool,
}

impl Folder {
    fn new(side: Side, docs: Vec<Doc>, keep: impl Fn(&str) -> bool) -> Folder {
        let kept = docs.iter().map(|d| keep(&d.id)).collect();
        let index = docs
            .iter()
            .enumerate()
            .map(|(i, d)| (d.id.clone(), i))
            .collect();
        let n = docs.len();
        Folder {
            side,
            kept,
            docs,
            index,
            sent_index: vec![HashMap::new(); n],
            claim_lines: vec![HashMap::new(); n],
            sentences_file: String::new(),
            mentions_file: String::new(),
            sentences_clean: false,
            claims_clean: false,
        }
    }

    fn is_kept(&self, doc: usize) -> bool {
        self.kept.get(doc).copied().unwrap_or(false)
    }

    /// The index of a row's document, or a problem naming the unknown id.
    fn doc_of(&self, table: &Table, row: &Row, problems: &mut Vec<EvalProblem>) -> Option<usize> {
        let id = take(parse_id(row.get(0)), table, row, problems)?;
        let found = self.index.get(&id).copied();
        if found.is_none() {
            problems.push(EvalProblem::new(
                &table.file,
                row.line,
                format!("doc_id {id} is not in documents.csv; add it there or drop this row"),
            ));
        }
        found
    }

    fn read_units(&mut self, dir: &Path, problems: &mut Vec<EvalProblem>) {
        self.read_sentences(dir, problems);
        self.read_claims(dir, problems);
        self.read_mentions(dir, problems);
        self.check_structure(problems);
    }

    fn read_sentences(&mut self, dir: &Path, problems: &mut Vec<EvalProblem>) {
        let (required, optional): (&[&str], &[&str]) = match self.side {
            Side::Gold => (&["doc_id", "sent_id", "start", "end", "text"], &[]),
            Side::Pred => (&["doc_id", "sent_id", "start", "end"], &["text"]),
        };
        let path = dir.join("sentences.csv");
        self.sentences_file = path.display().to_string();
        let before = problems.len();
        let Some(mut table) = read_table(&path, required, optional, problems) else {
            return;
        };
        while let Some(row) = table.next_row(problems) {
            let row = &row;
            let doc = self.doc_of(&table, row, problems);
            let sent_id = take(parse_number(row.get(1), "sent_id"), &table, row, problems);
            let span = take(parse_span(row.get(2), row.get(3)), &table, row, problems);
            let (Some(doc), Some(sent_id), Some(span)) = (doc, sent_id, span) else {
                continue;
            };
            if !self.is_kept(doc) {
                continue;
            }
            let (Some(units), Some(index)) = (self.docs.get_mut(doc), self.sent_index.get_mut(doc))
            else {
                continue;
            };
            if let Some(&first) = index.get(&sent_id) {
                let first_line = units.sentences.get(first).map_or(0, |s| s.line);
                problems.push(duplicate(
                    &table,
                    row,
                    &format!("sentence {} #{sent_id}", units.id),
                    first_line,
                ));
                continue;
            }
            index.insert(sent_id, units.sentences.len());
            units.sentences.push(Sentence {
                sent_id,
                span,
                text: row.get(4).to_string(),
                claim: ClaimLabel::default(),
                line: row.line,
            });
        }
        self.sentences_clean = problems.len() == before;
    }

    fn read_claims(&mut self, dir: &Path, problems: &mut Vec<EvalProblem>) {
        let before = problems.len();
        let Some(mut table) = read_table(
            &dir.join("claims.csv"),
            &[
                "doc_id",
                "sent_id",
                "is_claim",
                "claim_type",
                "holder",
                "stance",
            ],
            &[],
            problems,
        ) else {
            return;
        };
        while let Some(row) = table.next_row(problems) {
            let row = &row;
            let doc = self.doc_of(&table, row, problems);
            let sent_id = take(parse_number(row.get(1), "sent_id"), &table, row, problems);
            let label = take(parse_claim(row, self.side), &table, row, problems);
            let (Some(doc), Some(sent_id), Some(label)) = (doc, sent_id, label) else {
                continue;
            };
            if !self.is_kept(doc) {
                continue;
            }
            let (Some(units), Some(index), Some(lines)) = (
                self.docs.get_mut(doc),
                self.sent_index.get(doc),
                self.claim_lines.get_mut(doc),
            ) else {
                continue;
            };
            let Some(sentence) = index
                .get(&sent_id)
                .and_then(|&i| units.sentences.get_mut(i))
            else {
                if !self.sentences_clean {
                    continue;
                }
                problems.push(EvalProblem::new(
                    &table.file,
                    row.line,
                    format!(
                        "{} has no sentence #{sent_id} in {}",
                        units.id, self.sentences_file
                    ),
                ));
                continue;
            };
            if let Some(first) = lines.insert(sent_id, row.line) {
                problems.push(duplicate(
                    &table,
                    row,
                    &format!("claim of sentence {} #{sent_id}", units.id),
                    first,
                ));
                continue;
            }
            sentence.claim = label;
        }
        self.claims_clean = problems.len() == before;
    }

    fn read_mentions(&mut self, dir: &Path, problems: &mut Vec<EvalProblem>) {
        let (required, optional): (&[&str], &[&str]) = match self.side {
            Side::Gold => (
                &["doc_id", "sent_id", "start", "end", "actor", "surface"],
                &[],
            ),
            Side::Pred => (
                &["doc_id", "sent_id", "start", "end", "actor"],
                &["surface"],
            ),
        };
        let path = dir.join("mentions.csv");
        self.mentions_file = path.display().to_string();
        let Some(mut table) = read_table(&path, required, optional, problems) else {
            return;
        };
        let mut seen: HashMap<(usize, usize, usize), u64> = HashMap::new();
        while let Some(row) = table.next_row(problems) {
            let row = &row;
            let doc = self.doc_of(&table, row, problems);
            let sent_id = take(parse_number(row.get(1), "sent_id"), &table, row, problems);
            let span = take(parse_span(row.get(2), row.get(3)), &table, row, problems);
            let actor = take(parse_actor(row.get(4)), &table, row, problems);
            let (Some(doc), Some(sent_id), Some(span), Some(actor)) = (doc, sent_id, span, actor)
            else {
                continue;
            };
            if !self.is_kept(doc) {
                continue;
            }
            let Some(units) = self.docs.get_mut(doc) else {
                continue;
            };
            if self.side == Side::Gold {
                if let Some(first) = seen.insert((doc, span.start, span.end), row.line) {
                    problems.push(duplicate(
                        &table,
                        row,
                        &format!("mention {} {}..{}", units.id, span.start, span.end),
                        first,
                    ));
                    continue;
                }
                let sentence = self
                    .sent_index
                    .get(doc)
                    .and_then(|index| index.get(&sent_id))
                    .and_then(|&i| units.sentences.get(i));
                match sentence {
                    None if !self.sentences_clean => continue,
                    None => {
                        problems.push(EvalProblem::new(
                            &table.file,
                            row.line,
                            format!(
                                "{} has no sentence #{sent_id} in {}",
                                units.id, self.sentences_file
                            ),
                        ));
                        continue;
                    }
                    Some(s) if span.start < s.span.start || span.end > s.span.end => {
                        problems.push(EvalProblem::new(
                            &table.file,
                            row.line,
                            format!(
                                "mention {}..{} lies outside its sentence #{sent_id} ({}..{}); \
                                 fix the offsets or the sent_id",
                                span.start, span.end, s.span.start, s.span.end
                            ),
                        ));
                        continue;
                    }
                    Some(_) => {}
                }
            }
            units.mentions.push(MentionRow {
                sent_id,
                span,
                actor,
                surface: row.get(5).to_string(),
                line: row.line,
            });
        }
    }

    /// Every sentence has a claims row; gold sentences and gold mentions do
    /// not overlap one another.
    fn check_structure(&self, problems: &mut Vec<EvalProblem>) {
        for (doc, lines) in self.docs.iter().zip(&self.claim_lines) {
            for s in &doc.sentences {
                if self.claims_clean && !lines.contains_key(&s.sent_id) {
                    problems.push(EvalProblem::new(
                        &self.sentences_file,
                        s.line,
                        format!(
                            "sentence {} #{} has no row in claims.csv; add one \
                             (is_claim 0, stance neutral when it is not a claim)",
                            doc.id, s.sent_id
                        ),
                    ));
                }
            }
            if self.side == Side::Pred {
                continue;
            }
            let spans = doc.sentences.iter().map(|s| (&s.span, s.line));
            problems.extend(overlaps(spans, &self.sentences_file, "sentence"));
            let spans = doc.mentions.iter().map(|m| (&m.span, m.line));
            problems.extend(overlaps(spans, &self.mentions_file, "mention"));
        }
    }

    fn read_doc_stance(
        &mut self,
        dir: &Path,
        wanted: &BTreeSet<&str>,
        problems: &mut Vec<EvalProblem>,
    ) {
        let before = problems.len();
        let Some(mut table) = read_table(
            &dir.join("doc_stance.csv"),
            &["doc_id", "stance"],
            &[],
            problems,
        ) else {
            return;
        };
        let mut seen = HashMap::new();
        while let Some(row) = table.next_row(problems) {
            let row = &row;
            let doc = self.doc_of(&table, row, problems);
            let stance = take(parse_stance(row.get(1)), &table, row, problems);
            let (Some(doc), Some(stance)) = (doc, stance) else {
                continue;
            };
            if let Some(first) = seen.insert(doc, row.line) {
                let id = self.docs.get(doc).map_or("", |d| d.id.as_str());
                problems.push(duplicate(&table, row, &format!("doc_id {id}"), first));
                continue;
            }
            if let Some(d) = self.docs.get_mut(doc) {
                d.stance = stance;
            }
        }
        let clean = problems.len() == before;
        for (i, doc) in self.docs.iter().enumerate() {
            if clean && wanted.contains(doc.id.as_str()) && !seen.contains_key(&i) {
                problems.push(EvalProblem::new(
                    &table.file,
                    0,
                    format!("no row for gold document {}", doc.id),
                ));
            }
        }
    }
}

/// Problems for spans (with their lines) that overlap an earlier one.
fn overlaps<'a>(
    spans: impl Iterator<Item = (&'a Span, u64)>,
    file: &str,
    what: &str,
) -> Vec<EvalProblem> {
    let mut sorted: Vec<(&Span, u64)> = spans.collect();
    sorted.sort_by_key(|(span, line)| (span.start, span.end, *line));
    let mut problems = Vec::new();
    let mut reach: Option<(usize, u64)> = None;
    for (span, line) in sorted {
        if let Some((end, other)) = reach {
            if span.start < end {
                problems.push(EvalProblem::new(
                    file,
                    line,
                    format!(
                        "{what} {}..{} overlaps the {what} on line {other}; units must not overlap",
                        span.start, span.end
                    ),
                ));
            }
        }
        if reach.is_none_or(|(end, _)| span.end > end) {
            reach = Some((span.end, line));
        }
    }
    problems
}

/// Checks one document's offsets against its source text, if it has one.
fn check_doc(doc: &Doc, side: Side, dir: &Path, check: &mut SourceCheck) {
    let Some(src) = doc.source.as_deref() else {
        return;
    };
    let file = |name: &str| dir.join(name).display().to_string();
    for s in &doc.sentences {
        let place = file("sentences.csv");
        match slice_problem(src, &s.span) {
            Some(problem) => check.errors.push(EvalProblem::new(
                &place,
                s.line,
                format!("{}: {problem}", doc.id),
            )),
            None if side == Side::Gold => {
                let slice = src.get(s.span.clone()).unwrap_or_default();
                if slice.trim().is_empty() {
                    check.errors.push(EvalProblem::new(
                        &place,
                        s.line,
                        format!("{}: sentence #{} holds only whitespace", doc.id, s.sent_id),
                    ));
                } else if collapse_whitespace(slice) != collapse_whitespace(&s.text) {
                    check.warnings.push(EvalProblem::new(
                        &place,
                        s.line,
                        format!(
                            "{}: text differs from the source slice {}..{} «{}»",
                            doc.id,
                            s.span.start,
                            s.span.end,
                            collapse_whitespace(slice)
                        ),
                    ));
                }
            }
            None => {}
        }
    }
    for m in &doc.mentions {
        let place = file("mentions.csv");
        match slice_problem(src, &m.span) {
            Some(problem) => check.errors.push(EvalProblem::new(
                &place,
                m.line,
                format!("{}: {problem}", doc.id),
            )),
            None if side == Side::Gold => {
                let slice = src.get(m.span.clone()).unwrap_or_default();
                if slice != m.surface {
                    check.warnings.push(EvalProblem::new(
                        &place,
                        m.line,
                        format!(
                            "{}: surface «{}» differs from the source slice {}..{} «{slice}»",
                            doc.id, m.surface, m.span.start, m.span.end
                        ),
                    ));
                }
            }
            None => {}
        }
    }
}

/// Why `span` cannot be sliced from `src`, if it cannot.
fn slice_problem(src: &str, span: &Span) -> Option<String> {
    if span.end > src.len() {
        return Some(format!(
            "end {} is beyond the source text ({} bytes); offsets are byte offsets into the source",
            span.end,
            src.len()
        ));
    }
    for (name, offset) in [("start", span.start), ("end", span.end)] {
        if !src.is_char_boundary(offset) {
            return Some(format!(
                "{name} {offset} falls inside a multi-byte character; offsets are byte offsets \
                 into the UTF-8 source and must sit on character boundaries"
            ));
        }
    }
    None
}

/// Pushes a parse problem with the row's place; returns the value if any.
fn take<T>(
    parsed: Result<T, String>,
    table: &Table,
    row: &Row,
    problems: &mut Vec<EvalProblem>,
) -> Option<T> {
    parsed
        .map_err(|message| problems.push(EvalProblem::new(&table.file, row.line, message)))
        .ok()
}

fn duplicate(table: &Table, row: &Row, what: &str, first_line: u64) -> EvalProblem {
    EvalProblem::new(
        &table.file,
        row.line,
        format!("duplicate {what} (first on line {first_line}); keep one row"),
    )
}

fn parse_id(cell: &str) -> Result<String, String> {
    let id = cell.trim();
    if id.is_empty() {
        Err("empty doc_id".into())
    } else {
        Ok(id.to_string())
    }
}

fn parse_number(cell: &str, name: &str) -> Result<u64, String> {
    cell.trim()
        .parse()
        .map_err(|_| format!("{name} `{cell}` is not a whole number"))
}

fn parse_span(start: &str, end: &str) -> Result<Span, String> {
    let parse = |cell: &str, name: &str| -> Result<usize, String> {
        cell.trim()
            .parse()
            .map_err(|_| format!("{name} `{cell}` is not a byte offset (a whole number)"))
    };
    let (start, end) = (parse(start, "start")?, parse(end, "end")?);
    if start >= end {
        return Err(format!(
            "start {start} is not before end {end} (empty or inverted span)"
        ));
    }
    Ok(start..end)
}

fn parse_actor(cell: &str) -> Result<String, String> {
    let actor = cell.trim();
    if actor.is_empty() {
        Err("empty actor code".into())
    } else {
        Ok(actor.to_string())
    }
}

fn parse_stance(cell: &str) -> Result<Stance, String> {
    match cell.trim() {
        "favor" => Ok(Stance::Favor),
        "against" => Ok(Stance::Against),
        "neutral" => Ok(Stance::Neutral),
        other => Err(format!(
            "unknown stance `{other}` (use favor, against or neutral)"
        )),
    }
}

/// The claim columns of a claims.csv row (is_claim, claim_type, holder,
/// stance at cells 2..6). Gold rows must also be consistent (ANNOTATION.md §4).
fn parse_claim(row: &Row, side: Side) -> Result<ClaimLabel, String> {
    let is_claim = match row.get(2).trim() {
        "1" => true,
        "0" => false,
        other => return Err(format!("is_claim `{other}` is not 0 or 1")),
    };
    let claim_type = match row.get(3).trim() {
        "" => None,
        name => Some(ClaimType::parse(name).ok_or_else(|| {
            let known: Vec<&str> = ClaimType::ALL.iter().map(|t| t.as_str()).collect();
            format!(
                "unknown claim_type `{name}` (use one of {} or leave it empty)",
                known.join(", ")
            )
        })?),
    };
    let holder = Some(row.get(4).trim())
        .filter(|h| !h.is_empty())
        .map(str::to_string);
    let stance = parse_stance(row.get(5))?;
    if side == Side::Gold {
        if is_claim && (claim_type.is_none() || holder.is_none()) {
            return Err("a claim (is_claim 1) needs a claim_type and a holder".into());
        }
        if !is_claim && (claim_type.is_some() || holder.is_some() || stance != Stance::Neutral) {
            return Err(
                "a row with is_claim 0 must have empty claim_type and holder and stance neutral"
                    .into(),
            );
        }
    }
    Ok(ClaimLabel {
        is_claim,
        claim_type,
        holder,
        stance,
    })
}
