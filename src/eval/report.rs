//! Report output: the table printed by `claimstance eval`, the flat JSON of
//! `--json` and the disagreement CSV of `--diff`.

use super::metrics::{Counts, Report, STANCES};
use super::table::neutralize_cell;
use std::fmt::Write as _;
use std::io;
use std::path::Path;

/// The table: a row per layer with P, R, F1 and counts, then the stance
/// confusion matrix and the per-actor mention errors.
pub fn render_table(report: &Report) -> String {
    let mut out = String::new();
    let s = &report.sentences;
    let m = &report.mentions;
    let c = &report.claims;
    let st = &report.stance;
    let _ = writeln!(
        out,
        "{} gold documents ({} with source text), {} gold sentence units",
        report.documents, report.documents_with_source, s.gold_units
    );
    let _ = writeln!(
        out,
        "\n{:<16} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}  notes",
        "layer", "P", "R", "F1", "gold", "pred", "tp", "fp", "fn"
    );
    let line = |out: &mut String, name: &str, counts: &Counts, note: String| {
        let _ = writeln!(
            out,
            "{:<16} {:>6.3} {:>6.3} {:>6.3} {:>6} {:>6} {:>6} {:>6} {:>6}  {note}",
            name,
            counts.precision(),
            counts.recall(),
            counts.f1(),
            counts.gold(),
            counts.predicted(),
            counts.true_pos,
            counts.false_pos,
            counts.false_neg,
        );
    };
    line(
        &mut out,
        "sentence ends",
        &s.boundary,
        format!(
            "exact {:.3} ({}/{} units), leak {} B, missed {} B",
            s.exact(),
            s.exact_units,
            s.gold_units,
            s.leak_bytes,
            s.missed_bytes
        ),
    );
    line(
        &mut out,
        "mentions",
        &m.exact,
        "exact start, end, actor".into(),
    );
    line(
        &mut out,
        "actor counts",
        &m.actor_counts,
        "per document, multiset of actors".into(),
    );
    line(
        &mut out,
        "claims",
        &c.is_claim,
        format!(
            "holder acc {:.3} ({}/{}), type acc {:.3} ({}/{})",
            c.holder_acc(),
            c.holder.correct,
            c.holder.total,
            c.type_acc(),
            c.claim_type.correct,
            c.claim_type.total
        ),
    );
    line(
        &mut out,
        "stance favor",
        &st.counts(crate::types::Stance::Favor),
        String::new(),
    );
    line(
        &mut out,
        "stance against",
        &st.counts(crate::types::Stance::Against),
        format!(
            "acc {:.3} over {} units, F_avg {:.3}",
            st.accuracy(),
            st.units(),
            st.favg()
        ),
    );
    let _ = writeln!(
        out,
        "{:<16} acc {:.3} ({}/{})",
        "documents",
        report.doc_stance.accuracy(),
        report.doc_stance.correct,
        report.doc_stance.total
    );

    let _ = writeln!(out, "\nstance confusion (rows gold, columns predicted)");
    let _ = writeln!(
        out,
        "{:<10} {:>8} {:>8} {:>8}",
        "", "favor", "against", "neutral"
    );
    for (stance, row) in STANCES.iter().zip(&st.confusion) {
        let _ = writeln!(
            out,
            "{:<10} {:>8} {:>8} {:>8}",
            stance.as_str(),
            row[0],
            row[1],
            row[2]
        );
    }

    let mut errors: Vec<(&String, &Counts)> = m
        .per_actor
        .iter()
        .filter(|(_, c)| c.false_pos + c.false_neg > 0)
        .collect();
    errors.sort_by_key(|(actor, c)| (std::cmp::Reverse(c.false_pos + c.false_neg), *actor));
    let clean = m.per_actor.len() - errors.len();
    let _ = writeln!(
        out,
        "\nmention errors per actor (tp/fp/fn; {clean} actors without errors)"
    );
    let mut current = String::new();
    for (actor, c) in errors {
        let item = format!("{actor} {}/{}/{}", c.true_pos, c.false_pos, c.false_neg);
        if !current.is_empty() && current.len() + item.len() + 2 > 96 {
            let _ = writeln!(out, "  {current}");
            current.clear();
        }
        if !current.is_empty() {
            current.push_str("  ");
        }
        current.push_str(&item);
    }
    if !current.is_empty() {
        let _ = writeln!(out, "  {current}");
    }
    out.lines()
        .map(|line| format!("{}\n", line.trim_end()))
        .collect()
}

/// The metrics as one flat JSON object (whole numbers written as integers).
pub fn render_json(report: &Report) -> String {
    let object: serde_json::Map<String, serde_json::Value> = report
        .metrics()
        .into_iter()
        .map(|(key, value)| (key, json_number(value)))
        .collect();
    let mut text = serde_json::to_string_pretty(&serde_json::Value::Object(object))
        .unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}

fn json_number(value: f64) -> serde_json::Value {
    if value.fract() == 0.0 && value.abs() < 9e15 {
        serde_json::Value::from(value as i64)
    } else {
        serde_json::Number::from_f64(value).map_or(serde_json::Value::Null, Into::into)
    }
}

/// Writes the disagreements as CSV (layer, doc_id, start, end, gold,
/// predicted, text), text cells protected for spreadsheets.
pub fn write_diff(report: &Report, path: &Path) -> io::Result<()> {
    let mut writer = csv::Writer::from_path(path)?;
    writer.write_record([
        "layer",
        "doc_id",
        "start",
        "end",
        "gold",
        "predicted",
        "text",
    ])?;
    let offset = |o: Option<usize>| o.map_or(String::new(), |o| o.to_string());
    for d in &report.disagreements {
        writer.write_record([
            d.layer.to_string(),
            neutralize_cell(&d.doc_id),
            offset(d.start),
            offset(d.end),
            neutralize_cell(&d.gold),
            neutralize_cell(&d.predicted),
            neutralize_cell(&d.text),
        ])?;
    }
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::metrics::{Disagreement, Tally};

    fn sample() -> Report {
        Report {
            documents: 2,
            doc_stance: Tally {
                correct: 1,
                total: 2,
            },
            disagreements: vec![Disagreement {
                layer: "claims",
                doc_id: "=d1".into(),
                start: Some(3),
                end: Some(9),
                gold: "1".into(),
                predicted: "0".into(),
                text: "-The author, \"quoted\"".into(),
            }],
            ..Report::default()
        }
    }

    #[test]
    fn json_is_one_flat_object_with_integral_counts() {
        let json: serde_json::Value =
            serde_json::from_str(&render_json(&sample())).expect("valid JSON");
        let object = json.as_object().expect("an object");
        assert!(object.values().all(|v| v.is_number()));
        assert_eq!(object.get("documents.n"), Some(&serde_json::json!(2)));
        assert_eq!(
            object.get("documents.stance_acc"),
            Some(&serde_json::json!(0.5))
        );
        for key in crate::eval::CORE_METRICS {
            assert!(object.contains_key(*key), "{key}");
        }
    }

    #[test]
    fn diff_cells_are_protected_for_spreadsheets() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("diff.csv");
        write_diff(&sample(), &path).expect("written");
        let text = std::fs::read_to_string(&path).expect("read");
        assert_eq!(
            text,
            "layer,doc_id,start,end,gold,predicted,text\n\
             claims,'=d1,3,9,1,0,\"'-The author, \"\"quoted\"\"\"\n"
        );
    }
}
