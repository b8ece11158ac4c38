//! Normalize: decides which source lines are content and which are
//! boilerplate (ANNOTATION.md §2), with rules from `lexicons/boilerplate.csv`
//! and one heuristic for tabloid picture captions (see [`is_caption`]). The
//! result is the list of kept source line spans, trimmed, and what was
//! dropped (spans, kinds and the byte count). See docs/normalize.md.
//!
//! The whole-line rules run as one lazy DFA over each line (`rule_set`),
//! except the floating ones (`.*X`, `[^.!?]+X`, which read a line to its
//! end): each of those that needs a literal (`needs`) has a lazy DFA of its
//! own, tried only on the lines where one search of the document found one
//! of its literals (`gate`). One DFA per floating rule keeps each small: a
//! DFA of them all would build a state for every mix of their partial
//! matches that the text brings. The verdict is the same either way: the
//! first rule in lexicon order that matches the line and admits its length.

mod first_bytes;
mod gate;
mod needs;
mod rule_set;

use crate::lexicon::{read_rows, LexiconFile, Lexicons, Problem};
use crate::types::Span;
use first_bytes::{first_bytes_of, second_bytes_of, ByteSet};
use gate::{rule_bit, Gate, RuleMask};
use regex::{Regex, RegexSet};
use regex_syntax::hir::Hir;
use rule_set::{PrefixRegex, RuleSearch, RuleSet};
use std::sync::Arc;

/// Something normalization dropped: a boilerplate line or a dateline prefix.
#[derive(Debug, Clone, PartialEq)]
pub struct Dropped {
    pub span: Span,
    /// The rule's kind from `boilerplate.csv` (`caption` for the heuristic).
    pub kind: Arc<str>,
}

/// The kept content of one document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Normalized {
    /// Kept source spans, one per content line (trimmed, non-empty), in order.
    pub lines: Vec<Span>,
    /// Bytes of boilerplate dropped (lines and dateline prefixes, trimmed).
    pub dropped_bytes: usize,
    /// What was dropped, in source order.
    pub dropped: Vec<Dropped>,
}

/// Where a boilerplate rule applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// The pattern matches the whole trimmed line: the line is dropped.
    Line,
    /// The pattern matches at the start of a line: that prefix is dropped.
    Prefix,
    /// A prefix that is never a dateline (`ANALYSIS –`): prefix rules are
    /// not applied to a line that starts with it.
    Except,
    /// A heading line (`You Might also Like`): it and the lines without final
    /// punctuation that follow it are dropped.
    Section,
    /// A list item: dropped only in a run of two or more matching lines.
    List,
}

impl Scope {
    fn parse(s: &str) -> Option<Scope> {
        Some(match s {
            "" | "line" => Scope::Line,
            "prefix" => Scope::Prefix,
            "except" => Scope::Except,
            "section" => Scope::Section,
            "list" => Scope::List,
            _ => return None,
        })
    }
}

#[derive(Debug, serde::Deserialize)]
struct BoilerplateRow {
    pattern: String,
    kind: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    max_bytes: Option<usize>,
}

/// Compiled boilerplate rules.
#[derive(Debug, Clone)]
pub struct Normalizer {
    /// Whole-line rules (line, section and list scopes), in lexicon order.
    whole_rules: Vec<WholeRule>,
    /// The whole-line rules tried on every line, anchored.
    always: RuleSet,
    /// The floating rules (see [`needs::floats`]) that need a literal, tried
    /// only on the lines their gate marks.
    gated: Option<Gated>,
    prefixes: Vec<Prefix>,
    exceptions: Option<RegexSet>,
    caption_kind: Arc<str>,
}

/// One row of `boilerplate.csv`, checked but not compiled.
struct RuleRow {
    scope: Scope,
    kind: Arc<str>,
    max_bytes: usize,
    /// The pattern anchored as its scope requires.
    anchored: String,
}

impl RuleRow {
    /// Checks one row; problems go to `problems`.
    fn parse(
        file: &LexiconFile,
        line: u64,
        row: BoilerplateRow,
        problems: &mut Vec<Problem>,
    ) -> Option<RuleRow> {
        let Some(scope) = Scope::parse(row.scope.trim()) else {
            problems.push(Problem::error(
                file,
                line,
                format!(
                    "unknown scope {:?} (use line, prefix, except, section or list)",
                    row.scope
                ),
            ));
            return None;
        };
        if row.kind.trim().is_empty() {
            problems.push(Problem::error(file, line, "empty kind"));
            return None;
        }
        // ASCII word boundaries keep the fast DFA engines usable.
        let pattern = row.pattern.replace(r"\b", r"(?-u:\b)");
        let anchored = match scope {
            Scope::Prefix | Scope::Except => format!("^(?:{pattern})"),
            _ => format!("^(?:{pattern})$"),
        };
        Some(RuleRow {
            scope,
            kind: Arc::from(row.kind.trim()),
            max_bytes: row.max_bytes.unwrap_or(usize::MAX),
            anchored,
        })
    }
}

/// A prefix rule (datelines).
#[derive(Debug, Clone)]
struct Prefix {
    regex: PrefixRegex,
    kind: Arc<str>,
    /// The bytes its matches start with (`None`: any).
    first: Option<ByteSet>,
    /// The bytes its matches go on with after an ASCII first character
    /// (`None`: any).
    second: Option<ByteSet>,
}

impl Prefix {
    /// The rule of `regex`, given `hir`, its pattern parsed (`None` if it
    /// did not parse).
    fn new(regex: PrefixRegex, hir: Option<&Hir>, kind: Arc<str>) -> Prefix {
        let first = hir.map(first_bytes_of);
        let second = hir.and_then(second_bytes_of);
        Prefix {
            regex,
            kind,
            first,
            second,
        }
    }

