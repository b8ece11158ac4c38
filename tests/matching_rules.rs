//! Matching rules of ANNOTATION.md §3 on small texts, with the fixture
//! lexicon in tests/fixtures/lexicon (not the full built-in one).

use claimstance::lexicon::{LexiconFile, Lexicons};
use claimstance::matching::Matcher;

fn file(name: &str, text: &str) -> LexiconFile {
    LexiconFile {
        name: name.into(),
        origin: format!("fixture/{name}"),
        text: text.into(),
    }
}

fn fixture_files() -> Vec<LexiconFile> {
    let builtin = Lexicons::builtin();
    let mut files: Vec<LexiconFile> = builtin.named("actor_context.csv").cloned().collect();
    files.push(file(
        "actors.csv",
        include_str!("fixtures/lexicon/actors.csv"),
    ));
    files.push(file(
        "non_actors.csv",
        include_str!("fixtures/lexicon/non_actors.csv"),
    ));
    files
}

fn matcher() -> &'static Matcher {
    static MATCHER: std::sync::OnceLock<Matcher> = std::sync::OnceLock::new();
    MATCHER.get_or_init(|| {
        Matcher::build(&Lexicons::from_files(fixture_files())).expect("fixture lexicon builds")
    })
}

/// (surface, actor) of every mention of `text` taken as one sentence.
fn mentions(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    matcher().find(text, &whole(text), &mut out);
    out.iter()
        .map(|m| (text[m.start..m.end].to_string(), m.actor.to_string()))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(s, a)| (s.to_string(), a.to_string()))
        .collect()
}

#[test]
fn finds_names_with_their_codes_and_entities() {
    let text = "CIA Director met Pakistani leaders in the United States.";
    let mut out = Vec::new();
    matcher().find(text, &whole(text), &mut out);
    let found: Vec<_> = out
        .iter()
        .map(|m| (&text[m.start..m.end], &*m.actor, &*m.entity))
        .collect();
    assert_eq!(
        found,
        vec![
            ("CIA", "USA", "USA/CIA"),
            ("Pakistani", "PAK", "PAK"),
            ("United States", "USA", "USA")
        ]
    );
}

#[test]
fn case_rule_keeps_us_and_drops_the_pronoun() {
    assert_eq!(
        mentions("Tell us what the US wants, said America."),
        pairs(&[("US", "USA"), ("America", "USA")])
    );
    assert_eq!(mentions("Us and them. america"), pairs(&[]));
    // An alias written with a lowercase particle may be capitalized.
    assert_eq!(
        mentions("Al-Qaeda and al-Qaeda, not AL-qaeda"),
        pairs(&[("Al-Qaeda", "AQ"), ("al-Qaeda", "AQ")])
    );
}

#[test]
fn possessives_stay_outside_the_span() {
    assert_eq!(
        mentions("Afghanistan\u{2019}s future, the United States\u{2019} role and Pakistan's army"),
        pairs(&[
            ("Afghanistan", "AFG"),
            ("United States", "USA"),
            ("Pakistan", "PAK")
        ])
    );
}

#[test]
fn word_boundaries_understand_unicode_letters() {
    assert_eq!(mentions("Pakistan\u{0131} and Afghanistanis"), pairs(&[]));
    assert_eq!(mentions("USAID and USA Today"), pairs(&[]));
    assert_eq!(mentions("\u{00C9}China and Chinae"), pairs(&[]));
    assert_eq!(
        mentions("a US-led force of non-US troops"),
        pairs(&[("US", "USA"), ("US", "USA")])
    );
}

#[test]
fn hyphenated_compounds_hold_several_mentions() {
    assert_eq!(
        mentions("the US-Turkish plan and the China\u{2013}Afghanistan-Pakistan forum"),
        pairs(&[
            ("US", "USA"),
            ("Turkish", "TUR"),
            ("China", "CHN"),
            ("Afghanistan", "AFG"),
            ("Pakistan", "PAK")
        ])
    );
}

#[test]
fn longest_name_wins_and_head_nouns_stay_out() {
    assert_eq!(
        mentions("Tehreek-e-Taliban Pakistan, the Afghan Taliban and the Pakistani Taliban"),
        pairs(&[
            ("Tehreek-e-Taliban Pakistan", "TTP"),
            ("Afghan Taliban", "TALIBAN"),
            ("Pakistani Taliban", "TTP")
        ])
    );
    assert_eq!(
        mentions("the Afghan government and the Trump administration"),
        pairs(&[("Afghan", "AFG"), ("Trump", "USA")])
    );
    assert_eq!(
        mentions("ISIS-K and IS-K are not IS"),
        pairs(&[("ISIS-K", "ISKP"), ("IS-K", "ISKP"), ("IS", "ISIS")])
    );
}

