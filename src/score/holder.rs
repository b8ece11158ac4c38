//! Attribution: who a unit's content comes from. Reporting and attitude
//! verbs with their subject before (`X said`) or after (`said X`) them,
//! `according to X`, sources that are not actors (`OTHER`), media that pass
//! on an actor's words, and pronoun subjects resolved through the previous
//! units.

use super::rules::{Function, Report, UnitCues};
use super::tokens::{Token, Tokens, UnitMention};
use std::borrow::Cow;

/// Who a unit's content is attributed to, and the rule that found it.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribution<'r> {
    /// Actor code or `OTHER`: the unit's mention's or the lexicon's text
    /// but for a pronoun's holder from the chain.
    pub holder: Cow<'r, str>,
    /// The rule, as the word order and how the subject was found
    /// (`said-after-subject`, `mention`); see [`Attribution::rule`].
    pub order: &'static str,
    pub how: &'static str,
    /// The reporting word (`said`, `according to`).
    pub cue: &'r str,
    /// Token index of the reporting word.
    pub at: usize,
    /// The source is a medium passing words on.
    pub media: bool,
    /// The reporting clause opens with a subordinator (while, although).
    pub subordinate: bool,
}

impl Attribution<'_> {
    /// The rule that found the attribution (`said-after-subject/mention`).
    pub fn rule(&self) -> String {
        format!("{}/{}", self.order, self.how)
    }
}

/// The subject chain left by earlier units, for pronoun subjects.
#[derive(Debug, Clone, Default)]
pub struct Chain {
    /// The actor holder of the latest reported unit still in reach.
    pub last_holder: Option<String>,
    /// The actor of the previous unit's first mention.
    pub last_subject: Option<String>,
}

/// The subject found for a reporting word.
enum Subject<'a> {
    Actor(Cow<'a, str>, &'static str),
    Other(&'static str, bool),
}

/// What a token says about the subject of a nearby reporting word.
enum Role<'a> {
    Found(Subject<'a>),
    /// A capitalized word not in the actor lexicon: a name (`OTHER`) unless
    /// an actor or title turns up next to it.
    Name,
    /// A function word or adverb: look further.
    Skip,
    /// `who`, `which`: the subject is the word before.
    Relative,
    /// A common noun or other content word: the subject is not a source.
    Content,
}

fn has_function(tokens: &Tokens, at: usize, kind: Function) -> bool {
    tokens.get(at).is_some_and(|t| t.is(kind))
}

fn boundary(token: &Token) -> bool {
    token
        .before
        .any(&['"', ';', ':', '(', ')', '[', ']', '\u{2014}'])
}

fn role_at<'a>(
    tokens: &Tokens,
    mentions: &[UnitMention<'a>],
    at: usize,
    chain: &Chain,
) -> Role<'a> {
    let Some(token) = tokens.get(at) else {
        return Role::Content;
    };
    if let Some(m) = token.mention().and_then(|i| mentions.get(i)) {
        return Role::Found(Subject::Actor(Cow::Borrowed(m.actor), "mention"));
    }
    if let Some(kind) = token.source {
        return Role::Found(match kind {
            Report::Official => {
                // `Pakistani security officials said`: the actor named just before.
                let named = (at.saturating_sub(3)..at).rev().find_map(|j| {
                    let t = tokens.get(j)?;
                    t.mention()
                        .and_then(|i| mentions.get(i))
                        .map(|m| Cow::Borrowed(m.actor))
                });
                match named {
                    Some(actor) => Subject::Actor(actor, "official-of-actor"),
                    None => Subject::Other("official-unnamed", false),
                }
            }
            Report::Media => Subject::Other("media", true),
            _ => Subject::Other("non-actor-source", false),
        });
    }
    if has_function(tokens, at, Function::SubjectPronoun) {
        let resolved = chain
            .last_holder
            .clone()
            .or_else(|| chain.last_subject.clone());
        return Role::Found(match resolved {
            Some(actor) => Subject::Actor(Cow::Owned(actor), "pronoun-chain"),
            None => Subject::Other("pronoun-unresolved", false),
        });
    }
    if has_function(tokens, at, Function::Relative) {
        return Role::Relative;
    }
    let function = has_function(tokens, at, Function::NotName)
        || has_function(tokens, at, Function::Verb)
        || has_function(tokens, at, Function::Pronoun)
        || (tokens.lower(token).ends_with("ly") && !token.capitalized);
    if function {
        return Role::Skip;
    }
    if token.capitalized
        && !token.quoted
        && tokens
            .lower(token)
            .chars()
            .all(|c| c.is_alphabetic() || c == '\'')
    {
        return Role::Name;
    }
    Role::Content
}