    /// Where its match at the start of `text` ends, if it is not empty.
    fn find(&self, text: &str) -> Option<usize> {
        let first = text.as_bytes().first()?;
        if self.first.as_ref().is_some_and(|set| !set.contains(*first)) {
            return None;
        }
        // An ASCII first character is one byte: the next byte follows it.
        if let Some(second) = self.second.as_ref().filter(|_| first.is_ascii()) {
            if !text
                .as_bytes()
                .get(1)
                .is_some_and(|&byte| second.contains(byte))
            {
                return None;
            }
        }
        self.regex.match_end(text).filter(|&end| end > 0)
    }
}

/// The floating rules that need a literal, one set each (in rule order),
/// and the gate that marks the lines holding their literals.
#[derive(Debug, Clone)]
struct Gated {
    sets: Vec<RuleSet>,
    gate: Gate,
}

impl Gated {
    /// The searches of the sets, each made on first use.
    fn searches(&self) -> Vec<Option<RuleSearch<'_>>> {
        self.sets.iter().map(|_| None).collect()
    }

    /// The first of the rules marked in `marks` (see [`rule_bit`]) that
    /// matches `text` and admits it, if it comes before `before`.
    fn first_match<'a>(
        &'a self,
        text: &str,
        marks: RuleMask,
        searches: &mut [Option<RuleSearch<'a>>],
        before: Option<usize>,
        admits: impl Fn(usize) -> bool + Copy,
    ) -> Option<usize> {
        let marked = self
            .sets
            .iter()
            .zip(searches.iter_mut())
            .enumerate()
            .filter(|&(position, _)| marks & rule_bit(position) != 0);
        for (_, (set, search)) in marked {
            // The sets are in rule order: a later one cannot come first.
            if set
                .rules
                .first()
                .zip(before)
                .is_some_and(|(&rule, before)| rule > before)
            {
                return None;
            }
            let search = search.get_or_insert_with(|| set.search());
            if let Some(rule) = search.first_match(text, admits) {
                return Some(rule);
            }
        }
        None
    }
}

/// A floating rule is tried only on the lines holding one of its needed
/// literals when searching for them costs less than this (see
/// [`needs::search_cost`]: trying the rule on every line costs 10 000).
const MAX_GATE_COST: u64 = 5_000;

#[derive(Debug, Clone)]
struct WholeRule {
    scope: Scope,
    kind: Arc<str>,
    max_bytes: usize,
}

/// One non-blank source line.
#[derive(Debug, Clone)]
struct Line {
    span: Span,
    /// A blank line (or the document start) comes before it.
    blank_before: bool,
    verdict: Verdict,
}

#[derive(Debug, Clone, PartialEq)]
enum Verdict {
    Keep,
    Drop(Arc<str>),
    /// Dropped if a neighbour is a list item too.
    ListItem(Arc<str>),
    /// Heading of a dropped section.
    Section(Arc<str>),
}

impl Normalizer {
    pub fn build(lexicons: &Lexicons) -> Result<Normalizer, Vec<Problem>> {
        let mut problems = Vec::new();
        let rows = Normalizer::rows(lexicons, &mut problems);
        if problems.is_empty() {
            if let Ok(normalizer) = Normalizer::compile(&rows) {
                return Ok(normalizer);
            }
        }
        // Compiling every pattern on its own costs more than the sets
        // themselves, so it is done only now, to say which rows are wrong.
        let mut problems = Vec::new();
        let mut good = Vec::new();
        for file in lexicons.named("boilerplate.csv") {
            for (line, row) in read_rows::<BoilerplateRow>(file, &mut problems) {
                let Some(row) = RuleRow::parse(file, line, row, &mut problems) else {
                    continue;
                };
                match Regex::new(&row.anchored) {
                    Ok(_) => good.push(row),
                    Err(e) => {
                        problems.push(Problem::error(file, line, format!("bad pattern: {e}")))
                    }
                }
            }
        }
        match Normalizer::compile(&good) {
            Ok(normalizer) if problems.is_empty() => return Ok(normalizer),
            Ok(_) => {}
            Err(errors) => {
                if let Some(file) = lexicons.named("boilerplate.csv").last() {
                    for e in errors {
                        problems.push(Problem::error(file, 0, format!("patterns: {e}")));
                    }
                }
            }
        }
        Err(problems)
    }

    /// The rules of `boilerplate.csv`, parsed but not compiled.
    fn rows(lexicons: &Lexicons, problems: &mut Vec<Problem>) -> Vec<RuleRow> {
        let mut rows = Vec::new();
        for file in lexicons.named("boilerplate.csv") {
            for (line, row) in read_rows::<BoilerplateRow>(file, problems) {
                rows.extend(RuleRow::parse(file, line, row, problems));
            }
        }
        rows
    }

