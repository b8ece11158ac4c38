//! Property tests: for any input (random Unicode, U+FFFD, control
//! characters, mojibake, sentence punctuation soup), every emitted sentence
//! unit lies inside the source on character boundaries, is non-empty and
//! trimmed, units are in order without overlap and within the length cap,
//! and folding maps every folded span back onto character boundaries.

use claimstance::annotate::Model;
use claimstance::fold::fold_range;
use claimstance::lexicon::Lexicons;
use claimstance::segment::MAX_UNIT_BYTES;
use proptest::prelude::*;
use std::sync::OnceLock;

fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| Model::build(&Lexicons::builtin()).expect("built-in lexicons compile"))
}

/// Pieces that exercise the segmenter's and folder's special cases.
const PIECES: &[&str] = &[
    "word",
    "Word",
    " ",
    "  ",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    "\t",
    ".",
    "?",
    "!",
    "...",
    ". . .",
    "\u{2026}",
    "U.S.",
    "Mr.",
    "Gen.",
    "e.g.",
    "a.m.",
    "No.",
    "1.",
    "2)",
    "a.",
    "b.",
    "3.5",
    "$100.00",
    "\u{201C}",
    "\u{201D}",
    "\"",
    "'",
    "(",
    ")",
    "[",
    "]",
    "\u{2019}",
    "\u{FFFD}",
    "\u{0000}",
    "\u{0007}",
    "\u{001B}",
    "\u{007F}",
    "\u{0085}",
    "\u{00A0}",
    "\u{00AD}",
    "\u{200B}",
    "\u{FEFF}",
    "\u{2028}",
    "\u{0301}",
    "e\u{0301}",
    "\u{00E2}\u{20AC}\u{2122}",
    "\u{00E2}\u{20AC}\u{0153}",
    "\u{00C3}\u{00A9}",
    "\u{00C2}",
    "\u{00E2}\u{20AC}",
    "\u{2022}",
    "\u{2043}9.",
    "Jane.Doe@example.com",
    "https://example.com/a.html",
    "WASHINGTON (AP) \u{2014} ",
    "(CNN) -- ",
    "ANKARA",
    "Photo: AFP",
    "Share",
    "Scroll down for video",
    "mboxCreate('x');",
    "\u{0414}\u{0430}",
    "\u{1F600}",
    "\u{D55C}",
    "\u{0915}\u{093F}",
];

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..80).prop_map(|p| p.concat())
}

fn check_units(src: &str) -> Result<(), TestCaseError> {
    let model = model();
    let normalized = model.normalize(src);
    for line in &normalized.lines {
        prop_assert!(line.start < line.end && line.end <= src.len());
        prop_assert!(src.is_char_boundary(line.start) && src.is_char_boundary(line.end));
    }
    let units = model.segment(src, &normalized);
    let mut previous_end = 0;
    for unit in &units {
        prop_assert!(unit.start < unit.end, "empty unit {unit:?}");
        prop_assert!(unit.end <= src.len());
        prop_assert!(src.is_char_boundary(unit.start) && src.is_char_boundary(unit.end));
        prop_assert!(
            unit.start >= previous_end,
            "units out of order or overlapping"
        );
        prop_assert!(unit.end - unit.start <= MAX_UNIT_BYTES);
        let text = &src[unit.clone()];
        prop_assert!(
            !text.starts_with(char::is_whitespace) && !text.ends_with(char::is_whitespace)
        );
        previous_end = unit.end;
        check_fold(src, unit.clone())?;
    }
    Ok(())
}

fn check_fold(src: &str, range: std::ops::Range<usize>) -> Result<(), TestCaseError> {
    let folded = fold_range(src, range.clone());
    let text = folded.text();
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    for (k, &a) in bounds.iter().enumerate() {
        let s = folded.to_source(a);
        prop_assert!(range.start <= s && s <= range.end && src.is_char_boundary(s));
        if let Some(&b) = bounds.get(k + 1) {
            let span = folded.source_span(a..b);
            prop_assert!(
                range.start <= span.start && span.start < span.end && span.end <= range.end
            );
            prop_assert!(src.is_char_boundary(span.start) && src.is_char_boundary(span.end));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn units_are_in_order_on_char_boundaries_for_any_unicode(src in any::<String>()) {
        check_units(&src)?;
    }

    #[test]
    fn units_are_in_order_on_char_boundaries_for_tricky_text(src in soup()) {
        check_units(&src)?;
    }

    #[test]
    fn units_survive_lossy_decoding_of_random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let src = String::from_utf8_lossy(&bytes).into_owned();
        check_units(&src)?;
    }

    #[test]
    fn long_unpunctuated_text_is_capped(word in "[a-zA-Z\u{0430}-\u{044F}]{1,12}", n in 300usize..1500) {
        let src = vec![word.as_str(); n].join(" ");
        check_units(&src)?;
    }
}