#[test]
fn a_shorter_alias_holds_when_the_longest_fails_its_case() {
    // `US Army` is exact: `US army` falls back to `US`.
    assert_eq!(mentions("the US army left"), pairs(&[("US", "USA")]));
    assert_eq!(mentions("the US Army left"), pairs(&[("US Army", "USA")]));
}

#[test]
fn names_inside_non_actor_names_are_not_mentions() {
    assert_eq!(
        mentions("flights from Hamid Karzai International Airport, said Hamid Karzai"),
        pairs(&[("Hamid Karzai", "AFG")])
    );
    assert_eq!(
        mentions("The Washington Post and Islamic State University"),
        pairs(&[])
    );
    assert_eq!(
        mentions("the Islamic State claimed it"),
        pairs(&[("Islamic State", "ISIS")])
    );
}

#[test]
fn is_counts_only_as_the_group() {
    assert_eq!(
        mentions("Fighters loyal to IS attacked. This is it."),
        pairs(&[("IS", "ISIS")])
    );
    assert_eq!(mentions("WHO IS BEHIND THE ATTACK IN KABUL"), pairs(&[]));
}

#[test]
fn all_caps_headlines() {
    assert_eq!(
        mentions("US TROOPS LEAVE AFGHANISTAN AS TURKEY STAYS"),
        pairs(&[("US", "USA"), ("AFGHANISTAN", "AFG"), ("TURKEY", "TUR")])
    );
    assert_eq!(mentions("JOIN US FOR A DEBATE ON PEACE"), pairs(&[]));
    assert_eq!(mentions("WHAT THE WAR MEANT FOR US"), pairs(&[]));
    assert_eq!(mentions("A U.S."), pairs(&[("U.S.", "USA")]));
    // A word in capitals amid mixed-case text keeps its case rule.
    assert_eq!(mentions("they said TURKEY loudly"), pairs(&[]));
}

#[test]
fn capitals_count_when_they_stand_for_the_government() {
    for text in [
        "Washington has repeatedly pressed Pakistan",
        "Ankara\u{2019}s decision",
        "talks between the new rulers in Kabul and Washington",
        "Islamabad may feel isolated from Washington",
        "the vacuum left by Washington",
        "Vietnam is seen in Washington as an ally",
        "Beijing has failed to end Kabul's support",
        "Beijing Foreign Ministry spokesman said",
        "Kabul Government officials said",
    ] {
        let found = mentions(text);
        let capitals = found
            .iter()
            .filter(|(s, _)| {
                ["Washington", "Ankara", "Kabul", "Islamabad", "Beijing"].contains(&s.as_str())
            })
            .count();
        let expected = text
            .split(|c: char| !c.is_alphabetic())
            .filter(|w| ["Washington", "Ankara", "Kabul", "Islamabad", "Beijing"].contains(w))
            .count();
        assert_eq!(capitals, expected, "{text}: {found:?}");
    }
}

#[test]
fn capitals_as_places_are_not_mentions() {
    for text in [
        "the Taliban seized the capital Kabul",
        "after the bombing of Kabul airport",
        "a professor in Washington, DC.",
        "a professor in Washington D.C.",
        "US troops in Kabul",
        "Blinken travelled to Kabul to meet them",
        "hoping to secure Kabul as the prize",
        "a Washington-based think tank",
        "students of Kabul University",
    ] {
        let found = mentions(text);
        assert!(
            !found.iter().any(|(s, _)| s == "Kabul" || s == "Washington"),
            "{text}: {found:?}"
        );
    }
}

#[test]
fn datelines_and_own_state_after_a_comma_are_places() {
    assert_eq!(
        mentions("WASHINGTON (AP) \u{2014} The US said"),
        pairs(&[("US", "USA")])
    );
    assert_eq!(
        mentions("KABUL, Afghanistan \u{2014} Taliban fighters"),
        pairs(&[("Afghanistan", "AFG"), ("Taliban", "TALIBAN")])
    );
    assert_eq!(
        mentions("a school in Kabul, Afghanistan and Washington, China and Russia"),
        pairs(&[
            ("Afghanistan", "AFG"),
            ("Washington", "USA"),
            ("China", "CHN")
        ])
    );
}

#[test]
fn offsets_are_source_offsets_across_sentences_and_line_breaks() {
    let text = "Intro \u{201C}line\u{201D}.\nThe United\nStates and Afghanistan\u{2019}s rulers.";
    let second = text.find("The").unwrap()..text.len();
    let mut out = Vec::new();
    matcher().find(text, &[0..second.start - 1, second], &mut out);
    let found: Vec<_> = out
        .iter()
        .map(|m| (m.sent, &text[m.start..m.end], &*m.actor))
        .collect();
    assert_eq!(
        found,
        vec![(1, "United\nStates", "USA"), (1, "Afghanistan", "AFG")]
    );
}

