//! Lexicon files: the CSV tables in `lexicons/` compiled into the binary, a
//! user's folder merged over them, row parsing with file:line problems, and
//! SHA-256 digests for the run manifest.

use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use std::fmt;
use std::path::{Path, PathBuf};

/// The built-in lexicon files, in the order they are listed in manifests.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "abbreviations.csv",
        include_str!("../lexicons/abbreviations.csv"),
    ),
    (
        "actor_context.csv",
        include_str!("../lexicons/actor_context.csv"),
    ),
    ("actors.csv", include_str!("../lexicons/actors.csv")),
    (
        "boilerplate.csv",
        include_str!("../lexicons/boilerplate.csv"),
    ),
    ("claim_cues.csv", include_str!("../lexicons/claim_cues.csv")),
    (
        "function_words.csv",
        include_str!("../lexicons/function_words.csv"),
    ),
    ("non_actors.csv", include_str!("../lexicons/non_actors.csv")),
    (
        "reporting_verbs.csv",
        include_str!("../lexicons/reporting_verbs.csv"),
    ),
    (
        "stance_cues.csv",
        include_str!("../lexicons/stance_cues.csv"),
    ),
    (
        "stance_modifiers.csv",
        include_str!("../lexicons/stance_modifiers.csv"),
    ),
];

/// One lexicon file's text and where it came from.
#[derive(Debug, Clone)]
pub struct LexiconFile {
    /// File name, e.g. `actors.csv`.
    pub name: String,
    /// `built-in` or the path it was read from.
    pub origin: String,
    pub text: String,
}

impl LexiconFile {
    /// `actors.csv (built-in)` or the user's path, for messages.
    pub fn display(&self) -> String {
        if self.origin == "built-in" {
            format!("lexicons/{} (built-in)", self.name)
        } else {
            self.origin.clone()
        }
    }

    pub fn sha256(&self) -> String {
        let digest = Sha256::digest(self.text.as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// How bad a lexicon problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// A problem found in a lexicon file, with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub severity: Severity,
    pub file: String,
    /// 1-based line number; 0 when the problem concerns the whole file.
    pub line: u64,
    pub message: String,
}

impl Problem {
    pub fn error(file: &LexiconFile, line: u64, message: impl Into<String>) -> Problem {
        Problem {
            severity: Severity::Error,
            file: file.display(),
            line,
            message: message.into(),
        }
    }

    pub fn warning(file: &LexiconFile, line: u64, message: impl Into<String>) -> Problem {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(file, line, message)
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{}:{}: {level}: {}", self.file, self.line, self.message)
    }
}

/// Errors reading a user's lexicon folder.
#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    #[error("cannot read lexicon folder {path}: {source} (pass an existing folder of .csv files to --lexicons)")]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read lexicon file {path}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("lexicon file {path} is not UTF-8 (save it as UTF-8 and try again)")]
    NotUtf8 { path: PathBuf },
}

/// The lexicon files in force: the built-in ones, then a user's files, which
/// are merged over them (later rows win where a file gives rows a key).
#[derive(Debug, Clone)]
pub struct Lexicons {
    files: Vec<LexiconFile>,
}

impl Lexicons {
    /// The lexicons compiled into the binary.
    pub fn builtin() -> Lexicons {
        let files = BUILTIN
            .iter()
            .map(|(name, text)| LexiconFile {
                name: (*name).to_string(),
                origin: "built-in".to_string(),
                text: (*text).to_string(),
            })
            .collect();
        Lexicons { files }
    }

    /// Lexicons made of exactly these files, in this order (tests, tools).
    pub fn from_files(files: Vec<LexiconFile>) -> Lexicons {
        Lexicons { files }
    }

    /// The built-in lexicons with every `.csv` file of `dir` merged over them.
    pub fn load(dir: Option<&Path>) -> Result<Lexicons, LexiconError> {
        let mut lexicons = Lexicons::builtin();
        if let Some(dir) = dir {
            lexicons.merge_folder(dir)?;
        }
        Ok(lexicons)
    }

    fn merge_folder(&mut self, dir: &Path) -> Result<(), LexiconError> {
        let entries = std::fs::read_dir(dir).map_err(|source| LexiconError::Folder {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut paths = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| LexiconError::Folder {
                path: dir.to_path_buf(),
                source,
            })?;
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "csv") && path.is_file() {
                paths.push(path);
            }
        }
        paths.sort();
        for path in paths {
            let bytes = std::fs::read(&path).map_err(|source| LexiconError::File {
                path: path.clone(),
                source,
            })?;
            let text = String::from_utf8(bytes)
                .map_err(|_| LexiconError::NotUtf8 { path: path.clone() })?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            self.files.push(LexiconFile {
                name,
                origin: path.display().to_string(),
                text,
            });
        }
        Ok(())
    }

    /// Every file in force, built-in first.
    pub fn files(&self) -> &[LexiconFile] {
        &self.files
    }

