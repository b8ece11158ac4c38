//! Plain data shared by the stages: spans, mentions, claims and stances.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// A byte range into a document's source text (end exclusive).
pub type Span = Range<usize>;

/// One actor mention, in source byte offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// Index of the sentence unit (0-based) the mention lies in.
    pub sent: usize,
    pub start: usize,
    pub end: usize,
    /// Coarse actor code (`USA`, `TALIBAN`, ...).
    pub actor: Arc<str>,
    /// The specific lexicon entry matched (`USA/CIA`, `PAK/Imran Khan`).
    pub entity: Arc<str>,
}

/// Stance toward US engagement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Stance {
    Favor,
    Against,
    #[default]
    Neutral,
}

impl Stance {
    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Favor => "favor",
            Stance::Against => "against",
            Stance::Neutral => "neutral",
        }
    }

    pub fn parse(s: &str) -> Option<Stance> {
        match s.trim() {
            "favor" => Some(Stance::Favor),
            "against" => Some(Stance::Against),
            "neutral" | "" => Some(Stance::Neutral),
            _ => None,
        }
    }

    /// The stance a score in [-1, 1] stands for.
    pub fn from_score(score: f64) -> Stance {
        if score > 0.0 {
            Stance::Favor
        } else if score < 0.0 {
            Stance::Against
        } else {
            Stance::Neutral
        }
    }
}

impl fmt::Display for Stance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Kind of claim (ANNOTATION.md §4), in order of precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClaimType {
    Reported,
    Prescriptive,
    Predictive,
    Evaluative,
    Factual,
}

impl ClaimType {
    pub const ALL: [ClaimType; 5] = [
        ClaimType::Reported,
        ClaimType::Prescriptive,
        ClaimType::Predictive,
        ClaimType::Evaluative,
        ClaimType::Factual,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ClaimType::Reported => "reported",
            ClaimType::Prescriptive => "prescriptive",
            ClaimType::Predictive => "predictive",
            ClaimType::Evaluative => "evaluative",
            ClaimType::Factual => "factual",
        }
    }

    pub fn parse(s: &str) -> Option<ClaimType> {
        ClaimType::ALL.into_iter().find(|t| t.as_str() == s.trim())
    }
}

impl fmt::Display for ClaimType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The claim and stance decision for one sentence unit.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Claim {
    pub is_claim: bool,
    pub claim_type: Option<ClaimType>,
    /// Actor code, `OTHER` or `AUTHOR`; `None` when not a claim.
    pub holder: Option<Arc<str>>,
    pub stance: Stance,
    /// In [-1, 1]: negative against, positive favor.
    pub score: f64,
    /// The cues that decided the stance, e.g. `withdraw(-1.0)`.
    pub cues: Vec<String>,
}

/// A document's overall stance (ANNOTATION.md §5).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DocStance {
    pub stance: Stance,
    pub score: f64,
    pub n_claims: usize,
    pub n_favor: usize,
    pub n_against: usize,
}
