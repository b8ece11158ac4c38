//! Reading and checking the actor lexicons (`actors.csv`, `non_actors.csv`,
//! `actor_context.csv`): rows validated with file:line problems, merged in
//! order (a user's rows after the built-in ones), ready to compile.

use crate::fold::{fold, plain_run};
use crate::lexicon::{read_rows, LexiconFile, Lexicons, Problem};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Deserialize;
use std::sync::Arc;

/// What an actor row names (ANNOTATION.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorType {
    State,
    Org,
    Group,
    Agency,
    Person,
    Capital,
}

impl ActorType {
    fn parse(s: &str) -> Option<ActorType> {
        Some(match s {
            "state" => ActorType::State,
            "org" => ActorType::Org,
            "group" => ActorType::Group,
            "agency" => ActorType::Agency,
            "person" => ActorType::Person,
            "capital" => ActorType::Capital,
            _ => return None,
        })
    }

    /// Whether a row of this type defines its actor code.
    fn defines_code(self) -> bool {
        matches!(self, ActorType::State | ActorType::Org | ActorType::Group)
    }
}

/// How an alias compares with the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseRule {
    /// Case-sensitive.
    Exact,
    /// ASCII-case-insensitive.
    Any,
}

impl CaseRule {
    fn parse(s: &str) -> Option<CaseRule> {
        match s {
            "exact" => Some(CaseRule::Exact),
            "any" => Some(CaseRule::Any),
            _ => None,
        }
    }
}

/// Where a row came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Index into `Lexicons::files()`.
    pub file: usize,
    pub line: u64,
}

/// One alias of `actors.csv`, validated and folded.
#[derive(Debug, Clone)]
pub struct ActorEntry {
    pub actor: Arc<str>,
    pub entity: Arc<str>,
    pub kind: ActorType,
    /// The alias in folded form, whitespace runs collapsed.
    pub alias: Box<str>,
    pub case: CaseRule,
    pub origin: Origin,
}

/// One name of `non_actors.csv`.
#[derive(Debug, Clone)]
pub struct NonActorEntry {
    pub name: Box<str>,
    pub case: CaseRule,
    pub origin: Origin,
}

/// Word lists of `actor_context.csv`, lowercased with dots removed.
#[derive(Debug, Clone, Default)]
pub struct ContextWords {
    pub head_nouns: Vec<String>,
    /// The first word of each head noun.
    pub head_noun_first_words: FxHashSet<String>,
    /// As written (dots kept: `Dr.` is not `DR`).
    pub titles: Vec<String>,
    /// The last word of each title, as a context key (`minister`, `gen`).
    pub title_words: FxHashSet<String>,
    pub capital_place_preposition: FxHashSet<String>,
    pub capital_government_before: FxHashSet<String>,
    /// Phrases of one or more words, each as its words.
    pub capital_place_before: Vec<Vec<String>>,
    /// For each last word of those phrases, the phrases that end with it,
    /// as indices into `capital_place_before`, in order.
    pub capital_place_before_by_last: FxHashMap<String, Vec<usize>>,
    pub capital_place_after: FxHashSet<String>,
    pub not_name_word: FxHashSet<String>,
    pub caps_word: FxHashSet<String>,
    pub caps_pronoun: FxHashSet<String>,
    pub pronoun_cue: FxHashSet<String>,
    pub determiner: FxHashSet<String>,
}

/// Everything the matcher compiles, in lexicon order.
#[derive(Debug, Clone, Default)]
pub struct Tables {
    pub actors: Vec<ActorEntry>,
    pub non_actors: Vec<NonActorEntry>,
    pub context: ContextWords,
}

#[derive(Deserialize)]
struct ActorRow {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    entity: String,
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    alias: String,
    #[serde(default)]
    case: String,
}

#[derive(Deserialize)]
struct NonActorRow {
    #[serde(default)]
    name: String,
    #[serde(default)]
    case: String,
}

