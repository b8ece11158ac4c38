//! Rule-by-rule tests of the score stage on small invented sentences: claim
//! decisions, claim types, holder attribution in its common orders, quotes
//! over several units, and VADER-style stance (negation, boosters, hedges,
//! `but`, modals, target check, withdrawal-harm frames).

use claimstance::lexicon::{Lexicons, Severity};
use claimstance::score::{ActorTally, Explanation, Scorer};
use claimstance::types::{ClaimType, DocStance, Mention, Span, Stance};
use std::sync::Arc;

/// Actor names the tests know, longest first.
const ACTORS: &[(&str, &str)] = &[
    ("United States", "USA"),
    ("Washington", "USA"),
    ("Pentagon", "USA"),
    ("Joe Biden", "USA"),
    ("Biden", "USA"),
    ("American", "USA"),
    ("CIA", "USA"),
    ("US", "USA"),
    ("Imran Khan", "PAK"),
    ("Pakistani", "PAK"),
    ("Pakistan", "PAK"),
    ("Islamabad", "PAK"),
    ("Erdogan", "TUR"),
    ("Tehran", "IRN"),
    ("Taliban", "TALIBAN"),
    ("Russia", "RUS"),
    ("Syria", "SYR"),
    ("Yemen", "YEM"),
    ("Iraq", "IRQ"),
    ("Houthis", "HOUTHI"),
];

fn scorer() -> Scorer {
    Scorer::build(&Lexicons::builtin()).unwrap_or_else(|p| panic!("lexicon problems: {p:?}"))
}

/// Units split after `.`, `?`, `!` (and any closing quote) or a line break.
fn units(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = 0;
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let mark = matches!(b[i], b'.' | b'?' | b'!' | b'\n');
        if mark {
            let mut end = i + 1;
            while end < b.len() && b[end] == b'"' {
                end += 1;
            }
            if end >= b.len() || b[end].is_ascii_whitespace() {
                let slice = text[start..end].trim();
                if !slice.is_empty() {
                    let lead = text[start..end].len() - text[start..end].trim_start().len();
                    let s = start + lead;
                    out.push(s..s + slice.len());
                }
                start = end;
                i = end;
                continue;
            }
        }
        i += 1;
    }
    if !text[start..].trim().is_empty() {
        let lead = text[start..].len() - text[start..].trim_start().len();
        out.push(start + lead..start + lead + text[start..].trim().len());
    }
    out
}

fn mentions(text: &str, sentences: &[Span]) -> Vec<Mention> {
    let mut out: Vec<Mention> = Vec::new();
    for (sent, span) in sentences.iter().enumerate() {
        let slice = &text[span.clone()];
        for (name, actor) in ACTORS {
            for (at, _) in slice.match_indices(name) {
                let start = span.start + at;
                let end = start + name.len();
                let word_edge = |i: usize| {
                    text[..i]
                        .chars()
                        .next_back()
                        .is_none_or(|c| !c.is_alphanumeric())
                };
                let after_ok = text[end..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_alphanumeric());
                if !word_edge(start) || !after_ok {
                    continue;
                }
                if out.iter().any(|m| m.start < end && start < m.end) {
                    continue;
                }
                out.push(Mention {
                    sent,
                    start,
                    end,
                    actor: Arc::from(*actor),
                    entity: Arc::from(format!("{actor}/{name}").as_str()),
                });
            }
        }
    }
    out.sort_by_key(|m| (m.sent, m.start));
    out
}

fn explain(text: &str) -> (Vec<Explanation>, DocStance) {
    let sentences = units(text);
    let mentions = mentions(text, &sentences);
    scorer().explain(text, &sentences, &mentions)
}

fn one(text: &str) -> Explanation {
    let (mut all, _) = explain(text);
    assert_eq!(all.len(), 1, "expected one unit in {text:?}");
    all.remove(0)
}

fn holder(e: &Explanation) -> &str {
    e.claim.holder.as_deref().unwrap_or("")
}

// ---- claims

#[test]
fn questions_are_not_claims() {
    let e = one("Will the United States stay in Syria?");
    assert!(!e.claim.is_claim);
    assert_eq!(e.claim_rule, "question");
    assert_eq!(e.claim.stance, Stance::Neutral);
    assert_eq!(e.claim.holder, None);
}

