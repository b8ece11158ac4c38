//! Match: finds actor mentions (ANNOTATION.md §3) in sentence units with one
//! aho-corasick automaton over folded text, built from `lexicons/actors.csv`
//! and `lexicons/non_actors.csv`.

use crate::lexicon::{Lexicons, Problem};
use crate::types::{Mention, Span};

/// The compiled actor lexicon.
#[derive(Debug, Clone)]
pub struct Matcher {}

impl Matcher {
    pub fn build(_lexicons: &Lexicons) -> Result<Matcher, Vec<Problem>> {
        Ok(Matcher {})
    }

    pub fn check(lexicons: &Lexicons) -> Vec<Problem> {
        Matcher::build(lexicons).err().unwrap_or_default()
    }

    /// Appends the mentions of every sentence in `sentences` to `out`, in
    /// order, with `Mention::sent` set to the sentence index.
    pub fn find(&self, _src: &str, _sentences: &[Span], _out: &mut Vec<Mention>) {}
}