    /// Compiles the rules: whole-line rules into one set, exceptions into
    /// another, prefix rules one by one.
    fn compile(rows: &[RuleRow]) -> Result<Normalizer, Vec<regex::Error>> {
        let mut whole = Vec::new();
        let mut whole_rules = Vec::new();
        let mut prefixes = Vec::new();
        let mut exceptions = Vec::new();
        let mut errors = Vec::new();
        let mut compiler = rule_set::compiler();
        let parser = regex_syntax::Parser::new;
        for row in rows {
            match row.scope {
                Scope::Prefix => {
                    let hir = parser().parse(&row.anchored).ok();
                    match PrefixRegex::build_parsed(&row.anchored, hir.as_ref(), &mut compiler) {
                        Ok(regex) => {
                            prefixes.push(Prefix::new(regex, hir.as_ref(), row.kind.clone()))
                        }
                        Err(e) => errors.push(e),
                    }
                }
                Scope::Except => exceptions.push(row.anchored.as_str()),
                _ => {
                    whole.push(row.anchored.as_str());
                    whole_rules.push(WholeRule {
                        scope: row.scope,
                        kind: row.kind.clone(),
                        max_bytes: row.max_bytes,
                    });
                }
            }
        }
        // Floating rules that need a literal are set apart behind a gate.
        let hirs: Vec<Option<Hir>> = whole
            .iter()
            .map(|pattern| parser().parse(pattern).ok())
            .collect();
        let needed: Vec<Option<needs::Needed>> = hirs
            .iter()
            .map(|hir| {
                hir.as_ref()
                    .filter(|hir| needs::floats_hir(hir))
                    .and_then(needs::needed_in)
                    .filter(|needed| needed.cost() < MAX_GATE_COST)
            })
            .collect();
        let gate =
            Gate::new(needed.iter().flatten()).filter(|_| needed.iter().any(Option::is_some));
        let is_gated = |i: &usize| gate.is_some() && needed[*i].is_some();
        let (gated, always): (Vec<usize>, Vec<usize>) = (0..whole.len()).partition(is_gated);
        let mut build = |rules: Vec<usize>| {
            let patterns: Vec<&str> = rules.iter().map(|&i| whole[i]).collect();
            let parsed: Vec<Option<&Hir>> = rules.iter().map(|&i| hirs[i].as_ref()).collect();
            RuleSet::build(&patterns, &parsed, rules, &mut compiler)
        };
        let always = build(always);
        let gated = match gate {
            Some(gate) => gated
                .into_iter()
                .map(|rule| build(vec![rule]))
                .collect::<Result<Vec<_>, _>>()
                .map(|sets| Some(Gated { sets, gate })),
            None => Ok(None),
        };
        let exceptions = if exceptions.is_empty() {
            Ok(None)
        } else {
            RegexSet::new(&exceptions).map(Some)
        };
        match (always, gated, exceptions) {
            (Ok(always), Ok(gated), Ok(exceptions)) if errors.is_empty() => Ok(Normalizer {
                whole_rules,
                always,
                gated,
                prefixes,
                exceptions,
                caption_kind: Arc::from("caption"),
            }),
            (always, gated, exceptions) => {
                errors.extend(
                    [always.err(), gated.err(), exceptions.err()]
                        .into_iter()
                        .flatten(),
                );
                Err(errors)
            }
        }
    }

    /// Every problem in the boilerplate lexicon (for `lexicon check`).
    pub fn check(lexicons: &Lexicons) -> Vec<Problem> {
        Normalizer::build(lexicons).err().unwrap_or_default()
    }

    pub fn normalize(&self, src: &str) -> Normalized {
        let mut lines = split_lines(src);
        let mut marks: Vec<RuleMask> = vec![0; lines.len()];
        if let Some(gated) = &self.gated {
            let spans: Vec<Span> = lines.iter().map(|line| line.span.clone()).collect();
            gated.gate.mark(src, &spans, &mut marks);
        }
        let mut always = self.always.search();
        let mut gated = self.gated.as_ref().map_or_else(Vec::new, Gated::searches);
        for (line, &marks) in lines.iter_mut().zip(&marks) {
            let text = &src[line.span.clone()];
            line.verdict = self.classify(text, &mut always, &mut gated, marks);
        }
        resolve_lists(&mut lines);
        resolve_sections(src, &mut lines);
        self.drop_captions(src, &mut lines);

        let mut out = Normalized {
            lines: Vec::with_capacity(lines.len()),
            ..Normalized::default()
        };
        for line in lines {
            match line.verdict {
                Verdict::Keep => {
                    let Some((prefix_end, kind)) = self.dateline(&src[line.span.clone()]) else {
                        // Lines are trimmed and non-empty already.
                        out.lines.push(line.span);
                        continue;
                    };
                    let prefix_end = line.span.start + prefix_end;
                    let dropped = trim_span(src, line.span.start..prefix_end);
                    if dropped.end > dropped.start {
                        out.dropped_bytes += dropped.len();
                        out.dropped.push(Dropped {
                            span: dropped,
                            kind: kind.clone(),
                        });
                    }
                    let rest = trim_span(src, prefix_end..line.span.end);
                    if rest.end > rest.start {
                        out.lines.push(rest);
                    }
                }
                Verdict::Drop(kind) | Verdict::ListItem(kind) | Verdict::Section(kind) => {
                    out.dropped_bytes += line.span.len();
                    out.dropped.push(Dropped {
                        span: line.span,
                        kind,
                    });
                }
            }
        }
        out
    }

    /// The verdict of the first whole-line rule (in lexicon order) that
    /// matches `text` and admits its length.
    fn classify<'a>(
        &'a self,
        text: &str,
        always: &mut RuleSearch,
        gated: &mut [Option<RuleSearch<'a>>],
        marks: RuleMask,
    ) -> Verdict {
        let rule = self
            .first_rule(text, always, gated, marks)
            .and_then(|rule| self.whole_rules.get(rule));
        let Some(rule) = rule else {
            return Verdict::Keep;
        };
        match rule.scope {
            Scope::List => Verdict::ListItem(rule.kind.clone()),
            Scope::Section => Verdict::Section(rule.kind.clone()),
            _ => Verdict::Drop(rule.kind.clone()),
        }
    }