#[test]
fn noun_phrase_titles_are_not_claims_but_headlines_with_verbs_are() {
    let e = one("The Return of the Taliban");
    assert!(!e.claim.is_claim);
    assert_eq!(e.claim_rule, "title-noun-phrase");
    let e = one("US Troops Must Leave Syria");
    assert!(e.claim.is_claim);
    assert_eq!(e.claim.claim_type, Some(ClaimType::Prescriptive));
}

#[test]
fn author_bios_are_not_claims() {
    let (all, _) = explain(
        "John Smith is a senior fellow at the Institute for Policy.\nHe previously served in Pakistan.",
    );
    assert!(all.iter().all(|e| !e.claim.is_claim), "{all:?}");
    assert!(all[0].claim_rule.starts_with("bio:"));
    assert_eq!(all[1].claim_rule, "bio-continues");
}

#[test]
fn units_without_actors_are_not_claims() {
    let e = one("Power dynamics in the region are changing.");
    assert!(!e.claim.is_claim);
}

#[test]
fn claim_types_follow_precedence() {
    let cases = [
        (
            "The United States should stay in Iraq.",
            ClaimType::Prescriptive,
        ),
        (
            "The United States will likely stay in Iraq.",
            ClaimType::Predictive,
        ),
        (
            "The war in Iraq was a disastrous mistake for Washington.",
            ClaimType::Evaluative,
        ),
        (
            "The United States sent 500 troops to Iraq in 2014.",
            ClaimType::Factual,
        ),
        (
            "Biden said the United States should stay in Iraq.",
            ClaimType::Reported,
        ),
    ];
    for (text, expected) in cases {
        let e = one(text);
        assert!(e.claim.is_claim, "{text}");
        assert_eq!(
            e.claim.claim_type,
            Some(expected),
            "{text}: {}",
            e.type_rule
        );
    }
}

// ---- holders

#[test]
fn holder_before_the_reporting_verb() {
    let e = one(
        "Imran Khan told Reuters that the CIA will not be allowed to operate from Pakistani bases.",
    );
    assert_eq!(holder(&e), "PAK");
    assert_eq!(e.claim.claim_type, Some(ClaimType::Reported));
    assert!(
        e.holder_rule.starts_with("said-after-subject"),
        "{}",
        e.holder_rule
    );
}

#[test]
fn holder_after_the_reporting_verb() {
    let e = one("\"Our troops will stay in Iraq,\" said Joe Biden.");
    assert_eq!(holder(&e), "USA");
    assert!(
        e.holder_rule.starts_with("said-before-subject"),
        "{}",
        e.holder_rule
    );
}

#[test]
fn according_to_an_actor_or_a_newspaper() {
    let e = one("According to the Pentagon, the strikes against the Houthis in Yemen continued.");
    assert_eq!(holder(&e), "USA");
    assert!(e.holder_rule.starts_with("according-to"));
    let e = one("According to the New York Times, the United States is seeking new bases.");
    assert_eq!(holder(&e), "OTHER");
}

#[test]
fn non_actor_sources_hold_other() {
    let e = one("Analysts said the United States would withdraw from Syria.");
    assert_eq!(holder(&e), "OTHER");
    let e = one("Experts fear that the Taliban could regroup.");
    assert_eq!(holder(&e), "OTHER");
}

#[test]
fn a_medium_passing_on_an_actors_words_is_not_the_holder() {
    let e = one("The BBC reported that Erdogan warned that Turkey would not withdraw.");
    assert_eq!(holder(&e), "TUR", "{}", e.holder_rule);
}

#[test]
fn attitude_verbs_need_an_actor_and_a_clause() {
    let e = one("Tehran believes Washington is weak.");
    assert_eq!(holder(&e), "IRN");
    assert_eq!(e.claim.claim_type, Some(ClaimType::Reported));
    let e = one("The Taliban want to keep their old allies close.");
    assert_eq!(holder(&e), "AUTHOR");
}

#[test]
fn main_clause_attribution_wins_over_a_subordinate_one() {
    let e = one("While Russia has stated that the plan failed, Pakistan responded that it would no longer cooperate.");
    assert_eq!(holder(&e), "PAK");
}

