//! Eval: scores a run's output folder against gold annotations
//! (`claimstance eval`): loading and validating both sides ([`load`],
//! [`source`], [`table`]), the metrics of every layer ([`metrics`]), and the
//! table, JSON and diff it writes ([`report`]). See docs/eval.md.

pub mod load;
pub mod metrics;
pub mod report;
pub mod source;
pub mod table;

pub use load::{ClaimLabel, Doc, GoldSet, MentionRow, PredSet, Sentence};
pub use metrics::{evaluate, Counts, Disagreement, Report, Tally};
pub use table::EvalProblem;

use std::path::{Path, PathBuf};

/// Arguments of `claimstance eval`.
#[derive(clap::Args, Debug, Clone)]
pub struct EvalArgs {
    /// Gold folder: documents.csv, sentences.csv, mentions.csv, claims.csv
    #[arg(long, value_name = "GOLD_DIR")]
    pub gold: PathBuf,
    /// Output folder of `claimstance run` to score
    #[arg(long, value_name = "OUT_DIR")]
    pub pred: PathBuf,
    /// Source texts the run read (a .txt file or a folder of them; doc_id =
    /// file stem). Default: the run's normalized.csv
    #[arg(long, value_name = "INPUT")]
    pub source: Option<PathBuf>,
    /// Exit with status 2 when a metric is below VALUE, e.g.
    /// `--fail-under mentions.f1=0.9 stance.favg=0.5`
    #[arg(long = "fail-under", value_name = "METRIC=VALUE", num_args = 1.., value_parser = parse_limit)]
    pub fail_under: Vec<Limit>,
    /// Exit with status 2 when a metric is above VALUE, e.g.
    /// `--fail-over sentences.leak_bytes=500`
    #[arg(long = "fail-over", value_name = "METRIC=VALUE", num_args = 1.., value_parser = parse_limit)]
    pub fail_over: Vec<Limit>,
    /// Write every disagreement to this CSV file
    #[arg(long, value_name = "FILE")]
    pub diff: Option<PathBuf>,
    /// Write the metrics to this file as one flat JSON object
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Print no table and no notes, only errors and failed limits
    #[arg(long, short)]
    pub quiet: bool,
}

/// A `METRIC=VALUE` limit of `--fail-under` / `--fail-over`.
#[derive(Debug, Clone, PartialEq)]
pub struct Limit {
    pub metric: String,
    pub value: f64,
}

/// Parses `METRIC=VALUE`.
pub fn parse_limit(arg: &str) -> Result<Limit, String> {
    let usage = || format!("`{arg}` is not METRIC=VALUE (e.g. mentions.f1=0.95)");
    let (metric, value) = arg.split_once('=').ok_or_else(usage)?;
    let metric = metric.trim();
    let value: f64 = value.trim().parse().map_err(|_| usage())?;
    if metric.is_empty() || !value.is_finite() {
        return Err(usage());
    }
    Ok(Limit {
        metric: metric.to_string(),
        value,
    })
}

/// Headroom for float noise when comparing a metric with its limit.
const LIMIT_TOLERANCE: f64 = 1e-9;

/// Metrics that break their limits, as messages; unknown metric names are
/// returned separately.
pub fn check_limits(
    metrics: &std::collections::BTreeMap<String, f64>,
    under: &[Limit],
    over: &[Limit],
) -> (Vec<String>, Vec<String>) {
    let mut failed = Vec::new();
    let mut unknown = Vec::new();
    for (limits, below) in [(under, true), (over, false)] {
        for limit in limits {
            let Some(&value) = metrics.get(&limit.metric) else {
                unknown.push(limit.metric.clone());
                continue;
            };
            if below && value < limit.value - LIMIT_TOLERANCE {
                failed.push(format!(
                    "{} = {value:.4} is under its floor {}",
                    limit.metric, limit.value
                ));
            } else if !below && value > limit.value + LIMIT_TOLERANCE {
                failed.push(format!(
                    "{} = {value:.4} is over its ceiling {}",
                    limit.metric, limit.value
                ));
            }
        }
    }
    (failed, unknown)
}