#[derive(Deserialize)]
struct ContextRow {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    words: String,
}

/// A word or phrase as the context rules compare it: ASCII-lowercased, dots
/// removed, whitespace runs collapsed.
pub fn context_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(
            word.chars()
                .filter(|&c| c != '.')
                .map(|c| c.to_ascii_lowercase()),
        );
    }
    out
}

/// The matching form of an alias: folded, whitespace runs collapsed to one
/// space, trimmed.
pub fn alias_form(alias: &str) -> String {
    // Bytes that fold to themselves need no folding (most aliases), and
    // single spaces between words no collapsing.
    let bytes = alias.as_bytes();
    if plain_run(bytes) == alias.len() {
        let single_spaced = !alias.contains("  ")
            && !bytes.contains(&b'\n')
            && !alias.starts_with(' ')
            && !alias.ends_with(' ');
        if single_spaced {
            return alias.to_string();
        }
        return collapse_whitespace(alias);
    }
    collapse_whitespace(fold(alias).text())
}

/// `text` with whitespace runs collapsed to one space, trimmed.
fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn required<'a>(
    value: &'a str,
    column: &str,
    file: &LexiconFile,
    line: u64,
    problems: &mut Vec<Problem>,
) -> Option<&'a str> {
    if value.is_empty() {
        problems.push(Problem::error(file, line, format!("empty `{column}`")));
        None
    } else {
        Some(value)
    }
}

fn is_code(code: &str) -> bool {
    code.chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// Which problems `load` looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checks {
    /// Errors and warnings (`lexicon check`).
    All,
    /// Errors only (compiling the matcher): the checks that can only warn
    /// are skipped.
    ErrorsOnly,
}

/// Reads, validates and merges every actor lexicon file; `problems` gets
/// every error, and with `Checks::All` every warning, with its file and
/// line.
pub fn load(lexicons: &Lexicons, problems: &mut Vec<Problem>, checks: Checks) -> Tables {
    let files = lexicons.files();
    let mut tables = Tables::default();
    for (index, file) in files.iter().enumerate() {
        match file.name.as_str() {
            "actors.csv" => load_actors(file, index, &mut tables.actors, problems),
            "non_actors.csv" => load_non_actors(file, index, &mut tables.non_actors, problems),
            "actor_context.csv" => load_context(file, &mut tables.context, problems),
            _ => {}
        }
    }
    check_codes(files, &tables.actors, problems);
    check_duplicates(files, &tables, problems);
    if checks == Checks::All {
        check_non_actor_duplicates(files, &tables, problems);
        check_spans(files, &tables, problems);
    }
    tables
}