    /// The first whole-line rule (in lexicon order) that matches `text` and
    /// admits its length. The gated rules are searched only when the gate
    /// marked the line with them (`marks`): no other line can match them.
    fn first_rule<'a>(
        &'a self,
        text: &str,
        always: &mut RuleSearch,
        gated: &mut [Option<RuleSearch<'a>>],
        marks: RuleMask,
    ) -> Option<usize> {
        let admits = |rule: usize| {
            self.whole_rules
                .get(rule)
                .is_some_and(|rule| text.len() <= rule.max_bytes)
        };
        let first = always.first_match(text, admits);
        let gated_rule = match &self.gated {
            Some(set) if marks != 0 => set.first_match(text, marks, gated, first, admits),
            _ => None,
        };
        match (first, gated_rule) {
            (Some(always), Some(gated)) => Some(always.min(gated)),
            (always, gated) => always.or(gated),
        }
    }

    /// Where the dateline prefix of a kept line ends, if it has one, and the
    /// kind of the rule that found it.
    fn dateline(&self, text: &str) -> Option<(usize, &Arc<str>)> {
        let (end, kind) = self
            .prefixes
            .iter()
            .find_map(|prefix| Some((prefix.find(text)?, &prefix.kind)))?;
        // An exception only matters to a line that has a prefix.
        let excepted = self
            .exceptions
            .as_ref()
            .is_some_and(|set| set.is_match(text));
        (!excepted).then_some((end, kind))
    }

    /// Drops tabloid picture captions (see [`is_caption`]).
    fn drop_captions(&self, src: &str, lines: &mut [Line]) {
        let mut seen_paragraph = false;
        for i in 0..lines.len() {
            if lines[i].verdict != Verdict::Keep {
                continue;
            }
            let text = &src[lines[i].span.clone()];
            if !seen_paragraph {
                seen_paragraph = ends_sentence(text) && text.len() > 40;
                continue;
            }
            let continued = lines.get(i + 1).is_some_and(|next| {
                !next.blank_before && starts_lowercase(&src[next.span.clone()])
            });
            if !continued && is_caption(text) {
                lines[i].verdict = Verdict::Drop(self.caption_kind.clone());
            }
        }
    }
}

/// The non-blank lines of `src`, trimmed (`\n`, `\r\n` and `\r` end lines).
fn split_lines(src: &str) -> Vec<Line> {
    let bytes = src.as_bytes();
    // Room for a line per 64 bytes: few documents need the vector to grow.
    let mut lines = Vec::with_capacity(src.len() / 64 + 1);
    let mut start = 0;
    let mut blank_before = true;
    while start <= bytes.len() {
        let end = memchr::memchr2(b'\n', b'\r', &bytes[start..]).map_or(bytes.len(), |i| start + i);
        let span = trim_span(src, start..end);
        if span.end > span.start {
            lines.push(Line {
                span,
                blank_before,
                verdict: Verdict::Keep,
            });
            blank_before = false;
        } else {
            blank_before = true;
        }
        if end >= bytes.len() {
            break;
        }
        start = if bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n') {
            end + 2
        } else {
            end + 1
        };
    }
    lines
}

/// Whether a character is trimmed from line ends: whitespace and the
/// invisible characters folding removes (BOM, zero-width, soft hyphen).
fn is_trimmed(c: char) -> bool {
    c.is_whitespace() || crate::fold::is_invisible(c)
}

/// `span` without leading and trailing whitespace or invisible characters.
pub fn trim_span(src: &str, span: Span) -> Span {
    let Some(text) = src.get(span.clone()) else {
        return span.start..span.start;
    };
    // Printable ASCII is never trimmed: most lines need no char decoding.
    let start_trimmed = if text.as_bytes().first().is_some_and(u8::is_ascii_graphic) {
        text
    } else {
        text.trim_start_matches(is_trimmed)
    };
    let start = span.start + (text.len() - start_trimmed.len());
    let kept = if start_trimmed
        .as_bytes()
        .last()
        .is_some_and(u8::is_ascii_graphic)
    {
        start_trimmed.len()
    } else {
        start_trimmed.trim_end_matches(is_trimmed).len()
    };
    start..start + kept
}

/// List items are dropped only in runs of two or more.
fn resolve_lists(lines: &mut [Line]) {
    let items: Vec<bool> = lines
        .iter()
        .map(|l| matches!(l.verdict, Verdict::ListItem(_)))
        .collect();
    for (i, line) in lines.iter_mut().enumerate() {
        if let Verdict::ListItem(kind) = &line.verdict {
            let neighbour = (i > 0 && items[i - 1]) || items.get(i + 1) == Some(&true);
            line.verdict = if neighbour {
                Verdict::Drop(kind.clone())
            } else {
                Verdict::Keep
            };
        }
    }
}

/// A section heading drops the lines after it up to the first one that ends
/// a sentence.
fn resolve_sections(src: &str, lines: &mut [Line]) {
    let mut section: Option<Arc<str>> = None;
    for line in lines.iter_mut() {
        match &line.verdict {
            Verdict::Section(kind) => section = Some(kind.clone()),
            Verdict::Keep => {
                if let Some(kind) = &section {
                    if ends_sentence(&src[line.span.clone()]) {
                        section = None;
                    } else {
                        line.verdict = Verdict::Drop(kind.clone());
                    }
                }
            }
            _ => {}
        }
    }
}

/// Closing quotes and brackets that may follow final punctuation.
pub fn is_closing(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '\u{201D}' | '\u{2019}' | '\u{00BB}' | '\u{203A}' | ')' | ']' | '}' | '*'
    )
}

/// Whether a line ends with sentence-final punctuation (closing quotes and
/// brackets after it allowed).
pub fn ends_sentence(text: &str) -> bool {
    let body = text.trim_end_matches(|c: char| is_closing(c) || c.is_whitespace());
    body.ends_with(['.', '!', '?', '\u{2026}'])
}

