//! The claimstance command line: parses arguments and hands them to the library.

#![deny(unsafe_code)]

use claimstance::annotate::Model;
use claimstance::input::{Format, Input, InputOptions};
use claimstance::lexicon::{Lexicons, Severity};
use claimstance::pipeline::{self, Config, Stage, EXIT_CLEAN, EXIT_FATAL};
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// jemalloc: a run allocates many small short-lived strings per sentence,
/// which it serves faster than the system allocator.
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, which it reads (before `main`) from this symbol,
/// then from the environment (`_RJEM_MALLOC_CONF`), which can override
/// them. Transparent huge pages for the heap and jemalloc's own tables, and
/// no returning of freed pages to the system: a run's memory is a few
/// hundred MB at most and is reused all run long, and on a virtual machine
/// every TLB miss and every page given back and faulted in again is
/// costly. A 1 GB run with two threads took about 2% less time (six
/// alternated pairs) for about 40 MB more peak RSS.
#[cfg(all(feature = "jemalloc", target_os = "linux"))]
#[allow(unsafe_code)]
mod allocator_options {
    use std::ffi::c_char;

    /// A pointer to the options, as jemalloc's `const char *malloc_conf`.
    #[repr(transparent)]
    pub struct Options(*const c_char);

    // SAFETY: the pointer is to a string literal, never written.
    unsafe impl Sync for Options {}

    #[export_name = "_rjem_malloc_conf"]
    pub static MALLOC_CONF: Options =
        Options(c"thp:always,metadata_thp:always,dirty_decay_ms:-1,muzzy_decay_ms:-1".as_ptr());
}

#[derive(Parser)]
#[command(
    name = "claimstance",
    version,
    about = "Turns dumps of news articles into CSV tables of who says what about US engagement",
    long_about = "Turns dumps of news articles into CSV tables of who says what about US engagement: \
sentence units, actor mentions, claims, their holders and their stance toward the United States \
staying involved.\n\nExit codes: 0 clean run, 3 some documents were skipped or flagged (see the \
status and error columns of documents.csv), 1 fatal error, 2 usage error, 4 (eval) a metric \
broke its limit."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs every stage in one pass and writes every output file.
    #[command(
        after_help = "Examples:\n  claimstance run                       # the bundled seeds/ into output/\n  \
claimstance run dump.jsonl.gz --out out/ --keep date,url\n  \
claimstance run articles/ --out out/ --threads 2"
    )]
    Run(RunArgs),
    /// Stage 1: reads inputs, drops boilerplate; writes normalized.csv and documents.csv.
    #[command(after_help = "Example:\n  claimstance normalize dump.jsonl --out out/")]
    Normalize(RunArgs),
    /// Stage 2: reads normalized.csv from --out; writes sentences.csv.
    #[command(after_help = "Example:\n  claimstance segment --out out/")]
    Segment(StageArgs),
    /// Stage 3: reads normalized.csv and sentences.csv from --out; writes mentions.csv.
    #[command(
        name = "match",
        after_help = "Example:\n  claimstance match --out out/"
    )]
    Match(StageArgs),
    /// Stage 4: reads the earlier stages' files from --out; writes claims.csv,
    /// doc_stance.csv and actor_stance.csv.
    #[command(after_help = "Example:\n  claimstance score --out out/")]
    Score(StageArgs),
    /// Scores a run's output folder against gold annotations.
    #[command(after_help = "Examples:\n  claimstance run --out output\n  \
claimstance eval --gold tests/gold/seeds --pred output\n  \
claimstance eval --gold tests/gold/seeds --pred output --fail-under mentions.f1=0.95 stance.favg=0.6 --diff diff.csv --json metrics.json")]
    Eval(claimstance::eval::EvalArgs),
    /// Prints every stage's decisions on one text: units, mentions, claims, stance cues.
    #[command(
        after_help = "Examples:\n  claimstance explain \"The CIA will not be allowed to operate from Pakistani soil.\"\n  \
claimstance explain --file seeds/002_290f12578d9a2b3e.txt"
    )]
    Explain(ExplainArgs),
    /// Lexicon tools.
    #[command(subcommand)]
    Lexicon(LexiconCommand),
}

#[derive(Subcommand)]
enum LexiconCommand {
    /// Validates the lexicon files (built-in, merged with --lexicons DIR).
    #[command(
        after_help = "Examples:\n  claimstance lexicon check\n  claimstance lexicon check --lexicons my_lexicons/"
    )]
    Check {
        /// A folder of lexicon CSV files merged over the built-in ones.
        #[arg(long, value_name = "DIR")]
        lexicons: Option<PathBuf>,
    },
}

#[derive(Args, Clone)]
struct CommonArgs {
    /// Output folder.
    #[arg(long, value_name = "DIR", default_value = "output")]
    out: PathBuf,
    /// A folder of lexicon CSV files merged over the built-in ones.
    #[arg(long, value_name = "DIR")]
    lexicons: Option<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    threads: usize,
    /// No progress bar, summary or problem lines on stderr.
    #[arg(long, short)]
    quiet: bool,
    /// Start every CSV with a UTF-8 byte-order mark so spreadsheets read non-ASCII text right.
    #[arg(long)]
    excel: bool,
    /// Write output files through the page cache only. By default, on Linux, each file past its
    /// first 4 MB is written with direct I/O, which spares the CPU copying it into the cache.
    #[arg(long)]
    buffered_output: bool,
}

