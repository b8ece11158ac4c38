//! Output: every CSV schema of a run's folder as a serde struct, the cell
//! rules that keep spreadsheets safe, and the writer of the folder's files.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

mod staged;
use staged::StagedFile;

pub const DOCUMENTS: &str = "documents.csv";
pub const NORMALIZED: &str = "normalized.csv";
pub const SENTENCES: &str = "sentences.csv";
pub const MENTIONS: &str = "mentions.csv";
pub const CLAIMS: &str = "claims.csv";
pub const DOC_STANCE: &str = "doc_stance.csv";
pub const ACTOR_STANCE: &str = "actor_stance.csv";
pub const MANIFEST: &str = "manifest.json";

/// The longest cell a spreadsheet accepts, in characters.
pub const MAX_CELL_CHARS: usize = 32_767;

/// `documents.csv`: one row per input record, skipped ones included. The
/// counts of stages not run yet are empty. `--keep` fields follow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentRow {
    pub doc_id: String,
    pub source: String,
    pub bytes: usize,
    pub dropped_bytes: usize,
    pub n_sentences: Option<usize>,
    pub n_mentions: Option<usize>,
    pub n_claims: Option<usize>,
    pub status: String,
    pub error: String,
}

impl DocumentRow {
    pub const HEADER: [&'static str; 9] = [
        "doc_id",
        "source",
        "bytes",
        "dropped_bytes",
        "n_sentences",
        "n_mentions",
        "n_claims",
        "status",
        "error",
    ];
}

/// `normalized.csv`: what normalize hands to the next stages: the exact
/// source text (never neutralized) and the kept line spans (`start-end`,
/// space-separated). `--keep` fields follow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NormalizedRow {
    pub doc_id: String,
    pub source: String,
    pub status: String,
    pub error: String,
    pub bytes: usize,
    pub dropped_bytes: usize,
    pub invalid_bytes: usize,
    pub lines: String,
    pub text: String,
}

impl NormalizedRow {
    pub const HEADER: [&'static str; 9] = [
        "doc_id",
        "source",
        "status",
        "error",
        "bytes",
        "dropped_bytes",
        "invalid_bytes",
        "lines",
        "text",
    ];
}

/// `sentences.csv`: one row per sentence unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentenceRow {
    pub doc_id: String,
    pub sent_id: usize,
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// `mentions.csv`: one row per actor mention.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MentionRow {
    pub doc_id: String,
    pub sent_id: usize,
    pub start: usize,
    pub end: usize,
    pub actor: String,
    pub entity: String,
    pub surface: String,
}

/// `claims.csv`: one row per sentence unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimRow {
    pub doc_id: String,
    pub sent_id: usize,
    pub is_claim: u8,
    pub claim_type: String,
    pub holder: String,
    pub stance: String,
    pub score: String,
    pub cues: String,
    pub actors: String,
    pub text: String,
}

/// `doc_stance.csv`: one row per document with text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocStanceRow {
    pub doc_id: String,
    pub stance: String,
    pub score: String,
    pub n_claims: usize,
    pub n_favor: usize,
    pub n_against: usize,
}

/// `actor_stance.csv`: one row per actor over the whole run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActorStanceRow {
    pub actor: String,
    pub n_docs: usize,
    pub n_mentions: usize,
    pub n_claims_held: usize,
    pub n_favor: usize,
    pub n_against: usize,
    pub score: String,
}

/// A score with three decimals, never `-0.000`.
pub fn format_score(score: f64) -> String {
    let rounded = (score * 1000.0).round() / 1000.0;
    if rounded == 0.0 || !rounded.is_finite() {
        "0.000".to_string()
    } else {
        format!("{rounded:.3}")
    }
}

/// Makes a text cell safe to open in a spreadsheet: a cell that would start
/// a formula (`=`, `+`, `-`, `@`, tab, CR) gets a leading `'` (OWASP CSV
/// injection advice), and a cell longer than a spreadsheet holds is cut to
/// [`MAX_CELL_CHARS`] characters, ending in `…`. Idempotent.
#[inline]
pub fn safe_cell(text: &str) -> Cow<'_, str> {
    let risky = matches!(
        text.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    // A cell of at most MAX_CELL_CHARS bytes has at most as many characters.
    if !risky && text.len() <= MAX_CELL_CHARS {
        return Cow::Borrowed(text);
    }
    guarded_cell(text, risky)
}