fn starts_lowercase(text: &str) -> bool {
    text.chars().next().is_some_and(char::is_lowercase)
}

/// The tabloid caption heuristic (ANNOTATION.md §2: "the short unpunctuated
/// lines between paragraphs that describe a picture"): a line after the
/// first paragraph of the document, not continued by the next line, of at
/// most 300 bytes, that ends without any punctuation and reads as a sentence
/// (five words or more, most longer words in lower case) rather than as a
/// title-case heading. Lines ending in `:`, `,` or `;` introduce or continue
/// text and are kept.
pub fn is_caption(text: &str) -> bool {
    if text.len() > 300 {
        return false;
    }
    let Some(last) = text.chars().next_back() else {
        return false;
    };
    if !(last.is_alphanumeric() || last == ']' || last == ')') {
        return false;
    }
    if ends_sentence(text) {
        return false;
    }
    let counts = WordCounts::of(text);
    counts.words >= 5 && counts.long_lower >= 2 && counts.long_lower * 2 >= counts.long
}

/// The classes of a character in [`WordCounts::of`]: whitespace
/// (`char::is_whitespace`), alphabetic, lower case.
const SPACE: u8 = 1;
const LETTER: u8 = 2;
const LOWER: u8 = 4;

/// [`char_class`] of each ASCII byte.
const ASCII_CLASSES: [u8; 128] = {
    let mut classes = [0; 128];
    let mut byte = 0;
    while byte < 128 {
        let b = byte as u8;
        // The ASCII characters `char::is_whitespace` holds (with U+000B,
        // which `u8::is_ascii_whitespace` leaves out).
        if matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ') {
            classes[byte] |= SPACE;
        }
        if b.is_ascii_alphabetic() {
            classes[byte] |= LETTER;
        }
        if b.is_ascii_lowercase() {
            classes[byte] |= LOWER;
        }
        byte += 1;
    }
    classes
};

/// [`ASCII_CLASSES`] for every byte (no class past ASCII), so that a byte
/// indexes it without a bounds check.
const BYTE_CLASSES: [u8; 256] = {
    let mut classes = [0; 256];
    let mut byte = 0;
    while byte < 128 {
        classes[byte] = ASCII_CLASSES[byte];
        byte += 1;
    }
    classes
};

fn char_class(c: char) -> u8 {
    let mut class = 0;
    if c.is_whitespace() {
        class |= SPACE;
    }
    if c.is_alphabetic() {
        class |= LETTER;
    }
    if c.is_lowercase() {
        class |= LOWER;
    }
    class
}

/// What [`is_caption`] counts in a line: its words (split at whitespace),
/// the words after the first with four letters or more, and those of them
/// that start with a lower-case letter.
#[derive(Debug, Default, PartialEq)]
struct WordCounts {
    words: usize,
    long: usize,
    long_lower: usize,
}

impl WordCounts {
    /// The counts of `text`, in one pass over its bytes: ASCII bytes are
    /// told apart by a table, other characters are decoded.
    fn of(text: &str) -> WordCounts {
        if text.is_ascii() {
            return WordCounts::of_ascii(text.as_bytes());
        }
        let bytes = text.as_bytes();
        let mut counts = WordCounts::default();
        // The word being read: whether there is one, its letters so far and
        // whether it starts in lower case.
        let mut in_word = false;
        let mut letters = 0;
        let mut first_lower = false;
        let mut at = 0;
        while let Some(&byte) = bytes.get(at) {
            let class = if byte.is_ascii() {
                at += 1;
                ASCII_CLASSES[usize::from(byte)]
            } else {
                let c = text.get(at..).and_then(|rest| rest.chars().next());
                at += c.map_or(1, char::len_utf8);
                c.map_or(0, char_class)
            };
            if class & SPACE != 0 {
                if in_word {
                    counts.add(counts.words > 0 && letters >= 4, first_lower);
                    in_word = false;
                }
            } else {
                if !in_word {
                    in_word = true;
                    letters = 0;
                    first_lower = class & LOWER != 0;
                }
                letters += usize::from(class & LETTER != 0);
            }
        }
        if in_word {
            counts.add(counts.words > 0 && letters >= 4, first_lower);
        }
        counts
    }

    /// [`WordCounts::of`] for ASCII text, a word at a time: each word's
    /// bytes are read in a loop of their own, with no state kept between
    /// them.
    fn of_ascii(bytes: &[u8]) -> WordCounts {
        let class_of = |byte: u8| BYTE_CLASSES[usize::from(byte)];
        let mut counts = WordCounts::default();
        let mut at = 0;
        loop {
            while bytes
                .get(at)
                .is_some_and(|&byte| class_of(byte) & SPACE != 0)
            {
                at += 1;
            }
            let Some(&first) = bytes.get(at) else {
                break;
            };
            let first_lower = class_of(first) & LOWER != 0;
            let mut letters = 0;
            while let Some(&byte) = bytes.get(at) {
                let class = class_of(byte);
                if class & SPACE != 0 {
                    break;
                }
                letters += usize::from(class & LETTER != 0);
                at += 1;
            }
            counts.add(counts.words > 0 && letters >= 4, first_lower);
        }
        counts
    }