#[test]
fn a_later_row_replaces_an_earlier_one_with_the_same_alias() {
    let mut files = fixture_files();
    files.push(file(
        "actors.csv",
        "actor,entity,type,alias,case,note\nAFG,AFG/Emirate capital,capital,Kabul,exact,\nUSA,USA/us,state,us,any,odd but allowed\n",
    ));
    let matcher = Matcher::build(&Lexicons::from_files(files)).unwrap();
    let text = "Kabul has spoken to us";
    let mut out = Vec::new();
    matcher.find(text, &whole(text), &mut out);
    let found: Vec<_> = out
        .iter()
        .map(|m| (&text[m.start..m.end], &*m.entity))
        .collect();
    assert_eq!(
        found,
        vec![("Kabul", "AFG/Emirate capital"), ("us", "USA/us")]
    );
}

#[test]
fn explain_lists_every_candidate_with_its_rule() {
    let text =
        "USAID left Kabul airport near Hamid Karzai International Airport; Ankara\u{2019}s plan";
    let candidates = matcher().explain(text, &whole(text));
    let rules: Vec<_> = candidates
        .iter()
        .map(|c| (c.surface.as_str(), c.kept, c.rule.as_str()))
        .collect();
    assert!(rules.contains(&("US", false, "boundary")), "{rules:?}");
    assert!(
        rules.contains(&("Kabul", false, "capital:place-before-airport")),
        "{rules:?}"
    );
    assert!(
        rules.contains(&(
            "Hamid Karzai",
            false,
            "non_actor:Hamid Karzai International Airport"
        )),
        "{rules:?}"
    );
    assert!(
        rules.contains(&("Ankara", true, "capital:possessive")),
        "{rules:?}"
    );
    let kept: Vec<_> = candidates.iter().filter(|c| c.kept).collect();
    let mut out = Vec::new();
    matcher().find(text, &whole(text), &mut out);
    assert_eq!(kept.len(), out.len());
}

#[test]
fn never_panics_on_odd_input() {
    let m = matcher();
    for text in [
        "",
        "\u{0301}US",
        "US\u{0301}",
        "'s",
        "Kabul'",
        "\u{FEFF}Kabul, \u{200B}",
        "a\r\nUS\r\n",
    ] {
        let mut out = Vec::new();
        m.find(text, &whole(text), &mut out);
        m.explain(text, &whole(text));
        for mention in out {
            assert!(text.get(mention.start..mention.end).is_some());
        }
    }
}

/// The whole text as one sentence unit.
fn whole(text: &str) -> Vec<std::ops::Range<usize>> {
    let whole: std::ops::Range<usize> = 0..text.len();
    vec![whole]
}

proptest::proptest! {
    #[test]
    fn mentions_lie_on_char_boundaries_inside_their_sentence(
        text in "[ a-zA-Z'\u{2019}\u{2013}\u{00A0}\u{200B}\u{0131}\u{00E9},.\r\n-]{0,60}(US|Kabul|Afghan|al-Qaeda|IS)?[ a-zA-Z\u{2019},.-]{0,30}",
        cut in 0usize..100,
    ) {
        let m = matcher();
        let mut cut = cut.min(text.len());
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let spans = vec![0..cut, cut..text.len()];
        let mut out = Vec::new();
        m.find(&text, &spans, &mut out);
        for mention in &out {
            let span = &spans[mention.sent];
            proptest::prop_assert!(span.start <= mention.start && mention.end <= span.end);
            proptest::prop_assert!(mention.start < mention.end);
            proptest::prop_assert!(text.get(mention.start..mention.end).is_some());
        }
        let kept = m.explain(&text, &spans).into_iter().filter(|c| c.kept).count();
        proptest::prop_assert_eq!(kept, out.len());
    }
}

#[test]
fn a_surname_after_another_given_name_is_another_person() {
    assert_eq!(
        mentions(
            "the reporters met Hunter Biden, and then Joe Biden and President Biden spoke about it"
        ),
        pairs(&[("Joe Biden", "USA"), ("Biden", "USA")])
    );
    // A spelling variant of the entity's own given name.
    assert_eq!(
        mentions("forces loyal to Moammar Gaddafi and to the Muammar Gaddafi of old"),
        pairs(&[("Gaddafi", "LBY"), ("Muammar Gaddafi", "LBY")])
    );
}