fn load_actors(
    file: &LexiconFile,
    index: usize,
    out: &mut Vec<ActorEntry>,
    problems: &mut Vec<Problem>,
) {
    let rows = read_rows::<ActorRow>(file, problems);
    out.reserve(rows.len());
    for (line, row) in rows {
        let actor = required(&row.actor, "actor", file, line, problems);
        let kind_text = required(&row.kind, "type", file, line, problems);
        let alias_text = required(&row.alias, "alias", file, line, problems);
        let case_text = required(&row.case, "case", file, line, problems);
        let kind = kind_text.and_then(|t| {
            let kind = ActorType::parse(t);
            if kind.is_none() {
                problems.push(Problem::error(
                    file,
                    line,
                    format!("unknown type `{t}` (state, org, group, agency, person or capital)"),
                ));
            }
            kind
        });
        let case = case_text.and_then(|t| {
            let case = CaseRule::parse(t);
            if case.is_none() {
                problems.push(Problem::error(
                    file,
                    line,
                    format!("unknown case `{t}` (exact or any)"),
                ));
            }
            case
        });
        if let Some(actor) = actor {
            if !is_code(actor) {
                problems.push(Problem::warning(
                    file,
                    line,
                    format!("actor code `{actor}` is not in capitals (e.g. USA, TALIBAN)"),
                ));
            }
            if !row.entity.is_empty() && row.entity.split('/').next() != Some(actor) {
                problems.push(Problem::warning(
                    file,
                    line,
                    format!(
                        "entity `{}` does not start with its actor code `{actor}`",
                        row.entity
                    ),
                ));
            }
        }
        let (Some(actor), Some(kind), Some(alias_text), Some(case)) =
            (actor, kind, alias_text, case)
        else {
            continue;
        };
        let alias = alias_form(alias_text);
        if !alias.chars().any(char::is_alphanumeric) {
            problems.push(Problem::error(
                file,
                line,
                format!("alias `{alias_text}` has no letter or digit: it can never match"),
            ));
            continue;
        }
        if alias != alias_text {
            problems.push(Problem::warning(
                file,
                line,
                format!(
                    "alias `{alias_text}` is not in folded form (ASCII quotes and hyphens, single spaces): matched as `{alias}`"
                ),
            ));
        }
        let entity = if row.entity.is_empty() {
            actor.to_string()
        } else {
            row.entity.clone()
        };
        out.push(ActorEntry {
            actor: Arc::from(actor),
            entity: Arc::from(entity),
            kind,
            alias: alias.into_boxed_str(),
            case,
            origin: Origin { file: index, line },
        });
    }
}

fn load_non_actors(
    file: &LexiconFile,
    index: usize,
    out: &mut Vec<NonActorEntry>,
    problems: &mut Vec<Problem>,
) {
    for (line, row) in read_rows::<NonActorRow>(file, problems) {
        let Some(name_text) = required(&row.name, "name", file, line, problems) else {
            continue;
        };
        let case = if row.case.is_empty() {
            CaseRule::Any
        } else if let Some(case) = CaseRule::parse(&row.case) {
            case
        } else {
            problems.push(Problem::error(
                file,
                line,
                format!("unknown case `{}` (exact or any)", row.case),
            ));
            continue;
        };
        let name = alias_form(name_text);
        if !name.chars().any(char::is_alphanumeric) {
            problems.push(Problem::error(
                file,
                line,
                format!("name `{name_text}` has no letter or digit: it can never match"),
            ));
            continue;
        }
        if name != name_text {
            problems.push(Problem::warning(
                file,
                line,
                format!("name `{name_text}` is not in folded form: matched as `{name}`"),
            ));
        }
        out.push(NonActorEntry {
            name: name.into_boxed_str(),
            case,
            origin: Origin { file: index, line },
        });
    }
}

fn load_context(file: &LexiconFile, words: &mut ContextWords, problems: &mut Vec<Problem>) {
    for (line, row) in read_rows::<ContextRow>(file, problems) {
        let Some(text) = required(&row.words, "words", file, line, problems) else {
            continue;
        };
        let key = context_key(text);
        match row.kind.as_str() {
            "head_noun" => {
                if let Some(first) = key.split(' ').next() {
                    words.head_noun_first_words.insert(first.to_string());
                }
                words.head_nouns.push(key);
            }
            "title" => {
                if let Some(last) = key.split(' ').next_back() {
                    words.title_words.insert(last.to_string());
                }
                words.titles.push(text.to_string());
            }
            "capital_place_preposition" => {
                words.capital_place_preposition.insert(key);
            }
            "capital_government_before" => {
                words.capital_government_before.insert(key);
            }
            "capital_place_before" => {
                let phrase: Vec<String> = key.split(' ').map(str::to_string).collect();
                if let Some(last) = phrase.last() {
                    words
                        .capital_place_before_by_last
                        .entry(last.clone())
                        .or_default()
                        .push(words.capital_place_before.len());
                }
                words.capital_place_before.push(phrase);
            }
            "capital_place_after" => {
                words.capital_place_after.insert(key);
            }
            "not_name_word" => {
                words.not_name_word.insert(key);
            }
            "caps_word" => {
                words.caps_word.insert(key);
            }
            "caps_pronoun" => {
                words.caps_pronoun.insert(key);
            }
            "pronoun_cue" => {
                words.pronoun_cue.insert(key);
            }
            "determiner" => {
                words.determiner.insert(key);
            }
            other => problems.push(Problem::error(
                file,
                line,
                format!("unknown kind `{other}`"),
            )),
        }
    }
}

