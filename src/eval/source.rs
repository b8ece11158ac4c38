//! Source texts for eval: read from `--source` the way `claimstance run`
//! reads its input, or taken from the run's `normalized.csv` `text` column.

use super::table::{read_table, EvalProblem};
use crate::input::{Input, InputOptions, Reader, Record};
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Source texts by doc_id, and notes about where they came from.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub texts: BTreeMap<String, String>,
    /// Things the user should know (missing texts, skipped inputs).
    pub notices: Vec<String>,
}

/// Source texts of the `wanted` documents: from `source` first, then from
/// `pred_dir/normalized.csv`. Documents found in neither are named in a
/// notice; their offsets cannot be checked against the text.
pub fn load_sources(
    source: Option<&Path>,
    pred_dir: &Path,
    wanted: &[String],
) -> Result<Sources, Vec<EvalProblem>> {
    let wanted: BTreeSet<&str> = wanted.iter().map(String::as_str).collect();
    let mut sources = Sources::default();
    if let Some(path) = source {
        if !path.exists() {
            return Err(vec![EvalProblem::new(
                &path.display().to_string(),
                0,
                "--source does not exist; pass the .txt file or folder the run read",
            )]);
        }
        for record in Reader::new(&[Input::Path(path.to_path_buf())], InputOptions::default()) {
            match record {
                Record::Doc(doc) if wanted.contains(doc.id.as_str()) => {
                    if doc.invalid_bytes > 0 {
                        sources.notices.push(format!(
                            "{}: {} invalid UTF-8 bytes were replaced; offsets refer to the repaired text",
                            doc.source, doc.invalid_bytes
                        ));
                    }
                    match sources.texts.entry(doc.id) {
                        Entry::Occupied(first) => sources.notices.push(format!(
                            "{}: a second document {} in --source is ignored",
                            doc.source,
                            first.key()
                        )),
                        Entry::Vacant(slot) => {
                            slot.insert(doc.text);
                        }
                    }
                }
                Record::Doc(_) => {}
                Record::Skipped { source, message } => sources
                    .notices
                    .push(format!("{source}: skipped in --source: {message}")),
            }
        }
    }
    let missing = |texts: &BTreeMap<String, String>| -> Vec<&str> {
        wanted
            .iter()
            .copied()
            .filter(|id| !texts.contains_key(*id))
            .collect()
    };
    if !missing(&sources.texts).is_empty() {
        let normalized = pred_dir.join("normalized.csv");
        if normalized.exists() {
            let mut problems = Vec::new();
            let mut table = read_table(
                &normalized,
                &["doc_id", "text"],
                &["invalid_bytes"],
                &mut problems,
            );
            while let Some(row) = table.as_mut().and_then(|t| t.next_row(&mut problems)) {
                let id = row.get(0).trim();
                // An empty text is a document the run could not read, not
                // an empty source: leave its offsets unchecked.
                if !wanted.contains(id) || sources.texts.contains_key(id) || row.get(1).is_empty() {
                    continue;
                }
                let invalid = row.get(2).trim();
                if !invalid.is_empty() && invalid != "0" {
                    sources.notices.push(format!(
                        "{}:{}: {invalid} invalid UTF-8 bytes of {id} were replaced in the run; \
                         offsets refer to the repaired text",
                        normalized.display(),
                        row.line
                    ));
                }
                sources.texts.insert(id.to_string(), row.get(1).to_string());
            }
            if !problems.is_empty() {
                return Err(problems);
            }
        }
    }
    let missing = missing(&sources.texts);
    if !missing.is_empty() {
        sources.notices.push(format!(
            "no source text for {} gold document(s) ({}): their offsets are not checked \
             against the text, units are compared without trimming whitespace and leak \
             counts whitespace too; pass --source or keep normalized.csv in the run folder",
            missing.len(),
            abbreviate(&missing, 5)
        ));
    }
    Ok(sources)
}

/// `a, b, c and 4 more`.
pub fn abbreviate(items: &[&str], keep: usize) -> String {
    let shown = items
        .iter()
        .take(keep)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > keep {
        format!("{shown} and {} more", items.len() - keep)
    } else {
        shown
    }
}
