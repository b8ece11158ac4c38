//! Arbitrary bytes through every stage: no panic, and every span the stages
//! emit lies on character boundaries of the source, in order.

use claimstance::annotate::Model;
use claimstance::input::decode_lossy;
use claimstance::lexicon::Lexicons;
use proptest::prelude::*;
use std::sync::OnceLock;

fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| Model::build(&Lexicons::builtin()).expect("the built-in lexicons compile"))
}

fn check(src: &str) {
    let annotation = model().annotate(src);
    let on_boundaries = |start: usize, end: usize| {
        start <= end && end <= src.len() && src.is_char_boundary(start) && src.is_char_boundary(end)
    };
    let mut last_end = 0;
    for line in &annotation.normalized.lines {
        assert!(on_boundaries(line.start, line.end) && line.start >= last_end);
        last_end = line.end;
    }
    let mut last_end = 0;
    for s in &annotation.sentences {
        assert!(on_boundaries(s.start, s.end), "sentence {s:?} of {src:?}");
        assert!(
            s.start >= last_end && s.start < s.end,
            "sentence {s:?} out of order in {src:?}"
        );
        last_end = s.end;
    }
    let mut last = (0, 0);
    for m in &annotation.mentions {
        let sentence = &annotation.sentences[m.sent];
        assert!(on_boundaries(m.start, m.end) && m.start < m.end);
        assert!(
            sentence.start <= m.start && m.end <= sentence.end,
            "mention {m:?} outside its sentence"
        );
        assert!((m.sent, m.start) >= last, "mentions out of order");
        last = (m.sent, m.end);
    }
    assert_eq!(annotation.claims.len(), annotation.sentences.len());
    for claim in &annotation.claims {
        assert!((-1.0..=1.0).contains(&claim.score));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_break_a_stage(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let (text, _) = decode_lossy(bytes);
        check(&text);
    }

    #[test]
    fn arbitrary_unicode_never_breaks_a_stage(text in "\\PC{0,600}") {
        check(&text);
    }

    #[test]
    fn newsy_text_never_breaks_a_stage(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("The U.S. said"), Just(" Washington"), Just("\u{2019}s "), Just("Taliban"), Just("."),
                Just("\n\n"), Just("\u{201C}"), Just("\u{201D}"), Just(" Gen. "), Just("â€™"), Just("\u{00A0}"),
                Just("?!"), Just("..."), Just("\r\n"), Just("US-Turkish "), Just("Kabul airport"), Just("\u{FFFD}"),
                Just("(AP) -- "), Just("Photo: AFP"), Just("\u{200B}"), Just("e\u{301}"), Just("ISIS-K"),
            ],
            0..60,
        )
    ) {
        check(&parts.concat());
    }
}