/// Codes are known when a state, org or group row defines them; agencies,
/// persons and capitals must point at a known code (capitals at a state or
/// an organization).
fn check_codes(files: &[LexiconFile], actors: &[ActorEntry], problems: &mut Vec<Problem>) {
    // The strongest kind defining each code: state, then org, then group.
    let rank = |kind: ActorType| match kind {
        ActorType::State => 0,
        ActorType::Org => 1,
        _ => 2,
    };
    let mut defined: FxHashMap<&str, ActorType> = FxHashMap::default();
    for entry in actors.iter().filter(|e| e.kind.defines_code()) {
        let kind = defined.entry(&entry.actor).or_insert(entry.kind);
        if rank(entry.kind) < rank(*kind) {
            *kind = entry.kind;
        }
    }
    for entry in actors {
        let file = &files[entry.origin.file];
        let line = entry.origin.line;
        match (entry.kind, defined.get(&*entry.actor)) {
            // A seat of government: a state's capital, or an
            // organization's seat (`Brussels` for the EU).
            (ActorType::Capital, Some(ActorType::State | ActorType::Org)) => {}
            (ActorType::Capital, _) => problems.push(Problem::error(
                file,
                line,
                format!(
                    "capital `{}` points at `{}`, which no `state` or `org` row defines",
                    entry.alias, entry.actor
                ),
            )),
            (ActorType::Agency | ActorType::Person, None) => problems.push(Problem::error(
                file,
                line,
                format!(
                    "unknown actor code `{}`: no state, org or group row defines it",
                    entry.actor
                ),
            )),
            _ => {}
        }
    }
}

/// Duplicate aliases and aliases shadowed by a later row of the same file,
/// with the line that wins.
fn check_duplicates(files: &[LexiconFile], tables: &Tables, problems: &mut Vec<Problem>) {
    let mut by_key: FxHashMap<String, Vec<usize>> = FxHashMap::default();
    for (i, entry) in tables.actors.iter().enumerate() {
        by_key
            .entry(entry.alias.to_ascii_lowercase())
            .or_default()
            .push(i);
    }
    for indexes in by_key.values() {
        for (n, &i) in indexes.iter().enumerate() {
            let earlier = &tables.actors[i];
            for &j in &indexes[n + 1..] {
                let later = &tables.actors[j];
                if later.origin.file != earlier.origin.file {
                    // A user's row over a built-in one: the intended override.
                    continue;
                }
                let file = &files[earlier.origin.file];
                let shadowed = later.case == CaseRule::Any || later.alias == earlier.alias;
                let message = if later.actor != earlier.actor {
                    format!(
                        "alias `{}` under two actors: {} here and {} on line {}{}",
                        earlier.alias,
                        earlier.actor,
                        later.actor,
                        later.origin.line,
                        if shadowed { " (which wins)" } else { "" }
                    )
                } else if shadowed {
                    format!(
                        "duplicate alias `{}`: line {} replaces this row",
                        earlier.alias, later.origin.line
                    )
                } else {
                    continue;
                };
                if later.actor != earlier.actor && shadowed {
                    problems.push(Problem::error(file, earlier.origin.line, message));
                } else {
                    problems.push(Problem::warning(file, earlier.origin.line, message));
                }
            }
        }
    }
}

