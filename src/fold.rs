//! Folding: a matching-and-scoring form of a source slice (quotes, dashes,
//! odd spaces and invisible characters folded) with a byte-offset map back to
//! the source, so every span found in folded text carries source offsets.

use crate::types::Span;

/// Folded text and, for each of its bytes, the source offset it came from.
#[derive(Debug, Clone, Default)]
pub struct Folded {
    text: String,
    /// `to_src[i]` is the source offset of folded byte `i`; one extra entry
    /// holds the source end.
    to_src: Vec<u32>,
}

impl Folded {
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The source offset of a folded byte offset (`text().len()` maps to the
    /// end of the folded source range).
    pub fn to_source(&self, folded: usize) -> usize {
        self.to_src[folded.min(self.to_src.len() - 1)] as usize
    }

    /// The source span of a folded span; the end maps past the last source
    /// character that contributed to the span.
    pub fn source_span(&self, folded: Span) -> Span {
        let start = self.to_source(folded.start);
        let end = if folded.end == 0 {
            start
        } else {
            // The end is the source position after the last folded byte's
            // source character: the next folded byte's source start, or the
            // range end.
            let mut next = folded.end;
            while next < self.text.len() && self.to_src[next] == self.to_src[folded.end - 1] {
                next += 1;
            }
            self.to_source(next)
        };
        start..end.max(start)
    }
}

/// What a source character folds to.
pub fn fold_char(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{02BC}'
        | '\u{0060}' | '\u{00B4}' => "'",
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
        | '\u{00BB}' => "\"",
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' => "-",
        '\u{2026}' => "...",
        '\r' => "\n",
        '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => "",
        c if c != '\n' && c != '\t' && c.is_control() => "",
        c if c != '\n' && c.is_whitespace() => " ",
        _ => return None,
    })
}

/// Folds `src[range]`; offsets in the result map back into `src`.
pub fn fold_range(src: &str, range: Span) -> Folded {
    let slice = &src[range.clone()];
    let mut text = String::with_capacity(slice.len());
    let mut to_src = Vec::with_capacity(slice.len() + 1);
    let mut chars = slice.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let at = (range.start + i) as u32;
        if c == '\r' && chars.peek().is_some_and(|&(_, n)| n == '\n') {
            continue;
        }
        match fold_char(c) {
            Some(rep) => {
                text.push_str(rep);
                to_src.extend(std::iter::repeat_n(at, rep.len()));
            }
            None => {
                text.push(c);
                to_src.extend(std::iter::repeat_n(at, c.len_utf8()));
            }
        }
    }
    to_src.push(range.end as u32);
    Folded { text, to_src }
}

/// Folds a whole source text.
pub fn fold(src: &str) -> Folded {
    fold_range(src, 0..src.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_quotes_and_maps_back() {
        let src = "Ankara\u{2019}s \u{201C}plan\u{201D}";
        let f = fold(src);
        assert_eq!(f.text(), "Ankara's \"plan\"");
        let at = f.text().find("plan").unwrap();
        let span = f.source_span(at..at + 4);
        assert_eq!(&src[span], "plan");
        let q = f.text().rfind('"').unwrap();
        assert_eq!(&src[f.source_span(q..q + 1)], "\u{201D}");
    }

    #[test]
    fn range_offsets_are_absolute() {
        let src = "ab \u{2013} cd";
        let f = fold_range(src, 3..src.len());
        assert_eq!(f.text(), "- cd");
        assert_eq!(&src[f.source_span(2..4)], "cd");
    }
}