    fn add(&mut self, long: bool, first_lower: bool) {
        self.words += 1;
        if long {
            self.long += 1;
            if first_lower {
                self.long_lower += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lexicons made of one boilerplate.csv, from a user's folder, holding `text`.
    fn user_boilerplate(text: &str) -> Lexicons {
        Lexicons::from_files(vec![LexiconFile {
            name: "boilerplate.csv".to_string(),
            origin: "user.csv".to_string(),
            text: text.to_string(),
        }])
    }

    fn normalizer() -> Normalizer {
        Normalizer::build(&Lexicons::builtin()).expect("built-in rules compile")
    }

    fn kept(src: &str) -> Vec<String> {
        let n = normalizer().normalize(src);
        n.lines.iter().map(|s| src[s.clone()].to_string()).collect()
    }

    fn kinds(src: &str) -> Vec<String> {
        let n = normalizer().normalize(src);
        n.dropped.iter().map(|d| d.kind.to_string()).collect()
    }

    const PARA: &str = "The United States said on Monday that it would keep troops in the region.";

    /// Every whole-line rule in one plain set, with its length limits.
    struct PlainSet {
        set: RegexSet,
        max_bytes: Vec<usize>,
    }

    impl PlainSet {
        fn new(lexicons: &Lexicons) -> PlainSet {
            let rows = Normalizer::rows(lexicons, &mut Vec::new());
            let whole: Vec<&RuleRow> = rows
                .iter()
                .filter(|row| !matches!(row.scope, Scope::Prefix | Scope::Except))
                .collect();
            PlainSet {
                set: RegexSet::new(whole.iter().map(|row| row.anchored.as_str()))
                    .expect("compiles"),
                max_bytes: whole.iter().map(|row| row.max_bytes).collect(),
            }
        }

        /// The rule the set gives a line: the first that matches and
        /// admits its length (what `classify` must give).
        fn rule(&self, text: &str) -> Option<usize> {
            self.set
                .matches(text)
                .into_iter()
                .find(|&i| text.len() <= self.max_bytes[i])
        }
    }

    fn builtin() -> &'static (Normalizer, PlainSet) {
        static BUILT: std::sync::OnceLock<(Normalizer, PlainSet)> = std::sync::OnceLock::new();
        BUILT.get_or_init(|| (normalizer(), PlainSet::new(&Lexicons::builtin())))
    }

    /// The rule `classify` picks for a one-line document (gate included).
    fn gated_rule(normalizer: &Normalizer, text: &str) -> Option<usize> {
        let mut marks = [0];
        if let Some(gated) = &normalizer.gated {
            let whole_line: Span = 0..text.len();
            gated
                .gate
                .mark(text, std::slice::from_ref(&whole_line), &mut marks);
        }
        let searches = || {
            normalizer
                .gated
                .as_ref()
                .map_or_else(Vec::new, Gated::searches)
        };
        let mut always = normalizer.always.search();
        let rule = normalizer.first_rule(text, &mut always, &mut searches(), marks[0]);
        let mut always = normalizer.always.search();
        let verdict = normalizer.classify(text, &mut always, &mut searches(), marks[0]);
        assert_eq!(verdict == Verdict::Keep, rule.is_none(), "{text}");
        rule
    }

    /// Lines on which the floating rules and their literals meet: other
    /// cases, the characters case folding maps to ASCII, long lines.
    fn tricky_lines() -> Vec<String> {
        let mut lines: Vec<String> = [
            "Soldiers at the airport. Photo: AFP",
            "Soldiers at the airport. PHOTO: AFP",
            "Soldiers at the airport. pHoTo: AFP",
            "A man walks (Photo by Reuters)",
            "A man walks (PHOTO by Reuters)",
            "A man walks [Image via Twitter].",
            "Like us on Facebook and follow us",
            "LIKE US ON FACEBOOK",
            "Li\u{212A}e us on Faceboo\u{212A}",
            "li\u{212A}e us on faceboo\u{212A} today",
            "Follow us on In\u{17F}tagram!",
            "follow me on instagram",
            "A man in Kabul [CEN]",
            "A man in Kabul [Cen]",
            "Taliban fighters. Getty Images",
            "Taliban fighters. GETTY IMAGES",
            "Taliban fighters. getty images",
            "AP Photo/John Smith",
            "ap photo/John Smith",
            "function() { return x; }",
            "if (x) { y }",
            "<div class=x>",
            "text -->",
            "— John Smith (@jsmith) October 7, 2014",
            "— John Smith (@JSMITH) October 7, 2014",
            "This message (material) was made by a media outlet performing the functions of a foreign agent",
            "THIS MESSAGE (MATERIAL) WAS MADE BY A MEDIA OUTLET PERFORMING THE FUNCTIONS OF A FOREIGN AGENT",
            "«Данное сообщение (материал) создано",
            "Это сообщение выполняющим функции иностранного агента сделано",
            "Photo:",
            "photo:",
            "",
            "ſ",
            "\u{212A}",
            "Crédit photo : AFP",
            "Image\u{A0}: AFP",
        ]
        .iter()
        .map(|line| line.to_string())
        .collect();
        let long = "word ".repeat(80);
        for line in lines.clone() {
            lines.push(format!("{long}{line}"));
            lines.push(format!("{line} {long}"));
        }
        for seed in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds"))
            .into_iter()
            .flatten()
            .flatten()
        {
            let text = std::fs::read_to_string(seed.path()).unwrap_or_default();
            lines.extend(text.lines().map(|line| line.trim().to_string()));
        }
        lines
    }

    #[test]
    fn gated_rules_give_the_verdicts_of_one_set() {
        let (n, plain) = builtin();
        assert!(
            n.gated.is_some(),
            "the built-in floating rules need literals"
        );
        for line in tricky_lines() {
            assert_eq!(gated_rule(n, &line), plain.rule(&line), "{line}");
        }
    }

    #[test]
    fn a_floating_user_rule_without_literals_is_tried_on_every_line() {
        let text = "pattern,kind,scope,max_bytes,note\n.*\\p{Lu}{3}.*,shout,line,,\n(?i).*\\bkick off\\b.*,sport,line,,\n.*ſ.*,long_s,line,,\n(?i).*\\Bück.*,umlaut,line,,\n";
        let lexicons = user_boilerplate(text);
        let n = Normalizer::build(&lexicons).expect("compiles");
        let plain = PlainSet::new(&lexicons);
        let gated = n.gated.as_ref().expect("three rules need literals");
        let rules: Vec<&[usize]> = gated.sets.iter().map(|set| set.rules.as_slice()).collect();
        assert_eq!(rules, [[1], [2], [3]]);
        // The last rule's Unicode word boundary leaves its set to RegexSet.
        let lazy: Vec<bool> = gated.sets.iter().map(RuleSet::runs_lazy_dfa).collect();
        assert_eq!(lazy, [true, true, false]);
        assert!(n.always.runs_lazy_dfa());
        assert_eq!(n.always.rules, vec![0]);
        for line in [
            "The NATO summit",
            "the nato summit",
            "They KICK OFF at noon",
            "They \u{212A}ICK OFF at noon",
            "They kick offside",
            "Lonſ s",
            "long s",
            "Glück",
            "GLÜCK",
            "Ück",
        ] {
            assert_eq!(gated_rule(&n, line), plain.rule(line), "{line}");
        }
    }

    #[test]
    fn prefix_patterns_end_where_regex_find_does() {
        let mut lines = tricky_lines();
        lines.extend(
            [
                "WASHINGTON (AP) — The Pentagon said it would act.",
                "KABUL, Afghanistan (Reuters) - The Taliban said no.",
                "(CNN) -- Officials said so.",
                "ÉCIJA, Spain — x",
                "BEIRUT: x",
                "Updated 10:30 a.m. ET: x",
                "Refresh automatically On | Off rest",
            ]
            .map(String::from),
        );
        let rows = Normalizer::rows(&Lexicons::builtin(), &mut Vec::new());
        let mut patterns: Vec<&str> = rows
            .iter()
            .filter(|row| row.scope == Scope::Prefix)
            .map(|row| row.anchored.as_str())
            .collect();
        // A Unicode word boundary leaves the pattern to `Regex`.
        patterns.push(r"^(?:\w+\b\s*—\s*)");
        for pattern in patterns {
            let ours = PrefixRegex::build(pattern).expect("compiles");
            let regex = Regex::new(pattern).expect("compiles");
            for line in &lines {
                let expected = regex.find(line).map(|m| m.end());
                assert_eq!(ours.match_end(line), expected, "{pattern} on {line}");
            }
        }
    }

    #[test]
    fn prefixes_find_what_regex_finds_past_their_byte_filters() {
        let mut lines = tricky_lines();
        lines.extend(
            [
                "WASHINGTON (AP) — The Pentagon said it would act.",
                "W — x",
                "WA",
                "W",
                "The US — x",
                "ÉCIJA, Spain — x",
                "(CNN) -- Officials said so.",
                "Updated 10:30 a.m. ET: x",
                "U.S. — x",
                "O’NEILL: x",
            ]
            .map(String::from),
        );
        let rows = Normalizer::rows(&Lexicons::builtin(), &mut Vec::new());
        for row in rows.iter().filter(|row| row.scope == Scope::Prefix) {
            let hir = regex_syntax::Parser::new().parse(&row.anchored).ok();
            assert!(hir.is_some(), "{} parses", row.anchored);
            let prefix = Prefix::new(
                PrefixRegex::build(&row.anchored).expect("compiles"),
                hir.as_ref(),
                row.kind.clone(),
            );
            let regex = Regex::new(&row.anchored).expect("compiles");
            for line in &lines {
                let expected = regex.find(line).map(|m| m.end()).filter(|&end| end > 0);
                assert_eq!(prefix.find(line), expected, "{} on {line}", row.anchored);
            }
        }
    }

    /// What [`WordCounts::of`] must give, counted word by word.
    fn words_split_at_whitespace(text: &str) -> WordCounts {
        let mut counts = WordCounts::default();
        for (i, word) in text.split_whitespace().enumerate() {
            let letters = word.chars().filter(|c| c.is_alphabetic()).count();
            let first_lower = word.chars().next().is_some_and(char::is_lowercase);
            counts.add(i > 0 && letters >= 4, first_lower);
        }
        counts
    }

    #[test]
    fn ascii_classes_are_those_of_the_chars() {
        for byte in 0..128u8 {
            assert_eq!(
                ASCII_CLASSES[usize::from(byte)],
                char_class(char::from(byte)),
                "{byte}"
            );
        }
    }

    use proptest::strategy::Strategy;

    proptest::proptest! {
        #[test]
        fn gated_rules_agree_with_one_set_on_random_lines(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(vec![
                        "Photo", "PHOTO", "photo", "Image", "image", ":", " : ", "(", ")", "[", "]",
                        "{", "}", ";", "<", ">", "-->", "@", "(@", " on ", "Facebook", "TWITTER",
                        "like us", "Follow me", "Getty Images", "AP Photo/", "REUTERS/", "/ AFP",
                        "\u{212A}", "\u{17F}", "\u{A0}", "é", "—", "Данное сообщение (материал)",
                        "a foreign agent", "performing", "message", ". ", "!", "?", "CEN", "2014",
                        " October 7, ", "By ", "var x = ", "http://", "#tag", "1. ",
                    ]).prop_map(str::to_string),
                    "\\PC{0,6}",
                    "[a-zA-Z ]{0,12}",
                ],
                0..12,
            )
        ) {
            let line = parts.concat();
            let line = line.trim();
            let (n, plain) = builtin();
            proptest::prop_assert_eq!(gated_rule(n, line), plain.rule(line), "{}", line);
        }
    }