/// Duplicate non-actor names, and aliases that a non-actor name blocks
/// (warnings only).
fn check_non_actor_duplicates(files: &[LexiconFile], tables: &Tables, problems: &mut Vec<Problem>) {
    let mut names: FxHashMap<String, Vec<&NonActorEntry>> = FxHashMap::default();
    for entry in &tables.non_actors {
        let list = names.entry(entry.name.to_ascii_lowercase()).or_default();
        if let Some(first) = list
            .iter()
            .find(|e| e.origin.file == entry.origin.file && e.name == entry.name)
        {
            problems.push(Problem::warning(
                &files[entry.origin.file],
                entry.origin.line,
                format!(
                    "duplicate non-actor name `{}` (also line {})",
                    entry.name, first.origin.line
                ),
            ));
        }
        list.push(entry);
    }
    for entry in &tables.actors {
        let Some(blockers) = names.get(&entry.alias.to_ascii_lowercase()) else {
            continue;
        };
        for blocker in blockers {
            if blocker.case == CaseRule::Any || *blocker.name == *entry.alias {
                let blocker_file = &files[blocker.origin.file];
                problems.push(Problem::warning(
                    &files[entry.origin.file],
                    entry.origin.line,
                    format!(
                        "alias `{}` can never match: {}:{} names it as a non-actor",
                        entry.alias,
                        blocker_file.display(),
                        blocker.origin.line
                    ),
                ));
                break;
            }
        }
    }
}

/// The rest of `alias` after the word-prefix `prefix`, compared
/// ASCII-case-insensitively.
fn after_prefix<'a>(alias: &'a str, prefix: &str) -> Option<&'a str> {
    let head = alias.get(..prefix.len())?;
    let rest = alias.get(prefix.len()..)?.strip_prefix(' ')?;
    head.eq_ignore_ascii_case(prefix).then_some(rest)
}

/// The rest of `alias` before the word-suffix `suffix`.
fn before_suffix<'a>(alias: &'a str, suffix: &str) -> Option<&'a str> {
    let at = alias.len().checked_sub(suffix.len())?;
    let tail = alias.get(at..)?;
    let rest = alias.get(..at)?.strip_suffix(' ')?;
    tail.eq_ignore_ascii_case(suffix).then_some(rest)
}

/// Aliases made of another alias and a title before it (`President Biden`)
/// or a generic head noun after it (`Afghan government`): the span would hold
/// the title or the head noun.
fn check_spans(files: &[LexiconFile], tables: &Tables, problems: &mut Vec<Problem>) {
    let context = &tables.context;
    let aliases: FxHashSet<String> = tables
        .actors
        .iter()
        .map(|e| e.alias.to_ascii_lowercase())
        .collect();
    let is_alias = |s: &str| aliases.contains(&s.to_ascii_lowercase());
    for entry in &tables.actors {
        let alias = &*entry.alias;
        let file = &files[entry.origin.file];
        if let Some(noun) = context
            .head_nouns
            .iter()
            .find(|n| before_suffix(alias, n).is_some_and(is_alias))
        {
            problems.push(Problem::warning(
                file,
                entry.origin.line,
                format!(
                    "alias `{alias}` is another alias and the generic head noun `{noun}`: the span must stop before it"
                ),
            ));
        }
        if let Some(title) = context
            .titles
            .iter()
            .find(|t| after_prefix(alias, t).is_some_and(is_alias))
        {
            problems.push(Problem::warning(
                file,
                entry.origin.line,
                format!(
                    "alias `{alias}` is the title `{title}` and another alias: the span must start after it"
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `alias_form` the long way: folded, then whitespace runs collapsed.
    fn folded_form(alias: &str) -> String {
        fold(alias)
            .text()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    proptest::proptest! {
        #[test]
        fn the_alias_form_is_the_folded_form(
            alias in "(Raúl| |  |\t|\n|\r|`|'|al|-|Qaeda|U\\.S\\.|\u{2019}|\u{a0}|\u{ad}|\u{7}|é|e\u{301})*"
        ) {
            proptest::prop_assert_eq!(alias_form(&alias), folded_form(&alias));
        }
    }
}
