//! Normalize: decides which source lines are content and which are
//! boilerplate (ANNOTATION.md §2), with rules from `lexicons/boilerplate.csv`
//! and one heuristic for tabloid picture captions (see [`is_caption`]). The
//! result is the list of kept source line spans, trimmed, and what was
//! dropped (spans, kinds and the byte count). See docs/normalize.md.

mod required;

use crate::lexicon::{read_rows, Lexicons, Problem};
use crate::types::Span;
use regex::{Regex, RegexSet, RegexSetBuilder};
use required::{required_bytes, ByteSet};
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
    /// Whole-line patterns (line, section and list scopes), anchored, in
    /// groups (see [`floats`]).
    whole: Vec<RuleGroup>,
    whole_rules: Vec<WholeRule>,
    prefixes: Vec<(Regex, Arc<str>)>,
    exceptions: Option<RegexSet>,
    caption_kind: Arc<str>,
}

/// Some whole-line rules in one set.
#[derive(Debug, Clone)]
struct RuleGroup {
    set: RegexSet,
    /// For each pattern of `set`, its index in `whole_rules`.
    rules: Vec<usize>,
    /// Bytes of which every line that a rule of the group matches holds one
    /// (see [`required`]), by line length: `(max_bytes, bytes)` pairs, the
    /// bytes of the rules that allow lines of up to `max_bytes` or longer,
    /// shortest first. Empty when the group reads every line.
    required: Vec<(usize, ByteSet)>,
}

impl RuleGroup {
    /// Whether a rule of the group may match `line` and allow its length.
    fn may_match(&self, line: &str) -> bool {
        if self.required.is_empty() {
            return true;
        }
        self.required
            .iter()
            .find(|(max_bytes, _)| line.len() <= *max_bytes)
            .is_some_and(|(_, bytes)| line.bytes().any(|b| bytes.contains(b)))
    }
}

/// The most common a floating rule's required bytes may be (per thousand
/// bytes of English text) for its group to skip lines without them.
const MAX_REQUIRED_WEIGHT: u32 = 40;

/// Whether a pattern can match text that starts like any line (`.*X`,
/// `[^.]+X`), so that its automaton reads every line to the end. Such
/// patterns are kept apart from the others, whose automaton gives up after
/// the first bytes of most lines; this only changes speed, never a result.
fn floats(pattern: &str) -> bool {
    pattern.split('|').any(|alternative| {
        let mut rest = alternative.trim_start_matches('^');
        loop {
            if [".*", ".+", "[^"].iter().any(|p| rest.starts_with(p)) {
                return true;
            }
            let Some(inner) = rest.strip_prefix('(') else {
                return false;
            };
            // An optional group (`(...)?`, `(...)*`) is stepped over.
            if let Some(after) = group_end(rest).and_then(|end| rest.get(end..)) {
                if let Some(next) = after.strip_prefix(['?', '*']) {
                    rest = next;
                    continue;
                }
            }
            // Otherwise the group is entered, past its flags (`(?i)`,
            // `(?:`, `(?i:`).
            rest = match inner.strip_prefix('?') {
                Some(flags) => {
                    let end = flags
                        .find(|c: char| !(c.is_ascii_alphabetic() || c == '-'))
                        .unwrap_or(flags.len());
                    flags[end..]
                        .strip_prefix([')', ':'])
                        .unwrap_or(&flags[end..])
                }
                None => inner,
            };
        }
    })
}