    proptest::proptest! {
        #[test]
        fn caption_words_are_counted_as_split_whitespace_counts_them(
            text in "([a-zA-Z]{1,7}|[ -~]|[\t\n\x0B\x0C\r \u{85}\u{A0}\u{2003}]|\\PC|[éÉßİΣσ’]){0,24}"
        ) {
            proptest::prop_assert_eq!(WordCounts::of(&text), words_split_at_whitespace(&text));
        }
    }

    #[test]
    fn builtin_rules_compile() {
        let problems = Normalizer::check(&Lexicons::builtin());
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn bad_rows_are_reported_with_their_line() {
        let text = "pattern,kind,scope,max_bytes,note\nShare,social,line,,\n(unclosed,social,line,,\nX,social,sideways,,\n";
        let lexicons = user_boilerplate(text);
        let problems = Normalizer::check(&lexicons);
        let lines: Vec<u64> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![3, 4], "{problems:?}");
        assert!(
            problems[0].message.starts_with("bad pattern:"),
            "{problems:?}"
        );
        assert!(Normalizer::check(&user_boilerplate(
            "pattern,kind,scope,max_bytes,note\nShare,social,line,,\n"
        ))
        .is_empty());
    }

    #[test]
    fn keeps_content_lines_trimmed() {
        let src = "\u{FEFF}  Title line\r\n\r\nFirst sentence. Second.\rThird\u{00A0}\n";
        assert_eq!(
            kept(src),
            vec!["Title line", "First sentence. Second.", "Third"]
        );
        assert_eq!(normalizer().normalize(src).dropped_bytes, 0);
    }