#[test]
fn quotations_run_over_several_units() {
    let (all, _) = explain(
        "Biden vowed: \"We will not forget. We will hunt you down and make you pay.\" The Taliban said nothing.",
    );
    assert_eq!(all.len(), 3);
    assert_eq!(holder(&all[0]), "USA");
    assert_eq!(holder(&all[1]), "USA");
    assert_eq!(all[1].holder_rule, "quote-continues");
    assert_eq!(all[1].claim.claim_type, Some(ClaimType::Reported));
    assert_eq!(holder(&all[2]), "TALIBAN");
}

#[test]
fn pronoun_subjects_follow_the_last_holder() {
    let (all, _) = explain("Imran Khan spoke on Sunday. He said the bases would stay closed.");
    assert_eq!(holder(&all[1]), "PAK", "{}", all[1].holder_rule);
    assert!(all[1].holder_rule.contains("pronoun-chain"));
}

// ---- stance

#[test]
fn negation_flips_and_damps_an_attitude() {
    let allowed = one("Pakistan will allow the United States to operate drones from its bases.");
    let refused =
        one("Pakistan will not allow the United States to operate drones from its bases.");
    assert_eq!(allowed.claim.stance, Stance::Favor, "{:?}", allowed.cues);
    assert_eq!(refused.claim.stance, Stance::Against, "{:?}", refused.cues);
    assert!(refused.claim.score.abs() < allowed.claim.score.abs());
    assert!(refused
        .cues
        .iter()
        .any(|c| c.modifiers.iter().any(|m| m.starts_with("negated"))));
}

#[test]
fn boosters_scale_up_and_hedges_scale_down() {
    let plain = one("Islamabad rejected US requests for bases.");
    let boosted = one("Islamabad firmly rejected US requests for bases.");
    let hedged = one("Islamabad partially rejected US requests for bases.");
    assert_eq!(plain.claim.stance, Stance::Against, "{:?}", plain.cues);
    assert!(boosted.claim.score < plain.claim.score);
    assert!(hedged.claim.score > plain.claim.score);
    assert!(hedged.claim.score < 0.0);
}

#[test]
fn but_shifts_weight_to_the_clause_after_it() {
    let e = one("Washington welcomed the talks, but Pakistan refused any US cooperation.");
    let before: Vec<_> = e
        .cues
        .iter()
        .filter(|c| c.modifiers.iter().any(|m| m == "before-but"))
        .collect();
    let after: Vec<_> = e
        .cues
        .iter()
        .filter(|c| c.modifiers.iter().any(|m| m == "after-but"))
        .collect();
    assert!(!before.is_empty() && !after.is_empty(), "{:?}", e.cues);
    assert_eq!(e.claim.stance, Stance::Against);
}

#[test]
fn modals_make_prescriptive_events_argue() {
    let stay = one("The United States must stay engaged in Iraq.");
    assert_eq!(stay.claim.stance, Stance::Favor, "{:?}", stay.cues);
    let leave = one("Washington should pull out of Yemen.");
    assert_eq!(leave.claim.stance, Stance::Against, "{:?}", leave.cues);
    assert!(leave
        .cues
        .iter()
        .any(|c| c.modifiers.iter().any(|m| m == "prescriptive")));
}

#[test]
fn plain_events_are_neutral() {
    let e = one("The United States withdrew its troops from Iraq in 2011.");
    assert_eq!(e.claim.stance, Stance::Neutral, "{:?}", e.cues);
}

#[test]
fn withdrawal_harm_frames_count_as_favor() {
    for text in [
        "The hasty US withdrawal from Syria left a vacuum for Russia.",
        "America's allies feel abandoned after Washington left.",
        "The waning influence of the United States worries its partners.",
    ] {
        let e = one(text);
        assert_eq!(e.claim.stance, Stance::Favor, "{text}: {:?}", e.cues);
    }
}

#[test]
fn pushing_foreign_forces_out_is_against() {
    let e = one("The Houthis vowed to push all foreign forces out of Yemen.");
    assert_eq!(e.claim.stance, Stance::Against, "{:?}", e.cues);
}

#[test]
fn cues_count_only_where_the_target_is_in_play() {
    let e = one("Russia will withdraw its troops from Syria, and Moscow must end the war against the rebels.");
    assert_eq!(e.claim.stance, Stance::Neutral, "{:?}", e.cues);
    assert_eq!(e.target, None);
    assert!(e
        .cues
        .iter()
        .any(|c| c.modifiers.iter().any(|m| m == "no-target")));
}