#[derive(Args, Clone)]
struct RunArgs {
    /// Inputs: .txt files, folders of .txt files, .jsonl, .csv, `-` (JSONL on stdin), any of them .gz.
    /// Default: the bundled seeds/ folder.
    #[arg(value_name = "INPUT")]
    inputs: Vec<String>,
    #[command(flatten)]
    common: CommonArgs,
    /// Input format, instead of the one the file extension implies.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Field (JSONL) or column (CSV) holding the document id.
    #[arg(long, value_name = "FIELD", default_value = "id")]
    id_field: String,
    /// Field (JSONL) or column (CSV) holding the text.
    #[arg(long, value_name = "FIELD", default_value = "text")]
    text_field: String,
    /// Metadata fields copied into documents.csv, e.g. date,url,outlet.
    #[arg(long, value_name = "FIELD,...", value_delimiter = ',')]
    keep: Vec<String>,
}

#[derive(Args, Clone)]
struct ExplainArgs {
    /// The text to explain.
    #[arg(
        value_name = "TEXT",
        required_unless_present = "file",
        conflicts_with = "file"
    )]
    text: Option<String>,
    /// Read the text from a file instead.
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
    /// A folder of lexicon CSV files merged over the built-in ones.
    #[arg(long, value_name = "DIR")]
    lexicons: Option<PathBuf>,
}

#[derive(Args, Clone)]
struct StageArgs {
    #[command(flatten)]
    common: CommonArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Run(args) => run_stages(&args, Stage::Normalize, Stage::Score),
        Command::Normalize(args) => run_stages(&args, Stage::Normalize, Stage::Normalize),
        Command::Segment(args) => run_stage(args, Stage::Segment),
        Command::Match(args) => run_stage(args, Stage::Match),
        Command::Score(args) => run_stage(args, Stage::Score),
        Command::Eval(args) => claimstance::eval::run(&args),
        Command::Explain(args) => explain(&args),
        Command::Lexicon(LexiconCommand::Check { lexicons }) => check_lexicons(lexicons.as_deref()),
    };
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// The bundled seeds: `seeds/` here, or the one beside the sources.
fn default_inputs() -> Option<Vec<Input>> {
    let here = Path::new("seeds");
    if here.is_dir() {
        return Some(vec![Input::Path(here.to_path_buf())]);
    }
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    bundled.is_dir().then(|| vec![Input::Path(bundled)])
}

fn load_model(dir: Option<&Path>) -> Result<(Lexicons, Model), i32> {
    let lexicons = Lexicons::load(dir).map_err(|e| {
        eprintln!("claimstance: error: {e}");
        EXIT_FATAL
    })?;
    let model = Model::build(&lexicons).map_err(|problems| {
        for p in &problems {
            eprintln!("claimstance: {p}");
        }
        eprintln!("claimstance: error: the lexicons have errors; fix them (see `claimstance lexicon check`)");
        EXIT_FATAL
    })?;
    Ok((lexicons, model))
}

fn config_for(common: &CommonArgs, first: Stage, last: Stage) -> Config {
    let mut config = Config::new(Vec::new(), common.out.clone());
    config.first = first;
    config.last = last;
    config.threads = common.threads;
    config.quiet = common.quiet;
    config.excel = common.excel;
    config.buffered_output = common.buffered_output;
    config.command_line = std::env::args().collect();
    config
}

fn run_stages(args: &RunArgs, first: Stage, last: Stage) -> i32 {
    let inputs = if args.inputs.is_empty() {
        match default_inputs() {
            Some(inputs) => inputs,
            None => {
                eprintln!("claimstance: error: no INPUT given and no seeds/ folder found; name a file, folder or `-`");
                return 2;
            }
        }
    } else {
        args.inputs.iter().map(|a| Input::parse(a)).collect()
    };
    let mut config = config_for(&args.common, first, last);
    config.inputs = inputs;
    config.input_options = InputOptions {
        format: args.format,
        id_field: args.id_field.clone(),
        text_field: args.text_field.clone(),
        keep: args.keep.clone(),
    };
    execute(&config, args.common.lexicons.as_deref())
}

fn run_stage(args: StageArgs, stage: Stage) -> i32 {
    let config = config_for(&args.common, stage, stage);
    execute(&config, args.common.lexicons.as_deref())
}

fn execute(config: &Config, lexicon_dir: Option<&Path>) -> i32 {
    let (lexicons, model) = match load_model(lexicon_dir) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    match pipeline::run(config, &lexicons, &model) {
        Ok(summary) => summary.exit_code(),
        Err(e) => {
            eprintln!("claimstance: error: {e}");
            EXIT_FATAL
        }
    }
}

fn check_lexicons(dir: Option<&Path>) -> i32 {
    let lexicons = match Lexicons::load(dir) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("claimstance: error: {e}");
            return EXIT_FATAL;
        }
    };
    let problems = Model::check(&lexicons);
    for p in &problems {
        println!("{p}");
    }
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    let warnings = problems.len() - errors;
    let files = lexicons.files().len();
    println!("{files} lexicon files checked: {errors} errors, {warnings} warnings");
    if errors > 0 {
        EXIT_FATAL
    } else {
        EXIT_CLEAN
    }
}

fn explain(args: &ExplainArgs) -> i32 {
    let text = match (&args.text, &args.file) {
        (Some(text), _) => text.clone(),
        (None, Some(path)) => match std::fs::read(path) {
            Ok(bytes) => claimstance::input::decode_lossy(bytes).0,
            Err(e) => {
                eprintln!("claimstance: error: cannot read {}: {e}", path.display());
                return EXIT_FATAL;
            }
        },
        (None, None) => {
            eprintln!("claimstance: error: give a TEXT or --file FILE");
            return 2;
        }
    };
    let (_, model) = match load_model(args.lexicons.as_deref()) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    print!("{}", claimstance::explain::explain(&model, &text));
    EXIT_CLEAN
}
