//! Word tokens of one folded sentence unit: lowercased words with their
//! folded offsets, the actor mention each lies in (a whole mention is one
//! token), the punctuation before each word, clause numbers and quote state.

use super::pattern::word_key;
use super::rules::{Function, Report};
use crate::fold::Folded;
use crate::types::Mention;

/// One word (or one whole actor mention) of a unit.
#[derive(Debug, Clone)]
pub struct Token {
    /// Lowercased word; a mention's whole surface for mention tokens.
    pub lower: String,
    /// `pattern::word_key` of `lower`, for looking cue words up.
    pub key: u64,
    /// Index into the unit's mentions when the token is an actor mention.
    pub mention: Option<usize>,
    /// The token is a mention of the United States (`USA`).
    pub us: bool,
    /// The word starts with an uppercase letter.
    pub capitalized: bool,
    /// Punctuation between the previous token and this one (`,`, `"`, `:`).
    pub before: String,
    /// Clause number: grows at `,`, `;`, `:`, dashes, brackets and quotes.
    pub clause: usize,
    /// The word lies inside a quotation.
    pub quoted: bool,
    /// Bits of the function-word kinds matching this word (`Rules::mark`).
    pub functions: u16,
    /// The kind of non-actor source starting at this word (`Rules::mark`).
    pub source: Option<Report>,
}

impl Token {
    /// Whether a function word of `kind` matches this word.
    pub fn is(&self, kind: Function) -> bool {
        self.functions & kind.bit() != 0
    }
}

/// A unit's mentions seen from its folded text.
#[derive(Debug, Clone)]
pub struct UnitMention {
    pub actor: String,
    pub start: usize,
    pub end: usize,
}

