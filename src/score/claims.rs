//! Claim decisions (ANNOTATION.md §4): questions, titles that are noun
//! phrases, fragments, author bios and units without any actor are not
//! claims; a claim's type is the first of reported, prescriptive,
//! predictive, evaluative and factual that applies.

use super::rules::{ClaimCue, Function, UnitCues};
use super::tokens::Token;
use crate::types::ClaimType;

/// The name of the rule behind a decision, usually a fixed string.
pub type Rule = std::borrow::Cow<'static, str>;

/// Fewer words than this make a fragment.
const MIN_WORDS: usize = 4;

/// Whether the unit ends like a sentence (`.`, `!`, `?`, before closing
/// quotes or brackets); returns the final mark.
pub fn final_mark(text: &str) -> Option<char> {
    // Read from the end in bytes while they are ASCII; whitespace that is
    // not ASCII goes the general way.
    let bytes = text.as_bytes();
    let mut end = bytes.len();
    let last = |end: usize| end.checked_sub(1).and_then(|at| bytes.get(at)).copied();
    while let Some(byte) = last(end) {
        match byte {
            b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ' => end -= 1,
            0x80.. => return final_mark_of_any(text),
            _ => break,
        }
    }
    while let Some(b'"' | b'\'' | b')' | b']' | b' ') = last(end) {
        end -= 1;
    }
    match last(end) {
        Some(mark @ (b'.' | b'!' | b'?')) => Some(char::from(mark)),
        _ => None,
    }
}

/// [`final_mark`] of any text.
fn final_mark_of_any(text: &str) -> Option<char> {
    text.trim_end()
        .trim_end_matches(['"', '\'', ')', ']', ' '])
        .chars()
        .last()
        .filter(|c| matches!(c, '.' | '!' | '?'))
}

fn has_function(tokens: &[Token], kind: Function) -> bool {
    tokens.iter().any(|t| t.is(kind))
}

/// Facts about a unit the claim decision needs.
pub struct UnitFacts<'a> {
    pub text: &'a str,
    pub tokens: &'a [Token],
    pub cues: &'a UnitCues<'a>,
    pub has_mention: bool,
    pub attributed: bool,
    /// The unit continues a quotation opened earlier.
    pub in_quote: bool,
    /// A stance cue matched (a headline with a stance verb is a sentence).
    pub stance_cue: bool,
    /// Rules name their cue (`modal:must`), for `explain`; otherwise only
    /// their kind (`modal`), which costs no allocation.
    pub detailed: bool,
}

/// A rule that names the cue that fired, when `detailed`.
pub fn cue_rule(kind: &'static str, cue: &str, detailed: bool) -> Rule {
    if detailed {
        Rule::Owned(format!("{kind}:{cue}"))
    } else {
        Rule::Borrowed(kind)
    }
}

/// Author-bio state carried from unit to unit.
#[derive(Debug, Clone, Default)]
pub struct BioState {
    pub active: bool,
}

/// `(is_claim, rule)`.
pub fn decide(facts: &UnitFacts, bio: &mut BioState) -> (bool, Rule) {
    let tokens = facts.tokens;
    let cues = facts.cues;
    let mark = final_mark(facts.text);
    if let Some(cue) = cues.first_claim(ClaimCue::Bio) {
        if !facts.attributed {
            bio.active = true;
            return (false, cue_rule("bio", cue, facts.detailed));
        }
    }
    if bio.active {
        let opens_with_pronoun = tokens.iter().take(6).any(|t| t.is(Function::Pronoun));
        if opens_with_pronoun && !facts.attributed && !facts.in_quote {
            return (false, Rule::Borrowed("bio-continues"));
        }
        bio.active = false;
    }
    if facts.in_quote {
        return (true, Rule::Borrowed("quote-continues"));
    }
    if mark == Some('?') {
        return (false, Rule::Borrowed("question"));
    }
    if tokens.len() < MIN_WORDS && !facts.attributed {
        return (false, Rule::Borrowed("fragment"));
    }
    if mark.is_none() {
        let finite = has_function(tokens, Function::Verb)
            || facts.attributed
            || facts.stance_cue
            || cues.first_claim(ClaimCue::Prescriptive).is_some();
        if !finite {
            return (false, Rule::Borrowed("title-noun-phrase"));
        }
    }
    if facts.attributed {
        return (true, Rule::Borrowed("attributed"));
    }
    if facts.has_mention {
        return (true, Rule::Borrowed("actor-mention"));
    }
    for kind in [ClaimCue::Prescriptive, ClaimCue::Predictive] {
        if let Some(cue) = cues.first_claim(kind) {
            return (true, cue_rule("modal", cue, facts.detailed));
        }
    }
    if let Some(cue) = cues.first_claim(ClaimCue::ActorRef) {
        return (true, cue_rule("actor-reference", cue, facts.detailed));
    }
    // Either kind, in one pass.
    let pronoun = Function::Pronoun.bit() | Function::FirstPlural.bit();
    if tokens.iter().any(|t| t.functions & pronoun != 0) {
        return (true, Rule::Borrowed("actor-pronoun"));
    }
    (false, Rule::Borrowed("no-actor"))
}

/// The claim type of a claim that is not reported, with the cue that decided
/// (named when `detailed`).
pub fn claim_type(cues: &UnitCues, detailed: bool) -> (ClaimType, Rule) {
    for (kind, claim_type) in [
        (ClaimCue::Prescriptive, ClaimType::Prescriptive),
        (ClaimCue::Predictive, ClaimType::Predictive),
        (ClaimCue::Evaluative, ClaimType::Evaluative),
    ] {
        if let Some(cue) = cues.first_claim(kind) {
            return (claim_type, cue_rule(claim_type.as_str(), cue, detailed));
        }
    }
    (ClaimType::Factual, Rule::Borrowed("factual:default"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_final_mark_read_in_bytes_is_the_one_read_in_chars(
            text in "[a.!?\"')\\] \t\n\r\u{0B}\u{0C}\u{A0}\u{2019}\u{3000}é]{0,12}",
        ) {
            prop_assert_eq!(final_mark(&text), final_mark_of_any(&text));
        }
    }
}