/// [`safe_cell`] of a cell that may need a change.
#[inline(never)]
fn guarded_cell(text: &str, risky: bool) -> Cow<'_, str> {
    let too_long =
        text.len() > MAX_CELL_CHARS && text.chars().count() > MAX_CELL_CHARS - usize::from(risky);
    if !risky && !too_long {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len().min(MAX_CELL_CHARS * 4) + 1);
    if risky {
        out.push('\'');
    }
    if too_long {
        let keep = MAX_CELL_CHARS - 1 - usize::from(risky);
        out.extend(text.chars().take(keep));
        out.push('…');
    } else {
        out.push_str(text);
    }
    Cow::Owned(out)
}

/// The inverse of [`safe_cell`]'s formula guard, for reading ids back.
pub fn unsafe_cell(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => text,
    }
}

/// Errors writing the output folder.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot create output folder {path}: {source} (choose a writable folder with --out)")]
    Folder { path: PathBuf, source: io::Error },
    #[error(
        "cannot write {path}: {source} (check the disk space and permissions of the output folder)"
    )]
    Write { path: PathBuf, source: io::Error },
}

/// One CSV file of the output folder.
pub struct CsvFile {
    path: PathBuf,
    file: StagedFile,
}

/// Renders rows into CSV bytes in memory.
pub fn render_rows<T: Serialize>(rows: impl IntoIterator<Item = T>) -> csv::Result<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    for row in rows {
        writer.serialize(row)?;
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(io::Error::other(e.to_string())))
}

impl CsvFile {
    /// Creates `dir/name` and writes its header (after a UTF-8 BOM when
    /// `excel` is set). `buffered` writes it all through the page cache,
    /// without direct I/O.
    pub fn create(
        dir: &Path,
        name: &str,
        header: &[&str],
        excel: bool,
        buffered: bool,
    ) -> Result<CsvFile, OutputError> {
        let path = dir.join(name);
        let file = File::create(&path).map_err(|source| OutputError::Write {
            path: path.clone(),
            source,
        })?;
        let mut csv_file = CsvFile {
            path,
            file: StagedFile::new(file, buffered),
        };
        if excel {
            csv_file.write_bytes("\u{FEFF}".as_bytes())?;
        }
        csv_file.row(header)?;
        Ok(csv_file)
    }

    fn write_error(&self, source: io::Error) -> OutputError {
        OutputError::Write {
            path: self.path.clone(),
            source,
        }
    }

    /// Writes one row: a serde struct, or a tuple of one and extra columns.
    pub fn row<T: Serialize>(&mut self, row: T) -> Result<(), OutputError> {
        let bytes = render_rows([row]).map_err(|e| self.write_error(e.into()))?;
        self.write_bytes(&bytes)
    }

    /// Writes rows already rendered as CSV bytes.
    pub fn write_bytes(&mut self, bytes: &[u8]) -> Result<(), OutputError> {
        self.file.write_all(bytes).map_err(|e| self.write_error(e))
    }

    pub fn finish(mut self) -> Result<(), OutputError> {
        self.file.finish().map_err(|e| self.write_error(e))
    }
}

/// The header of a file whose fixed columns are followed by `--keep` fields.
pub fn header_with<'a>(fixed: &[&'a str], keep: &'a [String]) -> Vec<&'a str> {
    fixed
        .iter()
        .copied()
        .chain(keep.iter().map(String::as_str))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralized_idempotently() {
        assert_eq!(safe_cell("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(safe_cell("-The author"), "'-The author");
        assert_eq!(safe_cell("'=x"), "'=x");
        assert_eq!(safe_cell("plain"), "plain");
        assert_eq!(unsafe_cell("'=x"), "=x");
        assert_eq!(unsafe_cell("'quoted"), "'quoted");
    }

    #[test]
    fn long_cells_are_cut_to_the_spreadsheet_limit() {
        let long = "é".repeat(MAX_CELL_CHARS + 10);
        let cut = safe_cell(&long);
        assert_eq!(cut.chars().count(), MAX_CELL_CHARS);
        assert!(cut.ends_with('…'));
        let exact = "a".repeat(MAX_CELL_CHARS);
        assert_eq!(safe_cell(&exact).len(), MAX_CELL_CHARS);
    }

    #[test]
    fn scores_have_three_decimals_and_no_negative_zero() {
        assert_eq!(format_score(-0.0001), "0.000");
        assert_eq!(format_score(0.5), "0.500");
        assert_eq!(format_score(-1.0), "-1.000");
    }
}