/// Folded offsets of the unit's mentions (folded text covers the source
/// range the mentions lie in).
pub fn unit_mentions(folded: &Folded, mentions: &[&Mention]) -> Vec<UnitMention> {
    let len = folded.text().len();
    let to_folded = |src: usize| -> usize {
        // First folded byte whose source offset is >= src.
        let (mut lo, mut hi) = (0usize, len);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if folded.to_source(mid) < src {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    };
    let text = folded.text();
    let mut out: Vec<UnitMention> = mentions
        .iter()
        .filter_map(|m| {
            let start = to_folded(m.start);
            let end = to_folded(m.end).max(start);
            (start < end && text.is_char_boundary(start) && text.is_char_boundary(end)).then(|| {
                UnitMention {
                    actor: m.actor.to_string(),
                    start,
                    end,
                }
            })
        })
        .collect();
    out.sort_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
    let mut last_end = 0;
    out.retain(|m| {
        let keep = m.start >= last_end;
        if keep {
            last_end = m.end;
        }
        keep
    });
    out
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// An apostrophe at `j` inside a contraction (don't, we'll), not a
/// possessive `'s`.
fn contraction_at(chars: &[(usize, char)], j: usize) -> bool {
    let next_letter = chars.get(j + 1).is_some_and(|&(_, n)| n.is_alphabetic());
    let possessive = chars.get(j + 1).is_some_and(|&(_, n)| n == 's' || n == 'S')
        && !chars.get(j + 2).is_some_and(|&(_, n)| n.is_alphabetic());
    next_letter && !possessive
}

fn is_quote(c: char) -> bool {
    c == '"'
}

/// Splits a folded unit into tokens; `quoted_at_start` says whether a
/// quotation opened in an earlier unit is still open. Returns the tokens and
/// whether a quotation is open at the end of the unit.
pub fn tokenize(text: &str, mentions: &[UnitMention], quoted_at_start: bool) -> (Vec<Token>, bool) {
    let mut tokens = Vec::new();
    let mut quoted = quoted_at_start;
    let mut clause = 0usize;
    let mut before = String::new();
    let mut next_mention = 0usize;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0usize;
    while i < chars.len() {
        let (at, c) = chars[i];
        while next_mention < mentions.len() && mentions[next_mention].end <= at {
            next_mention += 1;
        }
        if let Some(m) = mentions.get(next_mention).filter(|m| m.start == at) {
            let surface = text.get(m.start..m.end).unwrap_or_default();
            let lower = surface.to_lowercase();
            tokens.push(Token {
                key: word_key(&lower),
                lower,
                mention: Some(next_mention),
                us: m.actor == "USA",
                capitalized: true,
                before: std::mem::take(&mut before),
                clause,
                quoted,
                functions: 0,
                source: None,
            });
            while i < chars.len() && chars[i].0 < m.end {
                i += 1;
            }
            next_mention += 1;
            continue;
        }
        if is_word_char(c) {
            let mut j = i;
            let mut word = String::new();
            while j < chars.len() {
                let (_, d) = chars[j];
                if is_word_char(d) {
                    if d.is_ascii() {
                        word.push(d.to_ascii_lowercase());
                    } else {
                        word.extend(d.to_lowercase());
                    }
                    j += 1;
                } else if d == '\'' && contraction_at(&chars, j) {
                    // Contractions (don't, we'll) stay one word; possessive 's does not.
                    word.push('\'');
                    j += 1;
                } else {
                    break;
                }
                if mentions
                    .get(next_mention)
                    .is_some_and(|m| chars.get(j).is_some_and(|&(o, _)| o == m.start))
                {
                    break;
                }
            }
            tokens.push(Token {
                key: word_key(&word),
                lower: word,
                mention: None,
                us: false,
                capitalized: c.is_uppercase(),
                before: std::mem::take(&mut before),
                clause,
                quoted,
                functions: 0,
                source: None,
            });
            i = j;
            continue;
        }
        if c == '\'' {
            // Possessive `'s` after a word is skipped entirely.
            if chars.get(i + 1).is_some_and(|&(_, n)| n == 's' || n == 'S')
                && !chars.get(i + 2).is_some_and(|&(_, n)| n.is_alphabetic())
                && i > 0
                && chars.get(i - 1).is_some_and(|&(_, p)| p.is_alphanumeric())
            {
                i += 2;
                continue;
            }
        }
        if is_quote(c) {
            quoted = !quoted;
            clause += 1;
            before.push(c);
        } else if c == '-' {
            // A spaced dash separates clauses; a hyphen joins words.
            let spaced = (i > 0 && chars.get(i - 1).is_some_and(|&(_, p)| p.is_whitespace()))
                || chars.get(i + 1).is_some_and(|&(_, n)| n.is_whitespace());
            if spaced {
                clause += 1;
                before.push('\u{2014}');
            } else {
                before.push('-');
            }
        } else if matches!(c, ',' | ';' | ':' | '(' | ')' | '[' | ']' | '.' | '!' | '?') {
            clause += 1;
            before.push(c);
        }
        i += 1;
    }
    (tokens, quoted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_words_possessives_and_mentions() {
        let text = "Washington's allies don't trust the \"United States\", he said.";
        let mentions = vec![
            UnitMention {
                actor: "USA".into(),
                start: 0,
                end: 10,
            },
            UnitMention {
                actor: "USA".into(),
                start: 37,
                end: 50,
            },
        ];
        let (tokens, open) = tokenize(text, &mentions, false);
        let words: Vec<&str> = tokens.iter().map(|t| t.lower.as_str()).collect();
        assert_eq!(
            words,
            vec![
                "washington",
                "allies",
                "don't",
                "trust",
                "the",
                "united states",
                "he",
                "said"
            ]
        );
        assert!(!open);
        assert!(tokens[5].quoted);
        assert!(!tokens[6].quoted);
        assert_eq!(tokens[6].before, "\",");
        assert_eq!(tokens[0].mention, Some(0));
        assert_eq!(tokens[5].mention, Some(1));
    }

    #[test]
    fn open_quote_carries_over() {
        let (tokens, open) = tokenize("He vowed: \"We will not forgive.", &[], false);
        assert!(open);
        assert!(tokens.last().is_some_and(|t| t.quoted));
        let (tokens, open) = tokenize("We will hunt you.\"", &[], true);
        assert!(!open);
        assert!(tokens[0].quoted);
    }
}