/// Finds the subject before the reporting word at `verb`, skipping one
/// appositive (`Russia, the only country to ..., feels`). Returns the
/// subject and how many words back it stood.
fn subject_before<'a>(
    tokens: &Tokens,
    mentions: &[UnitMention<'a>],
    verb: usize,
    chain: &Chain,
) -> Option<(Subject<'a>, usize)> {
    let mut next = verb; // the token right after the candidate
    let mut appositive: Option<(usize, usize)> = None;
    let mut steps = 0;
    let mut name_at = None;
    while next > 0 && steps < 14 {
        let after = tokens.get(next)?;
        let just_skipped = appositive.is_some_and(|(k, _)| k == next);
        if !just_skipped && boundary(after) {
            break;
        }
        if !just_skipped && after.before.has(',') {
            if next == verb && appositive.is_none() {
                let comma = (verb.saturating_sub(20)..verb.saturating_sub(1))
                    .rev()
                    .find(|&k| tokens.get(k).is_some_and(|t| t.before.has(',')));
                match comma {
                    Some(k) if k > 0 => {
                        appositive = Some((k, verb));
                        next = k;
                        continue;
                    }
                    _ => break,
                }
            }
            break;
        }
        let at = next - 1;
        steps += 1;
        match role_at(tokens, mentions, at, chain) {
            Role::Found(subject) => return Some((subject, steps)),
            Role::Name => {
                name_at.get_or_insert(steps);
            }
            Role::Skip => {}
            Role::Relative => {
                return match role_at(tokens, mentions, at.checked_sub(1)?, chain) {
                    Role::Found(subject) => Some((subject, steps + 1)),
                    Role::Name => Some((Subject::Other("unlisted-name", false), steps + 1)),
                    _ => None,
                };
            }
            Role::Content => break,
        }
        next = at;
    }
    let steps = name_at?;
    // `Kenneth McKenzie, Commander of CENTCOM, added`: a title names the actor.
    let titled_appositive = appositive.filter(|&(from, to)| {
        (from..to).any(|j| {
            tokens
                .get(j)
                .is_some_and(|t| t.source == Some(Report::Official))
        })
    });
    if let Some((from, to)) = titled_appositive {
        let titled = (from..to).find_map(|j| {
            let t = tokens.get(j)?;
            t.mention()
                .and_then(|i| mentions.get(i))
                .map(|m| Cow::Borrowed(m.actor))
        });
        if let Some(actor) = titled {
            return Some((Subject::Actor(actor, "appositive"), steps));
        }
    }
    Some((Subject::Other("unlisted-name", false), steps))
}

/// The subject after an inverted reporting word (`, said Imran Khan.`).
fn subject_after<'a>(
    tokens: &Tokens,
    mentions: &[UnitMention<'a>],
    verb_end: usize,
    chain: &Chain,
) -> Option<Subject<'a>> {
    let mut name = false;
    for at in verb_end..(verb_end + 6).min(tokens.len()) {
        let token = tokens.get(at)?;
        if (at > verb_end && token.before.any(&[',', '"', ';', ':']))
            || tokens.lower(token) == "that"
        {
            break;
        }
        match role_at(tokens, mentions, at, chain) {
            Role::Found(subject) => return Some(subject),
            Role::Name => name = true,
            Role::Skip => {}
            Role::Relative | Role::Content => break,
        }
    }
    name.then_some(Subject::Other("unlisted-name", false))
}

fn clause_is_subordinate(tokens: &Tokens, at: usize) -> bool {
    // Walk back to the start of the clause holding the reporting word.
    let mut start = at;
    while start > 0
        && tokens
            .get(start)
            .is_some_and(|t| !t.before.any(&[',', ';', ':']))
    {
        start -= 1;
    }
    (start..=at)
        .take(3)
        .any(|j| has_function(tokens, j, Function::Subordinator))
}

fn to_attribution<'r>(
    subject: Subject<'r>,
    order: &'static str,
    cue: &'r str,
    at: usize,
    subordinate: bool,
) -> Attribution<'r> {
    let (holder, how, media) = match subject {
        Subject::Actor(actor, how) => (actor, how, false),
        Subject::Other(how, media) => (Cow::Borrowed("OTHER"), how, media),
    };
    Attribution {
        holder,
        order,
        how,
        cue,
        at,
        media,
        subordinate,
    }
}