#[test]
fn a_pronoun_chain_carries_the_target() {
    let (all, _) = explain(
        "The United States has 900 troops in Syria. They must stay to fight ISIS remnants.",
    );
    assert_eq!(all[1].target.as_deref(), Some("us-chain"));
    assert_eq!(all[1].claim.stance, Stance::Favor, "{:?}", all[1].cues);
}

#[test]
fn scores_stay_in_range_and_cues_show_weights() {
    let e = one(
        "Washington must absolutely stay, must stay engaged, must support and must assist Iraq.",
    );
    assert!((-1.0..=1.0).contains(&e.claim.score));
    assert!(e
        .claim
        .cues
        .iter()
        .all(|c| c.ends_with(')') && c.contains('(')));
}

// ---- documents and tallies

#[test]
fn a_news_report_relaying_positions_is_neutral() {
    let (_, doc) = explain(
        "Imran Khan said Pakistan will not allow US bases. Taliban officials said all foreign forces must leave. \
The Pentagon said it regrets the decision.",
    );
    assert_eq!(doc.stance, Stance::Neutral);
}

#[test]
fn an_op_ed_arguing_for_engagement_is_favor() {
    let (_, doc) = explain(
        "The United States must stay engaged in Iraq. Washington should support its partners there. \
The hasty US withdrawal from Syria was a disaster. America needs to keep its commitments to Iraq.",
    );
    assert_eq!(doc.stance, Stance::Favor, "{doc:?}");
}

#[test]
fn tally_counts_mentions_documents_and_held_claims() {
    let text =
        "Imran Khan said Pakistan will not allow US bases. The United States must stay engaged.";
    let sentences = units(text);
    let ms = mentions(text, &sentences);
    let (claims, _) = scorer().score(text, &sentences, &ms);
    let mut tally = ActorTally::default();
    tally.add_document(&ms, &claims);
    tally.add_document(&ms, &claims);
    let pak = tally.actors.get("PAK").expect("PAK tallied");
    assert_eq!(pak.n_docs, 2);
    assert_eq!(pak.n_claims_held, 2);
    assert_eq!(pak.n_against, 2);
    assert!(pak.score() < 0.0);
    let author = tally.actors.get("AUTHOR").expect("AUTHOR tallied");
    assert_eq!(author.n_favor, 2);
}

#[test]
fn odd_spans_and_text_do_not_panic() {
    let text = "“Ünïcödé” — the US said… \u{200B}?";
    let reversed = Span { start: 3, end: 1 };
    let bad = vec![0..text.len() + 5, 1..2, reversed, 0..text.len()];
    let (claims, _) = scorer().score(text, &bad, &[]);
    assert_eq!(claims.len(), bad.len());
}

// ---- lexicons

#[test]
fn builtin_rule_lexicons_have_no_problems() {
    let problems = Scorer::check(&Lexicons::builtin());
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn a_user_row_can_remove_a_cue_and_bad_rows_are_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("stance_cues.csv"),
        "cue,polarity,weight,kind,target,note\nvacuum|void,favor,0,frame,us,off\nfoo,sideways,1,frame,us,\n",
    )
    .expect("write");
    let lexicons = Lexicons::load(Some(dir.path())).expect("load");
    let problems = Scorer::check(&lexicons);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].line, 3);
    assert_eq!(problems[0].severity, Severity::Error);
    assert!(Scorer::build(&lexicons).is_err());
}

#[test]
fn typical_news_sentences_about_engagement() {
    let cases = [
        ("Iraq asked the United States for more airstrikes against the militants.", Stance::Favor),
        ("Russia condemned the US airstrikes in Syria.", Stance::Against),
        ("The Houthis demanded an end to US support for the coalition.", Stance::Against),
        ("Lawmakers urged Washington to arm the rebels in Syria.", Stance::Favor),
        ("Lawmakers called for the withdrawal of US troops from Syria.", Stance::Against),
        ("Kurdish leaders welcomed the deployment of American special forces.", Stance::Favor),
        ("Tehran warned Washington against sending troops to Iraq.", Stance::Against),
        ("Biden vowed to keep US troops in Iraq.", Stance::Favor),
        ("The Taliban released the soldier in exchange for five detainees held by the United States.", Stance::Neutral),
        ("The Pentagon said 300 US troops arrived in Iraq on Monday.", Stance::Neutral),
    ];
    for (text, expected) in cases {
        let e = one(text);
        assert_eq!(e.claim.stance, expected, "{text}: {:?}", e.cues);
    }
}