/// Metric names every report has (per-actor names depend on the data).
pub const CORE_METRICS: &[&str] = &[
    "sentences.boundary_f1",
    "sentences.exact",
    "sentences.leak_bytes",
    "sentences.missed_bytes",
    "mentions.precision",
    "mentions.recall",
    "mentions.f1",
    "mentions.count_f1",
    "claims.precision",
    "claims.recall",
    "claims.f1",
    "claims.holder_acc",
    "claims.type_acc",
    "stance.acc",
    "stance.f1_favor",
    "stance.f1_against",
    "stance.favg",
    "documents.stance_acc",
];

/// Exit code of an evaluation where a metric broke its `--fail-under` or
/// `--fail-over` limit; apart from 2, which is a usage error (clap's), so
/// that a CI job tells a regression from a mistyped command.
pub const EXIT_LIMIT_BROKEN: i32 = 4;

/// Most problems printed before the rest are only counted.
const MAX_PRINTED: usize = 50;

/// Runs `claimstance eval`: prints the table on stdout, problems on stderr;
/// returns 0, [`EXIT_LIMIT_BROKEN`] when a metric breaks its limit, 1 on
/// any error.
pub fn run(args: &EvalArgs) -> i32 {
    match score(args) {
        Ok(report) => finish(args, &report),
        Err(problems) => {
            print_problems("error", &problems);
            eprintln!(
                "eval: {} error(s); nothing was scored. Fix the files named above \
                 (formats: docs/eval.md) or rerun `claimstance run`.",
                problems.len()
            );
            1
        }
    }
}

/// Loads and validates both sides, then scores them.
fn score(args: &EvalArgs) -> Result<Report, Vec<EvalProblem>> {
    for (flag, dir) in [("--gold", &args.gold), ("--pred", &args.pred)] {
        if !dir.is_dir() {
            return Err(vec![EvalProblem::new(
                &dir.display().to_string(),
                0,
                format!("{flag} must name an existing folder"),
            )]);
        }
    }
    let mut gold = GoldSet::load(&args.gold)?;
    let ids = gold.ids();
    let mut pred = PredSet::load(&args.pred, &ids)?;
    let sources = source::load_sources(args.source.as_deref(), &args.pred, &ids)?;
    let gold_check = gold.check_sources(&sources.texts);
    let pred_check = pred.check_sources(&sources.texts);
    if !args.quiet {
        for notice in &sources.notices {
            eprintln!("note: {notice}");
        }
        print_problems("warning", &gold_check.warnings);
        for (id, status, error) in &pred.not_ok {
            eprintln!(
                "warning: gold document {id} has status `{status}` in the run{}; it is scored as produced",
                if error.is_empty() { String::new() } else { format!(" ({error})") }
            );
        }
    }
    let errors: Vec<EvalProblem> = gold_check
        .errors
        .into_iter()
        .chain(pred_check.errors)
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(evaluate(&gold, &pred))
}

fn print_problems(level: &str, problems: &[EvalProblem]) {
    for problem in problems.iter().take(MAX_PRINTED) {
        eprintln!("{level}: {problem}");
    }
    if problems.len() > MAX_PRINTED {
        eprintln!("{level}: ... and {} more", problems.len() - MAX_PRINTED);
    }
}

/// Prints and writes the report, then applies the limits.
fn finish(args: &EvalArgs, report: &Report) -> i32 {
    if !args.quiet {
        print!("{}", report::render_table(report));
    }
    let mut code = 0;
    if let Some(path) = &args.json {
        code = code.max(write_output(path, "--json", |p| {
            std::fs::write(p, report::render_json(report))
        }));
    }
    if let Some(path) = &args.diff {
        code = code.max(write_output(path, "--diff", |p| {
            report::write_diff(report, p)
        }));
    }
    let metrics = report.metrics();
    let (failed, unknown) = check_limits(&metrics, &args.fail_under, &args.fail_over);
    if !unknown.is_empty() {
        eprintln!(
            "error: unknown metric(s) {} in --fail-under/--fail-over; known metrics include {} \
             (every key of --json works)",
            unknown.join(", "),
            CORE_METRICS.join(", ")
        );
        return 1;
    }
    if code != 0 {
        return code;
    }
    for message in &failed {
        eprintln!("FAIL: {message}");
    }
    if failed.is_empty() {
        0
    } else {
        EXIT_LIMIT_BROKEN
    }
}

fn write_output(path: &Path, flag: &str, write: impl FnOnce(&Path) -> std::io::Result<()>) -> i32 {
    match write(path) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!(
                "error: cannot write {flag} file {}: {e} (check that its folder exists and is writable)",
                path.display()
            );
            1
        }
    }
}