    #[test]
    fn drops_navigation_and_comment_prompts() {
        let src = format!("Type to search\n\n{PARA}\n\nShare\nLeave a Comment\nYour email address will not be published. Required fields are marked *\n");
        assert_eq!(kept(&src), vec![PARA]);
        let n = normalizer().normalize(&src);
        assert_eq!(
            n.dropped_bytes,
            "Type to search".len()
                + "Share".len()
                + "Leave a Comment".len()
                + "Your email address will not be published. Required fields are marked *".len()
        );
    }

    #[test]
    fn drops_related_links_sections_and_lists() {
        let src = format!("{PARA}\n\n  1. Real responsibility for those responsible is beginning to pile up\n\n  2. Meet Latin America’s first millennial dictator\n\n{PARA}\n\nYou Might also Like\n\nSome Headline Here\n\nAlso read: Turkey’s vision for Afghanistan comes into view\nRelated: Another story\n");
        assert_eq!(kept(&src), vec![PARA, PARA]);
        let kinds = kinds(&src);
        assert!(kinds.iter().all(|k| k == "related"), "{kinds:?}");
    }

    #[test]
    fn one_numbered_line_is_content() {
        let src = format!("{PARA}\n\n1. The first point\n\n{PARA}\n");
        assert_eq!(kept(&src).len(), 3);
    }

    #[test]
    fn drops_captions_credits_and_video_prompts() {
        let src = format!("Turkish soldiers patrol at the airport in Kabul. Photo: AFP / Anadolu Agency\n\n{PARA}\n\nScroll down for video\n\nSighting: A team of Russians believe they have captured footage of the elusive Yeti\n\n{PARA}\n\nImage: EyeTravelPhoto / Shutterstock.com.\n[Image via screengrab]\n");
        assert_eq!(kept(&src), vec![PARA, PARA]);
    }

    #[test]
    fn keeps_title_case_headings_and_lead_lines() {
        let src = format!("Ahmed Abdi Godane is the spiritual leader of al-Shabab\n\n{PARA}\nThe Rise, Fall, and Return of the Taliban’s Afghanistan\n{PARA}\nAbout the Author: Touqir Hussain\n");
        assert_eq!(kept(&src).len(), 5);
    }

    #[test]
    fn keeps_line_continued_in_lowercase() {
        let src = format!("{PARA}\n\nIn search of security, stability and natural resources, the US has\nhas close ties with many governments.\n");
        assert_eq!(kept(&src).len(), 3);
    }

    #[test]
    fn drops_scripts_banners_footers_sources_and_disclaimers() {
        let src = format!("mboxCreate('FoxNews-Politics-Autoplay-Videos-In-Articles');\n**Update added at 3pm**\n{PARA}\nThe post The Case for US Engagement appeared first on The National Interest.\nИсточник: nationalinterest.org\n«Данное сообщение (материал) создано и (или) распространено иностранным средством массовой информации, выполняющим функции иностранного агента»\n");
        assert_eq!(kept(&src), vec![PARA]);
        assert_eq!(
            kinds(&src),
            vec!["script", "update", "post_footer", "source", "disclaimer"]
        );
    }

    #[test]
    fn drops_metadata_and_bylines() {
        let src = format!("Topic: Diplomacy Region: Eurasia Tags: Afghanistan, Taliban By: Touqir Hussain\nBy Sylvia Westall\n{PARA}\n(Reporting by John Smith; Editing by Jane Doe)\n");
        assert_eq!(kept(&src), vec![PARA]);
    }

    #[test]
    fn drops_datelines_alone_and_as_prefixes() {
        let src = "ANKARA\n\nWASHINGTON (AP) — The Pentagon said it would act.\n\n(CNN) -- Officials said so.\n\nKABUL, Afghanistan (Reuters) - The Taliban said no.\n\nANALYSIS – Following the withdrawal, allies are wary.\n";
        assert_eq!(
            kept(src),
            vec![
                "The Pentagon said it would act.",
                "Officials said so.",
                "The Taliban said no.",
                "ANALYSIS – Following the withdrawal, allies are wary."
            ]
        );
        assert!(kinds(src).iter().all(|k| k == "dateline"));
    }
}
