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

/// A CSV file read row by row (so a gigabyte run folder is never held in
/// memory), with its name for messages.
pub struct Table {
    pub file: String,
    reader: csv::Reader<std::fs::File>,
    /// For each requested column, its index in the file (None: absent optional).
    columns: Vec<Option<usize>>,
    header_len: usize,
    record: csv::StringRecord,
    done: bool,
}

/// Opens `path`, keeping the `required` columns then the `optional` ones (an
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
    Some(Table {
        file,
        reader,
        columns,
        header_len: header.len(),
        record: csv::StringRecord::new(),
        done: false,
    })
}

impl Table {
    /// The next well-formed row; rows that cannot be read are reported and
    /// skipped. `None` at the end of the file.
    pub fn next_row(&mut self, problems: &mut Vec<EvalProblem>) -> Option<Row> {
        while !self.done {
            match self.reader.read_record(&mut self.record) {
                Ok(false) => self.done = true,
                Ok(true) => {
                    let line = self.record.position().map_or(0, |p| p.line());
                    if self.record.len() < self.header_len {
                        problems.push(EvalProblem::new(
                            &self.file,
                            line,
                            format!(
                                "row has {} fields, the header has {}",
                                self.record.len(),
                                self.header_len
                            ),
                        ));
                        continue;
                    }
                    let cells = self
                        .columns
                        .iter()
                        .map(|column| {
                            column
                                .and_then(|i| self.record.get(i))
                                .map_or(String::new(), |cell| restore_cell(cell).to_string())
                        })
                        .collect();
                    return Some(Row { line, cells });
                }
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    let utf8 = matches!(e.kind(), csv::ErrorKind::Utf8 { .. });
                    let message = if utf8 {
                        "not valid UTF-8 (save the file as UTF-8)".to_string()
                    } else {
                        format!("unreadable CSV row: {e}")
                    };
                    problems.push(EvalProblem::new(&self.file, line, message));
                    // After an I/O or parse error the reader may not sit at a
                    // row start: stop; a bad UTF-8 row is skipped cleanly.
                    self.done = !utf8;
                }
            }
        }
        None
    }
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