    /// The files named `name` (built-in first, then the user's).
    pub fn named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a LexiconFile> + 'a {
        self.files.iter().filter(move |f| f.name == name)
    }

    /// Files of the user's folder that no stage reads.
    pub fn unknown_files(&self) -> Vec<&LexiconFile> {
        self.files
            .iter()
            .filter(|f| !BUILTIN.iter().any(|(name, _)| *name == f.name))
            .collect()
    }
}

/// Parses a lexicon file's rows into `T` (a serde struct whose fields are the
/// header's columns). Rows that fail are reported in `problems` with their
/// line and skipped; blank rows and rows whose first cell starts with `#` are
/// comments.
pub fn read_rows<T: DeserializeOwned>(
    file: &LexiconFile,
    problems: &mut Vec<Problem>,
) -> Vec<(u64, T)> {
    // Fields are trimmed below, only in the records that need it: the
    // reader's `Trim::All` copies every record twice.
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::Headers)
        .from_reader(file.text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            problems.push(Problem::error(file, 1, format!("unreadable header: {e}")));
            return Vec::new();
        }
    };
    // At most one row per line.
    let mut rows = Vec::with_capacity(memchr::memchr_iter(b'\n', file.text.as_bytes()).count());
    let mut record = csv::StringRecord::new();
    let mut lines = LineCounter::new(&file.text);
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                if record.iter().any(|c| c.trim().len() != c.len()) {
                    record.trim();
                }
                let line = record.position().map_or(0, |p| lines.line_at(p.byte()));
                if record.iter().all(|c| c.is_empty())
                    || record.get(0).is_some_and(|c| c.starts_with('#'))
                {
                    continue;
                }
                match record.deserialize::<T>(Some(&headers)) {
                    Ok(row) => rows.push((line, row)),
                    Err(e) => {
                        problems.push(Problem::error(file, line, format!("malformed row: {e}")))
                    }
                }
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.line_at(p.byte()));
                problems.push(Problem::error(file, line, format!("unreadable row: {e}")));
                if !matches!(
                    e.kind(),
                    csv::ErrorKind::UnequalLengths { .. } | csv::ErrorKind::Utf8 { .. }
                ) {
                    break;
                }
            }
        }
    }
    rows
}

/// Turns increasing byte offsets into 1-based line numbers.
pub struct LineCounter<'a> {
    text: &'a [u8],
    byte: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    pub fn new(text: &'a str) -> Self {
        LineCounter {
            text: text.as_bytes(),
            byte: 0,
            line: 1,
        }
    }

    /// The line of the record starting at byte offset `byte` (blank lines
    /// before it skipped); offsets must not decrease between calls.
    pub fn line_at(&mut self, byte: u64) -> u64 {
        let mut byte = (byte as usize).min(self.text.len());
        while byte < self.text.len() && matches!(self.text[byte], b'\n' | b'\r') {
            byte += 1;
        }
        if byte > self.byte {
            self.line += memchr::memchr_iter(b'\n', &self.text[self.byte..byte]).count() as u64;
            self.byte = byte;
        }
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Row {
        term: String,
        weight: f64,
    }

    /// (line, term, weight) of each row read.
    fn terms(rows: &[(u64, Row)]) -> Vec<(u64, &str, f64)> {
        rows.iter()
            .map(|(l, r)| (*l, r.term.as_str(), r.weight))
            .collect()
    }

    fn file(text: &str) -> LexiconFile {
        LexiconFile {
            name: "t.csv".into(),
            origin: "built-in".into(),
            text: text.into(),
        }
    }

    #[test]
    fn reads_rows_and_reports_bad_ones_with_lines() {
        let f = file("term,weight\nstay,1.0\n# comment,\nleave,x\n\nwithdraw,-1\n");
        let mut problems = Vec::new();
        let rows: Vec<(u64, Row)> = read_rows(&f, &mut problems);
        let terms = terms(&rows);
        assert_eq!(terms, vec![(2, "stay", 1.0), (6, "withdraw", -1.0)]);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, 4);
    }

    #[test]
    fn trims_headers_and_fields_of_unicode_whitespace() {
        let f = file(
            " term ,\tweight\n  stay\u{a0}, 1.0\n \t# comment,\n\u{2003},\t\nwithdraw,-1\n\"  go \" ,2\n",
        );
        let mut problems = Vec::new();
        let rows: Vec<(u64, Row)> = read_rows(&f, &mut problems);
        let terms = terms(&rows);
        assert_eq!(
            terms,
            vec![(2, "stay", 1.0), (5, "withdraw", -1.0), (6, "go", 2.0)]
        );
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn builtin_files_are_present_and_digested() {
        let lex = Lexicons::builtin();
        assert_eq!(lex.files().len(), BUILTIN.len());
        assert_eq!(lex.files()[0].sha256().len(), 64);
        assert!(lex.unknown_files().is_empty());
    }
}