/// Every attribution in the unit, in order, added to `found` (empty; a
/// buffer reused from one unit to the next).
pub fn attributions<'r>(
    cues: &UnitCues<'r>,
    tokens: &Tokens,
    mentions: &[UnitMention<'r>],
    chain: &Chain,
    found: &mut Vec<Attribution<'r>>,
) {
    for &super::rules::CueMatch {
        cue: rule,
        start,
        end,
    } in &cues.report
    {
        if !matches!(
            rule.kind,
            Report::Speech | Report::Attitude | Report::According
        ) {
            continue;
        }
        {
            let Some(verb) = tokens.get(start) else {
                continue;
            };
            if verb.quoted {
                continue;
            }
            // Read only for the reporting words that attribute.
            let subordinate = || clause_is_subordinate(tokens, start);
            if rule.kind == Report::According {
                let subject = according_source(tokens, mentions, end, chain);
                found.push(to_attribution(
                    subject,
                    "according-to",
                    &rule.text,
                    start,
                    subordinate(),
                ));
                continue;
            }
            if start > 0 && has_function(tokens, start - 1, Function::Passive) {
                continue;
            }
            if has_function(tokens, end, Function::ReportBlocker) {
                continue;
            }
            if rule.kind == Report::Attitude {
                // `fears that ...`, `believes New Delhi is ...`, not `wants to`.
                let Some(next) = tokens.get(end) else {
                    continue;
                };
                let opens_clause = tokens.lower(next) == "that"
                    || next.is_mention()
                    || has_function(tokens, end, Function::ClauseStart);
                if !opens_clause {
                    continue;
                }
            }
            // A present or base form (`state`, `reports`) may be a noun: it
            // needs its subject right before it or a clause right after it.
            let verb_lower = tokens.lower(verb);
            let past = verb_lower.ends_with("ed")
                || matches!(
                    verb_lower,
                    "said" | "told" | "wrote" | "thought" | "felt" | "saw" | "made"
                );
            let clause_after = tokens
                .get(end)
                .is_some_and(|t| tokens.lower(t) == "that" || t.before.any(&['"', ':']));
            let before = subject_before(tokens, mentions, start, chain)
                .filter(|(_, steps)| past || clause_after || *steps <= 3)
                .map(|(s, _)| s);
            // `"...," said Khan`: only an inverted verb takes its subject after it.
            let inverted = verb.before.any(&[',', '"']) || start == 0;
            let subject = match before {
                Some(s) => Some((s, "said-after-subject")),
                None if inverted && !verb_lower.ends_with("ing") => {
                    subject_after(tokens, mentions, end, chain).map(|s| (s, "said-before-subject"))
                }
                None => None,
            };
            let Some((subject, order)) = subject else {
                continue;
            };
            if rule.kind == Report::Attitude
                && matches!(
                    subject,
                    Subject::Other("unlisted-name" | "pronoun-unresolved", _)
                )
            {
                continue;
            }
            found.push(to_attribution(
                subject,
                order,
                &rule.text,
                start,
                subordinate(),
            ));
        }
    }
    found.sort_by_key(|a| a.at);
}

/// The source named after `according to`.
fn according_source<'a>(
    tokens: &Tokens,
    mentions: &[UnitMention<'a>],
    end: usize,
    chain: &Chain,
) -> Subject<'a> {
    let mut subject = None;
    for at in end..(end + 10).min(tokens.len()) {
        if at > end
            && tokens
                .get(at)
                .is_some_and(|t| t.before.any(&[',', ';', ':']))
        {
            break;
        }
        match role_at(tokens, mentions, at, chain) {
            Role::Found(Subject::Actor(actor, how)) => return Subject::Actor(actor, how),
            // `according to a statement by Yemen's ministry`: an actor named
            // further on in the source phrase holds it.
            Role::Found(other)
                if subject.is_none()
                    || matches!(subject, Some(Subject::Other("unlisted-name", _))) =>
            {
                subject = Some(other);
            }
            Role::Name => {
                subject.get_or_insert(Subject::Other("unlisted-name", false));
            }
            _ => {}
        }
    }
    subject.unwrap_or(Subject::Other("according-to-source", false))
}

/// The attribution that holds the unit: main clauses before subordinate
/// ones, and an actor quoted by a medium before the medium.
pub fn choose<'a, 'r>(found: &'a [Attribution<'r>]) -> Option<&'a Attribution<'r>> {
    let first = found
        .iter()
        .find(|a| !a.subordinate)
        .or_else(|| found.first())?;
    if first.media {
        if let Some(inner) = found.iter().find(|a| a.at > first.at && !a.media) {
            return Some(inner);
        }
    }
    Some(first)
}