/// The end (after its `)`) of the group that opens `pattern`, if it closes.
fn group_end(pattern: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_class = false;
    let mut escaped = false;
    for (i, c) in pattern.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '[' => in_class = true,
            ']' => in_class = false,
            '(' if !in_class => depth += 1,
            ')' if !in_class => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

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
        let mut whole = Vec::new();
        let mut whole_rules = Vec::new();
        let mut prefixes = Vec::new();
        let mut exceptions = Vec::new();
        for file in lexicons.named("boilerplate.csv") {
            for (line, row) in read_rows::<BoilerplateRow>(file, &mut problems) {
                let Some(scope) = Scope::parse(row.scope.trim()) else {
                    problems.push(Problem::error(
                        file,
                        line,
                        format!(
                            "unknown scope {:?} (use line, prefix, except, section or list)",
                            row.scope
                        ),
                    ));
                    continue;
                };
                if row.kind.trim().is_empty() {
                    problems.push(Problem::error(file, line, "empty kind"));
                    continue;
                }
                // ASCII word boundaries keep the fast DFA engines usable.
                let pattern = row.pattern.replace(r"\b", r"(?-u:\b)");
                let anchored = match scope {
                    Scope::Prefix | Scope::Except => format!("^(?:{pattern})"),
                    _ => format!("^(?:{pattern})$"),
                };
                let regex = match Regex::new(&anchored) {
                    Ok(r) => r,
                    Err(e) => {
                        problems.push(Problem::error(file, line, format!("bad pattern: {e}")));
                        continue;
                    }
                };
                let kind: Arc<str> = Arc::from(row.kind.trim());
                match scope {
                    Scope::Prefix => prefixes.push((regex, kind)),
                    Scope::Except => exceptions.push(anchored),
                    _ => {
                        whole.push(anchored);
                        whole_rules.push(WholeRule {
                            scope,
                            kind,
                            max_bytes: row.max_bytes.unwrap_or(usize::MAX),
                        });
                    }
                }
            }
        }
        // Floating rules whose lines must hold one of a few rare bytes; the
        // others (most give up after the first bytes of a line).
        let required: Vec<Option<ByteSet>> = whole
            .iter()
            .map(|pattern| {
                floats(pattern)
                    .then(|| required_bytes(pattern, MAX_REQUIRED_WEIGHT))
                    .flatten()
            })
            .collect();
        let group_of = |i: usize| usize::from(required[i].is_some());
        let whole: Result<Vec<RuleGroup>, regex::Error> = (0..2)
            .map(|group| {
                let rules: Vec<usize> =
                    (0..whole.len()).filter(|&i| group_of(i) == group).collect();
                let mut limits: Vec<usize> =
                    rules.iter().map(|&i| whole_rules[i].max_bytes).collect();
                limits.sort_unstable();
                limits.dedup();
                let filter = if group == 1 {
                    limits
                        .iter()
                        .map(|&limit| {
                            let bytes = rules
                                .iter()
                                .filter(|&&i| whole_rules[i].max_bytes >= limit)
                                .filter_map(|&i| required[i])
                                .fold(ByteSet::default(), |all, set| all.union(&set));
                            (limit, bytes)
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                RegexSetBuilder::new(rules.iter().map(|&i| &whole[i]))
                    .size_limit(64 << 20)
                    .dfa_size_limit(64 << 20)
                    .build()
                    .map(|set| RuleGroup {
                        set,
                        rules,
                        required: filter,
                    })
            })
            .filter(|group| group.as_ref().map_or(true, |g| !g.rules.is_empty()))
            .collect();
        let exceptions = if exceptions.is_empty() {
            Ok(None)
        } else {
            RegexSet::new(&exceptions).map(Some)
        };
        match (whole, exceptions) {
            (Ok(whole), Ok(exceptions)) if problems.is_empty() => Ok(Normalizer {
                whole,
                whole_rules,
                prefixes,
                exceptions,
                caption_kind: Arc::from("caption"),
            }),
            (whole, exceptions) => {
                for e in [whole.err(), exceptions.err()].into_iter().flatten() {
                    if let Some(file) = lexicons.named("boilerplate.csv").last() {
                        problems.push(Problem::error(file, 0, format!("patterns: {e}")));
                    }
                }
                Err(problems)
            }
        }
    }

    /// Every problem in the boilerplate lexicon (for `lexicon check`).
    pub fn check(lexicons: &Lexicons) -> Vec<Problem> {
        Normalizer::build(lexicons).err().unwrap_or_default()
    }

    pub fn normalize(&self, src: &str) -> Normalized {
        let mut lines = split_lines(src);
        for line in &mut lines {
            line.verdict = self.classify(&src[line.span.clone()]);
        }
        resolve_lists(&mut lines);
        resolve_sections(src, &mut lines);
        self.drop_captions(src, &mut lines);

        let mut out = Normalized::default();
        for line in lines {
            match line.verdict {
                Verdict::Keep => {
                    let (prefix, kind) = self.dateline(src, line.span.clone());
                    let dropped = trim_span(src, prefix.clone());
                    if dropped.end > dropped.start {
                        out.dropped_bytes += dropped.len();
                        out.dropped.push(Dropped {
                            span: dropped,
                            kind: kind.clone(),
                        });
                    }
                    let rest = trim_span(src, prefix.end..line.span.end);
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

    fn classify(&self, text: &str) -> Verdict {
        // The first rule (in lexicon order) that matches and allows a line
        // this long.
        let rule = self
            .whole
            .iter()
            .filter(|group| group.may_match(text))
            .filter(|group| group.set.is_match(text))
            .filter_map(|group| {
                group
                    .set
                    .matches(text)
                    .into_iter()
                    .map(|i| group.rules[i])
                    .find(|&i| text.len() <= self.whole_rules[i].max_bytes)
            })
            .min()
            .map(|i| &self.whole_rules[i]);
        let Some(rule) = rule else {
            return Verdict::Keep;
        };
        match rule.scope {
            Scope::List => Verdict::ListItem(rule.kind.clone()),
            Scope::Section => Verdict::Section(rule.kind.clone()),
            _ => Verdict::Drop(rule.kind.clone()),
        }
    }

    /// The dateline prefix of a kept line (empty at the line start if none)
    /// and the kind of the rule that found it.
    fn dateline(&self, src: &str, span: Span) -> (Span, Arc<str>) {
        let none = (span.start..span.start, self.caption_kind.clone());
        let text = &src[span.clone()];
        if self
            .exceptions
            .as_ref()
            .is_some_and(|set| set.is_match(text))
        {
            return none;
        }
        for (regex, kind) in &self.prefixes {
            if let Some(m) = regex.find(text) {
                if m.end() > 0 {
                    return (span.start..span.start + m.end(), kind.clone());
                }
            }
        }
        none
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
    let mut lines = Vec::new();
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
    let start_trimmed = text.trim_start_matches(is_trimmed);
    let start = span.start + (text.len() - start_trimmed.len());
    let end = start + start_trimmed.trim_end_matches(is_trimmed).len();
    start..end
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
    let mut words = 0;
    let mut long = 0;
    let mut long_lower = 0;
    for (i, word) in text.split_whitespace().enumerate() {
        words += 1;
        let letters = word.chars().filter(|c| c.is_alphabetic()).count();
        if i > 0 && letters >= 4 {
            long += 1;
            if word.chars().next().is_some_and(char::is_lowercase) {
                long_lower += 1;
            }
        }
    }
    words >= 5 && long_lower >= 2 && long_lower * 2 >= long
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn floating_patterns_are_told_apart() {
        assert!(floats(r"(?i).*\b(like|follow) us"));
        assert!(floats(r"(<!--|-->).*|.*-->"));
        assert!(floats(r"[^.!?]+\[[A-Z]+\]"));
        assert!(floats(r"(?i:x)?(.*y)"));
        assert!(floats(r"([—–-]+\s*)?[^.!?]+\(@\w+\)"));
        assert!(!floats(r"(\d+)?x.*"));
        assert!(!floats(r"(?i)(share|tweet)\s*:?"));
        assert!(!floats(r"\(?(?i:more|related)\s*:.*\)?"));
        // The built-in floating rules each need a rare byte, so most lines
        // are read by the quick group only.
        let n = normalizer();
        assert_eq!(n.whole.len(), 2);
        let (_, filter) = n.whole[1]
            .required
            .last()
            .expect("floating rules need rare bytes");
        let needed: String = (0..=127u8)
            .filter(|&b| filter.contains(b))
            .map(char::from)
            .collect();
        assert!(!needed.contains(' ') && !needed.contains('e'), "{needed:?}");
    }

    #[test]
    fn builtin_rules_compile() {
        let problems = Normalizer::check(&Lexicons::builtin());
        assert!(problems.is_empty(), "{problems:?}");
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
