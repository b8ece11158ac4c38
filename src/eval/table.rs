//! CSV tables read by eval: columns looked up by header name, rows kept with
//! their line numbers, spreadsheet-neutralized cells restored, and every
//! problem reported as `file:line: message`.

use std::fmt;
use std::path::Path;

/// A problem in a gold or run file, with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalProblem {
    pub file: String,
    /// 1-based line; 0 when the problem concerns the whole file.
    pub line: u64,
    pub message: String,
}

impl EvalProblem {
    pub fn new(file: &str, line: u64, message: impl Into<String>) -> EvalProblem {
        EvalProblem {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for EvalProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        } else {
            write!(f, "{}: {}", self.file, self.message)
        }
    }
}

/// Characters that make a spreadsheet read a cell as a formula; a writer
/// protects such cells with a leading `'`.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Undoes spreadsheet neutralization: drops one leading `'` that precedes a
/// formula character.
pub fn restore_cell(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => cell,
    }
}

/// Protects a cell for spreadsheets with a leading `'` when it begins with a
/// formula character (the inverse of [`restore_cell`]).
pub fn neutralize_cell(cell: &str) -> String {
    if cell.starts_with(FORMULA_STARTS) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// One data row: the requested cells, in the order they were requested.
#[derive(Debug, Clone)]
pub struct Row {
    pub line: u64,
    cells: Vec<String>,
}

impl Row {
    pub fn get(&self, index: usize) -> &str {
        self.cells.get(index).map_or("", String::as_str)
    }
}

/// The rows of one CSV file, with the file's name for messages.
#[derive(Debug, Clone)]
pub struct Table {
    pub file: String,
    pub rows: Vec<Row>,
}

/// Reads `path`, keeping the `required` columns then the `optional` ones (an
/// absent optional column reads as empty cells). Problems are pushed to
/// `problems`; `None` when the file cannot be used at all.
pub fn read_table(
    path: &Path,
    required: &[&str],
    optional: &[&str],
    problems: &mut Vec<EvalProblem>,
) -> Option<Table> {
    let file = path.display().to_string();
    let mut reader = match csv::ReaderBuilder::new().flexible(true).from_path(path) {
        Ok(reader) => reader,
        Err(e) => {
            problems.push(EvalProblem::new(&file, 0, format!("cannot read: {e}")));
            return None;
        }
    };
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h
            .iter()
            .map(|name| restore_cell(name.trim_start_matches('\u{feff}').trim()).to_string())
            .collect(),
        Err(e) => {
            problems.push(EvalProblem::new(
                &file,
                1,
                format!("cannot read the header row: {e}"),
            ));
            return None;
        }
    };
    let position = |name: &str| header.iter().position(|h| h == name);
    let mut columns = Vec::with_capacity(required.len() + optional.len());
    let mut missing = Vec::new();
    for name in required {
        match position(name) {
            Some(i) => columns.push(Some(i)),
            None => missing.push(*name),
        }
    }
    if !missing.is_empty() {
        problems.push(EvalProblem::new(
            &file,
            1,
            format!(
                "missing column(s) {} (the header has: {}); add them to the header row",
                missing.join(", "),
                header.join(", ")
            ),
        ));
        return None;
    }
    columns.extend(optional.iter().map(|name| position(name)));

    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(0, |p| p.line());
                if record.len() < header.len() {
                    problems.push(EvalProblem::new(
                        &file,
                        line,
                        format!(
                            "row has {} fields, the header has {}",
                            record.len(),
                            header.len()
                        ),
                    ));
                    continue;
                }
                let cells = columns
                    .iter()
                    .map(|column| {
                        column
                            .and_then(|i| record.get(i))
                            .map_or(String::new(), |cell| restore_cell(cell).to_string())
                    })
                    .collect();
                rows.push(Row { line, cells });
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                let message = match e.kind() {
                    csv::ErrorKind::Utf8 { .. } => {
                        "not valid UTF-8 (save the file as UTF-8)".to_string()
                    }
                    _ => format!("unreadable CSV row: {e}"),
                };
                problems.push(EvalProblem::new(&file, line, message));
                if !matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                    // An I/O or parse error may not leave the reader at a row start.
                    break;
                }
            }
        }
    }
    Some(Table { file, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restores_only_neutralized_formula_cells() {
        assert_eq!(restore_cell("'-The author"), "-The author");
        assert_eq!(restore_cell("'=1+1"), "=1+1");
        assert_eq!(restore_cell("'tis"), "'tis");
        assert_eq!(restore_cell("-x"), "-x");
        assert_eq!(restore_cell("''-x"), "''-x");
    }

    #[test]
    fn neutralize_round_trips() {
        for cell in ["-a", "=b", "plain", "'q", "@c", "\tt", ""] {
            assert_eq!(restore_cell(&neutralize_cell(cell)), cell);
        }
    }
}
