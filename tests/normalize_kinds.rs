//! Each boilerplate kind of the built-in `lexicons/boilerplate.csv`, through
//! the public normalize API: the line (or prefix) is dropped with its kind,
//! `dropped_bytes` counts it, and the content around it is kept.

use claimstance::lexicon::Lexicons;
use claimstance::normalize::Normalizer;
use std::sync::OnceLock;

const PARA: &str = "The United States said on Monday that it would keep troops in the region.";

fn normalizer() -> &'static Normalizer {
    static N: OnceLock<Normalizer> = OnceLock::new();
    N.get_or_init(|| Normalizer::build(&Lexicons::builtin()).expect("rules compile"))
}

/// Asserts that `line`, between two paragraphs, is dropped whole as `kind`.
fn assert_dropped(line: &str, kind: &str) {
    let src = format!("{PARA}\n\n{line}\n\n{PARA}\n");
    let n = normalizer().normalize(&src);
    let kept: Vec<&str> = n.lines.iter().map(|s| &src[s.clone()]).collect();
    assert_eq!(kept, [PARA, PARA], "{line:?} should be dropped");
    assert_eq!(n.dropped.len(), 1, "{line:?}");
    assert_eq!(&*n.dropped[0].kind, kind, "{line:?}");
    assert_eq!(n.dropped_bytes, line.trim().len(), "{line:?}");
}

#[test]
fn every_kind_is_dropped() {
    for (line, kind) in [
        ("Type to search", "navigation"),
        ("Continue reading the main story", "navigation"),
        ("Video loading", "navigation"),
        ("Share", "social"),
        (
            "Like Us On Facebook |   Follow Us On Twitter |   Contact The Author",
            "social",
        ),
        ("Follow John Beck on Twitter: @JM_Beck", "social"),
        (
            "— Cristina Kirchner (@CFKArgentina) December 23, 2014",
            "social",
        ),
        ("Advertisement", "advert"),
        ("Scroll down for video", "video"),
        (
            "MORE: Musician nearly blinds himself by tattooing his eyes",
            "related",
        ),
        (
            "Also read: Turkey’s vision for Afghanistan comes into view",
            "related",
        ),
        ("Leave a Comment", "comment"),
        ("Comments are closed.", "comment"),
        ("Image: EyeTravelPhoto / Shutterstock.com.", "caption"),
        ("Sam Greenwood/Getty Images", "caption"),
        ("ROMP: A screenshot of the viral video [CEN]", "caption"),
        ("(Getty)", "credit"),
        (
            "mboxCreate('FoxNews-Politics-Autoplay-Videos-In-Articles');",
            "script",
        ),
        (
            "@media only screen and (min-width : 500px) {.ethanmobile { display: none; }}",
            "script",
        ),
        ("**Update added (see below)**", "update"),
        (
            "The post The Case for US Engagement appeared first on The National Interest.",
            "post_footer",
        ),
        ("Source: The Wall Street Journal", "source"),
        ("Источник: nationalinterest.org", "source"),
        (
            "Copyright 2014 The Associated Press. All rights reserved.",
            "legal",
        ),
        (
            "(Reporting by Andrew MacAskill; Editing by Douglas Busvine)",
            "byline",
        ),
        ("By Sylvia Westall", "byline"),
        (
            "Topic: Diplomacy Tags: Afghanistan, Taliban By: Touqir Hussain",
            "metadata",
        ),
        ("January 22, 2026", "metadata"),
        ("*  *  *", "separator"),
        ("ANKARA", "dateline"),
    ] {
        assert_dropped(line, kind);
    }
}

#[test]
fn datelines_and_update_stamps_are_dropped_as_prefixes() {
    for (line, kept, kind) in [
        (
            "WASHINGTON (AP) — The Pentagon said so.",
            "The Pentagon said so.",
            "dateline",
        ),
        (
            "LONDON (Reuters) - Britain said so.",
            "Britain said so.",
            "dateline",
        ),
        (
            "(CNN) -- Officials said so.",
            "Officials said so.",
            "dateline",
        ),
        (
            "BEIRUT: A statement said so.",
            "A statement said so.",
            "dateline",
        ),
        (
            "Update 2:13 PM: The port will not ship.",
            "The port will not ship.",
            "update",
        ),
    ] {
        let n = normalizer().normalize(line);
        let lines: Vec<&str> = n.lines.iter().map(|s| &line[s.clone()]).collect();
        assert_eq!(lines, [kept], "{line:?}");
        assert_eq!(&*n.dropped[0].kind, kind);
        assert_eq!(n.dropped_bytes, line.len() - kept.len() - 1, "{line:?}");
    }
}

#[test]
fn content_that_looks_like_boilerplate_is_kept() {
    for line in [
        "ANALYSIS – Following the withdrawal from Afghanistan, allies are wary of the US.",
        "By the next year Williams was claiming on his blog that all four helicopters took fire.",
        "Let's ask Jane and co. They should know.",
        "He shared the photo on Facebook, where it was seen a million times.",
        "About the Author: Touqir Hussain",
    ] {
        let src = format!("{PARA}\n\n{line}\n");
        let n = normalizer().normalize(&src);
        assert_eq!(n.lines.len(), 2, "{line:?} should be kept");
        assert_eq!(n.dropped_bytes, 0, "{line:?}");
    }
}
